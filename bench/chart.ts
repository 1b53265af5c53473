// The README's chart: rbtree operations per second by tree size, one panel per operation (add,
// find, remove, next, first, and the add+remove pair against the kernel), one line per
// implementation, both axes logarithmic. Hand-written SVG so the benchmarks need no plotting
// dependency and the file diffs as text.
import type { BenchResult } from './registry.js';
import type { RunDocument } from './report.js';

const PANELS = ['add', 'find', 'remove', 'next', 'first', 'add+remove'] as const;
const PANEL_TITLE: Record<string, string> = {
  next: 'next (per node of a full walk)',
  'add+remove': 'add+remove pair, one run each (VM vs kernel)',
};
const SERIES: { impl: string; label: string; color: string; dash?: string }[] = [
  { impl: 'bpf', label: 'BPF, compiled engine', color: '#d62728' },
  { impl: 'bpf-interpreter', label: 'BPF, interpreter', color: '#ff7f0e', dash: '4 2' },
  { impl: 'ts', label: 'TypeScript API', color: '#1f77b4' },
  { impl: 'js-sdsl', label: 'js-sdsl OrderedMap', color: '#2ca02c', dash: '6 3' },
  { impl: 'sorted-btree', label: 'sorted-btree BTree', color: '#9467bd', dash: '2 3' },
  { impl: 'kernel', label: 'Linux kernel', color: '#7f7f7f', dash: '8 3 2 3' },
];

/** ops/s from the median sample where there is one: on a shared machine one preempted sample
 *  can move the mean by more than the difference between two lines. */
const rate = (r: BenchResult) => 1e9 / (r.p50Ns ?? r.meanNs!);
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmtPow = (e: number) => (e >= 9 ? `${10 ** (e - 9)}G` : e >= 6 ? `${10 ** (e - 6)}M` : e >= 3 ? `${10 ** (e - 3)}k` : `${10 ** e}`);

export function rbtreeChart(doc: RunDocument, keys: 'random' | 'sequential' = 'random'): string {
  const rows = doc.results.filter(
    (r): r is BenchResult & { params: Record<string, string | number> } =>
      !!r.params && r.params.keys === keys && r.meanNs !== undefined && r.meanNs > 0 && (r.name.startsWith('rbtree-ops/') || r.name.startsWith('kernel/add+remove pair:')),
  );
  const W = 920;
  const H = 960;
  const pw = 360; // panel plot area
  const ph = 200;
  const left = [80, 530];
  const top = [115, 405, 695];
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">ebpfvm rbtree: operations per second by tree size (${keys} keys)</text>`);
  const m = doc.machine;
  out.push(`<text x="${W / 2}" y="44" text-anchor="middle" fill="#555">${esc(`${m.cpu}, ${m.cores} cores, Node ${m.node}, commit ${m.commit}${doc.quick ? ', quick run' : ''}; ops/s = 1e9 / median ns per call; load ${doc.load.perCoreStart}/core`)}</text>`);
  // legend
  let lx = 30;
  for (const s of SERIES) {
    if (!rows.some((r) => r.params.impl === s.impl)) continue;
    out.push(`<line x1="${lx}" y1="64" x2="${lx + 24}" y2="64" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(`<text x="${lx + 30}" y="68">${esc(s.label)}</text>`);
    lx += 40 + s.label.length * 6.6;
  }
  if (rows.length === 0) {
    out.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no rbtree-ops results in this run</text>`, '</svg>');
    return out.join('\n') + '\n';
  }
  const sizes = [...new Set(rows.map((r) => Number(r.params.size)))].sort((a, b) => a - b);
  const xMin = Math.floor(Math.log10(sizes[0]!));
  const xMax = Math.max(xMin + 1, Math.ceil(Math.log10(sizes[sizes.length - 1]!)));
  PANELS.forEach((op, i) => {
    const x0 = left[i % 2]!;
    const y0 = top[Math.floor(i / 2)]!;
    const pr = rows.filter((r) => r.params.op === op);
    const ops = pr.map(rate);
    // One shared decade range per panel so lines are comparable within it.
    const yMin = ops.length ? Math.floor(Math.log10(Math.min(...ops))) : 5;
    const yMax = ops.length ? Math.max(yMin + 1, Math.ceil(Math.log10(Math.max(...ops)))) : 8;
    const X = (n: number) => x0 + ((Math.log10(n) - xMin) / (xMax - xMin)) * pw;
    const Y = (v: number) => y0 + ph - ((Math.log10(v) - yMin) / (yMax - yMin)) * ph;
    out.push(`<text x="${x0 + pw / 2}" y="${y0 - 10}" text-anchor="middle" font-weight="bold">${esc(PANEL_TITLE[op] ?? op)}</text>`);
    out.push(`<rect x="${x0}" y="${y0}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
    for (let e = yMin; e <= yMax; e++) {
      const y = Y(10 ** e);
      out.push(`<line x1="${x0}" y1="${y}" x2="${x0 + pw}" y2="${y}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${x0 - 6}" y="${y + 4}" text-anchor="end" fill="#444">${fmtPow(e)}</text>`);
    }
    for (let e = xMin; e <= xMax; e++) {
      const x = X(10 ** e);
      out.push(`<line x1="${x}" y1="${y0}" x2="${x}" y2="${y0 + ph}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${x}" y="${y0 + ph + 16}" text-anchor="middle" fill="#444">1e${e}</text>`);
    }
    out.push(`<text x="${x0 + pw / 2}" y="${y0 + ph + 34}" text-anchor="middle" fill="#444">nodes in the tree</text>`);
    out.push(`<text transform="translate(${x0 - 50} ${y0 + ph / 2}) rotate(-90)" text-anchor="middle" fill="#444">ops/s</text>`);
    for (const s of SERIES) {
      const pts = pr
        .filter((r) => r.params.impl === s.impl)
        .sort((a, b) => Number(a.params.size) - Number(b.params.size))
        .map((r) => [X(Number(r.params.size)), Y(rate(r))] as const);
      if (!pts.length) continue;
      out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`);
      for (const [x, y] of pts) out.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${s.color}"/>`);
    }
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
