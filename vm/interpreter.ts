// The register machine. Programs are pre-decoded once into typed arrays (vm/decode) and run by one
// loop with one switch over the opcode byte, one arm per opcode. Registers are 32-bit halves in one
// Int32Array, rN's low half at 2N and high half at 2N+1 (bench/registers.ts measured this against
// BigInt and `long`; figures in bench/README.md): every 64-bit operation works on (lo, hi) pairs,
// and only 64-bit div/mod of operands beyond 32 bits falls back to BigInt.
//
// Safety lives in one place: every load and store is checked against the arena's region table
// (`Arena.canAccess`, with a one-entry range cache filled by `Arena.accessRange`); everything else
// (kernel view, handles, wrapped pointers, PROBE_MEM) is the slow path in `loadSlow` /
// `storeFault`. Instructions are counted per basic block for the budget. The machine is
// re-entrant: helpers call back into BPF functions with new frames on top of the current run
// (`CallContext.callback`); all per-run state lives in a `Run` object, none in module scope.

import { FaultSignal, ThrowSignal, VmFault } from '../src/errors.js';
import type { ArgIndex, BpfFunctionRef, HelperCall, HelperEntry, HelperResult, HelperEnv, LockSet, RunOutput } from '../helpers/types.js';
import type { KfuncEntry } from '../helpers/kfuncs.js';
import type { GraphRecord } from '../maps/graph.js';
import type { BpfMap } from '../maps/types.js';
import { HANDLE_TAG_BASE, HandleKind, handleKindOfHi } from './handles.js';
import { BPF_MAX_LOOPS, MAX_BPF_STACK, MAX_CALL_FRAMES, MAX_RUN_FRAMES, MAX_TAIL_CALLS, PERCPU_UNIT_SIZE, isPercpuMov } from './isa.js';
import { predecode, validate, type Decoded } from './decode.js';
import { formatInsn } from './disasm.js';
import type { KernelMemory } from './kmem.js';
import { MemFlag, type Arena } from './memory.js';
import type { Program, ProvenFacts } from './program.js';
import { compileLeaf, compileProgram, type InlineMap, leafBlocks, MAX_COMPILED_SLOTS, NotCompiled, reachableFrom, type CompiledProgram, type CompilerKit, type CompiledLeaf } from './compiler/codegen.js';

/** What the machine needs from its owner (implemented by src/runtime's Runtime). */
export interface VmEnv {
  readonly arena: Arena;
  readonly kmem: KernelMemory;
  /** Services handed to helpers as `HelperCall.env`. */
  readonly helperEnv: HelperEnv;
  /** Helper by id from the runtime's table, or undefined. */
  helper(id: number): HelperEntry | undefined;
  /** Implemented kfunc by the id its call carries (helpers/kfuncs.ts), or undefined. */
  kfunc?(id: number): KfuncEntry | undefined;
  mapFromHandle(handle: bigint): BpfMap | undefined;
  /** Optional fast path of mapFromHandle: the map whose handle has this low half. */
  mapByIndex?(index: number): BpfMap | undefined;
  /** Optional: the bytes of the kernel's struct (bpf_map, bpf_array) of the map whose handle has
   *  this low half, which a program reads through a map pointer (`*(u64 *)(r1 + 0)` with r1 a map,
   *  as check_ptr_to_map_access allows). */
  mapStruct?(index: number): Uint8Array | undefined;
  /** Optional, for the compiling tier: when helper 1 is Linux's map_lookup_elem and the map whose
   *  handle has this low half is a plain array map, its layout, so a lookup can be done inline as
   *  the kernel's array_map_gen_lookup does (same result as the helper: `base + key * stride`, or
   *  0 past the end). */
  inlineArrayMap?(index: number): { readonly base: number; readonly stride: number; readonly maxEntries: number } | undefined;
  /** Optional, for the compiling tier: when helper 1 is Linux's map_lookup_elem, the map whose
   *  handle has this low half, so a lookup can call the map directly (`lookupElem`, what that
   *  helper calls) instead of going through the helper table. */
  directLookupMap?(index: number): BpfMap | undefined;
  /** The layout of map `index` when its map_lookup_elem is what the kernel inlines for array and
   *  per-CPU array maps (a bounds check and base + index * stride), for the compiling tier's
   *  verified code; undefined for any other map, or with a custom helper table. */
  inlineMapLayout?(index: number): InlineMap | undefined;
  /** LD_IMM64 src 1/5: the handle of the map with this runtime id. */
  mapHandleById(id: number): bigint | undefined;
  /** The arena address of the per-CPU areas (vm/isa.ts PERCPU_UNIT_SIZE), made on first use:
   *  what the verifier's per-CPU address move adds to. */
  percpuArea?(): number;
  /** LD_IMM64 src 2/6: address of the map's direct value (key 0) plus `off`. */
  mapValueAddress(id: number, off: number, cpu: number): number | undefined;
  /** LD_IMM64 of a BPF arena map's value: its user address, or undefined for other maps. */
  arenaValueAddress?(id: number, off: number): bigint | undefined;
  /** Target of a tail call. */
  programById(id: number): Program | undefined;
}

/** One run's parameters (Runtime.execute fills the defaults). */
export interface RunRequest {
  /** r1..r5. */
  args?: readonly (bigint | number)[];
  cpu: number;
  /** Instruction budget, callbacks included; 0 or Infinity = unlimited (verified programs). */
  maxInsns: number;
  trace?: TraceFn;
  output: RunOutput;
  /** Packet bounds (arena addresses) for LD_ABS/LD_IND; `mac` and `network` are the headers
   *  negative SKF_LL_OFF / SKF_NET_OFF offsets are relative to. */
  packet?: { start: number; end: number; mac?: number; network?: number };
  /** PROBE_MEM loads (read 0 on a miss instead of faulting): every load, or the listed pcs. */
  probeMem?: boolean | ReadonlySet<number>;
  /** callx with a plain small integer calls that helper id (the conformance suite's callx group). */
  callxHelpers?: boolean;
  /** Runtime functions (`call` with src 2, kfuncs in the kernel) for embedders that define their
   *  own, by id, called with r1-r5; r0 = the result. Without it such a call faults. */
  kfunc?: (id: number, args: readonly bigint[]) => bigint;
  /** The BPF cookie of the attachment this run simulates (bpf_get_attach_cookie); default 0. */
  cookie?: bigint;
  /** The run starts as the verifier assumed (r1 the context): the compiling tier may use the
   *  facts the verifier proved about the program (Program.proven) and drop the checks they cover. */
  verified?: boolean;
  /** Start at this function of the program instead of pc 0: a callback a helper kept
   *  (HelperCall.functionRef) run on its own, as the kernel runs a bpf_timer callback. */
  entry?: number;
}

/** The machine state a trace callback sees with its line, before the instruction at `pc` runs.
 *  `regs` is the live register file (r0..r10 as int32 halves: lo of rN at 2N, hi at 2N + 1), valid
 *  only during the call: copy what you keep. The stack of the current frame is the 512 bytes
 *  below r10 in the arena (the playground's step view reads it from there). */
export interface TraceStep {
  pc: number;
  /** Call depth: 1 in the main program, +1 per bpf-to-bpf call or callback. */
  depth: number;
  prog: Program;
  regs: Int32Array;
}
export type TraceFn = (line: string, step: TraceStep) => void;

/** Which tier runs program code: the interpreter's loop, or JavaScript generated per program
 *  (vm/compiler), with the same semantics. */
export type Engine = 'interpreter' | 'compiled';
export const ENGINES: readonly Engine[] = ['interpreter', 'compiled'];

/** The compiling tier is the default: test/compiler/differential.test.ts holds it to the
 *  interpreter's results on every test program, kernel-agreement case, conformance case and on
 *  random programs, and the whole suite passes with either engine as the default. */
let defaultEngine: Engine = 'compiled';
/** The engine of interpreters created without one (the test suite's EBPFVM_ENGINE switch runs
 *  every existing test under either engine through this; see test/engine-setup.ts). */
export function setDefaultEngine(engine: Engine): void {
  defaultEngine = engine;
}
export function getDefaultEngine(): Engine {
  return defaultEngine;
}

/** What the compiling tier did so far (per Interpreter). */
export interface CompileStats {
  /** Programs compiled. */
  compiled: number;
  /** Time spent generating code and in `new Function`, summed (V8 compiles lazily later). */
  compileMs: number;
  /** Programs left to the interpreter, with the reason. */
  notCompiled: { program: string; reason: string }[];
  /** Runs (or callbacks) that entered compiled code, and those the interpreter finished
   *  (an entry pc that is not a block start, or a trace). */
  compiledRuns: number;
  interpretedFallbacks: number;
  /** Callbacks compiled as leaf functions the calling helper runs directly (runLeaf). */
  leafCallbacks: number;
}

export interface RunResult {
  r0: bigint;
  insnCount: number;
}

/** A HelperCall that can also request a tail call (bpf_tail_call uses it). */
export interface VmHelperCall extends HelperCall {
  /** Replace the current program by `prog` once the helper returns; false when the per-run limit
   *  of 33 tail calls is reached (the helper then returns normally, as in the kernel). */
  tailCall(prog: Program | number): boolean;
}

const TWO32 = 4294967296;
const FUNC_TAG = (HANDLE_TAG_BASE + HandleKind.FUNC) | 0;
const MAP_TAG = (HANDLE_TAG_BASE + HandleKind.MAP) | 0;
const EMPTY_SET: ReadonlySet<number> = new Set();
const NO_NAMES: readonly string[] = Object.freeze([]);
const NO_ARGS: readonly number[] = Object.freeze([]);
const NO_REGS = new Int32Array(24);

/** Lock bookkeeping of one run. Arrays in taking order, not a Map: a run holds zero or one lock
 *  almost always, and a Map's set-then-delete costs ~130 ns in Node 20 (each delete of a small
 *  table's last entry leaves a hole that the next set rehashes away into a new backing store),
 *  a fifth of an rbtree add+remove pair's lock/unlock. */
class RunLocks implements LockSet {
  private readonly ids: number[] = [];
  private readonly whats: string[] = [];
  take(id: number, what: string): void {
    if (this.ids.includes(id)) throw new FaultSignal(`${what}: lock at 0x${id.toString(16)} is already held by this run (deadlock)`);
    this.ids.push(id);
    this.whats.push(what);
  }
  release(id: number, what: string): void {
    const ids = this.ids;
    const i = ids.lastIndexOf(id);
    if (i < 0) throw new FaultSignal(`${what}: lock at 0x${id.toString(16)} is not held`);
    if (i === ids.length - 1) {
      ids.pop();
      this.whats.pop();
    } else {
      ids.splice(i, 1);
      this.whats.splice(i, 1);
    }
  }
  held(id: number): boolean {
    return this.ids.includes(id);
  }
  get count(): number {
    return this.ids.length;
  }
  /** Release every lock; with `arena`, also unlock the words (a bpf_spin_lock word reads 1 while
   *  held; the lock helpers accept only real lock words, so each id is one). */
  releaseAll(arena?: Arena): readonly string[] {
    // Called twice per run, almost always with nothing held: no allocation then.
    if (this.ids.length === 0) return NO_NAMES;
    const names = this.whats.slice();
    if (arena) for (const id of this.ids) arena.dv.setUint32(id, 0, true);
    this.ids.length = 0;
    this.whats.length = 0;
    return names;
  }
}

/** Everything one run owns. Frames of local calls and callbacks share the save area here, indexed
 *  by the run-wide depth, so a callback's frames count toward the same 8-frame limit. */
class Run {
  insnCount = 0;
  limit = Infinity;
  depth = 0;
  /** Deepest frame this run entered: frames below the first are cleared when the run ends. */
  maxDepth = 0;
  tailCalls = 0;
  /** Callback frames active (bpf_loop & co.): tail calls are refused inside them. */
  callbacks = 0;
  /** A leaf callback's frame is still entered (Interpreter.runLeaf): it is left by closeLeaf. */
  leafOpen = false;
  /** The leaf whose caches belong to the open frame entry (runLeaf resets another's first). */
  openLeaf: CompiledLeaf | undefined = undefined;
  /** The register file of the open leaf frame. */
  leafR: Int32Array = NO_REGS;
  pendingTail: Program | undefined = undefined;
  /** Where compiled code hands over (vm/compiler: status 1 and 2). */
  nextProg: Program | undefined = undefined;
  nextPc = 0;
  lastPc = 0;
  /** Where the innermost running loop last recorded itself (for fault reports). */
  pc = 0;
  prog: Program | undefined = undefined;
  /** The program the run started (its attach point: a tail call or an extension keeps it). */
  entryProg: Program | undefined = undefined;
  probeAll = false;
  probePcs: ReadonlySet<number> = EMPTY_SET;
  req!: RunRequest;
  stackBase = 0;
  /** One past the top of this run's stack region (0 until Interpreter.stackFor makes it). */
  stackEnd = 0;
  gpl = false;
  progType = 0;
  readonly locks = new RunLocks();
  readonly state = new Map<string, unknown>();
  // Per depth: r6..r10 lo/hi of the caller, its return pc, its program.
  readonly saved = new Int32Array((MAX_RUN_FRAMES + 1) * 10);
  readonly retPc = new Int32Array(MAX_RUN_FRAMES + 1);
  readonly retProg: (Program | undefined)[] = new Array(MAX_RUN_FRAMES + 1);
  /** Per depth: the depth at which the program running in that frame was entered (1 for the
   *  run's program; d for a program tail-called from a frame at depth d). A program's own call
   *  chain is bounded by MAX_CALL_FRAMES from there. */
  readonly frameBase = new Int32Array(MAX_RUN_FRAMES + 1);
  /** Per depth: what is left of the frame's may_goto budget. The kernel keeps this count in a
   *  hidden stack slot of each frame, set to BPF_MAX_LOOPS on entry to a function (or to a
   *  tail-called program); may_goto takes its branch once the count is 0. */
  readonly loopBudget = new Int32Array(MAX_RUN_FRAMES + 1);
  private readonly contexts: CallContext[] = [];
  /** A helper call recorded its program in a context (see init). */
  contextsUsed = false;

