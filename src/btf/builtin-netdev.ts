// The loopback device as the kernel's structs describe it, for what an xdp program reaches from
// bpf_cast_to_kern_ctx: struct xdp_buff (the kernel context behind xdp_md), its xdp_rxq_info, the
// net_device and the network namespace (dev->nd_net.net->ns.inum). The members are the ones the
// kernel's selftests and common programs read, in the kernel's order (include/net/xdp.h,
// include/linux/netdevice.h, include/net/net_namespace.h, include/linux/ns_common.h as of 6.18),
// each struct cut short where nothing further is read; programs reach them through CO-RE, which
// relocates by name. ebpfvm's test runs use the loopback device (ifindex 1, queue 0) in the
// initial namespace, as the kernel's do; helpers/kfuncs.ts builds each run's xdp_buff.
// The images are src/btf/builtin-kmem.ts's netdevImages and xdpBuffImage.
import type { Builder } from './builtin.js';

export function declareNetdevStructs(b: Builder): void {
  b.struct('ns_common', [['void *', 'stashed'], ['const void *', 'ops'], ['unsigned int', 'inum'], ['refcount_t', 'count']]);
  b.struct('net', [['refcount_t', 'passive'], ['unsigned int', 'dev_base_seq'], ['u32', 'ifindex'], ['struct ns_common', 'ns']]);
  // (possible_net_t comes with the socket structs, src/btf/builtin-net.ts, declared before these.)
  b.struct('net_device', [['unsigned long', 'state'], ['unsigned int', 'flags'], ['unsigned int', 'mtu'], ['int', 'ifindex'], ['possible_net_t', 'nd_net'], ['char', 'name', 16]]);
  b.struct('xdp_rxq_info', [['struct net_device *', 'dev'], ['u32', 'queue_index'], ['u32', 'reg_state'], ['u32', 'frag_size']]);
  b.struct('xdp_txq_info', [['struct net_device *', 'dev']]);
  b.struct('xdp_buff', [
    ['void *', 'data'], ['void *', 'data_end'], ['void *', 'data_meta'], ['void *', 'data_hard_start'],
    ['struct xdp_rxq_info *', 'rxq'], ['struct xdp_txq_info *', 'txq'], ['u32', 'frame_sz'], ['u32', 'flags'],
  ]);
}
