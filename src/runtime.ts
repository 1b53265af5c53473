// The Runtime owns everything live (DESIGN section 2): the arena, the kernel-memory view, the map
// and program tables, the helper table and the options (CPUs, seed, clock). Objects are loaded into
// a runtime so their maps and programs can be shared. It implements the interpreter's VmEnv and
// the helpers' HelperEnv; per-run state lives in the interpreter's Run objects, never here.

import { GraphHeap, type GraphRecord } from '../maps/graph.js';
import type { BpfFunctionRef, HelperEntry, HelperEnv, RunOutput } from '../helpers/types.js';
import { helperById, LINUX_HELPERS } from '../helpers/table.js';
import { KFUNCS, kfuncByName, type KfuncEntry } from '../helpers/kfuncs.js';
import { builtinBtf } from './btf/builtin.js';
import { BtfKind } from './btf/btf.js';
import { MAP_FACTORIES } from '../maps/index.js';
import { ArrayMap } from '../maps/array.js';
import { isBpfArenaMap } from '../maps/arena.js';
import { PercpuArrayMap } from '../maps/percpu-array.js';
import type { InlineMap } from '../vm/compiler/codegen.js';
import { bpfMapStruct } from '../maps/kernel-struct.js';
import { Errno, mapTypeName, type BpfMap, type MapSpec } from '../maps/types.js';
import { HandleKind, handleIndex, handleKind, makeHandle } from '../vm/handles.js';
import { ENGINES, Interpreter, type Engine, type VmEnv, type TraceFn } from '../vm/interpreter.js';
import { KernelMemory } from '../vm/kmem.js';
import { mapBuiltinKernel } from './btf/builtin-kmem.js';
import { Arena, MemFlag, PAGE_SIZE, type ArenaOptions } from '../vm/memory.js';
import { PCPU_CPU_NUMBER_OFF, PERCPU_UNIT_SIZE } from '../vm/isa.js';
import { SocketTable, type SocketDesc } from '../vm/sockets.js';
import { socketKernelImage } from './btf/kernel-socks.js';
import { KernelModel, type KernelModelOptions } from './btf/kernel-objects.js';
import { releaseKernelKptr } from '../helpers/task-kfuncs.js';
import { releaseCpumaskKptr } from '../helpers/cpumask.js';
import { releaseCryptoKptr } from '../helpers/crypto.js';
import { workQueue } from '../helpers/wq.js';
import type { Program } from '../vm/program.js';
import { nowMs } from '../vm/now.js';
import { FaultSignal, MapError, UnsupportedError, UsageError, describeValue } from './errors.js';
import { checkProgram } from '../vm/decode.js';
import { TimerTable, type BpfTimer } from '../helpers/timer.js';
import { RuntimeClock, type ClockSource } from './clock.js';

export interface TaskInfo {
  pid: number;
  tgid: number;
  uid: number;
  gid: number;
  comm: string;
  /** The task's pid namespace as bpf_get_ns_current_pid_tgid identifies it: the st_dev and st_ino
   *  of /proc/self/ns/pid. Default: the initial namespace (ino 0xeffffffc, PROC_PID_INIT_INO) on
   *  nsfs device 4; the task's pid and tgid are the same in it. */
  pidnsDev?: number;
  pidnsIno?: number;
}

/** x86-64's largest CONFIG_NR_CPUS: the most possible CPUs a kernel has. */
const NR_CPUS_MAX = 8192;

