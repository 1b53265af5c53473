// `ebpfvm run-raw`: hex or .bin programs, --mem, --max-insns, --trace, exit codes 0/1/2.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseHexBytes } from '../../src/cli/commands/run-raw.js';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

const MOV42_EXIT = 'b7 00 00 00 2a 00 00 00 95 00 00 00 00 00 00 00';
// r0 = *(u32 *)(r1 + 0); r0 += r2; exit
const LOAD_MEM = '61 10 00 00 00 00 00 00 0f 20 00 00 00 00 00 00 95 00 00 00 00 00 00 00';

describe('ebpfvm run-raw', () => {
  it('runs inline hex and prints r0 in hex', async () => {
    const r = await cli(['run-raw', MOV42_EXIT]);
    expect(r).toEqual({ code: 0, out: '0x2a\n', err: '' });
  });
  it('reads .bin and hex-text files; --mem gives r1 = address, r2 = length', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ebpfvm-runraw-'));
    writeFileSync(join(dir, 'p.bin'), Buffer.from(parseHexBytes(LOAD_MEM, 'p')));
    writeFileSync(join(dir, 'p.hex'), LOAD_MEM + '\n');
    writeFileSync(join(dir, 'm.bin'), Buffer.from([1, 0, 0, 0, 9]));
    expect((await cli(['run-raw', join(dir, 'p.bin'), '--mem', join(dir, 'm.bin')])).out).toBe('0x6\n');
    expect((await cli(['run-raw', join(dir, 'p.hex'), '--mem', join(dir, 'm.bin')])).out).toBe('0x6\n');
  });
  it('a fault prints the reason on stderr and exits 1', async () => {
    const r = await cli(['run-raw', LOAD_MEM]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/pc 0 \(opcode 0x61\): read of 4 bytes at 0x0: not in any region/);
  });
  it('--max-insns bounds the run', async () => {
    const r = await cli(['run-raw', '05 00 ff ff 00 00 00 00 95 00 00 00 00 00 00 00', '--max-insns', '50']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/instruction budget of 50 exhausted/);
  });
  it('--trace prints each instruction to stderr', async () => {
    const r = await cli(['run-raw', MOV42_EXIT, '--trace']);
    expect(r.code).toBe(0);
    expect(r.err.trim().split('\n')).toHaveLength(2);
    expect(r.err).toMatch(/0: \(b7\) r0 = 42/);
  });
  it('bad input exits 2', async () => {
    expect((await cli(['run-raw', 'b7 00 00'])).code).toBe(2);
    expect((await cli(['run-raw', 'zz'])).code).toBe(2);
    expect((await cli(['run-raw', '/nonexistent/x.bin'])).code).toBe(2);
    expect((await cli(['run-raw', '8f 00 00 00 00 00 00 00 95 00 00 00 00 00 00 00'])).code).toBe(2); // DecodeError
  });
  it('parseHexBytes accepts spaced bytes, 0x prefixes, one long run, comments', () => {
    expect(Array.from(parseHexBytes('0x01 02\n ff # c\n', 'x'))).toEqual([1, 2, 255]);
    expect(Array.from(parseHexBytes('0102ff', 'x'))).toEqual([1, 2, 255]);
  });
  it('one run of an odd number of hex digits is refused, not read with a one-digit last byte', async () => {
    expect(() => parseHexBytes('0102f', 'x')).toThrow(/^x: a run of 5 hex digits is not whole bytes \(an odd count\)$/);
    // 16 bytes of lddw, then 15 digits: the last was taken as byte 0x0 and the program ran
    const r = await cli(['run-raw', '18010000010000000000000000000000950000000000000']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/program: a run of 47 hex digits is not whole bytes/);
  });
});
