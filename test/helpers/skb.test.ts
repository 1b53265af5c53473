// skb_load_bytes, skb_load_bytes_relative (against a packet laid out as vm/test-run.ts does) and
// csum_diff.
import { describe, expect, it } from 'vitest';
import { csumDiff, csumPartial } from '../../helpers/skb.js';
import { Errno } from '../../maps/types.js';
import { MemFlag } from '../../vm/memory.js';
import { FakeWorld } from './fake-call.js';

/** A 14-byte Ethernet header + 20-byte payload in a packet region; __sk_buff data/data_end at 76/80. */
function skb(w: FakeWorld, l2: boolean) {
  const frame = Uint8Array.from({ length: 34 }, (_, i) => i);
  const pkt = w.arena.allocRegion(frame.length, MemFlag.READ | MemFlag.WRITE, 'packet', 'pkt');
  w.arena.write(pkt, frame);
  const ctx = w.arena.allocRegion(192, MemFlag.READ, 'ctx', '__sk_buff');
  w.arena.dv.setUint32(ctx + 76, l2 ? pkt : pkt + 14, true);
  w.arena.dv.setUint32(ctx + 80, pkt + frame.length, true);
  return ctx;
}

describe('skb_load_bytes', () => {
  it('reads from skb->data (L2 for tc, L3 for socket filters)', () => {
    const w = new FakeWorld();
    const buf = w.mem(new Array(4).fill(0));
    expect(w.invoke('skb_load_bytes', skb(w, true), 12, buf, 4)).toBe(0n);
    expect(Array.from(w.arena.read(buf, 4))).toEqual([12, 13, 14, 15]);
    expect(w.invoke('skb_load_bytes', skb(w, false), 0, buf, 4)).toBe(0n);
    expect(Array.from(w.arena.read(buf, 4))).toEqual([14, 15, 16, 17]);
  });
  it('a range past the end is -EFAULT and zeroes the buffer', () => {
    const w = new FakeWorld();
    const buf = w.mem(new Array(4).fill(0xee));
    expect(w.invoke('skb_load_bytes', skb(w, false), 17, buf, 4)).toBe(BigInt(-Errno.EFAULT));
    expect(Array.from(w.arena.read(buf, 4))).toEqual([0, 0, 0, 0]);
    expect(w.invoke('skb_load_bytes', skb(w, false), 16, buf, 4)).toBe(0n);
    expect(w.invoke('skb_load_bytes', skb(w, true), 0x80000000, buf, 4)).toBe(BigInt(-Errno.EFAULT));
  });
});

describe('skb_load_bytes_relative', () => {
  it('MAC and network header bases, for L2 and L3 programs alike', () => {
    for (const l2 of [true, false]) {
      const w = new FakeWorld();
      const ctx = skb(w, l2);
      const buf = w.mem(new Array(2).fill(0));
      expect(w.invoke('skb_load_bytes_relative', ctx, 12, buf, 2, 0)).toBe(0n);
      expect(Array.from(w.arena.read(buf, 2))).toEqual([12, 13]);
      expect(w.invoke('skb_load_bytes_relative', ctx, 0, buf, 2, 1)).toBe(0n);
      expect(Array.from(w.arena.read(buf, 2))).toEqual([14, 15]);
      expect(w.invoke('skb_load_bytes_relative', ctx, 19, buf, 2, 1)).toBe(BigInt(-Errno.EFAULT));
      expect(w.invoke('skb_load_bytes_relative', ctx, 0, buf, 2, 2)).toBe(BigInt(-Errno.EFAULT));
      expect(w.invoke('skb_load_bytes_relative', ctx, 0x10000, buf, 2, 0)).toBe(BigInt(-Errno.EFAULT));
    }
  });
});

describe('csum_diff', () => {
  const le = (...words: number[]) => {
    const b = new Uint8Array(words.length * 4);
    words.forEach((x, i) => new DataView(b.buffer).setUint32(i * 4, x >>> 0, true));
    return b;
  };
  it('csum_partial folds with end-around carry and zero-pads a partial word', () => {
    expect(csumPartial(le(0xffffffff, 1), 0)).toBe(1);
    expect(csumPartial(le(1, 2, 3), 4)).toBe(10);
    expect(csumPartial(Uint8Array.from([1, 2, 3, 4, 5, 6]), 0)).toBe(0x04030201 + 0x0605);
  });
  it('results are folded to 16 bits (values recorded on Linux 6.18, test/progs/h_skb.c)', () => {
    const from = le(0x11223344, 0x55667788);
    const to = le(0x11223344, 0x99aabbcc);
    expect(csumDiff(from, to, 0)).toBe(0x8888);
    expect(csumDiff(new Uint8Array(0), to, 0x1234)).toBe(0xac11);
    expect(csumDiff(from, new Uint8Array(0), 0x1234)).toBe(0xdf);
    expect(csumDiff(from.subarray(0, 4), to.subarray(0, 4), 0)).toBe(0xffff);
    expect(csumDiff(from.subarray(0, 6), to.subarray(0, 4), 0)).toBe(0x8877);
    expect(csumDiff(from, to, 0xffffffff)).toBe(0x8888);
    expect(csumDiff(new Uint8Array(0), new Uint8Array(0), 0x12345678)).toBe(0x68ac);
  });
  it('through the helper', () => {
    const w = new FakeWorld();
    const a = w.mem(le(1, 2));
    const b = w.mem(le(3, 4));
    expect(w.invoke('csum_diff', 0, 0, b, 8, 0)).toBe(7n);
    expect(w.invoke('csum_diff', a, 8, b, 8, 0)).toBe(BigInt(csumDiff(le(1, 2), le(3, 4), 0)));
    expect(w.invoke('csum_diff', a, 6, b, 8, 0)).toBe(BigInt(csumDiff(le(1, 2).subarray(0, 6), le(3, 4), 0)));
  });
});
