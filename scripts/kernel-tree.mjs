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
//   node scripts/kernel-tree.mjs --tree 6.1 [compile X.c O]
//                                                the same for a second, older tree (TREES below):
//                                                Debian bookworm's linux-source-6.1, unpacked into
//                                                cache/linux-6.1; its selftests compile against its
//                                                own tools/lib/bpf headers and bpf_helper_defs.h
//                                                (build-6.1/include) and the host's vmlinux.h. The
//                                                host-side harnesses stay linked against 6.12's
//                                                libbpf (a newer loader opens the older objects).
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

/**
 * The kernel trees whose selftests are swept. 6.12 is the main one (libbpf, harnesses, the
 * verifier selftests); 6.1 (Debian bookworm's own kernel) is a second corpus of programs written
 * against an older libbpf and verifier. Each has its own unpacked tree, and its own headers dir
 * (the tree's tools/lib/bpf headers, a bpf_helper_defs.h generated from its UAPI, the host's
 * vmlinux.h) so a 6.1 program sees the helpers and macros it was written for.
 */
export const TREES = {
  '6.12': { version: '6.12', pkg: 'linux-source-6.12', dir: TREE, pkgDir: join(CACHE, 'pkg'), include: INCLUDE, build: BUILD },
  '6.1': { version: '6.1', pkg: 'linux-source-6.1', dir: join(CACHE, 'linux-6.1'), pkgDir: join(CACHE, 'pkg-6.1'), include: join(CACHE, 'build-6.1/include'), build: join(CACHE, 'build-6.1') },
};
export function treeInfo(version = '6.12') {
  const t = TREES[version];
  if (!t) throw new Error(`unknown kernel tree ${version} (known: ${Object.keys(TREES).join(', ')})`);
  return t;
}

/** Download and unpack linux-source-<version> unless the tree is already there. */
export function ensureTree(version = '6.12') {
  const { pkg: name, dir, pkgDir } = treeInfo(version);
  if (existsSync(join(dir, 'tools/lib/bpf/libbpf.c')) && existsSync(join(dir, 'scripts/bpf_doc.py'))) return dir;
  mkdirSync(CACHE, { recursive: true });
  const debRe = new RegExp(`^${name.replace(/\./g, '\\.')}_.*\\.deb$`);
  let deb = readdirSync(CACHE).find((f) => debRe.test(f));
  if (!deb) {
    log(`apt-get download ${name}`);
    run('apt-get', ['download', name], { cwd: CACHE, stdio: 'inherit' });
    deb = readdirSync(CACHE).find((f) => debRe.test(f));
    if (!deb) throw new Error(`apt-get download ${name} produced no .deb`);
  }
  const tarball = join(pkgDir, `usr/src/${name}.tar.xz`);
  if (!existsSync(tarball)) { log(`unpacking ${deb}`); run('dpkg-deb', ['-x', join(CACHE, deb), pkgDir]); }
  log(`extracting ${TREE_DIRS.join(' ')} from the source tarball`);
  const tmp = `${dir}.partial`;
  mkdirSync(tmp, { recursive: true });
  run('tar', ['-xJf', tarball, '-C', tmp, '--strip-components=1', '--wildcards',
    ...TREE_DIRS.map((d) => `${name}/${d}`)], { stdio: 'inherit' });
  renameSync(tmp, dir);
  return dir;
}

/** The BPF-side headers of an older tree: its libbpf headers as installed, its generated
 *  bpf_helper_defs.h, and the host's vmlinux.h (no libbpf build: the harnesses use 6.12's). */
