// `ebpfvm test x.o... [--prog P] [--jobs N] [--shard i/n] [--strict] [--unpriv] [--json]`: the kernel's
// selftest annotations (src/selftest), one program at a time, one line per test (PASS/FAIL/SKIP
// with the reason), then `N passed, N failed, N skipped`. `--jobs N` spreads the objects over N
// worker threads (results still print in file order); `--shard i/n` tests only the i-th of n
// contiguous slices of the sorted file list, so CI machines can split a suite. Exit 1 if a test
// failed, 2 for bad usage (a missing file or a directory: nothing runs) or bad input (an object
// that cannot be read or opened, or has no BTF: its FAIL line prints and the others still run).
import { Worker } from 'node:worker_threads';
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { formatResult, formatTotals, totals, type ObjectTestOptions, type TestResult } from '../../selftest/runner.js';
import { testFile, WORKER_MARK, type WorkerReply, type WorkerRequest } from '../test-file.js';
import type { RegisterCommand } from './index.js';
import { ENGINE_HELP, parseEngine } from '../engine.js';
import type { Engine } from '../../../vm/interpreter.js';
import { writeOut } from '../output.js';

interface TestOptions {
  prog?: string;
  jobs?: number;
  engine?: Engine;
  shard?: string;
  strict?: boolean;
  unpriv?: boolean;
  json?: boolean;
  verbose?: boolean;
}

const positive = (flag: string) => (v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 256) throw new UsageError(`${flag}: '${v}' is not a number from 1 to 256`);
  return Number(v);
};

/** The files of shard `i/n` (1-based): contiguous slices of the sorted list, sizes differing by at most 1. */
export function shardFiles(files: readonly string[], shard: string): string[] {
  const m = /^(\d+)\/(\d+)$/.exec(shard);
  const i = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || !(n >= 1) || !(i >= 1) || i > n) throw new UsageError(`--shard: '${shard}' is not i/n with 1 <= i <= n`);
  const sorted = [...files].sort();
  const start = Math.floor(((i - 1) * sorted.length) / n);
  const end = Math.floor((i * sorted.length) / n);
  return sorted.slice(start, end);
}

export const registerTest: RegisterCommand = (program: Command, setExit) => {
  program
    .command('test')
    .description("run the kernel's selftest annotations (__success, __failure, __msg, __retval, ...) of BPF objects")
    .argument('<objects...>', 'annotated BPF objects (.o)')
    .option('--prog <name>', 'only this test (program name or description)')
    .option('--jobs <n>', 'worker threads to spread the objects over', positive('--jobs'))
    .option('--shard <i/n>', 'test only the i-th of n slices of the sorted file list')
    .option('--strict', "verify with the rbtree verifier's strict mode")
    .option('--unpriv', 'only the unprivileged (@unpriv) runs: loaded without CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN and CAP_SYS_ADMIN, test runs with them (without the flag both runs are made, as the kernel test loader makes them)')
    .option('--engine <name>', ENGINE_HELP, parseEngine)
    .option('--json', 'print one JSON object with every result')
    .option('-v, --verbose', 'print the verifier log of failed tests')
    .action(async (files: string[], opts: TestOptions) => {
      setExit(await testCommand(files, opts));
    });
};

async function testCommand(files: string[], opts: TestOptions): Promise<number> {
  for (const f of files) {
    const st = statSync(f, { throwIfNoEntry: false });
    if (st === undefined) throw new UsageError(`cannot read ${f}: ENOENT`);
    if (st.isDirectory()) throw new UsageError(`cannot read ${f}: EISDIR (ebpfvm test takes object files: ${f.replace(/\/+$/, '')}/*.o)`);
  }
  const chosen = opts.shard !== undefined ? shardFiles(files, opts.shard) : files;
  const testOpts: ObjectTestOptions = { ...(opts.prog !== undefined ? { prog: opts.prog } : {}), ...(opts.strict ? { strict: true } : {}), ...(opts.unpriv ? { unprivOnly: true } : {}), ...(opts.engine !== undefined ? { engine: opts.engine } : {}) };
  const all: TestResult[] = [];
  const print = (results: TestResult[]) => {
    all.push(...results);
    if (opts.json) return;
    let text = '';
    for (const r of results) {
      text += formatResult(r) + '\n';
      if (opts.verbose && r.status === 'FAIL' && r.log) text += r.log.replace(/^/gm, '    ') + '\n';
    }
    writeOut(text);
  };
  const jobs = Math.min(opts.jobs ?? 1, chosen.length);
  if (jobs <= 1) for (const f of chosen) print(testFile(f, testOpts));
  else await inWorkers(chosen, testOpts, jobs, print);
  const t = totals(all);
  if (opts.json) writeOut(JSON.stringify({ files: chosen, results: all, ...t }) + '\n');
  else writeOut(formatTotals(t) + '\n');
  if (opts.prog !== undefined && all.length === 0) throw new UsageError(`no test named ${opts.prog}`);
  return all.some((r) => r.badInput) ? 2 : t.failed > 0 ? 1 : 0;
}

/** Test `files` on `jobs` worker threads; `print` gets each object's results in file order. */
function inWorkers(files: string[], opts: ObjectTestOptions, jobs: number, print: (r: TestResult[]) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const done: (TestResult[] | undefined)[] = new Array(files.length).fill(undefined);
    let next = 0;
    let printed = 0;
    let failed = false;
    const workers: Worker[] = [];
    const finish = (err?: Error) => {
      if (failed) return;
      if (err) failed = true;
      for (const w of workers) void w.terminate();
      if (err) reject(err);
      else resolve();
    };
    const feed = (w: Worker) => {
      if (next >= files.length) return;
      const req: WorkerRequest = { index: next, file: files[next]!, opts };
      next++;
      w.postMessage(req);
    };
    for (let i = 0; i < jobs; i++) {
      const w = new Worker(new URL('../test-worker.js', import.meta.url), { workerData: WORKER_MARK });
      workers.push(w);
      w.on('message', (reply: WorkerReply) => {
        if (reply.error !== undefined) return finish(new Error(`worker: ${reply.error}`));
        done[reply.index] = reply.results ?? [];
        while (printed < files.length && done[printed]) print(done[printed++]!);
        if (printed === files.length) finish();
        else feed(w);
      });
      w.on('error', (e) => finish(e));
      feed(w);
    }
  });
}
