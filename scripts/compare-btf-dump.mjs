#!/usr/bin/env node
// Compares `ebpfvm btf dump X.o --format c` with `bpftool btf dump file X.o format c` for every
// object in a directory (default: the kernel selftest objects under ~/.cache/ebpfvm/build/progs).
// Prints the number of identical outputs and, for each differing object, the first differing line.
// Needs `npx tsc -p .` first (reads dist/) and bpftool on PATH.
// Usage: node scripts/compare-btf-dump.mjs [DIR|FILE.o|RAW.btf ...] [--check]   (--check: exit 1 when any differ)
// (e.g. /sys/kernel/btf/vmlinux: the host kernel's BTF, a large raw blob)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { parseElf } from '../dist/src/elf/file.js';
import { parseBtf } from '../dist/src/btf/btf.js';
import { formatBtfC } from '../dist/src/btf/format.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const check = process.argv.includes('--check');
const roots = args.length ? args : [join(homedir(), '.cache/ebpfvm/build/progs')];
const files = [];
for (const r of roots) {
  if (statSync(r).isDirectory()) for (const f of readdirSync(r).sort()) { if (f.endsWith('.o')) files.push(join(r, f)); }
  else files.push(r);
}

const version = execFileSync('bpftool', ['version'], { encoding: 'utf8' }).split('\n')[0];
let same = 0;
let skipped = 0;
const diffs = [];
for (const f of files) {
  let want;
  try {
    want = execFileSync('bpftool', ['btf', 'dump', 'file', f, 'format', 'c'], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    skipped++; // no .BTF or bpftool refuses it: nothing to compare against
    continue;
  }
  let got;
  try {
    const bytes = new Uint8Array(readFileSync(f));
    // A raw BTF blob (such as /sys/kernel/btf/vmlinux) is dumped as is, as bpftool does.
    const isElf = bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
    const data = isElf ? parseElf(bytes).section('.BTF')?.data : bytes;
    got = data ? formatBtfC(parseBtf(data)) : '<no .BTF>';
  } catch (e) {
    got = `<error: ${e.message}>`;
  }
  if (got === want) { same++; continue; }
  const a = want.split('\n');
  const b = got.split('\n');
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  diffs.push({ f, line: i + 1, want: a[i], got: b[i] });
}
for (const d of diffs) {
  console.log(`${d.f}:${d.line}\n  bpftool: ${JSON.stringify(d.want)}\n  ebpfvm:  ${JSON.stringify(d.got)}`);
}
const compared = files.length - skipped;
console.log(`${version}: ${same} of ${compared} objects identical (${diffs.length} differ, ${skipped} skipped: bpftool could not dump them)`);
if (check) process.exitCode = diffs.length ? 1 : 0;
