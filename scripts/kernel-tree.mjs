#!/usr/bin/env node
// The Linux 6.12 tree the kernel-side tools are built from: Debian's linux-source-6.12 package,
// fetched with `apt-get download` into a git-ignored cache, unpacked only as far as needed; libbpf
// built from its tools/lib/bpf; bpf_helper_defs.h generated with its scripts/bpf_doc.py; a
// vmlinux.h dumped from the host's BTF; and our verifier harness (test/kernel/harness) linked
// against that libbpf. Nothing here is committed: everything lands under the cache.
//
//   node scripts/kernel-tree.mjs                 prepare everything, print the paths as JSON
//   node scripts/kernel-tree.mjs compile X.c O   compile one selftest-style program with the
//                                                selftests' flags into O
//
// Cache: $EBPFVM_CACHE, default ~/.cache/ebpfvm. An already unpacked tree (cache/linux-6.12) is
// reused; on a fresh machine the package is downloaded and the needed directories extracted.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, copyFileSync, statSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, dirname, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
export const CACHE = process.env.EBPFVM_CACHE ?? join(homedir(), '.cache/ebpfvm');
export const TREE = join(CACHE, 'linux-6.12');
const BUILD = join(CACHE, 'build');
const LIBBPF_OUT = join(BUILD, 'libbpf');
export const INCLUDE = join(BUILD, 'include');   // bpf/*.h as libbpf installs them, plus vmlinux.h
export const HARNESS = join(BUILD, 'verifier-harness');
const CLANG = process.env.CLANG ?? 'clang-19';
// What the verifier work reads from the tree (semantics and selftests) plus what libbpf's build needs.
const TREE_DIRS = ['include', 'kernel/bpf', 'net/core', 'net/bpf', 'scripts', 'tools'];

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], ...opts });
const log = (m) => process.stderr.write(`kernel-tree: ${m}\n`);
const newer = (a, b) => existsSync(b) && statSync(b).mtimeMs >= statSync(a).mtimeMs;

/** Download and unpack linux-source-6.12 unless the tree is already there. */
export function ensureTree() {
  if (existsSync(join(TREE, 'tools/lib/bpf/libbpf.c')) && existsSync(join(TREE, 'scripts/bpf_doc.py'))) return TREE;
  mkdirSync(CACHE, { recursive: true });
  let deb = readdirSync(CACHE).find((f) => /^linux-source-6\.12_.*\.deb$/.test(f));
  if (!deb) {
    log('apt-get download linux-source-6.12');
    run('apt-get', ['download', 'linux-source-6.12'], { cwd: CACHE, stdio: 'inherit' });
    deb = readdirSync(CACHE).find((f) => /^linux-source-6\.12_.*\.deb$/.test(f));
    if (!deb) throw new Error('apt-get download linux-source-6.12 produced no .deb');
  }
  const pkg = join(CACHE, 'pkg');
  const tarball = join(pkg, 'usr/src/linux-source-6.12.tar.xz');
  if (!existsSync(tarball)) { log(`unpacking ${deb}`); run('dpkg-deb', ['-x', join(CACHE, deb), pkg]); }
  log(`extracting ${TREE_DIRS.join(' ')} from the source tarball`);
  const tmp = join(CACHE, 'linux-6.12.partial');
  mkdirSync(tmp, { recursive: true });
  run('tar', ['-xJf', tarball, '-C', tmp, '--strip-components=1', '--wildcards',
    ...TREE_DIRS.map((d) => `linux-source-6.12/${d}`)], { stdio: 'inherit' });
  renameSync(tmp, TREE);
  return TREE;
}

/** libbpf.a built from the tree into the cache; headers installed under INCLUDE/bpf. */
export function ensureLibbpf() {
  ensureTree();
  const lib = join(LIBBPF_OUT, 'libbpf.a');
  if (!existsSync(lib)) {
    log('building libbpf from tools/lib/bpf');
    mkdirSync(LIBBPF_OUT, { recursive: true });
    run('make', ['-s', '-C', join(TREE, 'tools/lib/bpf'), `OUTPUT=${LIBBPF_OUT}/`, '-j2', join(LIBBPF_OUT, 'libbpf.a')], { stdio: 'inherit' });
  }
  const bpfInc = join(INCLUDE, 'bpf');
  mkdirSync(bpfInc, { recursive: true });
  for (const h of ['bpf.h', 'libbpf.h', 'btf.h', 'libbpf_common.h', 'libbpf_legacy.h', 'libbpf_version.h',
    'bpf_helpers.h', 'bpf_tracing.h', 'bpf_endian.h', 'bpf_core_read.h', 'usdt.bpf.h', 'skel_internal.h']) {
    copyFileSync(join(TREE, 'tools/lib/bpf', h), join(bpfInc, h));
  }
  const defs = join(bpfInc, 'bpf_helper_defs.h');
  const uapi = join(TREE, 'include/uapi/linux/bpf.h');
  if (!newer(uapi, defs)) {
    log('generating bpf_helper_defs.h with scripts/bpf_doc.py');
    const text = run('python3', [join(TREE, 'scripts/bpf_doc.py'), 'helpers', '--header', '--file', uapi], { maxBuffer: 64 << 20 });
    writeFileSync(defs, text);
  }
  return lib;
}

