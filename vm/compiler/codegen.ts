// The compiling tier: one JavaScript function per loaded program (its subprograms included, since
// linking appends them to the same instruction array), made with `new Function`, so it runs
// wherever the interpreter runs (no `node:` imports, no WebAssembly). It replaces only the
// interpreter's inner loop (`Interpreter.loop`): runs, frames, callbacks, helper calls, tail-call
// requests, LD_IMM64 resolution, slow memory paths and faults all go through the same Interpreter
// methods, so the two engines cannot drift apart on anything but the straight-line code below.
//
// What changes against the loop:
// - registers live in 22 int32 locals (lo/hi halves, `lN`/`hN`) instead of the shared Int32Array;
//   every assignment is `| 0`, which is exactly what a store into the Int32Array does (ToInt32),
//   so each operation is the interpreter's expression with the same result bit for bit. The
//   arguments r1..r5 are written to `ctx.R` before a helper or kfunc call (all they read) and r0 is
//   read back after it; all registers are written back before the function hands the run over,
//   and in its one `catch`, so a fault anywhere reports the registers of the moment it happened.
// - operands are constants in the source (imm, off, register numbers), so there is no decoding.
// - basic blocks are `case` arms of one `switch (pc)` in a loop; a taken jump sets pc and
//   re-dispatches, a fall-through falls into the next arm. A pc that is not a block start (a
//   callback entry or return address nobody could predict) leaves with status 2 and the
//   interpreter finishes that run from there: the fallback is explicit, never a wrong jump.
// - the instruction budget is counted as the interpreter counts it: the instructions of each
//   segment are added at the jump, call or exit that ends it (a fall-through into a block start
//   adds its part without a check), and the check `count > limit` runs exactly where the
//   interpreter's does, so the budget fault has the same pc and registers.
//
// - where the range analysis (vm/compiler/ranges.ts, sound for every program, verified or not)
//   bounds the operands, 64-bit add/sub/mul/div/mod, register shifts and compares take 32-bit or
//   Number forms with the exact path's result (narrowAlu64, narrowCond64); an entry the analysis
//   did not start from is checked against its ranges in the prologue.
//
// The generated function returns 0 when the frame it was entered at exited (or an out-of-packet
// LD_ABS ended the program), 1 when execution continues in another program (`run.nextProg` at
// `run.nextPc`: a tail call, or a return into a caller frame of another program), 2 when the
// interpreter must take over at `run.nextPc` of this program.

import { staticFaults, withPlainAccesses } from '../decode.js';
import type { Insn } from '../isa.js';
import { BPF_MAX_LOOPS, LD_IMM64 } from '../isa.js';
import type { ProvenFacts } from '../program.js';
import { nowMs } from '../now.js';
import { COUNT_SLOT, instantiateRegion, regionRegs, wasmEligible, wasmRegionModule, type WasmLoop } from './wasm.js';
import { allUnknown, fitsEntry, lower, rangesOf, upper, type Ranges } from './ranges.js';

/** The signature of a compiled program: run from `entry` until the frame at `baseDepth` exits. */
export type CompiledFn = (run: unknown, ctx: unknown, entry: number, baseDepth: number) => number;

export interface CompiledProgram {
  readonly fn: CompiledFn;
  /** 1 at each block start (the entries the dispatcher knows), one byte per slot. */
  readonly blocks: Uint8Array;
  /** Size of the generated source, in characters. */
  readonly sourceChars: number;
  /** Wall time spent generating and `new Function`-ing it (V8 compiles lazily on first call). */
  readonly compileMs: number;
}

/** Why a program was not compiled (the interpreter runs it). */
export class NotCompiled extends Error {}

/** The runtime pieces the generated code calls, provided by the interpreter (the compiler module
 *  must not import the interpreter: the interpreter imports the compiler). */
export interface CompilerKit {
  FaultSignal: new (reason: string) => Error;
  budgetFault(limit: number): Error;
  divmod64(al: number, ah: number, bl: number, bh: number, signed: boolean, mod: boolean, out: Int32Array): void;
  packetNegative(pkt: { start: number; mac?: number; network?: number }, offset: number): number;
  toU64(lo: number, hi: number): bigint;
  /** r0 from a helper-style result, as the interpreter sets it after a helper call. */
  setR0(R: Int32Array, v: number | bigint): void;
  FUNC_TAG: number;
  MAP_TAG: number;
  /** addr_space_cast to the user view: the upper half of the program's BPF arena pointers. */
  addrSpaceUserHi(prog: unknown): number;
}

/** Programs above this many slots stay on the interpreter: V8 does not optimise functions whose
 *  bytecode passes its size limit, and unoptimised generated code is slower than the loop. */
export const MAX_COMPILED_SLOTS = 6000;

const TWO32 = 4294967296;
const U32 = 4294967295;
const MAX_EXACT = 2 ** 53 - 1;

/** Narrowed arithmetic from the range analysis (vm/compiler/ranges.ts); off only to measure what it
 *  gains (programs compiled while it is off keep the exact code in their cache). */
let narrowing = true;
export function setNarrowing(on: boolean): void {
  narrowing = on;
}

function isJmp(code: number): boolean {
  const c = code & 7;
  return c === 5 || c === 6;
}

/** Block starts: entry 0, every jump / call / function target, and every slot after a jump,
 *  call, exit or legacy packet load. */
function leaders(insns: readonly Insn[]): Set<number> {
  const n = insns.length;
  const out = new Set<number>([0]);
  for (let pc = 0; pc < n; pc++) {
    const x = insns[pc]!;
    if (x.code === LD_IMM64) {
      if (x.src === 4) out.add(pc + x.imm + 1);
      pc++;
      continue;
    }
    if (!isJmp(x.code)) continue;
    const op = x.code & 0xf0;
    if (pc + 1 < n) out.add(pc + 1);
    if (op === 0x80) {
      if (x.code === 0x85 && x.src === 1) out.add(pc + x.imm + 1);
    } else if (op !== 0x90) {
      out.add(x.code === 0x06 ? pc + x.imm + 1 : pc + x.off + 1);
    }
  }
  return out;
}

/** The slots reachable from `entry`: fall-through, jump and local-call targets, and the slot after
 *  every call (where its callee returns). Undefined when an indirect local call (callx) is
 *  reachable, whose target nobody can predict. Closed under fall-through, so a slot outside the
 *  set always starts a block. */
export function reachableFrom(insns: readonly Insn[], entry: number): Uint8Array | undefined {
  const n = insns.length;
  const seen = new Uint8Array(n + 1);
  const work = [entry];
  while (work.length > 0) {
    const pc = work.pop()!;
    if (pc < 0 || pc >= n || seen[pc] === 1) continue;
    seen[pc] = 1;
    const x = insns[pc]!;
    if (x.code === LD_IMM64) {
      if (pc + 1 < n) seen[pc + 1] = 1;
      work.push(pc + 2);
      continue;
    }
    if (!isJmp(x.code)) {
      work.push(pc + 1);
      continue;
    }
    const op = x.code & 0xf0;
    if (x.code === 0x8d) return undefined;
    if (op === 0x90) continue; // exit
    if (op === 0x80) {
      if (x.code === 0x85 && x.src === 1) work.push(pc + x.imm + 1);
      work.push(pc + 1);
      continue;
    }
    const target = x.code === 0x06 ? pc + x.imm + 1 : pc + x.off + 1;
    work.push(target);
    if (x.code !== 0x05 && x.code !== 0x06) work.push(pc + 1); // ja / gotol never fall through
  }
  return seen;
}

/** The slots of a callback entered at `entry` that can be compiled as a leaf (generate's
 *  `leafEntry`): a function of its two arguments that the helper calling it (rbtree `less`/`cmp`)
 *  runs without frame machinery of its own. Undefined unless every reachable instruction stays in
 *  the callback's frame (no helper, kfunc, local or indirect call, so no tail call and no frame
 *  above it either) and every jump lands on an instruction of the program, so the generated
 *  dispatcher never needs the interpreter to take over. */
export function leafBlocks(insns: readonly Insn[], entry: number): Uint8Array | undefined {
  const n = insns.length;
  const starts = new Uint8Array(n + 1);
  for (let pc = 0; pc < n; pc++) {
    starts[pc] = 1;
    if (insns[pc]!.code === LD_IMM64) pc++;
  }
  if (entry < 0 || entry >= n || starts[entry] !== 1) return undefined;
  const only = reachableFrom(insns, entry);
  if (only === undefined) return undefined;
  for (let pc = 0; pc < n; pc++) {
    if (only[pc] !== 1 || starts[pc] !== 1) continue;
    const x = insns[pc]!;
    if (x.code === LD_IMM64 || !isJmp(x.code)) continue;
    const op = x.code & 0xf0;
    if (op === 0x80) return undefined; // call, callx
    if (op === 0x90) continue;
    const target = x.code === 0x06 ? pc + x.imm + 1 : pc + x.off + 1;
    if (target < 0 || target >= n || starts[target] !== 1) return undefined;
  }
  return only;
}

/** The loads of a leaf callback (leafBlocks' `only`, entered at `entry`) whose base register
 *  holds, on every path from the entry, one of the callback's two arguments plus a constant:
 *  load pc -> the argument (1 for r1, 2 for r2) and that constant. The helper calling the leaf may
 *  promise that an argument points to so many live, readable bytes (callback2's aBytes/bBytes:
 *  the rbtree nodes a `less` compares), and a load inside them cannot fail, whatever the program
 *  is: the generated code then reads without a range check. A forward analysis to a fixed point;
 *  registers only keep an argument through 64-bit moves and adds or subtracts of an immediate. */
