// perf_event_output from tc (x_perf.c; kernel results in test/fixtures/kernel/x_perf.json, where
// no perf event is open). With the slots open, as `ebpfvm run` and libbpf's perf_buffer do,
// samples arrive with the CPU, and BPF_F_CTX_LEN_MASK appends packet bytes.
import { describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { PerfEventArrayMap } from '../../maps/perf-event-array.js';
import { main } from '../../src/cli/main.js';
import { ROOT, ipv4Udp } from '../run/helpers.js';
import { xprog } from './x-common.js';

describe('perf_event_output (x_perf.c)', () => {
  it('no event open: -ENOENT, like the kernel test run', () => {
    const { run, res } = xprog('x_perf.o');
    expect(run('x_perf', { data: ipv4Udp() }).retval).toBe(5);
    expect(res(5)).toEqual([-2, -7, -22, -2, -14]);
  });
  it('open events receive the sample, plus packet bytes when asked', () => {
    const { run, res, obj } = xprog('x_perf.o', { ncpus: 2, cpu: 1 });
    const m = obj.maps.get('events')!.map as PerfEventArrayMap;
    const seen: number[] = [];
    m.onEvent = (s) => void seen.push(s.cpu);
    m.openAll(2);
    const pkt = ipv4Udp();
    const r = run('x_perf', { data: pkt, cpu: 1 });
    expect(res(5)).toEqual([0, -7, -22, 0, -14]);
    expect(r.output.perf.map((e) => [e.cpu, e.data.length])).toEqual([[1, 8], [1, 4 + 14]]);
    expect([...r.output.perf[1]!.data.subarray(4)]).toEqual([...pkt.subarray(0, 14)]);
    expect(seen).toEqual([1, 1]);
  });
  it('ebpfvm run shows perf events (text and JSON)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ebpfvm-perf-'));
    const pkt = join(dir, 'pkt.bin');
    writeFileSync(pkt, ipv4Udp());
    let out = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
    try {
      expect(await main(['run', join(ROOT, 'test/progs/x_perf.o'), '--data', pkt])).toBe(0);
      expect(out).toContain('perf events cpu 0: 8 bytes\n0000000\t0807 0605 0403 0201');
      out = '';
      expect(await main(['run', join(ROOT, 'test/progs/x_perf.o'), '--data', pkt, '--json'])).toBe(0);
    } finally {
      o.mockRestore();
    }
    expect(JSON.parse(out).perf[0]).toEqual({ map: 'events', cpu: 0, data: '0807060504030201' });
  });
});

describe('perf_event_read / perf_event_read_value (h_perf_read.c; empty slots against the host in kernel-progs-local)', () => {
  const args = { args: new Array(12).fill(0n) };
  it('an open event reads on its own CPU as a zero count (buffer zeroed), on another CPU -EINVAL', () => {
    const { run, obj } = xprog('helpers/h_perf_read.o', { ncpus: 2, cpu: 1 });
    (obj.maps.get('events')!.map as PerfEventArrayMap).openAll(2);
    // slot 0 is CPU 0's event, read from CPU 1; BPF_F_CURRENT_CPU picks CPU 1's own
    expect(run('read_empty', { ...args, cpu: 1 }).retval).toBe(2 ** 32 - 22);
    expect(run('read_current_cpu', { ...args, cpu: 1 }).retval).toBe(0);
    expect(run('value_empty', { ...args, cpu: 1 }).retval).toBe(0);
    expect(run('value_zeroed', { ...args, cpu: 1 }).retval).toBe(0);
    // the slot checks still come first
    expect(run('read_beyond', { ...args, cpu: 1 }).retval).toBe(2 ** 32 - 7);
    expect(run('value_bad_size', { ...args, cpu: 1 }).retval).toBe(2 ** 32 - 22);
  });
});
