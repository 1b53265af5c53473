// `ebpfvm inspect` and `ebpfvm disasm x.o`: output, and exit code 2 with a clear message on bad input.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROGS, objBytes, runCli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'ebpfvm-cli-'));
const obj = (n: string) => join(PROGS, `${n}.o`);

describe('ebpfvm inspect', () => {
  it('prints sections, programs, maps, globals, externs and a BTF summary', async () => {
    const r = await runCli(['inspect', obj('ld_globals')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/object ld_globals: license "GPL" \(GPL-compatible\)/);
    expect(r.out).toMatch(/\.data\.custom/);
    expect(r.out).toMatch(/read_globals: section syscall, type syscall, attach none, 40 insns/);
    expect(r.out).toMatch(/ld_globa\.rodata: array, key 4, value 16, max_entries 1, flags 0x480 \(data, \.rodata\)/);
    expect(r.out).toMatch(/config: \.rodata\+8, 8 bytes, const volatile struct cfg/);
    expect(r.out).toMatch(/BTF\.ext: 1 func_info, 15 line_info, 0 CO-RE relocations/);
    const k = await runCli(['inspect', obj('ld_kconfig')]);
    expect(k.out).toMatch(/CONFIG_NF_CONNTRACK: kconfig tristate at \.kconfig\+12 \(4 bytes\), weak/);
    expect(k.out).toMatch(/bpf_prog_active: ksym, weak/);
  });

  it('--json gives every map attribute and the inner map template', async () => {
    const r = await runCli(['inspect', obj('ld_map_in_map'), '--json']);
    const j = JSON.parse(r.out);
    expect(j.maps.find((m: { name: string }) => m.name === 'outer')).toMatchObject({ type: 'array_of_maps', keySize: 4, valueSize: 4, maxEntries: 4, inner: { type: 'array', maxEntries: 1 }, init: [{ index: 0, kind: 'map', target: 'in0' }, { index: 2, kind: 'map', target: 'in1' }] });
    const l = JSON.parse((await runCli(['inspect', obj('ld_legacy_maps'), '--json'])).out);
    expect(l.notes[0]).toMatch(/legacy/);
  });

  it('every sampled truncation exits 2 with an ebpfvm message, never an internal error', async () => {
    const orig = objBytes('ld_callbacks');
    const path = join(tmp, 'cut.o');
    for (let n = 0; n < orig.length; n += Math.floor(orig.length / 40)) {
      writeFileSync(path, orig.subarray(0, n));
      const r = await runCli(['inspect', path]);
      expect(r.code, `prefix ${n}`).toBe(2);
      expect(r.err, `prefix ${n}`).toMatch(/^ebpfvm: \S.*?: /);
      expect(r.err).not.toMatch(/internal error/);
    }
  });

  it('exit 2 with a located message for bad input', async () => {
    const truncated = join(tmp, 'trunc.o');
    writeFileSync(truncated, objBytes('ld_globals').subarray(0, 2000));
    const t = await runCli(['inspect', truncated]);
    expect(t.code).toBe(2);
    expect(t.err).toMatch(/^ebpfvm: ELF header: section header table .* runs past the end of the file/);
    const flipped = objBytes('ld_globals').slice();
    flipped[18] = 62;
    writeFileSync(join(tmp, 'x86.o'), flipped);
    expect((await runCli(['inspect', join(tmp, 'x86.o')])).err).toMatch(/not a BPF object: e_machine 62/);
    const missing = await runCli(['inspect', join(tmp, 'nope.o')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot read .*nope\.o: ENOENT/);
    const stat = await runCli(['inspect', obj('ld_static_prog')]);
    expect(stat.code).toBe(2);
    expect(stat.err).toMatch(/program hidden_prog is static/);
  });
});

describe('ebpfvm disasm x.o', () => {
  it('lists each program linked, with function and map names', async () => {
    const r = await runCli(['disasm', obj('ld_callbacks'), '--prog', 'run_loops']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^syscall\/run_loops:/);
    expect(r.out).toMatch(/code_addr\(0x[0-9a-f]+\) ll <step>/);
    expect(r.out).toMatch(/map_by_fd\(0x0\) ll ; arr/);
    expect(r.out).toMatch(/call pc\+0x[0-9a-f]+ <finish>/);
    expect(r.out).not.toMatch(/just_finish/);
  });

  it('--source interleaves source lines from BTF line info', async () => {
    const r = await runCli(['disasm', obj('ld_subprog'), '--prog', 'prog_b', '--source']);
    expect(r.out).toMatch(/; int sum = 0;  \[\.\/test\/progs\/ld_subprog\.c:13\]/);
    expect(r.out).toMatch(/loop_cb:\n; static long loop_cb/);
  });

  it('an unknown program is a usage error', async () => {
    const r = await runCli(['disasm', obj('ld_subprog'), '--prog', 'nope']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no program named nope \(have: prog_a, prog_b, prog_c\)/);
  });
});
