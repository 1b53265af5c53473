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
// skb_get_tunnel_key (20), skb_get_tunnel_opt (29), skb_set_tunnel_opt (30) read and extend that
// metadata; a test run's skb has no tunnel metadata of its own (no dst, no sec_path), so before a
// skb_set_tunnel_key in the same run they fail as the kernel's do on it: get_tunnel_key -EINVAL,
// get_tunnel_opt -ENOENT, set_tunnel_opt -EINVAL, each zeroing the buffer it would have filled.
// skb_get_xfrm_state (66) finds no IPsec state on a test-run skb: -EINVAL, the buffer zeroed.
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
  // set_tunnel_key clears the whole ip_tunnel_info (memset), options included
  call.state.delete('tunnel_opts');
  return 0;
}

// ip_tunnel_info's tun_flags bits (uapi if_tunnel.h), as set_tunnel_key and set_tunnel_opt set them.
const TUN_CSUM = 1 << 0, TUN_KEY = 1 << 2, TUN_SEQ = 1 << 3, TUN_DONT_FRAGMENT = 1 << 8, TUN_NOCACHE = 1 << 13;
// ip_tunnel_set_options_present: GENEVE, VXLAN, ERSPAN, GTP (and PFCP, bit 16, past the be16 view)
const TUN_OPTS_PRESENT = (1 << 11) | (1 << 12) | (1 << 14) | (1 << 15);
const F_TUNINFO_FLAGS = 0x10n;
/** IP_TUNNEL_OPTS_MAX: options_len is a u8. */
const TUNNEL_OPTS_MAX = 255;

/** The low 16 tun_flags bits of the metadata set_tunnel_key (and set_tunnel_opt) built. */
function tunFlags(key: TunnelKey, opts: Uint8Array | undefined): number {
  let f = TUN_NOCACHE;
  if (key.flags & 4n) f |= TUN_DONT_FRAGMENT;
  if (!(key.flags & 2n)) f |= TUN_CSUM;
  if (key.flags & 8n) f |= TUN_SEQ;
  if (!(key.flags & 0x10n)) f |= TUN_KEY;
  if (opts?.length) f |= TUN_OPTS_PRESENT;
  return f;
}

/** bpf_skb_get_tunnel_key: the skb's tunnel metadata in struct bpf_tunnel_key (the receive view:
 *  remote is the key's source, local its destination, so what set_tunnel_key wrote as remote
 *  reads back as local). Sizes of the older layouts are filled from a full copy. */
function getTunnelKey(call: HelperCall): number {
  const to = call.ptr(2);
  const size = call.u32(3);
  const flags = call.u64(4);
  const key = call.state.get('tunnel_key') as TunnelKey | undefined;
  const clear = (err: number) => {
    call.arena.writeChecked(to, size); // zeroed
    return -err;
  };
  if (!key || (flags & ~(F_TUNINFO_IPV6 | F_TUNINFO_FLAGS)) !== 0n) return clear(Errno.EINVAL);
  const ipv6 = (flags & F_TUNINFO_IPV6) !== 0n;
  if (key.ipv6 !== ipv6) return clear(Errno.EPROTO);
  // offsetof(local_ipv6), offsetof(tunnel_label), offsetof(tunnel_ext); offsetof(remote_ipv6[1]) for IPv4 only
  if (size !== TUNNEL_KEY_SIZE && ![28, 24, 22].includes(size) && !(size === 8 && !key.ipv6)) return clear(Errno.EINVAL);
  const k = new Uint8Array(TUNNEL_KEY_SIZE);
  const dv = new DataView(k.buffer);
  dv.setUint32(0, key.id, true);
  k[20] = key.tos;
  k[21] = key.ttl;
  // tunnel_flags (be16) or tunnel_ext (0)
  if (flags & F_TUNINFO_FLAGS) dv.setUint16(22, tunFlags(key, call.state.get('tunnel_opts') as Uint8Array | undefined), false);
  if (ipv6) {
    k.set(key.local, 4);
    k.set(key.remote, 28);
    dv.setUint32(24, key.label, true);
  } else {
    dv.setUint32(4, new DataView(key.local.buffer, key.local.byteOffset).getUint32(0, false), true);
    dv.setUint32(28, new DataView(key.remote.buffer, key.remote.byteOffset).getUint32(0, false), true);
  }
  call.arena.writeChecked(to, size, k.subarray(0, size));
  return 0;
}