export function argLoads(insns: readonly Insn[], only: Uint8Array, entry: number): Map<number, { arg: 1 | 2; delta: number }> {
  const n = insns.length;
  // per slot and register: argument (0: unknown) and constant; `seen` marks slots reached
  const argOf = new Int8Array((n + 1) * 11);
  const delta = new Float64Array((n + 1) * 11);
  const seen = new Uint8Array(n + 1);
  const out = new Map<number, { arg: 1 | 2; delta: number }>();
  const cur = new Int8Array(11);
  const curD = new Float64Array(11);
  const work: number[] = [];
  const flow = (to: number) => {
    if (to < 0 || to >= n || only[to] !== 1) return;
    const o = to * 11;
    if (seen[to] === 0) {
      seen[to] = 1;
      for (let r = 0; r < 11; r++) {
        argOf[o + r] = cur[r]!;
        delta[o + r] = curD[r]!;
      }
      work.push(to);
      return;
    }
    let changed = false;
    for (let r = 0; r < 11; r++) {
      if (argOf[o + r] !== 0 && (argOf[o + r] !== cur[r] || delta[o + r] !== curD[r])) {
        argOf[o + r] = 0;
        changed = true;
      }
    }
    if (changed) work.push(to);
  };
  cur[1] = 1;
  cur[2] = 2;
  flow(entry);
  while (work.length > 0) {
    const pc = work.pop()!;
    const o = pc * 11;
    for (let r = 0; r < 11; r++) {
      cur[r] = argOf[o + r]!;
      curD[r] = delta[o + r]!;
    }
    const x = insns[pc]!;
    const c = x.code & 7;
    if (x.code === LD_IMM64) {
      if (x.dst < 11) cur[x.dst] = 0;
      flow(pc + 2);
      continue;
    }
    if (c === 5 || c === 6) {
      const op = x.code & 0xf0;
      if (op === 0x90) continue; // exit
      // leafBlocks admits no calls: the rest are jumps
      const t = jumpTarget(x, pc);
      if (t !== undefined) flow(t);
      if (x.code !== 0x05 && x.code !== 0x06) flow(pc + 1);
      continue;
    }
    if (c === 1 && x.src < 11 && cur[x.src] !== 0 && ((x.code & 0xe0) === 0x60 || (x.code & 0xe0) === 0x80)) {
      // recorded at every visit; a later visit with less known replaces it (below)
      out.set(pc, { arg: cur[x.src] as 1 | 2, delta: curD[x.src]! });
    }
    if (c === 7 && x.dst < 11) {
      const op = x.code;
      if (op === 0xbf && x.off === 0 && x.src < 11) {
        cur[x.dst] = cur[x.src]!;
        curD[x.dst] = curD[x.src]!;
      } else if ((op === 0x07 || op === 0x17) && cur[x.dst] !== 0) {
        const d = curD[x.dst]! + (op === 0x07 ? x.imm | 0 : -(x.imm | 0));
        if (Math.abs(d) < 1 << 24) curD[x.dst] = d;
        else cur[x.dst] = 0;
      } else cur[x.dst] = 0;
    } else if (c === 4 || c === 1) {
      if (x.dst < 11) cur[x.dst] = 0;
    } else if (c === 0) {
      cur.fill(0); // LD_ABS / LD_IND
    } else if (c === 3 && (x.code & 0xe0) === 0xc0) {
      // atomics: a fetch writes the source register, cmpxchg r0
      cur[0] = 0;
      if (x.src < 11) cur[x.src] = 0;
    }
    flow(pc + 1);
  }
  // keep only loads whose base was the same argument plus the same constant at the fixed point
  for (const [pc, v] of out) {
    const x = insns[pc]!;
    const o = pc * 11 + x.src;
    if (x.src >= 11 || seen[pc] === 0 || argOf[o] !== v.arg || delta[o] !== v.delta) out.delete(pc);
  }
  return out;
}

/** The generated source of one program and its block starts (no `new Function` yet). With
 *  `only` (reachableFrom of a callback's entry), just the blocks a callback entered there can
 *  run: a smaller function whose dispatcher has a few arms instead of the whole program's, and
 *  whose exit from the callback's own frame writes back r0 alone (the callback's register file is
 *  pooled per depth and read only for r0 by the helper that called it; a fault still syncs every
 *  register in the catch). */
