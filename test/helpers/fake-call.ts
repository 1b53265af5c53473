// A small HelperCall for unit-testing helper implementations without the interpreter: registers
// are given as numbers/bigints, callbacks are JS functions, locks are a real per-run set.
import { FaultSignal } from '../../src/errors.js';
import type { BpfMap } from '../../maps/types.js';
import type { ArgIndex, HelperCall, HelperEntry, HelperEnv, LockSet, RunOutput } from '../../helpers/types.js';
import { Arena } from '../../vm/memory.js';
import { makeHandle, HandleKind, handleIndex, handleKind } from '../../vm/handles.js';
import { LINUX_HELPERS } from '../../helpers/table.js';
import { builtinBtf } from '../../src/btf/builtin.js';

export type Callback = (args: readonly bigint[]) => bigint;

export class FakeLocks implements LockSet {
  readonly held_ = new Set<number>();
  take(id: number, what: string): void {
    if (this.held_.has(id)) throw new FaultSignal(`${what}: already held`);
    this.held_.add(id);
  }
  release(id: number, what: string): void {
    if (!this.held_.delete(id)) throw new FaultSignal(`${what}: not held`);
  }
  held(id: number): boolean {
    return this.held_.has(id);
  }
  get count(): number {
    return this.held_.size;
  }
}

export interface FakeOptions {
  cpu?: number;
  ncpus?: number;
  progType?: number;
  now?: bigint;
  task?: HelperEnv['task'];
  kernel?: Map<bigint, Uint8Array>;
}

export class FakeWorld {
  readonly arena = new Arena({ initialBytes: 1 << 20, maxBytes: 1 << 26 });
  readonly maps: BpfMap[] = [];
  readonly funcs: Callback[] = [];
  readonly output: RunOutput = { printk: [], ringbuf: [], perf: [] };
  readonly locks = new FakeLocks();
  readonly state = new Map<string, unknown>();
  now: bigint;
  private rnd = 1;
  readonly env: HelperEnv;
  constructor(readonly opts: FakeOptions = {}) {
    this.now = opts.now ?? 1_000_000_000n;
    const self = this;
    this.env = {
      nowNs: () => self.now,
      prandomU32: () => (self.rnd = (Math.imul(self.rnd, 1103515245) + 12345) >>> 0),
      task: opts.task ?? { pid: 42, tgid: 40, uid: 1000, gid: 100, comm: 'tester' },
      ncpus: opts.ncpus ?? 2,
      mapFromHandle: (h) => (handleKind(h) === HandleKind.MAP ? self.maps[handleIndex(h)] : undefined),
      spinLockMap: (addr) => self.maps.find((m) => m.spinLockAt?.(addr)),
      readKernel: (addr, len) => {
        for (const [base, bytes] of opts.kernel ?? []) {
          if (addr >= base && addr + BigInt(len) <= base + BigInt(bytes.length)) return bytes.slice(Number(addr - base), Number(addr - base) + len);
        }
        return undefined;
      },
      builtinBtf,
    };
  }
  mapHandle(m: BpfMap): bigint {
    this.maps.push(m);
    return makeHandle(HandleKind.MAP, this.maps.length - 1);
  }
  func(fn: Callback): bigint {
    this.funcs.push(fn);
    return makeHandle(HandleKind.FUNC, this.funcs.length - 1);
  }
  /** Bytes placed in the arena (a stand-in for the BPF stack). */
  mem(bytes: Uint8Array | number[] | string, kind: 'stack' | 'map' = 'stack'): number {
    const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : Uint8Array.from(bytes);
    const a = this.arena.alloc(Math.max(1, b.length), { kind, name: 'test' });
    this.arena.write(a, b);
    return a;
  }
  /** Read a NUL-terminated string from the arena. */
  str(addr: number): string {
    let s = '';
    for (let a = addr; this.arena.u8[a] !== 0; a++) s += String.fromCharCode(this.arena.u8[a]!);
    return s;
  }
  call(regs: readonly (bigint | number)[]): HelperCall {
    const w = this;
    const r = (i: ArgIndex) => BigInt.asUintN(64, BigInt(regs[i - 1] ?? 0));
    return {
      u64: r,
      s64: (i) => BigInt.asIntN(64, r(i)),
      u32: (i) => Number(r(i) & 0xffffffffn),
      s32: (i) => Number(BigInt.asIntN(32, r(i))),
      attachCookie: 0n,
      ptr: (i) => {
        const v = r(i);
        if (v >> 32n !== 0n) throw new FaultSignal(`r${i} is not arena memory`);
        return Number(v);
      },
      map: (i) => {
        const m = w.env.mapFromHandle(r(i));
        if (!m) throw new FaultSignal(`r${i} is not a map`);
        return m;
      },
      callback: (fnArg, args) => w.callFunction(r(fnArg), args),
      callFunction: (h, args) => w.callFunction(h, args),
      callback2: (fnArg, a, b) => {
        const v = w.callFunction(r(fnArg), [a, b]);
        return Int32Array.of(Number(v & 0xffffffffn) | 0, Number((v >> 32n) & 0xffffffffn) | 0);
      },
      arena: w.arena,
      cpu: w.opts.cpu ?? 0,
      progType: w.opts.progType ?? 0,
      gpl: true,
      output: w.output,
      state: w.state,
      locks: w.locks,
      env: w.env,
    };
  }
  callFunction(h: bigint, args: readonly (bigint | number)[]): bigint {
    if (handleKind(h) !== HandleKind.FUNC) throw new FaultSignal('not a function handle');
    return this.funcs[handleIndex(h)]!(args.map((a) => BigInt.asUintN(64, BigInt(a))));
  }
  /** Invoke helper `name` with registers r1..r5; returns the result as a signed bigint. */
  invoke(name: string, ...regs: (bigint | number)[]): bigint {
    const h = helper(name);
    const v = h.impl(this.call(regs));
    return typeof v === 'number' ? BigInt(v) : BigInt.asIntN(64, v);
  }
}

export function helper(name: string): HelperEntry {
  const h = LINUX_HELPERS.find((e) => e.name === name);
  if (!h) throw new Error(`no helper ${name}`);
  return h;
}
