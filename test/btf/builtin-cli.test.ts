// `ebpfvm btf dump --builtin`: the built-in kernel BTF as raw text, as C (the committed
// include/vmlinux.h is exactly this output) and as a binary blob bpftool reads back.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../loader/helpers.js';
import { builtinBtf, builtinBtfBytes } from '../../src/btf/builtin.js';
import { formatBtfRaw } from '../../src/btf/format-raw.js';

const ROOT = join(import.meta.dirname, '..', '..');
const hasBpftool = (() => {
  try {
    execFileSync('bpftool', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('ebpfvm btf dump --builtin', () => {
  it('--format c is the committed include/vmlinux.h', async () => {
    const r = await runCli(['btf', 'dump', '--builtin', '--format', 'c']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(readFileSync(join(ROOT, 'include', 'vmlinux.h'), 'utf8'));
    expect(r.out).toMatch(/#ifndef __VMLINUX_H__/);
    expect(r.out).toMatch(/preserve_access_index/);
    expect(r.out).toMatch(/struct task_struct \{/);
  });

  it('raw format lists the types', async () => {
    const r = await runCli(['btf', 'dump', '--builtin']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(formatBtfRaw(builtinBtf()));
    expect(r.out).toMatch(/FUNC '__x64_sys_getpgid' type_id=\d+ linkage=global/);
  });

  it.skipIf(!hasBpftool)('the blob reads back in bpftool, which prints the same C and raw text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ebpfvm-btf-'));
    const f = join(dir, 'builtin.btf');
    writeFileSync(f, builtinBtfBytes());
    const c = execFileSync('bpftool', ['btf', 'dump', 'file', f, 'format', 'c'], { encoding: 'utf8' });
    const ours = readFileSync(join(ROOT, 'include', 'vmlinux.h'), 'utf8');
    // Ours adds a banner comment, and the kfunc prototypes bpftool prints only from 7.4 on (with
    // the __ksym/__weak defines they need); bpftool 7.1 here prints neither.
    const kfuncs = /\/\* BPF kfuncs \*\/\n#ifndef BPF_NO_KFUNC_PROTOTYPES\n(extern [^\n]* __weak __ksym;\n)+#endif\n\n/;
    expect(ours).toMatch(kfuncs);
    const defines = '#ifndef __ksym\n#define __ksym __attribute__((section(".ksyms")))\n#endif\n\n#ifndef __weak\n#define __weak __attribute__((weak))\n#endif\n\n';
    expect(ours).toContain(defines);
    expect(ours.replace(kfuncs, '').replace(defines, '').endsWith(c)).toBe(true);
    const raw = execFileSync('bpftool', ['btf', 'dump', 'file', f], { encoding: 'utf8' });
    expect(raw).toBe(formatBtfRaw(builtinBtf()));
  });
});
