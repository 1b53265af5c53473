// Unverified runs: misuse the kernel's verifier would reject is a VmFault naming the helper, never
// a JS exception or a write outside a region.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/index.js';
import { VmFault } from '../../src/errors.js';
import { Runtime } from '../../src/runtime.js';

const run = (rt: Runtime, text: string, progType = 3) => rt.execute({ name: 'f', insns: assemble(text), progType, gpl: true } as never);

describe('helper misuse faults', () => {
  it('ringbuf_submit of a pointer reserve did not return', () => {
    const rt = new Runtime();
    expect(() => run(rt, 'r1 = r10\nr1 += -8\nr2 = 0\ncall 132\nexit')).toThrow(/ringbuf_submit: .* is not a reserved ring buffer sample/);
  });
  it('ring buffer, queue and tail-call helpers on the wrong map type', () => {
    const rt = new Runtime();
    const arr = rt.createMap({ name: 'arr', type: 2, keySize: 4, valueSize: 4, maxEntries: 1, flags: 0 });
    expect(() => run(rt, `r1 = ${arr.handle} ll\nr2 = 8\nr3 = 0\ncall 131\nexit`)).toThrow(VmFault);
    expect(() => run(rt, `r1 = ${arr.handle} ll\nr2 = r10\nr2 += -8\ncall 88\nexit`)).toThrow(/not a queue, stack or bloom filter/);
    expect(() => run(rt, `r2 = ${arr.handle} ll\nr3 = 0\ncall 12\nexit`)).toThrow(/not a prog_array/);
    expect(() => run(rt, `r1 = ${arr.handle} ll\nr2 = 0\nr3 = 0\ncall 51\nexit`, 6)).toThrow(/not a devmap/);
  });
  it('packet helpers on a context that is not a packet', () => {
    const rt = new Runtime();
    expect(() => run(rt, 'r1 = r10\nr1 += -256\nr2 = 0\ncall 39\nexit')).toThrow(/not a packet context/);
  });
});
