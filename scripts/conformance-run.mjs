#!/usr/bin/env node
// Runs a directory of bpf_conformance .data files against the ebpfvm plugin the way the suite's
// own runner (bpf_conformance's tools/runner + lib/src/bpf_conformance.cc) does, so the upstream
// suite can be measured without building the C++ runner:
//
//   node scripts/conformance-run.mjs DIR [--cpu_version v1..v4] [--include_groups callx,packet]
//        [--plugin dist/src/cli/bin-conformance.cjs] [--plugin_options "--engine compiled"] [--kernel] [--verbose]
//
// - files are parsed with the rules of bpf_test_parser.cc (comments stripped first, directives
//   found by substring, unknown directive or neither result nor error => skipped; a non-empty
//   `-- raw` wins over `-- asm`); like the runner, only DIR itself is read, not its subfolders
//   (upstream's tests/rfc9669 is run by naming that folder);
// - `-- asm` is assembled by vm/asm-ubpf.ts (the dist build: run `npx tsc -p .` first);
// - the required cpu version and groups are computed from the instructions, from the runner's table
//   (opcode_names.h), and tests above --cpu_version (default v4 here, the runner's is v3) or in a
//   group not enabled (callx and packet are off unless asked) are SKIP;
// - the plugin is spawned as `node PLUGIN [MEMHEX] [PLUGIN_OPTIONS...]` with the program's hex bytes
//   on stdin, each byte followed by two spaces, exactly as the runner writes them (the runner's
//   --plugin_options are split on whitespace and follow MEMHEX, as there);
// - a zero exit compares stdout (hex, parsed like stoull base 16) with the expected r0; a non-zero
//   exit passes only when the file has a non-empty `-- error` equal to the output (stdout lines,
//   or stderr lines when stdout is empty, joined, cut at the first \r).
// - with --kernel (root, Linux), every file that runs without input memory and without calls is
//   also loaded into the host kernel as a socket filter and run once (scripts/kernel-test-run.py);
//   the kernel's return value (the low 32 bits of r0) must equal ebpfvm's, whatever the file expects.
//   Programs the kernel's verifier refuses are counted apart, with its reason under --verbose.
// Prints one line per failure (and per skip with --verbose) and the pass/fail/skip counts; exits 1
// if anything failed or the kernel disagreed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { assembleUbpf } = await import(pathToFileURL(join(root, 'dist/vm/asm-ubpf.js')).href);
const { encodeInsns } = await import(pathToFileURL(join(root, 'dist/vm/isa.js')).href);

const G = { base32: 1, base64: 2, atomic32: 4, atomic64: 8, divmul32: 16, divmul64: 32, packet: 64, callx: 128 };
const DEFAULT_GROUPS = G.base32 | G.base64 | G.atomic32 | G.atomic64 | G.divmul32 | G.divmul64;

// The runner's instruction table (opcode_names.h `instructions_from_spec`): [version, group, opcode,
// src, imm, offset]. src is compared only for 0x18/0x85, imm only for 0xc3/0xd4/0xdb/0xdc, offset
// only for the signed div/mod and movsx opcodes; instructions not in the table add no requirement.
const T = [];
const add = (v, g, opcode, src = 0, imm = 0, offset = 0) => T.push({ v, g, opcode, src, imm, offset });
for (const [v, g, ops] of [
  [1, G.base64, [0x00, 0x07, 0x0f, 0x15, 0x17, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x47, 0x4d, 0x4f, 0x55, 0x57, 0x5d, 0x5f, 0x65, 0x67, 0x6f, 0x75, 0x77, 0x79, 0x7a, 0x7b, 0x7d, 0x7f, 0xa7, 0xaf, 0xc7, 0xcf]],
  [1, G.base32, [0x04, 0x05, 0x0c, 0x14, 0x1c, 0x1f, 0x44, 0x4c, 0x54, 0x5c, 0x61, 0x62, 0x63, 0x64, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x71, 0x72, 0x73, 0x74, 0x7c, 0x84, 0x87, 0x95, 0xa4, 0xac, 0xc4, 0xcc]],
  [2, G.base64, [0xa5, 0xad, 0xb5, 0xbd, 0xc5, 0xcd, 0xd5, 0xdd]],
  [3, G.base32, [0x16, 0x1e, 0x26, 0x2e, 0x36, 0x3e, 0x46, 0x4e, 0x56, 0x5e, 0x66, 0x6e, 0x76, 0x7e, 0xa6, 0xae, 0xb6, 0xbe, 0xc6, 0xce, 0xd6, 0xde]],
  [4, G.base32, [0x06]],
  [1, G.packet, [0x20, 0x28, 0x30, 0x40, 0x48, 0x50]],
  [1, G.divmul32, [0x24, 0x2c]],
  [1, G.divmul64, [0x27, 0x2f]],
])
  for (const op of ops) add(v, g, op);
