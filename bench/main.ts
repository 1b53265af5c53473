// `npm run bench [-- --quick] [--json] [--out DIR] [filters...]` (or `--render DIR`, or
// `--compare OLD.json NEW.json`): run the registered suites, print
// one row per result (progress on stderr), and write results.json, results.md and rbtree-ops.svg.
// A full, unfiltered run writes to bench/results/ (the committed figures the README quotes);
// quick or filtered runs write to bench/results/scratch/ unless --out says otherwise, so a quick
// check never overwrites the committed full run.
// Each suite module registers itself on import; add one line per module.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareRuns, formatComparison, readRun } from './compare.js';
import { ensureGc } from './gc.js';
import { describeLoad, loadAverage, machineInfo } from './machine.js';
import { repoPath } from './paths.js';
import { formatRow, runSuites, selectSuites, type BenchResult } from './registry.js';
import { writeRun, type RunDocument } from './report.js';
import './vm.js';
import './vm-maps.js';
import './registers.js';
import './rbtree.js';
import './rbtree-helpers.js';
import './kernel.js';
import './memory.js';
import './engines.js';
import './engines-kernel.js';
import './verify.js';
import './verify-kernel.js';
import './playground.js';

const RESULTS = repoPath('bench/results');

export interface MainOptions {
  quick: boolean;
  json: boolean;
  out?: string;
  /** Re-render results.md and the chart from DIR/results.json (after a report change). */
  render?: string;
  /** Two results.json files to compare instead of running. */
  compare?: [string, string];
  filter: string[];
}

export function parseArgs(argv: string[]): MainOptions | string {
  const o: MainOptions = { quick: false, json: false, filter: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = true;
    else if (a === '--out') {
      const d = argv[++i];
      if (!d) return '--out needs a directory';
      o.out = d;
    } else if (a === '--render') {
      const d = argv[++i];
      if (!d) return '--render needs a directory holding results.json';
      o.render = d;
    } else if (a === '--compare') {
      const x = argv[++i];
      const y = argv[++i];
      if (!x || !y) return '--compare needs two results.json files (before, after)';
      o.compare = [x, y];
    } else if (a.startsWith('--')) return `unknown option ${a} (use --quick, --json, --out DIR, --render DIR, --compare OLD NEW, or suite filters)`;
    else o.filter.push(a);
  }
  return o;
}

export function main(argv: string[]): number {
  const o = parseArgs(argv);
  if (typeof o === 'string') {
    process.stderr.write(`bench: ${o}\n`);
    return 2;
  }
  if (o.compare) {
    const [a, b] = o.compare.map(readRun) as [RunDocument, RunDocument];
    process.stdout.write(formatComparison(a, b, compareRuns(a, b)));
    return 0;
  }
  if (o.render !== undefined) {
    const doc = JSON.parse(readFileSync(join(o.render, 'results.json'), 'utf8')) as RunDocument;
    const paths = writeRun(o.render, doc);
    process.stderr.write(`rendered ${paths.md} and ${paths.svg}\n`);
    return 0;
  }
  // --quick alone runs the suites tagged 'quick' (under a minute in all); filters choose otherwise.
  const filter = o.filter.length ? o.filter : o.quick ? ['quick'] : [];
  const selected = selectSuites(filter);
  if (selected.length === 0) {
    process.stderr.write(`bench: no benchmark suite matches ${filter.join(' ')}\n`);
    return 2;
  }
  ensureGc();
  const machine = machineInfo();
  const l0 = loadAverage();
  const log = (s: string) => process.stderr.write(s + '\n');
  log(`${selected.length} suite(s)${o.quick ? ' (quick)' : ''}: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}, commit ${machine.commit}`);
  log(`load average ${l0.load.join(' ')} (${l0.perCore} per core: ${describeLoad(l0.perCore)})`);
  const t0 = Date.now();
  const started = new Date().toISOString();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s`;
  let done = 0;
  const results: BenchResult[] = [];
  for (const suite of selected) {
    done++;
    log(`${elapsed()} [${done}/${selected.length}] ${suite.name}`);
    results.push(
      ...runSuites(
        {
          quick: o.quick,
          onResult: (r) => {
            if (!o.json) process.stdout.write(formatRow(r) + '\n');
          },
          onProgress: (msg) => log(`${elapsed()}     ${msg}`),
        },
        [suite],
      ),
    );
  }
  const l1 = loadAverage();
  const doc: RunDocument = {
    schema: 'ebpfvm-bench/1',
    quick: o.quick,
    startedAt: started,
    seconds: (Date.now() - t0) / 1000,
    machine,
    load: { start: l0.load, end: l1.load, perCoreStart: l0.perCore, perCoreEnd: l1.perCore },
    filter: o.filter,
    results,
  };
  const dir = o.out ?? (o.quick || o.filter.length ? join(RESULTS, 'scratch') : RESULTS);
  const paths = writeRun(dir, doc);
  if (o.json) process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  log(`${elapsed()} done; load average now ${l1.load.join(' ')}. Wrote ${paths.md}, ${paths.json}, ${paths.svg}`);
  return 0;
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], 'file:').href) process.exitCode = main(process.argv.slice(2));
