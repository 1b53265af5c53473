#!/usr/bin/env node
// The kernel's graph selftests under ebpfvm's verifier (issue 16): rbtree_fail.c, linked_list_fail.c,
// refcounted_kptr_fail.c, rbtree_btf_fail__*.c must be rejected with the host kernel's error line,
// and the programs of rbtree.c, linked_list.c, refcounted_kptr.c the host loads must be accepted;
// local_kptr_stash{,_fail}.c (kptr stashes of local objects) are compared the same way.
// Nothing from the kernel tree is committed; what is committed are facts:
//
//  - test/fixtures/kernel-selftests/graph/<file>.json: the host kernel's verdict, errno and log of
//    every program (the verifier fixture format, recorded through test/kernel/harness);
//  - test/fixtures/kernel-selftests/graph/linked_list_fail.expected.json: the (program, message)
//    pairs of the kernel's C driver (prog_tests/linked_list.c), which checks that the log contains
//    the message, transcribed as data;
//  - the per-file table in docs/kernel-selftests.md (its "graph kfuncs" section).
//
//   node scripts/graph-selftests.mjs [--no-record] [--json]
//
// --no-record compares against the committed fixtures without asking the host kernel.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CACHE, TREE, compileSelftest, prepare } from './kernel-tree.mjs';
import { hostKernel, recordObject, writeFixture } from './record-verifier.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
export const GRAPH_FILES = {
  rbtree_fail: 'fail', linked_list_fail: 'fail', refcounted_kptr_fail: 'fail',
  rbtree_btf_fail__add_wrong_type: 'fail', rbtree_btf_fail__wrong_node_type: 'fail',
  rbtree: 'ok', linked_list: 'ok', refcounted_kptr: 'ok',
  // kptr stashes of local objects (bpf_kptr_xchg into map values and objects)
  local_kptr_stash: 'ok', local_kptr_stash_fail: 'fail',
};
export const OBJS = join(CACHE, 'build/selftests-graph');
export const FIXTURES = join(root, 'test/fixtures/kernel-selftests/graph');
const PROGS = join(TREE, 'tools/testing/selftests/bpf/progs');

/** The error line of a kernel-format log: its last line that is not the statistics or a source line. */
export function errorLine(log) {
  const lines = log.split('\n').filter((l) => l && !l.startsWith('processed ') && !l.startsWith(';'));
  return lines.at(-1) ?? '';
}

/** The host's verdict of one recorded program: accepted, rejected with its line, or none (the
 *  host could not load it for a reason before verification, e.g. a missing attach target). */
export function hostVerdict(rec) {
  if (rec.loaded) return { kind: 'accepted' };
  if (!rec.log.trim()) return { kind: 'none', why: `errno ${rec.errno} before verification (empty log)` };
  return { kind: 'rejected', line: errorLine(rec.log) };
}

