// The WebAssembly tier of the compiler, for the one thing plain JS cannot do fast: exact 64-bit
// register arithmetic. A loop region (codegen's loopRegions) whose every instruction is register
// ALU (64- or 32-bit, no division, no byte swaps) or a jump inside the region becomes one Wasm
// function over i64 locals: the JS function stores the registers the loop uses into the module's
// memory (lo/hi int32 halves, as everywhere else), calls it, and reads them back with the number
// of instructions the loop ran. Such a loop cannot fault, so only runs without an instruction
// budget use it (a budget fault needs its exact pc); the count stays exact: each segment adds its
// length where the JS code would. Built with WebAssembly.Module (no `node:` imports): it runs
// wherever the interpreter runs, and where Wasm is missing the JS loop is used instead.
import type { Insn } from '../isa.js';
import { LD_IMM64 } from '../isa.js';

/** A region as codegen's loopRegions gives it. */
export interface WasmRegion {
  head: number;
  end: number;
  entries: readonly number[];
  targets: ReadonlySet<number>;
}

/** The registers a region reads or writes (r0..r9; r10 only read). */
export function regionRegs(insns: readonly Insn[], r: WasmRegion): number[] {
  const used = new Set<number>();
  for (let pc = r.head; pc <= r.end; pc++) {
    const x = insns[pc]!;
    used.add(x.dst);
    const c = x.code & 7;
    if ((x.code & 8) !== 0 && c !== 0) used.add(x.src);
  }
  return [...used].sort((a, b) => a - b);
}

const ALU_OK = new Set([0x00, 0x10, 0x20, 0x40, 0x50, 0x60, 0x70, 0x80, 0xa0, 0xb0, 0xc0]);
const JMP_OK = new Set([0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0]);

/** Whether the region is pure register code the Wasm tier translates: ALU/ALU32 without division,
 *  byte swaps or writes to r10, and conditional jumps / ja whose targets stay inside the loop or
 *  leave it to the slot after it; no mid-loop entries. */
export function wasmEligible(insns: readonly Insn[], r: WasmRegion): boolean {
  if (r.entries.length > 0) return false;
  for (let pc = r.head; pc <= r.end; pc++) {
    const x = insns[pc]!;
    if (x.code === LD_IMM64) return false;
    const c = x.code & 7;
    const op = x.code & 0xf0;
    if (x.dst > 10 || x.src > 10) return false;
    if (c === 7 || c === 4) {
      if (!ALU_OK.has(op) || x.dst === 10) return false;
      if (op === 0xb0 && (x.code & 8) !== 0 && x.off !== 0 && !(x.off === 8 || x.off === 16 || (c === 7 && x.off === 32))) return false;
      if (op === 0xb0 && (x.code & 8) === 0 && x.off !== 0) return false;
      if (op !== 0xb0 && x.off !== 0) return false;
      continue;
    }
    if (c === 5 || c === 6) {
      let t: number;
      if (x.code === 0x05) t = pc + x.off + 1;
      else if (x.code === 0x06) t = pc + x.imm + 1;
      else if (JMP_OK.has(op)) t = pc + x.off + 1;
      else return false;
      if (t < r.head || t > r.end + 1) return false;
      if (t < pc && t !== r.head) return false;
      continue;
    }
    return false;
  }
  return true;
}

// ---- binary encoding --------------------------------------------------------------------------

