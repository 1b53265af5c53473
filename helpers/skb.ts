// Packet helpers:
//   skb_load_bytes (26): copy len bytes at offset (from skb->data: L2 for tc, L3 for socket
//     filters) into a buffer; -EFAULT with the buffer zeroed when the range leaves the packet.
//   skb_load_bytes_relative (68): the same relative to the MAC (BPF_HDR_START_MAC = 0) or network
//     (BPF_HDR_START_NET = 1) header; offsets above 0xffff and unknown bases are -EFAULT.
//   csum_diff (28): one's-complement checksum difference of two buffers (needs no context), as
//     Linux 6.12+ computes it on every architecture:
//       both sizes: csum_sub(csum_partial(to, seed), csum_partial(from, 0))
//       only to:    csum_partial(to, seed);  only from: ~csum_partial(from, ~seed);  neither: seed
//     folded to 16 bits (csum_from32to16). csum_partial is x86-64's: little-endian words, a
//     trailing partial word zero-padded, summed with end-around carry into 32 bits. Sizes are not
//     checked at run time any more (the verifier bounds both buffers), so odd sizes work.
//   csum_level (135)(skb, level): the skb's CHECKSUM_UNNECESSARY level (tc, lwt_xmit): QUERY
//     gives it (-EACCES while the skb is CHECKSUM_NONE, as a test run's starts), INC/DEC/RESET
//     move it as __skb_incr/decr/reset_checksum_unnecessary do (at most 3), others -EINVAL.
//   csum_update (40)(skb, csum): -ENOTSUPP, the kernel's answer for an skb that is not
//     CHECKSUM_COMPLETE, which a test run's never is.
//   skb_set_tstamp (192)(skb, tstamp, type), tc: set __sk_buff.tstamp and tstamp_type for an
//     IPv4/IPv6 skb (-EOPNOTSUPP otherwise); BPF_SKB_CLOCK_REALTIME any time, MONOTONIC and TAI
//     a non-zero one, other types -EINVAL.
//   get_cgroup_classid (17)(skb): the net_cls classid of the current task (task_get_classid); a
//     test run is not in softirq, so the task's, and ebpfvm's one task sits in the root net_cls
//     cgroup, whose classid is 0: always 0 (0 on the 6.18 host too, test/progs/helpers/h_vlan.c).
//     sk_msg programs get the argument-less bpf_get_cgroup_classid_curr under the same id.
//   skb_change_type (32)(skb, type): set skb->pkt_type (read back through __sk_buff.pkt_type);
//     -EINVAL unless both the current and the new type are PACKET_HOST..PACKET_OTHERHOST (0-3).
//
// Where the packet is: the test run (vm/test-run.ts) keeps the skb's current data/data_end as
// 32-bit arena addresses in the __sk_buff at offsets 76/80, and allocates one packet region that
// starts at the Ethernet header (socket filters see data 14 bytes into it). So the MAC header is
// the packet region's start and the network header follows the 14-byte Ethernet header.

import { FaultSignal } from '../src/errors.js';
import { Errno } from '../maps/types.js';
import { ProgType } from '../vm/prog-types.js';
import type { HelperArg, HelperCall, HelperEntry, HelperRet } from './types.js';

const SKB_PKT_TYPE_OFF = 4;
const SKB_PROTOCOL_OFF = 16;
const SKB_TSTAMP_OFF = 152;
const SKB_TSTAMP_TYPE_OFF = 180;
// bpf_csum_level's levels (uapi BPF_CSUM_LEVEL_*) and SKB_MAX_CSUM_LEVEL
const CSUM_LEVEL_QUERY = 0n;
const CSUM_LEVEL_INC = 1n;
const CSUM_LEVEL_DEC = 2n;
const CSUM_LEVEL_RESET = 3n;
const SKB_MAX_CSUM_LEVEL = 3;
const EACCES = 13;
const PACKET_OTHERHOST = 3;
const SKB_DATA_OFF = 76;
const SKB_DATA_END_OFF = 80;
const ETH_HLEN = 14;
export const BPF_HDR_START_MAC = 0;
export const BPF_HDR_START_NET = 1;

export interface SkbBounds {
  data: number;
  tail: number;
  mac: number;
  network: number;
}

/** The packet bounds of the skb whose __sk_buff is at `ctx`. */
export function skbBounds(call: HelperCall, ctx: number): SkbBounds {
  call.arena.check(ctx, SKB_DATA_END_OFF + 4, false);
  const data = call.arena.dv.getUint32(ctx + SKB_DATA_OFF, true);
  const tail = call.arena.dv.getUint32(ctx + SKB_DATA_END_OFF, true);
  const region = call.arena.describe(data === tail ? Math.max(data - 1, 0) : data);
  if (!region || region.kind !== 'packet') throw new FaultSignal(`skb helper: argument r1 (0x${ctx.toString(16)}) is not a packet context`);
  const mac = region.start;
  return { data, tail, mac, network: mac + ETH_HLEN };
}

