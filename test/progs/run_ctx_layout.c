// The uapi context layouts as clang compiles them: offset and size of every field ebpfvm's
// vm/contexts table lists, in the table's order, so test/run/contexts.test.ts can compare without
// a compiler. Never run; the program exists only so the object loads.
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>

#define F(s, f) __builtin_offsetof(struct s, f), sizeof(((struct s *)0)->f)

const volatile __u32 sk_buff_layout[] = {
	F(__sk_buff, len), F(__sk_buff, pkt_type), F(__sk_buff, mark), F(__sk_buff, queue_mapping),
	F(__sk_buff, protocol), F(__sk_buff, vlan_present), F(__sk_buff, vlan_tci), F(__sk_buff, vlan_proto),
	F(__sk_buff, priority), F(__sk_buff, ingress_ifindex), F(__sk_buff, ifindex), F(__sk_buff, tc_index),
	F(__sk_buff, cb), F(__sk_buff, hash), F(__sk_buff, tc_classid), F(__sk_buff, data), F(__sk_buff, data_end),
	F(__sk_buff, napi_id), F(__sk_buff, family), F(__sk_buff, remote_ip4), F(__sk_buff, local_ip4),
	F(__sk_buff, remote_ip6), F(__sk_buff, local_ip6), F(__sk_buff, remote_port), F(__sk_buff, local_port),
	F(__sk_buff, data_meta), F(__sk_buff, flow_keys), F(__sk_buff, tstamp), F(__sk_buff, wire_len),
	F(__sk_buff, gso_segs), F(__sk_buff, sk), F(__sk_buff, gso_size), F(__sk_buff, tstamp_type),
	F(__sk_buff, hwtstamp),
};
const volatile __u32 sk_buff_size = sizeof(struct __sk_buff);

const volatile __u32 xdp_md_layout[] = {
	F(xdp_md, data), F(xdp_md, data_end), F(xdp_md, data_meta), F(xdp_md, ingress_ifindex),
	F(xdp_md, rx_queue_index), F(xdp_md, egress_ifindex),
};
const volatile __u32 xdp_md_size = sizeof(struct xdp_md);

const volatile __u32 bpf_sock_layout[] = {
	F(bpf_sock, bound_dev_if), F(bpf_sock, family), F(bpf_sock, type), F(bpf_sock, protocol),
	F(bpf_sock, mark), F(bpf_sock, priority), F(bpf_sock, src_ip4), F(bpf_sock, src_ip6),
	F(bpf_sock, src_port), F(bpf_sock, dst_port), F(bpf_sock, dst_ip4), F(bpf_sock, dst_ip6),
	F(bpf_sock, state), F(bpf_sock, rx_queue_mapping),
};
const volatile __u32 bpf_sock_size = sizeof(struct bpf_sock);

const volatile __u32 sk_lookup_layout[] = {
	F(bpf_sk_lookup, sk), F(bpf_sk_lookup, family), F(bpf_sk_lookup, protocol), F(bpf_sk_lookup, remote_ip4),
	F(bpf_sk_lookup, remote_ip6), F(bpf_sk_lookup, remote_port), F(bpf_sk_lookup, local_ip4),
	F(bpf_sk_lookup, local_ip6), F(bpf_sk_lookup, local_port), F(bpf_sk_lookup, ingress_ifindex),
};
const volatile __u32 sk_lookup_size = sizeof(struct bpf_sk_lookup);

const volatile __u32 perf_event_data_layout[] = {
	F(bpf_perf_event_data, regs), F(bpf_perf_event_data, sample_period), F(bpf_perf_event_data, addr),
};
const volatile __u32 perf_event_data_size = sizeof(struct bpf_perf_event_data);

const volatile __u32 sock_addr_layout[] = {
	F(bpf_sock_addr, user_family), F(bpf_sock_addr, user_ip4), F(bpf_sock_addr, user_ip6), F(bpf_sock_addr, user_port),
	F(bpf_sock_addr, family), F(bpf_sock_addr, type), F(bpf_sock_addr, protocol), F(bpf_sock_addr, msg_src_ip4),
	F(bpf_sock_addr, msg_src_ip6), F(bpf_sock_addr, sk),
};
const volatile __u32 sock_addr_size = sizeof(struct bpf_sock_addr);