export interface RuntimeOptions {
  /** Number of possible CPUs (per-CPU maps), 1 to 8192 (NR_CPUS). Default 1. */
  ncpus?: number;
  /** CPU runs execute on unless a run says otherwise. Default 0. */
  cpu?: number;
  /** Seed of bpf_get_prandom_u32. Default 0. */
  seed?: number;
  /** Source of the monotonic clock in ns (src/clock.ts): a function, or 'virtual' (stands
   *  still; only `runtime.clock.advance` moves it). Default: real time since the runtime was made,
   *  plus 1 s. Either way `runtime.clock.advance(ns)` adds to it and fires due bpf_timers. */
  clock?: ClockSource;
  /** Instruction budget of unverified runs (callbacks included). Default 100 million; 0 = none. */
  maxInsns?: number;
  task?: Partial<TaskInfo>;
  /** More tasks (pid, comm, parent, cgroup) and a cgroup v2 hierarchy for the task and cgroup
   *  kfuncs (bpf_task_from_pid, bpf_cgroup_from_id, ...): src/btf/kernel-objects.ts. Default: the
   *  current task alone, in the root cgroup (id 1). */
  kernel?: KernelModelOptions;
  /** Sockets user space names by fd (sk_storage keys): the runtime's socket table. */
  sockets?: readonly SocketDesc[];
  arena?: ArenaOptions;
  /** Replaces the Linux helper table (e.g. the conformance plugin's own table). */
  helpers?: readonly HelperEntry[];
  /** Which tier runs programs: the compiler (vm/compiler, the default), which generates
   *  JavaScript per program on its first run, or the interpreter. Same results either way. */
  engine?: Engine;
}

export interface ResolvedRuntimeOptions {
  ncpus: number;
  cpu: number;
  seed: number;
  clock: ClockSource;
  maxInsns: number;
  task: TaskInfo;
  arena: ArenaOptions;
  helpers: readonly HelperEntry[];
}

export interface LoadedMap {
  id: number;
  map: BpfMap;
  handle: bigint;
}

export interface ExecRequest {
  /** r1..r5. */
  args?: readonly (bigint | number)[];
  cpu?: number;
  /** Budget for this run; 0 = unlimited. Default: the runtime's maxInsns, or none when `verified`. */
  maxInsns?: number;
  /** The program passed the verifier: like the kernel, no instruction budget (unless maxInsns). */
  verified?: boolean;
  trace?: TraceFn;
  output?: RunOutput;
  /** Packet bounds (arena addresses) for LD_ABS/LD_IND, set by the test run; `mac`/`network`
   *  anchor the kernel's negative SKF_LL_OFF / SKF_NET_OFF offsets. */
  packet?: { start: number; end: number; mac?: number; network?: number };
  /** PROBE_MEM: every load (true) or loads at these pcs read 0 on a miss instead of faulting. */
  probeMem?: boolean | ReadonlySet<number>;
  /** callx with a plain integer calls that helper id (conformance `callx` group). */
  callxHelpers?: boolean;
  /** What bpf_get_attach_cookie returns (default 0). */
  cookie?: bigint;
}

export interface ExecResult {
  r0: bigint;
  insnCount: number;
  output: RunOutput;
}

export const DEFAULT_MAX_INSNS = 100_000_000;

/** An instruction budget as given: 0 or Infinity (none) or a positive integer. The interpreter
 *  treats anything not above 0 as no budget, so a negative or NaN budget would run an endless
 *  loop for ever instead of stopping it. */
function checkBudget(what: string, n: number): number {
  if (n === Infinity || (Number.isSafeInteger(n) && n >= 0)) return n;
  throw new UsageError(`${what} must be 0 (no budget) or a positive integer (got ${typeof n === 'string' ? JSON.stringify(n) : String(n)})`);
}

export function emptyOutput(): RunOutput {
  return { printk: [], ringbuf: [], perf: [] };
}

export class Runtime implements VmEnv {
  readonly arena: Arena;
  readonly kmem: KernelMemory;
  readonly options: Readonly<ResolvedRuntimeOptions>;
  readonly helperEnv: HelperEnv;
  /** Objects from bpf_obj_new, graph roots and kptrs (maps/graph.ts). */
  readonly graph: GraphHeap;
  readonly interpreter: Interpreter;
  /** Sockets: the described ones (RuntimeOptions.sockets) and those of running test runs. */
  readonly sockets: SocketTable;
  /** The clock ktime helpers read and bpf_timers expire on; `clock.advance(ns)` fires timers. */
  readonly clock: RuntimeClock;
  /** The bpf_timers programs initialised (helpers/timer.ts), by bpf_timer address. */
  readonly timers: TimerTable;
  /** The tasks and cgroups kernel objects model (src/btf/kernel-objects.ts). */
  readonly kernel: KernelModel;