/** vmlinux.h from the host kernel's BTF. */
export function ensureVmlinux() {
  const out = join(INCLUDE, 'vmlinux.h');
  if (!existsSync(out)) {
    mkdirSync(INCLUDE, { recursive: true });
    log('bpftool btf dump file /sys/kernel/btf/vmlinux format c');
    writeFileSync(out, run('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { maxBuffer: 256 << 20 }));
  }
  return out;
}

/**
 * Build a host-kernel harness from test/kernel/harness/<name>.c, linked statically against the
 * tree's libbpf, into the cache. Several checkouts (worktrees, CI clones) share the cache, so the
 * binary is keyed by the content of its sources and libbpf, not by mtimes (a fresh checkout would
 * look newer and rebuild it under a running sibling), and a build is renamed into place so a
 * concurrent run never executes a half-written file.
 */
export function buildHarness(name) {
  const lib = ensureLibbpf();
  const dir = join(root, 'test/kernel/harness');
  const sources = [`${name}.c`, ...readdirSync(dir).filter((f) => f.endsWith('.h')).sort()];
  const hash = createHash('sha256');
  for (const f of sources) hash.update(f).update(readFileSync(join(dir, f)));
  hash.update(String(statSync(lib).size)).update(String(statSync(lib).mtimeMs));
  const key = hash.digest('hex');
  const bin = join(BUILD, name);
  const keyFile = `${bin}.key`;
  if (existsSync(bin) && existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key) return bin;
  log(`building ${name}`);
  const tmp = `${bin}.tmp-${process.pid}`;
  run('cc', ['-O2', '-g', '-Wall', '-I', INCLUDE, '-I', join(TREE, 'tools/include/uapi'), join(dir, `${name}.c`), lib,
    '-lelf', '-lz', '-o', tmp], { stdio: 'inherit' });
  renameSync(tmp, bin);
  writeFileSync(keyFile, key);
  return bin;
}

/** Our verifier harness (the test loader's semantics). */
let harnessReady = false;
export function ensureHarness() {
  if (harnessReady) return HARNESS;
  buildHarness('verifier-harness');
  harnessReady = true;
  return HARNESS;
}

/** The selftests' BPF compile flags (tools/testing/selftests/bpf/Makefile), for clang-19. */
export function selftestFlags() {
  const arch = run('uname', ['-m']).toString().trim() === 'aarch64' ? 'arm64' : 'x86';
  return ['-g', '-O2', '-target', 'bpf', '-mcpu=v3', `-D__TARGET_ARCH_${arch}`, '-DENABLE_ATOMICS_TESTS',
    '-Wno-compare-distinct-pointer-types', '-fno-stack-protector',
    '-I', join(TREE, 'tools/testing/selftests/bpf'), '-I', join(TREE, 'tools/testing/selftests/bpf/progs'),
    '-I', INCLUDE, '-I', join(TREE, 'tools/include/uapi'), '-I', join(TREE, 'tools/include'),
    '-I', `/usr/include/${run('uname', ['-m']).toString().trim()}-linux-gnu`];
}

/** Compile one selftest program; throws with clang's stderr when it does not compile. */
export function compileSelftest(src, out) {
  ensureLibbpf(); ensureVmlinux();
  mkdirSync(dirname(out), { recursive: true });
  execFileSync(CLANG, [...selftestFlags(), '-c', src, '-o', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  return out;
}

export function prepare() {
  ensureTree(); ensureLibbpf(); ensureVmlinux(); ensureHarness();
  return { cache: CACHE, tree: TREE, include: INCLUDE, libbpf: join(LIBBPF_OUT, 'libbpf.a'), harness: HARNESS };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === 'compile') {
    if (rest.length !== 2) { console.error('usage: kernel-tree.mjs compile SRC.c OUT.o'); process.exit(2); }
    try { compileSelftest(rest[0], rest[1]); } catch (e) { process.stderr.write(e.stderr?.toString() ?? String(e)); process.exit(1); }
  } else if (!cmd) {
    console.log(JSON.stringify(prepare(), null, 2));
  } else {
    console.error(`unknown command ${cmd}`); process.exit(2);
  }
}