export function ensureTreeHeaders(version) {
  if (version === '6.12') { ensureLibbpf(); ensureVmlinux(); return INCLUDE; }
  const { dir, include } = treeInfo(version);
  ensureTree(version);
  const bpfInc = join(include, 'bpf');
  mkdirSync(bpfInc, { recursive: true });
  for (const h of ['bpf_helpers.h', 'bpf_tracing.h', 'bpf_endian.h', 'bpf_core_read.h', 'usdt.bpf.h']) {
    if (existsSync(join(dir, 'tools/lib/bpf', h))) copyFileSync(join(dir, 'tools/lib/bpf', h), join(bpfInc, h));
  }
  const defs = join(bpfInc, 'bpf_helper_defs.h');
  const uapi = join(dir, 'include/uapi/linux/bpf.h');
  if (!newer(uapi, defs)) {
    log(`generating ${version}'s bpf_helper_defs.h with its scripts/bpf_doc.py`);
    writeFileSync(defs, run('python3', [join(dir, 'scripts/bpf_doc.py'), 'helpers', '--header', '--file', uapi], { maxBuffer: 64 << 20 }));
  }
  const vmlinux = join(include, 'vmlinux.h');
  if (!existsSync(vmlinux)) copyFileSync(ensureVmlinux(), vmlinux);
  return include;
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
 * concurrent run never executes a half-written file. `bin` names the binary in the cache (default
 * `name`): a long run that needs a newer harness than its siblings' checkouts keeps its own copy,
 * which their rebuilds of `name` do not replace under it.
 */
export function buildHarness(name, binName = name) {
  const lib = ensureLibbpf();
  const dir = join(root, 'test/kernel/harness');
  const sources = [`${name}.c`, ...readdirSync(dir).filter((f) => f.endsWith('.h')).sort()];
  const hash = createHash('sha256');
  for (const f of sources) hash.update(f).update(readFileSync(join(dir, f)));
  hash.update(String(statSync(lib).size)).update(String(statSync(lib).mtimeMs));
  const key = hash.digest('hex');
  const bin = join(BUILD, binName);
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

/** The selftests' BPF compile flags (tools/testing/selftests/bpf/Makefile), for clang-19, with
 *  the include paths of the given tree. */
export function selftestFlags(version = '6.12') {
  const { dir, include } = treeInfo(version);
  const arch = run('uname', ['-m']).toString().trim() === 'aarch64' ? 'arm64' : 'x86';
  return ['-g', '-O2', '-target', 'bpf', '-mcpu=v3', `-D__TARGET_ARCH_${arch}`, '-DENABLE_ATOMICS_TESTS',
    '-Wno-compare-distinct-pointer-types', '-fno-stack-protector',
    '-I', join(dir, 'tools/testing/selftests/bpf'), '-I', join(dir, 'tools/testing/selftests/bpf/progs'),
    '-I', include, '-I', join(dir, 'tools/include/uapi'), '-I', join(dir, 'tools/include'),
    '-I', `/usr/include/${run('uname', ['-m']).toString().trim()}-linux-gnu`];
}

/** Compile one selftest program; throws with clang's stderr when it does not compile. */
export function compileSelftest(src, out, version = '6.12') {
  ensureTreeHeaders(version);
  mkdirSync(dirname(out), { recursive: true });
  execFileSync(CLANG, [...selftestFlags(version), '-c', src, '-o', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  return out;
}

export function prepare() {
  ensureTree(); ensureLibbpf(); ensureVmlinux(); ensureHarness();
  return { cache: CACHE, tree: TREE, include: INCLUDE, libbpf: join(LIBBPF_OUT, 'libbpf.a'), harness: HARNESS };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const argv = process.argv.slice(2);
  const ti = argv.indexOf('--tree');
  const version = ti >= 0 ? argv.splice(ti, 2)[1] : '6.12';
  const [cmd, ...rest] = argv;
  if (cmd === 'compile') {
    if (rest.length !== 2) { console.error('usage: kernel-tree.mjs [--tree V] compile SRC.c OUT.o'); process.exit(2); }
    try { compileSelftest(rest[0], rest[1], version); } catch (e) { process.stderr.write(e.stderr?.toString() ?? String(e)); process.exit(1); }
  } else if (!cmd && version !== '6.12') {
    const p = prepare();
    console.log(JSON.stringify({ ...p, tree: ensureTree(version), include: ensureTreeHeaders(version) }, null, 2));
  } else if (!cmd) {
    console.log(JSON.stringify(prepare(), null, 2));
  } else {
    console.error(`unknown command ${cmd}`); process.exit(2);
  }
}
