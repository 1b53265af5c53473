// get_stackid / get_stack on ebpfvm's synthetic call stacks (helpers/stack.ts): the frames a call
// sees, the kernel's flag and size rules, and the stack trace map's ids (maps/stack-trace.ts).
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/index.js';
import { Runtime } from '../../src/runtime.js';
import { BPF_PROG_TEXT, KERNEL_FRAMES, USER_FRAMES, syntheticStack } from '../../helpers/stack.js';
import { StackTraceMap, jhash2 } from '../../maps/stack-trace.js';
import { MapType } from '../../maps/types.js';
import { INIT_TASK_ADDR } from '../../src/btf/builtin-kmem.js';

const RAW_TP = 17;
const run = (rt: Runtime, src: string) => BigInt.asIntN(64, rt.execute({ name: 's', insns: assemble(src), progType: RAW_TP, gpl: true } as never).r0);
const stackMap = (rt: Runtime, maxEntries: number, valueSize = 64, flags = 0) => rt.createMap({ name: 'st', type: MapType.STACK_TRACE, keySize: 4, valueSize, maxEntries, flags });
const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);

describe('synthetic stacks', () => {
  it('a kernel stack is the call site, its bpf-to-bpf callers, then the fixed kernel frames', () => {
    const s = syntheticStack({ progName: 'p', pc: 4, callers: [{ prog: 'p', pc: 9 }] }, false);
    expect(s.length).toBe(2 + KERNEL_FRAMES.length);
    expect(s[0]! - s[1]!).toBe(BigInt((4 - 9) * 8));
    expect(s[0]! >= BPF_PROG_TEXT).toBe(true);
    expect(s.slice(2)).toEqual(KERNEL_FRAMES.map(([ip]) => ip));
    expect(syntheticStack({ progName: 'p', pc: 4 }, true)).toEqual(USER_FRAMES.map(([ip]) => ip));
  });
  it('jhash2 matches the kernel (include/linux/jhash.h compiled with gcc)', () => {
    // jhash2((u32[]){1,2}, 2, 0), ({1,2,3,4}, 4, 0), and six words (a full round, then a tail)
    expect(jhash2([0x200000001n])).toBe(2337044857);
    expect(jhash2([0x200000001n, 0x400000003n])).toBe(1716064838);
    expect(jhash2([0xffffffffa0000108n, 0xffffffff81e2c1a4n, 0x600000005n])).toBe(3156126589);
  });
});

describe('get_stack', () => {
  it('writes the stack, zero-pads the buffer and returns the bytes written', () => {
    const rt = new Runtime();
    // get_stack(ctx, fp-64, 64, 0); r0 = ret; then the first and last words
    const head = 'r1 = -1\n*(u64 *)(r10 - 8) = r1\nr1 = 0\nr2 = r10\nr2 += -64\nr3 = 64\nr4 = FLAGS\ncall 67\n';
    expect(run(rt, head.replace('FLAGS', '0') + 'exit')).toBe(BigInt(8 * (1 + KERNEL_FRAMES.length)));
    expect(run(rt, head.replace('FLAGS', '0') + 'r0 = *(u64 *)(r10 - 8)\nexit')).toBe(0n); // 7 frames of 8 in 64 bytes: the last word zeroed
    expect(run(rt, head.replace('FLAGS', '0') + 'r0 = *(u64 *)(r10 - 16)\nexit')).toBe(BigInt.asIntN(64, KERNEL_FRAMES.at(-1)![0]));
    expect(run(rt, head.replace('FLAGS', String(1 << 8)) + 'exit')).toBe(BigInt(8 * USER_FRAMES.length)); // BPF_F_USER_STACK
    expect(run(rt, head.replace('FLAGS', '2') + 'exit')).toBe(BigInt(8 * (KERNEL_FRAMES.length - 1))); // skip 2
    expect(run(rt, head.replace('FLAGS', '7') + 'exit')).toBe(0n); // skip all: nothing, no error
    expect(run(rt, head.replace('FLAGS', '8') + 'exit')).toBe(-14n); // skip more than there is
    expect(run(rt, head.replace('FLAGS', '8') + 'r0 = *(u64 *)(r10 - 8)\nexit')).toBe(0n); // cleared
    expect(run(rt, head.replace('FLAGS', String(1 << 11)) + 'exit')).toBe(-22n); // build id without USER_STACK
    expect(run(rt, head.replace('FLAGS', String(1 << 12)) + 'exit')).toBe(-22n);
    expect(run(rt, head.replace('FLAGS', '0').replace('r3 = 64', 'r3 = 12') + 'exit')).toBe(-22n);
    // build-id entries are 32 bytes: 64 bytes hold two (status IP, then the ip at +24)
    expect(run(rt, head.replace('FLAGS', String((1 << 8) | (1 << 11))) + 'exit')).toBe(64n);
    expect(run(rt, head.replace('FLAGS', String((1 << 8) | (1 << 11))) + 'r0 = *(u32 *)(r10 - 64)\nexit')).toBe(2n);
    expect(run(rt, head.replace('FLAGS', String((1 << 8) | (1 << 11))) + 'r0 = *(u64 *)(r10 - 40)\nexit')).toBe(BigInt.asIntN(64, USER_FRAMES[0]![0]));
  });
  it('a buffer the program may not write faults instead of being written', () => {
    const rt = new Runtime();
    const m = rt.createMap({ name: 'ro', type: MapType.ARRAY, keySize: 4, valueSize: 64, maxEntries: 1, flags: 1 << 7 });
    const src = `r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = ${m.handle} ll\ncall 1\nif r0 == 0 goto +5\nr2 = r0\nr1 = 0\nr3 = 64\nr4 = 0\ncall 67\nexit`;
    expect(() => run(rt, src)).toThrow(/read-only|not writable|write/i);
  });
});

