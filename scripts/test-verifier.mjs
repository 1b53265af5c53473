#!/usr/bin/env node
// The kernel's raw-instruction verifier tests (tools/testing/selftests/bpf/verifier/*.c, the table
// test_verifier runs) against ebpfvm, for Linux 6.12 and 6.1 (`npm run test:test-verifier`, not
// part of npm test). Nothing from the kernel trees is committed; what is committed are facts:
//
//  1. the trees: Debian's linux-source-6.12 and linux-source-6.1 through scripts/kernel-tree.mjs
//     (`apt-get download` into the cache: linux-6.12, linux-6.1);
//  2. extraction: test/kernel/test-verifier/extract.c, compiled on the host against the tree's
//     headers with one array per verifier/*.c file (a generated header, as the selftests' Makefile
//     generates verifier/tests.h), dumps every test as JSON (cached beside the tree);
//  3. the host kernel: test/kernel/harness/test-verifier-harness.c (built by buildHarness) loads
//     every test as test_verifier's do_test_single does (its maps, its prog flags, log level 4,
//     unprivileged runs for socket_filter/cgroup_skb tests with CAP_BPF/PERFMON/NET_ADMIN
//     dropped) and test-runs it; runner.ts's judge() applies test_verifier's pass rules. Per test
//     and run (p: privileged, u: unprivileged) whether the host satisfies the test is recorded in
//     test/fixtures/test-verifier/<tree>.json; only those runs qualify (a 6.1 test 6.18 no longer
//     satisfies is host-unsatisfied, as scripts/kernel-selftests.mjs counts);
//  4. ebpfvm: test/kernel/test-verifier/runner.ts runs the same tests (same maps, ids patched in,
//     the same flags) and judge() says PASS/FAIL/SKIP; a run passes when ebpfvm passes it and
//     the host satisfies it. docs/test-verifier.md gets per-file counts and every failing run of
//     a qualifying test with its reason category, for each tree. Runs where ebpfvm accepts and
//     the host rejects are listed apart (possible unsoundness).
//
//   node scripts/test-verifier.mjs [--tree 6.12|6.1] [--no-record] [--cases N] [FILE...]
//     FILE: a verifier/*.c basename (e.g. calls); --no-record reuses the recorded host results;
//     --cases N writes test/fixtures/test-verifier/cases.json (N recorded cases per tree for the
//     default test, test/verifier/test-verifier.test.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CACHE, ensureTree, buildHarness } from './kernel-tree.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const noRecord = args.includes('--no-record');
const treeArg = opt('--tree');
const casesArg = opt('--cases');
const only = new Set(args.filter((a, i) => !a.startsWith('--') && !['--tree', '--cases'].includes(args[i - 1])));
const trees = treeArg ? [treeArg] : ['6.12', '6.1'];
for (const t of trees) if (!['6.12', '6.1'].includes(t)) { console.error(`test-verifier: unknown tree ${t} (6.12 or 6.1)`); process.exit(2); }
const FIXTURES = join(root, 'test/fixtures/test-verifier');
const runnerPath = join(root, 'dist/test/kernel/test-verifier/runner.js');
if (!existsSync(runnerPath)) { console.error('test-verifier: dist/ is missing; run `npx tsc -p .` first (npm run test:test-verifier does)'); process.exit(2); }
const R = await import(runnerPath);
const { encodeInsns } = await import(join(root, 'dist/vm/isa.js'));
const log = (m) => process.stderr.write(`test-verifier: ${m}\n`);

