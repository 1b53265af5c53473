#!/usr/bin/env node
// Records the host kernel's CO-RE answers for test/progs/core_kernel.o: libbpf (bpftool prog
// loadall) relocates every program against /sys/kernel/btf/vmlinux, each syscall program is run
// once (scripts/kernel-test-run.py) and its return value recorded. The minimal BTF of the types
// the object names (bpftool gen min_core_btf) is committed beside the results, so
// test/core/kernel.test.ts relocates against the same kernel types on any machine.
//
//   node scripts/record-core.mjs        writes test/fixtures/core/core_kernel.{btf,json}
//
// Needs root, bpffs, bpftool and python3; otherwise prints "record-core: skipped: <reason>".
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const OBJ = join(root, 'test/progs/core_kernel.o');
const OUT = join(root, 'test/fixtures/core');
const VMLINUX = '/sys/kernel/btf/vmlinux';

function skip(reason) {
  console.log(`record-core: skipped: ${reason}`);
  process.exit(0);
}
if (process.getuid?.() !== 0) skip('not root');
if (!existsSync('/sys/fs/bpf')) skip('bpffs is not mounted');
if (!existsSync(VMLINUX)) skip(`${VMLINUX} does not exist`);
if (spawnSync('bpftool', ['version'], { stdio: 'ignore' }).status !== 0) skip('bpftool not found');

mkdirSync(OUT, { recursive: true });
execFileSync('bpftool', ['gen', 'min_core_btf', VMLINUX, join(OUT, 'core_kernel.btf'), OBJ]);

const pin = `/sys/fs/bpf/ebpfvm-core-${process.pid}`;
rmSync(pin, { recursive: true, force: true });
execFileSync('bpftool', ['prog', 'loadall', OBJ, pin]);
const results = {};
try {
  for (const prog of readdirSync(pin).sort()) {
    const req = { pin: join(pin, prog), data: null, ctx: null, repeat: 0, syscall: true };
    const r = spawnSync('python3', [join(root, 'scripts/kernel-test-run.py')], { input: JSON.stringify(req), encoding: 'utf8' });
    const res = JSON.parse(r.stdout);
    if (res.errno) throw new Error(`${prog}: the kernel refused the run (${res.errno})`);
    results[prog] = res.retval;
  }
} finally {
  rmSync(pin, { recursive: true, force: true });
}
const kernel = execFileSync('uname', ['-r']).toString().trim();
writeFileSync(join(OUT, 'core_kernel.json'), JSON.stringify({ kernel, object: 'test/progs/core_kernel.o', btf: 'core_kernel.btf', results }, null, 2) + '\n');
console.log(`record-core: ${Object.keys(results).length} programs on Linux ${kernel}`);
