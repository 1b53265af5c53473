// check_mtu (163)(ctx, ifindex, *mtu_len, len_diff, flags) (net/core/filter.c bpf_skb_check_mtu
// and bpf_xdp_check_mtu): would the packet, grown by len_diff, fit the device's MTU?
//   The device: ifindex 0 is the packet's own, and ebpfvm's only device is the test run's
//   loopback (ifindex 1: MTU 65536, hard_header_len 14, `ip link show lo` on the host); any other
//   ifindex -ENODEV. The length checked is *mtu_len + hard_header_len when *mtu_len is non-zero
//   (an L3 length, like fib_lookup's), else skb->len (tc: from the MAC header) or
//   data_end - data (xdp); plus len_diff. Over MTU + hard_header_len is
//   BPF_MTU_CHK_RET_FRAG_NEEDED (1), else 0, and *mtu_len gets the MTU; an error returns without
//   writing *mtu_len. GPL only, as in the kernel.
//   tc: flags beyond BPF_MTU_CHK_SEGS -EINVAL, and SEGS with a len_diff or *mtu_len -EINVAL; a GSO
//   skb (gso_size set through ctx_in) over the MTU passes (0) without SEGS; with SEGS the kernel
//   validates each segment, which needs an skb over 65550 bytes that no test run can build.
//   xdp: any flag -EINVAL.

import { Errno } from '../maps/types.js';
import { ProgType } from '../vm/prog-types.js';
import type { HelperCall, HelperEntry } from './types.js';

const LO_MTU = 65536;
const LO_HARD_HEADER_LEN = 14;
const BPF_MTU_CHK_SEGS = 1n;
const RET_SUCCESS = 0;
const RET_FRAG_NEEDED = 1;
/** __sk_buff.len and .gso_size offsets (vm/contexts SK_BUFF). */
const SKB_LEN_OFF = 0;
const SKB_GSO_SIZE_OFF = 176;

function checkMtu(call: HelperCall): number {
  const ctx = call.ptr(1);
  const ifindex = call.u32(2);
  const mtuPtr = call.ptr(3);
  const lenDiff = call.s32(4);
  const flags = call.u64(5);
  const xdp = call.progType === ProgType.XDP;
  call.arena.check(mtuPtr, 4, false);
  const mtuLen = call.arena.dv.getUint32(mtuPtr, true);
  if (xdp ? flags !== 0n : (flags & ~BPF_MTU_CHK_SEGS) !== 0n || ((flags & BPF_MTU_CHK_SEGS) !== 0n && (lenDiff !== 0 || mtuLen !== 0))) return -Errno.EINVAL;
  if (ifindex > 1) return -Errno.ENODEV;
  const mtu = LO_MTU;
  const devLen = mtu + LO_HARD_HEADER_LEN;
  call.arena.check(ctx, xdp ? 8 : SKB_GSO_SIZE_OFF + 4, false);
  const dv = call.arena.dv;
  const own = xdp ? dv.getUint32(ctx + 4, true) - dv.getUint32(ctx, true) : dv.getUint32(ctx + SKB_LEN_OFF, true);
  // int arithmetic in the kernel: an L3 length near 2^32 wraps
  const len = ((mtuLen !== 0 ? mtuLen + LO_HARD_HEADER_LEN : own) + lenDiff) | 0;
  let ret = RET_SUCCESS;
  if (len > devLen && (xdp || dv.getUint32(ctx + SKB_GSO_SIZE_OFF, true) === 0)) ret = RET_FRAG_NEEDED;
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, mtu, true);
  call.arena.writeChecked(mtuPtr, 4, out);
  return ret;
}

export const MTU_HELPERS: readonly HelperEntry[] = [
  {
    id: 163,
    name: 'check_mtu',
    proto: {
      args: [{ type: 'ARG_PTR_TO_CTX' }, { type: 'ARG_ANYTHING' }, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_FIXED_SIZE', 'MEM_ALIGNED'], size: 4 }, { type: 'ARG_ANYTHING' }, { type: 'ARG_ANYTHING' }],
      ret: { type: 'RET_INTEGER' },
    },
    gplOnly: true,
    progTypes: [ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.XDP],
    impl: checkMtu,
  },
];
