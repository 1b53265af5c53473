// Packet-rewriting helpers (net/core/filter.c). They change the test run's packet in place
// (vm/test-run.ts reads data_out back from the context's data/data_end) and keep the context's
// data, data_end, data_meta (and __sk_buff.len) in step with the VM's own view of the packet.
//
//   skb_store_bytes (9)(skb, offset, from, len, flags): write into the packet at data + offset;
//     flags beyond BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH -EINVAL, a range past the end
//     -EFAULT.
//   l3_csum_replace (10)(skb, offset, from, to, flags) and l4_csum_replace (11): update the 16-bit
//     checksum at data + offset for a 2- or 4-byte field changing from `from` to `to` (size in
//     the low 4 bits of flags), or by a csum_diff result (size 0, from must be 0), with the
//     kernel's csum_replace2/4/by_diff and inet_proto_csum_replace2/4/by_diff arithmetic (the
//     test run's skb is CHECKSUM_NONE, so BPF_F_PSEUDO_HDR changes nothing in the packet).
//     l4 also takes BPF_F_MARK_MANGLED_0 (a 0 checksum stays 0 unless BPF_F_MARK_ENFORCE; a
//     result of 0 is written as 0xffff). Odd offsets or offsets above 0xffff are -EFAULT.
//   skb_change_tail (38)(skb, len, flags): grow (zero-filled) or trim to len bytes from data;
//     below the network or transport header (see "the skb's header offsets" below), above
//     BPF_SKB_MAX_LEN (16064) or flags: -EINVAL.
//   skb_change_head (43)(skb, head_room, flags): prepend head_room zero bytes; the MAC header
//     is reset to the new start (the network header stays, so its offset grows by head_room).
//   skb_pull_data (39)(skb, len): ebpfvm's skbs are linear, so 0 when len <= skb->len, else
//     -ENOMEM (the kernel's pskb_may_pull failure).
//   skb_adjust_room (50)(skb, len_diff, mode, flags): insert (zeroed) or remove len_diff bytes
//     after the MAC header (BPF_ADJ_ROOM_MAC) or after the base IPv4/IPv6 header
//     (BPF_ADJ_ROOM_NET); only IPv4/IPv6 packets (-ENOTSUPP otherwise), |len_diff| at most 0xfff
//     (-EFAULT), growth past BPF_SKB_MAX_LEN -ENOTSUPP. BPF_F_ADJ_ROOM_FIXED_GSO and NO_CSUM_RESET
//     are accepted (no effect on a linear, non-GSO skb); the encapsulation/decapsulation flags
//     are not implemented (-ENOTSUPP), other bits -EINVAL.
//   skb_vlan_push (18)(skb, vlan_proto, vlan_tci), tc: a vlan_proto other than 802.1Q or 802.1ad
//     (network order) becomes 802.1Q. The tag goes to the skb's accelerated tag (__sk_buff
//     vlan_present/vlan_tci/vlan_proto); only when one is already there is that older tag first
//     written into the packet after the MAC addresses (4 bytes more; skb->protocol becomes its
//     proto; the network header stays at its bytes, which are now 4 bytes further from data).
//   skb_vlan_pop (19)(skb), tc: drop the accelerated tag if there is one; else, for an
//     802.1Q/802.1ad skb->protocol, remove the tag after the MAC addresses (a packet shorter than
//     18 bytes -ENOMEM) and take skb->protocol from its encapsulated type (below 0x600: 802.3 when
//     the next 16 bits are 0xffff, else 802.2). Then, if skb->protocol is still a VLAN type, the
//     next in-packet tag moves to the accelerated tag (skb_vlan_pop). Otherwise 0, unchanged.
//   xdp_adjust_head (44), xdp_adjust_meta (54), xdp_adjust_tail (65): move data, data_meta or
//     data_end as the kernel does, inside a frame of 4096 bytes that begins at data_hard_start
//     (XDP_PACKET_HEADROOM before the packet) with struct xdp_frame (40 bytes) reserved at the
//     front and skb_shared_info (320 bytes) at the back; metadata stays 4-byte aligned and at
//     most 255 bytes (-EACCES otherwise; the u8 skb_shared_info.meta_len of Linux 6.18); a
//     packet keeps at least ETH_HLEN bytes.
//   xdp_get_buff_len (188)(xdp): data_end - data (no frags).
//   get_hash_recalc (34)(skb): a flow hash of the IPv4/IPv6 addresses, protocol and ports.
//     The kernel seeds its flow hash randomly at boot, so no value can agree with it; ebpfvm's
//     is jhash with seed 0 (stable across runs), 0 for packets it cannot parse.
//
// Where memory goes: the test run allocates the packet as one region that starts at the MAC
// header (skb) or at data_hard_start (xdp). A helper that needs more room moves the packet to
// a fresh region named "... (moved)" and frees an earlier moved one; the test run frees the
// last. LD_ABS/LD_IND read the bounds from the context, so they follow.