export function generate(
  insns: readonly Insn[],
  name = 'bpf',
  only?: Uint8Array,
  leafEntry?: number,
  proven?: ProvenInput,
): { source: string; blocks: Set<number>; wasm: Uint8Array[]; entryCheck: EntryCheck | undefined; narrowed: number } {
  const leaf = leafEntry !== undefined && only !== undefined;
  // Value ranges (vm/compiler/ranges.ts), sound for entries where every register is unknown and for
  // flows inside the program; the whole-program function checks any other entry against them
  // (fitsEntry, in the prologue). A leaf is entered at its entry alone, so it uses them only where
  // they assume nothing there.
  let rs: Ranges | undefined = narrowing && insns.length <= MAX_COMPILED_SLOTS ? rangesOf(insns) : undefined;
  if (rs !== undefined && leaf && !allUnknown(rs, leafEntry)) rs = undefined;
  // an entry whose state is not all unknown: the prologue checks the registers against it
  // instructions given a narrowed form (reported with the source, for tests and measurements)
  let narrowed = 0;
  const checkEntry = rs !== undefined && !leaf ? new Uint8Array(insns.length + 1).map((_, pc) => (allUnknown(rs!, pc) ? 0 : 1)) : undefined;
  // a leaf's loads through its arguments, which the caller's promise (an, bn) makes check-free
  const argAt = leaf ? argLoads(insns, only, leafEntry) : undefined;
  const safeMem = proven?.facts.safeMem;
  // map_lookup_elem sites whose map and key the block itself shows (see lookupSites)
  const sites = proven !== undefined ? lookupSites(insns) : undefined;
  // stores whose value an inline lookup takes as its key (forwarded, see lookupSites)
  const keyStores = new Set<number>();
  for (const st of sites?.values() ?? []) if (st.keyStore !== undefined && proven!.facts.safeMem[st.keyStore] === 1 && proven!.inlineMap(st.mapId) !== undefined) keyStores.add(st.keyStore);
  // A verified run without a budget counts lazily: a conditional jump adds the count only on its
  // taken edge, and the fall-through carries it on to the next point that needs it exact (a join,
  // a call, an exit). Inside a JS loop an iteration then adds once, not once per block (the count
  // is a double once it passes 2^31, and a chain of float adds is the loop's critical path).
  const lazy = proven?.unlimited === true;
  // The LD_IMM64s of r1 that feed inline lookups: their resolved value is kept in locals for the
  // generation it was resolved in (what the `pseudo` cache holds, without three typed-array reads
  // and their bounds checks per iteration of a lookup loop).
  const mapLoads = new Map<number, bigint>();
  for (const st of sites?.values() ?? []) {
    const m = proven!.inlineMap(st.mapId);
    if (m !== undefined) mapLoads.set(st.mapLoad, m.handle);
  }
  const n = insns.length;
  if (n > MAX_COMPILED_SLOTS) throw new NotCompiled(`${n} instruction slots (more than ${MAX_COMPILED_SLOTS})`);
  for (const x of insns) if (x.dst > 11 || x.src > 15) throw new NotCompiled(`register r${x.dst} out of range`);
  const L = leaders(insns);
  if (only !== undefined) for (const pc of L) if (only[pc] !== 1) L.delete(pc);
  if (leaf) L.add(leafEntry);
  // structured loops, whole-program functions only (callback entries keep the plain dispatcher)
  const regions = only === undefined ? loopRegions(insns, L) : [];
  const regionAt = new Map<number, LoopRegion>();
  for (const r of regions) for (let pc = r.head; pc <= r.end; pc++) regionAt.set(pc, r);
  // register-only loops of verified runs without a budget run as Wasm (vm/compiler/wasm.ts)
  const wasm: Uint8Array[] = [];
  const wasmAt = new Map<number, { index: number; regs: number[] }>();
  if (proven?.unlimited === true && proven.wasm !== false) {
    for (const r of regions) {
      if (!wasmEligible(insns, r)) continue;
      const regs = regionRegs(insns, r);
      wasmAt.set(r.head, { index: wasm.length, regs });
      wasm.push(wasmRegionModule(insns, r, regs));
    }
  }
  /** A jump from `from` to `to`: inside a structured loop a continue or break, else through the
   *  dispatcher. */
  const jumpTo = (from: number, to: number): string => {
    const r = regionAt.get(from);
    if (r !== undefined) {
      if (to === r.head) return `${r.entries.length > 0 ? `pc=${r.head};` : ''}continue R${r.head};`;
      if (to > from && to <= r.end) return `break F${to};`;
      if (to === r.end + 1) return `break R${r.head};`;
    }
    return `pc=${to};continue D;`;
  };
  // The interpreter keeps one range cache per direction; here each base register has its own (a
  // loop that reads the stack, the context and a map value no longer misses three times per
  // iteration). A cache only ever admits an access inside a range that was accessible when it
  // was filled, and every cache is dropped where the interpreter drops its one (after helper and
  // kfunc calls, and when a frame exits), so what runs is the same.
  const readBases = new Set<number>();
  const writeBases = new Set<number>();
  let pseudoLoads = false;
  for (let pc = 0; pc < n; pc++) {
    const x = insns[pc]!;
    // a leaf declares only what its own blocks use (it is entered ~10 times per rbtree add)
    if (leaf && only[pc] !== 1) continue;
    if (x.code === LD_IMM64) {
      if (x.src !== 0) pseudoLoads = true;
      pc++;
      continue;
    }
    const c = x.code & 7;
    const mode = x.code & 0xe0;
    if (c === 1 && (mode === 0x60 || mode === 0x80)) readBases.add(x.src);
    else if ((c === 2 || c === 3) && mode === 0x60) writeBases.add(x.dst);
  }
  // The arena's views are replaced when it grows (vm/memory.ts), which only a helper, kfunc,
  // callee or a map value's first resolution (LD_IMM64) can make happen: VIEWS reads them again
  // after those, and where the range caches are dropped.
  const VIEWS = 'if(arena.views!==views){views=arena.views;dv=arena.dv;u8=arena.u8;i8=arena.i8;u16=arena.u16;i16=arena.i16;i32=arena.i32;}';
  const RESET =
    [...readBases].map((r) => `rS${r}=rE${r}=0;`).join('') + [...writeBases].map((r) => `wS${r}=wE${r}=0;`).join('') + VIEWS;
  const CACHES =
    [...readBases].map((r) => `let rS${r}=0,rE${r}=0;`).join('') + [...writeBases].map((r) => `let wS${r}=0,wE${r}=0;`).join('');
  const out: string[] = [];
  const e = (s: string) => out.push(s);
  // per-CPU arrays' region bases by CPU, for inline lookups (constants made with the function)
  const percpuBases: string[] = [];
  // helper ids called directly (callCode's `direct`): their table entries, resolved once
  const helperIds = new Set<number>();
  // kfunc ids called (their implementations, resolved once)
  const kfuncIds = new Set<number>();
  const percpuEntry: string[] = [];
  const lo = (r: number) => `l${r}`;
  const hi = (r: number) => `h${r}`;
  // All registers back into ctx.R: before handing the run over (return), and in the function's one
  // catch, so a fault anywhere reports the registers of the moment it happened.
  let SYNC = '';
  for (let r = 0; r <= 11; r++) SYNC += `R[${2 * r}]=l${r};R[${2 * r + 1}]=h${r};`;
  // What helpers and kfuncs read (their arguments, and callbacks' function handles): r1..r5.
  let ARGS = '';
  for (let r = 1; r <= 5; r++) ARGS += `R[${2 * r}]=l${r};R[${2 * r + 1}]=h${r};`;
  const AT = (pc: number) => `run.pc=${pc};run.prog=prog;`;

  // Instructions counted since the current segment began (LD_IMM64 counts once).
  let seg = 0;
  const flushCount = () => {
    if (seg > 0) e(`count+=${seg};`);
    seg = 0;
  };
  // a verified run without a budget (the kernel has none) gets a variant with no checks at all;
  // the count itself stays exact (runs report it)
  const budget = (pc: number) => (proven?.unlimited === true ? '' : `if(count>limit){${AT(pc)}throw K.budgetFault(limit);}`);

  // The interpreter's address arithmetic; with the offset's sign known, only one carry can happen.
  const memAddr = (base: number, off: number) =>
    off === 0
      ? `let a=l${base}>>>0;let ah=h${base};`
      : off > 0
        ? `let a=(l${base}>>>0)+${off};let ah=h${base};if(a>=${TWO32}){a-=${TWO32};ah=(ah+1)|0;}`
        : `let a=(l${base}>>>0)${off};let ah=h${base};if(a<0){a+=${TWO32};ah=(ah-1)|0;}`;

  const faults = staticFaults(insns);
  for (let pc = 0; pc < n; pc++) {
    const x = insns[pc]!;
    {
      const r = regionAt.get(pc - 1);
      // the loop's last instruction did not jump back: leave the loop into what follows it
      if (r !== undefined && pc - 1 === r.end && !wasmAt.has(r.head)) {
        flushCount();
        e(`break R${r.head};}`);
      }
    }
    const w = wasmAt.get(pc);
    if (w !== undefined) {
      // the whole loop in one Wasm call: registers through its memory, the count it ran added
      const r = regionAt.get(pc)!;
      flushCount();
      e(
        `case ${pc}:{const W=WL[${w.index}].W;${w.regs.map((g) => `W[${2 * g}]=l${g};W[${2 * g + 1}]=h${g};`).join('')}WL[${w.index}].run();` +
          `${w.regs.map((g) => `l${g}=W[${2 * g}];h${g}=W[${2 * g + 1}];`).join('')}count+=(W[${COUNT_SLOT}]>>>0)+W[${COUNT_SLOT + 1}]*${TWO32};}`,
      );
      pc = r.end;
      seg = 0;
      continue;
    }
    if (only !== undefined && only[pc] !== 1) {
      // not reachable from the entry: the slot before ended its block without falling through
      seg = 0;
      continue;
    }
    if (L.has(pc)) {
      const r = regionAt.get(pc);
      if (!(lazy && r !== undefined && pc !== r.head && !r.targets.has(pc))) flushCount();
      if (r !== undefined && pc === r.head) {
        // a structured loop (see loopRegions): entered from the dispatcher at its head or at one of
        // its entries, then iterating without it; forward jumps inside are breaks out of labelled
        // blocks that all open here (so they nest whatever the jumps), back edges `continue`
        e(`${[r.head, ...r.entries].map((x) => `case ${x}:`).join('')}R${r.head}:for(;;){`);
        for (const k of [...r.targets].sort((a, b) => b - a)) e(`F${k}:{`);
        for (const x of r.entries) e(`if(pc===${x})break F${x};`);
      } else if (r !== undefined) {
        if (r.targets.has(pc)) e('}');
      } else e(`case ${pc}:`);
    }
    const op = x.code;
    const D = x.dst;
    const S = x.src;
    const dl = lo(D);
    const dh = hi(D);
    const imm = x.imm | 0;
    const immH = imm >> 31;
    const off = x.off;
    seg++;
    const fault = faults.get(pc);
    if (fault !== undefined) {
      // a write to r10 or an access outside the frame: faults whenever it runs (vm/decode.ts)
      e(`${AT(pc)}throw new K.FaultSignal(${JSON.stringify(fault)});`);
      if (op === LD_IMM64) pc++;
      continue;
    }
    const cls = op & 7;
    // ---- ALU64 / ALU -------------------------------------------------------------------------
    if (cls === 7 || cls === 4) {
      const isX = (op & 8) !== 0;
      const bl = isX ? lo(S) : lit(imm);
      const bh = isX ? hi(S) : lit(immH);
      const aop = op & 0xf0;
      const narrow = cls === 7 && rs !== undefined ? narrowAlu64(rs, pc, x, dl, dh, bl) : undefined;
      if (narrow !== undefined) narrowed++;
      const body = narrow ?? (cls === 7 ? alu64(aop, op, dl, dh, bl, bh, isX, imm, off) : alu32(aop, op, dl, dh, bl, isX, imm, off));
      if (body === undefined) {
        e(`${AT(pc)}throw new K.FaultSignal('unknown opcode 0x${op.toString(16).padStart(2, '0')}');`);
      } else e(`{${body}}`);
      continue;
    }
    // ---- JMP / JMP32 ---------------------------------------------------------------------------
    if (cls === 5 || cls === 6) {
      const jop = op & 0xf0;
      if (op === 0x85 || op === 0x8d) {
        const k = seg;
        seg = 0;
        // an inline lookup cannot fault: only the budget check (which records its pc) is needed
        const inline = x.code === 0x85 && x.src === 0 && x.imm === 1 && sites?.has(pc) === true && proven!.inlineMap(sites.get(pc)!.mapId) !== undefined;
        if (inline && lazy) {
          // nothing observes the count at an inline lookup: it stays pending
          seg = k;
          e(callCode(pc, x, insns));
          continue;
        }
        e(`count+=${k};${inline ? '' : AT(pc)}${budget(pc)}`);
        e(callCode(pc, x, insns));
        continue;
      }
      if (op === 0x95) {
        const k = seg;
        seg = 0;
        e(`count+=${k};${budget(pc)}`);
        e(exitCode(pc));
        continue;
      }
      if (op === 0xe5) {
        const k = seg;
        seg = 0;
        e(`count+=${k};${budget(pc)}`);
        e(`{const left=run.loopBudget[run.depth];if(left===0){${jumpTo(pc, pc + off + 1)}}run.loopBudget[run.depth]=left-1;}`);
        continue;
      }
      if (op === 0x05 || op === 0x06) {
        const k = seg;
        seg = 0;
        e(`count+=${k};${budget(pc)}${jumpTo(pc, op === 0x05 ? pc + off + 1 : pc + imm + 1)}`);
        continue;
      }
      const narrowC = cls === 5 && rs !== undefined ? narrowCond64(rs, pc, x, dl) : undefined;
      if (narrowC !== undefined) narrowed++;
      const cond = cls === 5 ? (narrowC ?? cond64(jop, dl, dh, op & 8 ? lo(S) : lit(imm), op & 8 ? hi(S) : lit(immH))) : cond32(jop, dl, op & 8 ? lo(S) : lit(imm));
      if (cond === undefined) {
        e(`${AT(pc)}throw new K.FaultSignal('unknown opcode 0x${op.toString(16).padStart(2, '0')}');`);
        continue;
      }
      const k = seg;
      if (lazy) {
        // the count is added on the taken edge; the fall-through carries it (seg stays k)
        e(`if(${cond}){count+=${k};${jumpTo(pc, pc + off + 1)}}`);
        continue;
      }
      seg = 0;
      // operands are read before the count check in the interpreter; nothing observable differs
      e(`count+=${k};${budget(pc)}if(${cond}){${jumpTo(pc, pc + off + 1)}}`);
      continue;
    }
    // ---- LD --------------------------------------------------------------------------------------
    if (op === LD_IMM64) {
      const hiWord = insns[pc + 1]!.imm | 0;
      if (S === 0) e(`${dl}=${lit(imm)};${dh}=${lit(hiWord)};`);
      else {
        // the interpreter's resolved-value cache (made in the prologue, so its field never changes
        // type under optimised code), read inline; filled by the interpreter
        const resolve =
          `{if(pseudo[${pc * 3}]===gen){${dl}=pseudo[${pc * 3 + 1}];${dh}=pseudo[${pc * 3 + 2}];}` +
          `else{${AT(pc)}vm.loadImm64Pseudo(run,decoded,${pc},${S},${imm},${hiWord},R,${2 * D});${dl}=R[${2 * D}];${dh}=R[${2 * D + 1}];${VIEWS}}}`;
        const handle = mapLoads.get(pc);
        if (handle !== undefined) {
          // the handle of the map the inline lookup was compiled for, as constants: valid while
          // the generation it was resolved in lasts and it resolved to that same handle
          const hl = Number(BigInt.asIntN(32, handle));
          const hh = Number(BigInt.asIntN(32, handle >> 32n));
          e(`if(mg${pc}===gen){${dl}=${lit(hl)};${dh}=${lit(hh)};}else{${resolve}if(${dl}===${lit(hl)}&&${dh}===${lit(hh)})mg${pc}=gen;}`);
        } else e(resolve);
      }
      pc++;
      continue;
    }
    if (cls === 0) {
      const mode = op & 0xe0;
      if (mode === 0x20 || mode === 0x40) {
        const size = (op & 0x18) === 0 ? 4 : (op & 0x18) === 8 ? 2 : 1;
        const k = seg;
        e(
          `{let offset=${lit(imm)};` +
            (mode === 0x40 ? `offset=(offset+${lo(S)})|0;` : '') +
            `const pkt=run.req.packet;if(pkt===undefined){${AT(pc)}throw new K.FaultSignal('LD_ABS/LD_IND without packet data');}` +
            `const a=offset>=0?pkt.start+offset:K.packetNegative(pkt,offset);` +
            // out of the packet: exit with r0 = 0 (from a subprogram to its caller), as EXIT does
            `if(a<0||a+${size}>pkt.end){l0=0;h0=0;count+=${k};${exitCode(pc)}}` +
            `l0=${size === 4 ? 'dv.getInt32(a,false)' : size === 2 ? 'dv.getUint16(a,false)' : 'u8[a]'};h0=0;}`,
        );
        continue;
      }
      e(`${AT(pc)}throw new K.FaultSignal('unknown opcode 0x${op.toString(16).padStart(2, '0')}');`);
      continue;
    }
    // ---- LDX -------------------------------------------------------------------------------------
    if (cls === 1) {
      const mode = op & 0xe0;
      const sz = op & 0x18;
      const size = sz === 0 ? 4 : sz === 8 ? 2 : sz === 0x10 ? 1 : 8;
      if (mode !== 0x60 && mode !== 0x80) {
        e(`${AT(pc)}throw new K.FaultSignal('unknown opcode 0x${op.toString(16).padStart(2, '0')}');`);
        continue;
      }
      const sx = mode === 0x80;
      let fast: string;
      let slow: string;
      if (size === 8) {
        fast = `if((a&3)===0){${dl}=i32[a>>>2];${dh}=i32[(a>>>2)+1];}else{${dl}=dv.getInt32(a,true);${dh}=dv.getInt32(a+4,true);}`;
        slow = `${dl}=tmp[0];${dh}=tmp[1];`;
      } else if (size === 4) {
        fast = `${dl}=(a&3)===0?i32[a>>>2]:dv.getInt32(a,true);${dh}=${sx ? `${dl}>>31` : '0'};`;
        slow = `${dl}=tmp[0];${dh}=${sx ? `${dl}>>31` : '0'};`;
      } else if (size === 2) {
        fast = sx ? `${dl}=(a&1)===0?i16[a>>>1]:dv.getInt16(a,true);${dh}=${dl}>>31;` : `${dl}=(a&1)===0?u16[a>>>1]:dv.getUint16(a,true);${dh}=0;`;
        slow = sx ? `${dl}=(tmp[0]<<16)>>16;${dh}=${dl}>>31;` : `${dl}=tmp[0];${dh}=0;`;
      } else {
        fast = sx ? `${dl}=i8[a];${dh}=${dl}>>31;` : `${dl}=u8[a];${dh}=0;`;
        slow = sx ? `${dl}=(tmp[0]<<24)>>24;${dh}=${dl}>>31;` : `${dl}=tmp[0];${dh}=0;`;
      }
      if (safeMem?.[pc] === 1) {
        // proven inside a stack frame or map value: the address is the register's low word plus
        // the offset (an arena address has a zero high word), no range check can fail; off r10
        // (frames are 512-aligned) the alignment is the offset's, known here
        if (S === 10 && size > 1 && (off & (Math.min(size, 4) - 1)) === 0) {
          fast =
            size === 8
              ? `${dl}=i32[a>>>2];${dh}=i32[(a>>>2)+1];`
              : size === 4
                ? `${dl}=i32[a>>>2];${dh}=${sx ? `${dl}>>31` : '0'};`
                : sx
                  ? `${dl}=i16[a>>>1];${dh}=${dl}>>31;`
                  : `${dl}=u16[a>>>1];${dh}=0;`;
        }
        e(`{const a=(${lo(S)}+${off})>>>0;${fast}}`);
        continue;
      }
      // through a leaf's argument inside the bytes its caller promised (argLoads): no check
      const arg = argAt?.get(pc);
      const promised =
        arg !== undefined && arg.delta + off >= 0
          ? `if(${arg.delta + off + size}<=${arg.arg === 1 ? 'an' : 'bn'}){const a=(${lo(S)}+${off})>>>0;${fast}break L;}`
          : '';
      e(
        `L:{${promised}${memAddr(S, off)}if(ah!==0||a<rS${S}||a+${size}>rE${S}){if(ah===0&&arena.accessRange(a,false,rng)&&a+${size}<=rng[1]){rS${S}=rng[0];rE${S}=rng[1];}` +
          `else{${AT(pc)}vm.loadSlow(run,${pc},ah,a,${size});${slow}break L;}}${fast}}`,
      );
      continue;
    }
    // ---- ST / STX --------------------------------------------------------------------------------
    if (cls === 2 || cls === 3) {
      const mode = op & 0xe0;
      const sz = op & 0x18;
      const size = sz === 0 ? 4 : sz === 8 ? 2 : sz === 0x10 ? 1 : 8;
      if (cls === 3 && mode === 0xc0 && (size === 4 || size === 8)) {
        e(`${AT(pc)}R[${2 * D}]=${dl};R[${2 * D + 1}]=${dh};R[${2 * S}]=${lo(S)};R[${2 * S + 1}]=${hi(S)};R[0]=l0;R[1]=h0;vm.atomic(${pc},${op},R,${2 * D},${2 * S},${off},${imm});l0=R[0];h0=R[1];${lo(S)}=R[${2 * S}];${hi(S)}=R[${2 * S + 1}];`);
        continue;
      }
      if (mode !== 0x60) {
        e(`${AT(pc)}throw new K.FaultSignal('unknown opcode 0x${op.toString(16).padStart(2, '0')}');`);
        continue;
      }
      const vl = cls === 2 ? lit(imm) : lo(S);
      const vh = cls === 2 ? lit(immH) : hi(S);
      let st: string;
      if (size === 8) st = `if((a&3)===0){i32[a>>>2]=${vl};i32[(a>>>2)+1]=${vh};}else{dv.setInt32(a,${vl},true);dv.setInt32(a+4,${vh},true);}`;
      else if (size === 4) st = `if((a&3)===0)i32[a>>>2]=${vl};else dv.setInt32(a,${vl},true);`;
      else if (size === 2) st = `if((a&1)===0)u16[a>>>1]=${vl};else dv.setUint16(a,${vl},true);`;
      else st = `u8[a]=${vl};`;
      if (safeMem?.[pc] === 1) {
        if (D === 10 && size > 1 && (off & (Math.min(size, 4) - 1)) === 0)
          st = size === 8 ? `i32[a>>>2]=${vl};i32[(a>>>2)+1]=${vh};` : size === 4 ? `i32[a>>>2]=${vl};` : `u16[a>>>1]=${vl};`;
        e(`{const a=(${lo(D)}+${off})>>>0;${st}}${keyStores.has(pc) ? `ks${pc}=${vl};` : ''}`);
        continue;
      }
      e(
        `S:{${memAddr(D, off)}if(ah!==0||a<wS${D}||a+${size}>wE${D}){if(ah===0&&arena.accessRange(a,true,rng)&&a+${size}<=rng[1]){wS${D}=rng[0];wE${D}=rng[1];}` +
          `else if(ah!==0||!arena.canAccess(a,${size},true)){${AT(pc)}if(vm.storeSlow(ah,a,${size}))break S;}}${st}}`,
      );
      continue;
    }
    e(`${AT(pc)}throw new K.FaultSignal('unknown opcode 0x${op.toString(16).padStart(2, '0')}');`);
  }
  {
    const r = regionAt.get(n - 1);
    if (r !== undefined && r.end === n - 1 && !wasmAt.has(r.head)) {
      flushCount();
      e(`break R${r.head};}`);
    }
  }
  // running past the last slot: the interpreter's sentinel arm
  e(`${AT(n)}throw new K.FaultSignal('fell off the end of the program (no exit)');`);

  /** EXIT at pc (count already includes it): end the run at the base depth, else return to the
   *  caller's frame. */
  function exitCode(pc: number): string {
    // a leaf callback has no callee frames: every exit leaves the callback
    if (leaf) return `run.lastPc=${pc};run.insnCount=count;R[0]=l0;R[1]=h0;return R;`;
    return (
      `if(run.depth===baseDepth){run.lastPc=${pc};run.insnCount=count;${only !== undefined ? 'R[0]=l0;R[1]=h0;' : SYNC}return 0;}` +
      `run.depth--;vm.setStackLow(run);${RESET}{const o=run.depth*10;` +
      `l6=sv[o];h6=sv[o+1];l7=sv[o+2];h7=sv[o+3];l8=sv[o+4];h8=sv[o+5];l9=sv[o+6];h9=sv[o+7];l10=sv[o+8];h10=sv[o+9];` +
      `const back=run.retProg[run.depth];pc=run.retPc[run.depth];` +
      `if(back!==prog){${SYNC}run.insnCount=count;run.nextProg=back;run.nextPc=pc;return 1;}}continue D;`
    );
  }

  function callCode(pc: number, x: Insn, all: readonly Insn[]): string {
    // a helper may have destroyed a map (the resolved LD_IMM64 values' generation moves)
    const after = `count=run.insnCount;l0=R[0];h0=R[1];${RESET}gen=vm.resolvedGen;` +
      `if(run.pendingTail!==undefined){const t=run.pendingTail;run.pendingTail=undefined;run.loopBudget[run.depth]=${BPF_MAX_LOOPS};` +
      `${SYNC}run.insnCount=count;run.nextProg=t;run.nextPc=0;return 1;}`;
    const helper = (id: string) => `${ARGS}run.insnCount=count;vm.callHelper(run,ctx,prog,decoded,${pc},${id},R);${after}`;
    // A helper call whose id is constant: the table entry, resolved when the function was made
    // (HEn and its impl HIn, see the prologue), is called at this site, which V8 then sees calling one function
    // (Interpreter.callHelper's `impl(ctx)` calls every helper, and inlines none). What runs is
    // callHelper's and invokeAt's code; an unknown helper, or a GPL-only one from a program that
    // is not GPL, takes callHelper, which faults. (callHelper's refusal of a call the verifier
    // refuses, Program.refusedCalls, is never needed here: unverified runs of such a program are
    // interpreted, and an accepted program cannot reach such a call.)
    const invoke = (impl: string) =>
      `ctx.prog=prog;ctx.decoded=decoded;ctx.pc=${pc};run.contextsUsed=true;` +
      `try{const v=${impl}(ctx);if(run.leafOpen)vm.closeLeaf(run);if(typeof v==='number'&&v>>>0===v){R[0]=v;R[1]=0;}else K.setR0(R,v);}` +
      `catch(e){vm.closeLeaf(run);run.pc=${pc};run.prog=prog;throw e;}`;
    const direct = (id: number) => {
      const H = `HE${id >>> 0}`;
      helperIds.add(id);
      return `${ARGS}run.insnCount=count;if(${H}!==undefined&&(run.gpl||!${H}.gplOnly)){${invoke(`HI${id >>> 0}`)}}else vm.callHelper(run,ctx,prog,decoded,${pc},${id},R);${after}`;
    };
    const local = (target: string) =>
      // the depth limit is enterFrame's (one home): it throws before the callee runs, and what is
      // saved here first is never read after a fault
      `{const depth=run.depth;const o=depth*10;sv[o]=l6;sv[o+1]=h6;sv[o+2]=l7;sv[o+3]=h7;sv[o+4]=l8;sv[o+5]=h8;sv[o+6]=l9;sv[o+7]=h9;sv[o+8]=l10;sv[o+9]=h10;` +
      `run.retPc[depth]=${pc + 1};run.retProg[depth]=prog;vm.enterFrame(run,R);l10=R[20];h10=R[21];pc=${target};continue D;}`;
    if (x.code === 0x8d) {
      const r = x.dst !== 0 ? x.dst : x.imm;
      return (
        `{let target=-1;let hid=${imm32(x.imm)};` +
        `if(h${r}===K.FUNC_TAG)target=l${r}>>>0;else if(run.req.callxHelpers&&h${r}===0)hid=l${r};` +
        `else{throw new K.FaultSignal('callx r${r}: 0x'+K.toU64(l${r},h${r}).toString(16)+' is not a function handle');}` +
        `if(target>=0){if(target>=${all.length}||decoded.code[target-1]===${LD_IMM64}){throw new K.FaultSignal('call to pc '+target+', outside the program or not an instruction');}` +
        local('target') +
        `}${helper('hid')}}`
      );
    }
    if (x.src === 1) return local(`${pc + x.imm + 1}`);
    if (x.src === 2) {
      // the interpreter's kfunc path: the run's own hook, else the kfunc table (helpers/kfuncs.ts),
      // whose entry is resolved when the function is made (KFn, as HEn for helpers); a run with its
      // own hook, or an id the table has no implementation for, takes callKfunc
      const id = x.imm | 0;
      const F = `KF${id >>> 0}`;
      kfuncIds.add(id);
      return (
        `${ARGS}run.insnCount=count;if(${F}!==undefined&&run.req.kfunc===undefined){${invoke(F)}}else vm.callKfunc(run,ctx,prog,decoded,${pc},${imm32(x.imm)},R);` +
        `count=run.insnCount;l0=R[0];h0=R[1];${RESET}gen=vm.resolvedGen;`
      );
    }
    const site = x.imm === 1 ? sites?.get(pc) : undefined;
    const known = site !== undefined ? proven!.inlineMap(site.mapId) : undefined;
    if (known !== undefined) {
      // the verifier's facts and the block: r1 is this array map (the LD_IMM64 before the call
      // in the same block, which faults if the map is gone), r2 = r10 + off with the key proven
      // inside the stack. The kernel's array_map_gen_lookup / percpu_array_map_gen_lookup:
      // index < max_entries ? base (this CPU's) + index * stride : NULL, all constants here
      const kOff = site!.keyOff;
      const idx =
        site!.keyStore !== undefined && keyStores.has(site!.keyStore)
          ? `const idx=ks${site!.keyStore}>>>0;`
          : `const k=(l10+${kOff})>>>0;const idx=(k&3)===0?i32[k>>>2]>>>0:dv.getUint32(k,true);`;
      // per-CPU: this CPU's base, read once per entry (a run's CPU never changes)
      const base = known.kind === 'array' ? `${known.base}` : `pb${pc}`;
      if (known.kind === 'percpu') {
        percpuBases.push(`const PB${pc}=[${known.bases.join(',')}];`);
        percpuEntry.push(`const pb${pc}=PB${pc}[run.req.cpu];`);
      }
      return `{${idx}l0=idx<${known.maxEntries}?(${base}+idx*${known.stride})|0:0;h0=0;}`;
    }
    if (x.imm === 1) {
      // map_lookup_elem on a plain array map, inline (the kernel inlines it too); anything else,
      // including a key the helper would fault on, takes the helper call
      return (
        `H:{if(h1===K.MAP_TAG&&h2===0&&env.inlineArrayMap!==undefined){const m=env.inlineArrayMap(l1>>>0);const k=l2>>>0;` +
        `if(m!==undefined&&arena.canAccess(k,4,false)){const idx=(k&3)===0?i32[k>>>2]>>>0:dv.getUint32(k,true);l0=idx<m.maxEntries?(m.base+idx*m.stride)|0:0;h0=0;break H;}}` +
        // other maps (hash, LRU, per-CPU, ...): the map's own lookupElem, which is all the helper
        // does for them, without the helper table, registers synced first since it may fault
        `if(h1===K.MAP_TAG&&h2===0&&env.directLookupMap!==undefined){const m=env.directLookupMap(l1>>>0);` +
        `if(m!==undefined&&m.lookupElemHandle===undefined){K.setR0(R,m.lookupElem(l2>>>0,run.req.cpu));l0=R[0];h0=R[1];${RESET}break H;}}` +
        `${helper('1')}}`
      );
    }
    return direct(x.imm | 0); // the interpreter reads imm as int32 (an unsigned imm is the same bits)
  }

  // The interpreter's env and its arena never change (readonly, and the compiled code is cached
  // per interpreter): read once when the function is made, not per call (a callback is entered
  // ~10 times per rbtree operation); the arena's views only when `arena.views` moved (VIEWS).
  const prologue =
    `"use strict";${percpuBases.join('')}${[...helperIds].map((id) => `const HE${id >>> 0}=vm.env.helper(${id}),HI${id >>> 0}=HE${id >>> 0}?.impl;`).join('')}${[...kfuncIds].map((id) => `const KF${id >>> 0}=vm.env.kfunc?.(${id})?.impl;`).join('')}const env=vm.env;const arena=env.arena;const rng=vm.rng;const tmp=vm.tmp;let views=arena.views;let dv=arena.dv;let u8=arena.u8;let i8=arena.i8;` +
    `let u16=arena.u16;let i16=arena.i16;let i32=arena.i32;` +
    (leaf
      ? // a leaf callback (leafBlocks): r1, r2 and r10 given, every other register 0, as
        // Interpreter.invoke2 and enterFrame set them; r0 is returned in R[0..1]. Its range caches
        // outlive a call: the comparator calls of one tree walk share one frame entry
        // (Interpreter.runLeaf), during which nothing allocates, frees, protects or moves memory
        // (every way to the arena closes the frame first), so a range admitted by one call is
        // still accessible in the next, and the arena's views stay; a new entry drops the caches
        // and reads the views again (`reset`, called by runLeaf), as the interpreter's cache is
        // dropped between helper calls. (Doing that here, behind a check per call, cost a third
        // of the function's time: V8 then reloads every view at each access.)
        CACHES +
        `const fn=function ${safeName(name)}(run,R,a,b,fp,an,bn){` +
        `const limit=run.limit;${pseudoLoads ? 'const pseudo=decoded.pseudo??(decoded.pseudo=new Int32Array(decoded.length*3));let gen=vm.resolvedGen;' : ''}let count=run.insnCount;` +
        Array.from({ length: 12 }, (_, r) => `let l${r}=${r === 1 ? 'a' : r === 2 ? 'b' : r === 10 ? 'fp' : '0'},h${r}=0;`).join('') +
        `let pc=${leafEntry};`
      : `return function ${safeName(name)}(run,ctx,entry,baseDepth){` +
        `const R=ctx.R;const sv=run.saved;const limit=run.limit;const pseudo=decoded.pseudo??(decoded.pseudo=new Int32Array(decoded.length*3));let gen=vm.resolvedGen;let count=run.insnCount;${VIEWS}` +
        CACHES +
        [...keyStores].map((pc) => `let ks${pc}=0;`).join('') +
        [...mapLoads.keys()].map((pc) => `let mg${pc}=-1;`).join('') +
        percpuEntry.join('') +
        Array.from({ length: 12 }, (_, r) => `let l${r}=R[${2 * r}]|0,h${r}=R[${2 * r + 1}]|0;`).join('') +
        `let pc=entry;` +
        // an entry the range analysis did not start from (a return address after another program's
        // exit, a handle an unverified program made up): the interpreter runs it unless the registers
        // are inside the ranges the code there was narrowed for
        (checkEntry !== undefined ? `if(EC.need[entry]===1&&!EC.fits(entry,R)){run.nextPc=entry;return 2;}` : '')) +
    `try{D:for(;;){switch(pc){`;
  // leafBlocks guarantees every jump lands on a block of the callback: the default arm is dead there
  const epilogue = leaf
    ? `default:throw new Error('leaf callback: no block at pc '+pc);}}}catch(e){${SYNC}throw e;}};return{fn,reset(){${RESET}}};`
    : `default:${SYNC}run.insnCount=count;run.nextProg=prog;run.nextPc=pc;return 2;}}}catch(e){${SYNC}throw e;}}`;
  const blocks = new Set(L);
  for (const r of regions) for (let pc = r.head + 1; pc <= r.end; pc++) if (!r.entries.includes(pc)) blocks.delete(pc);
  const entryCheck =
    checkEntry !== undefined ? { need: checkEntry, fits: (pc: number, R: Int32Array) => fitsEntry(rs!, pc, R) } : undefined;
  return { source: prologue + out.join('\n') + '\n' + epilogue, blocks, wasm, entryCheck, narrowed };
}