/** Every test of the tree as extract.c dumps it (cached; rebuilt when the extractor changes). */
function extract(tree, ver) {
  const dir = join(CACHE, 'build', `test-verifier-${ver}`);
  mkdirSync(dir, { recursive: true });
  const src = join(root, 'test/kernel/test-verifier/extract.c');
  const out = join(dir, 'tests.jsonl');
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) return readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const vdir = join(tree, 'tools/testing/selftests/bpf/verifier');
  const files = readdirSync(vdir).filter((f) => f.endsWith('.c')).sort();
  const hdr = files.map((f, i) => `static struct bpf_test tv_t${i}[] = {\n#include "verifier/${f}"\n};`).join('\n') +
    `\nstatic const struct tv_file tv_files[] = {\n${files.map((f, i) => `\t{ "${f.slice(0, -2)}", tv_t${i}, ARRAY_SIZE(tv_t${i}) },`).join('\n')}\n};\n`;
  writeFileSync(join(dir, 'tv-files.h'), hdr);
  const bin = join(dir, 'extract');
  log(`compiling the extractor against linux-${ver} (${files.length} verifier/*.c files)`);
  execFileSync('cc', ['-O0', '-w', '-I', join(tree, 'tools/testing/selftests/bpf'), '-I', join(tree, 'tools/include'),
    '-I', join(tree, 'tools/include/uapi'), '-I', dir, src, '-o', bin], { stdio: ['ignore', 'inherit', 'inherit'] });
  const text = execFileSync(bin, { maxBuffer: 1 << 28 }).toString();
  writeFileSync(out, text);
  return text.trim().split('\n').map((l) => JSON.parse(l));
}

const hex = (b) => Buffer.from(b).toString('hex');
const insnBytes = (c) => encodeInsns(c.insns.map(([code, dst, src, off, imm]) => ({ code, dst, src, off, imm })));

