// Ring buffer helpers from a clang-built program (x_ringbuf.c; kernel results in
// test/fixtures/kernel/x_ringbuf.json): records in the run's output, the consumer API on the same
// ring, and `ebpfvm run` printing them (text and JSON).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cli } from '../cli/capture.js';
import { RingbufConsumer } from '../../src/ringbuf-consumer.js';
import { ROOT } from '../run/helpers.js';
import { xprog } from './x-common.js';


describe('ringbuf helpers (x_ringbuf.c)', () => {
  it('return codes: query, output, reserve/submit/discard, -EAGAIN and NULL when full', () => {
    const { run, res } = xprog('x_ringbuf.o');
    const r = run('x_ringbuf');
    expect(r.retval).toBe(14);
    expect(res(14)).toEqual([4096, 0, 1, 1, 56, 56, 0, 0, -22, 0, -11, 4, 0, 4088]);
    expect(r.output.ringbuf.map((e) => e.data.length)).toEqual([8, 12, 1000, 1000, 1000, 1000]);
    expect([...r.output.ringbuf[1]!.data]).toEqual([0xaa, 0xaa, 0, 0, 0xbb, 0xbb, 0, 0, 0xcc, 0xcc, 0, 0]);
  });
  it('the consumer reads the same records from the ring, skipping the discarded one', () => {
    const { run, obj } = xprog('x_ringbuf.o');
    run('x_ringbuf');
    const seen: { len: number; discarded: boolean; first: number }[] = [];
    const c = new RingbufConsumer(obj.map('rb'), (d, rec) => void seen.push({ len: rec.len, discarded: rec.discarded, first: d[0]! }));
    expect(c.consume()).toBe(6);
    expect(seen.map((s) => s.len)).toEqual([8, 12, 1000, 1000, 1000, 1000]);
    expect(seen.slice(2).map((s) => s.first)).toEqual([0, 1, 2, 3]);
    expect(c.available()).toEqual([0]);
    // the room is back: the program's first output fits again
    expect(run('x_ringbuf').output.ringbuf.length).toBeGreaterThan(2);
  });
  it('ebpfvm run prints ring buffer records (text and JSON)', async () => {
    const obj = join(ROOT, 'test/progs/x_ringbuf.o');
    const text = await cli('run', obj, '--prog', 'x_ringbuf');
    expect(text.code).toBe(0);
    expect(text.out).toContain('ringbuf rb: 8 bytes\n0000000\t8877 6655 4433 2211');
    expect(text.out.match(/ringbuf rb: 1000 bytes/g)).toHaveLength(4);
    const json = await cli('run', obj, '--prog', 'x_ringbuf', '--json');
    const doc = JSON.parse(json.out);
    expect(doc.ringbuf[0]).toEqual({ map: 'rb', data: '8877665544332211' });
    expect(doc.ringbuf).toHaveLength(6);
  });
  it('ebpfvm run refuses a leaked reservation as the kernel does; unverified, it notes the reservation never submitted', async () => {
    const v = await cli('run', join(ROOT, 'test/progs/x_ringbuf_leak.o'));
    expect(v.code).toBe(1);
    expect(v.err).toContain('Unreleased reference id=2 alloc_insn=4\nBPF_EXIT instruction in main prog would lead to reference leak\n');
    const r = await cli('run', join(ROOT, 'test/progs/x_ringbuf_leak.o'), '--no-verify');
    expect(r.code).toBe(0);
    expect(r.err).toContain('ring buffer leak_rb has 1 reserved record(s) never submitted or discarded');
  });
});