/** bpf_skb_set_tunnel_opt: options for the metadata set_tunnel_key attached this run. */
function setTunnelOpt(call: HelperCall): number {
  const from = call.ptr(2);
  const size = call.u32(3);
  if (!call.state.has('tunnel_key') || size & 3) return -Errno.EINVAL;
  if (size > TUNNEL_OPTS_MAX) return -Errno.ENOMEM;
  call.arena.check(from, size, false);
  call.state.set('tunnel_opts', call.arena.read(from, size).slice());
  return 0;
}

/** bpf_skb_get_tunnel_opt: the options, the rest of the buffer zeroed; returns their length. */
function getTunnelOpt(call: HelperCall): number {
  const to = call.ptr(2);
  const size = call.u32(3);
  const opts = call.state.get('tunnel_opts') as Uint8Array | undefined;
  // set_tunnel_opt with size 0 records no options and sets no "present" flag
  if (!call.state.has('tunnel_key') || !opts?.length) {
    call.arena.writeChecked(to, size);
    return -Errno.ENOENT;
  }
  if (size < opts.length) {
    call.arena.writeChecked(to, size);
    return -Errno.ENOMEM;
  }
  const out = new Uint8Array(size);
  out.set(opts);
  call.arena.writeChecked(to, size, out);
  return opts.length;
}

/** bpf_skb_get_xfrm_state: a test-run skb has no sec_path. */
function getXfrmState(call: HelperCall): number {
  call.arena.writeChecked(call.ptr(3), call.u32(4));
  return -Errno.EINVAL;
}

const TUNNEL_PROG_TYPES = [ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.LWT_XMIT];
const UNINIT_MEM = { type: 'ARG_PTR_TO_MEM', flags: ['MEM_UNINIT'] } as const;

export const TUNNEL_HELPERS: readonly HelperEntry[] = [
  {
    id: 21,
    name: 'skb_set_tunnel_key',
    proto: {
      args: [{ type: 'ARG_PTR_TO_CTX' }, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] }, { type: 'ARG_CONST_SIZE' }, { type: 'ARG_ANYTHING' }],
      ret: { type: 'RET_INTEGER' },
    },
    gplOnly: false,
    progTypes: TUNNEL_PROG_TYPES,
    impl: setTunnelKey,
  },
  {
    id: 20,
    name: 'skb_get_tunnel_key',
    proto: { args: [{ type: 'ARG_PTR_TO_CTX' }, UNINIT_MEM, { type: 'ARG_CONST_SIZE' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: TUNNEL_PROG_TYPES,
    impl: getTunnelKey,
  },
  {
    id: 29,
    name: 'skb_get_tunnel_opt',
    proto: { args: [{ type: 'ARG_PTR_TO_CTX' }, UNINIT_MEM, { type: 'ARG_CONST_SIZE' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: TUNNEL_PROG_TYPES,
    impl: getTunnelOpt,
  },
  {
    id: 30,
    name: 'skb_set_tunnel_opt',
    proto: { args: [{ type: 'ARG_PTR_TO_CTX' }, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] }, { type: 'ARG_CONST_SIZE' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: TUNNEL_PROG_TYPES,
    impl: setTunnelOpt,
  },
  {
    // tc_cls_act_func_proto only (CONFIG_XFRM)
    id: 66,
    name: 'skb_get_xfrm_state',
    proto: { args: [{ type: 'ARG_PTR_TO_CTX' }, { type: 'ARG_ANYTHING' }, UNINIT_MEM, { type: 'ARG_CONST_SIZE' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: [ProgType.SCHED_CLS, ProgType.SCHED_ACT],
    impl: getXfrmState,
  },
];
