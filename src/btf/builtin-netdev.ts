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
  // The socket hash tables' heads, as far as programs walk them (sock_iter_batch.c): the TCP
  // listening hash's mask (inet_hashinfo, through netns_ipv4.tcp_death_row) and the UDP table's.
  // The namespace has no tables: its pointers are NULL and hash_mix 0.
  b.struct('inet_hashinfo', [
    ['void *', 'ehash'], ['void *', 'ehash_locks'], ['unsigned int', 'ehash_mask'], ['unsigned int', 'ehash_locks_mask'],
    ['void *', 'bind_bucket_cachep'], ['void *', 'bhash'], ['void *', 'bind2_bucket_cachep'], ['void *', 'bhash2'],
    ['unsigned int', 'bhash_size'], ['unsigned int', 'lhash2_mask'], ['void *', 'lhash2'], ['bool', 'pernet'],
  ]);
  b.struct('inet_timewait_death_row', [['refcount_t', 'tw_refcount'], ['struct inet_hashinfo *', 'hashinfo'], ['int', 'sysctl_max_tw_buckets']]);
  b.struct('udp_table', [['void *', 'hash'], ['void *', 'hash2'], ['unsigned int', 'mask'], ['unsigned int', 'log']]);
  b.struct('netns_ipv4', [['struct inet_timewait_death_row', 'tcp_death_row'], ['struct udp_table *', 'udp_table']]);
  b.struct('net', [['refcount_t', 'passive'], ['unsigned int', 'dev_base_seq'], ['u32', 'ifindex'], ['struct ns_common', 'ns'], ['u32', 'hash_mix'], ['struct netns_ipv4', 'ipv4']]);
  // (possible_net_t comes with the socket structs, src/btf/builtin-net.ts, declared before these.)
  b.struct('net_device', [['unsigned long', 'state'], ['unsigned int', 'flags'], ['unsigned int', 'mtu'], ['int', 'ifindex'], ['possible_net_t', 'nd_net'], ['char', 'name', 16]]);
  b.struct('xdp_rxq_info', [['struct net_device *', 'dev'], ['u32', 'queue_index'], ['u32', 'reg_state'], ['u32', 'frag_size']]);
  b.struct('xdp_txq_info', [['struct net_device *', 'dev']]);
  b.struct('xdp_buff', [
    ['void *', 'data'], ['void *', 'data_end'], ['void *', 'data_meta'], ['void *', 'data_hard_start'],
    ['struct xdp_rxq_info *', 'rxq'], ['struct xdp_txq_info *', 'txq'], ['u32', 'frame_sz'], ['u32', 'flags'],
  ]);
}