function fail(call: HelperCall, to: number, len: number): number {
  call.arena.writeChecked(to, len); // zeroed
  return -Errno.EFAULT;
}

/** A view of `len` packet bytes at `addr`, checked for reading (a forged context cannot point the
 *  copy at memory the program could not read itself). */
function packetBytes(call: HelperCall, addr: number, len: number): Uint8Array {
  call.arena.check(addr, len, false);
  return call.arena.u8.subarray(addr, addr + len);
}

function checkLen(len: number): void {
  if (len === 0) throw new FaultSignal('skb_load_bytes: len must be > 0 (ARG_CONST_SIZE)');
}

const SKB_TYPES = [
  ProgType.SOCKET_FILTER, ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.CGROUP_SKB, ProgType.LWT_IN, ProgType.LWT_OUT,
  ProgType.LWT_XMIT, ProgType.LWT_SEG6LOCAL, ProgType.SK_SKB, ProgType.FLOW_DISSECTOR, ProgType.SK_REUSEPORT,
] as const;
const RELATIVE_TYPES = [ProgType.SOCKET_FILTER, ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.CGROUP_SKB, ProgType.SK_REUSEPORT] as const;
const CSUM_TYPES = [
  ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.XDP, ProgType.LWT_IN, ProgType.LWT_OUT, ProgType.LWT_XMIT,
  ProgType.LWT_SEG6LOCAL,
] as const; // checked on Linux 6.18: socket filters, sk_skb and syscall programs may not call csum_diff

const INT: HelperRet = { type: 'RET_INTEGER' };
const CTX: HelperArg = { type: 'ARG_PTR_TO_CTX' };
const ANY: HelperArg = { type: 'ARG_ANYTHING' };
const UNINIT: HelperArg = { type: 'ARG_PTR_TO_MEM', flags: ['MEM_UNINIT'] };
const SIZE: HelperArg = { type: 'ARG_CONST_SIZE' };
const CSUM_MEM: HelperArg = { type: 'ARG_PTR_TO_MEM', flags: ['PTR_MAYBE_NULL', 'MEM_RDONLY'] };
const CSUM_SIZE: HelperArg = { type: 'ARG_CONST_SIZE_OR_ZERO' };

/** csum_partial on x86-64: the 32-bit one's-complement sum of little-endian words (a trailing
 *  partial word zero-padded) plus `seed`. */
export function csumPartial(bytes: Uint8Array, seed: number): number {
  let sum = seed >>> 0;
  for (let i = 0; i < bytes.length; i += 4) {
    const w = (bytes[i]! | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24)) >>> 0;
    sum += w;
  }
  while (sum > 0xffffffff) sum = (sum % 0x100000000) + Math.floor(sum / 0x100000000);
  return sum;
}

/** 32-bit one's-complement add with end-around carry (csum_add). */
export function csumAdd(a: number, b: number): number {
  const r = (a >>> 0) + (b >>> 0);
  return r > 0xffffffff ? (r - 0x100000000 + 1) >>> 0 : r;
}

/** Fold a 32-bit sum into 16 bits with end-around carry (the kernel's csum_from32to16). */
export function csumFrom32to16(x: number): number {
  const rot = ((x >>> 16) | (x << 16)) >>> 0;
  return (((x >>> 0) + rot) >>> 0) >>> 16;
}

export function csumDiff(from: Uint8Array, to: Uint8Array, seed: number): number {
  let ret = seed >>> 0;
  if (from.length && to.length) ret = csumAdd(csumPartial(to, ret), ~csumPartial(from, 0) >>> 0);
  else if (to.length) ret = csumPartial(to, ret);
  else if (from.length) ret = ~csumPartial(from, ~ret >>> 0) >>> 0;
  return csumFrom32to16(ret);
}