/** The host kernel's outcome of every (test, mode) through the harness. */
function recordHost(cases, ver) {
  const bin = buildHarness('test-verifier-harness');
  const lines = [`mapbtf ${hex(R.mapBtfBytes(ver))}`];
  const jobs = [];
  for (const c of cases) {
    if (!c.insns) continue;
    for (const unpriv of R.testAsUnpriv(c) ? [true, false] : [false]) {
      const id = `${R.caseId(c)}/${unpriv ? 'u' : 'p'}`;
      jobs.push(id);
      lines.push(`test ${id} ${c.progType || 1} ${c.expectedAttachType} ${R.progFlags(c, ver)} ${R.logLevel(c, unpriv)} ${unpriv ? 1 : 0}`);
      lines.push(`insns ${hex(insnBytes(c))}`);
      for (const [kind, idx] of Object.entries(c.fixups)) lines.push(`map ${kind} ${idx.join(',')}`);
      for (const k of c.kfuncFixups ?? []) lines.push(`kfunc ${k.name} ${k.insn}`);
      if (c.kfunc && (c.progType === 26 || c.progType === 29)) lines.push(`attach ${c.kfunc}`);
      const btf = R.testBtfBytes(c);
      if (btf) lines.push(`btf ${hex(btf)}`);
      if (c.funcInfo) lines.push(`funcinfo ${hex(new Uint8Array(new Uint32Array(c.funcInfo.flat()).buffer))}`);
      for (const r of c.runs) lines.push(`run ${hex(R.runData(r.data))}`);
      if (c.expectedInsns || c.unexpectedInsns) lines.push('xlated');
      lines.push('end');
    }
  }
  log(`host kernel: ${jobs.length} loads`);
  const r = spawnSync(bin, [], { input: lines.join('\n') + '\n', maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`test-verifier-harness exited ${r.status}: ${r.stderr}`);
  const out = new Map();
  for (const l of r.stdout.trim().split('\n')) {
    const o = JSON.parse(l);
    const xlated = o.xlated ? [...Buffer.from(o.xlated, 'hex')].reduce((a, _, i, b) => (i % 8 ? a : [...a, decode(b.slice(i, i + 8))]), []) : undefined;
    out.set(o.id, { ...(o.skip ? { skip: o.skip } : {}), loaded: !!o.fd, errno: o.errno ?? null, log: o.log ?? '', ...(o.runs ? { runs: o.runs } : {}), ...(xlated ? { xlated } : {}) });
  }
  return out;
}

function decode(b) {
  const dv = new DataView(Uint8Array.from(b).buffer);
  return { code: b[0], dst: b[1] & 0xf, src: b[1] >> 4, off: dv.getInt16(2, true), imm: dv.getInt32(4, true) };
}

/** The part of a log a fixture keeps: its last lines without the statistics. */
const logTail = (s) => s.split('\n').filter((l) => l.trim() && !/^(processed|verification time|stack depth) /.test(l)).slice(-3).join('\n').slice(-300);

function category(v, o, hostRec) {
  if (v.status === 'SKIP') {
    if (/generated program/.test(v.reason)) return 'SKIP: generated program (fill_helper) not extracted';
    if (/tracing attach/.test(v.reason)) return 'SKIP: tracing/lsm attach target not set up';
    if (/map type/.test(v.reason)) return 'SKIP: map type not created';
    if (/xlated/.test(v.reason)) return 'SKIP: xlated program not available';
    return `SKIP: ${v.reason.slice(0, 60)}`;
  }
  const r = v.reason ?? '';
  if (/ebpfvm threw/.test(r)) return 'FAIL: ebpfvm threw';
  if (/expected load failure/.test(r)) return hostRec && !hostRec.loaded ? 'FAIL: ebpfvm accepts, host rejects (unsound?)' : 'FAIL: ebpfvm accepts a REJECT test';
  if (/expected load success/.test(r)) return 'FAIL: ebpfvm rejects an ACCEPT test';
  if (/expected message not found/.test(r)) return 'FAIL: errstr not in the log';
  if (/retval/.test(r)) return 'FAIL: retval mismatch';
  if (/test run error/.test(r)) return 'FAIL: test run error';
  if (/insn_processed/.test(r)) return 'FAIL: insn_processed mismatch';
  if (/xlated/.test(r)) return 'FAIL: xlated pattern';
  return `FAIL: ${r.replace(/\d+/g, 'N').slice(0, 50)}`;
}

const docSections = {};
const allCases = {};
for (const ver of trees) {
  const tree = ensureTree(ver);
  const extracted = extract(tree, ver);
  const known = new Set(extracted.map((c) => c.file));
  const unknown = [...only].filter((f) => !known.has(f));
  const cases = extracted.filter((c) => !only.size || only.has(c.file));
  if (unknown.length) {
    // a file of one tree only is fine when both trees run; a name neither has is a typo
    console.error(`test-verifier: linux-${ver} has no verifier/${unknown.join('.c, verifier/')}.c (its files: ${[...known].sort().join(' ')})`);
    if (trees.length === 1 || cases.length === 0) process.exit(2);
  }
  allCases[ver] = cases;
  const fixPath = join(FIXTURES, `${ver}.json`);
  const fixture = existsSync(fixPath) ? JSON.parse(readFileSync(fixPath, 'utf8')) : { kernel: '', tree: `linux-source-${ver}`, tests: {} };
  const need = cases.some((c) => !fixture.tests[R.caseId(c)]);
  if (!noRecord || need) {
    const host = recordHost(cases, ver);
    fixture.kernel = execFileSync('uname', ['-r']).toString().trim();
    for (const c of cases) {
      const rec = { descr: c.descr };
      for (const unpriv of R.testAsUnpriv(c) ? [false, true] : [false]) {
        const o = host.get(`${R.caseId(c)}/${unpriv ? 'u' : 'p'}`) ?? { skip: c.fill ? `generated program (${c.fill}) not extracted` : 'not recorded', loaded: false, log: '' };
        const v = R.judge(c, unpriv, o);
        rec[unpriv ? 'u' : 'p'] = { satisfied: v.status === 'PASS', ...(v.reason ? { reason: v.reason } : {}), loaded: o.loaded,
          ...(o.errno ? { errno: o.errno } : {}), ...(o.log ? { log: logTail(o.log) } : {}), ...(o.runs ? { runs: o.runs } : {}) };
      }
      fixture.tests[R.caseId(c)] = rec;
    }
    mkdirSync(FIXTURES, { recursive: true });
    const sorted = Object.fromEntries(Object.entries(fixture.tests).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })));
    writeFileSync(fixPath, JSON.stringify({ ...fixture, tests: sorted }, null, 1) + '\n');
  }

  // ebpfvm
  const files = new Map();
  const failing = [];
  const unsound = [];
  const cats = new Map();
  const bump = (k) => cats.set(k, (cats.get(k) ?? 0) + 1);
  const tot = { p: { runs: 0, host: 0, pass: 0, vmPass: 0 }, u: { runs: 0, host: 0, pass: 0, vmPass: 0 } };
  const t0 = Date.now();
  for (const c of cases) {
    const f = files.get(c.file) ?? { tests: 0, runs: 0, host: 0, pass: 0, fail: 0, skip: 0, reasons: new Map() };
    files.set(c.file, f);
    f.tests++;
    const rec = fixture.tests[R.caseId(c)];
    for (const unpriv of R.testAsUnpriv(c) ? [false, true] : [false]) {
      const m = unpriv ? 'u' : 'p';
      const hostRec = rec?.[m];
      let o, v;
      try {
        o = R.runCase(c, unpriv, ver);
        v = R.judge(c, unpriv, o);
      } catch (e) {
        o = { loaded: false, log: '' };
        v = { status: 'FAIL', reason: `ebpfvm threw: ${String(e?.message ?? e).split('\n')[0].slice(0, 100)}` };
      }
      f.runs++; tot[m].runs++;
      if (v.status === 'PASS') tot[m].vmPass++;
      if (hostRec?.satisfied) { f.host++; tot[m].host++; }
      if (o.loaded && hostRec && !hostRec.loaded && !o.skip) unsound.push({ id: `${R.caseId(c)}/${m}`, descr: c.descr, host: hostRec.log?.split('\n').at(-1) ?? hostRec.errno });
      if (!hostRec?.satisfied) continue;
      if (v.status === 'PASS') { f.pass++; tot[m].pass++; continue; }
      if (v.status === 'SKIP') f.skip++; else f.fail++;
      const cat = category(v, o, hostRec);
      bump(cat);
      f.reasons.set(cat, (f.reasons.get(cat) ?? 0) + 1);
      failing.push({ id: `${R.caseId(c)}/${m}`, descr: c.descr, cat, reason: v.reason });
    }
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  const runs = tot.p.runs + tot.u.runs, host = tot.p.host + tot.u.host, pass = tot.p.pass + tot.u.pass;
  const pct = (a, b) => (b ? ((100 * a) / b).toFixed(1) : '0');
  console.log(`test-verifier ${ver}: ${cases.length} tests, ${runs} runs (${tot.p.runs} privileged, ${tot.u.runs} unprivileged); ` +
    `the host satisfies ${host}; ebpfvm passes ${pass} of those (${pct(pass, host)} %: privileged ${tot.p.pass}/${tot.p.host} ${pct(tot.p.pass, tot.p.host)} %, ` +
    `unprivileged ${tot.u.pass}/${tot.u.host} ${pct(tot.u.pass, tot.u.host)} %); ebpfvm accepts ${unsound.length} runs the host rejects; ${secs} s`);
  for (const [c, n] of [...cats].sort((a, b) => b[1] - a[1])) console.log(`  ${n}\t${c}`);
  const esc = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  docSections[ver] = [
    `## Linux ${ver}: ${cases.length} tests in ${files.size} files`,
    '',
    `${runs} runs (${tot.p.runs} privileged, ${tot.u.runs} unprivileged: test_verifier's #N/p and #N/u); the host kernel (${fixture.kernel}) satisfies ${host} of them`,
    `(privileged ${tot.p.host}, unprivileged ${tot.u.host}). ebpfvm passes ${tot.p.vmPass + tot.u.vmPass} runs in all.`,
    '',
    `**${pass} of the ${host} qualifying runs pass (${pct(pass, host)} %)**: privileged ${tot.p.pass} of ${tot.p.host} (${pct(tot.p.pass, tot.p.host)} %), unprivileged ${tot.u.pass} of ${tot.u.host} (${pct(tot.u.pass, tot.u.host)} %).`,
    '',
    '### Failing qualifying runs by category',
    '',
    '| category | runs |',
    '|---|---:|',
    ...[...cats].sort((a, b) => b[1] - a[1]).map(([c, n]) => `| ${esc(c)} | ${n} |`),
    '',
    `### Runs ebpfvm accepts and the host kernel rejects (${unsound.length})`,
    '',
    ...(unsound.length ? unsound.map((u) => `- ${u.id} ${esc(u.descr)}: host: ${esc(u.host ?? '')}`) : ['None.']),
    '',
    '### Per file',
    '',
    '| file | tests | runs | host satisfied | passed | failed | skipped | top reasons |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...[...files].map(([n, f]) => `| ${n} | ${f.tests} | ${f.runs} | ${f.host} | ${f.pass} | ${f.fail} | ${f.skip} | ${[...f.reasons].sort((a, b) => b[1] - a[1]).slice(0, 2).map(([w, k]) => `${k}× ${esc(w)}`).join('; ')} |`),
    '',
    `### Failing qualifying runs (${failing.length})`,
    '',
    ...failing.map((x) => `- ${x.id} ${esc(x.descr)} — ${esc(x.cat)}: ${esc((x.reason ?? '').slice(0, 160))}`),
    '',
  ].join('\n');
}

