#!/usr/bin/env node
// The kernel's own BPF selftest programs, run here and on the host kernel (issue 13,
// `npm run test:kernel-progs`, not part of npm test). Nothing from the kernel tree is committed;
// what is committed are facts about the host kernel's runs (test/fixtures/kernel-progs/).
//
//  1. scripts/kernel-tree.mjs provides linux-source-6.12 (apt-get download), its libbpf and
//     headers and a vmlinux.h from the host;
//  2. every tools/testing/selftests/bpf/progs/*.c is compiled with the selftests' flags into the
//     cache (build/progs; `nice`, two clang jobs at most); a file that does not compile is listed;
//  3. every program of a type the kernel can BPF_PROG_TEST_RUN (net/core/filter.c and friends:
//     socket_filter, sched_cls/act, xdp, cgroup_skb, lwt_*, flow_dissector, sk_lookup, syscall,
//     raw_tracepoint(_writable), netfilter) is listed with test/kernel/harness/progs-harness;
//  4. unless --no-record, the host kernel loads each program on its own (libbpf of the same
//     tree, only that program autoloaded) and test-runs it on the inputs below, pinned to CPU 0,
//     twice; the facts go to test/fixtures/kernel-progs/<file>.json;
//  5. ebpfvm loads the same program (load(spec, {programs: [P]})) and runs it on the same inputs,
//     unverified (--no-verify) and verified; docs/kernel-progs.md gets the figures per file.
//
//   node scripts/kernel-progs.mjs [--no-record] [--no-compile] [--quick] [--jobs N] [FILE...]
//     FILE: e.g. test_xdp; --no-record: use the committed fixtures; --quick: the unverified figure
//     only, no doc; --doc-only: the doc from the last full run's results (runs of named files
//     or --quick runs write last-results-partial.json instead)
//   node scripts/kernel-progs.mjs --tree 6.1 [...]   the same over Debian's linux-source-6.1 selftests
//     (scripts/kernel-tree.mjs TREES): fixtures in test/fixtures/kernel-progs-6.1/, objects in the
//     cache's build-6.1/progs, docs/kernel-progs-6.1.md; plus the verdict sweep below
//   node scripts/kernel-progs.mjs --record-verdicts [FILE...]   only the host kernel's verdicts (the
//     sweep of section 6), added under "verdicts" (with "verdictsKernel") to the fixtures as they
//     are, a verdict-only fixture for a file without one; then the usual comparison and doc. The
//     main tree's sweep runs by default once its fixtures hold verdicts.
//   node scripts/kernel-progs.mjs --record-object test/progs/DIR/X.o...   the host kernel's results
//     for ebpfvm's own test objects into test/fixtures/kernel-progs-local/X.json
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildHarness, ensureTree, ensureTreeHeaders, selftestFlags, treeInfo, CACHE } from './kernel-tree.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const valueOf = (f) => { const i = args.indexOf(f); return i >= 0 ? { i, v: args[i + 1] } : undefined; };
const jobsArg = valueOf('--jobs'), treeArg = valueOf('--tree');
const JOBS = jobsArg ? Math.max(1, Number(jobsArg.v) || 1) : 2;
const only = new Set(args.filter((a, i) => !a.startsWith('--') && i !== jobsArg?.i + 1 && i !== treeArg?.i + 1).map((a) => a.replace(/\.[co]$/, '')));
// --tree 6.1: the same sweep over another tree's selftests, into its own fixtures, objects and doc.
const VERSION = treeArg?.v ?? '6.12';
const TREE_INFO = treeInfo(VERSION);
const MAIN = VERSION === '6.12';
const PROGS = join(TREE_INFO.dir, 'tools/testing/selftests/bpf/progs');
const OBJS = join(TREE_INFO.build, 'progs');
const FIXTURES = join(root, MAIN ? 'test/fixtures/kernel-progs' : `test/fixtures/kernel-progs-${VERSION}`);
const DOC = join(root, MAIN ? 'docs/kernel-progs.md' : `docs/kernel-progs-${VERSION}.md`);
const FIXTURES_REL = FIXTURES.slice(root.length + 1);
// --record-verdicts: only the host's verdicts, added to the fixtures as they are (their test-run
// facts, recorded on another host kernel build, stay byte for byte), then compared; no test run.
const RECORD_VERDICTS = flag('--record-verdicts');
const VERDICTS_FLAG = !MAIN || flag('--verdicts') || RECORD_VERDICTS;
const CLANG = process.env.CLANG ?? 'clang-19';
const log = (m) => process.stderr.write(`kernel-progs: ${m}\n`);

/** Run `cmd` over `items` with at most `jobs` processes at a time (the machine is shared). */
async function pool(items, jobs, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return out;
}

function runAsync(cmd, argv) {
  return new Promise((res) => {
    const p = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (status) => res({ status, stdout, stderr }));
  });
}

/** 2. Compile every progs/*.c (cached); returns {compiled: [name], errors: {name: first error}}. */
export async function compileAll(names) {
  ensureTreeHeaders(VERSION);
  mkdirSync(OBJS, { recursive: true });
  const flags = selftestFlags(VERSION);
  const errors = {}, compiled = [];
  const errFile = join(OBJS, 'compile-errors.json');
  const known = existsSync(errFile) ? JSON.parse(readFileSync(errFile, 'utf8')) : {};
  let done = 0;
  await pool(names, JOBS, async (name) => {
    const src = join(PROGS, `${name}.c`), obj = join(OBJS, `${name}.o`);
    const fresh = (p) => existsSync(p) && statSync(p).mtimeMs >= statSync(src).mtimeMs;
    if (fresh(obj)) { compiled.push(name); return; }
    if (known[name] && !flag('--recompile')) { errors[name] = known[name]; return; }
    const r = await runAsync('nice', ['-n', '10', CLANG, ...flags, '-c', src, '-o', obj]);
    if (r.status === 0) compiled.push(name);
    else errors[name] = (r.stderr.split('\n').find((l) => l.includes('error:')) ?? `clang exited ${r.status}`).replace(/^.*?error: /, '').slice(0, 160);
    if (++done % 50 === 0) log(`compiled ${done} files`);
  });
  writeFileSync(errFile, JSON.stringify({ ...known, ...errors }, null, 1));
  compiled.sort();
  return { compiled, errors };
}


// ---- inputs (issue 13): the same bytes for the host kernel and for ebpfvm -------------------

