// A stand-in for the interpreter's HelperCall, so helpers/rbtree.ts can be tested without the VM:
// argument registers, a LockSet with the run's semantics, maps by handle and callbacks that are
// JS functions registered under function handles.
import type { ArgIndex, HelperCall, HelperEntry, LockSet } from '../../helpers/types.js';
import type { BpfMap } from '../../maps/types.js';
import { FaultSignal } from '../../src/errors.js';
import { HandleKind, handleIndex, isHandle, makeHandle } from '../../vm/handles.js';
import { Arena } from '../../vm/memory.js';

export class FakeLocks implements LockSet {
  readonly heldSet = new Set<number>();
  take(id: number, what: string): void {
    if (this.heldSet.has(id)) throw new FaultSignal(`${what}: lock 0x${id.toString(16)} already held by this run (deadlock)`);
    this.heldSet.add(id);
  }
  release(id: number, what: string): void {
    if (!this.heldSet.delete(id)) throw new FaultSignal(`${what}: lock 0x${id.toString(16)} is not held`);
  }
  held(id: number): boolean {
    return this.heldSet.has(id);
  }
  get count(): number {
    return this.heldSet.size;
  }
}

type Fn = (args: bigint[]) => bigint | number | boolean;

export class FakeRun {
  readonly arena: Arena;
  readonly locks = new FakeLocks();
  private readonly maps: BpfMap[] = [];
  private readonly fns: Fn[] = [];
  callbacks = 0;

  constructor(arena?: Arena) {
    this.arena = arena ?? new Arena({ initialBytes: 1 << 20 });
  }

  mapHandle(m: BpfMap): bigint {
    this.maps.push(m);
    return makeHandle(HandleKind.MAP, this.maps.length - 1);
  }

  fn(f: Fn): bigint {
    this.fns.push(f);
    return makeHandle(HandleKind.FUNC, this.fns.length - 1);
  }

  /** Call a helper entry with these argument registers. */
  call(h: HelperEntry, ...args: (bigint | number)[]): bigint {
    const regs = [0n, ...args.map((a) => BigInt.asUintN(64, BigInt(a)))];
    while (regs.length < 6) regs.push(0n);
    const self = this;
    const call: HelperCall = {
      u64: (i: ArgIndex) => regs[i]!,
      s64: (i: ArgIndex) => BigInt.asIntN(64, regs[i]!),
      u32: (i: ArgIndex) => Number(regs[i]! & 0xffffffffn),
      s32: (i: ArgIndex) => Number(BigInt.asIntN(32, regs[i]!)),
      attachCookie: 0n,
      ptr: (i: ArgIndex) => {
        const v = regs[i]!;
        if (v >> 32n !== 0n) throw new FaultSignal(`R${i} is not an arena pointer`);
        return Number(v);
      },
      map: (i: ArgIndex) => {
        const v = regs[i]!;
        if (!isHandle(v, HandleKind.MAP)) throw new FaultSignal(`R${i} is not a map`);
        return self.maps[handleIndex(v)]!;
      },
      callback: (fnArg: ArgIndex, cbArgs: readonly (bigint | number)[]) => self.invoke(regs[fnArg]!, cbArgs),
      callFunction: (handle: bigint, cbArgs: readonly (bigint | number)[]) => self.invoke(handle, cbArgs),
      callback2: (fnArg: ArgIndex, a: number, b: number) => {
        const v = BigInt.asUintN(64, self.invoke(regs[fnArg]!, [a, b]));
        return Int32Array.of(Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0);
      },
      arena: this.arena,
      cpu: 0,
      progType: 31,
      gpl: true,
      output: { printk: [], ringbuf: [], perf: [] },
      state: new Map(),
      locks: this.locks,
      env: {
        nowNs: () => 0n,
        prandomU32: () => 4,
        task: { pid: 1, tgid: 1, uid: 0, gid: 0, comm: 'test' },
        ncpus: 1,
        mapFromHandle: (v: bigint) => (isHandle(v, HandleKind.MAP) ? self.maps[handleIndex(v)] : undefined),
        readKernel: () => undefined,
        spinLockMap: (addr: number) => self.maps.find((m) => m.spinLockAt?.(addr)),
      },
    };
    const r = h.impl(call);
    return BigInt.asUintN(64, BigInt(r));
  }

  private invoke(handle: bigint, args: readonly (bigint | number)[]): bigint {
    if (!isHandle(handle, HandleKind.FUNC)) throw new FaultSignal('callback argument is not a function');
    this.callbacks++;
    const r = this.fns[handleIndex(handle)]!(args.map((a) => BigInt(a)));
    return BigInt.asUintN(64, typeof r === 'boolean' ? (r ? 1n : 0n) : BigInt(r));
  }
}