for (let src = 0; src <= 6; src++) add(1, G.base64, 0x18, src);
for (const [op, g] of [[0x34, G.divmul32], [0x3c, G.divmul32], [0x94, G.divmul32], [0x9c, G.divmul32], [0x37, G.divmul64], [0x3f, G.divmul64], [0x97, G.divmul64], [0x9f, G.divmul64]]) {
  add(1, g, op, 0, 0, 0);
  add(4, g, op, 0, 0, 1);
}
add(1, G.base32, 0x85, 0);
add(3, G.base32, 0x85, 1);
add(3, G.base32, 0x85, 2);
add(1, G.callx, 0x8d);
add(1, G.base32, 0xb4);
add(1, G.base64, 0xb7);
add(1, G.base32, 0xbc, 0, 0, 0);
add(4, G.base32, 0xbc, 0, 0, 8);
add(4, G.base32, 0xbc, 0, 0, 16);
add(1, G.base64, 0xbf, 0, 0, 0);
for (const o of [8, 16, 32]) add(4, G.base64, 0xbf, 0, 0, o);
for (const imm of [0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1]) {
  add(3, G.atomic32, 0xc3, 0, imm);
  add(3, G.atomic64, 0xdb, 0, imm);
}
for (const [op, v] of [[0xd4, 1], [0xd7, 4], [0xdc, 1]]) {
  add(v, G.base32, op, 0, 0x10);
  add(v, G.base32, op, 0, 0x20);
  add(v, G.base64, op, 0, 0x40);
}
const needsSrc = (op) => op === 0x18 || op === 0x85;
const needsImm = (op) => op === 0xc3 || op === 0xd4 || op === 0xdb || op === 0xdc;
const needsOffset = (op) => [0x34, 0x37, 0x3c, 0x3f, 0x94, 0x97, 0x9c, 0x9f, 0xbc, 0xbf].includes(op);

function requirements(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let v = 1;
  let g = 0;
  for (let i = 0; i + 8 <= bytes.length; i += 8) {
    const opcode = bytes[i];
    const src = bytes[i + 1] >> 4;
    const offset = dv.getInt16(i + 2, true);
    const imm = dv.getInt32(i + 4, true);
    const e = T.find((t) => t.opcode === opcode && (!needsSrc(opcode) || t.src === src) && (!needsImm(opcode) || t.imm === imm) && (!needsOffset(opcode) || t.offset === offset));
    if (e) {
      v = Math.max(v, e.v);
      g |= e.g;
    }
    if (opcode === 0x18) i += 8; // lddw takes two slots
  }
  return { v, g };
}

