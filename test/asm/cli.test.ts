// `ebpfvm asm` and `ebpfvm disasm` through the built CLI (dist/), including the round trip
// asm -> bytes -> disasm -> asm and the exit codes of bad input.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(root, 'dist/src/cli/main.js');
const run = (args: string[], input?: string) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', input });

describe.skipIf(!existsSync(cli))('ebpfvm asm / disasm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebpfvm-asm-'));
  const src = join(dir, 'p.s');
  writeFileSync(src, ['entry:', '  r0 = 0', '  if r1 > 5 goto out', '  call bpf_ktime_get_ns', '  r0 = 0x123456789 ll', 'out:', '  exit', ''].join('\n'));

  it('asm prints one hex slot per line; -o writes raw bytes', () => {
    const r = run(['asm', src]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      ['b7 00 00 00 00 00 00 00', '25 01 03 00 05 00 00 00', '85 00 00 00 05 00 00 00', '18 00 00 00 89 67 45 23', '00 00 00 00 01 00 00 00', '95 00 00 00 00 00 00 00', ''].join('\n'),
    );
    const out = join(dir, 'o.bin');
    expect(run(['asm', src, '-o', out]).status).toBe(0);
    expect(Buffer.from(readFileSync(out)).toString('hex')).toBe(r.stdout.replace(/[\s]/g, ''));
  });

  const bin = join(dir, 'p.bin');
  const assembleOnce = (): void => {
    if (!existsSync(bin)) expect(run(['asm', src, '-o', bin]).status).toBe(0);
  };

  it('disasm (llvm, annotated) names helpers and labels, and assembles back', () => {
    assembleOnce();
    const text = execFileSync(process.execPath, [cli, 'disasm', bin], { encoding: 'utf8' });
    expect(text).toContain('call 0x5 ; bpf_ktime_get_ns');
    expect(text).toContain('goto +0x3 <L5>');
    const back = run(['asm', '-', '-o', join(dir, 'q.bin')], text);
    expect(back.status).toBe(0);
    expect(readFileSync(join(dir, 'q.bin'))).toEqual(readFileSync(bin));
  });

  it('disasm --raw is llvm-objdump text; --dialect kernel is the verifier log', () => {
    assembleOnce();
    expect(run(['disasm', bin, '--raw']).stdout).toBe(
      ['       0:\tr0 = 0x0', '       1:\tif r1 > 0x5 goto +0x3', '       2:\tcall 0x5', '       3:\tr0 = 0x123456789 ll', '       5:\texit', ''].join('\n'),
    );
    expect(run(['disasm', bin, '--dialect', 'kernel']).stdout).toBe(
      ['0: (b7) r0 = 0', '1: (25) if r1 > 0x5 goto pc+3', '2: (85) call bpf_ktime_get_ns#5', '3: (18) r0 = 0x123456789', '5: (95) exit', ''].join('\n'),
    );
  });

  it('asm --syntax ubpf assembles conformance syntax', () => {
    const f = join(dir, 'u.s');
    writeFileSync(f, 'mov %r0, 1\nexit\n');
    expect(run(['asm', f, '--syntax', 'ubpf']).stdout).toBe('b7 00 00 00 01 00 00 00\n95 00 00 00 00 00 00 00\n');
  });

  it('bad input exits 2 with the line', () => {
    const f = join(dir, 'bad.s');
    writeFileSync(f, 'r0 = 0\nr0 = = 1\n');
    const r = run(['asm', f]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/line 2: cannot parse/);
    expect(run(['disasm', join(dir, 'nope.bin')]).status).toBe(2);
    assembleOnce();
    expect(run(['disasm', bin, '--dialect', 'intel']).status).toBe(2);
  });
});