  private readonly maps: (LoadedMap | undefined)[] = [undefined];
  private readonly programs: (Program | undefined)[] = [undefined];
  private readonly programIds = new Map<Program, number>();
  private readonly helperTable: ReadonlyMap<number, HelperEntry> | undefined;
  private prngState: number;
  private keyScratch = 0;
  /** The per-CPU areas (percpuArea), 0 until made. */
  private percpu = 0;
  /** Implemented kfuncs by the id a call carries (the FUNC's id in the built-in BTF). */
  private kfuncIds: Map<number, KfuncEntry> | undefined;

  constructor(opts: RuntimeOptions = {}) {
    if (opts === null || typeof opts !== 'object') throw new UsageError(`Runtime options must be an object, got ${describeValue(opts)}`);
    const ncpus = opts.ncpus ?? 1;
    if (!Number.isInteger(ncpus) || ncpus < 1) throw new UsageError(`ncpus must be a positive integer (got ${ncpus})`);
    // The kernel has at most NR_CPUS possible CPUs (8192, x86-64's largest CONFIG_NR_CPUS); more
    // only cost memory and seconds per per-CPU map before anything could fail
    if (ncpus > NR_CPUS_MAX) throw new UsageError(`ncpus ${ncpus} is more than the kernel's NR_CPUS allows (${NR_CPUS_MAX})`);
    const cpu = opts.cpu ?? 0;
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= ncpus) throw new UsageError(`cpu ${cpu} out of range (ncpus ${ncpus})`);
    if (opts.engine !== undefined && !ENGINES.includes(opts.engine)) throw new UsageError(`engine must be one of ${ENGINES.join(', ')} (got ${String(opts.engine)})`);
    const start = nowMs();
    this.options = {
      ncpus,
      cpu,
      seed: opts.seed ?? 0,
      clock: opts.clock ?? (() => BigInt(Math.round((nowMs() - start) * 1e6)) + 1_000_000_000n),
      maxInsns: checkBudget('maxInsns', opts.maxInsns ?? DEFAULT_MAX_INSNS),
      task: { pid: 1000, tgid: 1000, uid: 0, gid: 0, comm: 'ebpfvm', ...opts.task },
      arena: opts.arena ?? {},
      helpers: opts.helpers ?? LINUX_HELPERS,
    };
    this.helperTable = opts.helpers ? new Map(opts.helpers.map((h) => [h.id, h])) : undefined;
    this.arena = new Arena(this.options.arena);
    const self = this;
    // Sockets' kernel structs (bpf_skc_to_*'s results) are made on first use, in kernel memory.
    this.sockets = new SocketTable(this.arena, { map: (addr, bytes) => self.kmem.map(addr, bytes), image: (s, k) => socketKernelImage(s, k).bytes });
    for (const d of opts.sockets ?? []) this.sockets.add(d);
    this.prngState = (this.options.seed >>> 0) || 0x9e3779b9;
    this.timers = new TimerTable(() => self.clock.now());
    this.clock = new RuntimeClock(this.options.clock, this.timers, (t, output) => self.fireTimer(t, output), (output) => self.runNextWork(output));
    this.kernel = new KernelModel(opts.kernel, this.options.task);
    this.helperEnv = {
      nowNs: () => self.clock.now(),
      prandomU32: () => self.nextRandom(),
      task: this.options.task,
      ncpus,
      mapFromHandle: (h) => self.mapFromHandle(h),
      readKernel: (addr, len) => self.kmem.read(addr, len),
      mapKernel: (addr, bytes) => self.kmem.map(addr, bytes),
      spinLockMap: (addr) => self.spinLockMap(addr),
      sockets: this.sockets,
      timers: this.timers,
      kernel: this.kernel,
      builtinBtf,
    };
    this.graph = new GraphHeap(this.arena, (addr) => self.graphContainer(addr));
    this.helperEnv.graph = this.graph;
    const helperEnv = this.helperEnv;
    this.graph.kernelKptrDtor = (addr) => void (releaseKernelKptr(this.kernel, addr) || releaseCryptoKptr(helperEnv, addr) || releaseCpumaskKptr(helperEnv, addr));
    // The built-in kernel objects (current task, init_task, ...) get_current_task and typed
    // __ksyms point at; user-supplied kernel memory mapped later overwrites them. Mapped on the
    // first kernel-memory access: their images need the built-in BTF, which most runs never use.
    const task = this.options.task;
    const kernel = this.kernel;
    this.kmem = new KernelMemory((kmem) => {
      mapBuiltinKernel(kmem, task, ncpus, cpu);
      kernel.mapInto(kmem, ncpus, cpu);
    });
    this.interpreter = new Interpreter(this, { engine: opts.engine });
  }

  // ---- maps ----

  /** Create a map (BPF_MAP_CREATE). A spec the kernel would refuse is a MapError with its errno;
   *  one needing more memory than the arena has is -ENOMEM. */
  createMap(spec: MapSpec): LoadedMap {
    checkSpecFields(spec);
    const factory = MAP_FACTORIES.get(spec.type);
    if (!factory) throw new UnsupportedError(`unsupported map type ${mapTypeName(spec.type)}`);
    let map: BpfMap;
    try {
      // An element's timer and work item are freed with it (timers.free gets either's address).
      const asyncFree = { free: (addr: number) => (this.timers.free(addr), workQueue(this.helperEnv).free(addr)) };
      map = factory(spec, { arena: this.arena, ncpus: this.options.ncpus, runtime: this, graph: this.graph, sockets: this.sockets, timers: asyncFree, taskByPid: (pid) => this.taskByPid(pid), cgroupById: (id) => this.kernel.cgroupById(id)?.addr });
    } catch (e) {
      // The arena ran out while the map allocated (the kernel's allocation fails the same way).
      if (e instanceof FaultSignal) throw new MapError(`${mapTypeName(spec.type)}: cannot allocate: ${e.reason}`, spec.name, -Errno.ENOMEM);
      throw e;
    }
    const id = this.maps.length;
    const loaded: LoadedMap = { id, map, handle: makeHandle(HandleKind.MAP, id) };
    this.maps.push(loaded);
    return loaded;
  }

  /** The kernel address of the task_struct with this pid (the task model's tasks). */
  taskByPid(pid: number): bigint | undefined {
    return this.kernel.taskByPid(pid)?.addr;
  }

  /** A test run ended (vm/test-run): maps drop what the run allocated (cgroup storage). */
  testRunEnded(): void {
    for (const m of this.maps) m?.map.testRunEnded?.();
  }

  mapById(id: number): LoadedMap | undefined {
    return this.maps[id];
  }

  /** Every live map, in creation order. */
  allMaps(): LoadedMap[] {
    return this.maps.filter((m): m is LoadedMap => m !== undefined);
  }

  mapFromHandle(h: bigint): BpfMap | undefined {
    if (handleKind(h) !== HandleKind.MAP) return undefined;
    return this.maps[handleIndex(h)]?.map;
  }

  /** The map owning the bpf_spin_lock at `addr` (a few maps hold locks: a scan is cheap). */
  spinLockMap(addr: number): BpfMap | undefined {
    for (const m of this.maps) if (m?.map.spinLockAt?.(addr)) return m.map;
    return undefined;
  }

  /** The map value holding the graph root or kptr field at `addr`: the value's record and start.
   *  Only maps whose values declare such fields are asked (few). */
  private graphContainer(addr: number): { record: GraphRecord; base: number; what: string } | undefined {
    for (const m of this.maps) {
      const rec = m?.map.spec.graph;
      if (!rec || !m.map.valueBase) continue;
      const base = m.map.valueBase(addr);
      if (base !== undefined) return { record: rec, base, what: `map '${m.map.name}'` };
    }
    return undefined;
  }

  mapByIndex(index: number): BpfMap | undefined {
    return this.maps[index]?.map;
  }

  /** The kernel struct of each map a program has read through its map pointer (maps/kernel-struct.ts). */
  private readonly mapStructs = new WeakMap<BpfMap, Uint8Array>();
  mapStruct(index: number): Uint8Array | undefined {
    const map = this.maps[index]?.map;
    if (map === undefined) return undefined;
    let s = this.mapStructs.get(map);
    if (s === undefined) this.mapStructs.set(map, (s = bpfMapStruct(map, index)));
    return s;
  }

  directLookupMap(index: number): BpfMap | undefined {
    return this.helperTable === undefined ? this.maps[index]?.map : undefined;
  }

  inlineArrayMap(index: number): ArrayMap | undefined {
    // only with the Linux helper table (helper 1 is map_lookup_elem), and only the plain array
    // class: its lookupElem is exactly `key < max_entries ? base + key * stride : NULL`
    if (this.helperTable !== undefined) return undefined;
    const m = this.maps[index]?.map;
    return m !== undefined && m.constructor === ArrayMap ? (m as ArrayMap) : undefined;
  }

  inlineMapLayout(index: number): InlineMap | undefined {
    const a = this.inlineArrayMap(index);
    const handle = this.maps[index]?.handle;
    if (handle === undefined) return undefined;
    if (a !== undefined) return { kind: 'array', base: a.base, stride: a.stride, maxEntries: a.maxEntries, handle };
    if (this.helperTable !== undefined) return undefined;
    const m = this.maps[index]?.map;
    if (m === undefined || m.constructor !== PercpuArrayMap) return undefined;
    const p = m as PercpuArrayMap;
    return { kind: 'percpu', bases: p.cpuBases(), stride: p.stride, maxEntries: p.maxEntries, handle };
  }

  destroyMap(id: number): void {
    const m = this.maps[id];
    if (!m) return;
    m.map.destroy();
    this.maps[id] = undefined;
    this.interpreter.invalidateResolved();
  }

  /** VmEnv.percpuArea: the per-CPU areas, made once (read-only; each CPU's number in its unit). */
  percpuArea(): number {
    if (this.percpu === 0) {
      const n = this.options.ncpus;
      try {
        this.percpu = this.arena.allocRegion(n * PERCPU_UNIT_SIZE, MemFlag.READ, 'other', 'per-CPU areas');
      } catch (e) {
        // ncpus is the caller's (run --cpu/--ncpus): too many CPUs for the VM memory is bad input,
        // not the arena's internal FaultSignal
        if (e instanceof FaultSignal) throw new UsageError(`ncpus ${n}: the per-CPU areas (${n} x ${PERCPU_UNIT_SIZE} bytes) do not fit the VM memory: ${e.message}`);
        throw e;
      }
      for (let c = 0; c < n; c++) this.arena.dv.setUint32(this.percpu + c * PERCPU_UNIT_SIZE + PCPU_CPU_NUMBER_OFF, c, true);
    }
    return this.percpu;
  }

  mapHandleById(id: number): bigint | undefined {
    return this.maps[id]?.handle;
  }

  /** LD_IMM64 of a BPF arena's "value" (arena_map_direct_value_addr): its user view,
   *  user_vm_start + off, a 64-bit user address that addr_space_cast turns into the VM address of
   *  the byte; undefined when map `id` is no BPF arena or off is past its end. */
  arenaValueAddress(id: number, off: number): bigint | undefined {
    const m = this.maps[id]?.map;
    if (!isBpfArenaMap(m) || off >>> 0 > m.maxEntries * PAGE_SIZE) return undefined;
    return m.userVmStart + BigInt(off >>> 0);
  }

  mapValueAddress(id: number, off: number, cpu: number): number | undefined {
    const m = this.maps[id]?.map;
    if (!m || m.keySize > 8) return undefined;
    if (this.keyScratch === 0) this.keyScratch = this.arena.alloc(8, { kind: 'other', name: 'direct-value key' });
    this.arena.zero(this.keyScratch, 8);
    const a = m.lookupElem(this.keyScratch, cpu);
    return a === 0 ? undefined : a + off;
  }

  // ---- programs ----

  /** Register a program (validating its code) and return its id for prog_array / tail calls. */
  registerProgram(prog: Program): number {
    const known = this.programIds.get(prog);
    if (known !== undefined) return known;
    this.interpreter.decode(prog);
    const id = this.programs.length;
    this.programs.push(prog);
    this.programIds.set(prog, id);
    return id;
  }

  /** Program `id` runs as `prog` from now on (tail calls and prog_array slots too): the
   *  verifier's rewrite of an accepted program (src/verify.ts), or the original again. */
  replaceProgram(id: number, prog: Program): void {
    if (this.programs[id] === undefined) throw new UsageError(`no program with id ${id}`);
    this.interpreter.decode(prog);
    this.programs[id] = prog;
    this.programIds.set(prog, id);
  }

  programById(id: number): Program | undefined {
    return this.programs[id];
  }

  programHandle(id: number): bigint {
    return makeHandle(HandleKind.PROG, id);
  }

  // ---- helpers ----

  helper(id: number): HelperEntry | undefined {
    return this.helperTable ? this.helperTable.get(id) : helperById(id);
  }

  // ---- kfuncs ----

  /** The id a call to the implemented kfunc `name` carries (its FUNC id in the built-in kernel
   *  BTF, as libbpf puts the vmlinux BTF id in imm), or undefined when this runtime has no
   *  implementation (unknown, or declared only). */
  kfuncId(name: string): number | undefined {
    const k = kfuncByName(name);
    if (!k?.impl) return undefined;
    return builtinBtf().find(name, BtfKind.FUNC)[0]?.id;
  }

  /** The kfunc a call's imm names, when implemented. */
  kfunc(id: number): KfuncEntry | undefined {
    if (!this.kfuncIds) {
      const btf = builtinBtf();
      this.kfuncIds = new Map();
      for (const k of KFUNCS) {
        const f = k.impl && btf.find(k.name, BtfKind.FUNC)[0];
        if (f) this.kfuncIds.set(f.id, k);
      }
    }
    return this.kfuncIds.get(id);
  }

  // ---- running ----

  /** Run a program once. Throws VmFault on a fault, DecodeError if its code is malformed. */
  execute(prog: Program, req: ExecRequest = {}): ExecResult {
    checkProgram(prog);
    const output = req.output ?? emptyOutput();
    const cpu = req.cpu ?? this.options.cpu;
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.options.ncpus) throw new UsageError(`cpu ${cpu} out of range (ncpus ${this.options.ncpus})`);
    const r = this.interpreter.run(prog, {
      args: req.args,
      cpu,
      maxInsns: req.maxInsns !== undefined ? checkBudget('maxInsns', req.maxInsns) : req.verified ? 0 : this.options.maxInsns,
      verified: req.verified === true,
      trace: req.trace,
      output,
      packet: req.packet,
      probeMem: req.probeMem,
      callxHelpers: req.callxHelpers,
      cookie: req.cookie,
    });
    return { r0: r.r0, insnCount: r.insnCount, output };
  }

  /** A bpf_timer expired (src/clock.ts): run its callback as the kernel's bpf_timer_cb does, a
   *  run of its own on the CPU that armed it, with the map, the element's key and the value, and
   *  the budget of the run that set the callback. While it runs the timer is the running one
   *  (cancelling it from there is -EDEADLK). */
  private fireTimer(t: BpfTimer, output: RunOutput): { r0: bigint; insns: number; key: Uint8Array } {
    const prev = this.timers.running;
    this.timers.running = t;
    try {
      return this.runAsyncCallback(t.callback!, t.map, t.mapHandle, t.value, t.cpu, output, `bpf_timer at 0x${t.addr.toString(16)}`);
    } finally {
      this.timers.running = prev;
    }
  }

  /** The clock drains the bpf_wq queue (helpers/wq.ts): run the next queued item's callback as
   *  the kernel's bpf_wq_work does, with the map, the element's key and the value. */
  private runNextWork(output: RunOutput): { map: string; key: Uint8Array; cpu: number; r0: bigint; insns: number } | undefined {
    const w = workQueue(this.helperEnv).takeNext();
    if (!w?.callback) return undefined;
    const r = this.runAsyncCallback(w.callback, w.map, w.mapHandle, w.value, w.cpu, output, `bpf_wq at 0x${w.addr.toString(16)}`);
    return { map: w.map.name, key: r.key, cpu: w.cpu, r0: r.r0, insns: r.insns };
  }

  /** One async callback run (timer or work item): (map, key, value) on `cpu`. */
  private runAsyncCallback(cb: BpfFunctionRef, map: BpfMap, mapHandle: bigint, value: number, cpu: number, output: RunOutput, what: string): { r0: bigint; insns: number; key: Uint8Array } {
    const at = map.valueKey?.(value);
    if (at === undefined) throw new FaultSignal(`${what}: its element of map '${map.name}' is gone`);
    let keyAddr: number;
    let key: Uint8Array;
    if ('index' in at) {
      // array maps: the kernel passes a pointer to the u32 index on its own stack; here a
      // read-only scratch word outside every map
      if (this.timerKeyScratch === 0) this.timerKeyScratch = this.arena.allocRegion(8, MemFlag.READ, 'other', 'timer callback key');
      this.arena.dv.setUint32(this.timerKeyScratch, at.index, true);
      keyAddr = this.timerKeyScratch;
      key = new Uint8Array(4);
      new DataView(key.buffer).setUint32(0, at.index, true);
    } else {
      keyAddr = at.addr;
      key = this.arena.read(at.addr, map.keySize);
    }
    const r = this.interpreter.run(cb.prog, { args: [mapHandle, keyAddr, value], entry: cb.pc, cpu, maxInsns: cb.maxInsns, output });
    return { r0: r.r0, insns: r.insnCount, key };
  }
  private timerKeyScratch = 0;

  private nextRandom(): number {
    // xorshift32: deterministic for a given seed, good enough for bpf_get_prandom_u32
    let x = this.prngState;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.prngState = x >>> 0;
    return this.prngState;
  }
}