  /** Runs are pooled per nesting level (a helper may start another run), so a run of a tiny
   *  program allocates almost nothing; everything mutable is reset here. */
  init(req: RunRequest, stackBase: number, gpl: boolean, progType: number): this {
    this.req = req;
    this.stackBase = stackBase;
    this.gpl = gpl;
    this.progType = progType;
    this.insnCount = 0;
    this.limit = req.maxInsns > 0 ? req.maxInsns : Infinity;
    this.depth = 0;
    this.maxDepth = 0;
    this.tailCalls = 0;
    this.callbacks = 0;
    this.leafOpen = false;
    this.openLeaf = undefined;
    this.pendingTail = undefined;
    this.nextProg = undefined;
    this.lastPc = 0;
    this.pc = 0;
    this.prog = undefined;
    this.probeAll = req.probeMem === true;
    this.probePcs = typeof req.probeMem === 'object' ? req.probeMem : EMPTY_SET;
    this.locks.releaseAll();
    if (this.state.size !== 0) this.state.clear();
    // retProg[d] is written by every call before the matching exit reads it, so stale entries
    // are never read; the contexts' program references are dropped only if a helper set them.
    if (this.contextsUsed) {
      for (const c of this.contexts) if (c) c.prog = c.decoded = undefined;
      this.contextsUsed = false;
    }
    return this;
  }

  /** The register file and HelperCall of the frame entered at `depth` (pooled). */
  contextAt(vm: Interpreter, depth: number): CallContext {
    let c = this.contexts[depth];
    if (!c) this.contexts[depth] = c = new CallContext(vm, this, new Int32Array(24));
    return c;
  }
}

export class Interpreter {
  private readonly decodedCache = new WeakMap<Program, Decoded>();
  private lastProg: Program | undefined = undefined;
  private lastDecoded: Decoded | undefined = undefined;
  /** Current low edge of each level's stack region (see setStackLow), to skip unchanged updates. */
  private readonly stackLows: number[] = [];
  /** Call stacks, one per nesting level of runs (a helper may start another run): a single
   *  region of MAX_RUN_FRAMES * 512 bytes whose frames are adjacent, the first at the top and
   *  each callee's directly below its caller's, as on a real stack and in uBPF, so a pointer to a
   *  caller's stack slot is an ordinary in-bounds address for the callee. An access at a fixed
   *  offset from r10 outside its frame faults before it gets there (Decoded.faults). */
  private readonly stacks: number[] = [];
  private stackTop = 0;
  /** Generation of the resolved LD_IMM64 values (Decoded.pseudo); bumped when a map goes away. */
  /** @internal (read by vm/compiler's generated code) */
  resolvedGen = 1;
  /** Run state per nesting level of runs (see Run.init). */
  private readonly runs: Run[] = [];
  /** Scratch for slow-path results (lo, hi). */
  /** @internal (read by vm/compiler's generated code) */
  readonly tmp = new Int32Array(2);
  private readonly kbuf = new Uint8Array(8);
  /** @internal (read by vm/compiler's generated code) */
  readonly rng = new Float64Array(2);

  /** The tier new runs use; may be changed between runs. */
  engine: Engine;
  private readonly compiledCache = new WeakMap<Program, CompiledProgram | null>();
  private lastCompiledProg: Program | undefined = undefined;
  private lastCompiled: CompiledProgram | null = null;
  private readonly entryCache = new WeakMap<Program, Map<number, CompiledProgram | null>>();
  private lastEntryProg: Program | undefined = undefined;
  private lastEntryPc = -1;
  private lastEntry: CompiledProgram | null = null;
  private readonly leafCache = new WeakMap<Program, Map<number, CompiledLeaf | null>>();
  private lastLeafProg: Program | undefined = undefined;
  private lastLeafPc = -1;
  private lastLeaf: CompiledLeaf | null = null;
  readonly compileStats: CompileStats = { compiled: 0, compileMs: 0, notCompiled: [], compiledRuns: 0, interpretedFallbacks: 0, leafCallbacks: 0 };

  constructor(
    readonly env: VmEnv,
    opts: { engine?: Engine } = {},
  ) {
    this.engine = opts.engine ?? defaultEngine;
  }

  /** The compiled form of `prog`, made on first use and cached with the program; null when the
   *  compiler leaves it to the interpreter (the reason is in compileStats.notCompiled). */
  compiled(prog: Program, decoded: Decoded = this.decode(prog), proven = false, unlimited = false): CompiledProgram | null {
    // the variants that use the verifier's facts (with and without budget checks) have caches of their own
    if (proven && prog.proven !== undefined && prog.proven.insns === prog.insns) return this.compiledProven(prog, decoded, unlimited);
    // callbacks (rbtree comparators, bpf_loop) re-enter the same program many times per run
    if (prog === this.lastCompiledProg) return this.lastCompiled;
    let c = this.compiledCache.get(prog);
    if (c !== undefined) {
      this.lastCompiledProg = prog;
      this.lastCompiled = c;
      return c;
    }
    c = this.compileOrNull(prog, decoded, undefined);
    this.compiledCache.set(prog, c);
    return c;
  }

  private readonly provenCache = new WeakMap<Program, CompiledProgram | null>();
  private readonly provenUnlimitedCache = new WeakMap<Program, CompiledProgram | null>();
  private compiledProven(prog: Program, decoded: Decoded, unlimited: boolean): CompiledProgram | null {
    const cache = unlimited ? this.provenUnlimitedCache : this.provenCache;
    let c = cache.get(prog);
    if (c === undefined) cache.set(prog, (c = this.compileOrNull(prog, decoded, prog.proven, unlimited)));
    return c;
  }

  private compileOrNull(prog: Program, decoded: Decoded, proven: ProvenFacts | undefined, unlimited = false): CompiledProgram | null {
    let c: CompiledProgram | null;
    if (proven === undefined && prog.refusedCalls !== undefined) {
      // An unverified run of a program with calls the verifier refuses: the generated code takes
      // helper shortcuts (inline map lookups) that would skip callHelper's refusal, and such a
      // program is broken anyway, so the interpreter runs it.
      this.compileStats.notCompiled.push({ program: prog.name, reason: 'it calls helpers the verifier refuses (unverified run)' });
      return null;
    }
    try {
      const input = proven !== undefined ? { facts: proven, unlimited, inlineMap: (id: number) => this.env.inlineMapLayout?.(id) } : undefined;
      c = compileProgram(prog.insns, proven !== undefined ? `${prog.name}_verified` : prog.name, this, prog, decoded, COMPILER_KIT, undefined, input);
      this.compileStats.compiled++;
      this.compileStats.compileMs += c.compileMs;
    } catch (e) {
      if (!(e instanceof NotCompiled) && !(e instanceof SyntaxError)) throw e;
      c = null;
      this.compileStats.notCompiled.push({ program: prog.name, reason: e instanceof NotCompiled ? e.message : `generated code: ${(e as Error).message}` });
    }
    return c;
  }

  /** The compiled function a callback entered at `pc` runs: the program's blocks reachable from
   *  there only (codegen's reachableFrom), so the rbtree comparators and bpf_loop bodies, entered
   *  many times per run, dispatch among their own few blocks. Same code for every block it has;
   *  the whole program's function when the entry is 0 or an indirect call is reachable. */
  private compiledEntry(prog: Program, decoded: Decoded, pc: number, whole: CompiledProgram): CompiledProgram {
    // entered at the start: the whole program (the variant the run asked for, never cached here)
    if (pc === 0) return whole;
    if (prog === this.lastEntryProg && pc === this.lastEntryPc) return this.lastEntry ?? whole;
    let byPc = this.entryCache.get(prog);
    if (byPc === undefined) this.entryCache.set(prog, (byPc = new Map()));
    let c = byPc.get(pc);
    if (c === undefined) {
      // null: no smaller function (a callx is reachable, or it did not compile), and the whole
      // program of the variant each run asked for is used (a verified run's variant, with the
      // verifier's facts, must never serve an unverified run from this cache)
      c = null;
      const only = prog.refusedCalls === undefined ? reachableFrom(prog.insns, pc) : undefined;
      if (only !== undefined) {
        try {
          c = compileProgram(prog.insns, `${prog.name}_at_${pc}`, this, prog, decoded, COMPILER_KIT, only);
          this.compileStats.compiled++;
          this.compileStats.compileMs += c.compileMs;
        } catch (e) {
          if (!(e instanceof NotCompiled) && !(e instanceof SyntaxError)) throw e;
        }
      }
      byPc.set(pc, c);
    }
    this.lastEntryProg = prog;
    this.lastEntryPc = pc;
    this.lastEntry = c;
    return c ?? whole;
  }


  /** Forget resolved map handles and addresses (the owner destroyed a map). */
  invalidateResolved(): void {
    this.resolvedGen++;
  }

  /** The arena address of the per-CPU areas, 0 until a program needs them (decode). */
  private percpuBase = 0;
  /** This CPU's per-CPU area (the per-CPU address move).
   *  @internal (also called by vm/compiler's generated code) */
  percpuAddr(cpu: number): number {
    if (this.percpuBase === 0) throw new FaultSignal('per-CPU address move: this runtime has no per-CPU areas');
    return this.percpuBase + cpu * PERCPU_UNIT_SIZE;
  }

  /** Validate (DecodeError on malformed code) and pre-decode, once per program. */
  decode(prog: Program): Decoded {
    // Most runs repeat the previous program: skip the WeakMap lookup then.
    if (prog === this.lastProg) return this.lastDecoded!;
    let d = this.decodedCache.get(prog);
    if (!d) {
      validate(prog.insns, prog.xlated ? 11 : 10);
      // The per-CPU areas are made now, not by the instruction: an allocation may grow the arena,
      // which a running program's typed-array views would not see.
      if (prog.xlated && this.percpuBase === 0 && prog.insns.some(isPercpuMov)) this.percpuBase = this.env.percpuArea?.() ?? 0;
      d = predecode(prog.insns);
      this.decodedCache.set(prog, d);
    }
    this.lastProg = prog;
    this.lastDecoded = d;
    return d;
  }

  /** Run `prog` to completion. Faults surface as VmFault; DecodeError if the code is malformed. */
  run(prog: Program, req: RunRequest): RunResult {
    const decoded = this.decode(prog);
    const level = this.stackTop / MAX_RUN_FRAMES;
    // a helper starting a run: the calling run's comparator frame ends first (runLeaf)
    if (level > 0) this.closeLeaf(this.runs[level - 1]!);
    const run = (this.runs[level] ??= new Run()).init(req, this.stackTop, prog.gpl, prog.progType);
    run.entryProg = prog;
    this.stackTop += MAX_RUN_FRAMES;
    try {
      const ctx = run.contextAt(this, 1);
      const R = ctx.R;
      R.fill(0);
      const args = req.args ?? NO_ARGS;
      try {
        for (let i = 0; i < 5 && i < args.length; i++) setReg(R, i + 1, args[i]!);
        this.enterFrame(run, R);
      } catch (e) {
        // bad arguments or no arena room for the stack: still a fault, never a raw exception
        throw this.fault(run, prog, 0, decoded.code[0]!, R, e instanceof FaultSignal ? e.reason : `cannot start: ${String(e)}`);
      }
      const entry = req.entry ?? 0;
      if (entry !== 0 && !isFunctionEntry(decoded, entry)) throw this.fault(run, prog, 0, decoded.code[0]!, R, `function entry pc ${entry} is outside the program or not an instruction`);
      let resume: { prog: Program; pc: number } | undefined;
      for (;;) {
        try {
          if (resume) this.exec(run, resume.prog, this.decode(resume.prog), resume.pc, ctx, false, 1);
          else this.exec(run, prog, decoded, entry, ctx, entry !== 0);
          break;
        } catch (e) {
          if (!(e instanceof ThrowSignal)) throw e;
          resume = this.catchInExtension(run, e.cookie, R);
          if (resume) continue;
          this.endWithException(run, run.prog ?? prog, e.cookie, R);
          break;
        }
      }
      run.depth--;
      if (run.locks.count > 0) {
        const names = run.locks.releaseAll(this.env.arena);
        throw this.fault(run, prog, run.lastPc, decoded.code[run.lastPc]!, R, `program exited holding ${names.length} lock(s): ${names.join(', ')}`);
      }
      return { r0: toU64(R[0]!, R[1]!), insnCount: run.insnCount };
    } finally {
      run.locks.releaseAll(this.env.arena);
      this.clearDeepFrames(run);
      this.stackTop = run.stackBase;
    }
  }

  /** bpf_throw inside an attached extension (freplace): the kernel's stack walk stops at the
   *  extension, its own exception boundary, so its exception callback (or the cookie, by default)
   *  becomes what the replaced function returns, and its caller goes on. The innermost frame
   *  entered at an entry of Program.extensionBoundaries catches; the resume point is the caller's
   *  return address (undefined when no extension frame is live: the run ends as usual). */
  private catchInExtension(run: Run, cookie: bigint, R: Int32Array): { prog: Program; pc: number } | undefined {
    for (let k = run.depth - 1; k >= 1; k--) {
      const caller = run.retProg[k];
      const bounds = caller?.extensionBoundaries;
      if (!caller || !bounds) continue;
      const callPc = run.retPc[k]! - 1;
      const call = caller.insns[callPc];
      if (!call || call.code !== 0x85 || call.src !== 1) continue;
      const entry = callPc + call.imm + 1;
      if (!bounds.has(entry)) continue;
      const cb = bounds.get(entry);
      run.depth = k;
      if (cb === undefined) setReg(R, 0, cookie);
      else {
        const d = this.decode(caller);
        R.fill(0);
        setReg(R, 1, cookie);
        this.enterFrame(run, R);
        try {
          this.exec(run, caller, d, cb, run.contextAt(this, 1));
        } catch (e) {
          if (e instanceof ThrowSignal) throw this.fault(run, caller, run.pc, d.code[run.pc]!, R, 'bpf_throw inside the exception callback');
          throw e;
        }
        run.depth = k;
      }
      // back in the caller's frame: its r6-r10, r0 the callback's value
      this.setStackLow(run);
      const o = k * 10;
      for (let j = 0; j < 10; j++) R[12 + j] = run.saved[o + j]!;
      return { prog: caller, pc: run.retPc[k]! };
    }
    return undefined;
  }