/** What the generated whole-program function checks an entry with (its factory's `EC`): `need`
 *  marks the slots whose range state assumes something, `fits` tests the registers against it. */
export interface EntryCheck {
  readonly need: Uint8Array;
  readonly fits: (pc: number, R: Int32Array) => boolean;
}

/** Generate and bind one program: `vm` is the interpreter, `prog`/`decoded` the program as it
 *  decoded it. Throws NotCompiled for what the compiler leaves to the interpreter. */
/** A compiled leaf callback (leafBlocks): runs the callback with r1 = a, r2 = b (both u32),
 *  r10 = fp and every other register 0, and returns `R` with r0 in R[0..1]. Faults throw with
 *  run.pc/run.prog set and every register synced into `R`, as the whole-program function does.
 *  `an`/`bn`: how many bytes from a / b the caller promises are live and readable for the call
 *  (0: none); the loads argLoads finds inside them skip their range check. */
export type LeafFn = (run: unknown, R: Int32Array, a: number, b: number, fp: number, an: number, bn: number) => Int32Array;

/** Generate and bind the leaf function of the callback at `entry` (`only`: leafBlocks' answer). */
export function compileLeaf(original: readonly Insn[], name: string, vm: unknown, prog: unknown, decoded: unknown, kit: CompilerKit, only: Uint8Array, entry: number): CompiledLeaf {
  const t0 = nowMs();
  // load-acquire / store-release compile as the plain access the interpreter runs (vm/decode.ts)
  const insns = withPlainAccesses(original);
  const { source } = generate(insns, name, only, entry);
  const factory = new Function('vm', 'prog', 'decoded', 'K', source) as (vm: unknown, prog: unknown, decoded: unknown, K: CompilerKit) => { fn: LeafFn; reset: () => void };
  let stores = false;
  let mayGoto = false;
  for (let pc = 0; pc < insns.length; pc++) {
    const x = insns[pc]!;
    if (only[pc] === 1 && x.code !== LD_IMM64 && ((x.code & 7) === 2 || (x.code & 7) === 3)) stores = true;
    if (only[pc] === 1 && x.code === 0xe5) mayGoto = true;
    if (x.code === LD_IMM64) pc++;
  }
  const { fn, reset } = factory(vm, prog, decoded, kit);
  return { fn, reset, stores, mayGoto, compileMs: nowMs() - t0 };
}

