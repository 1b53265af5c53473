#!/usr/bin/env node
// The kernel's own verifier selftests against ebpfvm (issue 12, `npm run test:kernel-selftests`,
// not part of npm test). Nothing from the kernel tree is committed; what is committed are facts:
//
//  1. scripts/kernel-tree.mjs provides linux-source-6.12 (apt-get download), its libbpf and
//     headers, a vmlinux.h from the host, and our verifier harness;
//  2. every tools/testing/selftests/bpf/progs/verifier_*.c is compiled with the selftests' flags
//     into the cache (a file that does not compile is listed with clang's first error);
//  3. the qualifying set is computed from each object's programs and maps: every program's section
//     gives a socket, tc, xdp, syscall or raw_tp program, and every map is an array or a hash;
//     it is written to test/fixtures/kernel-selftests/qualifying.json and printed with its count;
//  4. the host kernel runs every qualifying program through the harness (the test loader's
//     semantics); its verdicts and logs go to test/fixtures/kernel-selftests/<file>.json (the
//     verifier fixture format) and qualifying.json says, per program, whether the host kernel
//     satisfies the 6.12 annotations (only those count for the pass figure);
//  5. when the CLI has the `test` command, `ebpfvm test --json` runs over the qualifying objects
//     and docs/kernel-selftests.md gets the per-file table;
//  6. all files (issue 17): every non-qualifying compiled file is recorded through the same harness
//     (fixtures as in 4; per program whether the host satisfies the annotations and, if not, why, in
//     test/fixtures/kernel-selftests/all-files.json), `ebpfvm test --json` runs over it too, and the
//     doc's "All verifier_*.c files" section gives the figure over every program of every compiled
//     file with each non-pass in a reason category. The qualifying figure above is unchanged by it;
//  7. unprivileged runs (issue 17): every program with unprivileged annotations also gets its
//     @unpriv run through the harness (--unpriv: CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN, CAP_SYS_ADMIN
//     dropped for the load, kernel.unprivileged_bpf_disabled lowered to 0 meanwhile and put back),
//     recorded in the same fixtures under "PROG @unpriv", and counted as a separate figure: @unpriv
//     runs over all compiled files, how many the host satisfies, how many `ebpfvm test` passes of
//     those. The privileged figures above do not include them.
//
//   node scripts/kernel-selftests.mjs [--no-record] [FILE...]   FILE: e.g. verifier_and
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { prepare, compileSelftest, TREE, CACHE } from './kernel-tree.mjs';
import { listObject, recordObject, runHarness, writeFixture, hostKernel, fixtureRecord as harnessRecord } from './record-verifier.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const args = process.argv.slice(2);
const noRecord = args.includes('--no-record');
const only = new Set(args.filter((a) => !a.startsWith('--')));
const PROGS = join(TREE, 'tools/testing/selftests/bpf/progs');
const OBJS = join(CACHE, 'build/selftests');
const FIXTURES = join(root, 'test/fixtures/kernel-selftests');
const QUAL_TYPES = new Set(['socket_filter', 'sched_cls', 'xdp', 'syscall', 'raw_tracepoint']);
const QUAL_MAPS = new Set(['array', 'hash']);

prepare();
mkdirSync(OBJS, { recursive: true });
mkdirSync(FIXTURES, { recursive: true });

const files = readdirSync(PROGS).filter((f) => /^verifier_.*\.c$/.test(f)).map((f) => f.slice(0, -2))
  .filter((n) => !only.size || only.has(n)).sort();

// 2. compile
const compiled = [], compileErrors = {};
for (const name of files) {
  const src = join(PROGS, `${name}.c`), obj = join(OBJS, `${name}.o`);
  if (existsSync(obj) && statSync(obj).mtimeMs >= statSync(src).mtimeMs) { compiled.push(name); continue; }
  try {
    compileSelftest(src, obj);
    compiled.push(name);
  } catch (e) {
    const err = (e.stderr?.toString() ?? String(e)).split('\n').find((l) => l.includes('error:')) ?? 'clang failed';
    compileErrors[name] = err.replace(/^.*?error: /, '');
  }
}