  /** bpf_throw: every frame is gone; the program that threw (a tail-call target is its own
   *  boundary, as the kernel's stack walk finds it) ends through its exception callback, called
   *  with the cookie in a fresh frame, or with the cookie as r0 (the kernel's default callback). */
  private endWithException(run: Run, thrower: Program, cookie: bigint, R: Int32Array): void {
    run.depth = 0;
    if (thrower.exceptionCallback === undefined) {
      this.enterFrame(run, R);
      setReg(R, 0, cookie);
      return;
    }
    const d = this.decode(thrower);
    const cb = thrower.exceptionCallback;
    R.fill(0);
    setReg(R, 1, cookie);
    this.enterFrame(run, R);
    let resume: { prog: Program; pc: number } | undefined;
    for (;;) {
      try {
        if (resume) this.exec(run, resume.prog, this.decode(resume.prog), resume.pc, run.contextAt(this, 1), false, 1);
        else this.exec(run, thrower, d, cb, run.contextAt(this, 1));
        return;
      } catch (e) {
        if (!(e instanceof ThrowSignal)) throw e;
        // an extension the callback calls may throw: it is its own boundary
        resume = this.catchInExtension(run, e.cookie, R);
        if (!resume) throw this.fault(run, thrower, run.pc, d.code[run.pc]!, R, 'bpf_throw inside the exception callback');
      }
    }
  }

  // ---- frames ------------------------------------------------------------------------------

  /** Lowest address of the frame at `depth` (1-based) of `run`. */
  private stackFor(run: Run, depth: number): number {
    // A pooled Run always has the same level, whose stack region, once made, stays: its end is
    // kept in the Run (frames are entered and left several times per rbtree operation).
    if (run.stackEnd === 0) {
      const level = run.stackBase / MAX_RUN_FRAMES;
      while (this.stacks.length <= level) {
        this.stacks.push(this.env.arena.allocRegion(MAX_RUN_FRAMES * MAX_BPF_STACK, MemFlag.READ | MemFlag.WRITE, 'stack', `stack#${this.stacks.length}`));
      }
      run.stackEnd = this.stacks[level]! + MAX_RUN_FRAMES * MAX_BPF_STACK;
    }
    return run.stackEnd - depth * MAX_BPF_STACK;
  }

  /** Only the current frame and its callers' frames are accessible: below the current frame's
   *  bottom lies nothing live (the kernel's verifier refuses such accesses too). */
  /** @internal (also called by vm/compiler's generated code) */
  setStackLow(run: Run): void {
    if (run.depth > 0) this.moveStackLow(run.stackBase / MAX_RUN_FRAMES, this.stackFor(run, run.depth));
  }

  private moveStackLow(level: number, low: number): void {
    if (this.stackLows[level] === low) return;
    this.stackLows[level] = low;
    this.env.arena.setRegionLow(this.stacks[level]!, low);
  }

  /** Push a frame: depth check, r10 at the top of its 512 bytes. Only a run's first frame is
   *  zeroed on entry, so repeated runs start alike; within a run, callee and callback frames start
   *  with whatever this run's last frame at that depth left, as in the kernel (whose verifier
   *  refuses reads of uninitialised stack). Zeroing costs ~30 ns per frame, a third of a
   *  callback's cost, so deeper frames are cleared once, when the run ends (clearDeepFrames). */
  /** @internal (also called by vm/compiler's generated code) */
  enterFrame(run: Run, R: Int32Array): void {
    const base = run.depth === 0 ? 1 : run.frameBase[run.depth]!;
    if (run.depth - base + 1 >= MAX_CALL_FRAMES || run.depth >= MAX_RUN_FRAMES) throw new FaultSignal(`call depth exceeds ${MAX_CALL_FRAMES} frames`);
    run.depth++;
    run.frameBase[run.depth] = base;
    if (run.depth > run.maxDepth) run.maxDepth = run.depth;
    run.loopBudget[run.depth] = BPF_MAX_LOOPS;
    const s = this.stackFor(run, run.depth);
    // (Int32Array: a quarter of the elements of the byte view; frames are 512-aligned.)
    if (run.depth === 1) this.env.arena.i32.fill(0, s >>> 2, (s + MAX_BPF_STACK) >>> 2);
    this.moveStackLow(run.stackBase / MAX_RUN_FRAMES, s);
    R[20] = s + MAX_BPF_STACK; // r10
    R[21] = 0;
  }

  /** Zero the frames below the first that this run used (they lie contiguously below it), so no
   *  run, verified or not, can read an earlier run's callee or callback stack data. */
  private clearDeepFrames(run: Run): void {
    if (run.maxDepth <= 1) return;
    const low = this.stackFor(run, run.maxDepth);
    this.env.arena.i32.fill(0, low >>> 2, this.stackFor(run, 1) >>> 2);
    run.maxDepth = 1;
  }

  /** Call a BPF function of `prog` at `pc` with new frames on top of the current run. */
  invoke(run: Run, prog: Program, pc: number, args: readonly (bigint | number)[], decoded: Decoded = this.decode(prog)): bigint {
    if (pc < 0 || pc >= decoded.length || (pc > 0 && decoded.code[pc - 1] === 0x18)) {
      throw new FaultSignal(`function handle points at pc ${pc}, outside the program or not an instruction`);
    }
    this.closeLeaf(run);
    // Register files and call contexts are pooled per depth: frames nest strictly, so the one at
    // depth d is dead once its callback returns (bpf_loop and rbtree comparators call often).
    const depth = run.depth + 1;
    const ctx = run.contextAt(this, depth);
    const R = ctx.R;
    R.fill(0);
    for (let i = 0; i < 5 && i < args.length; i++) setReg(R, i + 1, args[i]!);
    this.runCallback(run, prog, decoded, pc, ctx);
    return toU64(R[0]!, R[1]!);
  }

  /** `invoke` with two number arguments, returning the callee's register file (r0 in [0], [1]):
   *  the comparator path of rbtree add/find, called log2(N) times per operation. */
  invoke2(run: Run, prog: Program, pc: number, a: number, b: number, decoded: Decoded, aBytes = 0, bBytes = 0): Int32Array {
    if (pc < 0 || pc >= decoded.length || (pc > 0 && decoded.code[pc - 1] === 0x18)) {
      throw new FaultSignal(`function handle points at pc ${pc}, outside the program or not an instruction`);
    }
    if (this.engine === 'compiled' && run.req.trace === undefined && a >>> 0 === a && b >>> 0 === b) {
      const leaf = this.leafCallback(prog, decoded, pc);
      if (leaf !== null) return this.runLeaf(run, prog, pc, leaf, a, b, aBytes, bBytes);
    }
    this.closeLeaf(run);
    const ctx = run.contextAt(this, run.depth + 1);
    const R = ctx.R;
    R.fill(0);
    // node addresses and stack keys are u32: their high halves stay 0
    if (a >>> 0 === a) R[2] = a;
    else setReg(R, 1, a);
    if (b >>> 0 === b) R[4] = b;
    else setReg(R, 2, b);
    this.runCallback(run, prog, decoded, pc, ctx);
    return R;
  }

  /** invoke2 through a compiled leaf callback: the generated function is called directly,
   *  without exec and execCompiled's dispatch. Its frame is entered as runCallback enters one, but
   *  left lazily (closeLeaf): the comparator calls of one rbtree add or find, ~10 in a row with
   *  only the tree's own link reads between them, share one frame entry and exit, which otherwise
   *  cost ~40 ns per call. Nothing can observe the difference: each call gets fresh registers, r10
   *  at the same frame, a fresh may_goto budget, the stack bytes the previous frame at that depth
   *  left (as separate entries give), and every way out of the helper, or into another frame,
   *  run, tail call or the arena, closes the frame first (closeLeaf's callers). Only the frame's
   *  r0 is written back on success (its other registers are never read); a fault reports them all.
   *  @internal (also called by CallContext's comparator) */
  runLeaf(run: Run, prog: Program, pc: number, leaf: CompiledLeaf, a: number, b: number, aBytes: number, bBytes: number): Int32Array {
    let R: Int32Array;
    if (!run.leafOpen) {
      R = run.contextAt(this, run.depth + 1).R;
      run.leafR = R;
      run.openLeaf = leaf;
      leaf.reset();
      const deepest = run.maxDepth;
      this.enterFrame(run, R);
      // a callback that stores nothing leaves its frame's bytes as they were: the run's end need
      // not clear that frame for it (clearDeepFrames; ~30 ns per run)
      if (!leaf.stores) run.maxDepth = deepest;
      run.callbacks++;
      run.leafOpen = true;
    } else {
      R = run.leafR;
      // a fresh may_goto budget per call (only a callback with may_goto reads it)
      if (leaf.mayGoto) run.loopBudget[run.depth] = BPF_MAX_LOOPS;
      // another callback in the same frame entry: its caches are from an earlier entry
      if (run.openLeaf !== leaf) {
        run.loopBudget[run.depth] = BPF_MAX_LOOPS;
        run.openLeaf = leaf;
        leaf.reset();
      }
    }
    run.pc = pc;
    run.prog = prog;
    this.compileStats.compiledRuns++;
    try {
      return leaf.fn(run, R, a, b, R[20]!, aBytes, bBytes);
    } catch (e) {
      this.closeLeaf(run);
      throw this.asFault(run, prog, R, e);
    }
  }

  /** Leave the frame runLeaf left entered, if any. */
  /** @internal (also called by CallContext) */
  closeLeaf(run: Run): void {
    if (!run.leafOpen) return;
    run.leafOpen = false;
    run.callbacks--;
    run.depth--;
    this.setStackLow(run);
  }

  /** The compiled leaf function of the callback of `prog` at `pc` (codegen's leafBlocks), made on
   *  first use and cached with the program; null when the callback is not a leaf or does not
   *  compile (invoke2 then takes the general path). */
  /** @internal (also called by CallContext's comparator) */
  leafCallback(prog: Program, decoded: Decoded, pc: number): CompiledLeaf | null {
    if (prog === this.lastLeafProg && pc === this.lastLeafPc) return this.lastLeaf;
    let byPc = this.leafCache.get(prog);
    if (byPc === undefined) this.leafCache.set(prog, (byPc = new Map()));
    let f = byPc.get(pc);
    if (f === undefined) {
      f = null;
      const only = prog.insns.length <= MAX_COMPILED_SLOTS ? leafBlocks(prog.insns, pc) : undefined;
      if (only !== undefined) {
        try {
          const c = compileLeaf(prog.insns, `${prog.name}_leaf_${pc}`, this, prog, decoded, COMPILER_KIT, only, pc);
          this.compileStats.compiled++;
          this.compileStats.leafCallbacks++;
          this.compileStats.compileMs += c.compileMs;
          f = c;
        } catch (e) {
          if (!(e instanceof NotCompiled) && !(e instanceof SyntaxError)) throw e;
        }
      }
      byPc.set(pc, f);
    }
    this.lastLeafProg = prog;
    this.lastLeafPc = pc;
    this.lastLeaf = f;
    return f;
  }

  private runCallback(run: Run, prog: Program, decoded: Decoded, pc: number, ctx: CallContext): void {
    this.enterFrame(run, ctx.R);
    run.callbacks++;
    try {
      this.exec(run, prog, decoded, pc, ctx, true);
    } finally {
      run.callbacks--;
      run.depth--;
      this.setStackLow(run);
    }
  }


  // ---- the loop ----------------------------------------------------------------------------

  /** Run from `entry` until the frame entered at the current depth exits; r0 is left in R[0..1].
   *  The loop itself has no try/catch (it costs ~5% in V8): every site that can throw first
   *  records pc and program in `run`, and this wrapper turns the throw into a VmFault there. */
  private exec(run: Run, prog: Program, decoded: Decoded, entry: number, ctx: CallContext, callback = false, baseDepth = run.depth): void {
    run.pc = entry;
    run.prog = prog;
    try {
      if (this.engine === 'compiled' && run.req.trace === undefined) this.execCompiled(run, prog, decoded, entry, ctx, callback, baseDepth);
      else this.loop(run, prog, decoded, entry, ctx, baseDepth);
    } catch (e) {
      throw this.asFault(run, prog, ctx.R, e);
    }
  }

  /** What `exec` throws for `e`, raised while running `prog` (or the program run.prog names) with
   *  registers R: a VmFault at run.pc; faults raised deeper and bpf_throw pass unchanged. */
  private asFault(run: Run, prog: Program, R: Int32Array, e: unknown): unknown {
    if (e instanceof VmFault) return e; // raised deeper (e.g. inside a callback): keep its pc
    if (e instanceof ThrowSignal) return e; // bpf_throw: run() unwinds to the exception callback
    const reason = e instanceof FaultSignal ? e.reason : `internal error: ${e instanceof Error ? e.message : String(e)}`;
    const at = run.prog ?? prog;
    return this.fault(run, at, run.pc, at.insns[run.pc]?.code ?? 0, R, reason);
  }

  /** Run compiled code from `entry` until the frame entered at the current depth exits. Compiled
   *  programs hand over to each other (tail calls, returns into another program's frame); a
   *  program the compiler left alone, or an entry pc that is not one of its block starts, is
   *  finished by the interpreter's loop from there, with the same run state. */
  private execCompiled(run: Run, prog: Program, decoded: Decoded, entry: number, ctx: CallContext, callback: boolean, baseDepth = run.depth): void {
    let p = prog;
    let d = decoded;
    let pc = entry;
    let first = callback;
    this.compileStats.compiledRuns++;
    for (;;) {
      const c = this.compiled(p, d, run.req.verified === true, run.limit === Infinity);
      if (c !== null && c.blocks[pc] === 1) {
        const f = first ? this.compiledEntry(p, d, pc, c) : c;
        first = false;
        const status = f.fn(run, ctx, pc, baseDepth);
        if (status === 0) return;
        if (status === 1) {
          p = run.nextProg!;
          d = this.decode(p);
        }
        pc = run.nextPc;
        run.nextProg = undefined;
        if (status === 1) continue;
      }
      this.compileStats.interpretedFallbacks++;
      run.pc = pc;
      run.prog = p;
      this.loop(run, p, d, pc, ctx, baseDepth);
      return;
    }
  }

