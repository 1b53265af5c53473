// bench/report.ts's targets table against hand-made results: each row compares the figures it names.
import { describe, expect, it } from 'vitest';
import { markdown, type RunDocument } from '../../bench/report.js';
import type { BenchResult } from '../../bench/registry.js';

const row = (name: string, minNs: number, impl: string, op: string, size = 1000): BenchResult => ({
  name,
  tags: ['kernel'],
  meanNs: minNs,
  minNs,
  p50Ns: minNs,
  rme: 1,
  samples: 3,
  params: { impl, op, size, keys: 'random' },
});

function doc(results: BenchResult[]): RunDocument {
  return {
    schema: 'ebpfvm-bench/1',
    quick: true,
    startedAt: '2026-12-04T00:00:00.000Z',
    seconds: 1,
    machine: { cpu: 'test', cores: 2, memoryGiB: 1, platform: 'linux x64', kernel: '6.18', node: 'v20', v8: '11', commit: 'abcdef0', dirty: false },
    load: { start: [0, 0, 0], end: [0, 0, 0], perCoreStart: 0, perCoreEnd: 0 },
    filter: [],
    results,
  };
}

describe('targets table', () => {
  it("compares the VM's add+remove pair with the kernel's pair, not with the kernel's `first` row of the same size", () => {
    const md = markdown(
      doc([
        row('kernel/add+remove pair: VM @1000', 700, 'bpf', 'add+remove'),
        // bench/kernel.ts pushes the `first` row of a size before that size's pair row
        row('kernel/first: kernel @1000', 11, 'kernel', 'first'),
        row('kernel/add+remove pair: kernel @1000', 560, 'kernel', 'add+remove'),
      ]),
    );
    const line = md.split('\n').find((l) => l.startsWith('| rbtree add+remove pair from BPF'));
    expect(line).toContain('560.0 ns (kernel, this run)');
    expect(line).toContain('not met (1.3×)');
  });
});
