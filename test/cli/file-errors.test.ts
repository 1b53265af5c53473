// Every file argument of the CLI, read or written, that names a directory or a path that cannot
// be made: exit 2 with a message naming the flag (or argument) and the path, never an internal
// error (exit 70 with a stack trace), which each of these was before.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './capture.js';
import { readBytes } from '../../src/node.js';
import { ROOT, ipv4Udp } from '../run/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ebpfvm-files-'));
const missingDir = join(dir, 'no-such-dir', 'x');
const pkt = join(dir, 'pkt.bin');
writeFileSync(pkt, ipv4Udp());
const asmSrc = join(dir, 'p.s');
writeFileSync(asmSrc, 'r0 = 0\nexit\n');

const refused = (r: { code: number; err: string }, pattern: RegExp): void => {
  expect(r.err).not.toMatch(/internal error|\n\s+at /);
  expect(r.err).toMatch(pattern);
  expect(r.code).toBe(2);
};

describe('CLI file arguments that cannot be read or written', () => {
  it('run-raw: a directory as the program or --mem', async () => {
    refused(await cli('run-raw', dir), new RegExp(`cannot read ${dir}: EISDIR`));
    refused(await cli('run-raw', 'b7 00 00 00 00 00 00 00 95 00 00 00 00 00 00 00', '--mem', dir), new RegExp(`cannot read ${dir}: EISDIR`));
  });

  it('disasm: a directory', async () => {
    refused(await cli('disasm', dir), new RegExp(`cannot read ${dir}: EISDIR`));
  });

  it('asm -o: a directory, a missing directory', async () => {
    refused(await cli('asm', asmSrc, '-o', dir), new RegExp(`-o: cannot write ${dir}: EISDIR`));
    refused(await cli('asm', asmSrc, '-o', missingDir), /-o: cannot write .*no-such-dir\/x: ENOENT/);
  });

  it('run --data-out / --ctx-out: a missing directory, a directory', async () => {
    const prog = join(ROOT, 'test/progs/run_sock.o');
    refused(await cli('run', prog, '--prog', 'sock_fields', '--data', pkt, '--data-out', missingDir), /--data-out: cannot write .*no-such-dir\/x: ENOENT/);
    refused(await cli('run', prog, '--prog', 'sock_fields', '--data', pkt, '--data-out', dir), new RegExp(`--data-out: cannot write ${dir}: EISDIR`));
  });

  it('a deeply nested JSON document as --args or --ctx: exit 2 naming the element, not a stack overflow (exit 70)', async () => {
    const deep = join(dir, 'deep.json');
    writeFileSync(deep, '['.repeat(200_000) + ']'.repeat(200_000));
    const prog = join(ROOT, 'test/progs/run_sock.o');
    refused(await cli('run', prog, '--prog', 'sock_fields', '--data', pkt, '--args', deep), /--args\[0\]: an array of 1 is not an integer/);
    refused(await cli('run', prog, '--prog', 'sock_fields', '--data', pkt, '--ctx', deep), /--ctx\[0\]: an array of 1 is not an integer/);
  });

  it.skipIf(!existsSync('/dev/zero'))('a file that never ends (/dev/zero, a FIFO) is refused at the input limit instead of read until the heap runs out', async () => {
    expect(() => readBytes('/dev/zero', 1 << 20)).toThrow(/^cannot read \/dev\/zero: it holds more than 1048576 bytes$/);
    expect(readBytes(pkt, 1 << 20)).toEqual(new Uint8Array(ipv4Udp()));
    const prog = join(ROOT, 'test/progs/run_sock.o');
    refused(await cli('run', prog, '--prog', 'sock_fields', '--data', '/dev/zero'), /cannot read \/dev\/zero: it holds more than 268435456 bytes/);
    refused(await cli('run', prog, '--prog', 'sock_fields', '--data', pkt, '--args', '/dev/zero'), /--args: cannot read \/dev\/zero: it holds more than/);
  }, 60_000);
});