// Recorded cases for the default test: per tree N tests from files spread over the tree, in each
// the first whose runs the host satisfies and ebpfvm passes, preferring one with maps, an unprivileged expectation
// or a non-zero retval; the program and expectations as extracted, with the host's verdicts.
if (casesArg) {
  const n = Number(casesArg);
  const out = { note: 'Extracted test_verifier cases (scripts/test-verifier.mjs --cases) and the host kernel\'s verdicts, for test/verifier/test-verifier.test.ts', cases: [] };
  for (const ver of trees) {
    const fixture = JSON.parse(readFileSync(join(FIXTURES, `${ver}.json`), 'utf8'));
    // cases the host satisfies and ebpfvm passes in every mode (a regression test, not a to-do list)
    const vmPass = (c) => (R.testAsUnpriv(c) ? [false, true] : [false]).every((u) => R.judge(c, u, R.runCase(c, u, ver)).status === 'PASS');
    const ok = (c) => { const r = fixture.tests[R.caseId(c)]; return c.insns && r?.p?.satisfied && (!r.u || r.u.satisfied) && vmPass(c); };
    const names = [...new Set(allCases[ver].map((c) => c.file))];
    const step = Math.max(1, Math.floor(names.length / n));
    for (let i = 0; i < names.length && out.cases.filter((x) => x.tree === ver).length < n; i += step) {
      const inFile = allCases[ver].filter((c) => c.file === names[i] && ok(c));
      const pick = inFile.find((c) => Object.keys(c.fixups).length || c.resultUnpriv || c.runs.some((r) => r.retval)) ?? inFile[0];
      if (!pick) continue;
      const rec = fixture.tests[R.caseId(pick)];
      out.cases.push({ tree: ver, host: { p: rec.p, ...(rec.u ? { u: rec.u } : {}) }, case: pick });
    }
  }
  writeFileSync(join(FIXTURES, 'cases.json'), JSON.stringify(out, null, 1) + '\n');
  console.log(`test-verifier: ${out.cases.length} cases written to test/fixtures/test-verifier/cases.json`);
}

