// The new map types driven by clang-built programs (x_lpm.c, x_mapinmap.c, x_ringbuf_leak.c), with
// what user space sees afterwards. The kernel's results for the first two are in
// test/fixtures/kernel/x_lpm.json and x_mapinmap.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RingbufMap } from '../../maps/ringbuf.js';
import { consumeRingbuf } from '../../src/ringbuf-consumer.js';
import { ROOT, ipv4Udp } from '../run/helpers.js';
import { xprog } from '../helpers/x-common.js';
import { keysOf, readU32, readU64, u32 } from './util.js';

describe('programs on the new map types', () => {
  it('x_lpm: longest-prefix lookups, errno, a full trie, and the keys left behind', () => {
    const { run, res, obj } = xprog('x_lpm.o');
    expect(run('x_lpm', { data: ipv4Udp() }).retval).toBe(22);
    expect(res(22)).toEqual([0, 0, 0, 0, 3, 2, 1, 0xffffffff, 2, -17, -2, -22, -22, 0, -28, 0, 9, 0, 7, -2, -22, 0]);
    const trie = obj.map('trie');
    // post-order; the /24 keeps the host byte it was stored with. bpftool dumped the kernel's trie
    // in this same order (get_next_key) when x_lpm.json was recorded.
    const order = keysOf(obj.maps.get('trie')!.map).map((k) => Buffer.from(k).toString('hex'));
    const kernel = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/kernel/x_lpm.json'), 'utf8')).maps.trie.entries.map((e: { key: string }) => e.key);
    expect(order).toEqual(kernel);
    expect(order).toEqual([
      '180000000a010163',
      '0c0000000a100000',
      '080000000a000000',
      '10000000c0a80000',
      '0000000000000000',
    ]);
    expect(readU32(trie.lookup(Uint8Array.of(32, 0, 0, 0, 10, 1, 1, 200)))).toBe(3);
  });
  it('x_mapinmap: programs reach inner maps through array_of_maps and hash_of_maps', () => {
    const { run, res, obj } = xprog('x_mapinmap.o');
    run('x_mapinmap', { data: ipv4Udp() });
    expect(res(5)).toEqual([1, 0, 0, 33, 0]);
    expect(readU64(obj.map('in_a').lookup(u32(1)))).toBe(5n);
    expect(readU64(obj.map('in_b').lookup(u32(0)))).toBe(33n);
    // user space reads the outer maps as inner map ids
    expect(readU32(obj.map('outer').lookup(u32(2)))).toBe(obj.maps.get('in_b')!.id);
  });
  it('x_ringbuf_leak: an unsubmitted reservation stays BUSY and blocks the consumer', () => {
    const { run, obj } = xprog('x_ringbuf_leak.o');
    expect(run('x_ringbuf_leak').retval).toBe(1);
    const rb = obj.maps.get('leak_rb')!.map as RingbufMap;
    expect(rb.pendingReservations).toBe(1);
    expect(consumeRingbuf(rb, () => 0)).toBe(0);
  });
  it('packet growth accumulates over repeated runs on the same packet', () => {
    const { run } = xprog('x_packet.o');
    const pkt = ipv4Udp();
    const r = run('x_change_head', { data: pkt, repeat: 3 });
    expect(r.dataOut!.length).toBe(pkt.length + 3 * 14);
    expect(r.dataOut!.subarray(42)).toEqual(pkt);
  });
});
