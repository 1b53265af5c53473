// Run-to-run comparison: `node dist/bench/main.js --compare OLD.json NEW.json` lines up the
// results two runs share (by name) and prints the change of the fastest sample, the figure
// least moved by load; the machines and loads of both runs head the table, since a change of
// machine or load explains more than most code changes do.
import { readFileSync } from 'node:fs';
import { describeLoad } from './machine.js';
import { fmtNs } from './registry.js';
import type { RunDocument } from './report.js';

export function readRun(path: string): RunDocument {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as RunDocument;
  if (doc.schema !== 'ebpfvm-bench/1') throw new Error(`${path}: not an ebpfvm benchmark results file`);
  return doc;
}

export interface Change {
  name: string;
  before: number;
  after: number;
  /** after / before: below 1 is faster (or smaller, for bytes). */
  ratio: number;
  unit: string;
}

export function compareRuns(a: RunDocument, b: RunDocument): Change[] {
  const byName = new Map(a.results.map((r) => [r.name, r]));
  const out: Change[] = [];
  for (const r of b.results) {
    const o = byName.get(r.name);
    if (!o) continue;
    if (o.minNs !== undefined && r.minNs !== undefined && o.minNs > 0) out.push({ name: r.name, before: o.minNs, after: r.minNs, ratio: r.minNs / o.minNs, unit: 'ns' });
    else if (o.value !== undefined && r.value !== undefined && o.value > 0) out.push({ name: r.name, before: o.value, after: r.value, ratio: r.value / o.value, unit: r.unit ?? '' });
  }
  return out;
}

export function formatComparison(a: RunDocument, b: RunDocument, changes: Change[]): string {
  const head = (d: RunDocument, which: string) =>
    `${which}: ${d.startedAt}, commit ${d.machine.commit}, ${d.machine.cpu} x${d.machine.cores}, node ${d.machine.node}, load ${d.load.perCoreStart}/core (${describeLoad(d.load.perCoreStart)})`;
  const w = Math.max(10, ...changes.map((c) => c.name.length));
  const fmt = (c: Change, x: number) => (c.unit === 'ns' ? fmtNs(x) : `${x.toFixed(1)} ${c.unit}`);
  const lines = changes.map((c) => {
    const pct = (c.ratio - 1) * 100;
    return `${c.name.padEnd(w)}  ${fmt(c, c.before).padStart(12)} -> ${fmt(c, c.after).padStart(12)}  ${(pct >= 0 ? '+' : '') + pct.toFixed(1)}%`;
  });
  return [head(a, 'before'), head(b, 'after '), `fastest sample per result; ${changes.length} results in both runs`, '', ...lines, ''].join('\n');
}
