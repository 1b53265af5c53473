#!/usr/bin/env node
// Records the host kernel's CO-RE answers for test/progs/core_kernel.o: libbpf (bpftool prog
// loadall) relocates every program against /sys/kernel/btf/vmlinux, each syscall program is run
// once (scripts/kernel-test-run.py) and its return value recorded. The minimal BTF of the types
// the object names (bpftool gen min_core_btf) is committed beside the results, so
// test/core/kernel.test.ts relocates against the same kernel types on any machine.
//
//   node scripts/record-core.mjs        writes test/fixtures/core/core_kernel.{btf,json}
//
// It also records the kernel's layout of the uapi / BPF ABI structs the built-in BTF declares
// (test/fixtures/core/kernel_layouts.json, checked by test/btf/builtin-layouts.test.ts); that
// part reads dist/ (run `npm run build` first).
//
// Needs root, bpffs, bpftool and python3; otherwise prints "record-core: skipped: <reason>".
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Structs whose layout is uapi or fixed kernel ABI (task_struct is a subset on purpose). */
const ABI_STRUCTS = [
  '__sk_buff', 'xdp_md', 'bpf_sock', 'bpf_sk_lookup', 'bpf_flow_keys', 'pt_regs', 'bpf_spin_lock', 'bpf_timer', 'bpf_rb_root', 'bpf_rb_node',
  'bpf_list_head', 'bpf_list_node', 'bpf_refcount', 'rb_node', 'rb_root', 'list_head', 'bpf_raw_tracepoint_args', 'trace_entry',
  'ethhdr', 'iphdr', 'in6_addr', 'ipv6hdr', 'tcphdr', 'udphdr',
];

/** name -> [offset, size] of every named member, anonymous members flattened. */
function layoutOf(btf, BtfKind, struct) {
  const t = btf.find(struct, BtfKind.STRUCT)[0];
  if (!t) throw new Error(`the kernel has no struct ${struct}`);
  const members = {};
  const walk = (id, base) => {
    for (const m of btf.resolve(id).members) {
      if (m.name) members[m.name] = [base + m.bitOffset / 8, btf.sizeof(m.type)];
      else walk(m.type, base + m.bitOffset / 8);
    }
  };
  walk(t.id, 0);
  return { size: t.sizeOrType, members };
}

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

const { parseBtf, BtfKind } = await import('../dist/src/index.js');
const vmlinux = parseBtf(new Uint8Array(readFileSync(VMLINUX)));
const layouts = Object.fromEntries(ABI_STRUCTS.map((s) => [s, layoutOf(vmlinux, BtfKind, s)]));
// One struct per line: readable diffs when a kernel moves a field.
const body = Object.entries(layouts).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n');
writeFileSync(join(OUT, 'kernel_layouts.json'), `{\n  "kernel": ${JSON.stringify(kernel)},\n  "layouts": {\n${body}\n  }\n}\n`);
console.log(`record-core: layouts of ${ABI_STRUCTS.length} structs`);