import { FaultSignal } from '../src/errors.js';
import { jhash2 } from '../maps/bloom-filter.js';
import { Errno } from '../maps/types.js';
import { MemFlag, type Arena, type RegionInfo } from '../vm/memory.js';
import { ProgType } from '../vm/prog-types.js';
import { KERNEL_SK_BUFF, field } from '../vm/contexts.js';
import type { HelperArg, HelperCall, HelperEntry } from './types.js';

const ETH_HLEN = 14;
const SKB_LEN = 0;
const SKB_PROTOCOL = 16;
const SKB_DATA = 76;
const SKB_DATA_END = 80;
const SKB_DATA_META = 140;
/** SKB_MAX_ALLOC: four pages minus skb_shared_info. */
export const BPF_SKB_MAX_LEN = 16384 - 320;
/** sizeof(struct xdp_frame) on x86-64, reserved at data_hard_start. */
export const XDP_FRAME_SIZE = 40;
/** data_hard_start + frame_sz (a page) - skb_shared_info: the furthest data_end may go. */
export const XDP_HARD_END = 4096 - 320;
const ENOTSUPP = 524;
const ADJ_ROOM_FIXED_GSO = 1n;
const ADJ_ROOM_NO_CSUM_RESET = 1n << 5n;
/** Largest metadata: skb_shared_info.meta_len is a u8 (Linux 6.18; older kernels said 32). */
const XDP_META_MAX = 255;
const EACCES = 13;
const MOVED = ' (moved)';

const SKB_WRITE_TYPES = [ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.LWT_XMIT, ProgType.SK_SKB];
/** l3/l4_csum_replace: tc and lwt_xmit only (sk_skb_func_proto has neither; the 6.18 host refuses
 *  them there, test/progs/verifier/sk_skb.c). */
const CSUM_REPLACE_TYPES = [ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.LWT_XMIT];
const TC_TYPES = [ProgType.SCHED_CLS, ProgType.SCHED_ACT];

// ---- one's-complement arithmetic as include/net/checksum.h ----

const add32 = (a: number, b: number): number => {
  const r = (a >>> 0) + (b >>> 0);
  return (r > 0xffffffff ? r - 0xffffffff : r) >>> 0;
};
const fold = (s: number): number => {
  let x = (s & 0xffff) + (s >>> 16);
  x = (x & 0xffff) + (x >>> 16);
  return ~x & 0xffff;
};
const add16 = (a: number, b: number): number => {
  let r = ((a & 0xffff) + (b & 0xffff)) & 0xffff;
  if (r < (b & 0xffff)) r = (r + 1) & 0xffff;
  return r;
};

/** csum_replace2: ~csum16_add(csum16_sub(~sum, old), new). */
export function csumReplace2(sum: number, from: number, to: number): number {
  return ~add16(add16(~sum & 0xffff, ~from & 0xffff), to) & 0xffff;
}
/** csum_replace4 (also inet_proto_csum_replace4/2 on a CHECKSUM_NONE skb). */
export function csumReplace4(sum: number, from: number, to: number): number {
  return fold(add32(add32(~sum >>> 0, ~from >>> 0), to >>> 0));
}
/** csum_replace_by_diff. */
export function csumReplaceByDiff(sum: number, diff: number): number {
  return fold(add32(diff >>> 0, ~sum >>> 0));
}

// ---- where the packet is ----

interface SkbView {
  ctx: number;
  data: number;
  end: number;
  region: RegionInfo;
}

function skbView(call: HelperCall, ctx: number): SkbView {
  call.arena.check(ctx, SKB_DATA_META + 4, false);
  const dv = call.arena.dv;
  const data = dv.getUint32(ctx + SKB_DATA, true);
  const end = dv.getUint32(ctx + SKB_DATA_END, true);
  const region = call.arena.describe(data < end ? data : data - 1);
  // Only a test run's context (a 'ctx' region, whose pointer fields programs cannot write) names
  // a packet: a forged __sk_buff on the stack would steer the moves below outside the packet.
  if (!region || region.kind !== 'packet' || call.arena.describe(ctx)?.kind !== 'ctx' || end < data || end > region.start + region.length) {
    throw new FaultSignal(`packet helper: r1 (0x${ctx.toString(16)}) is not a packet context`);
  }
  return { ctx, data, end, region };
}

/** Point an __sk_buff at [data, end): data, data_end, data_meta and len (the test run sets the
 *  packet up with this; the helpers move it). */
export function setSkb(arena: Arena, ctx: number, data: number, end: number): void {
  // the context is write-protected for programs; helpers own these fields
  const dv = arena.dv;
  dv.setUint32(ctx + SKB_DATA, data, true);
  dv.setUint32(ctx + SKB_DATA_END, end, true);
  dv.setUint32(ctx + SKB_DATA_META, data, true);
  dv.setUint32(ctx + SKB_LEN, end - data, true);
  // a kernel sk_buff's own data pointer (vm/contexts KERNEL_SK_BUFF), where the context has one
  const r = arena.describe(ctx);
  if (r !== undefined && r.start === ctx && r.length === KERNEL_SK_BUFF.size) dv.setBigUint64(ctx + KSKB_DATA, BigInt(data), true);
}
const KSKB_DATA = field(KERNEL_SK_BUFF, 'data').offset;