export interface CompiledLeaf {
  readonly fn: LeafFn;
  /** At each entry of the callback's frame, before its first call there: drops the range caches
   *  the calls of the previous entry filled and reads the arena's views again. */
  readonly reset: () => void;
  /** Whether the callback has a store or atomic (else it never writes memory, its frame included). */
  readonly stores: boolean;
  /** Whether the callback has a may_goto (else its frame's loop budget is never read). */
  readonly mayGoto: boolean;
  readonly compileMs: number;
}

export function compileProgram(original: readonly Insn[], name: string, vm: unknown, prog: unknown, decoded: unknown, kit: CompilerKit, only?: Uint8Array, proven?: ProvenInput): CompiledProgram {
  const t0 = nowMs();
  // load-acquire / store-release compile as the plain access the interpreter runs (vm/decode.ts)
  const insns = withPlainAccesses(original);
  let g = generate(insns, name, only, undefined, proven);
  let loops: WasmLoop[] = [];
  if (g.wasm.length > 0) {
    const made = g.wasm.map(instantiateRegion);
    if (made.every((m) => m !== undefined)) loops = made as WasmLoop[];
    else g = generate(insns, name, only, undefined, { ...proven!, wasm: false }); // no Wasm here: the JS loops
  }
  const { source, blocks: starts, entryCheck } = g;
  const blocks = new Uint8Array(insns.length + 1);
  for (const pc of starts) blocks[pc] = 1;
  const factory = new Function('vm', 'prog', 'decoded', 'K', 'WL', 'EC', source) as (
    vm: unknown,
    prog: unknown,
    decoded: unknown,
    K: CompilerKit,
    WL: WasmLoop[],
    EC: EntryCheck | undefined,
  ) => CompiledFn;
  const fn = factory(vm, prog, decoded, kit, loops, entryCheck);
  return { fn, blocks, sourceChars: source.length, compileMs: nowMs() - t0 };
}