// 3. qualify
const qualifying = {}, excluded = {};
for (const name of compiled) {
  const { programs, maps } = listObject(join(OBJS, `${name}.o`));
  const badProg = programs.find((p) => !QUAL_TYPES.has(p.type));
  const badMap = maps.find((m) => !QUAL_MAPS.has(m.type));
  if (!programs.length) excluded[name] = 'no programs';
  else if (badProg) excluded[name] = `program ${badProg.name} is ${badProg.type} (SEC("${badProg.section}"))`;
  else if (badMap) excluded[name] = `map ${badMap.name} is ${badMap.type}`;
  else qualifying[name] = programs.map((p) => p.name);
}
const qualCount = Object.values(qualifying).reduce((n, p) => n + p.length, 0);
console.log(`kernel-selftests: ${files.length} verifier_*.c files, ${compiled.length} compiled, ` +
  `${Object.keys(qualifying).length} qualifying files with ${qualCount} programs`);

// 4. the host kernel's results
const qualPath = join(FIXTURES, 'qualifying.json');
const previous = existsSync(qualPath) ? JSON.parse(readFileSync(qualPath, 'utf8')) : { files: {} };
const qual = { kernel: hostKernel(), tree: 'linux-source-6.12', programs: qualCount, files: {}, excluded, compileErrors };
let hostSatisfied = 0;
// The kernel's sysctl is lowered only while a harness loads unprivileged; say so if it was left.
const sysctlPath = '/proc/sys/kernel/unprivileged_bpf_disabled';
const sysctlBefore = existsSync(sysctlPath) ? readFileSync(sysctlPath, 'utf8').trim() : undefined;
for (const [name, progs] of Object.entries(qualifying)) {
  let satisfied = previous.files?.[name]?.hostSatisfied;
  let unprivSatisfied = previous.files?.[name]?.unprivHostSatisfied;
  let unprivProblems = previous.files?.[name]?.unprivHostProblems ?? {};
  if (!noRecord || !satisfied || !unprivSatisfied) {
    const rec = recordObject(join(OBJS, `${name}.o`), name, `linux-6.12:tools/testing/selftests/bpf/progs/${name}.c`);
    writeFixture(join(FIXTURES, `${name}.json`), rec.fixture);
    satisfied = rec.satisfied;
    unprivSatisfied = rec.unprivSatisfied;
    unprivProblems = Object.fromEntries(Object.entries(rec.unprivProblems).map(([p, why]) => [p, hostCategory({ ...rec.fixture.programs[`${p} @unpriv`], problems: why })]));
  }
  hostSatisfied += Object.values(satisfied).filter(Boolean).length;
  qual.files[name] = { programs: progs.length, hostSatisfied: satisfied, unprivHostSatisfied: unprivSatisfied, ...(Object.keys(unprivProblems).length ? { unprivHostProblems: unprivProblems } : {}) };
}
qual.hostSatisfied = hostSatisfied;
if (!only.size) writeFileSync(qualPath, JSON.stringify(qual, null, 2) + '\n');
console.log(`kernel-selftests: the host kernel (${qual.kernel}) satisfies the 6.12 annotations of ${hostSatisfied} of ${qualCount} qualifying programs`);

