// Kernel socket structs from tc programs the kernel test-runs: a test run's skb->sk read as the
// kernel's struct sock (bpf_core_cast, CO-RE against the running kernel's BTF), the bpf_skc_to_*
// casts on it, and a looked-up socket's tcp_sock. The host kernel's results are recorded with
// `node scripts/kernel-progs.mjs --record-object test/progs/kfunc/kf_sock.o`; ebpfvm must give the
// same ones (test/agreement), and with described sockets the looked-up socket's kernel struct
// (test/kfunc/sock-structs.test.ts).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#define TC_ACT_OK 0
#define IPPROTO_TCP 6
#define BPF_F_CURRENT_NETNS (-1)

/* uapi, not in ebpfvm's vmlinux.h */
struct bpf_sock_tuple {
	union {
		struct {
			__be32 saddr;
			__be32 daddr;
			__be16 sport;
			__be16 dport;
		} ipv4;
		struct {
			__be32 saddr[4];
			__be32 daddr[4];
			__be16 sport;
			__be16 dport;
		} ipv6;
	};
};
#define ETH_P_IP 0x0800
#define AF_INET 2
#define SK_STATE_CLOSE 7

#define sk_family __sk_common.skc_family
#define sk_state __sk_common.skc_state
#define sk_rcv_saddr __sk_common.skc_rcv_saddr
#define sk_daddr __sk_common.skc_daddr
#define sk_num __sk_common.skc_num
#define sk_dport __sk_common.skc_dport

/* The test run's socket, read as the kernel's struct sock, written over the packet:
 * family, state, protocol, type, rcv_saddr, daddr, num, dport, rcvbuf, sndbuf, rcvlowat, mark. */
SEC("tc")
int run_sock_fields(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct bpf_sock *bsk = skb->sk;
	struct sock *sk;
	__u32 *out = data;

	if (!bsk)
		return 1;
	sk = bpf_rdonly_cast(bsk, bpf_core_type_id_kernel(struct sock));
	if ((void *)(out + 12) > end)
		return 2;
	out[0] = sk->sk_family;
	out[1] = sk->sk_state;
	out[2] = sk->sk_protocol;
	out[3] = sk->sk_type;
	out[4] = sk->sk_rcv_saddr;
	out[5] = sk->sk_daddr;
	out[6] = sk->sk_num;
	out[7] = sk->sk_dport;
	out[8] = sk->sk_rcvbuf;
	out[9] = sk->sk_sndbuf;
	out[10] = sk->sk_rcvlowat;
	out[11] = sk->sk_mark;
	return 3;
}

/* The uapi view and the kernel view of the run socket agree (family, addresses). */
SEC("tc")
int run_sock_views_agree(struct __sk_buff *skb)
{
	struct bpf_sock *bsk = skb->sk;
	struct sock *sk;
	int bad = 0;

	if (!bsk)
		return 1;
	sk = bpf_rdonly_cast(bsk, bpf_core_type_id_kernel(struct sock));
	if (sk->sk_family != bsk->family)
		bad |= 2;
	if (sk->sk_rcv_saddr != bsk->src_ip4)
		bad |= 4;
	if (sk->sk_daddr != bsk->dst_ip4)
		bad |= 8;
	if (sk->sk_state != bsk->state)
		bad |= 16;
	return 0x100 | bad;
}

/* The bpf_skc_to_* casts on the run socket (no protocol: every cast is NULL) and sk_fullsock. */
SEC("tc")
int run_sock_casts(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	int r = 0;

	if (!sk)
		return -1;
	if (bpf_sk_fullsock(sk))
		r |= 1;
	if (bpf_skc_to_tcp_sock(sk))
		r |= 2;
	if (bpf_skc_to_tcp6_sock(sk))
		r |= 4;
	if (bpf_skc_to_udp6_sock(sk))
		r |= 8;
	if (bpf_skc_to_tcp_timewait_sock(sk))
		r |= 16;
	if (bpf_skc_to_tcp_request_sock(sk))
		r |= 32;
	if (bpf_skc_to_unix_sock(sk))
		r |= 64;
	if (bpf_skc_to_mptcp_sock(sk))
		r |= 128;
	return 0x1000 | r;
}

/* The TCP socket the packet's tuple finds (none on a test run's host; described sockets under
 * ebpfvm): its tcp_sock read through bpf_skc_to_tcp_sock, the reference released through the
 * cast's result (a pointer cast carries the lookup's reference). Returns 1 when nothing is found,
 * else 0x10000 | the local port, after checking the kernel struct against the uapi one. */
SEC("tc")
int lookup_tcp_sock(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct bpf_sock_tuple tuple = {};
	struct iphdr *iph = data + sizeof(struct ethhdr);
	struct tcphdr *th = (void *)(iph + 1);
	struct bpf_sock *sk;
	struct tcp_sock *tp;
	int ret;

	if ((void *)(th + 1) > end)
		return 2;
	/* the socket that would receive this packet: local = the packet's destination */
	tuple.ipv4.saddr = iph->saddr;
	tuple.ipv4.daddr = iph->daddr;
	tuple.ipv4.sport = th->source;
	tuple.ipv4.dport = th->dest;
	sk = bpf_sk_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return 1;
	tp = bpf_skc_to_tcp_sock(sk);
	if (!tp) {
		bpf_sk_release(sk);
		return 3;
	}
	ret = 0x10000 | tp->inet_conn.icsk_inet.sk.__sk_common.skc_num;
	if (tp->inet_conn.icsk_inet.inet_sport != bpf_htons(sk->src_port))
		ret |= 0x100000;
	if (tp->inet_conn.icsk_inet.sk.__sk_common.skc_dport != sk->dst_port)
		ret |= 0x200000;
	if (tp->inet_conn.icsk_inet.sk.sk_protocol != IPPROTO_TCP)
		ret |= 0x400000;
	if (tp->inet_conn.icsk_inet.sk.__sk_common.skc_rcv_saddr != iph->daddr)
		ret |= 0x800000;
	bpf_sk_release((struct bpf_sock *)tp);
	return ret;
}

char _license[] SEC("license") = "GPL";
