import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { ADD, JNE, alu64k, exit, jmpk, mov64, prog } from './enc.js';

describe('smoke', () => {
  it('loops', () => {
    const rt = new Runtime();
    const p = prog([mov64(0, 0), mov64(1, 0), alu64k(ADD, 0, 3), alu64k(ADD, 1, 1), jmpk(JNE, 1, 1000, -3), exit()]);
    const r = rt.execute(p);
    expect(r.r0).toBe(3000n);
    expect(r.insnCount).toBe(2 + 3 * 1000 + 1);
  });
});
