// The playground's figures (issue 18): its bundle size and the time to first run of the scheduler
// example in Debian's Chromium (`npm run bench -- playground`). The browser work runs in
// bench/playground-probe.ts as a child process; this suite turns its JSON into rows. Bundle size
// is every file of the build (HTML, JS with the inlined example objects, CSS), raw and gzipped.
// Time to first run is measured by the page itself from the navigation start to the first result
// drawn, in a fresh browser context per sample (cold cache, page served from localhost), so it
// includes fetching and compiling the bundle, opening the object, verifying `schedule` (8,371 insns
// processed), loading it and its first run on the compiled engine. Without Chromium the suite
// reports nothing and says why.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ProbeResult } from './playground-probe.js';
import { repoPath } from './paths.js';
import { registerSuite, type BenchResult } from './registry.js';
import { summarize } from './stats.js';

const CHROMIUM = process.env.EBPFVM_CHROMIUM ?? '/usr/bin/chromium';

export function playgroundRows(samples: number, progress: (msg: string) => void): BenchResult[] {
  if (!existsSync(CHROMIUM)) {
    progress(`playground: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    return [];
  }
  const r = spawnSync(process.execPath, [repoPath('dist/bench/playground-probe.js'), String(samples)], { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 600_000 });
  if (r.status !== 0) throw new Error(`playground probe failed (${r.status ?? r.signal}): ${r.stderr}`);
  const probe = JSON.parse(r.stdout) as ProbeResult;
  for (const s of probe.samples) {
    if (s.retval !== '0' || !Number.isFinite(s.firstRun)) throw new Error(`playground: the scheduler's first run showed retval '${s.retval}', first-run mark ${s.firstRun}`);
  }
  const bytes = probe.files.reduce((a, f) => a + f.bytes, 0);
  const gzip = probe.files.reduce((a, f) => a + f.gzip, 0);
  const js = probe.files.filter((f) => f.file.endsWith('.js'));
  const engine = /engine: (\S+)/.exec(probe.samples[0]?.engine ?? '')?.[1] ?? '?';
  const rows: BenchResult[] = [
    { name: 'playground/bundle-bytes', tags: ['playground'], value: bytes / 1024, unit: 'KiB', mode: 'n/a', note: `${probe.files.length} files: ${probe.files.map((f) => `${f.file} ${(f.bytes / 1024).toFixed(1)} KiB`).join(', ')}; JS ${(js.reduce((a, f) => a + f.bytes, 0) / 1024).toFixed(1)} KiB` },
    { name: 'playground/bundle-gzip', tags: ['playground'], value: gzip / 1024, unit: 'KiB', mode: 'n/a', note: 'gzip -9 of each file, summed' },
  ];
  const ms = (xs: number[], name: string, what: string): BenchResult => {
    const s = summarize(xs.map((x) => x * 1e6));
    return { name, tags: ['playground'], meanNs: s.mean, minNs: s.min, p50Ns: s.p50, rme: s.rme, samples: s.n, mode: 'verified', note: `${what}; ${probe.chromium}, engine ${engine}, ${s.n} cold loads, max ${(s.max / 1e6).toFixed(0)} ms` };
  };
  rows.push(
    ms(probe.samples.map((s) => s.firstRun), 'playground/time-to-first-run', 'navigation start to the scheduler example\'s first result drawn'),
    ms(probe.samples.map((s) => s.ready), 'playground/time-to-ready', 'navigation start to the example opened and drawn'),
    ms(probe.samples.map((s) => s.runOnly), 'playground/first-run-only', 'the first run alone: load, verify, run, draw'),
  );
  return rows;
}

registerSuite({
  name: 'playground',
  tags: ['playground'],
  mode: 'verified',
  fn: () => {},
  rows: ({ quick, progress }) => playgroundRows(quick ? 3 : 10, progress),
});
