// Packet rewriting helpers from clang-built programs (x_packet.c; the kernel's data_out and
// return codes are in test/fixtures/kernel/x_*.json). Here: the checksums the csum helpers leave
// are valid checksums of the rewritten packet, and the moved bounds show in data_out and skb->len.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csumReplace2, csumReplace4, csumReplaceByDiff } from '../../helpers/packet.js';
import { ROOT, ipv4Udp } from '../run/helpers.js';
import { xprog } from './x-common.js';

const packets = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/kernel/cases.json'), 'utf8')).packets as Record<string, string>;
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

/** RFC 1071 checksum over 16-bit big-endian words; 0 means the data (with its checksum) is valid. */
function check(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

describe('checksum arithmetic', () => {
  it('replace2/replace4/by_diff agree with recomputing from scratch', () => {
    // an IPv4 header, its checksum in LE-loaded form, then one field changed
    const h = hex('450000320001000040110000' + '0a000001' + '0a000002');
    const sum0 = check(h);
    h[10] = sum0 >> 8;
    h[11] = sum0 & 0xff;
    const le16 = (o: number) => h[o]! | (h[o + 1]! << 8);
    const le32 = (o: number) => (h[o]! | (h[o + 1]! << 8) | (h[o + 2]! << 16) | (h[o + 3]! << 24)) >>> 0;
    const oldDst = le32(16);
    h.set([192, 168, 1, 7], 16);
    const s4 = csumReplace4(le16(10), oldDst, le32(16));
    h[10] = s4 & 0xff;
    h[11] = s4 >> 8;
    expect(check(h)).toBe(0);
    const oldTtl = le16(8);
    h[8] = 63;
    const s2 = csumReplace2(le16(10), oldTtl, le16(8));
    h[10] = s2 & 0xff;
    h[11] = s2 >> 8;
    expect(check(h)).toBe(0);
    // by_diff with csum_diff's value for the same change is replace4
    const from = 0x0a000002;
    const to = 0x0701a8c0;
    const diff = (((~from >>> 0) + to) % 0xffffffff) >>> 0;
    expect(csumReplaceByDiff(0x1234, diff)).toBe(csumReplace4(0x1234, from, to));
  });
});

describe('packet helpers (x_packet.c)', () => {
  it('store_bytes + l3/l4_csum_replace keep the IPv4 and UDP checksums valid', () => {
    const { run, res } = xprog('x_packet.o');
    const pkt = hex(packets['ipv4_csum']!);
    expect(check(pkt.subarray(14, 34))).toBe(0);
    const r = run('x_store_csum', { data: pkt });
    expect(res(14)).toEqual([0, 0, 0, 0, 0, 0, -14, -22, -22, 0, -14, -22, 0, -12]);
    const out = r.dataOut!;
    expect([...out.subarray(30, 34)]).toEqual([192, 168, 1, 7]);
    expect(out[22]).toBe(63); // TTL
    expect(check(out.subarray(14, 34))).toBe(0);
    // UDP over the pseudo header: valid for the new destination. The program's by-diff replace
    // used payload bytes 48..49 as a pretend checksum field, so put the original bytes back.
    const seg = out.slice(34);
    seg.set(pkt.subarray(48, 50), 14);
    // The MARK_MANGLED_0 call then replaced a pretend 16-bit field 0 -> 0x1234 (LE), so the sum
    // balances with that word (bytes 34 12) added.
    const pseudo = Uint8Array.of(...out.subarray(26, 34), 0, 17, 0, seg.length);
    expect(check(Uint8Array.of(...pseudo, ...seg, 0x34, 0x12))).toBe(0);
  });
  it('change_tail grows with zeros and trims; skb->len follows', () => {
    const { run, res } = xprog('x_packet.o');
    const pkt = ipv4Udp();
    const r = run('x_change_tail', { data: pkt });
    expect(r.retval).toBe(pkt.length + 6);
    expect(res(8)).toEqual([0, pkt.length + 6, 0, -22, -22, -22, 0, 0]);
    expect([...r.dataOut!.subarray(pkt.length)]).toEqual([0, 0, 0, 0, 0xee, 0xff]);
    expect(r.dataOut!.subarray(0, pkt.length)).toEqual(pkt);
  });
  it('change_head prepends zeros and resets the MAC header to the new start', () => {
    const { run, res } = xprog('x_packet.o');
    const pkt = ipv4Udp();
    const r = run('x_change_head', { data: pkt });
    expect(res(5)).toEqual([0, pkt.length + 14, 0, -22, -22]);
    expect([...r.dataOut!.subarray(0, 14)]).toEqual([0xaa, 0xbb, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(r.dataOut!.subarray(14)).toEqual(pkt);
  });
  it('adjust_room inserts and removes room after the MAC or network header', () => {
    const { run, res } = xprog('x_packet.o');
    const pkt = ipv4Udp();
    const r = run('x_adjust_room', { data: pkt });
    expect(res(12)).toEqual([0, pkt.length + 8, 0, 0, 0, -14, -524, -524, pkt.length, 0, 0, -22]);
    expect(r.dataOut).toEqual(pkt);
  });
  it('xdp_adjust_head/meta/tail move data, data_meta and data_end inside the frame', () => {
    const { run, res } = xprog('x_packet.o');
    const pkt = ipv4Udp();
    const head = run('x_xdp_head', { data: pkt });
    expect(res(11)).toEqual([-22, 0, pkt.length + 216, 0, -22, 0, 0, -13, 0, 0, 24]);
    expect(head.dataOut!.length).toBe(24 + 8 + pkt.length - 4); // metadata, 8 bytes of head, packet minus 4
    const tail = run('x_xdp_tail', { data: pkt });
    expect(res(7)).toEqual([-22, 0, 3776 - 256, 0, pkt.length - 4, -22, 0]);
    expect(tail.dataOut!.length).toBe(pkt.length - 2);
    expect([...tail.dataOut!.subarray(pkt.length - 4)]).toEqual([0, 0]);
  });
  it('get_hash_recalc: stable for a flow, different for another flow', () => {
    const { run, res } = xprog('x_packet.o');
    run('x_hash', { data: ipv4Udp() });
    const h1 = res(1)[0]!;
    run('x_hash', { data: ipv4Udp() });
    expect(res(1)[0]).toBe(h1);
    const other = ipv4Udp();
    other[33] = 3; // destination 10.0.0.3
    run('x_hash', { data: other });
    expect(res(1)[0]).not.toBe(h1);
    expect(h1).not.toBe(0);
  });
});
