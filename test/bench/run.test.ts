// `npm run bench -- --quick` end to end (built files in dist/, as `npm test` builds them first):
// it writes the markdown table, the JSON document and the SVG chart, with the machine, Node
// version, load and commit recorded; and `ebpfvm bench` on user programs, including bad input.
// Nothing here asserts a timing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist/bench/main.js');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const built = existsSync(MAIN) && existsSync(CLI);

describe.skipIf(!built)('npm run bench -- --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'ebpfvm-bench-'));
  let stdout = '';
  let stderr = '';
  beforeAll(() => {
    const r = spawnSync(process.execPath, [MAIN, '--quick', '--out', out], { encoding: 'utf8', timeout: 170_000 });
    stdout = r.stdout;
    stderr = r.stderr;
    if (r.status !== 0) throw new Error(`bench --quick exited ${r.status}: ${stderr.slice(-2000)}`);
  }, 180_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('prints progress and the machine while it runs', () => {
    expect(stderr).toMatch(/suite\(s\) \(quick\): .*cores.*node v\d+/);
    expect(stderr).toMatch(/load average [\d.]+ [\d.]+ [\d.]+/);
    expect(stderr).toMatch(/\[1\/\d+\]/);
    expect(stdout).toMatch(/vm\/alu64-loop/);
  });

  it('writes the JSON document with machine, load, commit and every result labelled', () => {
    const doc = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(doc.schema).toBe('ebpfvm-bench/1');
    expect(doc.quick).toBe(true);
    expect(doc.machine.cores).toBeGreaterThan(0);
    expect(doc.machine.cpu).toBeTruthy();
    expect(doc.machine.node).toBe(process.version);
    expect(doc.machine.commit).toMatch(/^[0-9a-f]{7,}$|^unknown$/);
    expect(doc.load.start).toHaveLength(3);
    const ops = doc.results.filter((r: { name: string }) => r.name.startsWith('rbtree-ops/'));
    expect(new Set(ops.map((r: { params: { impl: string } }) => r.params.impl))).toEqual(new Set(['bpf', 'bpf-interpreter', 'ts', 'js-sdsl', 'sorted-btree']));
    for (const r of doc.results.filter((x: { name: string }) => /^(vm|maps)\//.test(x.name))) expect(r.mode).toBe('unverified');
  });

  it('writes the markdown tables', () => {
    const md = readFileSync(join(out, 'results.md'), 'utf8');
    expect(md).toMatch(/^# ebpfvm benchmarks \(quick run\)/);
    expect(md).toMatch(/\| CPU \| .+, \d+ cores \|/);
    expect(md).toMatch(/unverified/);
    expect(md).toMatch(/\| add \| 1e3 \|/);
    expect(md).toMatch(/TS ÷ js-sdsl/);
    expect(md).toMatch(/## Memory per node/);
  });

  it('writes the SVG chart: four panels of lines, log axes', () => {
    const svg = readFileSync(join(out, 'rbtree-ops.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect((svg.match(/<polyline /g) ?? []).length).toBeGreaterThanOrEqual(16); // 4 panels x 4 implementations
    expect(svg).toMatch(/>1e3</);
    expect(svg).toMatch(/js-sdsl OrderedMap/);
  });
});

describe.skipIf(!built)('ebpfvm bench', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebpfvm-bench-cli-'));
  const ctx = join(dir, 'n64');
  const n = Buffer.alloc(8);
  n.writeBigUInt64LE(64n);
  writeFileSync(ctx, n);
  const obj = join(ROOT, 'test/progs/bench_vm.o');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = (args: string[]) => spawnSync(process.execPath, [CLI, 'bench', ...args], { encoding: 'utf8', timeout: 60_000 });

  it('reports mean, p50, p99, runs/s and rme as JSON', () => {
    const r = cli([obj, '--prog', 'calls', '--ctx', ctx, '--time', '200ms', '--json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ program: 'calls', mode: 'verified' });
    for (const k of ['meanNs', 'p50Ns', 'p99Ns', 'minNs', 'rme', 'opsPerSec', 'insnsPerSec']) expect(Number.isFinite(j[k])).toBe(true);
    expect(j.samples).toBeGreaterThanOrEqual(5);
    expect(j.runs).toBe(j.samples * j.runsPerSample);
    expect(j.p99Ns).toBeGreaterThanOrEqual(j.p50Ns);
    expect(j.insnsPerRun).toBeGreaterThan(64 * 5);
  });

  it('prints a readable summary', () => {
    const r = cli([obj, '--prog', 'helper_calls', '--ctx', ctx, '--time', '100ms']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/helper_calls: \d+ runs .* verified mode, return value 64/);
    expect(r.stdout).not.toMatch(/unverified/);
    const u = cli([obj, '--prog', 'helper_calls', '--ctx', ctx, '--time', '100ms', '--no-verify']);
    expect(u.status).toBe(0);
    expect(u.stdout).toMatch(/helper_calls: \d+ runs .* unverified mode, return value 64/);
    expect(r.stdout).toMatch(/mean .* ±[\d.]+%\s+p50 .*p99 /);
    expect(r.stdout).toMatch(/runs\/s .* insns\/run/);
  });

  it('exits 2 on bad input with a clear message', () => {
    const cases: [string[], RegExp][] = [
      [[obj, '--prog', 'nope'], /no program named nope/],
      [[obj], /has \d+ programs; choose one with --prog/],
      [[obj, '--prog', 'calls', '--time', 'soon'], /--time: 'soon' is not a duration/],
      [[join(dir, 'missing.o')], /cannot read/],
    ];
    for (const [args, msg] of cases) {
      const r = cli(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });

  it('exits 1 when the program faults', () => {
    const r = cli([obj, '--prog', 'calls', '--time', '100ms']); // no ctx: r1 is NULL
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/fault/);
  });
});