const zeros = (n) => '00'.repeat(n);
/** The internet checksum over hex bytes. */
function csum(hex) {
  const b = Buffer.from(hex, 'hex');
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) | (b[i + 1] ?? 0);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return (~s & 0xffff).toString(16).padStart(4, '0');
}
/** The selftests' pkt_v4 (network_helpers.c): Ethernet + IPv4 (ihl 5, version unset, tot_len 123,
 *  TCP) + TCP (doff 5, urg_ptr 123 in host order), 54 bytes. */
const PKT_V4 = zeros(12) + '0800' + '05' + '00' + '007b' + zeros(5) + '06' + zeros(10) + zeros(12) + '50' + zeros(5) + '7b00';
/** A valid IPv4/TCP SYN with an MSS option (02:..:01 -> 02:..:02, 10.0.0.1:12345 -> 10.0.0.2:80,
 *  both checksums right), 58 bytes padded to 64 with zeros as a short Ethernet frame is. */
const SYN64 = (() => {
  const eth = '020000000002' + '020000000001' + '0800';
  const ipNoCsum = (c) => '4500' + '002c' + '0001' + '4000' + '40' + '06' + c + '0a000001' + '0a000002';
  const ip = ipNoCsum(csum(ipNoCsum('0000')));
  const tcpNoCsum = (c) => '3039' + '0050' + '00000001' + '00000000' + '60' + '02' + 'ffff' + c + '0000' + '020405b4';
  const pseudo = '0a000001' + '0a000002' + '00' + '06' + '0018';
  const tcp = tcpNoCsum(csum(pseudo + tcpNoCsum('0000')));
  return eth + ip + tcp + zeros(6);
})();
/** struct bpf_sk_lookup: AF_INET, TCP, 127.0.0.1:12345 -> 127.0.0.1:80 (remote_port in network
 *  order, local_port in host order, as the UAPI has them), 72 bytes. */
const SK_LOOKUP_CTX = (() => {
  const b = Buffer.alloc(72);
  b.writeUInt32LE(2, 8); b.writeUInt32LE(6, 12);
  b.writeUInt32BE(0x7f000001, 16); b.writeUInt16BE(12345, 36);
  b.writeUInt32BE(0x7f000001, 40); b.writeUInt32LE(80, 60);
  return b.toString('hex');
})();
const PACKETS = [['zero64', zeros(64), null], ['pkt_v4', PKT_V4, null], ['syn64', SYN64, null]];
/** name -> [data hex | null, ctx hex | null] per kind. */
export const INPUTS = {
  skb: PACKETS, xdp: PACKETS, flow: PACKETS, nf: PACKETS,
  syscall: [['no_ctx', null, null], ['ctx_zero64', null, zeros(64)]],
  raw_tp: [['args12', null, zeros(96)]],
  sk_lookup: [['tcp4', null, SK_LOOKUP_CTX]],
};
/** The program types the kernel can BPF_PROG_TEST_RUN (their bpf_prog_ops have .test_run) and the
 *  input kind each gets. tracing (fentry/fexit) runs the kernel's bpf_fentry_test* functions,
 *  which reach the program only when it is attached, and struct_ops' test run is for a few
 *  test-module ops: neither is a run of the program on an input, so neither is listed. */
export const KIND = {
  socket_filter: 'skb', sched_cls: 'skb', sched_act: 'skb', cgroup_skb: 'skb',
  lwt_in: 'skb', lwt_out: 'skb', lwt_xmit: 'skb', lwt_seg6local: 'skb',
  xdp: 'xdp', flow_dissector: 'flow', netfilter: 'nf', syscall: 'syscall',
  raw_tracepoint: 'raw_tp', raw_tracepoint_writable: 'raw_tp', sk_lookup: 'sk_lookup',
};
// bpf_get_prandom_u32, bpf_ktime_get_ns, bpf_ktime_get_boot_ns, bpf_ktime_get_coarse_ns,
// bpf_ktime_get_tai_ns: their results differ between any two runs.
const NONDET_HELPERS = { 7: 'bpf_get_prandom_u32', 5: 'bpf_ktime_get_ns', 125: 'bpf_ktime_get_boot_ns', 160: 'bpf_ktime_get_coarse_ns', 208: 'bpf_ktime_get_tai_ns' };

// ---- 3. the kernel side: list and record ----------------------------------------------------

const HARNESS = join(CACHE, 'build/progs-harness');
// The verifier harness under its own name: the sweep needs its --plain mode, and other checkouts
// rebuilding `verifier-harness` from an older source must not swap it out in the middle of a run.
const HARNESS_V = join(CACHE, 'build/verifier-harness-sweep');
const SAME_AS_INPUT = '=data_in';
function ensureProgsHarness() {
  buildHarness('progs-harness');
  if (VERDICTS_FLAG) buildHarness('verifier-harness', 'verifier-harness-sweep');
}

const objPathOf = (name) => (name.endsWith('.o') ? resolve(root, name) : join(OBJS, `${name}.o`));

function listPrograms(name) {
  const r = spawnSync(HARNESS, [objPathOf(name), '--list'], { encoding: 'utf8' });
  try { return JSON.parse(r.stdout); } catch { return { error: (r.stderr || `exit ${r.status}`).trim().split('\n')[0] }; }
}