export const SKB_HELPERS: readonly HelperEntry[] = [
  {
    id: 26,
    name: 'skb_load_bytes',
    proto: { args: [CTX, ANY, UNINIT, SIZE], ret: INT },
    gplOnly: false,
    progTypes: SKB_TYPES,
    impl: (call) => {
      const offset = call.u32(2);
      const to = call.ptr(3);
      const len = call.u32(4);
      checkLen(len);
      const skb = skbBounds(call, call.ptr(1));
      if (offset > 0x7fffffff || offset + len > skb.tail - skb.data) return fail(call, to, len);
      call.arena.writeChecked(to, len, packetBytes(call, skb.data + offset, len));
      return 0;
    },
  },
  {
    id: 68,
    name: 'skb_load_bytes_relative',
    proto: { args: [CTX, ANY, UNINIT, SIZE, ANY], ret: INT },
    gplOnly: false,
    progTypes: RELATIVE_TYPES,
    impl: (call) => {
      const offset = call.u32(2);
      const to = call.ptr(3);
      const len = call.u32(4);
      const startHeader = call.u32(5);
      checkLen(len);
      const skb = skbBounds(call, call.ptr(1));
      if (offset > 0xffff) return fail(call, to, len);
      let start: number;
      if (startHeader === BPF_HDR_START_MAC) start = skb.mac;
      else if (startHeader === BPF_HDR_START_NET) start = skb.network;
      else return fail(call, to, len);
      if (start + offset + len > skb.tail) return fail(call, to, len);
      call.arena.writeChecked(to, len, packetBytes(call, start + offset, len));
      return 0;
    },
  },
  {
    id: 28,
    name: 'csum_diff',
    proto: { args: [CSUM_MEM, CSUM_SIZE, CSUM_MEM, CSUM_SIZE, ANY], ret: INT },
    gplOnly: false,
    progTypes: CSUM_TYPES,
    impl: (call) => {
      const fromSize = call.u32(2);
      const toSize = call.u32(4);
      const read = (addr: number, n: number): Uint8Array => {
        if (n === 0) return new Uint8Array(0);
        call.arena.check(addr, n, false);
        return call.arena.read(addr, n);
      };
      return csumDiff(read(call.ptr(1), fromSize), read(call.ptr(3), toSize), call.u32(5));
    },
  },
  {
    id: 135,
    name: 'csum_level',
    proto: { args: [CTX, ANY], ret: INT },
    gplOnly: false,
    progTypes: [ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.LWT_XMIT],
    impl: (call) => {
      // The test run's skb starts CHECKSUM_NONE; its ip_summed and csum_level live in the run.
      const st = (call.state.get('csum_level') as { unnecessary: boolean; level: number } | undefined) ?? { unnecessary: false, level: 0 };
      call.state.set('csum_level', st);
      switch (call.u64(2)) {
        case CSUM_LEVEL_QUERY:
          return st.unnecessary ? st.level : -EACCES;
        case CSUM_LEVEL_INC:
          if (!st.unnecessary) Object.assign(st, { unnecessary: true, level: 0 });
          else if (st.level < SKB_MAX_CSUM_LEVEL) st.level++;
          return 0;
        case CSUM_LEVEL_DEC:
          if (st.unnecessary && st.level === 0) st.unnecessary = false;
          else if (st.unnecessary) st.level--;
          return 0;
        case CSUM_LEVEL_RESET:
          Object.assign(st, { unnecessary: false, level: 0 });
          return 0;
        default:
          return -Errno.EINVAL;
      }
    },
  },
  {
    id: 40,
    name: 'csum_update',
    proto: { args: [CTX, ANY], ret: INT },
    gplOnly: false,
    progTypes: [ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.LWT_XMIT],
    // Only a CHECKSUM_COMPLETE skb has a csum to add to; a test run's skb is CHECKSUM_NONE and
    // csum_level can make it CHECKSUM_UNNECESSARY, never COMPLETE.
    impl: (call) => {
      skbBounds(call, call.ptr(1));
      return -Errno.ENOTSUPP;
    },
  },
  {
    id: 192,
    name: 'skb_set_tstamp',
    proto: { args: [CTX, ANY, ANY], ret: INT },
    gplOnly: false,
    progTypes: [ProgType.SCHED_CLS, ProgType.SCHED_ACT],
    impl: (call) => {
      const ctx = call.ptr(1);
      skbBounds(call, ctx);
      const dv = call.arena.dv;
      const proto = dv.getUint32(ctx + SKB_PROTOCOL_OFF, true); // network order in the low 16 bits
      if (proto !== 0x0008 && proto !== 0xdd86) return -Errno.EOPNOTSUPP; // ETH_P_IP, ETH_P_IPV6
      const tstamp = call.u64(2);
      const type = call.u32(3);
      // BPF_SKB_CLOCK_REALTIME (0) takes any time; MONOTONIC (1) and TAI (2) a non-zero one
      if (type > 2 || (type !== 0 && tstamp === 0n)) return -Errno.EINVAL;
      dv.setBigUint64(ctx + SKB_TSTAMP_OFF, tstamp, true);
      dv.setUint8(ctx + SKB_TSTAMP_TYPE_OFF, type);
      return 0;
    },
  },
  {
    id: 17,
    name: 'get_cgroup_classid',
    proto: { args: [{ type: 'ARG_PTR_TO_CTX' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: [ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.LWT_IN, ProgType.LWT_OUT, ProgType.LWT_XMIT, ProgType.LWT_SEG6LOCAL, ProgType.SK_MSG],
    protoByType: [{ progTypes: [ProgType.SK_MSG], proto: { args: [], ret: { type: 'RET_INTEGER' } } }],
    impl: () => 0,
  },
  {
    id: 32,
    name: 'skb_change_type',
    proto: { args: [CTX, ANY], ret: INT },
    gplOnly: false,
    progTypes: [ProgType.SCHED_CLS, ProgType.SCHED_ACT],
    impl: (call) => {
      // only PACKET_HOST..PACKET_OTHERHOST, both the skb's current type and the new one
      const at = call.ptr(1) + SKB_PKT_TYPE_OFF;
      const type = call.u32(2);
      if (call.arena.dv.getUint32(at, true) > PACKET_OTHERHOST || type > PACKET_OTHERHOST) return -Errno.EINVAL;
      call.arena.dv.setUint32(at, type, true);
      return 0;
    },
  },
];
