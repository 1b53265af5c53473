// skb_set_tunnel_key (21)(skb, key, size, flags), tc and lwt_xmit (net/core/filter.c): attach
// tunnel metadata (a metadata_dst) to the skb for a collect-metadata tunnel device to use when
// the packet is sent. ebpfvm sends nothing, so the metadata is kept in the run's state under
// 'tunnel_key' (for tests and bpf_skb_get_tunnel_key-style readers); what the program sees is the
// kernel's validation:
//   flags beyond BPF_F_TUNINFO_IPV6 | ZERO_CSUM_TX | DONT_FRAGMENT | SEQ_NUMBER | NO_TUNNEL_KEY:
//   -EINVAL; a size other than sizeof(struct bpf_tunnel_key) (44) or one of the older layouts'
//   (28: before local_ipv6, 24: before tunnel_label, 22: before tunnel_ext, 8: IPv4 only), whose
//   missing fields read as zero: -EINVAL; a flow label without BPF_F_TUNINFO_IPV6, or a non-zero
//   tunnel_ext: -EINVAL; otherwise 0.
import { Errno } from '../maps/types.js';
import { ProgType } from '../vm/prog-types.js';
import type { HelperCall, HelperEntry } from './types.js';

/** sizeof(struct bpf_tunnel_key). */
export const TUNNEL_KEY_SIZE = 44;
const COMPAT_SIZES = [28, 24, 22, 8];
const F_TUNINFO_IPV6 = 1n;
const F_MASK = 0x1fn;

/** The tunnel metadata a run attached (ip_tunnel_info's key, in host order). */
export interface TunnelKey {
  id: number;
  ipv6: boolean;
  remote: Uint8Array;
  local: Uint8Array;
  tos: number;
  ttl: number;
  label: number;
  flags: bigint;
}

function setTunnelKey(call: HelperCall): number {
  const from = call.ptr(2);
  const size = call.u32(3);
  const flags = call.u64(4);
  if ((flags & ~F_MASK) !== 0n) return -Errno.EINVAL;
  if (size !== TUNNEL_KEY_SIZE && !COMPAT_SIZES.includes(size)) return -Errno.EINVAL;
  call.arena.check(from, size, false);
  const k = new Uint8Array(TUNNEL_KEY_SIZE);
  k.set(call.arena.read(from, size));
  const dv = new DataView(k.buffer);
  const ipv6 = (flags & F_TUNINFO_IPV6) !== 0n;
  const label = dv.getUint32(24, true);
  if ((!ipv6 && label !== 0) || dv.getUint16(22, true) !== 0) return -Errno.EINVAL;
  // remote_ipv4 / local_ipv4 are host-order u32s in the uapi struct
  const v4 = (off: number) => {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, dv.getUint32(off, true), false);
    return out;
  };
  const key: TunnelKey = {
    id: dv.getUint32(0, true),
    ipv6,
    remote: ipv6 ? k.slice(4, 20) : v4(4),
    local: ipv6 ? k.slice(28, 44) : v4(28),
    tos: k[20]!,
    ttl: k[21]!,
    label: ipv6 ? label & 0xfffff : 0,
    flags,
  };
  call.state.set('tunnel_key', key);
  return 0;
}

export const TUNNEL_HELPERS: readonly HelperEntry[] = [
  {
    id: 21,
    name: 'skb_set_tunnel_key',
    proto: {
      args: [{ type: 'ARG_PTR_TO_CTX' }, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] }, { type: 'ARG_CONST_SIZE' }, { type: 'ARG_ANYTHING' }],
      ret: { type: 'RET_INTEGER' },
    },
    gplOnly: false,
    progTypes: [ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.LWT_XMIT],
    impl: setTunnelKey,
  },
];
