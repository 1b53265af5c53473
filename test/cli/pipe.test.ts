// Issue 11 item 5: output written to a pipe must reach the reader in full. Node hands what does
// not fit the pipe (64 KiB) to libuv to write later, so exiting straight after the last write cut
// `ebpfvm disasm big.o | wc -c` at a multiple of 64 KiB. The reader here waits before reading, so
// the pipe is full when the CLI finishes; the built CLI (dist/, made by `npm test`'s tsc) runs as a
// real process.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/src/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'ebpfvm-pipe-'));

/** Raw bytecode: n `r0 = i` instructions and an exit (disassembles to ~22 bytes per instruction). */
function bigProgram(n: number): string {
  const b = Buffer.alloc((n + 1) * 8);
  for (let i = 0; i < n; i++) {
    b[i * 8] = 0xb7;
    b.writeInt32LE(i, i * 8 + 4);
  }
  b[n * 8] = 0x95;
  const p = join(dir, `big${n}.bin`);
  writeFileSync(p, b);
  return p;
}

/** Bytes that arrive through `cmd | (sleep; wc -c)`, and the CLI's exit code. */
function throughSlowPipe(args: string[]): { bytes: number; code: number } {
  const quoted = args.map((a) => `'${a}'`).join(' ');
  const out = execFileSync('bash', ['-c', `'${process.execPath}' '${CLI}' ${quoted} | (sleep 0.3; wc -c); echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
  const [bytes, code] = out.trim().split(/\s+/).map(Number);
  return { bytes: bytes!, code: code! };
}

describe('CLI output through a pipe', () => {
  it('disasm of a 20000-instruction program writes everything it writes into a file', () => {
    const prog = bigProgram(20000);
    const file = join(dir, 'disasm.txt');
    execFileSync('bash', ['-c', `'${process.execPath}' '${CLI}' disasm '${prog}' > '${file}'`]);
    const full = statSync(file).size;
    expect(full).toBeGreaterThan(4 * 65536);
    expect(throughSlowPipe(['disasm', prog])).toEqual({ bytes: full, code: 0 });
  });

  it('a reader that stops early (| head) ends the CLI normally', () => {
    const prog = bigProgram(20000);
    const out = execFileSync('bash', ['-c', `'${process.execPath}' '${CLI}' disasm '${prog}' | head -c 100 >/dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    expect(out.trim()).toBe('0');
  });
});

describe.skipIf(!existsSync('/dev/full'))('CLI output that cannot be written', () => {
  it('stdout on a full device (ENOSPC): the CLI says so on stderr and exits 2, not 0 with the output lost', () => {
    const obj = join(ROOT, 'test/progs/smoke_array.o');
    const r = spawnSync('bash', ['-c', `'${process.execPath}' '${CLI}' inspect '${obj}' --json > /dev/full`], { encoding: 'utf8' });
    expect(r.stderr).toBe('ebpfvm: cannot write standard output: ENOSPC\n');
    expect(r.status).toBe(2);
    // a command that failed keeps its own code
    const bad = spawnSync('bash', ['-c', `'${process.execPath}' '${CLI}' verify '${join(ROOT, 'test/progs/bench_rbtree.o')}' > /dev/full`], { encoding: 'utf8' });
    expect(bad.stderr).toMatch(/cannot write standard output: ENOSPC/);
    expect(bad.status).toBe(1); // (rejected programs: exit 1)
    // stdout to a reader that left is still a success (| head, above)
  });
});
