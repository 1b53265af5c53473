#!/usr/bin/env node
// The kernel's graph selftests (issue 16) against ebpfvm's run time: progs/rbtree.c,
// linked_list.c and refcounted_kptr.c from the Linux 6.12 tree (scripts/kernel-tree.mjs; nothing
// from it is committed). Every tc program runs on the selftests' 54-byte pkt_v4
// (network_helpers.c), each on a freshly loaded object as the C drivers (prog_tests/rbtree.c,
// linked_list.c, refcounted_kptr.c) do, plus the drivers' one sequence on a single object
// (refcounted_kptr_wrong_owner: a1, b, a2). What is compared: the retval and the plain global data
// (.data/.bss, where the programs leave the values the drivers assert, e.g. removed_key).
//
//   node scripts/kernel-graph.mjs            record the host kernel's results (root, bpffs, bpftool)
//                                            into test/fixtures/kernel-graph/<file>.json, then run
//                                            ebpfvm (--no-verify) and write the table into
//                                            docs/kernel-selftests.md
//   node scripts/kernel-graph.mjs --no-record   only the ebpfvm side against the committed fixtures
//
// Exit 1 when ebpfvm disagrees with a recorded result.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildHarness, compileSelftest, TREE, CACHE } from './kernel-tree.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const args = process.argv.slice(2);
const noRecord = args.includes('--no-record');
const PROGS = join(TREE, 'tools/testing/selftests/bpf/progs');
const OBJS = join(CACHE, 'build/graph-selftests');
const FIXTURES = join(root, 'test/fixtures/kernel-graph');
const DOC = join(root, 'docs/kernel-selftests.md');
export const FILES = ['rbtree', 'linked_list', 'refcounted_kptr'];
/** pkt_v4 of tools/testing/selftests/bpf/network_helpers.c: Ethernet (IPv4), an IPv4 header with
 *  only ihl=5, protocol TCP and tot_len 123 set, a TCP header with doff=5 and urg_ptr 123. */
export const PKT_V4 = '00000000000000000000000008000500007b000000000006000000000000000000000000000000000000000000005000000000007b00';
/** Sequences the C drivers run on one loaded object. */
export const SEQUENCES = {
  refcounted_kptr: [['rbtree_wrong_owner_remove_fail_a1', 'rbtree_wrong_owner_remove_fail_b', 'rbtree_wrong_owner_remove_fail_a2']],
};

const { Runtime, load, openObject, runLoaded } = await import(join(root, 'dist/src/index.js'));

mkdirSync(OBJS, { recursive: true });
mkdirSync(FIXTURES, { recursive: true });

function compile(name) {
  const src = join(PROGS, `${name}.c`), obj = join(OBJS, `${name}.o`);
  if (!existsSync(obj) || statSync(obj).mtimeMs < statSync(src).mtimeMs) compileSelftest(src, obj);
  return obj;
}

/** tc programs of an object, in section order (autoload-off `?` programs are not run). */
function tcPrograms(obj) {
  const spec = openObject(new Uint8Array(readFileSync(obj)), { name: 'probe' });
  return [...spec.programs.values()].filter((p) => p.section === 'tc').map((p) => p.name);
}

/** Plain global data: the maps of sections `.data` and `.bss` (not `.data.A`, which holds roots). */
const isPlainData = (name) => /\.(data|bss)$/.test(name);

// ---- host kernel ------------------------------------------------------------------------------

