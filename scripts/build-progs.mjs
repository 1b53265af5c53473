#!/usr/bin/env node
// Builds test/progs/*.c (and examples/*.c) with clang-19 into committed .o files and records a
// manifest of source hashes, object hashes and `clang --version`, so tests can read committed
// objects on machines without clang, and CI can rebuild into a temp dir and report drift.
//
//   node scripts/build-progs.mjs            rebuild every object in place, rewrite the manifest
//   node scripts/build-progs.mjs NAME...    rebuild only these (base names without .c)
//   node scripts/build-progs.mjs --check    rebuild into a temp dir, compare with the committed
//                                          objects, print drift; exit 1 when a source changed
//                                          without its object being rebuilt
//
// Per-file flags: a line `// cflags: -mcpu=v4 -DFOO` near the top of a .c file adds flags.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const DIRS = ['test/progs', 'test/progs/verifier', 'test/progs/kfunc', 'test/progs/rbtree-verifier', 'test/progs/limits', 'test/progs/helpers', 'test/progs/maps', 'test/progs/graph', 'examples'];
const CLANG = process.env.CLANG ?? 'clang-19';
const arch = execFileSync('uname', ['-m']).toString().trim();
const BASE_FLAGS = ['-O2', '-g', '-target', 'bpf', '-mcpu=v3', `-D__TARGET_ARCH_${arch === 'aarch64' ? 'arm64' : 'x86'}`,
  `-ffile-prefix-map=${root.replace(/\/$/, '')}=.`, '-I', join(root, 'include'), '-I', join(root, 'test/progs'), '-I', `/usr/include/${arch}-linux-gnu`];

const sha = (buf) => createHash('sha256').update(buf).digest('hex');
const args = process.argv.slice(2);
const check = args.includes('--check');
const only = new Set(args.filter((a) => !a.startsWith('--')));

function clangVersion() {
  return execFileSync(CLANG, ['--version']).toString().split('\n')[0].trim();
}

function sources() {
  const out = [];
  for (const dir of DIRS) {
    const abs = join(root, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs).sort()) if (f.endsWith('.c')) out.push({ dir, name: f.slice(0, -2), path: join(abs, f) });
  }
  return out;
}

function extraFlags(src) {
  const m = /^\s*\/\/\s*cflags:(.*)$/m.exec(src);
  return m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
}

function headersHash() {
  const h = createHash('sha256');
  for (const dir of ['include', 'test/progs', 'test/progs/verifier', 'test/progs/kfunc', 'test/progs/limits', 'test/progs/graph']) {
    const abs = join(root, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs).sort()) if (f.endsWith('.h')) h.update(f).update(readFileSync(join(abs, f)));
  }
  return h.digest('hex');
}

function build(s, outPath) {
  const src = readFileSync(s.path, 'utf8');
  const flags = [...BASE_FLAGS, ...extraFlags(src)];
  execFileSync(CLANG, [...flags, '-c', s.path, '-o', outPath], { stdio: ['ignore', 'inherit', 'inherit'] });
  return { flags: extraFlags(src), source: sha(src) };
}

const manifestPath = join(root, 'test/progs/manifest.json');
const manifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : { objects: {} };
const version = clangVersion();
const headers = headersHash();

if (check) {
  const tmp = mkdtempSync(join(tmpdir(), 'ebpfvm-progs-'));
  let stale = 0, drift = 0;
  for (const s of sources()) {
    const key = `${s.dir}/${s.name}`;
    const rec = manifest.objects[key];
    const out = join(tmp, `${s.name}.o`);
    const { source } = build(s, out);
    const committed = join(root, s.dir, `${s.name}.o`);
    if (!rec || rec.source !== source || !existsSync(committed)) {
      console.log(`STALE  ${key}: source changed since its object was built (run npm run progs)`); stale++; continue;
    }
    if (sha(readFileSync(out)) !== sha(readFileSync(committed))) {
      console.log(`DRIFT  ${key}: rebuilt object differs from the committed one (${version} vs ${manifest.clang})`); drift++;
    }
  }
  if (manifest.headers !== headers) { console.log('STALE  include/*.h changed since the objects were built (run npm run progs)'); stale++; }
  console.log(`progs check: ${sources().length} sources, ${stale} stale, ${drift} drifted (drift is reported, not fatal)`);
  process.exit(stale ? 1 : 0);
}

const built = {};
for (const s of sources()) {
  if (only.size && !only.has(s.name)) continue;
  const out = join(root, s.dir, `${s.name}.o`);
  const { flags, source } = build(s, out);
  built[`${s.dir}/${s.name}`] = { source, object: sha(readFileSync(out)), flags };
  console.log(`built ${s.dir}/${s.name}.o`);
}
// Re-read just before writing: a concurrent build of other objects may have updated the manifest
// since we started, and only this run's entries are ours to replace.
if (existsSync(manifestPath)) manifest.objects = JSON.parse(readFileSync(manifestPath, 'utf8')).objects;
Object.assign(manifest.objects, built);
for (const key of Object.keys(manifest.objects)) {
  const [dir, name] = [key.slice(0, key.lastIndexOf('/')), basename(key)];
  if (!existsSync(join(root, dir, `${name}.c`))) delete manifest.objects[key];
}
manifest.clang = version;
manifest.headers = headers;
manifest.objects = Object.fromEntries(Object.entries(manifest.objects).sort());
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