  /** The interpreter loop. Instructions are counted per basic block (at jumps, calls and exits),
   *  so the budget costs nothing on straight-line code; a block may overrun the budget by its own
   *  length before the check at its end stops the run. `baseDepth` is the depth whose exit ends
   *  the loop (below run.depth when compiled code hands a run over from inside a call). */
  private loop(run: Run, prog: Program, decoded: Decoded, entry: number, ctx: CallContext, baseDepth: number): void {
    // r0..r10 as halves: lo of rN at R[2N], hi at R[2N + 1]
    const R = ctx.R;
    const arena = this.env.arena;
    const tmp = this.tmp;
    const trace = run.req.trace;
    let P = decoded.packed; // 4 words per slot: see Decoded.packed
    let curProg = prog;
    let curDecoded = decoded;
    let count = run.insnCount;
    const limit = run.limit;
    let pc = entry;
    let bs = entry; // first pc of the current basic block
    // Last region found readable / writable; reset after every helper call (see Arena.accessRange).
    const rng = this.rng;
    // The arena's views: replaced when it grows (vm/memory.ts), which only a helper, a kfunc or a
    // map value's first resolution (LD_IMM64) can make happen mid-run, so they are read again
    // after those when `arena.views` moved.
    let views = arena.views;
    let dv = arena.dv;
    let u8 = arena.u8;
    let i32 = arena.i32;
    let u16 = arena.u16;
    let i16 = arena.i16;
    let i8 = arena.i8;
    let rS = 0;
    let rE = 0;
    let wS = 0;
    let wE = 0;
    {
      for (;;) {
        const w = P[pc << 2]!;
        const op = w & 0xff;
        if (trace !== undefined) {
          run.pc = pc;
          run.prog = curProg;
          trace(traceLine(curProg, pc, op, (w >> 12) & 0xf, (w >> 8) & 0xf, run.depth, R), { pc, depth: run.depth, prog: curProg, regs: R });
        }
        const d = (w >> 7) & 0x1e; // 2 * dst
        switch (op) {
          // ---- ALU64, ALU32, JMP, JMP32: one arm per opcode and operand source ----------------
          case 0x07: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            const t = (R[d]! >>> 0) + (bl >>> 0);
            R[d] = t;
            R[d + 1] = R[d + 1]! + bh + (t > 0xffffffff ? 1 : 0);
            break;
          }
          case 0x0f: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            const t = (R[d]! >>> 0) + (bl >>> 0);
            R[d] = t;
            R[d + 1] = R[d + 1]! + bh + (t > 0xffffffff ? 1 : 0);
            break;
          }
          case 0x17: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            const t = (R[d]! >>> 0) - (bl >>> 0);
            R[d] = t;
            R[d + 1] = R[d + 1]! - bh - (t < 0 ? 1 : 0);
            break;
          }
          case 0x1f: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            const t = (R[d]! >>> 0) - (bl >>> 0);
            R[d] = t;
            R[d + 1] = R[d + 1]! - bh - (t < 0 ? 1 : 0);
            break;
          }
          case 0x27: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            // low 64 bits of the product; the 32x32 part in 16-bit pieces stays exact in doubles
            const al = R[d]!;
            const a = al >>> 0;
            const b = bl >>> 0;
            const a0 = a & 0xffff;
            const a1 = a >>> 16;
            const b0 = b & 0xffff;
            const b1 = b >>> 16;
            const mid = a0 * b1 + a1 * b0;
            const low = a0 * b0 + (mid % 65536) * 65536;
            R[d + 1] = a1 * b1 + Math.floor(mid / 65536) + Math.floor(low / TWO32) + Math.imul(al, bh) + Math.imul(R[d + 1]!, bl);
            R[d] = low;
            break;
          }
          case 0x2f: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            // low 64 bits of the product; the 32x32 part in 16-bit pieces stays exact in doubles
            const al = R[d]!;
            const a = al >>> 0;
            const b = bl >>> 0;
            const a0 = a & 0xffff;
            const a1 = a >>> 16;
            const b0 = b & 0xffff;
            const b1 = b >>> 16;
            const mid = a0 * b1 + a1 * b0;
            const low = a0 * b0 + (mid % 65536) * 65536;
            R[d + 1] = a1 * b1 + Math.floor(mid / 65536) + Math.floor(low / TWO32) + Math.imul(al, bh) + Math.imul(R[d + 1]!, bl);
            R[d] = low;
            break;
          }
          case 0x37: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            divmod64(R[d]!, R[d + 1]!, bl, bh, P[(pc << 2) + 1] === 1, false, tmp);
            R[d] = tmp[0]!;
            R[d + 1] = tmp[1]!;
            break;
          }
          case 0x3f: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            divmod64(R[d]!, R[d + 1]!, bl, bh, P[(pc << 2) + 1] === 1, false, tmp);
            R[d] = tmp[0]!;
            R[d + 1] = tmp[1]!;
            break;
          }
          case 0x97: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            divmod64(R[d]!, R[d + 1]!, bl, bh, P[(pc << 2) + 1] === 1, true, tmp);
            R[d] = tmp[0]!;
            R[d + 1] = tmp[1]!;
            break;
          }
          case 0x9f: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            divmod64(R[d]!, R[d + 1]!, bl, bh, P[(pc << 2) + 1] === 1, true, tmp);
            R[d] = tmp[0]!;
            R[d + 1] = tmp[1]!;
            break;
          }
          case 0x47: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            R[d] = R[d]! | bl;
            R[d + 1] = R[d + 1]! | bh;
            break;
          }
          case 0x4f: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            R[d] = R[d]! | bl;
            R[d + 1] = R[d + 1]! | bh;
            break;
          }
          case 0x57: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            R[d] = R[d]! & bl;
            R[d + 1] = R[d + 1]! & bh;
            break;
          }
          case 0x5f: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            R[d] = R[d]! & bl;
            R[d + 1] = R[d + 1]! & bh;
            break;
          }
          case 0xa7: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            R[d] = R[d]! ^ bl;
            R[d + 1] = R[d + 1]! ^ bh;
            break;
          }
          case 0xaf: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            R[d] = R[d]! ^ bl;
            R[d + 1] = R[d + 1]! ^ bh;
            break;
          }
          case 0x67: {
            const n = P[(pc << 2) + 2]! & 63;
            if (n === 0) break;
            const al = R[d]!;
            if (n < 32) {
              R[d + 1] = (R[d + 1]! << n) | (al >>> (32 - n));
              R[d] = al << n;
            } else {
              R[d + 1] = al << (n - 32);
              R[d] = 0;
            }
            break;
          }
          case 0x77: {
            const n = P[(pc << 2) + 2]! & 63;
            if (n === 0) break;
            const ah = R[d + 1]!;
            if (n < 32) {
              R[d] = (R[d]! >>> n) | (ah << (32 - n));
              R[d + 1] = ah >>> n;
            } else {
              R[d] = ah >>> (n - 32);
              R[d + 1] = 0;
            }
            break;
          }
          case 0xc7: {
            const n = P[(pc << 2) + 2]! & 63;
            if (n === 0) break;
            const ah = R[d + 1]!;
            if (n < 32) {
              R[d] = (R[d]! >>> n) | (ah << (32 - n));
              R[d + 1] = ah >> n;
            } else {
              R[d] = ah >> (n - 32);
              R[d + 1] = ah >> 31;
            }
            break;
          }
          case 0x6f: {
            const n = R[(w >> 11) & 0x1e]! & 63;
            if (n === 0) break;
            const al = R[d]!;
            if (n < 32) {
              R[d + 1] = (R[d + 1]! << n) | (al >>> (32 - n));
              R[d] = al << n;
            } else {
              R[d + 1] = al << (n - 32);
              R[d] = 0;
            }
            break;
          }
          case 0x7f: {
            const n = R[(w >> 11) & 0x1e]! & 63;
            if (n === 0) break;
            const ah = R[d + 1]!;
            if (n < 32) {
              R[d] = (R[d]! >>> n) | (ah << (32 - n));
              R[d + 1] = ah >>> n;
            } else {
              R[d] = ah >>> (n - 32);
              R[d + 1] = 0;
            }
            break;
          }
          case 0xcf: {
            const n = R[(w >> 11) & 0x1e]! & 63;
            if (n === 0) break;
            const ah = R[d + 1]!;
            if (n < 32) {
              R[d] = (R[d]! >>> n) | (ah << (32 - n));
              R[d + 1] = ah >> n;
            } else {
              R[d] = ah >> (n - 32);
              R[d + 1] = ah >> 31;
            }
            break;
          }
          case 0x87: {
            const al = R[d]!;
            R[d] = -al;
            R[d + 1] = al === 0 ? -R[d + 1]! : ~R[d + 1]!;
            break;
          }
          case 0xb7: {
            R[d] = P[(pc << 2) + 2]!;
            R[d + 1] = P[(pc << 2) + 3]!;
            break;
          }
          case 0xbf: {
            const s = ((w >> 11) & 0x1e);
            const wd = P[(pc << 2) + 1]!;
            if (wd === 0) {
              R[d] = R[s]!;
              R[d + 1] = R[s + 1]!;
            } else if (wd === -1) {
              // the verifier's per-CPU address move: this CPU's per-CPU area added
              const t = (R[s]! >>> 0) + this.percpuAddr(run.req.cpu);
              R[d + 1] = (R[s + 1]! + (t > 0xffffffff ? 1 : 0)) | 0;
              R[d] = t | 0;
            } else if (wd === 1) {
              // addr_space_cast: to the kernel view (imm 1) the low 32 bits; to the user view
              // (imm 1 << 16) the BPF arena's upper half is put back on a non-NULL pointer
              const lo = R[s]!;
              R[d] = lo;
              R[d + 1] = P[(pc << 2) + 2] === 1 || lo === 0 ? 0 : addrSpaceUserHi(curProg);
            } else {
              const v = wd === 8 ? (R[s]! << 24) >> 24 : wd === 16 ? (R[s]! << 16) >> 16 : R[s]!;
              R[d] = v;
              R[d + 1] = v >> 31;
            }
            break;
          }
          case 0xd7: {
            byteSwap(R, d, P[(pc << 2) + 2]!);
            break;
          }
          case 0x04: {
            const b = P[(pc << 2) + 2]!;
            R[d] = R[d]! + b;
            R[d + 1] = 0;
            break;
          }
          case 0x0c: {
            const b = R[(w >> 11) & 0x1e]!;
            R[d] = R[d]! + b;
            R[d + 1] = 0;
            break;
          }
          case 0x14: {
            const b = P[(pc << 2) + 2]!;
            R[d] = R[d]! - b;
            R[d + 1] = 0;
            break;
          }
          case 0x1c: {
            const b = R[(w >> 11) & 0x1e]!;
            R[d] = R[d]! - b;
            R[d + 1] = 0;
            break;
          }
          case 0x24: {
            const b = P[(pc << 2) + 2]!;
            R[d] = Math.imul(R[d]!, b);
            R[d + 1] = 0;
            break;
          }
          case 0x2c: {
            const b = R[(w >> 11) & 0x1e]!;
            R[d] = Math.imul(R[d]!, b);
            R[d + 1] = 0;
            break;
          }
          case 0x34: {
            const b = P[(pc << 2) + 2]!;
            const a = R[d]!;
            if (b === 0) R[d] = 0;
            else if (P[(pc << 2) + 1] === 1) R[d] = b === -1 ? -a : (a / b) | 0;
            else R[d] = (a >>> 0) / (b >>> 0);
            R[d + 1] = 0;
            break;
          }
          case 0x3c: {
            const b = R[(w >> 11) & 0x1e]!;
            const a = R[d]!;
            if (b === 0) R[d] = 0;
            else if (P[(pc << 2) + 1] === 1) R[d] = b === -1 ? -a : (a / b) | 0;
            else R[d] = (a >>> 0) / (b >>> 0);
            R[d + 1] = 0;
            break;
          }
          case 0x94: {
            const b = P[(pc << 2) + 2]!;
            const a = R[d]!;
            if (b === 0) R[d] = a;
            else if (P[(pc << 2) + 1] === 1) R[d] = b === -1 ? 0 : a % b;
            else R[d] = (a >>> 0) % (b >>> 0);
            R[d + 1] = 0;
            break;
          }
          case 0x9c: {
            const b = R[(w >> 11) & 0x1e]!;
            const a = R[d]!;
            if (b === 0) R[d] = a;
            else if (P[(pc << 2) + 1] === 1) R[d] = b === -1 ? 0 : a % b;
            else R[d] = (a >>> 0) % (b >>> 0);
            R[d + 1] = 0;
            break;
          }
          case 0x44: {
            const b = P[(pc << 2) + 2]!;
            R[d] = R[d]! | b;
            R[d + 1] = 0;
            break;
          }
          case 0x4c: {
            const b = R[(w >> 11) & 0x1e]!;
            R[d] = R[d]! | b;
            R[d + 1] = 0;
            break;
          }
          case 0x54: {
            const b = P[(pc << 2) + 2]!;
            R[d] = R[d]! & b;
            R[d + 1] = 0;
            break;
          }
          case 0x5c: {
            const b = R[(w >> 11) & 0x1e]!;
            R[d] = R[d]! & b;
            R[d + 1] = 0;
            break;
          }
          case 0xa4: {
            const b = P[(pc << 2) + 2]!;
            R[d] = R[d]! ^ b;
            R[d + 1] = 0;
            break;
          }
          case 0xac: {
            const b = R[(w >> 11) & 0x1e]!;
            R[d] = R[d]! ^ b;
            R[d + 1] = 0;
            break;
          }
          case 0x64: {
            const b = P[(pc << 2) + 2]!;
            R[d] = R[d]! << b;
            R[d + 1] = 0;
            break;
          }
          case 0x6c: {
            const b = R[(w >> 11) & 0x1e]!;
            R[d] = R[d]! << b;
            R[d + 1] = 0;
            break;
          }
          case 0x74: {
            const b = P[(pc << 2) + 2]!;
            R[d] = R[d]! >>> b;
            R[d + 1] = 0;
            break;
          }
          case 0x7c: {
            const b = R[(w >> 11) & 0x1e]!;
            R[d] = R[d]! >>> b;
            R[d + 1] = 0;
            break;
          }
          case 0xc4: {
            const b = P[(pc << 2) + 2]!;
            R[d] = R[d]! >> b;
            R[d + 1] = 0;
            break;
          }
          case 0xcc: {
            const b = R[(w >> 11) & 0x1e]!;
            R[d] = R[d]! >> b;
            R[d + 1] = 0;
            break;
          }
          case 0x84: {
            R[d] = -R[d]!;
            R[d + 1] = 0;
            break;
          }
          case 0xb4: {
            R[d] = P[(pc << 2) + 2]!;
            R[d + 1] = 0;
            break;
          }
          case 0xbc: {
            const wd = P[(pc << 2) + 1]!;
            const v = R[(w >> 11) & 0x1e]!;
            R[d] = wd === 0 ? v : wd === 8 ? (v << 24) >> 24 : (v << 16) >> 16;
            R[d + 1] = 0;
            break;
          }
          case 0xd4: {
            // to little-endian on a little-endian machine: truncate to the width
            const wd = P[(pc << 2) + 2]!;
            if (wd === 16) R[d] = R[d]! & 0xffff;
            if (wd !== 64) R[d + 1] = 0;
            break;
          }
          case 0xdc: {
            byteSwap(R, d, P[(pc << 2) + 2]!);
            break;
          }
          case 0x05: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0xe5: {
            // may_goto: fall through while the frame's budget lasts, then always branch.
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const left = run.loopBudget[run.depth]!;
            if (left === 0) pc += P[(pc << 2) + 1]!;
            else run.loopBudget[run.depth] = left - 1;
            bs = pc + 1;
            break;
          }
          case 0x15: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if (R[d] === bl && R[d + 1] === bh) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x1d: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if (R[d] === bl && R[d + 1] === bh) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x55: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if (R[d] !== bl || R[d + 1] !== bh) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x5d: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if (R[d] !== bl || R[d + 1] !== bh) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x45: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if ((R[d]! & bl) !== 0 || (R[d + 1]! & bh) !== 0) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x4d: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if ((R[d]! & bl) !== 0 || (R[d + 1]! & bh) !== 0) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x25: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if ((R[d + 1]! >>> 0) > (bh >>> 0) || (R[d + 1] === bh && (R[d]! >>> 0) > (bl >>> 0))) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x2d: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if ((R[d + 1]! >>> 0) > (bh >>> 0) || (R[d + 1] === bh && (R[d]! >>> 0) > (bl >>> 0))) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x35: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if ((R[d + 1]! >>> 0) > (bh >>> 0) || (R[d + 1] === bh && (R[d]! >>> 0) >= (bl >>> 0))) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x3d: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if ((R[d + 1]! >>> 0) > (bh >>> 0) || (R[d + 1] === bh && (R[d]! >>> 0) >= (bl >>> 0))) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0xa5: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if ((R[d + 1]! >>> 0) < (bh >>> 0) || (R[d + 1] === bh && (R[d]! >>> 0) < (bl >>> 0))) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0xad: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if ((R[d + 1]! >>> 0) < (bh >>> 0) || (R[d + 1] === bh && (R[d]! >>> 0) < (bl >>> 0))) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0xb5: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if ((R[d + 1]! >>> 0) < (bh >>> 0) || (R[d + 1] === bh && (R[d]! >>> 0) <= (bl >>> 0))) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0xbd: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if ((R[d + 1]! >>> 0) < (bh >>> 0) || (R[d + 1] === bh && (R[d]! >>> 0) <= (bl >>> 0))) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x65: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if (R[d + 1]! > bh || (R[d + 1] === bh && (R[d]! >>> 0) > (bl >>> 0))) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x6d: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if (R[d + 1]! > bh || (R[d + 1] === bh && (R[d]! >>> 0) > (bl >>> 0))) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x75: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if (R[d + 1]! > bh || (R[d + 1] === bh && (R[d]! >>> 0) >= (bl >>> 0))) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x7d: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if (R[d + 1]! > bh || (R[d + 1] === bh && (R[d]! >>> 0) >= (bl >>> 0))) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0xc5: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if (R[d + 1]! < bh || (R[d + 1] === bh && (R[d]! >>> 0) < (bl >>> 0))) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0xcd: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if (R[d + 1]! < bh || (R[d + 1] === bh && (R[d]! >>> 0) < (bl >>> 0))) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0xd5: {
            const bl = P[(pc << 2) + 2]!;
            const bh = bl >> 31;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if (R[d + 1]! < bh || (R[d + 1] === bh && (R[d]! >>> 0) <= (bl >>> 0))) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0xdd: {
            const s = ((w >> 11) & 0x1e);
            const bl = R[s]!;
            const bh = R[s + 1]!;
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if (R[d + 1]! < bh || (R[d + 1] === bh && (R[d]! >>> 0) <= (bl >>> 0))) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x06: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            pc += P[(pc << 2) + 2]!;
            bs = pc + 1;
            break;
          }
          case 0x16: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = P[(pc << 2) + 2]!;
            if (a === b) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x1e: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = R[(w >> 11) & 0x1e]!;
            if (a === b) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x56: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = P[(pc << 2) + 2]!;
            if (a !== b) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x5e: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = R[(w >> 11) & 0x1e]!;
            if (a !== b) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x46: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = P[(pc << 2) + 2]!;
            if ((a & b) !== 0) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x4e: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = R[(w >> 11) & 0x1e]!;
            if ((a & b) !== 0) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x26: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = P[(pc << 2) + 2]!;
            if (a >>> 0 > b >>> 0) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x2e: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = R[(w >> 11) & 0x1e]!;
            if (a >>> 0 > b >>> 0) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x36: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = P[(pc << 2) + 2]!;
            if (a >>> 0 >= b >>> 0) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x3e: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = R[(w >> 11) & 0x1e]!;
            if (a >>> 0 >= b >>> 0) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0xa6: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = P[(pc << 2) + 2]!;
            if (a >>> 0 < b >>> 0) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0xae: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = R[(w >> 11) & 0x1e]!;
            if (a >>> 0 < b >>> 0) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0xb6: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = P[(pc << 2) + 2]!;
            if (a >>> 0 <= b >>> 0) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0xbe: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = R[(w >> 11) & 0x1e]!;
            if (a >>> 0 <= b >>> 0) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x66: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = P[(pc << 2) + 2]!;
            if (a > b) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x6e: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = R[(w >> 11) & 0x1e]!;
            if (a > b) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x76: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = P[(pc << 2) + 2]!;
            if (a >= b) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0x7e: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = R[(w >> 11) & 0x1e]!;
            if (a >= b) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0xc6: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = P[(pc << 2) + 2]!;
            if (a < b) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0xce: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = R[(w >> 11) & 0x1e]!;
            if (a < b) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0xd6: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = P[(pc << 2) + 2]!;
            if (a <= b) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }
          case 0xde: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            const a = R[d]!;
            const b = R[(w >> 11) & 0x1e]!;
            if (a <= b) pc += P[(pc << 2) + 1]!;
            bs = pc + 1;
            break;
          }


          // ---- calls and exit (each ends a basic block) ----------------------------------------
          case 0x85:
          case 0x8d: {
            count += pc + 1 - bs;
            run.pc = pc;
            run.prog = curProg;
            if (count > limit) throw budgetFault(limit);
            let target = -1; // local call target, or -1 for a helper call
            let helperId = P[(pc << 2) + 2]!;
            if (op === 0x8d) {
              const r = d !== 0 ? d : 2 * P[(pc << 2) + 2]!; // 2 * register
              if (R[r + 1] === FUNC_TAG) target = R[r]! >>> 0;
              else if (run.req.callxHelpers && R[r + 1] === 0) helperId = R[r]!;
              else throw new FaultSignal(`callx r${r / 2}: 0x${toU64(R[r]!, R[r + 1]!).toString(16)} is not a function handle`);
            } else if (((w >> 12) & 0xf) === 1) target = pc + P[(pc << 2) + 2]! + 1;
            else if (((w >> 12) & 0xf) === 2) {
              run.insnCount = count;
              this.callKfunc(run, ctx, curProg, curDecoded, pc, P[(pc << 2) + 2]!, R);
              count = run.insnCount;
              rS = rE = wS = wE = 0; // like a helper, it may have changed memory
              if (arena.views !== views) {
                views = arena.views;
                dv = arena.dv;
                u8 = arena.u8;
                i32 = arena.i32;
                u16 = arena.u16;
                i16 = arena.i16;
                i8 = arena.i8;
              }
              bs = pc + 1;
              break;
            }
            if (target >= 0) {
              if (target >= curDecoded.length || (op === 0x8d && curDecoded.code[target - 1] === 0x18)) {
                throw new FaultSignal(`call to pc ${target}, outside the program or not an instruction`);
              }
              const depth = run.depth;
              if (depth - run.frameBase[depth]! + 1 >= MAX_CALL_FRAMES || depth >= MAX_RUN_FRAMES) throw new FaultSignal(`call depth exceeds ${MAX_CALL_FRAMES} frames`);
              const o = depth * 10;
              const sv = run.saved;
              for (let k = 0; k < 10; k++) sv[o + k] = R[12 + k]!; // r6..r10
              run.retPc[depth] = pc + 1;
              run.retProg[depth] = curProg;
              this.enterFrame(run, R);
              pc = bs = target;
              continue;
            }
            run.insnCount = count;
            this.callHelper(run, ctx, curProg, curDecoded, pc, helperId, R);
            count = run.insnCount;
            rS = rE = wS = wE = 0;
            if (arena.views !== views) {
              views = arena.views;
              dv = arena.dv;
              u8 = arena.u8;
              i32 = arena.i32;
              u16 = arena.u16;
              i16 = arena.i16;
              i8 = arena.i8;
            }
            if (run.pendingTail !== undefined) {
              curProg = run.pendingTail;
              run.pendingTail = undefined;
              run.loopBudget[run.depth] = BPF_MAX_LOOPS; // the target's prologue sets its own
              curDecoded = this.decode(curProg);
              P = curDecoded.packed;
              pc = bs = 0;
              continue;
            }
            bs = pc + 1;
            break;
          }
          case 0x95: {
            count += pc + 1 - bs;
            if (count > limit) {
              run.pc = pc;
              run.prog = curProg;
              throw budgetFault(limit);
            }
            if (run.depth === baseDepth) {
              run.lastPc = pc;
              run.insnCount = count;
              return;
            }
            run.depth--;
            this.setStackLow(run);
            rS = rE = wS = wE = 0; // the callee's frame is no longer accessible
            const depth = run.depth;
            const o = depth * 10;
            const sv = run.saved;
            for (let k = 0; k < 10; k++) R[12 + k] = sv[o + k]!;
            const back = run.retProg[depth]!;
            if (back !== curProg) {
              curProg = back;
              curDecoded = this.decode(back);
              P = curDecoded.packed;
            }
            pc = bs = run.retPc[depth]!;
            continue;
          }

          // ---- LD ------------------------------------------------------------------------------
          case 0x18: {
            const s = (w >> 12) & 0xf;
            if (s === 0) {
              R[d] = P[(pc << 2) + 2]!;
              R[d + 1] = P[(pc << 2) + 6]!;
            } else {
              run.pc = pc;
              run.prog = curProg;
              this.loadImm64Pseudo(run, curDecoded, pc, s, P[(pc << 2) + 2]!, P[(pc << 2) + 6]!, R, d);
              // resolving a map value may allocate (Runtime.mapValueAddress): the views may have moved
              if (arena.views !== views) {
                views = arena.views;
                dv = arena.dv;
                u8 = arena.u8;
                i32 = arena.i32;
                u16 = arena.u16;
                i16 = arena.i16;
                i8 = arena.i8;
              }
            }
            // two slots, one instruction: keep the block's slot count honest
            pc += 2;
            bs++;
            continue;
          }
          case 0x20:
          case 0x28:
          case 0x30:
          case 0x40:
          case 0x48:
          case 0x50: {
            const size = op === 0x20 || op === 0x40 ? 4 : op === 0x28 || op === 0x48 ? 2 : 1;
            let offset = P[(pc << 2) + 2]!;
            if (op >= 0x40) offset = (offset + R[(w >> 11) & 0x1e]!) | 0;
            const pkt = run.req.packet;
            if (pkt === undefined) {
              run.pc = pc;
              run.prog = curProg;
              throw new FaultSignal('LD_ABS/LD_IND without packet data');
            }
            const a = offset >= 0 ? pkt.start + offset : packetNegative(pkt, offset);
            if (a < 0 || a + size > pkt.end) {
              // An out-of-packet legacy load exits with r0 = 0 (the exit bpf_gen_ld_abs emits):
              // from the program, or in a subprogram back to its caller, as EXIT does.
              R[0] = 0;
              R[1] = 0;
              if (run.depth === baseDepth) {
                run.lastPc = pc;
                run.insnCount = count + pc + 1 - bs;
                return;
              }
              count += pc + 1 - bs;
              run.depth--;
              this.setStackLow(run);
              rS = rE = wS = wE = 0;
              const depth = run.depth;
              const o = depth * 10;
              const sv = run.saved;
              for (let k = 0; k < 10; k++) R[12 + k] = sv[o + k]!;
              const back = run.retProg[depth]!;
              if (back !== curProg) {
                curProg = back;
                curDecoded = this.decode(back);
                P = curDecoded.packed;
              }
              pc = bs = run.retPc[depth]!;
              continue;
            }
            R[0] = size === 4 ? dv.getInt32(a, false) : size === 2 ? dv.getUint16(a, false) : u8[a]!;
            R[1] = 0;
            break;
          }

          // ---- LDX / ST / STX: a one-entry range cache per direction skips the page lookup -----
          case 0x61: {
            const s = ((w >> 11) & 0x1e);
            let a = (R[s]! >>> 0) + P[(pc << 2) + 1]!;
            let ah = R[s + 1]!;
            if (a < 0) {
              a += TWO32;
              ah = (ah - 1) | 0;
            } else if (a >= TWO32) {
              a -= TWO32;
              ah = (ah + 1) | 0;
            }
            if (ah !== 0 || a < rS || a + 4 > rE) {
              if (ah === 0 && arena.accessRange(a, false, rng) && a + 4 <= rng[1]!) {
                rS = rng[0]!;
                rE = rng[1]!;
              } else {
                run.pc = pc;
                run.prog = curProg;
                this.loadSlow(run, pc, ah, a, 4);
                R[d] = tmp[0]!;
                R[d + 1] = tmp[1]!;
                break;
              }
            }
            R[d] = (a & 3) === 0 ? i32[a >>> 2]! : dv.getInt32(a, true);
            R[d + 1] = 0;
            break;
          }
          case 0x69: {
            const s = ((w >> 11) & 0x1e);
            let a = (R[s]! >>> 0) + P[(pc << 2) + 1]!;
            let ah = R[s + 1]!;
            if (a < 0) {
              a += TWO32;
              ah = (ah - 1) | 0;
            } else if (a >= TWO32) {
              a -= TWO32;
              ah = (ah + 1) | 0;
            }
            if (ah !== 0 || a < rS || a + 2 > rE) {
              if (ah === 0 && arena.accessRange(a, false, rng) && a + 2 <= rng[1]!) {
                rS = rng[0]!;
                rE = rng[1]!;
              } else {
                run.pc = pc;
                run.prog = curProg;
                this.loadSlow(run, pc, ah, a, 2);
                R[d] = tmp[0]!;
                R[d + 1] = tmp[1]!;
                break;
              }
            }
            R[d] = (a & 1) === 0 ? u16[a >>> 1]! : dv.getUint16(a, true);
            R[d + 1] = 0;
            break;
          }
          case 0x71: {
            const s = ((w >> 11) & 0x1e);
            let a = (R[s]! >>> 0) + P[(pc << 2) + 1]!;
            let ah = R[s + 1]!;
            if (a < 0) {
              a += TWO32;
              ah = (ah - 1) | 0;
            } else if (a >= TWO32) {
              a -= TWO32;
              ah = (ah + 1) | 0;
            }
            if (ah !== 0 || a < rS || a + 1 > rE) {
              if (ah === 0 && arena.accessRange(a, false, rng) && a + 1 <= rng[1]!) {
                rS = rng[0]!;
                rE = rng[1]!;
              } else {
                run.pc = pc;
                run.prog = curProg;
                this.loadSlow(run, pc, ah, a, 1);
                R[d] = tmp[0]!;
                R[d + 1] = tmp[1]!;
                break;
              }
            }
            R[d] = u8[a]!;
            R[d + 1] = 0;
            break;
          }
          case 0x79: {
            const s = ((w >> 11) & 0x1e);
            let a = (R[s]! >>> 0) + P[(pc << 2) + 1]!;
            let ah = R[s + 1]!;
            if (a < 0) {
              a += TWO32;
              ah = (ah - 1) | 0;
            } else if (a >= TWO32) {
              a -= TWO32;
              ah = (ah + 1) | 0;
            }
            if (ah !== 0 || a < rS || a + 8 > rE) {
              if (ah === 0 && arena.accessRange(a, false, rng) && a + 8 <= rng[1]!) {
                rS = rng[0]!;
                rE = rng[1]!;
              } else {
                run.pc = pc;
                run.prog = curProg;
                this.loadSlow(run, pc, ah, a, 8);
                R[d] = tmp[0]!;
                R[d + 1] = tmp[1]!;
                break;
              }
            }
            if ((a & 3) === 0) {
              R[d] = i32[a >>> 2]!;
              R[d + 1] = i32[(a >>> 2) + 1]!;
            } else {
              R[d] = dv.getInt32(a, true);
              R[d + 1] = dv.getInt32(a + 4, true);
            }
            break;
          }
          case 0x81: {
            const s = ((w >> 11) & 0x1e);
            let a = (R[s]! >>> 0) + P[(pc << 2) + 1]!;
            let ah = R[s + 1]!;
            if (a < 0) {
              a += TWO32;
              ah = (ah - 1) | 0;
            } else if (a >= TWO32) {
              a -= TWO32;
              ah = (ah + 1) | 0;
            }
            if (ah !== 0 || a < rS || a + 4 > rE) {
              if (ah === 0 && arena.accessRange(a, false, rng) && a + 4 <= rng[1]!) {
                rS = rng[0]!;
                rE = rng[1]!;
              } else {
                run.pc = pc;
                run.prog = curProg;
                this.loadSlow(run, pc, ah, a, 4);
                R[d] = tmp[0]!;
                R[d + 1] = R[d]! >> 31;
                break;
              }
            }
            R[d] = (a & 3) === 0 ? i32[a >>> 2]! : dv.getInt32(a, true);
            R[d + 1] = R[d]! >> 31;
            break;
          }
          case 0x89: {
            const s = ((w >> 11) & 0x1e);
            let a = (R[s]! >>> 0) + P[(pc << 2) + 1]!;
            let ah = R[s + 1]!;
            if (a < 0) {
              a += TWO32;
              ah = (ah - 1) | 0;
            } else if (a >= TWO32) {
              a -= TWO32;
              ah = (ah + 1) | 0;
            }
            if (ah !== 0 || a < rS || a + 2 > rE) {
              if (ah === 0 && arena.accessRange(a, false, rng) && a + 2 <= rng[1]!) {
                rS = rng[0]!;
                rE = rng[1]!;
              } else {
                run.pc = pc;
                run.prog = curProg;
                this.loadSlow(run, pc, ah, a, 2);
                R[d] = (tmp[0]! << 16) >> 16;
                R[d + 1] = R[d]! >> 31;
                break;
              }
            }
            R[d] = (a & 1) === 0 ? i16[a >>> 1]! : dv.getInt16(a, true);
            R[d + 1] = R[d]! >> 31;
            break;
          }
          case 0x91: {
            const s = ((w >> 11) & 0x1e);
            let a = (R[s]! >>> 0) + P[(pc << 2) + 1]!;
            let ah = R[s + 1]!;
            if (a < 0) {
              a += TWO32;
              ah = (ah - 1) | 0;
            } else if (a >= TWO32) {
              a -= TWO32;
              ah = (ah + 1) | 0;
            }
            if (ah !== 0 || a < rS || a + 1 > rE) {
              if (ah === 0 && arena.accessRange(a, false, rng) && a + 1 <= rng[1]!) {
                rS = rng[0]!;
                rE = rng[1]!;
              } else {
                run.pc = pc;
                run.prog = curProg;
                this.loadSlow(run, pc, ah, a, 1);
                R[d] = (tmp[0]! << 24) >> 24;
                R[d + 1] = R[d]! >> 31;
                break;
              }
            }
            R[d] = i8[a]!;
            R[d + 1] = R[d]! >> 31;
            break;
          }
          case 0x62: {
            let a = (R[d]! >>> 0) + P[(pc << 2) + 1]!;
            let ah = R[d + 1]!;
            if (a < 0) {
              a += TWO32;
              ah = (ah - 1) | 0;
            } else if (a >= TWO32) {
              a -= TWO32;
              ah = (ah + 1) | 0;
            }
            if (ah !== 0 || a < wS || a + 4 > wE) {
              if (ah === 0 && arena.accessRange(a, true, rng) && a + 4 <= rng[1]!) {
                wS = rng[0]!;
                wE = rng[1]!;
              } else if (ah !== 0 || !arena.canAccess(a, 4, true)) {
                run.pc = pc;
                run.prog = curProg;
                if (this.storeSlow(ah, a, 4)) break;
              }
            }
            if ((a & 3) === 0) i32[a >>> 2] = P[(pc << 2) + 2]!;
            else dv.setInt32(a, P[(pc << 2) + 2]!, true);
            break;
          }
          case 0x6a: {
            let a = (R[d]! >>> 0) + P[(pc << 2) + 1]!;
            let ah = R[d + 1]!;
            if (a < 0) {
              a += TWO32;
              ah = (ah - 1) | 0;
            } else if (a >= TWO32) {
              a -= TWO32;
              ah = (ah + 1) | 0;
            }
            if (ah !== 0 || a < wS || a + 2 > wE) {
              if (ah === 0 && arena.accessRange(a, true, rng) && a + 2 <= rng[1]!) {
                wS = rng[0]!;
                wE = rng[1]!;
              } else if (ah !== 0 || !arena.canAccess(a, 2, true)) {
                run.pc = pc;
                run.prog = curProg;
                if (this.storeSlow(ah, a, 2)) break;
              }
            }
            if ((a & 1) === 0) u16[a >>> 1] = P[(pc << 2) + 2]!;
            else dv.setUint16(a, P[(pc << 2) + 2]!, true);
            break;
          }
          case 0x72: {
            let a = (R[d]! >>> 0) + P[(pc << 2) + 1]!;
            let ah = R[d + 1]!;
            if (a < 0) {
              a += TWO32;
              ah = (ah - 1) | 0;
            } else if (a >= TWO32) {
              a -= TWO32;
              ah = (ah + 1) | 0;
            }
            if (ah !== 0 || a < wS || a + 1 > wE) {
              if (ah === 0 && arena.accessRange(a, true, rng) && a + 1 <= rng[1]!) {
                wS = rng[0]!;
                wE = rng[1]!;
              } else if (ah !== 0 || !arena.canAccess(a, 1, true)) {
                run.pc = pc;
                run.prog = curProg;
                if (this.storeSlow(ah, a, 1)) break;
              }
            }
            u8[a] = P[(pc << 2) + 2]!;
            break;
          }
          case 0x7a: {
            let a = (R[d]! >>> 0) + P[(pc << 2) + 1]!;
            let ah = R[d + 1]!;
            if (a < 0) {
              a += TWO32;
              ah = (ah - 1) | 0;
            } else if (a >= TWO32) {
              a -= TWO32;
              ah = (ah + 1) | 0;
            }
            if (ah !== 0 || a < wS || a + 8 > wE) {
              if (ah === 0 && arena.accessRange(a, true, rng) && a + 8 <= rng[1]!) {
                wS = rng[0]!;
                wE = rng[1]!;
              } else if (ah !== 0 || !arena.canAccess(a, 8, true)) {
                run.pc = pc;
                run.prog = curProg;
                if (this.storeSlow(ah, a, 8)) break;
              }
            }
            const v = P[(pc << 2) + 2]!;
            if ((a & 3) === 0) {
              i32[a >>> 2] = v;
              i32[(a >>> 2) + 1] = v >> 31;
            } else {
              dv.setInt32(a, v, true);
              dv.setInt32(a + 4, v >> 31, true);
            }
            break;
          }
          case 0x63: {
            let a = (R[d]! >>> 0) + P[(pc << 2) + 1]!;
            let ah = R[d + 1]!;
            if (a < 0) {
              a += TWO32;
              ah = (ah - 1) | 0;
            } else if (a >= TWO32) {
              a -= TWO32;
              ah = (ah + 1) | 0;
            }
            if (ah !== 0 || a < wS || a + 4 > wE) {
              if (ah === 0 && arena.accessRange(a, true, rng) && a + 4 <= rng[1]!) {
                wS = rng[0]!;
                wE = rng[1]!;
              } else if (ah !== 0 || !arena.canAccess(a, 4, true)) {
                run.pc = pc;
                run.prog = curProg;
                if (this.storeSlow(ah, a, 4)) break;
              }
            }
            if ((a & 3) === 0) i32[a >>> 2] = R[(w >> 11) & 0x1e]!;
            else dv.setInt32(a, R[(w >> 11) & 0x1e]!, true);
            break;
          }
          case 0x6b: {
            let a = (R[d]! >>> 0) + P[(pc << 2) + 1]!;
            let ah = R[d + 1]!;
            if (a < 0) {
              a += TWO32;
              ah = (ah - 1) | 0;
            } else if (a >= TWO32) {
              a -= TWO32;
              ah = (ah + 1) | 0;
            }
            if (ah !== 0 || a < wS || a + 2 > wE) {
              if (ah === 0 && arena.accessRange(a, true, rng) && a + 2 <= rng[1]!) {
                wS = rng[0]!;
                wE = rng[1]!;
              } else if (ah !== 0 || !arena.canAccess(a, 2, true)) {
                run.pc = pc;
                run.prog = curProg;
                if (this.storeSlow(ah, a, 2)) break;
              }
            }
            if ((a & 1) === 0) u16[a >>> 1] = R[(w >> 11) & 0x1e]!;
            else dv.setUint16(a, R[(w >> 11) & 0x1e]!, true);
            break;
          }
          case 0x73: {
            let a = (R[d]! >>> 0) + P[(pc << 2) + 1]!;
            let ah = R[d + 1]!;
            if (a < 0) {
              a += TWO32;
              ah = (ah - 1) | 0;
            } else if (a >= TWO32) {
              a -= TWO32;
              ah = (ah + 1) | 0;
            }
            if (ah !== 0 || a < wS || a + 1 > wE) {
              if (ah === 0 && arena.accessRange(a, true, rng) && a + 1 <= rng[1]!) {
                wS = rng[0]!;
                wE = rng[1]!;
              } else if (ah !== 0 || !arena.canAccess(a, 1, true)) {
                run.pc = pc;
                run.prog = curProg;
                if (this.storeSlow(ah, a, 1)) break;
              }
            }
            u8[a] = R[(w >> 11) & 0x1e]!;
            break;
          }
          case 0x7b: {
            let a = (R[d]! >>> 0) + P[(pc << 2) + 1]!;
            let ah = R[d + 1]!;
            if (a < 0) {
              a += TWO32;
              ah = (ah - 1) | 0;
            } else if (a >= TWO32) {
              a -= TWO32;
              ah = (ah + 1) | 0;
            }
            if (ah !== 0 || a < wS || a + 8 > wE) {
              if (ah === 0 && arena.accessRange(a, true, rng) && a + 8 <= rng[1]!) {
                wS = rng[0]!;
                wE = rng[1]!;
              } else if (ah !== 0 || !arena.canAccess(a, 8, true)) {
                run.pc = pc;
                run.prog = curProg;
                if (this.storeSlow(ah, a, 8)) break;
              }
            }
            const s = ((w >> 11) & 0x1e);
            if ((a & 3) === 0) {
              i32[a >>> 2] = R[s]!;
              i32[(a >>> 2) + 1] = R[s + 1]!;
            } else {
              dv.setInt32(a, R[s]!, true);
              dv.setInt32(a + 4, R[s + 1]!, true);
            }
            break;
          }

          case 0xc3:
          case 0xdb:
            run.pc = pc;
            run.prog = curProg;
            this.atomic(pc, op, R, d, ((w >> 11) & 0x1e), P[(pc << 2) + 1]!, P[(pc << 2) + 2]!);
            break;

          default:
            run.pc = pc;
            run.prog = curProg;
            if (pc === curDecoded.length) throw new FaultSignal('fell off the end of the program (no exit)');
            { // a write to r10 or an access outside the frame (see predecode)
              const f = curDecoded.faults.get(pc);
              if (f !== undefined) throw new FaultSignal(f);
            }
            throw new FaultSignal(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
        }
        pc++;
      }
    }
  }

  // ---- slow paths (kept out of the loop so it stays small) ---------------------------------

  /** @internal (also called by vm/compiler's generated code) */
  callHelper(run: Run, ctx: CallContext, prog: Program, decoded: Decoded, pc: number, id: number, R: Int32Array): void {
    const entry = this.env.helper(id);
    if (entry === undefined) throw new FaultSignal(prog.coreFailures?.get(pc) ?? `unknown helper #${id}`);
    const refused = prog.refusedCalls?.get(pc);
    if (refused !== undefined) throw new FaultSignal(`${refused} (the kernel's verifier refuses this call; this run is unverified)`);
    if (entry.gplOnly && !run.gpl) throw new FaultSignal(`helper ${entry.name}#${id} is gpl_only and the program is not GPL`);
    this.invokeAt(run, ctx, prog, decoded, pc, entry.impl, R);
  }

  /** Runs a helper's or kfunc's implementation for the call at pc and puts its result in R0. */
  private invokeAt(run: Run, ctx: CallContext, prog: Program, decoded: Decoded, pc: number, impl: (call: HelperCall) => HelperResult, R: Int32Array): void {
    ctx.prog = prog;
    ctx.decoded = decoded;
    ctx.pc = pc;
    run.contextsUsed = true;
    try {
      const v = impl(ctx);
      this.closeLeaf(run);
      setReg(R, 0, v);
    } catch (e) {
      this.closeLeaf(run);
      // A callback may have run in between: point the fault back at this call.
      run.pc = pc;
      run.prog = prog;
      throw e;
    }
  }

  /** A kfunc call (src 2): the embedder's runtime functions when the run has them (the
   *  conformance plugin), else the kfunc table's entry for the id the loader resolved.
   *  @internal (also called by vm/compiler's generated code) */
  callKfunc(run: Run, ctx: CallContext, prog: Program, decoded: Decoded, pc: number, id: number, R: Int32Array): void {
    const refused = prog.refusedCalls?.get(pc);
    if (refused !== undefined) throw new FaultSignal(`${refused} (the kernel's verifier refuses this call; this run is unverified)`);
    const own = run.req.kfunc;
    if (own !== undefined) {
      const args: bigint[] = [];
      for (let k = 1; k <= 5; k++) args.push(toU64(R[2 * k]!, R[2 * k + 1]!));
      setReg(R, 0, BigInt.asUintN(64, own(id, args)));
      return;
    }
    const entry = this.env.kfunc?.(id);
    if (entry?.impl === undefined) {
      const name = prog.kfuncNames?.get(pc);
      // libbpf leaves a weak kfunc the kernel lacks as a call the verifier must prove dead.
      if (name !== undefined && id === 0) throw new FaultSignal(`call to kfunc ${name}, a weak extern this runtime does not implement (unresolved: id 0)`);
      throw new FaultSignal(`unsupported kfunc ${name ?? `#${id}`}`);
    }
    this.invokeAt(run, ctx, prog, decoded, pc, entry.impl, R);
  }

  /** @internal (also called by vm/compiler's generated code) */
  loadImm64Pseudo(run: Run, decoded: Decoded, pc: number, s: number, imm: number, imm2: number, R: Int32Array, d2: number): void {
    // Resolved once per program and runtime: global-data accesses (src 2) sit in hot loops.
    const cache = (decoded.pseudo ??= new Int32Array(decoded.length * 3));
    const k = pc * 3;
    if (cache[k] === this.resolvedGen) {
      R[d2] = cache[k + 1]!;
      R[d2 + 1] = cache[k + 2]!;
      return;
    }
    let v: bigint | number;
    if (s === 1 || s === 5) {
      const h = this.env.mapHandleById(imm);
      if (h === undefined) throw new FaultSignal(`lddw: no map with id ${imm}`);
      v = h;
    } else if (s === 2 || s === 6) {
      const a = this.env.arenaValueAddress?.(imm, imm2) ?? this.env.mapValueAddress(imm, imm2, run.req.cpu);
      if (a === undefined) throw new FaultSignal(`lddw: map id ${imm} has no direct value`);
      v = a;
    } else if (s === 4) {
      v = (BigInt(FUNC_TAG >>> 0) << 32n) | BigInt(pc + imm + 1);
    } else v = 0; // src 3 (kernel variable by BTF id): no kernel variables yet
    setReg(R, d2 / 2, v);
    cache[k] = this.resolvedGen;
    cache[k + 1] = R[d2]!;
    cache[k + 2] = R[d2 + 1]!;
  }

  private isProbe(run: Run, pc: number): boolean {
    // A program the verifier accepted: the loads it typed through a BTF pointer are the kernel's
    // BPF_PROBE_MEM loads (Program.probeLoads), whatever the program type.
    return run.probeAll || run.probePcs.has(pc) || run.prog?.probeLoads?.has(pc) === true;
  }

  /** A load the fast path refused: kernel view, PROBE_MEM, or a fault with the reason. */
  /** @internal (also called by vm/compiler's generated code) */
  loadSlow(run: Run, pc: number, ah: number, a: number, size: number): void {
    const tmp = this.tmp;
    tmp[0] = 0;
    tmp[1] = 0;
    const arena = this.env.arena;
    if (ah === 0) {
      // An unallocated page of a BPF arena reads 0, as the kernel's exception table makes it.
      if (this.isProbe(run, pc) || arena.windowAt(a, size) !== undefined) return;
      throw new FaultSignal(arena.explain(a, size, false));
    }
    const kind = handleKindOfHi(ah);
    if (kind === HandleKind.MAP && this.mapStructLoad(run, pc, a, size)) return;
    if (kind !== 0) {
      throw new FaultSignal(`read of ${size} bytes through a ${handleKindName(kind)} handle (0x${toU64(a, ah).toString(16)}): handles are not memory`);
    }
    const buf = this.kbuf.subarray(0, size);
    if (this.env.kmem.readInto(ah, a, buf)) {
      let l = 0;
      for (let i = Math.min(size, 4) - 1; i >= 0; i--) l = (l << 8) | buf[i]!;
      let h = 0;
      for (let i = size - 1; i >= 4; i--) h = (h << 8) | buf[i]!;
      tmp[0] = l;
      tmp[1] = h;
      return;
    }
    if (this.isProbe(run, pc)) return;
    const addr = toU64(a, ah);
    const why = (ah | 0) === -1 && a >= 0x80000000 ? ' (a pointer wrapped below 0?)' : '';
    throw new FaultSignal(`read of ${size} byte${size === 1 ? '' : 's'} at 0x${addr.toString(16)}: not arena memory and not mapped kernel memory${why}`);
  }

  /** A load through a map handle: a field of the map's kernel struct. The handle cannot be moved
   *  (the verifier refuses arithmetic on a map pointer), so the load's own offset splits the
   *  address into the map's index and the field. Fills `tmp`; false when it is no such field. */
  private mapStructLoad(run: Run, pc: number, a: number, size: number): boolean {
    const off = run.prog?.insns[pc]?.off;
    if (off === undefined || off < 0 || this.env.mapStruct === undefined) return false;
    const bytes = this.env.mapStruct((a - off) >>> 0);
    if (bytes === undefined || off + size > bytes.length) return false;
    let l = 0;
    for (let i = Math.min(size, 4) - 1; i >= 0; i--) l = (l << 8) | bytes[off + i]!;
    let h = 0;
    for (let i = size - 1; i >= 4; i--) h = (h << 8) | bytes[off + i]!;
    this.tmp[0] = l;
    this.tmp[1] = h;
    return true;
  }

  /** A store the fast path refused: true when it is to be dropped (an unallocated page of a BPF
   *  arena: the kernel's exception table skips the faulting store), else a fault with the reason.
   *  @internal (also called by vm/compiler's generated code) */
  storeSlow(ah: number, a: number, size: number): boolean {
    if (ah === 0 && this.env.arena.windowAt(a, size) !== undefined) return true;
    return this.storeFault(ah, a, size);
  }

  /** @internal (also called by vm/compiler's generated code) */
  storeFault(ah: number, a: number, size: number): never {
    const what = `write of ${size} byte${size === 1 ? '' : 's'}`;
    if (ah === 0) throw new FaultSignal(this.env.arena.explain(a, size, true));
    const kind = handleKindOfHi(ah);
    if (kind !== 0) throw new FaultSignal(`${what} through a ${handleKindName(kind)} handle (0x${toU64(a, ah).toString(16)}): handles are not memory`);
    const mapped = this.env.kmem.isMapped(ah, a, size);
    throw new FaultSignal(`${what} at 0x${toU64(a, ah).toString(16)}: ${mapped ? 'kernel memory is read-only' : 'not arena memory'}`);
  }

  /** @internal (also called by vm/compiler's generated code) */
  atomic(_pc: number, op: number, R: Int32Array, d: number, s: number, off: number, aop: number): void {
    // d and s are 2 * register (see the loop's register layout)
    const arena = this.env.arena;
    let a = (R[d]! >>> 0) + off;
    let ah = R[d + 1]!;
    if (a < 0) {
      a += TWO32;
      ah = (ah - 1) | 0;
    } else if (a >= TWO32) {
      a -= TWO32;
      ah = (ah + 1) | 0;
    }
    const wide = op === 0xdb;
    const sz = wide ? 8 : 4;
    if (ah !== 0 || !arena.canAccess(a, sz, true) || !arena.canAccess(a, sz, false)) {
      // An atomic on an unallocated BPF arena page is dropped like a store (BPF_PROBE_ATOMIC);
      // the register a fetching form loads the old value into gets 0, as a load of that page.
      this.storeSlow(ah, a, sz); // faults unless the page is a BPF arena's
      if (aop === 0xf0) {
        R[0] = 0;
        R[1] = 0;
      } else if (aop & 1) {
        R[s] = 0;
        R[s + 1] = 0;
      }
      return;
    }
    const dv = arena.dv;
    const ol = dv.getInt32(a, true);
    const oh = wide ? dv.getInt32(a + 4, true) : 0;
    const sl = R[s]!;
    const sh = wide ? R[s + 1]! : 0;
    let nl: number;
    let nh: number;
    switch (aop & ~1) {
      case 0x00: {
        const t = (ol >>> 0) + (sl >>> 0);
        nl = t | 0;
        nh = (oh + sh + (t > 0xffffffff ? 1 : 0)) | 0;
        break;
      }
      case 0x40:
        nl = ol | sl;
        nh = oh | sh;
        break;
      case 0x50:
        nl = ol & sl;
        nh = oh & sh;
        break;
      case 0xa0:
        nl = ol ^ sl;
        nh = oh ^ sh;
        break;
      case 0xe0: // xchg
        nl = sl;
        nh = sh;
        break;
      case 0xf0: {
        // cmpxchg: compare with r0 (its low half for the 32-bit form); r0 gets the old value
        const eq = wide ? ol === R[0] && oh === R[1] : ol === R[0];
        if (eq) {
          dv.setInt32(a, sl, true);
          if (wide) dv.setInt32(a + 4, sh, true);
        }
        R[0] = ol;
        R[1] = oh;
        return;
      }
      default:
        throw new FaultSignal(`invalid atomic operation 0x${(aop >>> 0).toString(16)}`);
    }
    dv.setInt32(a, nl, true);
    if (wide) dv.setInt32(a + 4, nh, true);
    if (aop & 1) {
      // fetch: the source register receives the old value (zero-extended for 32-bit)
      R[s] = ol;
      R[s + 1] = oh;
    }
  }

  /** Build the VmFault for a fault at `pc` of `prog`. */
  private fault(run: Run, prog: Program, pc: number, op: number, R: Int32Array, reason: string): VmFault {
    void run;
    const regs: bigint[] = [];
    for (let i = 0; i < 11; i++) regs.push(toU64(R[2 * i]!, R[2 * i + 1]!));
    let line: string | undefined;
    if (prog.lineInfo) {
      for (const li of prog.lineInfo) {
        if (li.pc > pc) break;
        line = `${li.file}:${li.line}${li.text ? ` ${li.text.trim()}` : ''}`;
      }
    }
    let name = prog.name;
    if (prog.funcs) {
      let best: { pc: number; name: string } | undefined;
      for (const f of prog.funcs) if (f.pc <= pc && (!best || f.pc >= best.pc)) best = f;
      if (best && best.pc !== 0) name = `${prog.name}/${best.name}`;
    }
    return new VmFault(reason, pc, op, regs, line, name);
  }

  /** Internal: used by CallContext for tail calls. */
  requestTailCall(run: Run, target: Program | number): boolean {
    this.closeLeaf(run);
    if (run.callbacks > 0) return false;
    // As the kernel: the count is taken before the slot is read, so a missing program (id 0 or
    // unknown) still uses up one of the 33 tail calls.
    if (run.tailCalls >= MAX_TAIL_CALLS) return false;
    const prog = typeof target === 'number' ? this.env.programById(target) : target;
    if (!prog) {
      run.tailCalls++;
      return false;
    }
    try {
      this.decode(prog);
    } catch (e) {
      throw new FaultSignal(`tail call to ${prog.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    run.tailCalls++;
    run.pendingTail = prog;
    // The target replaces the calling frame (a subprogram's, possibly): its own call chain
    // starts there.
    run.frameBase[run.depth] = run.depth;
    return true;
  }
}

/** The HelperCall given to helper implementations; one per loop invocation (callbacks get their
 *  own, reading their own registers). */
class CallContext implements VmHelperCall {
  /** The program (and its decoded form) of the frame that made the current helper call. */
  prog: Program | undefined = undefined;
  decoded: Decoded | undefined = undefined;
  /** The call instruction's index in `prog`. */
  pc = 0;
  constructor(
    private readonly vm: Interpreter,
    private readonly run: Run,
    /** r0..r10, and r11 (the kernel's AX, which only the verifier's rewrites use), as halves:
     *  lo of rN at R[2N], hi at R[2N + 1]. */
    readonly R: Int32Array,
  ) {}
  u64(i: ArgIndex): bigint {
    return toU64(this.R[2 * i]!, this.R[2 * i + 1]!);
  }
  s64(i: ArgIndex): bigint {
    return BigInt.asIntN(64, toU64(this.R[2 * i]!, this.R[2 * i + 1]!));
  }
  u32(i: ArgIndex): number {
    return this.R[2 * i]! >>> 0;
  }
  s32(i: ArgIndex): number {
    return this.R[2 * i]!;
  }
  ptr(i: ArgIndex): number {
    const h = this.R[2 * i + 1]!;
    if (h === 0) return this.R[2 * i]! >>> 0;
    const kind = handleKindOfHi(h);
    if (kind !== 0) throw new FaultSignal(`argument r${i} is a ${handleKindName(kind)} handle, not a pointer`);
    throw new FaultSignal(`argument r${i} (0x${this.u64(i).toString(16)}) is not arena memory`);
  }
  map(i: ArgIndex): BpfMap {
    // Map helpers are the hottest helpers: decode the handle from the halves, no BigInt.
    const env = this.vm.env;
    if (env.mapByIndex !== undefined && this.R[2 * i + 1] === MAP_TAG) {
      const byIndex = env.mapByIndex(this.R[2 * i]! >>> 0);
      if (byIndex) return byIndex;
    }
    const m = env.mapFromHandle(this.u64(i));
    if (!m) throw new FaultSignal(`argument r${i} (0x${this.u64(i).toString(16)}) is not a map`);
    return m;
  }
  callback(fnArg: ArgIndex, args: readonly (bigint | number)[]): bigint {
    // Decode the handle from the register halves: no BigInt on this path (bpf_loop, comparators).
    if (this.R[2 * fnArg + 1] === FUNC_TAG && this.prog !== undefined) return this.vm.invoke(this.run, this.prog, this.R[2 * fnArg]! >>> 0, args, this.decoded);
    return this.callFunction(this.u64(fnArg), args);
  }
  callback2(fnArg: ArgIndex, a: number, b: number, aBytes = 0, bBytes = 0): Int32Array {
    if (this.R[2 * fnArg + 1] === FUNC_TAG && this.prog !== undefined) return this.vm.invoke2(this.run, this.prog, this.R[2 * fnArg]! >>> 0, a, b, this.decoded ?? this.vm.decode(this.prog), aBytes, bBytes);
    const r0 = this.callFunction(this.u64(fnArg), [a, b]);
    const out = new Int32Array(2);
    out[0] = Number(r0 & 0xffffffffn) | 0;
    out[1] = Number(r0 >> 32n) | 0;
    return out;
  }
  /** What comparator bound: the function's pc, its compiled leaf (null: callback2 per call), the
   *  argument holding its handle and the promised byte counts. */
  private cmpPc = 0;
  private cmpLeaf: CompiledLeaf | null = null;
  private cmpFnArg: ArgIndex = 1;
  private cmpA = 0;
  private cmpB = 0;
  /** The function comparator returns: one per context, so a tree walk allocates nothing. */
  private readonly cmp = (a: number, b: number): Int32Array => {
    const leaf = this.cmpLeaf;
    if (leaf !== null && a >>> 0 === a && b >>> 0 === b) return this.vm.runLeaf(this.run, this.prog!, this.cmpPc, leaf, a, b, this.cmpA, this.cmpB);
    return this.callback2(this.cmpFnArg, a, b, this.cmpA, this.cmpB);
  };
  comparator(fnArg: ArgIndex, aBytes = 0, bBytes = 0): (a: number, b: number) => Int32Array {
    this.cmpFnArg = fnArg;
    this.cmpA = aBytes;
    this.cmpB = bBytes;
    this.cmpLeaf = null;
    // What invoke2 checks per call, once: a function handle of this program at a valid entry,
    // the compiled engine without a trace, and a leaf callback there. Anything else (or a check
    // that fails: callback2 faults at the first call, as before) takes callback2 per call.
    const prog = this.prog;
    const vm = this.vm;
    if (this.R[2 * fnArg + 1] === FUNC_TAG && prog !== undefined && vm.engine === 'compiled' && this.run.req.trace === undefined) {
      const pc = this.R[2 * fnArg]! >>> 0;
      const decoded = this.decoded ?? vm.decode(prog);
      if (isFunctionEntry(decoded, pc)) {
        this.cmpPc = pc;
        this.cmpLeaf = vm.leafCallback(prog, decoded, pc);
      }
    }
    return this.cmp;
  }
  callFunction(handle: bigint, args: readonly (bigint | number)[]): bigint {
    const h = BigInt.asUintN(64, handle);
    if (Number(h >> 32n) !== FUNC_TAG >>> 0) throw new FaultSignal(`0x${h.toString(16)} is not a function handle`);
    const prog = this.prog;
    if (!prog) throw new FaultSignal('callback outside a helper call');
    return this.vm.invoke(this.run, prog, Number(h & 0xffffffffn), args, this.decoded);
  }
  functionRef(i: ArgIndex): BpfFunctionRef {
    const prog = this.prog;
    if (this.R[2 * i + 1] !== FUNC_TAG || prog === undefined) throw new FaultSignal(`argument r${i} (0x${this.u64(i).toString(16)}) is not a function handle`);
    const pc = this.R[2 * i]! >>> 0;
    if (!isFunctionEntry(this.decoded ?? this.vm.decode(prog), pc)) throw new FaultSignal(`function handle points at pc ${pc}, outside the program or not an instruction`);
    return { prog, pc, maxInsns: this.run.req.maxInsns };
  }
  tailCall(target: Program | number): boolean {
    return this.vm.requestTailCall(this.run, target);
  }
  // The getters that reach frames, the arena or the runtime first leave a comparator frame that
  // runLeaf left entered, so no helper can observe that frame after its callback returned.
  get arena(): Arena {
    this.vm.closeLeaf(this.run);
    return this.vm.env.arena;
  }
  get cpu(): number {
    return this.run.req.cpu;
  }
  get attachCookie(): bigint {
    return this.run.req.cookie ?? 0n;
  }
  get progType(): number {
    return this.run.progType;
  }
  get attach(): { section?: string; expectedAttachType?: number } | undefined {
    return this.run.entryProg;
  }
  get progName(): string | undefined {
    return this.prog?.name;
  }
  get callers(): { prog: string; pc: number }[] {
    const run = this.run;
    this.vm.closeLeaf(run);
    const out: { prog: string; pc: number }[] = [];
    for (let d = run.depth - 1; d >= 0; d--) {
      const p = run.retProg[d];
      if (p) out.push({ prog: p.name, pc: run.retPc[d]! - 1 });
    }
    return out;
  }
  get gpl(): boolean {
    return this.run.gpl;
  }
  get output(): RunOutput {
    return this.run.req.output;
  }
  get state(): Map<string, unknown> {
    return this.run.state;
  }
  get locks(): LockSet {
    return this.run.locks;
  }
  get rbtreeLockProven(): boolean {
    return this.prog?.rbtreeLockProven === true;
  }
  localType(typeId: number): GraphRecord | string {
    const lt = this.prog?.localType;
    return lt ? lt(typeId) : 'the program carries no BTF';
  }
  get env(): HelperEnv {
    this.vm.closeLeaf(this.run);
    return this.vm.env.helperEnv;
  }
}

/** A pc a function handle may name: inside the program, not an LD_IMM64's second slot. */
function isFunctionEntry(decoded: Decoded, pc: number): boolean {
  return pc >= 0 && pc < decoded.length && !(pc > 0 && decoded.code[pc - 1] === 0x18);
}

const SKF_NET_OFF = -0x100000;
const SKF_LL_OFF = -0x200000;

/** Address of a negative LD_ABS/LD_IND offset, as the kernel's
 *  bpf_internal_load_pointer_neg_helper: SKF_NET_OFF + k is k bytes into the network header,
 *  SKF_LL_OFF + k k bytes into the MAC header; anything else (or no such header) is -1. */
function packetNegative(pkt: { start: number; mac?: number; network?: number }, offset: number): number {
  let a = -1;
  if (offset >= SKF_NET_OFF) a = pkt.network !== undefined ? pkt.network + offset - SKF_NET_OFF : -1;
  else if (offset >= SKF_LL_OFF) a = pkt.mac !== undefined ? pkt.mac + offset - SKF_LL_OFF : -1;
  // the kernel accepts anything from skb->head on; the earliest header we know stands in for it
  const head = Math.min(pkt.start, pkt.mac ?? pkt.start, pkt.network ?? pkt.start);
  return a >= head ? a : -1;
}

function budgetFault(limit: number): FaultSignal {
  return new FaultSignal(`instruction budget of ${limit} exhausted`);
}

/** The interpreter's pieces the generated code calls (vm/compiler must not import this module). */
const COMPILER_KIT: CompilerKit = {
  FaultSignal,
  budgetFault,
  divmod64,
  packetNegative,
  toU64,
  setR0(R, v) {
    setReg(R, 0, v);
  },
  FUNC_TAG,
  MAP_TAG,
  addrSpaceUserHi: (prog) => addrSpaceUserHi(prog as Program),
};

// ---- arithmetic on (lo, hi) halves --------------------------------------------------------------

export function toU64(lo: number, hi: number): bigint {
  // Below 2^53 one BigInt from an exact double; the shift-and-or form allocates four.
  const h = hi >>> 0;
  if (h < 0x200000) return BigInt(h * TWO32 + (lo >>> 0));
  return (BigInt(h) << 32n) | BigInt(lo >>> 0);
}
/** Set register r from a number (signed, sign-extended) or bigint (mod 2^64). */
/** The upper half addr_space_cast to the user view gives a non-NULL pointer of `prog`: its BPF
 *  arena's user_vm_start upper 32 bits, 0 with BPF_F_NO_USER_CONV (the verifier turns the cast
 *  into a 32-bit move then). The decoder accepts only imm 1 and 1 << 16. */
export function addrSpaceUserHi(prog: Program): number {
  const a = prog.arena;
  if (a === undefined) throw new FaultSignal('addr_space_cast in a program that has no BPF arena map');
  return a.noUserConv ? 0 : a.userHi;
}

function setReg(R: Int32Array, r: number, v: bigint | number): void {
  if (typeof v === 'number') {
    // the common results (0, addresses, u32 values) first: no float division
    if (v >>> 0 === v) {
      R[2 * r] = v;
      R[2 * r + 1] = 0;
      return;
    }
    if (!Number.isSafeInteger(v)) throw new FaultSignal(`value ${v} is not a safe integer`);
    R[2 * r] = v >>> 0;
    R[2 * r + 1] = Math.floor(v / TWO32) | 0;
  } else {
    const u = BigInt.asUintN(64, v);
    R[2 * r] = Number(u & 0xffffffffn);
    R[2 * r + 1] = Number(u >> 32n);
  }
}

const INT64_MIN = -(1n << 63n);

/** 64-bit div/mod with the ISA's corner cases: /0 = 0, %0 = dividend, INT_MIN / -1 = INT_MIN,
 *  INT_MIN % -1 = 0. */
function divmod64(al: number, ah: number, bl: number, bh: number, signed: boolean, mod: boolean, out: Int32Array): void {
  if (bl === 0 && bh === 0) {
    out[0] = mod ? al : 0;
    out[1] = mod ? ah : 0;
    return;
  }
  if (!signed && ah === 0 && bh === 0) {
    const a = al >>> 0;
    const b = bl >>> 0;
    out[0] = mod ? a % b : Math.floor(a / b);
    out[1] = 0;
    return;
  }
  if (signed && ah === al >> 31 && bh === bl >> 31) {
    // both fit in 32 signed bits: exact in doubles, and even INT32_MIN / -1 fits in 64 bits
    const q = mod ? al % bl : Math.trunc(al / bl);
    out[0] = q;
    out[1] = q < 0 ? -1 : 0;
    return;
  }
  let r: bigint;
  if (signed) {
    const a = BigInt.asIntN(64, toU64(al, ah));
    const b = BigInt.asIntN(64, toU64(bl, bh));
    if (b === -1n) r = mod ? 0n : a === INT64_MIN ? a : -a;
    else r = mod ? a % b : a / b;
  } else {
    const a = toU64(al, ah);
    const b = toU64(bl, bh);
    r = mod ? a % b : a / b;
  }
  const u = BigInt.asUintN(64, r);
  out[0] = Number(u & 0xffffffffn);
  out[1] = Number(u >> 32n);
}

function bswap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/** d is 2 * register. */
function byteSwap(R: Int32Array, d: number, width: number): void {
  const l = R[d]!;
  if (width === 16) {
    R[d] = ((l & 0xff) << 8) | ((l >>> 8) & 0xff);
    R[d + 1] = 0;
  } else if (width === 32) {
    R[d] = bswap32(l);
    R[d + 1] = 0;
  } else {
    R[d] = bswap32(R[d + 1]!);
    R[d + 1] = bswap32(l);
  }
}

function handleKindName(kind: number): string {
  switch (kind) {
    case HandleKind.MAP:
      return 'map';
    case HandleKind.PROG:
      return 'program';
    case HandleKind.FUNC:
      return 'function';
    case HandleKind.KSYM:
      return 'kernel symbol';
  }
  return `kind-${kind}`;
}

function hex64(l: number, h: number): string {
  return '0x' + toU64(l, h).toString(16);
}

/** One trace line, before the instruction runs: depth, pc, opcode, kernel-dialect text, and the
 *  registers it reads. */
function traceLine(prog: Program, pc: number, op: number, s: number, d: number, depth: number, R: Int32Array): string {
  let text: string;
  try {
    text = formatInsn(prog.insns, pc, { dialect: 'kernel' });
  } catch {
    text = `(unprintable)`;
  }
  const reg = (r: number) => `r${r}=${hex64(R[2 * r] ?? 0, R[2 * r + 1] ?? 0)}`;
  const regs = d === s ? reg(d) : `${reg(d)} ${reg(s)}`;
  void op;
  return `${'  '.repeat(Math.max(0, depth - 1))}${pc}: ${text.padEnd(32)} ; ${regs}`;
}