/** Free the packet region holding `addr` if a helper moved it there (the test run frees the
 *  original itself). */
export function freeMovedPacket(arena: Arena, addr: number): void {
  const r = arena.describe(addr);
  if (r && r.kind === 'packet' && r.name.endsWith(MOVED)) arena.free(r.start);
}

/** Move `len` bytes starting at `from` to a new packet region with `before` zero bytes in front
 *  and `after` zero bytes behind; frees `old` when an earlier helper had moved it. Returns the
 *  new region's start. */
function movePacket(call: HelperCall, old: RegionInfo, from: number, len: number, before: number, after: number): number {
  const size = before + len + after;
  const name = old.name.endsWith(MOVED) ? old.name : old.name + MOVED;
  const start = call.arena.allocRegion(Math.max(size, 1), MemFlag.READ | MemFlag.WRITE, 'packet', name);
  call.arena.u8.copyWithin(start + before, from, from + len);
  if (old.name.endsWith(MOVED)) call.arena.free(old.start);
  return start;
}

/** Resize the skb to `newLen` bytes from data (zero-filled when growing). */
function skbResizeTail(call: HelperCall, v: SkbView, newLen: number): void {
  const len = v.end - v.data;
  if (v.data + newLen <= v.region.start + v.region.length) {
    if (newLen > len) call.arena.zero(v.end, newLen - len);
    setSkb(call.arena, v.ctx, v.data, v.data + newLen);
    return;
  }
  const head = v.data - v.region.start;
  const start = movePacket(call, v.region, v.region.start, head + len, 0, newLen - len);
  setSkb(call.arena, v.ctx, start + head, start + head + newLen);
}

/** bpf_skb_net_hdr_push (diff > 0: `diff` zero bytes after the first `off`) or _pop (diff < 0:
 *  the `-diff` bytes after the first `off` go); MAC and network headers move with data. */
function pushPop(call: HelperCall, v: SkbView, h: SkbHeaders, off: number, diff: number): void {
  const len = v.end - v.data;
  moveData(h, -diff, true);
  if (diff >= 0) {
    const start = movePacket(call, v.region, v.data, len, diff, 0);
    // bpf_skb_generic_push: the first `off` bytes move to the front, the gap is zeroed
    call.arena.u8.copyWithin(start, start + diff, start + diff + off);
    call.arena.zero(start + off, diff);
    setSkb(call.arena, v.ctx, start, start + len + diff);
  } else {
    const n = -diff;
    call.arena.u8.copyWithin(v.data + n, v.data, v.data + off);
    setSkb(call.arena, v.ctx, v.data + n, v.end);
  }
}

const isTc = (call: HelperCall): boolean => (TC_TYPES as number[]).includes(call.progType);

// ---- the skb's header offsets ----
//
// change_tail refuses (-EINVAL) to trim below the network header or below the transport header
// once that is set (net/core/filter.c __bpf_skb_min_len). The test run's skb leaves the transport
// header unset (0xffff), but pskb_expand_head adds the new headroom to every header offset, the
// unset one included, and the u16 wraps to `nhead - 1`: the first adjust_room or change_head that
// needs more than the skb's headroom (NET_SKB_PAD = 64 bytes in a test run, grown in steps of 64
// by __skb_cow) sets it just below the old data, and later pushes move data away from it. So
// after growing by 100 bytes, change_tail cannot go below 35 bytes; after three growths by
// 0xfff, not below 12220. Measured on Linux 6.18: the smallest length accepted is the larger of
// the network and transport offsets (6.12's code takes the transport offset when positive).

/** Headroom of a test run's skb before its MAC header (NET_SKB_PAD; NET_IP_ALIGN is 0 on x86). */
const NET_SKB_PAD = 64;

/** Where the kernel's skb headers are, relative to data (per run, the skb's lifetime). */
interface SkbHeaders {
  headroom: number;
  network: number;
  /** undefined while the transport header is unset. */
  transport: number | undefined;
}

function skbHeaders(call: HelperCall): SkbHeaders {
  let h = call.state.get('packet.skb') as SkbHeaders | undefined;
  if (!h) call.state.set('packet.skb', (h = { headroom: NET_SKB_PAD, network: isTc(call) ? ETH_HLEN : 0, transport: undefined }));
  return h;
}

/** __skb_cow for `need` bytes of headroom: pskb_expand_head by the shortfall rounded up to
 *  NET_SKB_PAD, which turns an unset transport header into one at `nhead - 1` from the new head. */