/** bpf_test_parser.cc: returns undefined when the runner would skip the file. */
function parse(text) {
  let state = 'ignore';
  const asm = [];
  let raw = '';
  let mem = '';
  let result = '';
  let error = '';
  for (let line of text.split('\n')) {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    // comments go first, so a `#` line never counts as a directive (bpf_test_parser.cc does this)
    if (line.includes('#')) line = line.slice(0, line.indexOf('#'));
    if (line.includes('--')) {
      if (line.includes('asm')) state = 'asm';
      else if (line.includes('result')) state = 'result';
      else if (line.includes('mem')) state = 'mem';
      else if (line.includes('raw')) state = 'raw';
      else if (line.includes('no register offset')) state = 'ignore';
      else if (line.includes(' c')) state = 'ignore';
      else if (line.includes('error')) state = 'error';
      else return { skip: `unknown directive '${line.trim()}'` };
      continue;
    }
    if (line === '') continue;
    if (state === 'asm') asm.push(line);
    else if (state === 'result') result = line;
    else if (state === 'mem') mem += ' ' + line;
    else if (state === 'error') error = line;
    else if (state === 'raw') raw += ' ' + line;
  }
  if (error === '' && result === '') return { skip: 'no result or error' };
  // stoull: leading whitespace, then digits of the base; the rest is ignored. Like stoull, a
  // value wider than 64 bits is an error (the runner would abort on it), not truncated.
  const stoull = (s, base) => {
    const m = (base === 16 ? /^\s*(?:0x)?([0-9a-f]+)/i : /^\s*(\d+)/).exec(s);
    if (!m) throw new Error(`bad number '${s}'`);
    const v = BigInt((base === 16 ? '0x' : '') + m[1]);
    if (v >> 64n) throw new Error(`'${s}' does not fit in 64 bits`);
    return v;
  };
  const expected = result === '' ? 0n : result.includes('0x') ? stoull(result, 16) : stoull(result, 10);
  let program;
  if (raw.trim() !== '') {
    const words = raw.split(/\s+/).filter(Boolean);
    program = new Uint8Array(words.length * 8);
    const dv = new DataView(program.buffer);
    words.forEach((w, i) => dv.setBigUint64(i * 8, w.startsWith('0x') ? stoull(w, 16) : stoull(w, 10), true));
  } else {
    program = encodeInsns(assembleUbpf(asm.join('\n')));
  }
  if (program.length === 0) return { skip: 'no instructions' };
  const memBytes = mem.split(/\s+/).filter(Boolean).map((t) => parseInt(t, 16) & 0xff);
  return { expected, error, program, mem: Uint8Array.from(memBytes) };
}

const hexArg = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0') + '  ').join('');

const argv = process.argv.slice(2);
let dir;
let cpu = 4;
let groups = DEFAULT_GROUPS;
let plugin = join(root, 'dist/src/cli/bin-conformance.cjs'); // the package bin: the bundle of `npm run build` when fresh
let verbose = false;
let pluginOptions = [];
let kernel = false;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--cpu_version' || a === '--cpu-version') cpu = Number(/^v?(\d)$/.exec(argv[++i] ?? '')?.[1] ?? NaN);
  else if (a === '--include_groups' || a === '--include-groups') for (const name of (argv[++i] ?? '').split(/[,|]/).filter(Boolean)) groups |= G[name] ?? 0;
  else if (a === '--plugin') plugin = resolve(argv[++i]);
  else if (a === '--plugin_options' || a === '--plugin-options') pluginOptions = (argv[++i] ?? '').split(/\s+/).filter(Boolean);
  else if (a === '--kernel') kernel = true;
  else if (a === '--verbose') verbose = true;
  else if (a === '--help' || a === '-h') {
    console.log('usage: node scripts/conformance-run.mjs DIR [--cpu_version v4] [--include_groups callx,packet] [--plugin PATH] [--plugin_options OPTS] [--kernel] [--verbose]');
    process.exit(0);
  } else dir = a;
}
if (!dir || !(cpu >= 1 && cpu <= 4)) {
  console.error('usage: node scripts/conformance-run.mjs DIR [--cpu_version v4] [--include_groups callx,packet] [--plugin PATH] [--plugin_options OPTS] [--kernel] [--verbose]');
  process.exit(2);
}

// The suite's files are upstream's and are not in this repository; nothing is fetched here. Say so
// plainly instead of failing with a raw ENOENT (docs/asm.md says how to get them).
if (!existsSync(dir) || !statSync(dir).isDirectory()) {
  console.error(`conformance-run: ${dir}: no such directory; put the bpf_conformance .data files there first (see docs/asm.md, "Running the upstream suite")`);
  process.exit(2);
}
const dataFiles = readdirSync(dir).filter((n) => n.endsWith('.data')).sort();
if (dataFiles.length === 0) {
  console.error(`conformance-run: ${dir}: no .data files in this directory`);
  process.exit(2);
}