describe('get_stackid and the stack trace map', () => {
  const call = (m: bigint, flags: number) => `r1 = 0\nr2 = ${m} ll\nr3 = ${flags}\ncall 27\n`;
  it('the same stack gets the same id; user space reads it back, zero-padded', () => {
    const rt = new Runtime();
    const m = stackMap(rt, 64);
    // one call site in a loop: r6 counts 2 iterations, r7 keeps the first id
    const src = `r6 = 0\nr7 = -1\n${call(m.handle, 0)}if r7 != -1 goto +1\nr7 = r0\nr6 += 1\nif r6 < 2 goto -9\nif r0 != r7 goto +1\nr0 = 1000\nexit`;
    const r = run(rt, src);
    expect(r).toBe(1000n);
    const map = m.map as StackTraceMap;
    const key = map.nextKey(undefined)!;
    const value = map.lookup(key)!;
    expect(value.length).toBe(64);
    const dv = new DataView(value.buffer);
    expect(dv.getBigUint64(8, true)).toBe(KERNEL_FRAMES[0]![0]);
    expect(dv.getBigUint64(56, true)).toBe(0n); // 7 frames, padded
    expect(map.nextKey(key)).toBeUndefined();
    expect(map.update(key, value)).toBe(-22);
    expect(map.delete(key)).toBe(0);
    expect(map.delete(key)).toBe(-2);
    expect(map.delete(u32(64))).toBe(-7); // beyond the buckets
    expect(map.lookup(key)).toBeUndefined();
  });
  it('a taken bucket: -EEXIST, FAST_STACK_CMP, REUSE_STACKID, and -ENOMEM with no free element', () => {
    const map = new StackTraceMap({ name: 's', type: MapType.STACK_TRACE, keySize: 4, valueSize: 16, maxEntries: 2, flags: 0 }, { arena: new Runtime().arena, ncpus: 1 });
    // find two stacks that share a bucket of the two
    const a = [1n, 2n];
    let b = [3n, 4n];
    for (let x = 5n; (jhash2(b) & 1) !== (jhash2(a) & 1); x++) b = [x, 4n];
    const id = map.stackId(a, 0);
    expect(id).toBe(jhash2(a) & 1);
    expect(map.stackId(a, 0)).toBe(id);
    expect(map.stackId(b, 0)).toBe(-17);
    expect(map.stackId(b, 1 << 9)).toBe(-17); // fast compare: hashes differ
    expect(map.stackId(b, 1 << 10)).toBe(id); // replaced (one element was free)
    expect(map.stackId(a, 0)).toBe(-17);
    // fill the other bucket, then nothing is free: even a replacement is -ENOMEM
    let c = [9n, 9n];
    for (let x = 10n; (jhash2(c) & 1) === (jhash2(a) & 1); x++) c = [x, 9n];
    expect(map.stackId(c, 0)).toBe(1 - id);
    expect(map.stackId(a, 1 << 10)).toBe(-12);
  });
  it('flags, skip and depth', () => {
    const rt = new Runtime();
    const m = stackMap(rt, 4, 16); // two entries per stack
    expect(run(rt, call(m.handle, 1 << 12) + 'exit')).toBe(-22n);
    expect(run(rt, call(m.handle, 7) + 'exit')).toBe(-14n); // skip all 7 frames
    const id = run(rt, call(m.handle, 5) + 'exit'); // the last two kernel frames
    expect(id >= 0n).toBe(true);
    const v = new DataView((m.map as StackTraceMap).lookup(u32(Number(id)))!.buffer);
    expect(v.getBigUint64(0, true)).toBe(KERNEL_FRAMES[4]![0]);
    expect(v.getBigUint64(8, true)).toBe(KERNEL_FRAMES[5]![0]);
  });
  it('creation checks with the kernel errnos', () => {
    const rt = new Runtime();
    const errno = (s: Partial<Parameters<Runtime['createMap']>[0]>) => {
      try {
        rt.createMap({ name: 'x', type: MapType.STACK_TRACE, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0, ...s });
        return 0;
      } catch (e) {
        return (e as { errno: number }).errno;
      }
    };
    expect(errno({})).toBe(0);
    expect(errno({ keySize: 8 })).toBe(-22);
    expect(errno({ valueSize: 12 })).toBe(-22);
    expect(errno({ valueSize: 0 })).toBe(-22);
    expect(errno({ valueSize: 8 * 128 })).toBe(-22); // above perf_event_max_stack
    expect(errno({ valueSize: 8 * 127 })).toBe(0);
    expect(errno({ maxEntries: 0 })).toBe(-22);
    expect(errno({ flags: 1 << 7 })).toBe(-22); // RDONLY_PROG
    expect(errno({ flags: 1 << 5, valueSize: 48 })).toBe(-22); // build id: 32-byte entries
    expect(errno({ flags: 1 << 5, valueSize: 64 })).toBe(0);
    expect(errno({ maxEntries: 2 ** 31 + 1 })).toBe(-7);
  });
});