if (!only.size) {
  const docPath = join(root, 'docs/test-verifier.md');
  const prev = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '';
  const section = (ver) => docSections[ver] ?? (new RegExp(`(## Linux ${ver.replace('.', '\\.')}: [^]*?)(?=\\n## Linux |$)`).exec(prev)?.[1]?.trimEnd() + '\n' ?? '');
  const head = [
    '# The kernel\'s test_verifier tests under ebpfvm',
    '',
    'Generated by `npm run test:test-verifier` (scripts/test-verifier.mjs). The tests are the raw-instruction verifier tests of',
    '`tools/testing/selftests/bpf/verifier/*.c` (the `struct bpf_test` table test_verifier runs) from Debian\'s linux-source-6.12',
    'and linux-source-6.1, extracted by test/kernel/test-verifier/extract.c. Each test is set up as test_verifier\'s',
    '`do_test_single` does: the maps its `fixup_*` arrays name (test_verifier\'s sizes, contents, prog arrays, map-in-map,',
    'BTF-typed spin-lock/timer/kptr maps), its prog flags, log level 4 (2 for VERBOSE_ACCEPT), a privileged run and, for',
    'socket_filter and cgroup_skb tests, an unprivileged one, then test runs with the test\'s data where it loads.',
    'The host kernel (the oracle) runs the same through test/kernel/harness/test-verifier-harness.c; its results are',
    'test/fixtures/test-verifier/<tree>.json. A run qualifies when the host satisfies the test (verdict, errstr as an in-order',
    'substring of the log, retval, insn_processed, xlated patterns); a run passes when it qualifies and ebpfvm satisfies the',
    'test by the same rules (test/kernel/test-verifier/runner.ts `judge`). SKIP counts as not passed.',
    '',
  ].join('\n');
  writeFileSync(docPath, head + '\n' + ['6.12', '6.1'].map(section).filter(Boolean).join('\n'));
  log('docs/test-verifier.md written');
}