/** ebpfvm's verdicts of every program of an object (`ebpfvm verify --json`). */
export function ebpfvmVerdicts(obj) {
  const cli = join(root, 'dist/src/cli/main.js');
  const r = spawnSync('node', [cli, 'verify', obj, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const out = new Map();
  let parsed;
  try {
    parsed = JSON.parse(r.stdout);
  } catch {
    // The whole object refused before verification: every program gets that line.
    return { refused: (r.stderr || r.stdout).trim().split('\n').at(-1) ?? `exit ${r.status}`, programs: out };
  }
  for (const p of parsed.programs ?? []) out.set(p.program, { status: p.status, error: p.error ?? '', log: p.log ?? '' });
  return { programs: out };
}

/** The (program, message) pairs of prog_tests/linked_list.c's linked_list_fail_tests table. */
function driverTable() {
  const ops = ['push_front', 'push_back', 'pop_front', 'pop_back'];
  const heads = [['kptr', 40], ['global', 16], ['map', 0], ['inner_map', 0]];
  const out = [];
  for (const [t, off] of heads) for (const op of ops) out.push([`${t}_missing_lock_${op}`, `bpf_spin_lock at off=${off} must be held for bpf_list_head`]);
  for (const op of ops) {
    for (const [t] of heads) {
      for (const [h, off] of heads) out.push([`${t}_${h}_incorrect_lock_${op}`, `held lock and object are not in the same allocation\nbpf_spin_lock at off=${off} must be held for bpf_list_head`]);
    }
  }
  for (const p of ['kprobe', 'kretprobe', 'tp', 'perf', 'raw_tp', 'raw_tp_w']) out.push([`map_compat_${p}`, 'tracing progs cannot use bpf_{list_head,rb_root} yet']);
  out.push(
    ['obj_type_id_oor', 'local type ID argument must be in range [0, U32_MAX]'],
    ['obj_new_no_composite', 'bpf_obj_new/bpf_percpu_obj_new type ID argument must be of a struct'],
    ['obj_new_no_struct', 'bpf_obj_new/bpf_percpu_obj_new type ID argument must be of a struct'],
    ['obj_drop_non_zero_off', 'R1 must have zero offset when passed to release func'],
    ['new_null_ret', "R0 invalid mem access 'ptr_or_null_'"],
    ['obj_new_acq', 'Unreleased reference id='],
    ['use_after_drop', "invalid mem access 'scalar'"],
    ['ptr_walk_scalar', 'type=scalar expected=percpu_ptr_'],
    ['direct_read_lock', 'direct access to bpf_spin_lock is disallowed'],
    ['direct_write_lock', 'direct access to bpf_spin_lock is disallowed'],
    ['direct_read_head', 'direct access to bpf_list_head is disallowed'],
    ['direct_write_head', 'direct access to bpf_list_head is disallowed'],
    ['direct_read_node', 'direct access to bpf_list_node is disallowed'],
    ['direct_write_node', 'direct access to bpf_list_node is disallowed'],
    ['use_after_unlock_push_front', "invalid mem access 'scalar'"],
    ['use_after_unlock_push_back', "invalid mem access 'scalar'"],
    ['double_push_front', 'arg#1 expected pointer to allocated object'],
    ['double_push_back', 'arg#1 expected pointer to allocated object'],
    ['no_node_value_type', 'bpf_list_node not found at offset=0'],
    ['incorrect_value_type', 'operation on bpf_list_head expects arg#1 bpf_list_node at offset=48 in struct foo, but arg is at offset=0 in struct bar'],
    ['incorrect_node_var_off', 'variable ptr_ access var_off=(0x0; 0xffffffff) disallowed'],
    ['incorrect_node_off1', 'bpf_list_node not found at offset=49'],
    ['incorrect_node_off2', 'arg#1 offset=0, but expected bpf_list_node at offset=48 in struct foo'],
    ['no_head_type', 'bpf_list_head not found at offset=0'],
    ['incorrect_head_var_off1', "R1 doesn't have constant offset"],
    ['incorrect_head_var_off2', 'variable ptr_ access var_off=(0x0; 0xffffffff) disallowed'],
    ['incorrect_head_off1', 'bpf_list_head not found at offset=25'],
    ['incorrect_head_off2', 'bpf_list_head not found at offset=1'],
    ['pop_front_off', "off 48 doesn't point to 'struct bpf_spin_lock' that is at 40"],
    ['pop_back_off', "off 48 doesn't point to 'struct bpf_spin_lock' that is at 40"],
  );
  return out.map(([program, message]) => ({ program, message }));
}

/** Compare ebpfvm with the host for one file: rows per program. */
export function compareFile(name, fixture, verdicts, expected) {
  const rows = [];
  for (const [prog, rec] of Object.entries(fixture.programs)) {
    const host = hostVerdict(rec);
    const mine = verdicts.refused !== undefined ? { status: 'error', error: verdicts.refused, log: verdicts.refused } : verdicts.programs.get(prog) ?? { status: 'missing', error: 'no result', log: '' };
    const row = { prog, host, ebpfvm: mine.status === 'accepted' ? 'accepted' : mine.error, ok: false, why: '' };
    if (host.kind === 'accepted') row.ok = mine.status === 'accepted';
    else if (host.kind === 'rejected') row.ok = mine.status === 'rejected' && mine.error === host.line;
    else row.why = host.why;
    if (!row.ok && host.kind !== 'none') row.why = mine.status === 'accepted' ? 'ebpfvm accepts it' : mine.error;
    // The driver's (program, message) pairs: the message must be in ebpfvm's log, as in the kernel's.
    const want = expected?.find((e) => e.program === prog);
    if (want) {
      row.driverMsg = want.message;
      row.driverOk = (mine.log ?? '').includes(want.message);
      row.hostDriverOk = rec.log.includes(want.message);
    }
    rows.push(row);
  }
  return rows;
}

function main() {
  const args = process.argv.slice(2);
  const noRecord = args.includes('--no-record');
  prepare();
  mkdirSync(OBJS, { recursive: true });
  mkdirSync(FIXTURES, { recursive: true });
  const manifestPath = join(FIXTURES, 'linked_list_fail.expected.json');
  const expected = driverTable();
  writeFileSync(manifestPath, JSON.stringify({ source: 'linux-6.12:tools/testing/selftests/bpf/prog_tests/linked_list.c (linked_list_fail_tests)', tests: expected }, null, 2) + '\n');
  const table = [];
  const all = [];
  for (const [name, kind] of Object.entries(GRAPH_FILES)) {
    const src = join(PROGS, `${name}.c`);
    const obj = join(OBJS, `${name}.o`);
    if (!existsSync(obj) || statSync(obj).mtimeMs < statSync(src).mtimeMs) compileSelftest(src, obj);
    const fixPath = join(FIXTURES, `${name}.json`);
    if (!noRecord || !existsSync(fixPath)) writeFixture(fixPath, recordObject(obj, name, `linux-6.12:tools/testing/selftests/bpf/progs/${name}.c`).fixture);
    const fixture = JSON.parse(readFileSync(fixPath, 'utf8'));
    const rows = compareFile(name, fixture, ebpfvmVerdicts(obj), name === 'linked_list_fail' ? expected : undefined);
    all.push({ name, kind, rows });
    const agree = rows.filter((r) => r.ok).length;
    const noHost = rows.filter((r) => r.host.kind === 'none').length;
    const hostAcc = rows.filter((r) => r.host.kind === 'accepted').length;
    const driver = rows.filter((r) => r.driverMsg !== undefined);
    table.push({ name, programs: rows.length, hostAcc, hostRej: rows.filter((r) => r.host.kind === 'rejected').length, noHost, agree, driver: driver.length ? `${driver.filter((r) => r.driverOk).length} of ${driver.length} (host ${driver.filter((r) => r.hostDriverOk).length})` : '–', misses: rows.filter((r) => !r.ok && r.host.kind !== 'none').map((r) => `${r.prog}: ${r.why}`), none: rows.filter((r) => r.host.kind === 'none').map((r) => r.prog) });
  }
  if (args.includes('--json')) console.log(JSON.stringify(all, null, 2));
  const tot = table.reduce((a, r) => ({ p: a.p + r.programs, v: a.v + r.programs - r.noHost, ok: a.ok + r.agree }), { p: 0, v: 0, ok: 0 });
  const section = [
    '<!-- graph-selftests section: written by scripts/graph-selftests.mjs -->',
    '## Graph kfuncs: the kernel\'s rbtree, linked-list and refcounted-kptr selftests (verifier)',
    '',
    'Generated by `node scripts/graph-selftests.mjs` from Debian\'s linux-source-6.12 (compiled with the selftests\' flags, nothing',
    `committed). Each program's verdict under \`ebpfvm verify\` is compared with the host kernel's (${hostKernel()}, recorded in`,
    'test/fixtures/kernel-selftests/graph/): a program the host loads must be accepted, one it rejects must be rejected with the',
    'same error line (the last line of the log before the statistics). For linked_list_fail.c the kernel\'s own C driver table',
    '(prog_tests/linked_list.c, transcribed into test/fixtures/kernel-selftests/graph/linked_list_fail.expected.json) is checked',
    'too: its message must be in the log, as the driver checks it. Programs the host cannot load before verification (an',
    'fentry.s target in bpf_testmod, which the host lacks) have no host verdict and are not counted.',
    '',
    `**${tot.ok} of ${tot.v} programs with a host verdict agree** (${tot.p} programs in ${table.length} files).`,
    '',
    '| file | programs | host accepts | host rejects | no host verdict | ebpfvm agrees | driver messages in ebpfvm\'s log | misses |',
    '|---|---:|---:|---:|---:|---:|---|---|',
    ...table.map((r) => `| ${r.name}.c | ${r.programs} | ${r.hostAcc} | ${r.hostRej} | ${r.noHost} | ${r.agree} | ${r.driver} | ${r.misses.map((m) => m.replace(/\|/g, '\\|').slice(0, 140)).join('; ')} |`),
    '',
    `Programs without a host verdict: ${table.flatMap((r) => r.none.map((p) => `${r.name}/${p}`)).join(', ') || 'none'}.`,
    '<!-- /graph-selftests section -->',
    '',
  ].join('\n');
  const docPath = join(root, 'docs/kernel-selftests.md');
  const doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '';
  const re = /<!-- graph-selftests section[^]*?<!-- \/graph-selftests section -->\n?/;
  writeFileSync(docPath, re.test(doc) ? doc.replace(re, section) : doc.replace(/\n*$/, '\n\n') + section);
  for (const r of table) console.log(`graph-selftests: ${r.name}: ${r.agree} of ${r.programs - r.noHost} agree${r.misses.length ? ` (misses: ${r.misses.join('; ')})` : ''}`);
  console.log(`graph-selftests: ${tot.ok} of ${tot.v} programs with a host verdict agree; docs/kernel-selftests.md written`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) main();