/** An innermost loop compiled as a JS loop: the slots head..end, end being its last back edge. */
interface LoopRegion {
  head: number;
  end: number;
  /** Block starts after the head that jumps from outside the loop enter (clang's rotated loops
   *  are entered in the middle): at most two, each tested once per iteration. */
  entries: number[];
  /** Block starts inside the loop that forward jumps inside it (or entries) go to. */
  targets: Set<number>;
}

function jumpTarget(x: Insn, pc: number): number | undefined {
  if (x.code === LD_IMM64 || !isJmp(x.code)) return undefined;
  const op = x.code & 0xf0;
  if (op === 0x80 || op === 0x90) return undefined;
  return x.code === 0x06 ? pc + x.imm + 1 : pc + x.off + 1;
}

/** The loops that can be JS loops: a backward jump to `head` from `end`, where every backward jump
 *  inside goes to `head` (innermost loops only), nothing inside is a function or call (a return
 *  address or callback entry must stay a dispatcher arm), and jumps from outside land on the head
 *  or on at most two other block starts. Regions do not overlap. */
function loopRegions(insns: readonly Insn[], L: ReadonlySet<number>): LoopRegion[] {
  const n = insns.length;
  const lastBack = new Map<number, number>();
  for (let pc = 0; pc < n; pc++) {
    const x = insns[pc]!;
    if (x.code === LD_IMM64) {
      pc++;
      continue;
    }
    const t = jumpTarget(x, pc);
    if (t !== undefined && t <= pc && t >= 0 && L.has(t)) lastBack.set(t, Math.max(lastBack.get(t) ?? -1, pc));
  }
  const out: LoopRegion[] = [];
  let after = -1;
  for (const [head, end] of [...lastBack].sort((a, b) => a[0] - b[0])) {
    if (head <= after) continue;
    let ok = true;
    const targets = new Set<number>();
    const entries = new Set<number>();
    for (let pc = 0; pc < n && ok; pc++) {
      const x = insns[pc]!;
      const inside = pc >= head && pc <= end;
      if (x.code === LD_IMM64) {
        // a function pointer (src 4) to a slot of the loop would make it a callback entry
        if (x.src === 4 && pc + x.imm + 1 >= head && pc + x.imm + 1 <= end) ok = false;
        pc++;
        continue;
      }
      if (inside && (x.code === 0x8d || (x.code === 0x85 && x.src === 1))) ok = false;
      if (x.code === 0x85 && x.src === 1 && pc + x.imm + 1 >= head && pc + x.imm + 1 <= end) ok = false;
      const t = jumpTarget(x, pc);
      if (t === undefined) continue;
      if (inside) {
        if (t <= pc && t !== head) ok = false;
        else if (t > pc && t <= end) targets.add(t);
      } else if (t > head && t <= end) entries.add(t);
    }
    if (!ok || entries.size > 2) continue;
    for (const x of entries) targets.add(x);
    out.push({ head, end, entries: [...entries].sort((a, b) => a - b), targets });
    after = end;
  }
  return out;
}

/** A map the compiled code may look up inline, with what its lookup computes (constants). */
export type InlineMap =
  | { kind: 'array'; base: number; stride: number; maxEntries: number; handle: bigint }
  | { kind: 'percpu'; bases: readonly number[]; stride: number; maxEntries: number; handle: bigint };

/** What a compilation for verified runs is given: the verifier's facts about these instructions,
 *  and the maps whose lookups it may inline (by runtime map id). */