describe('get_task_stack', () => {
  const rt = new Runtime();
  // get_task_stack(TASK, fp-64, 64, FLAGS)
  const call = (task: string, flags: number, tail = 'exit') => `${task}\nr2 = r10\nr2 += -64\nr3 = 64\nr4 = ${flags}\ncall 141\n${tail}`;
  it("the current task's stacks are get_stack's", () => {
    expect(run(rt, call('call 158\nr1 = r0', 0))).toBe(BigInt(8 * (1 + KERNEL_FRAMES.length)));
    expect(run(rt, call('call 158\nr1 = r0', 0, 'r0 = *(u64 *)(r10 - 16)\nexit'))).toBe(BigInt.asIntN(64, KERNEL_FRAMES.at(-1)![0]));
    expect(run(rt, call('call 158\nr1 = r0', 1 << 8))).toBe(BigInt(8 * USER_FRAMES.length));
    expect(run(rt, call('call 158\nr1 = r0', 1 << 12))).toBe(-22n);
  });
  it("another task's kernel stack is empty, its user stack refused (-EOPNOTSUPP), both zeroing the buffer", () => {
    const init = `r1 = ${INIT_TASK_ADDR} ll`;
    expect(run(rt, call(init, 0))).toBe(0n);
    expect(run(rt, call(init, 1 << 8))).toBe(-95n);
    expect(run(rt, `r1 = -1\n*(u64 *)(r10 - 64) = r1\n${call(init, 1 << 8, 'r0 = *(u64 *)(r10 - 64)\nexit')}`)).toBe(0n);
  });
  it('a pointer that is no task of the model faults', () => {
    expect(() => run(rt, call('r1 = 0', 0))).toThrow(/get_task_stack: NULL is not a task_struct/);
  });
});

describe('find_vma', () => {
  const rt = new Runtime();
  const call = (task: string, flags: number) => `${task}\nr2 = 4096\nr3 = 0\nr4 = 0\nr5 = ${flags}\ncall 180\nexit`;
  it('the task model has no vmas: -ENOENT, the callback never runs; flags first (-EINVAL)', () => {
    expect(run(rt, call('call 158\nr1 = r0', 0))).toBe(-2n);
    expect(run(rt, call('call 158\nr1 = r0', 1))).toBe(-22n);
    expect(run(rt, call('r1 = 0', 1))).toBe(-22n);
    expect(() => run(rt, call('r1 = 0', 0))).toThrow(/find_vma: NULL is not a task_struct/);
  });
});
