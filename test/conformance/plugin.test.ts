// The plugin protocol itself (reference/conformance-plugin.md): argv/stdin/stdout/exit code, ELF
// input (.text and the xdp prolog), plugin options, and the error path. Runs the built binary.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runConformance } from '../../src/cli/conformance.js';
import { PLUGIN as plugin, runPlugin } from './spawn.js';

const here = dirname(fileURLToPath(import.meta.url));
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('  ');
const fixture = (name: string): string => hex(new Uint8Array(readFileSync(join(here, 'fixtures', name))));
// mov %r0, %r2 ; exit
const MEM_LEN = 'bf 20 00 00 00 00 00 00 95 00 00 00 00 00 00 00';

describe.skipIf(!existsSync(plugin))('ebpfvm-conformance binary', () => {
  it('prints r0 in hex and exits 0 (tests/mem-len.data)', async () => {
    const r = await runPlugin(['00 00 00 01  00 00 00 02'], MEM_LEN);
    expect(r).toEqual({ code: 0, stdout: '8\n', stderr: '' });
  });
  it('runs without memory: r1 = r2 = 0', async () => {
    expect((await runPlugin([], MEM_LEN)).stdout).toBe('0\n');
  });
  it('ignores plugin options meant for other VMs and accepts --engine interpreter', async () => {
    expect((await runPlugin(['01 02', '--jit', '--engine', 'interpreter'], MEM_LEN)).stdout).toBe('2\n');
    const bad = await runPlugin(['--engine', 'jit'], MEM_LEN);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/unsupported engine 'jit'/);
  });
  it('--engine compiled runs the program through the compiling tier with the same answer', async () => {
    expect(await runPlugin(['01 02 03', '--engine', 'compiled'], MEM_LEN)).toEqual({ code: 0, stdout: '3\n', stderr: '' });
  });
  it('--elf: runs the .text function of an object', async () => {
    const r = await runPlugin(['01 02 03', '--elf'], fixture('mem-len.o'));
    expect(r).toEqual({ code: 0, stdout: '3\n', stderr: '' });
  });
  it('--elf with the xdp prolog: r1 is an xdp_md bounding the memory', async () => {
    const r = await runPlugin(['78 56 34 12', '--elf'], fixture('xdp-prolog.o'));
    expect(r).toEqual({ code: 0, stdout: '12345678\n', stderr: '' });
  });
  it('raw programs that start with the runner\'s xdp prolog get an xdp_md in r1', async () => {
    // the prolog for a 4-byte buffer, then r0 = *(u32 *)(r1 + 0); exit
    const prolog = [
      'b7 00 00 00 ff ff ff ff', 'bf 16 00 00 00 00 00 00', '61 61 00 00 00 00 00 00', '61 62 04 00 00 00 00 00',
      'bf 13 00 00 00 00 00 00', '07 03 00 00 04 00 00 00', 'bd 23 01 00 00 00 00 00', '95 00 00 00 00 00 00 00',
      'b7 02 00 00 04 00 00 00', '61 10 00 00 00 00 00 00', '95 00 00 00 00 00 00 00',
    ].join(' ');
    expect(await runPlugin(['78 56 34 12'], prolog)).toEqual({ code: 0, stdout: '12345678\n', stderr: '' });
  });
  it('errors: non-zero exit and a message', async () => {
    const r = await runPlugin([], 'zz 00');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not a hex byte/);
    const e = await runPlugin(['--elf'], '00 01 02 03');
    expect(e.code).not.toBe(0);
    expect(e.stderr).toMatch(/not an ELF file/);
    const odd = await runPlugin([], 'b7 00 00');
    expect(odd.stderr).toMatch(/not a non-empty multiple of 8/);
  });
  it('starts fast enough to be spawned once per test', async () => {
    const t0 = performance.now();
    await runPlugin([], MEM_LEN);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('runConformance in process', () => {
  it('matches the binary on a memory test', () => {
    expect(runConformance(['00 00 00 01 00 00 00 02'], MEM_LEN)).toEqual({ stdout: '8\n', stderr: '', code: 0 });
  });
  it('unwind with a zero argument stops the program with r0 = 0', () => {
    // mov r0, 77 ; mov r1, 0 ; call 5 ; mov r0, 55 ; exit
    const prog = 'b7 00 00 00 4d 00 00 00 b7 01 00 00 00 00 00 00 85 00 00 00 05 00 00 00 b7 00 00 00 37 00 00 00 95 00 00 00 00 00 00 00';
    expect(runConformance([], prog).stdout).toBe('0\n');
  });
  it('a runtime function call (call runtime 0x2a, src 2) returns 0 (upstream call_runtime.data)', () => {
    // mov r0, 7 ; call runtime 0x2a ; exit
    const prog = 'b7 00 00 00 07 00 00 00 85 20 00 00 2a 00 00 00 95 00 00 00 00 00 00 00';
    expect(runConformance([], prog)).toEqual({ stdout: '0\n', stderr: '', code: 0 });
  });
});
