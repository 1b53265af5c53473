// BPF_MAP_TYPE_XSKMAP with AF_XDP sockets in it (scripts/record-xskmap.py puts two unbound
// AF_XDP sockets at slots 0 and 2 on the host; test/maps/xskmap-sockets.test.ts puts described
// "xdp" sockets there): what an XDP test run can observe of them. bpf_redirect_map finds a socket
// (XDP_REDIRECT) or takes the fallback action in the flags' low bits; its u64 key is cut to the
// u32 the map's lookup takes; lookups give the socket, whose struct bpf_xdp_sock.queue_id is the
// queue it is bound to (0 unbound), in XDP programs and others alike. A test run without
// BPF_F_TEST_XDP_LIVE_FRAMES delivers nothing.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

SEC("xdp")
int redir_full(struct xdp_md *ctx)
{
	return bpf_redirect_map(&xsks, 0, XDP_DROP);
}

SEC("xdp")
int redir_empty(struct xdp_md *ctx)
{
	return bpf_redirect_map(&xsks, 1, XDP_PASS);
}

SEC("xdp")
int redir_key_cut(struct xdp_md *ctx)
{
	/* 2^32 + 2: the lookup takes a u32 key, so this is slot 2 */
	volatile __u64 key = (1ULL << 32) | 2;

	return bpf_redirect_map(&xsks, key, XDP_TX);
}

SEC("xdp")
int redir_beyond(struct xdp_md *ctx)
{
	return bpf_redirect_map(&xsks, 4, XDP_TX);
}

SEC("xdp")
int redir_broadcast(struct xdp_md *ctx)
{
	/* BPF_F_BROADCAST is for devmaps: XDP_ABORTED */
	return bpf_redirect_map(&xsks, 0, BPF_F_BROADCAST);
}

SEC("xdp")
int redir_bad_action(struct xdp_md *ctx)
{
	/* a fallback beyond the four action bits: XDP_ABORTED, even with a socket in the slot */
	return bpf_redirect_map(&xsks, 0, 4);
}

static __always_inline int queue_of(__u32 key)
{
	struct bpf_xdp_sock *xs = bpf_map_lookup_elem(&xsks, &key);

	return xs ? 1000 + xs->queue_id : 7;
}

SEC("xdp")
int lookup_full(struct xdp_md *ctx)
{
	return queue_of(0);
}

SEC("xdp")
int lookup_slot2(struct xdp_md *ctx)
{
	return queue_of(2);
}

SEC("xdp")
int lookup_empty(struct xdp_md *ctx)
{
	return queue_of(3);
}

SEC("xdp")
int lookup_beyond(struct xdp_md *ctx)
{
	return queue_of(9);
}

SEC("xdp")
int lookup_then_redirect(struct xdp_md *ctx)
{
	__u32 key = 2;

	/* the usual AF_XDP program: redirect only where a socket is */
	if (bpf_map_lookup_elem(&xsks, &key))
		return bpf_redirect_map(&xsks, key, XDP_DROP);
	return XDP_PASS;
}

/* Lookups are not limited to XDP programs: a tc program or a socket filter reads the socket too */
SEC("tc")
int tc_lookup(struct __sk_buff *skb)
{
	return queue_of(0);
}

SEC("socket")
int sf_lookup(struct __sk_buff *skb)
{
	return queue_of(2);
}

/* an xdp_sock is a full socket but not a TCP one */
SEC("xdp")
int xdp_skc_to_tcp(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct bpf_sock *sk = bpf_map_lookup_elem(&xsks, &key);

	if (!sk)
		return 1;
	return bpf_skc_to_tcp_sock(sk) ? 5 : 6;
}

char LICENSE[] SEC("license") = "GPL";
