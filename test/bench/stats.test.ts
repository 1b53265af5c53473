// The statistics the harness and `ebpfvm bench` report.
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/cli/commands/bench.js';
import { percentile, summarize, tCritical } from '../../bench/stats.js';

describe('bench statistics', () => {
  it('summarises samples: mean, fastest, median, p99, margin of error', () => {
    const s = summarize([10, 12, 11, 13, 9]);
    expect(s.n).toBe(5);
    expect(s.mean).toBe(11);
    expect(s.min).toBe(9);
    expect(s.max).toBe(13);
    expect(s.p50).toBe(11);
    expect(s.p99).toBe(13);
    expect(s.sd).toBeCloseTo(Math.sqrt(2.5), 10);
    // rme = t(4) * sd / sqrt(n) / mean, in percent
    expect(s.rme).toBeCloseTo(((2.776 * Math.sqrt(2.5)) / Math.sqrt(5) / 11) * 100, 6);
  });
  it('gives a single sample no margin of error', () => {
    expect(summarize([5]).rme).toBe(0);
    expect(() => summarize([])).toThrow();
  });
  it('uses the nearest-rank percentile and the t table', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(tCritical(1)).toBe(12.706);
    expect(tCritical(1000)).toBe(1.96);
  });
  it('parses --time durations and refuses nonsense', () => {
    expect(parseDuration('2s')).toBe(2000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5')).toBe(1500);
    expect(parseDuration('1m')).toBe(60_000);
    expect(() => parseDuration('2x')).toThrow(/not a duration/);
    expect(() => parseDuration('0s')).toThrow(/out of range/);
  });
});