const counts = { pass: 0, fail: 0, skip: 0 };
const kcounts = { agree: 0, differ: 0, refused: 0, notEligible: 0 };
const hasCall = (bytes) => {
  for (let i = 0; i + 8 <= bytes.length; i += 8) {
    if (bytes[i] === 0x85 || bytes[i] === 0x8d) return true;
    if (bytes[i] === 0x18) i += 8;
  }
  return false;
};
/** The host kernel's answer for the same bytes; only its low 32 bits of r0 are observable. */
function compareWithKernel(f, t, r) {
  if (t.mem.length > 0 || hasCall(t.program)) {
    kcounts.notEligible++;
    return;
  }
  const req = { insns: Buffer.from(t.program).toString('hex'), data: '00'.repeat(64), repeat: 1 };
  const k = spawnSync('python3', [join(root, 'scripts/kernel-test-run.py')], { input: JSON.stringify(req), encoding: 'utf8' });
  let res;
  try {
    res = JSON.parse(k.stdout);
  } catch {
    console.error(`conformance-run: scripts/kernel-test-run.py gave no answer for ${f}: ${k.stderr.trim()}`);
    process.exit(2);
  }
  if (res.errno === 'EPERM') {
    console.error('conformance-run: --kernel needs root (bpf(2) refused with EPERM)');
    process.exit(2);
  }
  if (res.retval === undefined) {
    kcounts.refused++;
    if (verbose) console.log(`KERNEL-REFUSED ${f}: ${res.errno} ${res.message}`);
    return;
  }
  const ours = r.status === 0 ? (/^\s*(?:0x)?([0-9a-f]+)/i.exec(r.stdout.split('\n').join('')) ?? [])[1] : undefined;
  if (ours !== undefined && (BigInt('0x' + ours) & 0xffffffffn) === BigInt(res.retval)) kcounts.agree++;
  else {
    kcounts.differ++;
    console.log(`KERNEL-DIFF ${f}: ebpfvm ${ours !== undefined ? '0x' + ours : 'exited ' + r.status}, kernel 0x${res.retval.toString(16)} (low 32 bits)`);
  }
}
for (const f of dataFiles) {
  let t;
  try {
    t = parse(readFileSync(join(dir, f), 'utf8'));
  } catch (e) {
    counts.fail++;
    console.log(`FAIL ${f}: unusable test file (assembler or number error): ${e.message}`);
    continue;
  }
  if (t.skip) {
    counts.skip++;
    if (verbose) console.log(`SKIP ${f}: ${t.skip}`);
    continue;
  }
  const req = requirements(t.program);
  if (req.v > cpu || (req.g & ~groups) !== 0) {
    counts.skip++;
    if (verbose) console.log(`SKIP ${f}: needs v${req.v}, groups ${Object.keys(G).filter((k) => req.g & G[k]).join('|')}`);
    continue;
  }
  const args = [...(t.mem.length > 0 ? [hexArg(t.mem)] : []), ...pluginOptions];
  const r = spawnSync(process.execPath, [plugin, ...args], { input: hexArg(t.program) + '\n', encoding: 'utf8' });
  const out = r.stdout.split('\n').join('');
  const err = r.stderr.split('\n').join('');
  let verdict;
  if (r.status !== 0) {
    let text = out === '' && err !== '' ? err : out;
    if (text.includes('\r')) text = text.slice(0, text.indexOf('\r'));
    verdict = t.error === '' ? `plugin exited ${r.status}: ${text}` : text === t.error ? undefined : `plugin exited ${r.status} with '${text}', expected '${t.error}'`;
  } else {
    const m = /^\s*(?:0x)?([0-9a-f]+)/i.exec(out);
    if (!m) verdict = `unparsable output '${out}'`;
    else {
      const got = BigInt.asUintN(64, BigInt('0x' + m[1]));
      verdict = got === t.expected ? undefined : `returned 0x${got.toString(16)}, expected 0x${t.expected.toString(16)}`;
    }
  }
  if (kernel) compareWithKernel(f, t, r);
  if (verdict === undefined) {
    counts.pass++;
    if (verbose) console.log(`PASS ${f}`);
  } else {
    counts.fail++;
    console.log(`FAIL ${f}: ${verdict}`);
  }
}
const ran = counts.pass + counts.fail;
console.log(`${counts.pass}/${ran} passed, ${counts.fail} failed, ${counts.skip} skipped (cpu v${cpu})`);
if (kernel) console.log(`host kernel: ${kcounts.agree} agree, ${kcounts.differ} differ, ${kcounts.refused} refused by its verifier, ${kcounts.notEligible} not run (input memory or calls)`);
process.exitCode = counts.fail > 0 || kcounts.differ > 0 ? 1 : 0;
