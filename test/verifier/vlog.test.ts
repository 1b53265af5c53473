// The verifier log's storage (verifier/log.ts): positions count characters, so its pieces can be
// joined into chunks (a long walk keeps a few thousand strings, not millions) and a rewind still
// lands where the kernel's bpf_vlog_reset would, inside a chunk or across several.
import { describe, expect, it } from 'vitest';
import { VLog } from '../../verifier/log.js';

describe('VLog', () => {
  it('rewinds to a saved position across sealed chunks, as if nothing had been joined', () => {
    const log = new VLog(1);
    const expected: string[] = [];
    for (let i = 0; i < 3000; i++) {
      log.write(`line ${i}\n`);
      expected.push(`line ${i}\n`);
    }
    const pos = log.pos;
    const at = expected.join('');
    for (let i = 0; i < 5000; i++) log.write(`more ${i}\n`);
    log.restore(pos);
    expect(log.text()).toBe(at);
    // into the middle of a chunk written long ago
    log.restore(10);
    expect(log.text()).toBe(at.slice(0, 10));
  });

  it("an open instruction line rewound keeps one blank of its state's padding, or its newline", () => {
    const log = new VLog(1);
    log.insn(3, '(b7) r0 = 0');
    const pos = log.pos;
    const open = log.openLen;
    for (let i = 0; i < 2000; i++) log.insnState(3 + i, ' R0=0');
    log.restore(pos, open);
    log.insnState(4, ' R0=1');
    expect(log.text()).toBe('3: (b7) r0 = 0 4: R0=1\n');
    const l2 = new VLog(1);
    l2.insn(3, '(e5) may_goto pc+1');
    const p2 = l2.pos;
    const o2 = l2.openLen;
    for (let i = 0; i < 2000; i++) l2.write('x\n');
    l2.restore(p2, o2);
    expect(l2.text()).toBe('3: (e5) may_goto pc+1\n');
  });

  it('past 16 MiB keeps the end, from a line start', () => {
    const log = new VLog(2);
    const line = 'x'.repeat(99) + '\n';
    for (let i = 0; i < 200_000; i++) log.write(i === 199_999 ? 'last\n' : line);
    const t = log.text();
    expect(t.length).toBeLessThanOrEqual(16 << 20);
    expect(t.length).toBeGreaterThan(12 << 20);
    expect(t.startsWith('x')).toBe(true);
    expect(t.endsWith(line + 'last\n')).toBe(true);
    expect(t.length % 100).toBe(5); // whole lines only
  });
});
