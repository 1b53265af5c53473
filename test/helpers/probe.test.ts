// probe_read_kernel(_str) (x_probe.c; kernel results in test/fixtures/kernel/x_probe.json), and
// reads from the runtime's kernel-memory view.
import { describe, expect, it } from 'vitest';
import { xprog } from './x-common.js';
import { assemble } from '../../src/index.js';
import { Runtime } from '../../src/runtime.js';

describe('probe reads', () => {
  it('x_probe.c: BPF memory reads, -ERANGE for low addresses, string lengths with the NUL, user reads', () => {
    const { run, res } = xprog('x_probe.o');
    expect(run('x_probe').retval).toBe(11);
    // probe_read_user of BPF (kernel) memory or an unmapped address: -EFAULT
    expect(res(11)).toEqual([0, 1, -34, 0, 8, 4, -34, 0, -14, -14, -14]);
  });
  it('reads the kernel-memory view; a miss there is -EFAULT with the buffer zeroed', () => {
    const rt = new Runtime();
    const base = 0xffffc90000001000n; // vmalloc space: clear of the built-in task and cred
    rt.kmem.map(base, new TextEncoder().encode('task\0'));
    // r1 = fp-8, r2 = 8, r3 = address; call probe_read_kernel_str (115) then probe_read_kernel (113)
    const prog = (helper: number, addr: bigint) => ({
      name: 't',
      progType: 31,
      gpl: true,
      insns: assemble(`r1 = r10\nr1 += -8\nr2 = 8\nr3 = ${addr} ll\ncall ${helper}\nexit`),
    });
    expect(rt.execute(prog(115, base) as never).r0).toBe(5n);
    expect(BigInt.asIntN(64, rt.execute(prog(113, base + 0x100000n) as never).r0)).toBe(-14n);
  });
});

describe('copy_from_user / copy_from_user_task', () => {
  const rt = new Runtime();
  const user = 0x7f0000001000n;
  rt.kmem.map(user, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
  // fp-8 = -1; r1 = fp-8, r2 = 8, r3 = ADDR, r4 = TASK, r5 = FLAGS; call; then r0 or the copy
  const run = (helper: number, addr: bigint, task: string, flags = 0, tail = 'exit') =>
    BigInt.asIntN(
      64,
      rt.execute({
        name: 't',
        progType: 2, // kprobe
        gpl: true,
        insns: assemble(`${task}\nr4 = r0\nr1 = -1\n*(u64 *)(r10 - 8) = r1\nr1 = r10\nr1 += -8\nr2 = 8\nr3 = ${addr} ll\nr5 = ${flags}\ncall ${helper}\n${tail}`),
      } as never).r0,
    );
  const current = 'call 158';
  const other = `r0 = ${0xffffffff82a0c940n} ll`; // init_task: a task of the model, not current
  it('copy the user view, or -EFAULT with the buffer zeroed', () => {
    expect(run(148, user, current)).toBe(0n);
    expect(run(148, user, current, 0, 'r0 = *(u64 *)(r10 - 8)\nexit')).toBe(0x0807060504030201n);
    expect(run(148, user + 0x100000n, current)).toBe(-14n);
    expect(run(148, user + 0x100000n, current, 0, 'r0 = *(u64 *)(r10 - 8)\nexit')).toBe(0n);
  });
  it("copy_from_user_task: the current task's view; flags -EINVAL; another task has none of it", () => {
    expect(run(191, user, current, 0, 'r0 = *(u64 *)(r10 - 8)\nexit')).toBe(0x0807060504030201n);
    expect(run(191, user, current, 1)).toBe(-22n);
    expect(run(191, user, other)).toBe(-14n);
    expect(run(191, user, other, 0, 'r0 = *(u64 *)(r10 - 8)\nexit')).toBe(0n);
    expect(() => run(191, user, 'r0 = 0')).toThrow(/copy_from_user_task: NULL is not a task_struct/);
  });
});