// 5. ebpfvm test over them, when the command exists
const cli = join(root, 'dist/src/cli/main.js');
const probe = existsSync(cli) ? spawnSync('node', [cli, 'test', '--help'], { encoding: 'utf8' }) : { stdout: '' };
const haveTest = /Usage: ebpfvm test/.test(probe.stdout ?? '');
const rows = [];
let passed = 0;
const runTest = (name) => {
  const r = spawnSync('nice', ['node', cli, 'test', join(OBJS, `${name}.o`), '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  let results;
  try { results = JSON.parse(r.stdout); } catch { results = null; }
  const list = Array.isArray(results) ? results : results?.results ?? results?.programs ?? [];
  // The privileged run in `status`, the `@unpriv` run (same program name) in `unpriv`.
  const byProg = (xs) => new Map(xs.map((x) => [x.prog ?? x.program ?? x.name, x]));
  return { exit: r.status, status: byProg(list.filter((x) => x.mode !== 'unpriv')), unpriv: byProg(list.filter((x) => x.mode === 'unpriv')) };
};
for (const [name, progs] of Object.entries(qualifying)) {
  const row = { name, programs: progs.length, hostOk: 0, pass: 0, fail: 0, skip: 0, reasons: new Map() };
  for (const p of progs) if (qual.files[name].hostSatisfied[p]) row.hostOk++;
  rows.push(row);
  if (!haveTest) continue;
  const r = runTest(name);
  row.results = r;
  for (const p of progs) {
    const x = r.status.get(p);
    const s = String(x?.status ?? x?.result ?? 'FAIL').toUpperCase();
    if (s === 'PASS' && qual.files[name].hostSatisfied[p]) { row.pass++; passed++; } else if (s === 'SKIP') row.skip++; else row.fail++;
    if (s !== 'PASS') {
      const why = String(x?.reason ?? x?.error ?? (x ? 'failed' : `no result (exit ${r.exit})`)).split('\n')[0].slice(0, 80);
      row.reasons.set(why, (row.reasons.get(why) ?? 0) + 1);
    }
  }
}
// 6. all files: the non-qualifying files through the same harness and `ebpfvm test`.
// A program the harness cannot run at all (it exits non-zero) is kept with the harness's error as
// the reason; a program the host kernel refuses (e.g. EPERM with an empty log: no attach target or
// a program type this host does not load) is a recorded verdict like any other, with the harness's
// annotation problem as the reason it does not count.
const allPath = join(FIXTURES, 'all-files.json');
const prevAll = existsSync(allPath) ? JSON.parse(readFileSync(allPath, 'utf8')) : { files: {} };
const all = { kernel: hostKernel(), tree: 'linux-source-6.12', files: {} };
function recordTolerant(name) {
  const objPath = join(OBJS, `${name}.o`);
  const fixture = { kernel: hostKernel(), object: `linux-6.12:tools/testing/selftests/bpf/progs/${name}.c`, programs: {} };
  const hostSatisfied = {}, hostProblems = {}, auxiliary = [], unprivHostSatisfied = {}, unprivHostProblems = {};
  const programs = listObject(objPath).programs;
  for (const { name: prog } of programs) {
    try {
      const r = runHarness(objPath, prog);
      if (r.isTest === false) auxiliary.push(prog);
      fixture.programs[prog] = harnessRecord(r);
      hostSatisfied[prog] = r.satisfied;
      if (!r.satisfied) hostProblems[prog] = hostCategory(r);
    } catch (e) {
      hostSatisfied[prog] = false;
      hostProblems[prog] = `harness cannot run it: ${(e.stderr?.toString() || String(e)).split('\n')[0].slice(0, 80)}`;
    }
  }
  for (const { name: prog, unpriv } of programs) {
    if (!unpriv) continue;
    try {
      const r = runHarness(objPath, prog, undefined, true);
      fixture.programs[`${prog} @unpriv`] = harnessRecord(r);
      unprivHostSatisfied[prog] = r.satisfied;
      if (!r.satisfied) unprivHostProblems[prog] = hostCategory(r);
    } catch (e) {
      unprivHostSatisfied[prog] = false;
      unprivHostProblems[prog] = `harness cannot run it: ${(e.stderr?.toString() || String(e)).split('\n')[0].slice(0, 80)}`;
    }
  }
  writeFixture(join(FIXTURES, `${name}.json`), fixture);
  return { hostSatisfied, hostProblems, auxiliary, unprivHostSatisfied, unprivHostProblems };
}
// Why the host kernel's record does not satisfy the 6.12 annotations, as a category.
function hostCategory(r) {
  if (!r.loaded && r.errno === 1 && !r.log) return 'host refuses the load (EPERM, empty log: program type or attach target not available here)';
  if (!r.loaded && r.errno === 524) return 'host refuses the load (ENOTSUPP)';
  const p = String(r.problems ?? '');
  if (/expected load (success|failure)|unexpected load/.test(p)) return 'host verdict differs from 6.12';
  if (/message/.test(p)) return 'host log differs from 6.12 (__msg)';
  if (/retval|run/.test(p)) return 'host test run differs from 6.12 (__retval)';
  return `host: ${p.split('\n')[0].slice(0, 60) || 'annotations not satisfied'}`;
}
const nonQual = Object.keys(excluded).filter((n) => excluded[n] !== 'no programs');
for (const name of nonQual) {
  const prev = prevAll.files?.[name];
  all.files[name] = (!noRecord || !prev?.unprivHostSatisfied) ? { why: excluded[name], ...recordTolerant(name) } : { ...prev, why: excluded[name] };
}
if (!only.size) writeFileSync(allPath, JSON.stringify(all, null, 2) + '\n');

// ebpfvm's side: every non-pass gets one category (the host's, when ebpfvm passes a program the
// host does not satisfy; otherwise from ebpfvm's SKIP/FAIL reason).
function vmCategory(s, why) {
  if (s === 'SKIP') {
    if (/program type|prog type|attach/i.test(why)) return 'SKIP: unsupported program type / attach';
    if (/map type|map_type/i.test(why)) return 'SKIP: unsupported map type';
    if (/kfunc/i.test(why)) return 'SKIP: kfunc missing';
    if (/helper/i.test(why)) return 'SKIP: helper missing';
    if (/xlated|jited/i.test(why)) return 'SKIP: __xlated/__jited expectation';
    return `SKIP: ${why.replace(/^unsupported: /, '').replace(/\b(program \S+ )?insn \d+: /, '').replace(/[#0-9]+/g, 'N').slice(0, 50)}`;
  }
  if (/unexpected load (success|failure)|expected load|verdict/i.test(why)) return 'FAIL: verdict mismatch';
  if (/^xlated:|^jited:/i.test(why)) return 'FAIL: __xlated/__jited listing mismatch';
  if (/msg|message|EXPECTED (SUBSTR|REGEX)|not in the log/i.test(why)) return 'FAIL: message mismatch (__msg)';
  if (/test run refused/i.test(why)) return 'FAIL: test run refused';
  if (/retval|return value/i.test(why)) return 'FAIL: retval mismatch';
  if (/no result/.test(why)) return 'FAIL: no result from ebpfvm test';
  return `FAIL: ${why.replace(/[0-9]+/g, 'N').slice(0, 50)}`;
}
const fixtureRecord = (name, prog) => {
  try { return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')).programs?.[prog]; } catch { return undefined; }
};
const categories = new Map();
const addCat = (c) => categories.set(c, (categories.get(c) ?? 0) + 1);
let allPrograms = qualCount, allHostOk = hostSatisfied, allPassed = passed, allVmPass = 0, allAux = 0;
for (const row of rows) {
  for (const p of qualifying[row.name]) {
    const x = row.results?.status.get(p);
    const s = String(x?.status ?? x?.result ?? 'FAIL').toUpperCase();
    const hostOk = qual.files[row.name].hostSatisfied[p];
    if (s === 'PASS') allVmPass++;
    if (s === 'PASS' && hostOk) continue;
    if (s === 'PASS') { const rec = fixtureRecord(row.name, p); addCat(rec ? hostCategory({ ...rec, problems: '' }) : 'host: annotations not satisfied'); continue; }
    addCat(vmCategory(s, String(x?.reason ?? x?.error ?? (x ? 'failed' : `no result (exit ${row.results?.exit})`)).split('\n')[0]));
  }
}
const allRows = [];
for (const name of nonQual) {
  const f = all.files[name];
  // Auxiliary programs (no test annotations: tail-call targets and the like) are not tests for the
  // kernel's test loader nor for `ebpfvm test`; they are counted apart, not as programs.
  const aux = new Set(f.auxiliary ?? []);
  allAux += aux.size;
  const progs = Object.keys(f.hostSatisfied).filter((p) => !aux.has(p));
  const row = { name, why: f.why, programs: progs.length, hostOk: 0, pass: 0, fail: 0, skip: 0, reasons: new Map() };
  allRows.push(row);
  const r = haveTest ? runTest(name) : { status: new Map(), unpriv: new Map(), exit: null };
  row.results = r;
  for (const p of progs) {
    const hostOk = f.hostSatisfied[p];
    if (hostOk) row.hostOk++;
    const x = r.status.get(p);
    const s = String(x?.status ?? x?.result ?? 'FAIL').toUpperCase();
    if (s === 'PASS') allVmPass++;
    let cat;
    if (s === 'PASS' && hostOk) { row.pass++; continue; }
    if (s === 'PASS') cat = f.hostProblems?.[p] ?? 'host: annotations not satisfied';
    else cat = vmCategory(s, String(x?.reason ?? x?.error ?? (x ? 'failed' : `no result (exit ${r.exit})`)).split('\n')[0]);
    if (s === 'SKIP') row.skip++; else row.fail++;
    addCat(cat);
    row.reasons.set(cat, (row.reasons.get(cat) ?? 0) + 1);
  }
  allPrograms += row.programs; allHostOk += row.hostOk; allPassed += row.pass;
}
const allPct = allPrograms ? ((100 * allPassed) / allPrograms).toFixed(1) : '0';
const allHostPct = allHostOk ? ((100 * allPassed) / allHostOk).toFixed(1) : '0';

// 7. The @unpriv runs of every compiled file: a separate figure (the privileged ones above are
// unchanged by them). Same pass rule: `ebpfvm test` says PASS and the host satisfies the run.
const unprivRows = [], unprivCats = new Map(), unprivDetails = new Map();
let uRuns = 0, uHostOk = 0, uPassed = 0, uVmPass = 0;
const bump = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);
for (const row of [...rows, ...allRows]) {
  const f = qual.files[row.name] ?? all.files[row.name];
  const sat = f?.unprivHostSatisfied ?? {}, probs = f?.unprivHostProblems ?? {};
  const progs = Object.keys(sat);
  if (!progs.length) continue;
  const u = { name: row.name, runs: progs.length, hostOk: 0, pass: 0, fail: 0, skip: 0, reasons: new Map() };
  unprivRows.push(u);
  for (const p of progs) {
    const x = row.results?.unpriv?.get(p);
    const s = String(x?.status ?? 'FAIL').toUpperCase();
    if (sat[p]) u.hostOk++;
    if (s === 'PASS') uVmPass++;
    if (s === 'PASS' && sat[p]) { u.pass++; continue; }
    const why = String(x?.reason ?? (x ? 'failed' : `no result (exit ${row.results?.exit})`)).split('\n')[0];
    const cat = s === 'PASS' ? (probs[p] ?? 'host: annotations not satisfied') : vmCategory(s, why);
    if (s === 'SKIP') u.skip++; else if (s !== 'PASS') u.fail++;
    bump(unprivCats, cat);
    bump(u.reasons, cat);
    // The reason itself (numbers masked), for the runs the host satisfies and ebpfvm does not pass.
    if (s !== 'PASS' && sat[p]) bump(unprivDetails, why.replace(/\b\d+\b/g, 'N').slice(0, 110));
  }
  uRuns += u.runs; uHostOk += u.hostOk; uPassed += u.pass;
}
const uPct = uHostOk ? ((100 * uPassed) / uHostOk).toFixed(1) : '0';

const pct = qualCount ? ((100 * passed) / qualCount).toFixed(1) : '0';
const apart = Object.entries(qual.files).flatMap(([f, v]) => Object.entries(v.hostSatisfied).filter(([, ok]) => !ok).map(([p]) => `${f}/${p}`));
const cell = (n) => (haveTest ? String(n) : '–');
const unprivLines = [
  '## Unprivileged (@unpriv) runs (issue 17)',
  '',
  'Every program with unprivileged annotations (`__success_unpriv`, `__failure_unpriv`, `__msg_unpriv`, `__retval_unpriv`, ...)',
  'gets a second run, as the kernel\'s test loader makes it: loaded with CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN and CAP_SYS_ADMIN',
  'dropped (the harness lowers kernel.unprivileged_bpf_disabled to 0 for the load and puts it back), maps an unprivileged',
  'user may not create left uncreated, the test run with the capabilities restored. Host records: "PROG @unpriv" in',
  'test/fixtures/kernel-selftests/<file>.json. Counted apart from the figures above; same pass rule (`ebpfvm test` PASS and',
  'the host satisfies the run).',
  '',
  `${uRuns} @unpriv runs in ${unprivRows.length} files; the host kernel satisfies ${uHostOk}; \`ebpfvm test\` says PASS for ${haveTest ? uVmPass : '–'}.`,
  haveTest ? `**${uPassed} of the ${uHostOk} @unpriv runs the host satisfies pass (${uPct} %).**` : '`ebpfvm test` was not available: no ebpfvm figures.',
  '',
  '| file | @unpriv runs | host kernel satisfied | passed | failed | skipped | top reasons |',
  '|---|---:|---:|---:|---:|---:|---|',
  ...unprivRows.map((r) => `| ${r.name} | ${r.runs} | ${r.hostOk} | ${cell(r.pass)} | ${cell(r.fail)} | ${cell(r.skip)} | ${[...r.reasons].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([w, n]) => `${n}× ${w.replace(/\|/g, '\\|')}`).join('; ')} |`),
  '',
  '### @unpriv runs that do not pass, by category',
  '',
  '| category | runs |',
  '|---|---:|',
  ...[...unprivCats].sort((a, b) => b[1] - a[1]).map(([c, n]) => `| ${c.replace(/\|/g, '\\|')} | ${n} |`),
  '',
  '### ebpfvm\'s reasons for the @unpriv runs the host satisfies and ebpfvm does not pass (numbers masked, top 30)',
  '',
  '| reason | runs |',
  '|---|---:|',
  ...[...unprivDetails].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([c, n]) => `| ${c.replace(/\|/g, '\\|')} | ${n} |`),
  '',
];
const lines = [
  '# The kernel\'s verifier selftests under ebpfvm',
  '',
  'Generated by `npm run test:kernel-selftests` (scripts/kernel-selftests.mjs) from Debian\'s linux-source-6.12:',
  '`tools/testing/selftests/bpf/progs/verifier_*.c` compiled with clang-19 and the selftests\' flags against that tree\'s',
  'headers and the host\'s vmlinux.h. Qualifying files: every program is socket/tc/xdp/syscall/raw_tp and every map an',
  `array or hash (computed from section names and map types; the set is test/fixtures/kernel-selftests/qualifying.json).`,
  `A program counts as passed only when the host kernel (${qual.kernel}, through test/kernel/harness) satisfies its 6.12`,
  'annotations and `ebpfvm test` passes it; SKIP counts as not passed.',
  '',
  `${files.length} files, ${compiled.length} compile, ${Object.keys(qualifying).length} qualify with **${qualCount} programs**; ` +
    `the host kernel satisfies the annotations of ${hostSatisfied}.`,
  haveTest ? `**${passed} of ${qualCount} qualifying programs pass under ebpfvm (${pct} %).**`
    : '`ebpfvm test` was not available when this table was generated: the ebpfvm columns are empty (–).',
  '',
  '| file | programs | host kernel satisfied | passed | failed | skipped | top failure reasons |',
  '|---|---:|---:|---:|---:|---:|---|',
  ...rows.map((r) => `| ${r.name} | ${r.programs} | ${r.hostOk} | ${cell(r.pass)} | ${cell(r.fail)} | ${cell(r.skip)} | ${[...r.reasons].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([w, n]) => `${n}× ${w.replace(/\|/g, '\\|')}`).join('; ')} |`),
  '',
  `## Programs whose 6.12 annotations the host kernel does not satisfy (${apart.length})`,
  '',
  'Written for 6.12; on the host kernel they load differently or log other words. They do not count for the pass figure;',
  'for them ebpfvm must reproduce the kernel\'s recorded verdict and error line (test/fixtures/kernel-selftests/<file>.json).',
  '',
  ...apart.map((p) => `- ${p}`),
  '',
  `Files not qualifying: ${Object.keys(excluded).length}; not compiling: ${Object.keys(compileErrors).length} (reasons in qualifying.json).`,
  '',
  '## All verifier_*.c files (issue 17)',
  '',
  'Every compiled file, qualifying or not: the non-qualifying files are recorded through the same harness',
  '(test/fixtures/kernel-selftests/<file>.json; per program whether the host satisfies the annotations, and why not, in',
  'all-files.json) and run with `ebpfvm test --json`. Same pass rule: `ebpfvm test` says PASS and the host kernel',
  'satisfies the 6.12 annotations. A program ebpfvm passes but the host does not satisfy counts under the host\'s reason.',
  '',
  `${allPrograms} programs in ${compiled.length} compiled files (${qualCount} in qualifying files, ${allPrograms - qualCount} in ${nonQual.length} others; ` +
    `${allAux} auxiliary programs without test annotations in the others are not counted); ` +
    `the host kernel satisfies the annotations of ${allHostOk}; \`ebpfvm test\` says PASS for ${haveTest ? allVmPass : '–'}.`,
  haveTest ? `**${allPassed} of ${allPrograms} programs in all files pass (${allPct} %); ${allPassed} of the ${allHostOk} the host satisfies (${allHostPct} %).**`
    : '`ebpfvm test` was not available: no ebpfvm figures.',
  '',
  '### Reasons for the programs that do not pass, by category',
  '',
  '| category | programs |',
  '|---|---:|',
  ...[...categories].sort((a, b) => b[1] - a[1]).map(([c, n]) => `| ${c.replace(/\|/g, '\\|')} | ${n} |`),
  '',
  'A program that ebpfvm does not pass is counted under ebpfvm\'s reason even when the host does not satisfy it either;',
  '"host ..." categories are programs ebpfvm passes but the host kernel (the oracle) does not satisfy.',
  '',
  '### Non-qualifying files',
  '',
  '| file | why not qualifying | programs | host kernel satisfied | passed | failed | skipped | top reasons |',
  '|---|---|---:|---:|---:|---:|---:|---|',
  ...allRows.map((r) => `| ${r.name} | ${r.why.replace(/\|/g, '\\|')} | ${r.programs} | ${r.hostOk} | ${cell(r.pass)} | ${cell(r.fail)} | ${cell(r.skip)} | ${[...r.reasons].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([w, n]) => `${n}× ${w.replace(/\|/g, '\\|')}`).join('; ')} |`),
  '',
];
// Sections other scripts write (every `## ` heading but this script's own, to the end: the graph
// run-time and verifier sections) are kept after this table.
const docPath = join(root, 'docs/kernel-selftests.md');
const kept = existsSync(docPath) ? /\n## (?!Programs whose 6\.12 annotations|All verifier_\*\.c files|Unprivileged \(@unpriv\) runs)[^]*$/.exec(readFileSync(docPath, 'utf8'))?.[0] ?? '' : '';
if (!only.size) writeFileSync(docPath, [...lines, ...unprivLines].join('\n') + kept);
if (haveTest) console.log(`kernel-selftests: @unpriv runs: ${uRuns}; the host satisfies ${uHostOk}; ${uPassed} of those pass under ebpfvm (${uPct} %)`);
const sysctlAfter = existsSync(sysctlPath) ? readFileSync(sysctlPath, 'utf8').trim() : undefined;
if (sysctlAfter !== sysctlBefore) console.error(`kernel-selftests: WARNING: kernel.unprivileged_bpf_disabled was ${sysctlBefore} and is now ${sysctlAfter} (the harness restores it; set it back with sysctl)`);
if (haveTest) console.log(`kernel-selftests: all files: ${allPassed} of ${allPrograms} programs pass (${allPct} %); ${allPassed} of the ${allHostOk} the host kernel satisfies (${allHostPct} %)`);
console.log(haveTest ? `kernel-selftests: ${passed} of ${qualCount} qualifying programs pass under ebpfvm (${pct} %); docs/kernel-selftests.md written`
  : 'kernel-selftests: `ebpfvm test` is not available (build it, or it does not exist yet); docs/kernel-selftests.md has the kernel side only');