function cowHead(h: SkbHeaders, need: number): void {
  if (need <= h.headroom) return;
  const nhead = Math.ceil((need - h.headroom) / NET_SKB_PAD) * NET_SKB_PAD;
  if (h.transport === undefined) h.transport = -(h.headroom + 1);
  h.headroom += nhead;
}

/** data moves by `delta` bytes (negative: pushed back). With `networkFollows` (adjust_room) the
 *  MAC and network headers move with data, as does a transport header equal to the network one;
 *  otherwise (change_head) they stay where they are, so their offsets from data change. */
function moveData(h: SkbHeaders, delta: number, networkFollows: boolean): void {
  const transSame = h.transport === h.network;
  h.headroom += delta;
  if (!networkFollows) h.network -= delta;
  if (h.transport !== undefined) h.transport = transSame && networkFollows ? h.network : h.transport - delta;
}

/** The shortest length change_tail accepts. */
function minLen(call: HelperCall): number {
  const h = skbHeaders(call);
  return Math.max(h.network, h.transport ?? 0, 0);
}

/** The skb protocol (host order) from __sk_buff.protocol (stored in network order). */
function skbProto(call: HelperCall, ctx: number): number {
  const p = call.arena.dv.getUint32(ctx + SKB_PROTOCOL, true);
  return ((p & 0xff) << 8) | ((p >>> 8) & 0xff);
}

/** The checksum l3/l4_csum_replace update: its address and current value, or -EFAULT. */
function csumArgs(call: HelperCall): { at: number; sum: number } | number {
  const v = skbView(call, call.ptr(1));
  const offset = call.u64(2);
  if (offset > 0xffffn || (offset & 1n) !== 0n) return -Errno.EFAULT;
  const off = Number(offset);
  if (off + 2 > v.end - v.data) return -Errno.EFAULT;
  const at = v.data + off;
  return { at, sum: call.arena.dv.getUint16(at, true) };
}

/** `sum` updated for a field of `size` bytes changing from r3 to r4 (size 0: r4 is a csum_diff
 *  result and r3 must be 0), or -EINVAL; `replace2` is the 2-byte rule (l3 and l4 differ). */
function csumReplace(call: HelperCall, sum: number, size: number, replace2: (sum: number, from: number, to: number) => number): number {
  const from = call.u64(3);
  const to = Number(call.u64(4) & 0xffffffffn);
  switch (size) {
    case 0:
      if (from !== 0n) return -Errno.EINVAL;
      return csumReplaceByDiff(sum, to);
    case 2:
      return replace2(sum, Number(from & 0xffffn), to & 0xffff);
    case 4:
      return csumReplace4(sum, Number(from & 0xffffffffn), to);
    default:
      return -Errno.EINVAL;
  }
}

const CTX: HelperArg = { type: 'ARG_PTR_TO_CTX' };
const ANY: HelperArg = { type: 'ARG_ANYTHING' };
const INT = { type: 'RET_INTEGER' } as const;

// ---- xdp ----

interface XdpView {
  ctx: number;
  data: number;
  end: number;
  meta: number;
  region: RegionInfo;
  hardStart: number;
}

function xdpView(call: HelperCall, ctx: number): XdpView {
  call.arena.check(ctx, 12, false);
  const dv = call.arena.dv;
  const data = dv.getUint32(ctx, true);
  const end = dv.getUint32(ctx + 4, true);
  const meta = dv.getUint32(ctx + 8, true);
  const region = call.arena.describe(meta);
  const inFrame = (a: number) => region !== undefined && a >= region.start && a <= region.start + region.length;
  if (!region || region.kind !== 'packet' || call.arena.describe(ctx)?.kind !== 'ctx' || !inFrame(data) || !inFrame(end) || meta > data || data > end) {
    throw new FaultSignal(`xdp helper: r1 (0x${ctx.toString(16)}) is not an xdp_md`);
  }
  return { ctx, data, end, meta, region, hardStart: region.start };
}

/** bpf_xdp_load_bytes / bpf_xdp_store_bytes(xdp, offset, buf, len): copy between the frame at
 *  data + offset and buf (bpf_xdp_pointer: offset or len above 0xffff -EFAULT, past the end
 *  -EINVAL; ebpfvm's frames have no frags, so the linear part is all there is). The buffer goes
 *  through the VM's checked memory path; on an error it is left as it was, as in the kernel. */
function xdpBytes(call: HelperCall, store: boolean): number {
  const x = xdpView(call, call.ptr(1));
  const offset = call.u32(2);
  const buf = call.ptr(3);
  const len = call.u32(4);
  if (offset > 0xffff || len > 0xffff) return -Errno.EFAULT;
  if (offset + len > x.end - x.data) return -Errno.EINVAL;
  const at = x.data + offset;
  if (store) {
    call.arena.check(buf, len, false);
    call.arena.u8.copyWithin(at, buf, buf + len);
  } else {
    call.arena.check(at, len, false);
    call.arena.writeChecked(buf, len, call.arena.u8.slice(at, at + len));
  }
  return 0;
}