const volatile __u32 sockopt_layout[] = {
	F(bpf_sockopt, sk), F(bpf_sockopt, optval), F(bpf_sockopt, optval_end), F(bpf_sockopt, level),
	F(bpf_sockopt, optname), F(bpf_sockopt, optlen), F(bpf_sockopt, retval),
};
const volatile __u32 sockopt_size = sizeof(struct bpf_sockopt);

const volatile __u32 sock_ops_layout[] = {
	F(bpf_sock_ops, op), F(bpf_sock_ops, args), F(bpf_sock_ops, family), F(bpf_sock_ops, remote_ip4),
	F(bpf_sock_ops, local_ip4), F(bpf_sock_ops, remote_ip6), F(bpf_sock_ops, local_ip6), F(bpf_sock_ops, remote_port),
	F(bpf_sock_ops, local_port), F(bpf_sock_ops, is_fullsock), F(bpf_sock_ops, snd_cwnd), F(bpf_sock_ops, srtt_us),
	F(bpf_sock_ops, bpf_sock_ops_cb_flags), F(bpf_sock_ops, state), F(bpf_sock_ops, rtt_min), F(bpf_sock_ops, snd_ssthresh),
	F(bpf_sock_ops, rcv_nxt), F(bpf_sock_ops, snd_nxt), F(bpf_sock_ops, snd_una), F(bpf_sock_ops, mss_cache),
	F(bpf_sock_ops, ecn_flags), F(bpf_sock_ops, rate_delivered), F(bpf_sock_ops, rate_interval_us), F(bpf_sock_ops, packets_out),
	F(bpf_sock_ops, retrans_out), F(bpf_sock_ops, total_retrans), F(bpf_sock_ops, segs_in), F(bpf_sock_ops, data_segs_in),
	F(bpf_sock_ops, segs_out), F(bpf_sock_ops, data_segs_out), F(bpf_sock_ops, lost_out), F(bpf_sock_ops, sacked_out),
	F(bpf_sock_ops, sk_txhash), F(bpf_sock_ops, bytes_received), F(bpf_sock_ops, bytes_acked), F(bpf_sock_ops, sk),
	F(bpf_sock_ops, skb_data), F(bpf_sock_ops, skb_data_end), F(bpf_sock_ops, skb_len), F(bpf_sock_ops, skb_tcp_flags),
};
/* The system's uapi header (Linux 6.1) ends at skb_tcp_flags: skb_hwtstamp (u64, Linux 6.2)
 * follows at the next 8-byte boundary, which is where the struct ends here. */
const volatile __u32 sock_ops_size = sizeof(struct bpf_sock_ops);
/* reply and replylong share args' bytes (an anonymous union) */
const volatile __u32 sock_ops_union[] = { F(bpf_sock_ops, reply), F(bpf_sock_ops, replylong) };

const volatile __u32 cgroup_dev_layout[] = {
	F(bpf_cgroup_dev_ctx, access_type), F(bpf_cgroup_dev_ctx, major), F(bpf_cgroup_dev_ctx, minor),
};
const volatile __u32 cgroup_dev_size = sizeof(struct bpf_cgroup_dev_ctx);

const volatile __u32 sk_msg_layout[] = {
	F(sk_msg_md, data), F(sk_msg_md, data_end), F(sk_msg_md, family), F(sk_msg_md, remote_ip4),
	F(sk_msg_md, local_ip4), F(sk_msg_md, remote_ip6), F(sk_msg_md, local_ip6), F(sk_msg_md, remote_port),
	F(sk_msg_md, local_port), F(sk_msg_md, size), F(sk_msg_md, sk),
};
const volatile __u32 sk_msg_size = sizeof(struct sk_msg_md);

const volatile __u32 sk_reuseport_layout[] = {
	F(sk_reuseport_md, data), F(sk_reuseport_md, data_end), F(sk_reuseport_md, len), F(sk_reuseport_md, eth_protocol),
	F(sk_reuseport_md, ip_protocol), F(sk_reuseport_md, bind_inany), F(sk_reuseport_md, hash), F(sk_reuseport_md, sk),
	F(sk_reuseport_md, migrating_sk),
};
const volatile __u32 sk_reuseport_size = sizeof(struct sk_reuseport_md);

const volatile __u32 sysctl_layout[] = { F(bpf_sysctl, write), F(bpf_sysctl, file_pos) };
const volatile __u32 sysctl_size = sizeof(struct bpf_sysctl);

SEC("syscall")
int layout(void *ctx)
{
	return sk_buff_size + xdp_md_size;
}

char LICENSE[] SEC("license") = "GPL";