const bpftool = (...a) => execFileSync('bpftool', a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** test/kernel/harness/pin-object.c, linked against the tree's libbpf. */
function pinner() {
  return buildHarness('pin-object');
}

function hostRun(obj, progs) {
  const dir = `/sys/fs/bpf/ebpfvm-graph-${process.pid}`;
  const mapDir = join(dir, 'maps');
  mkdirSync(mapDir, { recursive: true });
  const pin = spawnSync(pinner(), [obj, dir], { encoding: 'utf8' });
  if (pin.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { load_error: (pin.stderr || '').split('\n').filter((l) => l.trim()).slice(-3).join(' | ') };
  }
  try {
    const runs = progs.map((prog) => {
      const r = spawnSync('python3', [join(root, 'scripts/kernel-test-run.py')], { input: JSON.stringify({ pin: join(dir, prog), data: PKT_V4, ctx: null, repeat: 1, syscall: false }), encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`kernel-test-run.py failed: ${r.stderr}`);
      const res = JSON.parse(r.stdout);
      return res.errno ? { prog, errno: res.errno } : { prog, retval: res.retval };
    });
    const data = {};
    for (const f of execFileSync('ls', [mapDir], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
      const info = JSON.parse(bpftool('map', 'show', 'pinned', join(mapDir, f), '-j'));
      if (!isPlainData(info.name)) continue;
      const [e] = JSON.parse(bpftool('map', 'dump', 'pinned', join(mapDir, f), '-j'));
      data[info.name.replace(/^.*(\.(data|bss))$/, '$1')] = e.value.map((b) => b.replace(/^0x/, '')).join('');
    }
    return { runs, data };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- ebpfvm -------------------------------------------------------------------------------------

function vmRun(obj, progs, verify) {
  const rt = new Runtime();
  const loaded = load(rt, openObject(new Uint8Array(readFileSync(obj)), { name: 'graph' }));
  const pkt = Buffer.from(PKT_V4, 'hex');
  const runs = progs.map((prog) => {
    try {
      return { prog, retval: runLoaded(loaded, prog, { data: new Uint8Array(pkt), repeat: 1 }, { verify }).retval };
    } catch (e) {
      return { prog, fault: String(e.message ?? e).split('\n')[0] };
    }
  });
  const data = {};
  for (const m of rt.allMaps()) {
    if (!isPlainData(m.map.name)) continue;
    data[m.map.name.replace(/^.*(\.(data|bss))$/, '$1')] = Buffer.from(m.map.lookup(new Uint8Array(4))).toString('hex');
  }
  return { runs, data };
}

// ---- main ---------------------------------------------------------------------------------------

const kernel = execFileSync('uname', ['-r']).toString().trim();
const rows = [];
let failures = 0;
for (const file of FILES) {
  const obj = compile(file);
  const progs = tcPrograms(obj);
  const cases = [...progs.map((p) => [p]), ...(SEQUENCES[file] ?? [])];
  const fixturePath = join(FIXTURES, `${file}.json`);
  let fixture;
  if (!noRecord) {
    fixture = { kernel, file: `tools/testing/selftests/bpf/progs/${file}.c`, data_in: 'pkt_v4', cases: cases.map((c) => ({ progs: c, ...hostRun(obj, c) })) };
    writeFileSync(fixturePath, JSON.stringify(fixture, null, 1) + '\n');
  } else fixture = JSON.parse(readFileSync(fixturePath, 'utf8'));
  const pass = { unverified: 0, verified: 0 };
  const misses = [];
  for (const c of fixture.cases) for (const mode of ['unverified', 'verified']) {
    const got = vmRun(obj, c.progs, mode === 'verified');
    const label = `${c.progs.join(' -> ')} (${mode})`;
    if (c.load_error) {
      misses.push(`${label}: the host kernel refused the object (${c.load_error})`);
      continue;
    }
    const bad = [];
    c.runs.forEach((want, i) => {
      const g = got.runs[i];
      if (g.fault) bad.push(`${want.prog}: fault ${g.fault}`);
      else if (want.errno) bad.push(`${want.prog}: the kernel refused the run (${want.errno})`);
      else if (g.retval !== want.retval) bad.push(`${want.prog}: retval ${g.retval}, kernel ${want.retval}`);
    });
    for (const [sec, hex] of Object.entries(c.data)) if (got.data[sec] !== hex) bad.push(`${sec}: ${got.data[sec]} (kernel ${hex})`);
    if (bad.length) misses.push(`${label}: ${bad.join('; ')}`);
    else pass[mode]++;
  }
  failures += 2 * fixture.cases.length - pass.unverified - pass.verified;
  rows.push({ file, total: fixture.cases.length, pass, misses });
  console.log(`${file}: ${pass.unverified}/${fixture.cases.length} unverified, ${pass.verified}/${fixture.cases.length} verified${misses.length ? '\n  ' + misses.join('\n  ') : ''}`);
}

// The table in docs/kernel-selftests.md, between markers (regenerated on each run).
const BEGIN = '<!-- kernel-graph:begin -->';
const END = '<!-- kernel-graph:end -->';
const rev = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD']).toString().trim();
const table = [
  BEGIN,
  '',
  `Measured by \`node scripts/kernel-graph.mjs\` at ${rev} against the host kernel's recordings (${JSON.parse(readFileSync(join(FIXTURES, `${FILES[0]}.json`), 'utf8')).kernel}), ebpfvm running each case twice on pkt_v4: unverified (\`--no-verify\`: the kfuncs' own run-time checks) and verified (ebpfvm's verifier accepts the program first, as \`ebpfvm run\` does by default). A case passes when every retval and the plain global data (.data/.bss) equal the kernel's.`,
  '',
  '| file | cases | pass, unverified | pass, verified | misses |',
  '| --- | ---: | ---: | ---: | --- |',
  ...rows.map((r) => `| ${r.file}.c | ${r.total} | ${r.pass.unverified} | ${r.pass.verified} | ${r.misses.length ? r.misses.map((m) => m.replace(/\|/g, '\\|')).join('<br>') : '-'} |`),
  `| **total** | ${rows.reduce((a, r) => a + r.total, 0)} | ${rows.reduce((a, r) => a + r.pass.unverified, 0)} | ${rows.reduce((a, r) => a + r.pass.verified, 0)} | |`,
  '',
  END,
].join('\n');
let doc = readFileSync(DOC, 'utf8');
const section = `## Graph data structures at run time (issue 16)\n\nThe kernel's \`rbtree.c\`, \`linked_list.c\` and \`refcounted_kptr.c\`: every tc program on a fresh object (as their C drivers run them), plus the drivers' sequence \`rbtree_wrong_owner_remove_fail_a1 -> b -> a2\` on one object. Fixtures: test/fixtures/kernel-graph/.\n\n${table}\n`;
if (doc.includes(BEGIN)) doc = doc.slice(0, doc.indexOf(BEGIN)) + table + doc.slice(doc.indexOf(END) + END.length);
else doc = doc.trimEnd() + '\n\n' + section;
writeFileSync(DOC, doc);
process.exit(failures ? 1 : 0);
