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
