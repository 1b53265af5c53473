// Ring buffer layout (headers, BUSY/DISCARD bits, page offsets, 8-byte records, never quite full),
// wrap-around, and the user-space consumer.
import { describe, expect, it } from 'vitest';
import { BPF_RINGBUF_BUSY_BIT, BPF_RINGBUF_DISCARD_BIT, RingbufMap, RingbufQuery, createRingbufMap } from '../../maps/ringbuf.js';
import { MapType } from '../../maps/types.js';
import { RingbufConsumer, consumeRingbuf } from '../../src/ringbuf-consumer.js';
import { newArena, spec } from './util.js';

const mk = (size = 4096) => {
  const arena = newArena();
  return { arena, rb: createRingbufMap(spec(MapType.RINGBUF, { keySize: 0, valueSize: 0, maxEntries: size }), { arena, ncpus: 1 }) as RingbufMap };
};

describe('ringbuf map', () => {
  it('needs a power-of-two, page-aligned size and no key or value', () => {
    expect(() => mk(4096 + 8)).toThrow(/power of 2/);
    expect(() => mk(2048)).toThrow(/page size/);
    const arena = newArena();
    expect(() => createRingbufMap(spec(MapType.RINGBUF, { keySize: 4, valueSize: 0, maxEntries: 4096 }), { arena, ncpus: 1 })).toThrow(/key_size 0/);
  });
  it('lays records out as the kernel: BUSY while reserved, length and page offset in the header', () => {
    const { rb, arena } = mk();
    const a = rb.reserve(5);
    expect(rb.header(0)).toEqual({ len: 5, busy: true, discarded: false, pgOff: 3 }); // data area starts 3 pages into struct bpf_ringbuf
    // the program sees a write-protected copy of the header just before its sample
    expect(arena.dv.getUint32(a - 8, true)).toBe((5 | BPF_RINGBUF_BUSY_BIT) >>> 0);
    expect(arena.dv.getUint32(a - 4, true)).toBe(3);
    expect(arena.canAccess(a - 8, 8, false)).toBe(true);
    expect(arena.canAccess(a - 8, 1, true)).toBe(false);
    expect(arena.canAccess(a, 5, true)).toBe(true);
    expect(arena.canAccess(a + 5, 1, true)).toBe(false); // exactly the reserved size
    expect(rb.query(RingbufQuery.PROD_POS)).toBe(16n); // 8 + 5 rounded up to 8
    arena.write(a, Uint8Array.of(1, 2, 3, 4, 5));
    expect(rb.commit(a, false, 0)).toBe(true);
    expect(arena.canAccess(a, 1, false)).toBe(false); // the reservation is gone after submit
    expect(rb.header(0)).toEqual({ len: 5, busy: false, discarded: false, pgOff: 3 });
    expect([...rb.readData(8, 5)]).toEqual([1, 2, 3, 4, 5]);
    const b = rb.reserve(1);
    rb.commit(b, true, 0);
    expect(rb.readU32(16)).toBe((1 | BPF_RINGBUF_DISCARD_BIT) >>> 0);
    expect(rb.header(16)).toMatchObject({ len: 1, discarded: true });
    expect(rb.commit(b, false, 0)).toBe(false); // no longer reserved
  });
  it('pages of a large ring: the header page offset follows the data offset', () => {
    const { rb } = mk(16384);
    for (let i = 0; i < 3; i++) rb.commit(rb.reserve(4088), false, 0);
    expect([0, 4096, 8192].map((p) => rb.header(p).pgOff)).toEqual([3, 4, 5]);
  });
  it('the consumer cannot move consumer_pos past producer_pos', () => {
    const { rb } = mk();
    rb.commit(rb.reserve(8), false, 0);
    expect(() => rb.advanceConsumer(32)).toThrow(/consumer position 32 outside \[0, 16\]/);
    expect(() => rb.advanceConsumer(-8)).toThrow(/outside/);
    rb.advanceConsumer(16);
    expect(rb.query(RingbufQuery.AVAIL_DATA)).toBe(0n);
  });
  it('never lets the producer get size bytes ahead of the consumer', () => {
    const { rb } = mk();
    let n = 0;
    while (rb.reserve(8) !== 0) n++;
    expect(n).toBe(255); // 256 * 16 = 4096 > 4095
    expect(rb.pendingReservations).toBe(255);
  });
  it('a BUSY record holds back the consumer until it is submitted', () => {
    const { rb, arena } = mk();
    const a = rb.reserve(4);
    const b = rb.reserve(4);
    arena.write(b, Uint8Array.of(9, 9, 9, 9));
    rb.commit(b, false, 0);
    const seen: number[][] = [];
    expect(consumeRingbuf(rb, (d) => void seen.push([...d]))).toBe(0);
    arena.write(a, Uint8Array.of(1, 1, 1, 1));
    rb.commit(a, false, 0);
    expect(consumeRingbuf(rb, (d) => void seen.push([...d]))).toBe(2);
    expect(seen).toEqual([[1, 1, 1, 1], [9, 9, 9, 9]]);
    expect(rb.query(RingbufQuery.AVAIL_DATA)).toBe(0n);
  });
  it('wraps: a record across the end reads back whole and the room is reused', () => {
    const { rb, arena } = mk();
    const c = new RingbufConsumer(rb);
    const got: Uint8Array[] = [];
    for (let round = 0; round < 5; round++) {
      const p = rb.reserve(1000);
      expect(p).not.toBe(0);
      arena.write(p, new Uint8Array(1000).fill(round + 1));
      rb.commit(p, false, 0);
      c.consume((d) => void got.push(d));
    }
    expect(got.map((d) => d.length)).toEqual([1000, 1000, 1000, 1000, 1000]);
    got.forEach((d, i) => expect(d.every((x) => x === i + 1)).toBe(true));
    expect(rb.query(RingbufQuery.CONS_POS)).toBe(5n * 1008n);
  });
  it('a callback returning a negative number stops consumption', () => {
    const { rb } = mk();
    for (let i = 0; i < 3; i++) rb.commit(rb.reserve(8), false, 0);
    expect(consumeRingbuf(rb, () => -7)).toBe(-7);
    expect(consumeRingbuf(rb, () => 0)).toBe(2);
  });
});
