// Run-to-run comparison of two results files: shared results lined up by name, fastest samples.
import { describe, expect, it } from 'vitest';
import { compareRuns, formatComparison } from '../../bench/compare.js';
import type { RunDocument } from '../../bench/report.js';

const doc = (commit: string, results: RunDocument['results']): RunDocument => ({
  schema: 'ebpfvm-bench/1',
  quick: false,
  startedAt: '2026-01-01T00:00:00Z',
  seconds: 1,
  machine: { cpu: 'cpu', cores: 2, memoryGiB: 4, platform: 'linux x64', kernel: '6.18', node: 'v20', v8: '11', commit, dirty: false },
  load: { start: [0, 0, 0], end: [0, 0, 0], perCoreStart: 0, perCoreEnd: 0 },
  filter: [],
  results,
});

describe('bench --compare', () => {
  it('lines up shared results and reports the change of the fastest sample', () => {
    const a = doc('aaa', [
      { name: 'vm/x', tags: [], meanNs: 120, minNs: 100 },
      { name: 'memory/y', tags: [], value: 48, unit: 'B/node' },
      { name: 'only/before', tags: [], meanNs: 1, minNs: 1 },
    ]);
    const b = doc('bbb', [
      { name: 'vm/x', tags: [], meanNs: 60, minNs: 50 },
      { name: 'memory/y', tags: [], value: 40, unit: 'B/node' },
      { name: 'only/after', tags: [], meanNs: 1, minNs: 1 },
    ]);
    const c = compareRuns(a, b);
    expect(c).toEqual([
      { name: 'vm/x', before: 100, after: 50, ratio: 0.5, unit: 'ns' },
      { name: 'memory/y', before: 48, after: 40, ratio: 40 / 48, unit: 'B/node' },
    ]);
    const text = formatComparison(a, b, c);
    expect(text).toMatch(/before: .*commit aaa/);
    expect(text).toMatch(/after : .*commit bbb/);
    expect(text).toMatch(/vm\/x .* -50\.0%/);
  });
});