/** The numeric fields of a map spec are the kernel's u32 attributes: anything else (negative, NaN,
 *  fractional, too large, not a number) is -EINVAL before any map code sees it. */
function checkSpecFields(spec: MapSpec): void {
  const name = typeof spec?.name === 'string' ? spec.name : undefined;
  if (typeof spec !== 'object' || spec === null || name === undefined) throw new MapError('map spec needs a name (string)', undefined, -Errno.EINVAL);
  const isU32 = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
  for (const field of ['type', 'keySize', 'valueSize', 'maxEntries', 'flags'] as const) {
    if (!isU32(spec[field])) throw new MapError(`${field} must be an unsigned 32-bit integer (got ${String(spec[field])})`, name, -Errno.EINVAL);
  }
  for (const field of ['spinLockOffset', 'rbNodeOffset', 'timerOffset', 'btfKeyTypeId', 'btfValueTypeId', 'pinning'] as const) {
    if (spec[field] !== undefined && !isU32(spec[field])) throw new MapError(`${field} must be an unsigned 32-bit integer (got ${String(spec[field])})`, name, -Errno.EINVAL);
  }
  // numa_node is a u32 whose all-ones value is NUMA_NO_NODE (-1)
  if (spec.numaNode !== undefined && spec.numaNode !== -1 && !isU32(spec.numaNode)) throw new MapError(`numaNode must be a u32 or -1 (got ${String(spec.numaNode)})`, name, -Errno.EINVAL);
  if (spec.mapExtra !== undefined && (typeof spec.mapExtra !== 'bigint' || spec.mapExtra < 0n || spec.mapExtra >= 1n << 64n)) throw new MapError('mapExtra must be a u64 bigint', name, -Errno.EINVAL);
}