/** Point an xdp_md at data, data_end and data_meta (the test run and the adjust helpers). */
export function setXdp(dv: DataView, ctx: number, data: number, end: number, meta: number): void {
  dv.setUint32(ctx, data, true);
  dv.setUint32(ctx + 4, end, true);
  dv.setUint32(ctx + 8, meta, true);
}

/** Flow hash for get_hash_recalc (see the header comment). */
function flowHash(call: HelperCall, v: SkbView): number {
  const net = v.region.start + ETH_HLEN;
  const u8 = call.arena.u8;
  const end = v.end;
  const proto = skbProto(call, v.ctx);
  const words: number[] = [];
  let l4 = 0;
  let ipProto = 0;
  if (proto === 0x0800 && net + 20 <= end) {
    ipProto = u8[net + 9]!;
    for (let i = 12; i < 20; i += 4) words.push(call.arena.dv.getUint32(net + i, false));
    l4 = net + (u8[net]! & 0xf) * 4;
  } else if (proto === 0x86dd && net + 40 <= end) {
    ipProto = u8[net + 6]!;
    for (let i = 8; i < 40; i += 4) words.push(call.arena.dv.getUint32(net + i, false));
    l4 = net + 40;
  } else return 0;
  words.push(ipProto);
  if ((ipProto === 6 || ipProto === 17) && l4 + 4 <= end) words.push(call.arena.dv.getUint32(l4, false));
  const buf = new Uint8Array(words.length * 4);
  const dv = new DataView(buf.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  return jhash2(buf, 0, words.length, 0) || 1;
}

// ---- VLAN tags (net/core/skbuff.c skb_vlan_push / skb_vlan_pop) ----

const SKB_VLAN_PRESENT = 20;
const SKB_VLAN_TCI = 24;
const SKB_VLAN_PROTO = 28;
const VLAN_HLEN = 4;
/** ETH_P_8021Q and ETH_P_8021AD as __be16 values read little-endian (how __sk_buff holds them). */
const BE_8021Q = 0x0081;
const BE_8021AD = 0xa888;
const isVlanBe = (p: number): boolean => p === BE_8021Q || p === BE_8021AD;
const swap16 = (p: number): number => ((p & 0xff) << 8) | ((p >>> 8) & 0xff);

function putHwTag(dv: DataView, ctx: number, protoBe: number, tci: number): void {
  dv.setUint32(ctx + SKB_VLAN_PRESENT, protoBe !== 0 || tci !== 0 ? 1 : 0, true);
  dv.setUint32(ctx + SKB_VLAN_TCI, tci, true);
  dv.setUint32(ctx + SKB_VLAN_PROTO, protoBe, true);
}

/** __skb_vlan_pop: remove the in-packet tag after the MAC addresses; its TCI, or -ENOMEM when
 *  the packet is too short (skb_ensure_writable of VLAN_ETH_HLEN). Data is at the MAC header in
 *  tc, as the kernel requires. */
function popPacketTag(call: HelperCall, v: SkbView): number {
  if (v.end - v.data < ETH_HLEN + VLAN_HLEN) return -Errno.ENOMEM;
  const dv = call.arena.dv;
  const tci = dv.getUint16(v.data + ETH_HLEN, false);
  const encap = dv.getUint16(v.data + ETH_HLEN + 2, false);
  let proto = encap;
  if (encap < 0x600) {
    // vlan_set_encap_proto: a raw 802.3 frame starts with 0xffff, else LLC (802.2)
    const raw = v.data + ETH_HLEN + VLAN_HLEN;
    proto = raw + 2 <= v.region.start + v.region.length && dv.getUint16(raw, true) === 0xffff ? 0x0001 : 0x0004;
  }
  call.arena.u8.copyWithin(v.data + VLAN_HLEN, v.data, v.data + 12);
  const h = skbHeaders(call);
  h.headroom += VLAN_HLEN;
  // the network header keeps its bytes but at least follows the Ethernet header
  h.network = Math.max(h.network - VLAN_HLEN, ETH_HLEN);
  if (h.transport !== undefined) h.transport -= VLAN_HLEN;
  v.data += VLAN_HLEN;
  setSkb(call.arena, v.ctx, v.data, v.end);
  dv.setUint32(v.ctx + SKB_PROTOCOL, swap16(proto), true);
  return tci;
}

function vlanPush(call: HelperCall): number {
  const v = skbView(call, call.ptr(1));
  const dv = call.arena.dv;
  let proto = call.u32(2) & 0xffff;
  if (!isVlanBe(proto)) proto = BE_8021Q;
  const tci = call.u32(3) & 0xffff;
  if (dv.getUint32(v.ctx + SKB_VLAN_PRESENT, true) !== 0) {
    // __vlan_insert_tag of the accelerated tag: 4 bytes after the MAC addresses
    const oldProto = dv.getUint32(v.ctx + SKB_VLAN_PROTO, true) & 0xffff;
    const oldTci = dv.getUint32(v.ctx + SKB_VLAN_TCI, true) & 0xffff;
    const h = skbHeaders(call);
    cowHead(h, VLAN_HLEN);
    h.headroom -= VLAN_HLEN;
    if (h.transport !== undefined) h.transport += VLAN_HLEN;
    const len = v.end - v.data;
    const start = movePacket(call, v.region, v.data, len, VLAN_HLEN, 0);
    call.arena.u8.copyWithin(start, start + VLAN_HLEN, start + VLAN_HLEN + Math.min(12, len));
    dv.setUint16(start + 12, oldProto, true);
    dv.setUint16(start + 14, oldTci, false);
    setSkb(call.arena, v.ctx, start, start + len + VLAN_HLEN);
    dv.setUint32(v.ctx + SKB_PROTOCOL, oldProto, true);
  }
  putHwTag(dv, v.ctx, proto, tci);
  return 0;
}

function vlanPop(call: HelperCall): number {
  const v = skbView(call, call.ptr(1));
  const dv = call.arena.dv;
  if (dv.getUint32(v.ctx + SKB_VLAN_PRESENT, true) !== 0) putHwTag(dv, v.ctx, 0, 0);
  else {
    if (!isVlanBe(dv.getUint32(v.ctx + SKB_PROTOCOL, true) & 0xffff)) return 0;
    const r = popPacketTag(call, v);
    if (r < 0) return r;
  }
  const proto = dv.getUint32(v.ctx + SKB_PROTOCOL, true) & 0xffff;
  if (!isVlanBe(proto)) return 0;
  const tci = popPacketTag(call, v);
  if (tci < 0) return tci;
  putHwTag(dv, v.ctx, proto, tci);
  return 0;
}

export const PACKET_HELPERS: readonly HelperEntry[] = [
  {
    id: 9,
    name: 'skb_store_bytes',
    proto: { args: [CTX, ANY, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] }, { type: 'ARG_CONST_SIZE' }, ANY], ret: INT },
    gplOnly: false,
    progTypes: SKB_WRITE_TYPES,
    impl: (call) => {
      const v = skbView(call, call.ptr(1));
      const flags = call.u64(5);
      if ((flags & ~3n) !== 0n) return -Errno.EINVAL;
      const offset = call.u64(2);
      const len = Number(call.u64(4) & 0xffffffffn);
      if (offset > 0x7fffffffn) return -Errno.EFAULT;
      const off = Number(offset);
      if (off + len > v.end - v.data) return -Errno.EFAULT;
      const src = call.ptr(3);
      call.arena.check(src, len, false);
      call.arena.writeChecked(v.data + off, len, call.arena.u8.subarray(src, src + len));
      return 0;
    },
  },
  {
    id: 10,
    name: 'l3_csum_replace',
    proto: { args: [CTX, ANY, ANY, ANY, ANY], ret: INT },
    gplOnly: false,
    progTypes: CSUM_REPLACE_TYPES,
    impl: (call) => {
      const flags = call.u64(5);
      if ((flags & ~0xfn) !== 0n) return -Errno.EINVAL;
      const a = csumArgs(call);
      if (typeof a === 'number') return a;
      const out = csumReplace(call, a.sum, Number(flags), csumReplace2);
      if (out < 0) return out;
      call.arena.writeChecked(a.at, 2, Uint8Array.of(out & 0xff, out >>> 8));
      return 0;
    },
  },
  {
    id: 11,
    name: 'l4_csum_replace',
    proto: { args: [CTX, ANY, ANY, ANY, ANY], ret: INT },
    gplOnly: false,
    progTypes: CSUM_REPLACE_TYPES,
    impl: (call) => {
      const flags = call.u64(5);
      const MANGLED_0 = 1n << 5n;
      const ENFORCE = 1n << 6n;
      if ((flags & ~(0xfn | (1n << 4n) | MANGLED_0 | ENFORCE | (1n << 7n))) !== 0n) return -Errno.EINVAL;
      const a = csumArgs(call);
      if (typeof a === 'number') return a;
      const mmzero = (flags & MANGLED_0) !== 0n;
      if (mmzero && (flags & ENFORCE) === 0n && a.sum === 0) return 0;
      // inet_proto_csum_replace2 widens the 16-bit values to 32 bits
      let out = csumReplace(call, a.sum, Number(flags & 0xfn), csumReplace4);
      if (out < 0) return out;
      if (mmzero && out === 0) out = 0xffff;
      call.arena.writeChecked(a.at, 2, Uint8Array.of(out & 0xff, out >>> 8));
      return 0;
    },
  },
  {
    id: 34,
    name: 'get_hash_recalc',
    proto: { args: [CTX], ret: INT },
    gplOnly: false,
    progTypes: [...TC_TYPES, ProgType.LWT_IN, ProgType.LWT_OUT, ProgType.LWT_XMIT],
    impl: (call) => flowHash(call, skbView(call, call.ptr(1))),
  },
  {
    id: 38,
    name: 'skb_change_tail',
    proto: { args: [CTX, ANY, ANY], ret: INT },
    gplOnly: false,
    progTypes: [...TC_TYPES, ProgType.SK_SKB],
    impl: (call) => {
      const v = skbView(call, call.ptr(1));
      const newLen = call.u64(2);
      if (call.u64(3) !== 0n || newLen > BigInt(BPF_SKB_MAX_LEN) || newLen < BigInt(minLen(call))) return -Errno.EINVAL;
      skbResizeTail(call, v, Number(newLen));
      return 0;
    },
  },
  {
    id: 39,
    name: 'skb_pull_data',
    proto: { args: [CTX, ANY], ret: INT },
    gplOnly: false,
    progTypes: [...TC_TYPES, ProgType.LWT_XMIT, ProgType.SK_SKB],
    impl: (call) => {
      const v = skbView(call, call.ptr(1));
      return call.u64(2) > BigInt(v.end - v.data) ? -Errno.ENOMEM : 0;
    },
  },
  {
    id: 43,
    name: 'skb_change_head',
    proto: { args: [CTX, ANY, ANY], ret: INT },
    gplOnly: false,
    progTypes: [...TC_TYPES, ProgType.SK_SKB, ProgType.LWT_XMIT],
    impl: (call) => {
      const v = skbView(call, call.ptr(1));
      const room = call.u64(2);
      const len = v.end - v.data;
      if (call.u64(3) !== 0n || room > 0x3fffffffn || BigInt(len) + room > BigInt(BPF_SKB_MAX_LEN)) return -Errno.EINVAL;
      const r = Number(room);
      // skb_cow, then a push that resets the MAC header to data: the network header stays put
      const h = skbHeaders(call);
      cowHead(h, r);
      moveData(h, -r, false);
      const start = movePacket(call, v.region, v.data, len, r, 0);
      setSkb(call.arena, v.ctx, start, start + r + len);
      return 0;
    },
  },
  {
    id: 50,
    name: 'skb_adjust_room',
    proto: { args: [CTX, ANY, ANY, ANY], ret: INT },
    gplOnly: false,
    progTypes: [...TC_TYPES, ProgType.SK_SKB],
    impl: (call) => {
      const v = skbView(call, call.ptr(1));
      const diff = call.s32(2);
      const mode = call.u32(3);
      const flags = call.u64(4);
      // BPF_F_ADJ_ROOM_MASK: nine flag bits and the encapsulated L2 length in bits 56-63
      if ((flags & ~(0x1ffn | (0xffn << 56n))) !== 0n) return -Errno.EINVAL;
      // FIXED_GSO (only matters for GSO skbs) and NO_CSUM_RESET change nothing here; the
      // encap/decap flags rewrite skb metadata ebpfvm does not model
      if ((flags & ~(ADJ_ROOM_FIXED_GSO | ADJ_ROOM_NO_CSUM_RESET)) !== 0n) return -ENOTSUPP;
      if (Math.abs(diff) > 0xfff) return -Errno.EFAULT;
      const proto = skbProto(call, v.ctx);
      if (proto !== 0x0800 && proto !== 0x86dd) return -ENOTSUPP;
      const netBase = proto === 0x0800 ? 20 : 40;
      const h = skbHeaders(call);
      const macLen = h.network;
      let off: number;
      if (mode === 0) off = macLen + netBase;
      else if (mode === 1) off = macLen;
      else return -ENOTSUPP;
      const len = v.end - v.data;
      // a packet trimmed below the headers it says it has: nothing sane to move
      if (off > len) return -ENOTSUPP;
      const lenCur = len - macLen;
      if (diff < 0 && (-diff >= lenCur || lenCur + diff < netBase)) return -ENOTSUPP;
      if (diff > 0 && len + diff > BPF_SKB_MAX_LEN) return -ENOTSUPP;
      // bpf_skb_net_grow's skb_cow_head, then the push or pop; MAC and network headers move with data
      if (diff > 0) cowHead(h, diff);
      pushPop(call, v, h, off, diff);
      return 0;
    },
  },
  {
    id: 18,
    name: 'skb_vlan_push',
    proto: { args: [CTX, ANY, ANY], ret: INT },
    gplOnly: false,
    progTypes: TC_TYPES,
    impl: vlanPush,
  },
  {
    id: 19,
    name: 'skb_vlan_pop',
    proto: { args: [CTX], ret: INT },
    gplOnly: false,
    progTypes: TC_TYPES,
    impl: vlanPop,
  },
  {
    id: 31,
    name: 'skb_change_proto',
    proto: { args: [CTX, ANY, ANY], ret: INT },
    gplOnly: false,
    progTypes: TC_TYPES,
    impl: (call) => {
      const v = skbView(call, call.ptr(1));
      const to = ((call.u32(2) & 0xff) << 8) | ((call.u32(2) >>> 8) & 0xff); // __be16 to host order
      if (call.u64(3) !== 0n) return -Errno.EINVAL;
      const from = skbProto(call, v.ctx);
      const h = skbHeaders(call);
      const off = h.network; // skb_mac_header_len
      const IP_TO_IP6 = 20; // sizeof(struct ipv6hdr) - sizeof(struct iphdr)
      if (from === 0x0800 && to === 0x86dd) {
        // bpf_skb_proto_4_to_6: skb_cow for the room, then bpf_skb_net_hdr_push after the MAC header
        cowHead(h, IP_TO_IP6);
        pushPop(call, v, h, off, IP_TO_IP6);
      } else if (from === 0x86dd && to === 0x0800) {
        // bpf_skb_proto_6_to_4: bpf_skb_generic_pop needs off + len bytes (pskb_may_pull)
        if (off + IP_TO_IP6 > v.end - v.data) return -Errno.ENOMEM;
        pushPop(call, v, h, off, -IP_TO_IP6);
      } else return -ENOTSUPP;
      // bpf_skb_change_protocol: __sk_buff.protocol holds it in network order
      call.arena.dv.setUint32(v.ctx + SKB_PROTOCOL, ((to & 0xff) << 8) | (to >>> 8), true);
      return 0;
    },
  },
  {
    id: 44,
    name: 'xdp_adjust_head',
    proto: { args: [CTX, ANY], ret: INT },
    gplOnly: false,
    progTypes: [ProgType.XDP],
    impl: (call) => {
      const x = xdpView(call, call.ptr(1));
      const offset = call.s32(2);
      const metalen = x.data - x.meta;
      const data = x.data + offset;
      if (data < x.hardStart + XDP_FRAME_SIZE + metalen || data > x.end - ETH_HLEN) return -Errno.EINVAL;
      if (metalen > 0) call.arena.u8.copyWithin(x.meta + offset, x.meta, x.meta + metalen);
      setXdp(call.arena.dv, x.ctx, data, x.end, x.meta + offset);
      return 0;
    },
  },
  {
    id: 54,
    name: 'xdp_adjust_meta',
    proto: { args: [CTX, ANY], ret: INT },
    gplOnly: false,
    progTypes: [ProgType.XDP],
    impl: (call) => {
      const x = xdpView(call, call.ptr(1));
      const meta = x.meta + call.s32(2);
      if (meta < x.hardStart + XDP_FRAME_SIZE || meta > x.data) return -Errno.EINVAL;
      const metalen = x.data - meta;
      if ((metalen & 3) !== 0 || metalen > XDP_META_MAX) return -EACCES;
      setXdp(call.arena.dv, x.ctx, x.data, x.end, meta);
      return 0;
    },
  },
  {
    id: 65,
    name: 'xdp_adjust_tail',
    proto: { args: [CTX, ANY], ret: INT },
    gplOnly: false,
    progTypes: [ProgType.XDP],
    impl: (call) => {
      const x = xdpView(call, call.ptr(1));
      const offset = call.s32(2);
      const end = x.end + offset;
      if (end > x.hardStart + XDP_HARD_END || end < x.data + ETH_HLEN) return -Errno.EINVAL;
      if (end <= x.region.start + x.region.length) {
        if (offset > 0) call.arena.zero(x.end, offset);
        setXdp(call.arena.dv, x.ctx, x.data, end, x.meta);
        return 0;
      }
      const used = x.end - x.hardStart;
      const start = movePacket(call, x.region, x.hardStart, used, 0, offset);
      const d = start - x.hardStart;
      setXdp(call.arena.dv, x.ctx, x.data + d, end + d, x.meta + d);
      return 0;
    },
  },
  {
    id: 188,
    name: 'xdp_get_buff_len',
    proto: { args: [CTX], ret: INT },
    gplOnly: false,
    progTypes: [ProgType.XDP],
    // xdp_get_buff_len: the linear part plus the frags, which ebpfvm's frames never have.
    impl: (call) => {
      const x = xdpView(call, call.ptr(1));
      return x.end - x.data;
    },
  },
  {
    id: 189,
    name: 'xdp_load_bytes',
    proto: { args: [CTX, ANY, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_UNINIT'] }, { type: 'ARG_CONST_SIZE' }], ret: INT },
    gplOnly: false,
    progTypes: [ProgType.XDP],
    impl: (call) => xdpBytes(call, false),
  },
  {
    id: 190,
    name: 'xdp_store_bytes',
    proto: { args: [CTX, ANY, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] }, { type: 'ARG_CONST_SIZE' }], ret: INT },
    gplOnly: false,
    progTypes: [ProgType.XDP],
    impl: (call) => xdpBytes(call, true),
  },
];
