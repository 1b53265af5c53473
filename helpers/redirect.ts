// Redirect helpers (net/core/filter.c). ebpfvm sends nothing anywhere: these return what the
// kernel returns, which is what decides a program's verdict.
//   redirect (23)(ifindex, flags): tc programs get TC_ACT_REDIRECT (7), or TC_ACT_SHOT (2) for
//     flags other than BPF_F_INGRESS; XDP programs get XDP_REDIRECT (4), or XDP_ABORTED (0) for
//     any flags. The ifindex is not checked here (the kernel checks it when it redirects).
//   redirect_map (51)(map, key, flags), XDP only: XDP_REDIRECT when the devmap / devmap_hash /
//     cpumap / xskmap has a target at `key` (or with BPF_F_BROADCAST on a devmap; an xskmap's
//     targets are described AF_XDP sockets, maps/xskmap.ts); otherwise the fallback
//     action in the low two bits of flags (XDP_ABORTED/DROP/PASS/TX). Flags beyond those bits and
//     BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS (devmaps only) give XDP_ABORTED. The u64 key is
//     cut to the u32 every map's lookup takes (__bpf_xdp_redirect_map passes it on as is): key
//     2^32 + 2 finds slot 2, as on the host (test/progs/maps/m_xskmap.c redir_key_cut).
//   clone_redirect (13)(skb, ifindex, flags), tc: 0 when the clone goes out on the device,
//     -EINVAL for flags other than BPF_F_INGRESS or a device that does not exist (ebpfvm has only
//     loopback, ifindex 1).
//   redirect_neigh (152)(ifindex, params, plen, flags), tc: TC_ACT_REDIRECT, or TC_ACT_SHOT for
//     flags or a params size below struct bpf_redir_neigh's 20 bytes (0: no next hop).
//   redirect_peer (155)(ifindex, flags), tc: TC_ACT_REDIRECT, or TC_ACT_SHOT for any flags.
// The last target asked for is kept in the run's state under 'redirect' for tests.

import { FaultSignal } from '../src/errors.js';
import { CpumapMap } from '../maps/cpumap.js';
import { DevmapHashMap } from '../maps/devmap-hash.js';
import { DevmapMap, LOOPBACK_IFINDEX } from '../maps/devmap.js';
import { XskMap } from '../maps/xskmap.js';
import { Errno } from '../maps/types.js';
import { ProgType } from '../vm/prog-types.js';
import type { HelperEntry } from './types.js';

export const XdpAction = { ABORTED: 0, DROP: 1, PASS: 2, TX: 3, REDIRECT: 4 } as const;
export const TC_ACT_SHOT = 2;
export const TC_ACT_REDIRECT = 7;
const BPF_F_INGRESS = 1n;
const BPF_F_BROADCAST = 1n << 3n;
const BPF_F_EXCLUDE_INGRESS = 1n << 4n;
const XDP_ACTION_MASK = 3n;

const TC_TYPES = [ProgType.SCHED_CLS, ProgType.SCHED_ACT];
/** sizeof(struct bpf_redir_neigh): nh_family and a 16-byte address union. */
const REDIR_NEIGH_SIZE = 20;

export const REDIRECT_HELPERS: readonly HelperEntry[] = [
  {
    id: 23,
    name: 'redirect',
    proto: { args: [{ type: 'ARG_ANYTHING' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: [...TC_TYPES, ProgType.XDP, ProgType.LWT_XMIT],
    impl: (call) => {
      const flags = call.u64(2);
      call.state.set('redirect', { ifindex: call.u32(1), flags });
      if (call.progType === ProgType.XDP) return flags !== 0n ? XdpAction.ABORTED : XdpAction.REDIRECT;
      return (flags & ~BPF_F_INGRESS) !== 0n ? TC_ACT_SHOT : TC_ACT_REDIRECT;
    },
  },
  {
    id: 51,
    name: 'redirect_map',
    proto: { args: [{ type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_ANYTHING' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: [ProgType.XDP],
    impl: (call) => {
      const m = call.map(1);
      const key = call.u64(2);
      const flags = call.u64(3);
      const isDev = m instanceof DevmapMap || m instanceof DevmapHashMap;
      if (!isDev && !(m instanceof CpumapMap) && !(m instanceof XskMap)) throw new FaultSignal(`redirect_map: map ${m.name} is not a devmap, devmap_hash, cpumap or xskmap`);
      const flagMask = isDev ? BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS : 0n;
      if ((flags & ~(XDP_ACTION_MASK | flagMask)) !== 0n) return XdpAction.ABORTED;
      const found = m.hasTarget(Number(key & 0xffffffffn));
      if (!found && (flags & BPF_F_BROADCAST) === 0n) return Number(flags & XDP_ACTION_MASK);
      call.state.set('redirect', { map: m.name, key, flags });
      return XdpAction.REDIRECT;
    },
  },
  {
    id: 13,
    name: 'clone_redirect',
    proto: { args: [{ type: 'ARG_PTR_TO_CTX' }, { type: 'ARG_ANYTHING' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: [...TC_TYPES, ProgType.LWT_XMIT],
    impl: (call) => {
      const flags = call.u64(3);
      if ((flags & ~BPF_F_INGRESS) !== 0n) return -Errno.EINVAL;
      if (call.u32(2) !== LOOPBACK_IFINDEX) return -Errno.EINVAL;
      call.state.set('redirect', { ifindex: call.u32(2), flags, clone: true });
      return 0;
    },
  },
  {
    id: 152,
    name: 'redirect_neigh',
    proto: {
      args: [{ type: 'ARG_ANYTHING' }, { type: 'ARG_PTR_TO_MEM', flags: ['PTR_MAYBE_NULL', 'MEM_RDONLY'] }, { type: 'ARG_CONST_SIZE_OR_ZERO' }, { type: 'ARG_ANYTHING' }],
      ret: { type: 'RET_INTEGER' },
    },
    gplOnly: false,
    progTypes: TC_TYPES,
    impl: (call) => {
      const plen = call.s32(3);
      if ((plen !== 0 && plen < REDIR_NEIGH_SIZE) || call.u64(4) !== 0n) return TC_ACT_SHOT;
      // the next hop is copied (struct bpf_redir_neigh) when given
      if (plen !== 0) call.arena.check(call.ptr(2), REDIR_NEIGH_SIZE, false);
      call.state.set('redirect', { ifindex: call.u32(1), flags: 0n, neigh: true });
      return TC_ACT_REDIRECT;
    },
  },
  {
    id: 155,
    name: 'redirect_peer',
    proto: { args: [{ type: 'ARG_ANYTHING' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: TC_TYPES,
    impl: (call) => {
      if (call.u64(2) !== 0n) return TC_ACT_SHOT;
      call.state.set('redirect', { ifindex: call.u32(1), flags: 0n, peer: true });
      return TC_ACT_REDIRECT;
    },
  },
];
