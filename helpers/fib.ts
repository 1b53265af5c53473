// fib_lookup (69)(ctx, params, plen, flags), tc and xdp (net/core/filter.c bpf_skb_fib_lookup /
// bpf_xdp_fib_lookup): the route and next hop for the struct bpf_fib_lookup in params.
//
// ebpfvm's network namespace is a fresh one's: the loopback device only (ifindex 1, 127.0.0.1/8
// and ::1), with forwarding off (net.ipv4.conf.lo.forwarding and net.ipv6.conf.lo.forwarding
// are 0 by default). So the kernel's lookup ends before any route is consulted, and its answer
// is decided by the checks it makes first, in its order:
//   plen below sizeof(struct bpf_fib_lookup) (64, compared unsigned) or flags beyond
//   BPF_FIB_LOOKUP_DIRECT | OUTPUT | SKIP_NEIGH | TBID | SRC | MARK: -EINVAL;
//   family neither AF_INET nor AF_INET6: -EAFNOSUPPORT;
//   IPv6 with a multicast, link-local or loopback source or destination:
//     BPF_FIB_LKUP_RET_NOT_FWDED (rt6_need_strict: such addresses are never forwarded);
//   an ifindex that names no device (anything but 1): -ENODEV;
//   the loopback device: BPF_FIB_LKUP_RET_FWD_DISABLED.
// None of these paths writes params. The host's own routes are not modelled: a namespace with
// other devices and forwarding on would route where this one refuses.
import { Errno } from '../maps/types.js';
import { ProgType } from '../vm/prog-types.js';
import type { HelperCall, HelperEntry } from './types.js';

/** sizeof(struct bpf_fib_lookup). */
export const FIB_LOOKUP_SIZE = 64;
const FIB_LOOKUP_MASK = 0x3f;
const AF_INET = 2;
const AF_INET6 = 10;
const LOOPBACK_IFINDEX = 1;
export const FibResult = { SUCCESS: 0, NOT_FWDED: 4, FWD_DISABLED: 5 } as const;

/** rt6_need_strict: multicast (ff00::/8), link-local (fe80::/10) or loopback (::1). */
function needStrict(a: Uint8Array): boolean {
  if (a[0] === 0xff) return true;
  if (a[0] === 0xfe && (a[1]! & 0xc0) === 0x80) return true;
  return a.subarray(0, 15).every((b) => b === 0) && a[15] === 1;
}

function fibLookup(call: HelperCall): number {
  const params = call.ptr(2);
  // `plen < sizeof(*params)` compares an int with a size_t: a negative plen passes
  const plen = BigInt.asUintN(64, BigInt(call.s32(3)));
  const flags = call.u32(4);
  if (plen < BigInt(FIB_LOOKUP_SIZE) || (flags & ~FIB_LOOKUP_MASK) !== 0) return -Errno.EINVAL;
  call.arena.check(params, FIB_LOOKUP_SIZE, false);
  const p = call.arena.read(params, FIB_LOOKUP_SIZE);
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const family = p[0]!;
  if (family !== AF_INET && family !== AF_INET6) return -Errno.EAFNOSUPPORT;
  if (family === AF_INET6 && (needStrict(p.subarray(32, 48)) || needStrict(p.subarray(16, 32)))) return FibResult.NOT_FWDED;
  if (dv.getUint32(8, true) !== LOOPBACK_IFINDEX) return -Errno.ENODEV;
  return FibResult.FWD_DISABLED;
}

export const FIB_HELPERS: readonly HelperEntry[] = [
  {
    id: 69,
    name: 'fib_lookup',
    proto: {
      args: [{ type: 'ARG_PTR_TO_CTX' }, { type: 'ARG_PTR_TO_MEM' }, { type: 'ARG_CONST_SIZE' }, { type: 'ARG_ANYTHING' }],
      ret: { type: 'RET_INTEGER' },
    },
    gplOnly: true,
    progTypes: [ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.XDP],
    impl: fibLookup,
  },
];
