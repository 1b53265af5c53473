// Whatever the bytes, running them ends in a result, a DecodeError or a VmFault: never a raw JS
// exception, never a write outside a region (DESIGN section 2, unverified mode).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { DecodeError, VmFault } from '../../src/errors.js';
import { MemFlag } from '../../vm/memory.js';
import { prog } from './enc.js';
import { insn, repair } from './random-program.js';

describe('fuzz: random programs', () => {
  it('end in a result, a DecodeError or a VmFault, and never write outside their regions', () => {
    const rt = new Runtime({
      maxInsns: 5000,
      helpers: [
        { id: 1, name: 'echo', proto: { args: [], ret: { type: 'RET_INTEGER' } }, gplOnly: false, progTypes: 'all', impl: (c) => c.u64(1) },
        { id: 2, name: 'cb', proto: { args: [], ret: { type: 'RET_INTEGER' } }, gplOnly: false, progTypes: 'all', impl: (c) => c.callback(1, [1, 2]) },
      ],
    });
    const mem = rt.arena.allocRegion(64, MemFlag.READ | MemFlag.WRITE, 'input', 'mem');
    // a sentinel region right after: nothing may ever change it
    const guard = rt.arena.allocRegion(4096, MemFlag.READ, 'other', 'guard');
    rt.arena.u8.fill(0x5a, guard, guard + 4096);
    let ran = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(insn, fc.integer({ min: 0, max: 19 })), { minLength: 1, maxLength: 24 }), (pairs) => {
        const insns = repair(
          pairs.map((p) => p[0]),
          pairs.map((p) => p[1] === 0),
        );
        try {
          rt.execute(prog([...insns, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }]), { args: [mem, 64] });
          ran++;
        } catch (e) {
          if (!(e instanceof DecodeError) && !(e instanceof VmFault)) throw e;
          if (e instanceof VmFault) {
            ran++;
            expect(e.reason).not.toMatch(/internal error/);
          }
        }
        for (let i = guard; i < guard + 4096; i++) if (rt.arena.u8[i] !== 0x5a) throw new Error('guard region modified');
      }),
      { numRuns: 3000 },
    );
    expect(ran).toBeGreaterThan(300);
  });
});