/** One program on the host kernel, pinned to CPU 0: a fresh load per input. */
function recordProgram(name, prog, kind, extra = {}) {
  const inputs = [...INPUTS[kind], ...(extra[kind] ?? [])];
  const argv = [HARNESS, objPathOf(name), prog, kind, ...inputs.flatMap(([n, d, c]) => [n, d ?? '-', c ?? '-'])];
  const r = spawnSync('taskset', ['-c', '0', ...argv], { encoding: 'utf8', timeout: 120_000 });
  const lines = (r.stdout ?? '').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const rec = {};
  if (r.status !== 0 && !lines.length) return { load_errno: 'HARNESS', load_error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').pop() };
  for (const l of lines) {
    if (l.load_errno) return { load_errno: l.load_errno, load_error: l.load_error };
    rec.helpers = l.helpers;
    if (l.kfuncs?.length) rec.kfuncs = [...new Set(l.kfuncs)];
    rec.runs ??= {};
    // data_out equal to data_in (most packets pass unchanged) is written as '=data_in'
    const dataOut = l.data_out !== null && l.data_out === inputs[l.input][1] ? SAME_AS_INPUT : l.data_out;
    rec.runs[inputs[l.input][0]] = l.errno ? { errno: l.errno } : { retval: l.retval, data_out: dataOut, ...(l.ctx_out !== null ? { ctx_out: l.ctx_out } : {}) };
  }
  return rec;
}

function hostKernel() {
  return spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim();
}

/** The host kernel's facts for one file: every test-runnable program, recorded twice. */
function recordFile(name, listing, extra = {}) {
  const out = { kernel: hostKernel(), tree: TREE_INFO.pkg, source: `tools/testing/selftests/bpf/progs/${name}.c`, inputs: 'inputs.json', programs: {}, other: {} };
  for (const p of listing.programs) {
    const kind = KIND[p.type];
    if (!kind) { out.other[p.type] = (out.other[p.type] ?? 0) + 1; continue; }
    const a = recordProgram(name, p.name, kind, extra);
    const entry = { section: p.section, type: p.type, kind, ...a };
    if (!a.load_errno) {
      const b = recordProgram(name, p.name, kind, extra);
      const nondet = (a.helpers ?? []).filter((h) => NONDET_HELPERS[h]).map((h) => NONDET_HELPERS[h]);
      const differ = Object.keys(a.runs ?? {}).filter((k) => JSON.stringify(a.runs[k]) !== JSON.stringify(b.runs?.[k]));
      if (nondet.length) entry.nondeterministic = `calls ${nondet.join(', ')}`;
      else if (differ.length) entry.nondeterministic = `two recordings differ on ${differ.join(', ')}`;
      else if (b.load_errno) entry.nondeterministic = `the second recording failed to load: ${b.load_error}`;
    }
    delete entry.helpers;
    out.programs[p.name] = entry;
  }
  return out;
}

/** One program per line: the fixtures stay readable in a diff without one line per field. */
function fixtureText(fx) {
  const block = (o) => Object.entries(o).map(([p, v]) => `  ${JSON.stringify(p)}: ${JSON.stringify(v)}`).join(',\n');
  // verdictsKernel follows programs: the verdicts of a fixture recorded earlier are appended
  // after its facts, which stay as they were
  const { programs, verdictsKernel, verdicts, ...head } = fx;
  const top = JSON.stringify(head, null, 1).slice(0, -2);
  return `${top},\n "programs": {\n${block(programs)}\n }${verdictsKernel ? `,\n "verdictsKernel": ${JSON.stringify(verdictsKernel)}` : ''}${verdicts ? `,\n "verdicts": {\n${block(verdicts)}\n }` : ''}\n}\n`;
}

// ---- 6. the verdict sweep (--tree 6.1, or --verdicts): every program, whatever its type -------
//
// The host kernel's verdict on each program of each compiled object, loaded alone by root
// (test/kernel/harness/verifier-harness --plain: every capability, no test run), and for the
// test_loader programs (annotated with __success/__failure/__msg/__retval) also as test_loader
// loads them, with whether the host satisfies the annotations. Facts kept: section, type, loaded,
// errno and the log's error line ('' when the load failed before the verifier wrote a log, e.g. a
// map libbpf could not create or an attach target this kernel lacks).

function harnessJson(objPath, prog, extra) {
  const r = spawnSync('taskset', ['-c', '0', HARNESS_V, objPath, prog, ...extra], { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 });
  try { return JSON.parse(r.stdout); } catch { return { harnessError: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').pop().slice(0, 160) }; }
}
const errorLine = (log) => log.split('\n').filter((l) => l && !/^processed \d+ insns/.test(l) && !/^verification time/.test(l) && !/^stack depth/.test(l)).at(-1) ?? '';

function recordVerdicts(name) {
  const objPath = objPathOf(name);
  let listing;
  const l = spawnSync(HARNESS_V, [objPath, '--list'], { encoding: 'utf8' });
  try { listing = JSON.parse(l.stdout); } catch { return { openError: (l.stderr || `exit ${l.status}`).trim().split("\n").pop().replace(objPath, `${name}.o`).slice(0, 160) }; }
  const out = {};
  for (const p of listing.programs) {
    const r = harnessJson(objPath, p.name, ['--plain']);
    if (r.harnessError) { out[p.name] = { section: p.section, type: p.type, harnessError: r.harnessError }; continue; }
    const v = { section: p.section, type: p.type, loaded: r.loaded, ...(r.loaded ? {} : { errno: r.errno, error: errorLine(r.log) }) };
    if (r.isTest) {
      // as test_loader loads it (CAP_SYS_ADMIN dropped, __flag, __log_level, a test run)
      const t = harnessJson(objPath, p.name, []);
      v.test = t.harnessError ? { harnessError: t.harnessError } : { loaded: t.loaded, ...(t.loaded ? { retval: t.retval } : { errno: t.errno }), satisfied: t.satisfied, ...(t.satisfied ? {} : { problems: t.problems.split('\n')[0] }) };
    }
    out[p.name] = v;
  }
  return out;
}

/** ebpfvm's verdict on one program: loaded alone, then verified; a test_loader program with the
 *  prog flags of its __flag annotations (e.g. BPF_F_STRICT_ALIGNMENT), as the harness's --plain
 *  load sets them. */
function verdictHere(A, bytes, prog, annotated = false) {
  let stage = 'load';
  const t0 = process.hrtime.bigint();
  try {
    const runtime = new A.Runtime({ ncpus: POSSIBLE_CPUS, cpu: 0 });
    const spec = A.openObject(bytes);
    const obj = A.load(runtime, spec, { programs: [prog] });
    stage = 'verify';
    let progFlags = 0;
    try { if (annotated && spec.btf) progFlags = annotations.parseTestSpec(spec.btf, prog).progFlags; } catch { /* unparsable annotations: no flags */ }
    const r = A.verifyProgram(obj, prog, { logLevel: 0, ...(progFlags ? { progFlags } : {}) });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    return r.accepted ? { accepted: true, ms } : { rejected: `${r.errorPc !== undefined ? `insn ${r.errorPc}: ` : ''}${firstLine(r.error ?? 'rejected')}`, ms };
  } catch (e) {
    if (!(e instanceof A.EbpfvmError)) return { crash: `${e?.constructor?.name ?? 'Error'} at ${stage}: ${firstLine(e)}`, stack: String(e?.stack ?? '').split('\n').slice(1, 4).join(' | ') };
    return { refused: `${stage === 'verify' ? 'verifier: ' : ''}${firstLine(e)}` };
  }
}

/** Verdict classes, by the host's verdict and ours. */
function verdictClass(k, h) {
  if (h.crash) return 'crash';
  if (k.harnessError) return 'host harness error';
  if (k.loaded) return h.accepted ? 'agree (both accept)' : h.rejected ? 'ebpfvm\'s verifier rejects what the host accepts' : 'ebpfvm cannot load what the host accepts';
  if (h.accepted) return k.error ? 'ebpfvm accepts what the host\'s verifier rejects' : 'ebpfvm accepts what the host cannot load (no verifier log)';
  return 'agree (both refuse)';
}
const VERDICT_ORDER = ['agree (both accept)', 'agree (both refuse)', 'ebpfvm accepts what the host\'s verifier rejects', 'crash',
  'ebpfvm\'s verifier rejects what the host accepts', 'ebpfvm cannot load what the host accepts', 'ebpfvm accepts what the host cannot load (no verifier log)', 'host harness error'];

async function compareVerdicts(fixtures) {
  const A = await ebpfvmApi();
  const rows = [];
  for (const [name, fx] of Object.entries(fixtures)) {
    if (!fx.verdicts || !Object.keys(fx.verdicts).length) continue;
    const bytes = readFileSync(objPathOf(name));
    const row = { name, programs: 0, classes: {}, items: [] };
    for (const [prog, k] of Object.entries(fx.verdicts)) {
      const h = verdictHere(A, bytes, prog, k.test !== undefined);
      if (h.ms > 20_000) log(`${name}/${prog}: verified in ${(h.ms / 1000).toFixed(1)} s`);
      const c = verdictClass(k, h);
      row.programs++;
      row.classes[c] = (row.classes[c] ?? 0) + 1;
      if (!c.startsWith('agree')) row.items.push({ prog, class: c, host: k.loaded ? 'accepts' : `${k.errno}: ${k.error || k.harnessError || '(no log)'}`, here: h.crash ?? h.rejected ?? h.refused ?? 'accepts', ...(h.stack ? { stack: h.stack } : {}) });
    }
    rows.push(row);
  }
  return rows;
}

/** `ebpfvm test --json` over the files with test_loader annotations: PASS where the host satisfies. */
function compareAnnotated(fixtures) {
  const cli = join(root, 'dist/src/cli/main.js');
  const rows = [];
  for (const [name, fx] of Object.entries(fixtures)) {
    const tests = Object.entries(fx.verdicts ?? {}).filter(([, v]) => v.test);
    if (!tests.length) continue;
    const r = spawnSync('node', [cli, 'test', objPathOf(name), '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    let list = [];
    try { const j = JSON.parse(r.stdout); list = Array.isArray(j) ? j : j.results ?? j.programs ?? []; } catch { /* counted as no result */ }
    const by = new Map(list.filter((x) => x.mode !== 'unpriv').map((x) => [x.prog ?? x.program ?? x.name, x]));
    const row = { name, programs: tests.length, hostOk: 0, pass: 0, items: [] };
    for (const [prog, v] of tests) {
      const x = by.get(prog);
      const st = String(x?.status ?? 'FAIL').toUpperCase();
      if (v.test.satisfied) row.hostOk++;
      if (st === 'PASS' && v.test.satisfied) row.pass++;
      else if (v.test.satisfied) row.items.push({ prog, status: st, reason: String(x?.reason ?? x?.error ?? `no result (exit ${r.status})`).split('\n')[0].slice(0, 140) });
    }
    rows.push(row);
  }
  return rows;
}

/** The host kernels the verdicts were recorded on (a fixture's own kernel unless it says otherwise). */
const verdictKernels = (fixtures) => [...new Set(Object.values(fixtures).filter((f) => f.verdicts).map((f) => f.verdictsKernel ?? f.kernel))].sort();

/** A verdict difference's reason for grouping: program, section and symbol names dropped. */
const verdictReason = (it) => reasonKey(it.class.includes('ebpfvm accepts') ? `host: ${it.host}` : it.here)
  .replace(/^program \S+: /, '').replace(/ \(section [^)]*\)?/, '').replace(/^\(relocation against \S+\): kernel symbol \S+/, 'kernel symbol')
  .replace(/'[^']*'/g, "'…'");

const VERDICT_HEADING = '## Verdicts: every program, whatever its type';
function verdictLines(rows, annotated, unopened = [], kernels = []) {
  const esc = (s) => String(s).replace(/\|/g, '\\|');
  const tot = {};
  let programs = 0;
  for (const r of rows) { programs += r.programs; for (const [c, n] of Object.entries(r.classes)) tot[c] = (tot[c] ?? 0) + n; }
  const agree = (tot['agree (both accept)'] ?? 0) + (tot['agree (both refuse)'] ?? 0);
  const aTot = annotated.reduce((a, r) => ({ programs: a.programs + r.programs, hostOk: a.hostOk + r.hostOk, pass: a.pass + r.pass }), { programs: 0, hostOk: 0, pass: 0 });
  const groups = new Map();
  for (const r of rows) for (const it of r.items) {
    const key = `${it.class} — ${verdictReason(it)}`;
    groups.set(key, [...(groups.get(key) ?? []), `${r.name}/${it.prog}`]);
  }
  return [
    VERDICT_HEADING,
    '',
    'Each program of each compiled object loaded alone: on the host kernel by root with the tree\'s programs',
    `as their own prog_tests load them (host kernel ${kernels.join(', ') || '?'}; test/kernel/harness/verifier-harness \`--plain\`: every capability, no test run;`,
    `facts in ${FIXTURES_REL}/<file>.json under "verdicts"), here with \`load(spec, { programs: [P] })\` and`,
    '`verifyProgram`. "Cannot load" is a refusal before verification (a map, program or attach type ebpfvm lacks).',
    ...(MAIN ? ['This section is rewritten by runs with `--verdicts` (or `--record-verdicts`); other runs keep it as it is.'] : []),
    'The host\'s refusals without a verifier log (`host: errno: (no log)`) are this machine, not the verifier: 1 (EPERM)',
    'for fentry/fexit/LSM programs this host kernel does not attach, 3 (ESRCH) for attach targets of bpf_testmod (not',
    'loaded), 22 (EINVAL) where libbpf gives up on the object before the load (an extern another program of the object',
    'needs: libbpf resolves every extern, ebpfvm only those of the program loaded).',
    '',
    `**${agree} of ${programs} programs get the host's verdict (${pct(agree, programs)} %).**`,
    '',
    '| class | programs |',
    '|---|---:|',
    ...VERDICT_ORDER.filter((c) => tot[c]).map((c) => `| ${c} | ${tot[c]} |`),
    '',
    `### Annotated test_loader programs (${aTot.programs})`,
    '',
    `The host satisfies the annotations of ${aTot.hostOk}; \`ebpfvm test\` passes **${aTot.pass}** of those.`,
    '',
    '| file | annotated | host satisfies | ebpfvm passes | not passed |',
    '|---|---:|---:|---:|---|',
    ...annotated.map((r) => `| ${r.name} | ${r.programs} | ${r.hostOk} | ${r.pass} | ${r.items.map((i) => `${i.prog}: ${esc(i.reason)}`).slice(0, 4).join('<br>')} |`),
    '',
    '### Verdict differences by group (largest first)',
    '',
    '| programs | class — reason | examples |',
    '|---:|---|---|',
    ...[...groups].sort((a, b) => b[1].length - a[1].length).map(([k, ps]) => `| ${ps.length} | ${esc(k)} | ${ps.slice(0, 3).join(', ')}${ps.length > 3 ? ', …' : ''} |`),
    '',
    `Objects libbpf cannot open on its own (no verdicts; the linked_* files are halves of a \`bpftool gen object\` link): ${unopened.length}`,
    '',
    ...unopened.map(([f, e]) => `- ${f}: ${esc(e)}`),
    '',
    '### Per file',
    '',
    '| file | programs | agree | differ | differences |',
    '|---|---:|---:|---:|---|',
    ...rows.filter((r) => r.programs).map((r) => {
      const ag = (r.classes['agree (both accept)'] ?? 0) + (r.classes['agree (both refuse)'] ?? 0);
      return `| ${r.name} | ${r.programs} | ${ag} | ${r.programs - ag} | ${r.items.slice(0, 3).map((i) => `${i.prog}: ${esc(i.class)} (${esc(verdictReason(i))})`).join('<br>')}${r.items.length > 3 ? '<br>…' : ''} |`;
    }),
    '',
  ];
}

// ---- 5. ebpfvm's side -----------------------------------------------------------------------

/** The graph kfuncs of the mainline graph issue (#16): programs needing them are counted apart. */
const GRAPH_KFUNCS = /^bpf_(obj_new_impl|obj_drop_impl|percpu_obj_new_impl|percpu_obj_drop_impl|refcount_acquire_impl|list_push_(front|back)_impl|list_pop_(front|back)|list_(front|back)|rbtree_(add_impl|remove|first|root|left|right))$/;
const POSSIBLE_CPUS = (() => {
  try {
    const m = /(\d+)\s*$/.exec(readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim());
    return m ? Number(m[1]) + 1 : 2;
  } catch { return 2; }
})();

let api, annotations;
async function ebpfvmApi() {
  api ??= await import(join(root, 'dist/src/index.js'));
  annotations ??= await import(join(root, 'dist/src/selftest/annotations.js'));
  return api;
}

const firstLine = (e) => String(e?.message ?? e).split('\n')[0].slice(0, 200);

/** One program here, on the same inputs: a fresh runtime and load per input, as the kernel side.
 *  verify: verify each load first, so every input runs the accepted program (its PROBE_MEM
 *  loads, src/verify.ts); a rejection refuses every input. */
function runHere(A, bytes, prog, kind, verify) {
  const res = {};
  for (const [input, data, ctx] of INPUTS[kind]) {
    let stage = 'load';
    try {
      const runtime = new A.Runtime({ ncpus: POSSIBLE_CPUS, cpu: 0 });
      const spec = A.openObject(bytes);
      const obj = A.load(runtime, spec, { programs: [prog] });
      if (verify) { stage = 'verify'; A.verifyForRun(obj, prog); }
      stage = 'run';
      const p = obj.program(prog);
      const req = { cpu: 0 };
      if (kind === 'raw_tp') req.args = new Array(12).fill(0n);
      else if (ctx !== null) req.ctx = Buffer.from(ctx, 'hex');
      if (data !== null) req.data = Buffer.from(data, 'hex');
      const r = A.testRun(runtime, p.program, req);
      res[input] = { retval: r.retval, data_out: r.dataOut ? Buffer.from(r.dataOut).toString('hex') : null, ...(r.ctxOut ? { ctx_out: Buffer.from(r.ctxOut).toString('hex') } : {}) };
    } catch (e) {
      if (!(e instanceof A.EbpfvmError)) res[input] = { crash: `${e?.constructor?.name ?? 'Error'}: ${firstLine(e)}`, stack: String(e?.stack ?? '').split('\n').slice(1, 4).join(' | ') };
      else if (e instanceof A.TestRunInputError) res[input] = { errno: e.errno, message: firstLine(e) };
      else if (e instanceof A.VmFault) res[input] = { fault: firstLine(e) };
      else res[input] = { refused: `${stage === 'verify' ? 'verifier: ' : ''}${firstLine(e)}` };
      // a load or verifier refusal is the same for every input
      if (res[input].refused) { for (const [i] of INPUTS[kind]) res[i] ??= res[input]; break; }
    }
  }
  return res;
}

/** Compare one program's runs with the kernel's: 'same', or the first difference. */
function compare(kernelRuns, here, kind) {
  for (const [input, kRun] of Object.entries(kernelRuns)) {
    const k = kRun.data_out === SAME_AS_INPUT ? { ...kRun, data_out: INPUTS[kind].find(([n]) => n === input)[1] } : kRun;
    const h = here[input];
    if (!h) return { status: 'refused', reason: 'no result' };
    if (h.crash) return { status: 'crash', reason: h.crash, stack: h.stack };
    if (h.refused) return { status: 'refused', reason: h.refused };
    if (k.errno) {
      if (h.errno === k.errno) continue;
      return { status: 'different', reason: `${input}: kernel refuses the run with ${k.errno}, ebpfvm ${h.errno ? `with ${h.errno}` : h.fault ? `faults (${h.fault})` : `returns ${h.retval}`}` };
    }
    if (h.fault) return { status: 'faulted', reason: h.fault };
    if (h.errno) return { status: 'different', reason: `${input}: ebpfvm refuses the run with ${h.errno} (${h.message}), the kernel returns ${k.retval}` };
    if (h.retval !== k.retval) return { status: 'different', reason: `${input}: retval ${h.retval}, the kernel's ${k.retval}` };
    if ((h.data_out ?? null) !== (k.data_out ?? null)) {
      const a = h.data_out ?? '', b = k.data_out ?? '';
      let i = 0;
      while (i < a.length && a[i] === b[i]) i++;
      return { status: 'different', reason: `${input}: data_out differs (${a.length / 2} bytes vs the kernel's ${b.length / 2}, first at byte ${i >> 1})` };
    }
  }
  return { status: 'same' };
}

/** Group a reason for the summary: numbers and names of this program dropped. */
const reasonKey = (r) =>
  r
    .replace(/^verifier: program \S+ rejected by the verifier (at insn \d+)?:? ?/, 'verifier: ')
    .replace(/^program \S+:? .*?insn \d+:? ?/, '') // the loader's "program P: section F insn N:"
    .replace(/^\S+ pc \d+ \(opcode 0x[0-9a-f]+\): /, '') // a fault's "P/F pc N (opcode ...):"
    .replace(' (--no-verify runs it unverified)', '')
    .replace(/\b(insn|at byte|pc) \d+/g, '$1 N')
    .slice(0, 120);

async function compareAll(fixtures, verify) {
  const A = await ebpfvmApi();
  const files = [];
  for (const [name, fx] of Object.entries(fixtures)) {
    if (!Object.keys(fx.programs).length) continue; // a file with verdicts only (the verdict sweep)
    const row = { name, programs: 0, hostRefused: 0, excluded: [], same: 0, different: [], refused: [], faulted: [], crash: [], graph: [] };
    const objPath = join(OBJS, `${name}.o`);
    const bytes = existsSync(objPath) ? readFileSync(objPath) : undefined;
    for (const [prog, k] of Object.entries(fx.programs)) {
      row.programs++;
      if (k.load_errno) { row.hostRefused++; continue; }
      if (k.nondeterministic) { row.excluded.push({ prog, reason: k.nondeterministic }); continue; }
      const here = bytes ? runHere(A, bytes, prog, k.kind, verify) : { x: { refused: 'object not built' } };
      const c = compare(k.runs ?? {}, here, k.kind);
      if (c.status === 'same') { row.same++; continue; }
      const graph = (k.kfuncs ?? []).filter((f) => GRAPH_KFUNCS.test(f));
      const item = { prog, ...c, ...(graph.length ? { graph } : {}) };
      if (graph.length && c.status !== 'crash') row.graph.push(item);
      else if (c.status === 'crash') row.crash.push(item);
      else if (c.status === 'refused') row.refused.push(item);
      else if (c.status === 'faulted') row.faulted.push(item);
      else row.different.push(item);
    }
    files.push(row);
  }
  return files;
}

function totals(files) {
  const t = { programs: 0, hostRefused: 0, excluded: 0, same: 0, different: 0, refused: 0, faulted: 0, crash: 0, graph: 0 };
  for (const f of files) for (const k of Object.keys(t)) t[k] += Array.isArray(f[k]) ? f[k].length : f[k];
  t.compared = t.programs - t.hostRefused - t.excluded;
  return t;
}

const pct = (a, b) => (b ? ((100 * a) / b).toFixed(1) : '0.0');

function figureLine(t, mode) {
  return `${mode}: ${t.same} of ${t.compared} programs the host kernel loads and runs deterministically give its results here (${pct(t.same, t.compared)} %; ` +
    `${pct(t.same, t.compared - t.graph)} % of the ${t.compared - t.graph} not waiting on the graph kfuncs of #16); ` +
    `${t.different} different, ${t.refused} refused, ${t.faulted} faulted, ${t.graph} waiting on #16, ${t.crash} crashes`;
}

function topReasons(files, key, n = 12, only = () => true) {
  const m = new Map();
  for (const f of files) for (const it of f[key]) { if (!only(it)) continue; const r = reasonKey(it.reason); m.set(r, (m.get(r) ?? 0) + 1); }
  return [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
}

function writeDoc(meta, noVerify, verified, extra = []) {
  const t = totals(noVerify), tv = totals(verified);
  const esc = (s) => String(s).replace(/\|/g, '\\|');
  const cellList = (items) => {
    if (!items.length) return '';
    const m = new Map();
    for (const it of items) { const r = reasonKey(it.reason); m.set(r, [...(m.get(r) ?? []), it.prog]); }
    return [...m].map(([r, ps]) => `${ps.length}: ${esc(r)} (${ps.slice(0, 4).join(', ')}${ps.length > 4 ? ', …' : ''})`).join('<br>');
  };
  const lines = [
    `# The kernel's BPF selftest programs under ebpfvm${MAIN ? '' : ` (Linux ${VERSION})`}`,
    '',
    `Generated by \`npm run test:kernel-progs${MAIN ? '' : ` -- --tree ${VERSION}`}\` (scripts/kernel-progs.mjs). Debian's ${TREE_INFO.pkg}:`,
    'every `tools/testing/selftests/bpf/progs/*.c` compiled with clang-19 and the selftests\' flags against that',
    'tree\'s headers and the host\'s vmlinux.h; every program of a type the kernel can `BPF_PROG_TEST_RUN`',
    `(${Object.keys(KIND).join(', ')}) loaded on its own — on the host kernel (${meta.kernel}) with the tree's`,
    'libbpf (only that program autoloaded), here with `load(spec, { programs: [P] })` — and run on the same inputs,',
    'each input on a fresh load: packets (skb, xdp, flow dissector, netfilter) 64 zero bytes, the selftests\' 54-byte',
    '`pkt_v4` and a valid 64-byte IPv4/TCP SYN; syscall no ctx and a 64-byte zero ctx; raw_tp 12 zero u64',
    `arguments; sk_lookup one fixed context (${FIXTURES_REL}/inputs.json). The kernel side ran`,
    `pinned to CPU 0 and was recorded twice; its facts are ${FIXTURES_REL}/<file>.json.`,
    'A program has the same result when every input gives the kernel\'s retval and data_out (or the kernel\'s',
    'errno when the kernel refuses the run).',
    '',
    `${meta.files} files, ${meta.compiled} compile (${meta.compileErrors} do not); ${meta.withRunnable} hold test-runnable programs: ` +
      `**${t.programs} programs**, of which the host kernel refuses to load ${t.hostRefused} and ${t.excluded} are excluded as nondeterministic, leaving **${t.compared}**.`,
    '',
    `- **${figureLine(t, 'Unverified (`--no-verify`)')}.**`,
    `- **${figureLine(tv, 'Verified (the default of `run`)')}.**`,
    '',
    '## Largest causes (unverified)',
    '',
    '| count | status | reason |',
    '|---:|---|---|',
    ...['refused', 'faulted', 'different', 'graph', 'crash'].flatMap((k) => topReasons(noVerify, k, k === 'refused' ? 25 : 12).map(([r, n]) => `| ${n} | ${k === 'graph' ? 'waiting on #16' : k} | ${esc(r)} |`)),
    '',
    '## Largest verifier refusals (verified run)',
    '',
    'Programs ebpfvm loads but whose verification it refuses (the load refusals above come first in both runs).',
    '',
    '| count | reason |',
    '|---:|---|',
    ...topReasons(verified, 'refused', 30, (it) => it.reason.startsWith('verifier: ')).map(([r, n]) => `| ${n} | ${esc(r)} |`),
    '',
    '## Per file (unverified)',
    '',
    '| file | programs | host refuses | excluded | same | different | refused | faulted | waiting on #16 | same, verified |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...noVerify.map((f, i) => `| ${f.name} | ${f.programs} | ${f.hostRefused} | ${f.excluded.length} | ${f.same} | ${f.different.length} | ${f.refused.length} | ${f.faulted.length} | ${f.graph.length} | ${verified[i].same} |`),
    '',
    '## Differences, refusals and faults per file (unverified)',
    '',
    '| file | different | refused | faulted | waiting on #16 | crash |',
    '|---|---|---|---|---|---|',
    ...noVerify.filter((f) => f.different.length + f.refused.length + f.faulted.length + f.graph.length + f.crash.length)
      .map((f) => `| ${f.name} | ${cellList(f.different)} | ${cellList(f.refused)} | ${cellList(f.faulted)} | ${cellList(f.graph)} | ${cellList(f.crash)} |`),
    '',
    `## Excluded as nondeterministic (${t.excluded})`,
    '',
    ...noVerify.flatMap((f) => f.excluded.map((e) => `- ${f.name}/${e.prog}: ${e.reason}`)),
    '',
    `Files that do not compile with clang-19: ${meta.compileErrors} (reasons in the script's cache, ${OBJS.slice(CACHE.length + 1)}/compile-errors.json).`,
    '',
    // the older tree's failures are few and say what changed in the kernel since: listed
    ...(MAIN ? [] : Object.entries(existsSync(join(OBJS, 'compile-errors.json')) ? JSON.parse(readFileSync(join(OBJS, 'compile-errors.json'), 'utf8')) : {})
      .sort().map(([f, e]) => `- ${f}.c: ${esc(e)}`)),
    ...(MAIN ? [] : ['']),
  ];
  writeFileSync(DOC, [...lines, ...extra].join('\n'));
}

/** --record-object X.o: the host kernel's results for one of ebpfvm's own test objects, with the
 *  inputs written into the fixture (test/fixtures/kernel-progs-local/X.json), for tests of
 *  features libbpf 1.1 (bpftool, scripts/record-kernel.mjs) cannot load. */
function recordObject(objRel) {
  ensureProgsHarness();
  const listing = listPrograms(objRel);
  if (listing.error) throw new Error(`${objRel}: ${listing.error}`);
  // X.inputs.json beside the object: more [name, data hex, ctx hex] inputs per kind (ctx_in
  // variants the standard packets do not exercise), recorded and compared like the others.
  const extraPath = resolve(root, objRel.replace(/\.o$/, '.inputs.json'));
  const extra = existsSync(extraPath) ? JSON.parse(readFileSync(extraPath, 'utf8')) : {};
  const fx = recordFile(objRel, listing, extra);
  fx.source = objRel.replace(/\.o$/, '.c');
  fx.inputs = Object.fromEntries([...new Set(Object.values(fx.programs).map((p) => p.kind))].map((k) => [k, [...INPUTS[k], ...(extra[k] ?? [])]]));
  const dir = join(root, 'test/fixtures/kernel-progs-local');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${objRel.split('/').pop().replace(/\.o$/, '')}.json`);
  writeFileSync(out, fixtureText(fx));
  log(`recorded ${Object.keys(fx.programs).length} programs of ${objRel} into ${out}`);
}

async function main() {
  const ro = args.indexOf('--record-object');
  if (ro >= 0) {
    for (const o of args.slice(ro + 1).filter((a) => a.endsWith('.o'))) recordObject(o);
    return;
  }
  ensureTree(VERSION);
  const names = readdirSync(PROGS).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2))
    .filter((n) => !only.size || only.has(n)).sort();
  const { compiled, errors } = flag('--no-compile')
    ? { compiled: names.filter((n) => existsSync(join(OBJS, `${n}.o`))), errors: {} }
    : await compileAll(names);
  log(`${names.length} files, ${compiled.length} compiled, ${Object.keys(errors).length} do not compile with ${CLANG}`);
  if (flag('--compile-only')) return;
  ensureProgsHarness();
  mkdirSync(FIXTURES, { recursive: true });
  writeFileSync(join(FIXTURES, 'inputs.json'), JSON.stringify(INPUTS, null, 1) + '\n');

  // 3 + 4: the kernel's facts (recorded unless --no-record and a fixture exists)
  const fixtures = {};
  let n = 0;
  for (const name of compiled) {
    const fxPath = join(FIXTURES, `${name}.json`);
    if (RECORD_VERDICTS) {
      const fx = existsSync(fxPath) ? JSON.parse(readFileSync(fxPath, 'utf8'))
        : { kernel: hostKernel(), tree: TREE_INFO.pkg, source: `tools/testing/selftests/bpf/progs/${name}.c`, inputs: 'inputs.json', programs: {}, other: {} };
      const v = recordVerdicts(name);
      if (typeof v.openError === 'string') {
        if (Object.keys(fx.programs).length) throw new Error(`${name}: libbpf cannot open it, but its fixture has test-run facts`);
        fx.openError = v.openError; fx.verdicts = {};
      } else fx.verdicts = v;
      fx.verdictsKernel = hostKernel();
      writeFileSync(fxPath, fixtureText(fx));
      fixtures[name] = fx;
      if (++n % 25 === 0) log(`recorded the verdicts of ${n} files`);
      continue;
    }
    if (flag('--no-record') || flag('--no-compile') || flag('--doc-only')) {
      if (existsSync(fxPath)) fixtures[name] = JSON.parse(readFileSync(fxPath, 'utf8'));
      continue;
    }
    const listing = listPrograms(name);
    const runnable = !listing.error && listing.programs.some((p) => KIND[p.type]);
    if (!runnable && !VERDICTS_FLAG) continue;
    const fx = runnable ? recordFile(name, listing)
      : { kernel: hostKernel(), tree: TREE_INFO.pkg, source: `tools/testing/selftests/bpf/progs/${name}.c`, inputs: 'inputs.json', programs: {}, other: {} };
    if (VERDICTS_FLAG) {
      // an object libbpf cannot open (linked_*.c are halves of a `bpftool gen object` link) has no
      // verdicts; the reason is kept
      const v = recordVerdicts(name);
      if (typeof v.openError === 'string') { fx.openError = v.openError; fx.verdicts = {}; } else fx.verdicts = v;
    }
    writeFileSync(fxPath, fixtureText(fx));
    fixtures[name] = fx;
    if (++n % 25 === 0) log(`recorded ${n} files`);
  }
  log(`${Object.values(fixtures).filter((f) => Object.keys(f.programs).length).length} files with test-runnable programs, ${Object.values(fixtures).filter((f) => f.verdicts).length} with verdicts`);

  const meta = { kernel: Object.values(fixtures).find((f) => Object.keys(f.programs).length)?.kernel ?? hostKernel(), files: names.length, compiled: compiled.length, compileErrors: names.length - compiled.length, withRunnable: Object.values(fixtures).filter((f) => Object.keys(f.programs).length).length };
  // the verdict sweep: every program of every file, against the host's verdicts
  let verdictDoc = [];
  // The main tree's sweep (some minutes: every verifier_*.c program) runs with --verdicts or
  // --record-verdicts; a run without it keeps the doc's verdict section as it was.
  const VERDICTS = VERDICTS_FLAG;
  if (!VERDICTS && existsSync(DOC)) {
    const old = readFileSync(DOC, 'utf8'), at = old.indexOf(VERDICT_HEADING);
    if (at >= 0) verdictDoc = old.slice(at).split('\n');
  }
  if (VERDICTS && flag('--doc-only')) {
    const { vrows, arows } = JSON.parse(readFileSync(join(OBJS, 'verdict-results.json'), 'utf8'));
    verdictDoc = verdictLines(vrows, arows, Object.entries(fixtures).filter(([, f]) => f.openError).map(([f, x]) => [f, x.openError]), verdictKernels(fixtures));
  }
  if (VERDICTS && !flag('--doc-only')) {
    const vrows = await compareVerdicts(fixtures);
    const arows = compareAnnotated(fixtures);
    verdictDoc = verdictLines(vrows, arows, Object.entries(fixtures).filter(([, f]) => f.openError).map(([f, x]) => [f, x.openError]), verdictKernels(fixtures));
    const all = vrows.reduce((n, r) => n + r.programs, 0);
    const ag = vrows.reduce((n, r) => n + (r.classes['agree (both accept)'] ?? 0) + (r.classes['agree (both refuse)'] ?? 0), 0);
    console.log(`kernel-progs: verdicts: ${ag} of ${all} programs get the host's verdict (${pct(ag, all)} %)`);
    const cls = {};
    for (const r of vrows) for (const [c, n] of Object.entries(r.classes)) cls[c] = (cls[c] ?? 0) + n;
    for (const c of VERDICT_ORDER) if (cls[c]) console.log(`kernel-progs:   ${cls[c]} ${c}`);
    const at = arows.reduce((a, r) => [a[0] + r.programs, a[1] + r.hostOk, a[2] + r.pass], [0, 0, 0]);
    console.log(`kernel-progs: annotated: ${at[0]} programs, the host satisfies ${at[1]}, ebpfvm test passes ${at[2]} of those`);
    writeFileSync(join(OBJS, only.size ? 'verdict-results-partial.json' : 'verdict-results.json'), JSON.stringify({ vrows, arows }, null, 1));
    for (const r of vrows) for (const it of r.items) if (it.class === 'crash') console.log(`CRASH ${r.name}/${it.prog}: ${it.here} ${it.stack ?? ''}`);
    if (flag('--verdicts-only')) return;
  }
  // --doc-only: rewrite docs/kernel-progs.md from the last full run's results
  if (flag('--doc-only')) {
    const last = JSON.parse(readFileSync(join(OBJS, 'last-results.json'), 'utf8'));
    writeDoc(meta, last.noVerify, last.verified, verdictDoc);
    console.log(`kernel-progs: ${figureLine(totals(last.noVerify), 'unverified (--no-verify)')}`);
    console.log(`kernel-progs: ${figureLine(totals(last.verified), 'verified')}`);
    return;
  }

  // 5: ebpfvm, unverified and verified
  const noVerify = await compareAll(fixtures, false);
  const tn = totals(noVerify);
  console.log(`kernel-progs: ${figureLine(tn, 'unverified (--no-verify)')}`);
  // Only a complete run over every file may feed --doc-only; a run of named files or a --quick
  // run keeps its results beside it, so it cannot replace the whole project's figures.
  const partialResults = join(OBJS, 'last-results-partial.json');
  // --quick: the unverified figure only (while fixing things); the doc is not written.
  if (flag('--quick')) {
    writeFileSync(partialResults, JSON.stringify({ noVerify }, null, 1));
    return;
  }
  const verified = await compareAll(fixtures, true);
  console.log(`kernel-progs: ${figureLine(totals(verified), 'verified')}`);
  writeFileSync(only.size ? partialResults : join(OBJS, 'last-results.json'), JSON.stringify({ noVerify, verified }, null, 1));
  if (!only.size) writeDoc(meta, noVerify, verified, verdictDoc);
  for (const f of noVerify) for (const c of f.crash) console.log(`CRASH ${f.name}/${c.prog}: ${c.reason} ${c.stack ?? ''}`);
}

await main();
