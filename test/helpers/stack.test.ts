// get_stackid / get_stack are placeholders (helpers/stack.ts): ebpfvm has no call stacks, so both
// fail as the kernel does when it cannot capture one, and get_stack zeroes the buffer.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/index.js';
import { Runtime } from '../../src/runtime.js';

describe('stack helpers (placeholders)', () => {
  it('get_stack: -EFAULT and a zeroed buffer; get_stackid: -EFAULT', () => {
    const rt = new Runtime();
    const m = rt.createMap({ name: 'a', type: 2, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0 });
    // fill fp-8 with ones, get_stack(ctx, fp-8, 8, 0), then r0 += *(u64 *)(fp-8) (0 when zeroed)
    const getStack = assemble('r1 = -1\n*(u64 *)(r10 - 8) = r1\nr1 = 0\nr2 = r10\nr2 += -8\nr3 = 8\nr4 = 0\ncall 67\nr1 = *(u64 *)(r10 - 8)\nr0 += r1\nexit');
    expect(BigInt.asIntN(64, rt.execute({ name: 's', insns: getStack, progType: 2, gpl: true } as never).r0)).toBe(-14n);
    const getStackid = assemble(`r1 = 0\nr2 = ${m.handle} ll\nr3 = 0\ncall 27\nexit`);
    expect(BigInt.asIntN(64, rt.execute({ name: 'i', insns: getStackid, progType: 2, gpl: true } as never).r0)).toBe(-14n);
  });
});
