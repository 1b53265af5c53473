// --trace: one line per executed instruction, in the kernel dialect, indented by call depth.
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { callLocal, exit, mov64, movr, prog } from './enc.js';

describe('trace', () => {
  it('prints every executed instruction with the registers it reads', () => {
    const lines: string[] = [];
    const r = new Runtime().execute(prog([mov64(1, 5), callLocal(1), exit(), movr(0, 1), exit()]), { trace: (l) => lines.push(l) });
    expect(r.r0).toBe(5n);
    expect(lines).toHaveLength(r.insnCount);
    expect(lines[0]).toMatch(/^0: \(b7\) r1 = 5\s+; r1=0x0/);
    expect(lines[2]).toMatch(/^  3: \(bf\) r0 = r1\s+; r0=0x0 r1=0x5$/);
    expect(lines[4]).toMatch(/^2: \(95\) exit/);
  });
});
