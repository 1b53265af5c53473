// `ebpfvm run` prints what `bpftool prog run` prints: the same programs and inputs through both,
// compared line by line (durations aside). Live only (`npm run test:kernel`).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ROOT, readCases } from '../agreement/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'ebpfvm-bpftool-'));
// The recorder's availability probe, recording nothing.
const probe = spawnSync('node', [join(ROOT, 'scripts/record-kernel.mjs'), '--require', '--out', dir, '__no_such_case__'], { encoding: 'utf8' });
const skipped = probe.status === 3 ? probe.stdout.trim() : undefined;
const pin = `/sys/fs/bpf/ebpfvm-bpftool-${process.pid}`;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(pin, { recursive: true, force: true });
});

const { packets } = readCases();
const file = (name: string, hex: string): string => {
  const p = join(dir, name);
  writeFileSync(p, Buffer.from(hex, 'hex'));
  return p;
};
const normalize = (s: string): string => s.replace(/duration( \(average\))?: \d+ns/, 'duration$1: Nns');

async function ours(args: string[]): Promise<string> {
  let out = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  try {
    expect(await main(args)).toBe(0);
  } finally {
    o.mockRestore();
  }
  return out;
}

describe.skipIf(skipped !== undefined)(`ebpfvm run vs bpftool prog run${skipped ? ` (${skipped})` : ''}`, () => {
  const cases: { name: string; object: string; prog: string; data: string; ctx?: string; repeat?: number }[] = [
    { name: 'tc with ctx_in and repeat', object: 'run_tc.o', prog: 'tc_fields', data: packets.ipv4_udp!, ctx: '00'.repeat(8) + '0a000000', repeat: 3 },
    { name: 'socket filter (zeroed Ethernet header)', object: 'run_sock.o', prog: 'sock_fields', data: packets.arp! },
    { name: 'xdp packet rewrite', object: 'run_xdp.o', prog: 'xdp_swap', data: packets.ipv4_udp!, repeat: 2 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const obj = join(ROOT, 'test/progs', c.object);
      const dataIn = file(`${c.prog}.data`, c.data);
      const ctxIn = c.ctx ? file(`${c.prog}.ctx`, c.ctx) : undefined;
      const at = join(pin, c.prog);
      mkdirSync(pin, { recursive: true });
      execFileSync('bpftool', ['prog', 'loadall', obj, at]);
      const kernel = execFileSync(
        'bpftool',
        ['prog', 'run', 'pinned', join(at, c.prog), 'data_in', dataIn, 'data_out', '-', ...(ctxIn ? ['ctx_in', ctxIn, 'ctx_out', '-'] : []), ...(c.repeat ? ['repeat', String(c.repeat)] : [])],
        { encoding: 'utf8' },
      );
      const vm = await ours(['run', obj, '--prog', c.prog, '--data', dataIn, ...(ctxIn ? ['--ctx', ctxIn] : []), ...(c.repeat ? ['--repeat', String(c.repeat)] : [])]);
      expect(normalize(vm)).toBe(normalize(kernel));
    });
  }
});
