// bpf_sk_lookup_tcp/udp, bpf_skc_lookup_tcp and bpf_sk_release from tc: in a namespace with no
// socket on the looked-up port every lookup is NULL, as are bad tuple sizes, non-zero flags and
// a netns id; a socket found would be released. res[] counts what was found (0 on the host and
// in ebpfvm without described sockets; test/maps/sockmap.test.ts runs it with a socket table).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

long res[12];

static __always_inline long found(struct bpf_sock *sk)
{
	if (!sk)
		return 0;
	bpf_sk_release(sk);
	return 1;
}

SEC("tc")
int m_sk_lookup(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;
	int i = 0;

	t.ipv4.saddr = bpf_htonl(0x0a000001);
	t.ipv4.daddr = bpf_htonl(0x0a000002);
	t.ipv4.sport = bpf_htons(40000);
	t.ipv4.dport = bpf_htons(40123);
	res[i++] = found(bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0));
	res[i++] = found(bpf_sk_lookup_udp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0));
	res[i++] = found(bpf_skc_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0));
	res[i++] = found(bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4) + 1, BPF_F_CURRENT_NETNS, 0));
	res[i++] = found(bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 1));
	res[i++] = found(bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), 0x7fff0000, 0));
	res[i++] = found(bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv6), BPF_F_CURRENT_NETNS, 0));
	return i;
}

char _license[] SEC("license") = "GPL";