function uleb(n: number, out: number[]): void {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

function sleb(v: bigint, out: number[]): void {
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

const I64 = 0x7e;
const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  i32Load: 0x28,
  i64Load: 0x29,
  i32Store: 0x36,
  i64Store: 0x37,
  i32Const: 0x41,
  i64Const: 0x42,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32GtU: 0x4b,
  i32LeS: 0x4c,
  i32LeU: 0x4d,
  i32GeS: 0x4e,
  i32GeU: 0x4f,
  i64Eqz: 0x50,
  i64Eq: 0x51,
  i64Ne: 0x52,
  i64LtS: 0x53,
  i64LtU: 0x54,
  i64GtS: 0x55,
  i64GtU: 0x56,
  i64LeS: 0x57,
  i64LeU: 0x58,
  i64GeS: 0x59,
  i64GeU: 0x5a,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrS: 0x75,
  i32ShrU: 0x76,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64Mul: 0x7e,
  i64And: 0x83,
  i64Or: 0x84,
  i64Xor: 0x85,
  i64Shl: 0x86,
  i64ShrS: 0x87,
  i64ShrU: 0x88,
  i32WrapI64: 0xa7,
  i64ExtendI32U: 0xad,
  i32Extend8S: 0xc0,
  i32Extend16S: 0xc1,
  i64Extend8S: 0xc2,
  i64Extend16S: 0xc3,
  i64Extend32S: 0xc4,
} as const;

const ALU64_OP: Record<number, number> = { 0x00: OP.i64Add, 0x10: OP.i64Sub, 0x20: OP.i64Mul, 0x40: OP.i64Or, 0x50: OP.i64And, 0x60: OP.i64Shl, 0x70: OP.i64ShrU, 0xa0: OP.i64Xor, 0xc0: OP.i64ShrS };
const ALU32_OP: Record<number, number> = { 0x00: OP.i32Add, 0x10: OP.i32Sub, 0x20: OP.i32Mul, 0x40: OP.i32Or, 0x50: OP.i32And, 0x60: OP.i32Shl, 0x70: OP.i32ShrU, 0xa0: OP.i32Xor, 0xc0: OP.i32ShrS };
const CMP64: Record<number, number> = { 0x10: OP.i64Eq, 0x50: OP.i64Ne, 0x20: OP.i64GtU, 0x30: OP.i64GeU, 0xa0: OP.i64LtU, 0xb0: OP.i64LeU, 0x60: OP.i64GtS, 0x70: OP.i64GeS, 0xc0: OP.i64LtS, 0xd0: OP.i64LeS };
const CMP32: Record<number, number> = { 0x10: OP.i32Eq, 0x50: OP.i32Ne, 0x20: OP.i32GtU, 0x30: OP.i32GeU, 0xa0: OP.i32LtU, 0xb0: OP.i32LeU, 0x60: OP.i32GtS, 0x70: OP.i32GeS, 0xc0: OP.i32LtS, 0xd0: OP.i32LeS };

/** Memory layout of the exchange area: register r at byte 8*r (i64, little-endian, so lo/hi
 *  int32 halves at int32 index 2r and 2r+1, as the JS side keeps them); the instruction count
 *  the loop adds at byte 96 (i64, read back as two int32 halves). */
export const COUNT_SLOT = 24;

/** The module of one region: export `run` (no params) and `mem`. */
export function wasmRegionModule(insns: readonly Insn[], r: WasmRegion, regs: readonly number[]): Uint8Array {
  const code: number[] = [];
  const local = (reg: number) => reg; // locals 0..10 are r0..r10, local 11 the count
  const CNT = 11;
  // prologue: load the registers the loop uses, count = 0
  // (i32.const takes a signed LEB128: 64 and up need two bytes)
  for (const reg of regs) code.push(OP.i32Const, ...slebB(BigInt(8 * reg)), OP.i64Load, 3, 0, OP.localSet, local(reg));
  // block $exit { loop $L { block F_kmax { ... block F_kmin { <code> } ... } } }
  const labels: (string | number)[] = []; // innermost last: 'exit', 'loop', then forward targets
  code.push(OP.block, 0x40);
  labels.push('exit');
  code.push(OP.loop, 0x40);
  labels.push('loop');
  const fwd = [...r.targets].sort((a, b) => b - a);
  for (const k of fwd) {
    code.push(OP.block, 0x40);
    labels.push(k);
  }
  const depth = (label: string | number) => labels.length - 1 - labels.lastIndexOf(label);
  let seg = 0;
  const addCount = (k: number) => {
    if (k === 0) return;
    code.push(OP.localGet, CNT, OP.i64Const, ...slebB(BigInt(k)), OP.i64Add, OP.localSet, CNT);
  };
  const jump = (from: number, to: number) => {
    if (to === r.head) return depth('loop');
    if (to === r.end + 1) return depth('exit');
    if (to > from) return depth(to);
    throw new Error(`wasm region: jump ${from} -> ${to}`);
  };
  for (let pc = r.head; pc <= r.end; pc++) {
    const x = insns[pc]!;
    if (pc !== r.head && r.targets.has(pc)) {
      addCount(seg);
      seg = 0;
      code.push(OP.end);
      labels.pop();
    }
    seg++;
    const c = x.code & 7;
    const op = x.code & 0xf0;
    const isX = (x.code & 8) !== 0;
    if (c === 7) {
      const src = () => (isX ? code.push(OP.localGet, x.src) : code.push(OP.i64Const, ...slebB(BigInt(x.imm | 0))));
      if (op === 0xb0) {
        if (!isX) code.push(OP.i64Const, ...slebB(BigInt(x.imm | 0)));
        else {
          code.push(OP.localGet, x.src);
          if (x.off === 8) code.push(OP.i64Extend8S);
          else if (x.off === 16) code.push(OP.i64Extend16S);
          else if (x.off === 32) code.push(OP.i64Extend32S);
        }
      } else if (op === 0x80) {
        code.push(OP.i64Const, 0, OP.localGet, x.dst, OP.i64Sub);
      } else {
        code.push(OP.localGet, x.dst);
        src();
        code.push(ALU64_OP[op]!);
      }
      code.push(OP.localSet, x.dst);
      continue;
    }
    if (c === 4) {
      const src = () => (isX ? code.push(OP.localGet, x.src, OP.i32WrapI64) : code.push(OP.i32Const, ...slebB(BigInt(x.imm | 0))));
      if (op === 0xb0) {
        if (!isX) code.push(OP.i32Const, ...slebB(BigInt(x.imm | 0)));
        else {
          code.push(OP.localGet, x.src, OP.i32WrapI64);
          if (x.off === 8) code.push(OP.i32Extend8S);
          else if (x.off === 16) code.push(OP.i32Extend16S);
        }
      } else if (op === 0x80) {
        code.push(OP.i32Const, 0, OP.localGet, x.dst, OP.i32WrapI64, OP.i32Sub);
      } else {
        code.push(OP.localGet, x.dst, OP.i32WrapI64);
        src();
        code.push(ALU32_OP[op]!);
      }
      code.push(OP.i64ExtendI32U, OP.localSet, x.dst);
      continue;
    }
    // jumps: the segment's count is added before the branch, as the JS code adds it at the jump
    addCount(seg);
    seg = 0;
    if (x.code === 0x05 || x.code === 0x06) {
      code.push(OP.br, ...lebU(jump(pc, x.code === 0x05 ? pc + x.off + 1 : pc + x.imm + 1)));
      continue;
    }
    const t = pc + x.off + 1;
    if (c === 5) {
      code.push(OP.localGet, x.dst);
      if (isX) code.push(OP.localGet, x.src);
      else code.push(OP.i64Const, ...slebB(BigInt(x.imm | 0)));
      if (op === 0x40) code.push(OP.i64And, OP.i64Eqz, OP.i32Eqz);
      else code.push(CMP64[op]!);
    } else {
      code.push(OP.localGet, x.dst, OP.i32WrapI64);
      if (isX) code.push(OP.localGet, x.src, OP.i32WrapI64);
      else code.push(OP.i32Const, ...slebB(BigInt(x.imm | 0)));
      if (op === 0x40) code.push(OP.i32And, OP.i32Eqz, OP.i32Eqz);
      else code.push(CMP32[op]!);
    }
    code.push(OP.brIf, ...lebU(jump(pc, t)));
  }
  // past the last slot (a conditional back edge not taken): leave the loop
  addCount(seg);
  code.push(OP.br, ...lebU(depth('exit')));
  while (labels.length > 0) {
    code.push(OP.end);
    labels.pop();
  }
  // epilogue: store the registers and the count
  for (const reg of regs) code.push(OP.i32Const, ...slebB(BigInt(8 * reg)), OP.localGet, local(reg), OP.i64Store, 3, 0);
  code.push(OP.i32Const, ...slebB(BigInt(4 * COUNT_SLOT)), OP.localGet, CNT, OP.i64Store, 3, 0);
  code.push(OP.end);

  // function body: locals 12 x i64 (r0..r10 and the count)
  const body: number[] = [1, 12, I64, ...code];
  const bodyLen: number[] = [];
  uleb(body.length, bodyLen);
  const section = (id: number, payload: number[]) => {
    const len: number[] = [];
    uleb(payload.length, len);
    return [id, ...len, ...payload];
  };
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 0, 0]), // one type: () -> ()
    ...section(3, [1, 0]), // one function of type 0
    ...section(5, [1, 0, 1]), // one memory, min 1 page
    ...section(7, [2, 3, 0x72, 0x75, 0x6e, 0x00, 0, 3, 0x6d, 0x65, 0x6d, 0x02, 0]), // export "run" func 0, "mem" memory 0
    ...section(10, [1, ...bodyLen, ...body]),
  ];
  return Uint8Array.from(bytes);
}

function lebU(n: number): number[] {
  const o: number[] = [];
  uleb(n, o);
  return o;
}

function slebB(v: bigint): number[] {
  const o: number[] = [];
  sleb(v, o);
  return o;
}

/** An instantiated region: `run()` runs the loop on the registers in `W` (int32 halves). */
export interface WasmLoop {
  run: () => void;
  W: Int32Array;
}

/** Instantiate a region's module, or undefined where WebAssembly is unavailable or refuses it. */
/** The part of the WebAssembly global this file uses (the project's lib has no Wasm types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

export function instantiateRegion(bytes: Uint8Array): WasmLoop | undefined {
  const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (WA === undefined) return undefined;
  try {
    const inst = new WA.Instance(new WA.Module(bytes));
    const ex = inst.exports as { run: () => void; mem: { buffer: ArrayBuffer } };
    return { run: ex.run, W: new Int32Array(ex.mem.buffer) };
  } catch {
    return undefined;
  }
}