export interface ProvenInput {
  facts: ProvenFacts;
  /** For runs with no instruction budget (run.limit Infinity): no budget checks are generated. */
  unlimited?: boolean;
  /** Register-only loops as Wasm (unlimited runs only); false to keep them in JS. */
  wasm?: boolean;
  inlineMap(id: number): InlineMap | undefined;
}

/** map_lookup_elem calls (by pc) whose map and key the call's own basic block shows: r1 loaded
 *  by an LD_IMM64 of a map id and r2 = r10 + off, neither changed before the call. Only a
 *  straight line is followed (a jump target or any other write forgets a register), so what is
 *  found holds on every path to the call. */
export function lookupSites(insns: readonly Insn[]): Map<number, { mapId: number; keyOff: number; keyStore?: number; mapLoad: number }> {
  const L = leaders(insns);
  const out = new Map<number, { mapId: number; keyOff: number; keyStore?: number; mapLoad: number }>();
  let map1: number | undefined;
  let map1Pc = -1;
  let fp2: number | undefined;
  // the last `*(u32 *)(r10 + off) = rS` of the block, while no other store ran: the key the call
  // reads is what rS held there (the generated store keeps a copy; the store still happens)
  let keyStore: { off: number; pc: number } | undefined;
  for (let pc = 0; pc < insns.length; pc++) {
    const x = insns[pc]!;
    if (L.has(pc)) {
      map1 = fp2 = undefined;
      keyStore = undefined;
    }
    if (x.code === LD_IMM64) {
      if (x.dst === 1) {
        map1 = x.src === 1 ? x.imm : undefined;
        map1Pc = pc;
      }
      if (x.dst === 2) fp2 = undefined;
      pc++;
      continue;
    }
    const c = x.code & 7;
    if (x.code === 0x85 && x.src === 0 && x.imm === 1 && map1 !== undefined && fp2 !== undefined)
      out.set(pc, { mapId: map1, keyOff: fp2, mapLoad: map1Pc, ...(keyStore?.off === fp2 ? { keyStore: keyStore.pc } : {}) });
    if (c === 2 || c === 3) keyStore = x.code === 0x63 && x.dst === 10 && x.src !== 10 ? { off: x.off, pc } : undefined;
    if (c === 5 || c === 6) {
      map1 = fp2 = undefined;
      continue;
    }
    // what writes a register: ALU/ALU64 and loads write dst; atomics with fetch may write src or r0
    if (c === 4 || c === 7 || c === 0 || c === 1) {
      if (x.dst === 1) map1 = undefined;
      if (x.dst === 2) {
        if (x.code === 0xbf && x.src === 10 && x.off === 0) fp2 = 0;
        else if (x.code === 0x07 && fp2 !== undefined) fp2 += x.imm | 0;
        else fp2 = undefined;
      }
    } else if (c === 3 && (x.code & 0xe0) === 0xc0) {
      map1 = fp2 = undefined;
    }
  }
  // a key must lie inside the 512-byte frame below r10 (the verifier checked it for the call)
  for (const [pc, s] of out) if (s.keyOff >= 0 || s.keyOff < -512) out.delete(pc);
  return out;
}

function imm32(v: number): string {
  return lit(v | 0);
}

/** A number literal that is safe after any operator (`a - -5` must not become `a--5`). */
function lit(v: number): string {
  return v < 0 ? `(${v})` : `${v}`;
}

/** The generated function's name (seen in profiles and stacks); always prefixed, so that a
 *  program called `prog` or `vm` cannot shadow the factory's parameters. */
function safeName(name: string): string {
  return `bpf_${name.replace(/[^A-Za-z0-9_$]/g, '_')}`;
}

// ---- ALU: the interpreter's expressions on locals ------------------------------------------------

function alu64(aop: number, op: number, dl: string, dh: string, bl: string, bh: string, isX: boolean, imm: number, off: number): string | undefined {
  const rd = `const al=${dl},ah=${dh},bl=${bl},bh=${bh};`;
  switch (aop) {
    // add and sub in int32 arithmetic only (a double sum and its compare with 2^32 cost V8 a
    // conversion each way): the low word wraps, and the carry out of it is `t <u b` (the sum
    // wrapped below an addend), the borrow `a <u b`. With an immediate, b's words are constants.
    case 0x00:
      if (!isX) return `const t=(${dl}+${bl})|0;${dl}=t;${dh}=(${dh}${imm < 0 ? '-1' : ''}+((t>>>0)<${imm >>> 0}?1:0))|0;`;
      return `${rd}const t=(al+bl)|0;${dl}=t;${dh}=(ah+bh+((t>>>0)<(bl>>>0)?1:0))|0;`;
    case 0x10:
      if (!isX) return `const al=${dl};${dl}=(al-${bl})|0;${dh}=(${dh}${imm < 0 ? '+1' : ''}-((al>>>0)<${imm >>> 0}?1:0))|0;`;
      return `${rd}${dl}=(al-bl)|0;${dh}=(ah-bh-((al>>>0)<(bl>>>0)?1:0))|0;`;
    case 0x20:
      // by a small non-negative immediate c: the low word is imul's, the high word imul(ah, c)
      // plus the high word of al*c, which is (al>>>16)*c + ((al&0xffff)*c >>> 16) shifted down 16
      // (every partial below 2^31 since c < 2^14, so V8 keeps it all in int32)
      if (!isX && imm >= 0 && imm < 1 << 14)
        return `const al=${dl};${dl}=Math.imul(al,${imm});${dh}=(Math.imul(${dh},${imm})+((((al>>>16)*${imm})+(((al&0xffff)*${imm})>>>16))>>>16))|0;`;
      return (
        `${rd}const a=al>>>0,b=bl>>>0,a0=a&0xffff,a1=a>>>16,b0=b&0xffff,b1=b>>>16,mid=a0*b1+a1*b0,low=a0*b0+(mid%65536)*65536;` +
        `${dh}=(a1*b1+Math.floor(mid/65536)+Math.floor(low/${TWO32})+Math.imul(al,bh)+Math.imul(ah,bl))|0;${dl}=low|0;`
      );
    case 0x30:
    case 0x90:
      return `${rd}K.divmod64(al,ah,bl,bh,${off === 1},${aop === 0x90},tmp);${dl}=tmp[0];${dh}=tmp[1];`;
    case 0x40:
      return `${rd}${dl}=al|bl;${dh}=ah|bh;`;
    case 0x50:
      return `${rd}${dl}=al&bl;${dh}=ah&bh;`;
    case 0xa0:
      return `${rd}${dl}=al^bl;${dh}=ah^bh;`;
    case 0x60:
    case 0x70:
    case 0xc0: {
      const shr = aop === 0x70 ? '>>>' : '>>';
      const fill = aop === 0x70 ? '0' : 'ah>>31';
      if (!isX) {
        const n = imm & 63;
        if (n === 0) return '';
        if (aop === 0x60) return n < 32 ? `const al=${dl};${dh}=(${dh}<<${n})|(al>>>${32 - n});${dl}=al<<${n};` : `${dh}=${dl}<<${n - 32};${dl}=0;`;
        return n < 32 ? `const ah=${dh};${dl}=(${dl}>>>${n})|(ah<<${32 - n});${dh}=(ah${shr}${n})|0;` : `const ah=${dh};${dl}=(ah${shr}${n - 32})|0;${dh}=${fill};`;
      }
      const body =
        aop === 0x60
          ? `if(n<32){${dh}=(${dh}<<n)|(al>>>(32-n));${dl}=al<<n;}else{${dh}=al<<(n-32);${dl}=0;}`
          : `if(n<32){${dl}=(${dl}>>>n)|(ah<<(32-n));${dh}=(ah${shr}n)|0;}else{${dl}=(ah${shr}(n-32))|0;${dh}=${fill};}`;
      return `const n=${bl}&63;if(n!==0){const al=${dl},ah=${dh};${body}}`;
    }
    case 0x80:
      return `const al=${dl};${dl}=(-al)|0;${dh}=(al===0?-${dh}:~${dh})|0;`;
    case 0xb0:
      if (!isX) return `${dl}=${lit(imm)};${dh}=${lit(imm >> 31)};`;
      if (off === 0) return `${dl}=${bl};${dh}=${bh};`;
      // addr_space_cast (imm 1: to the kernel view, the low half; 1 << 16: to the user view)
      // the verifier's per-CPU address move: this CPU's per-CPU area added (vm/isa.ts)
      if (off === -1) return `const t=(${bl}>>>0)+vm.percpuAddr(run.req.cpu);${dh}=(${bh}+(t>4294967295?1:0))|0;${dl}=t|0;`;
      if (off === 1) return imm === 1 ? `${dl}=${bl};${dh}=0;` : `const v=${bl};${dl}=v;${dh}=v===0?0:K.addrSpaceUserHi(prog);`;
      return `const v=${off === 8 ? `(${bl}<<24)>>24` : off === 16 ? `(${bl}<<16)>>16` : bl};${dl}=v;${dh}=v>>31;`;
    case 0xd0:
      if (op !== 0xd7) return undefined;
      return swap(dl, dh, imm);
  }
  return undefined;
}

// ---- narrowed ALU64 and compares: operands the range analysis bounds (vm/compiler/ranges.ts) -------
// Each form computes, for every value inside the proven ranges, the same lo/hi words as the exact
// form above (alu64, cond64); outside them it is never run, since the ranges hold on every path.

/** Range of operand B of `x` at `pc`: the source register's, or the immediate's when it is
 *  non-negative (a negative one is 2^64 - k: nothing narrow applies to it but add/sub). */
function operandRange(rs: Ranges, pc: number, x: Insn): [number, number] {
  if ((x.code & 8) !== 0) return [lower(rs, pc, x.src), upper(rs, pc, x.src)];
  const k = x.imm | 0;
  return k >= 0 ? [k, k] : [0, Infinity];
}

function narrowAlu64(rs: Ranges, pc: number, x: Insn, dl: string, dh: string, bl: string): string | undefined {
  const aop = x.code & 0xf0;
  const isX = (x.code & 8) !== 0;
  const imm = x.imm | 0;
  const D = x.dst;
  const al = lower(rs, pc, D);
  const ah = upper(rs, pc, D);
  const [bmin, bmax] = operandRange(rs, pc, x);
  // both high words 0
  const a32 = ah <= U32;
  const b32 = bmax <= U32;
  switch (aop) {
    case 0x00:
    case 0x10: {
      // the result stays in [0, 2^32): no carry out of the low word, no borrow, high word 0
      let sub = aop === 0x10;
      let hi = bmax;
      if (!isX && imm < 0) {
        sub = !sub;
        hi = -imm;
      }
      const fits = a32 && hi <= U32 && (sub ? al >= hi : ah + hi <= U32);
      return fits ? `${dl}=(${dl}${aop === 0x10 ? '-' : '+'}${bl})|0;${dh}=0;` : undefined;
    }
    case 0x20: {
      if (!(ah <= MAX_EXACT && bmax <= MAX_EXACT)) return undefined;
      // a product below 2^32 is its own low word
      if (a32 && b32 && ah * bmax <= U32) return `${dl}=Math.imul(${dl},${bl});${dh}=0;`;
      // below 2^53: one exact double multiply, split into words (p / 2^32 is exact, and truncates
      // as floor since p >= 0)
      if (ah * bmax > MAX_EXACT) return undefined;
      const A = a32 ? `(${dl}>>>0)` : `(${dh}*${TWO32}+(${dl}>>>0))`;
      const B = !isX ? `${imm}` : b32 ? `(${bl}>>>0)` : `(h${x.src}*${TWO32}+(${bl}>>>0))`;
      return `{const p=${A}*${B};${dl}=p|0;${dh}=(p/${TWO32})|0;}`;
    }
    case 0x30:
    case 0x90: {
      // u32 operands: the quotient and remainder of two doubles (the interpreter's own fast case
      // in divmod64); the signed forms are the same on these non-negative values
      if (!(a32 && b32)) return undefined;
      const mod = aop === 0x90;
      if (!isX) {
        if (imm === 0) return mod ? '' : `${dl}=0;${dh}=0;`;
        return `${dl}=((${dl}>>>0)${mod ? '%' : '/'}${imm})|0;${dh}=0;`;
      }
      return mod
        ? `{const b=${bl}>>>0;if(b!==0)${dl}=((${dl}>>>0)%b)|0;}${dh}=0;`
        : `{const b=${bl}>>>0;${dl}=b===0?0:((${dl}>>>0)/b)|0;}${dh}=0;`;
    }
    case 0x60:
    case 0x70:
    case 0xc0: {
      // a register amount proven below 32: one branch of the exact form (and no test of it when
      // it cannot be 0); a value with a zero high word shifts right in its low word alone
      if (!isX || !(bmax <= 31)) return undefined;
      if (aop !== 0x60 && a32) return `${dl}=(${dl}>>>${bl})|0;${dh}=0;`;
      const body =
        aop === 0x60
          ? `const al=${dl};${dh}=(${dh}<<n)|(al>>>(32-n));${dl}=al<<n;`
          : `const ah=${dh};${dl}=(${dl}>>>n)|(ah<<(32-n));${dh}=(ah${aop === 0x70 ? '>>>' : '>>'}n)|0;`;
      return bmin >= 1 ? `{const n=${bl};${body}}` : `{const n=${bl};if(n!==0){${body}}}`;
    }
  }
  return undefined;
}

/** A 64-bit compare of two values whose high words are both proven 0: the low words decide, signed
 *  or not (both are non-negative), so it is cond32's unsigned form of the same test. */
function narrowCond64(rs: Ranges, pc: number, x: Insn, dl: string): string | undefined {
  const isX = (x.code & 8) !== 0;
  if (!(upper(rs, pc, x.dst) <= U32)) return undefined;
  if (isX ? !(upper(rs, pc, x.src) <= U32) : (x.imm | 0) < 0) return undefined;
  return cond32(UNSIGNED_JMP[x.code & 0xf0] ?? x.code & 0xf0, dl, isX ? `l${x.src}` : `${x.imm | 0}`);
}

/** The unsigned jump of each signed one (jsgt -> jgt, ...). */
const UNSIGNED_JMP: Readonly<Record<number, number>> = { 0x60: 0x20, 0x70: 0x30, 0xc0: 0xa0, 0xd0: 0xb0 };

function swap(dl: string, dh: string, width: number): string {
  const b32 = (v: string) => `(((${v}&0xff)<<24)|((${v}&0xff00)<<8)|((${v}>>>8)&0xff00)|(${v}>>>24))`;
  if (width === 16) return `const l=${dl};${dl}=((l&0xff)<<8)|((l>>>8)&0xff);${dh}=0;`;
  if (width === 32) return `const l=${dl};${dl}=${b32('l')}|0;${dh}=0;`;
  return `const l=${dl},h=${dh};${dl}=${b32('h')}|0;${dh}=${b32('l')}|0;`;
}

function alu32(aop: number, op: number, dl: string, dh: string, bl: string, isX: boolean, imm: number, off: number): string | undefined {
  const z = `${dh}=0;`;
  switch (aop) {
    case 0x00:
      return `${dl}=(${dl}+${bl})|0;${z}`;
    case 0x10:
      return `${dl}=(${dl}-${bl})|0;${z}`;
    case 0x20:
      return `${dl}=Math.imul(${dl},${bl});${z}`;
    case 0x30:
    case 0x90: {
      const mod = aop === 0x90;
      const signed = off === 1;
      const calc = mod
        ? signed
          ? `b===-1?0:a%b`
          : `(a>>>0)%(b>>>0)`
        : signed
          ? `b===-1?-a:(a/b)|0`
          : `(a>>>0)/(b>>>0)`;
      return `{const a=${dl},b=${bl};${dl}=(b===0?${mod ? 'a' : '0'}:${calc})|0;}${z}`;
    }
    case 0x40:
      return `${dl}=${dl}|${bl};${z}`;
    case 0x50:
      return `${dl}=${dl}&${bl};${z}`;
    case 0xa0:
      return `${dl}=${dl}^${bl};${z}`;
    case 0x60:
      return `${dl}=${dl}<<${bl};${z}`;
    case 0x70:
      return `${dl}=(${dl}>>>${bl})|0;${z}`;
    case 0xc0:
      return `${dl}=${dl}>>${bl};${z}`;
    case 0x80:
      return `${dl}=(-${dl})|0;${z}`;
    case 0xb0:
      if (!isX) return `${dl}=${lit(imm)};${z}`;
      return `{const v=${bl};${dl}=${off === 0 ? 'v' : off === 8 ? '(v<<24)>>24' : '(v<<16)>>16'};}${z}`;
    case 0xd0:
      if (op === 0xd4) {
        // to little-endian on a little-endian machine: truncate to the width
        return `${imm === 16 ? `${dl}=${dl}&0xffff;` : ''}${imm !== 64 ? z : ''}`;
      }
      if (op === 0xdc) return swap(dl, dh, imm);
      return undefined;
  }
  return undefined;
}

function cond64(jop: number, dl: string, dh: string, bl: string, bh: string): string | undefined {
  switch (jop) {
    case 0x10:
      return `${dl}===${bl}&&${dh}===${bh}`;
    case 0x50:
      return `${dl}!==${bl}||${dh}!==${bh}`;
    case 0x40:
      return `(${dl}&${bl})!==0||(${dh}&${bh})!==0`;
    case 0x20:
      return `(${dh}>>>0)>(${bh}>>>0)||(${dh}===${bh}&&(${dl}>>>0)>(${bl}>>>0))`;
    case 0x30:
      return `(${dh}>>>0)>(${bh}>>>0)||(${dh}===${bh}&&(${dl}>>>0)>=(${bl}>>>0))`;
    case 0xa0:
      return `(${dh}>>>0)<(${bh}>>>0)||(${dh}===${bh}&&(${dl}>>>0)<(${bl}>>>0))`;
    case 0xb0:
      return `(${dh}>>>0)<(${bh}>>>0)||(${dh}===${bh}&&(${dl}>>>0)<=(${bl}>>>0))`;
    case 0x60:
      return `${dh}>${bh}||(${dh}===${bh}&&(${dl}>>>0)>(${bl}>>>0))`;
    case 0x70:
      return `${dh}>${bh}||(${dh}===${bh}&&(${dl}>>>0)>=(${bl}>>>0))`;
    case 0xc0:
      return `${dh}<${bh}||(${dh}===${bh}&&(${dl}>>>0)<(${bl}>>>0))`;
    case 0xd0:
      return `${dh}<${bh}||(${dh}===${bh}&&(${dl}>>>0)<=(${bl}>>>0))`;
  }
  return undefined;
}

function cond32(jop: number, a: string, b: string): string | undefined {
  switch (jop) {
    case 0x10:
      return `${a}===${b}`;
    case 0x50:
      return `${a}!==${b}`;
    case 0x40:
      return `(${a}&${b})!==0`;
    case 0x20:
      return `(${a}>>>0)>(${b}>>>0)`;
    case 0x30:
      return `(${a}>>>0)>=(${b}>>>0)`;
    case 0xa0:
      return `(${a}>>>0)<(${b}>>>0)`;
    case 0xb0:
      return `(${a}>>>0)<=(${b}>>>0)`;
    case 0x60:
      return `${a}>${b}`;
    case 0x70:
      return `${a}>=${b}`;
    case 0xc0:
      return `${a}<${b}`;
    case 0xd0:
      return `${a}<=${b}`;
  }
  return undefined;
}
