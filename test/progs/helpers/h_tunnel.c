// skb_get_tunnel_key, skb_get_tunnel_opt, skb_set_tunnel_opt and skb_get_xfrm_state on a tc test
// run, whose skb carries no tunnel metadata or IPsec state until skb_set_tunnel_key attaches some
// in the same run. Each program copies the helper's output buffer into the packet (data_out) and
// returns the helper's result, so both the errno and the buffer's bytes are compared with the
// host kernel's (test/fixtures/kernel-progs-local/h_tunnel.json). Found by the Linux 6.1
// selftest sweep (test_tunnel_kern.c).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define F_IPV6 1
#define F_ZERO_CSUM_TX 2
#define F_DONT_FRAGMENT 4
#define F_SEQ 8
#define F_FLAGS 16 /* BPF_F_TUNINFO_FLAGS on get, BPF_F_NO_TUNNEL_KEY on set */

static __always_inline void fill(void *p, int n)
{
	for (int i = 0; i < n; i++)
		((__u8 *)p)[i] = 0xa5;
}

static __always_inline int set_v4(struct __sk_buff *skb, __u64 flags)
{
	struct bpf_tunnel_key k = {};

	k.tunnel_id = 0x123456;
	k.remote_ipv4 = 0x0a000001;
	k.local_ipv4 = 0x0a000002;
	k.tunnel_tos = 3;
	k.tunnel_ttl = 64;
	return bpf_skb_set_tunnel_key(skb, &k, sizeof(k), flags);
}

/* A test-run skb has no tunnel metadata: -EINVAL, the buffer zeroed. */
SEC("tc")
int get_key_fresh(struct __sk_buff *skb)
{
	struct bpf_tunnel_key k;
	int r;

	fill(&k, sizeof(k));
	r = bpf_skb_get_tunnel_key(skb, &k, sizeof(k), 0);
	bpf_skb_store_bytes(skb, 0, &k, sizeof(k), 0);
	return -r;
}

/* What set_tunnel_key attached reads back (remote and local swap: the receive view), with the
 * tun_flags as be16 under BPF_F_TUNINFO_FLAGS. */
SEC("tc")
int set_get_v4(struct __sk_buff *skb)
{
	struct bpf_tunnel_key k;
	int r = set_v4(skb, F_DONT_FRAGMENT | F_SEQ);

	if (r)
		return 1000 - r;
	fill(&k, sizeof(k));
	r = bpf_skb_get_tunnel_key(skb, &k, sizeof(k), F_FLAGS);
	bpf_skb_store_bytes(skb, 0, &k, sizeof(k), 0);
	return -r;
}

/* Without BPF_F_TUNINFO_FLAGS tunnel_ext reads 0; NO_TUNNEL_KEY and ZERO_CSUM_TX change the flags. */
SEC("tc")
int set_get_v4_noflags(struct __sk_buff *skb)
{
	struct bpf_tunnel_key k, f;
	int r = set_v4(skb, F_ZERO_CSUM_TX | F_FLAGS);

	if (r)
		return 1000 - r;
	fill(&k, sizeof(k));
	r = bpf_skb_get_tunnel_key(skb, &k, sizeof(k), 0);
	r = r * 100 + bpf_skb_get_tunnel_key(skb, &f, sizeof(f), F_FLAGS);
	k.tunnel_ext = f.tunnel_ext;
	bpf_skb_store_bytes(skb, 0, &k, sizeof(k), 0);
	return -r;
}

SEC("tc")
int set_get_v6(struct __sk_buff *skb)
{
	struct bpf_tunnel_key k = {};
	int r;

	k.tunnel_id = 7;
	k.remote_ipv6[0] = 0x20010db8;
	k.remote_ipv6[3] = 1;
	k.local_ipv6[0] = 0x20010db8;
	k.local_ipv6[3] = 2;
	k.tunnel_label = 0xabcde;
	k.tunnel_ttl = 9;
	r = bpf_skb_set_tunnel_key(skb, &k, sizeof(k), F_IPV6);
	if (r)
		return 1000 - r;
	fill(&k, sizeof(k));
	r = bpf_skb_get_tunnel_key(skb, &k, sizeof(k), F_IPV6);
	bpf_skb_store_bytes(skb, 0, &k, sizeof(k), 0);
	return -r;
}

/* IPv4 metadata read as IPv6: -EPROTO; unknown flags: -EINVAL; the old 8-byte layout (IPv4
 * only) and a size of no layout. */
SEC("tc")
int get_key_errors(struct __sk_buff *skb)
{
	struct bpf_tunnel_key k;
	int a, b, c, d;

	if (set_v4(skb, 0))
		return 1;
	fill(&k, sizeof(k));
	a = bpf_skb_get_tunnel_key(skb, &k, sizeof(k), F_IPV6);
	b = bpf_skb_get_tunnel_key(skb, &k, sizeof(k), F_ZERO_CSUM_TX);
	c = bpf_skb_get_tunnel_key(skb, &k, 12, 0);
	fill(&k, sizeof(k));
	d = bpf_skb_get_tunnel_key(skb, &k, 8, 0);
	bpf_skb_store_bytes(skb, 0, &k, sizeof(k), 0);
	return (-a) * 1000000 + (-b) * 10000 + (-c) * 100 + (-d);
}

/* Options: none without a key (-EINVAL to set, -ENOENT to get), a size not a multiple of 4
 * (-EINVAL), too big (-ENOMEM); read back with the rest of the buffer zeroed, or -ENOMEM into a
 * buffer too small. */
SEC("tc")
int tunnel_opts(struct __sk_buff *skb)
{
	__u8 opt[12] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	__u8 big[260] = {};
	__u8 out[16];
	int a, b, c, d, e, f, g;

	a = bpf_skb_set_tunnel_opt(skb, opt, 8);
	fill(out, sizeof(out));
	b = bpf_skb_get_tunnel_opt(skb, out, sizeof(out));
	if (set_v4(skb, 0))
		return 1;
	fill(out, sizeof(out));
	c = bpf_skb_get_tunnel_opt(skb, out, sizeof(out));
	d = bpf_skb_set_tunnel_opt(skb, opt, 6);
	e = bpf_skb_set_tunnel_opt(skb, big, sizeof(big));
	f = bpf_skb_set_tunnel_opt(skb, opt, 8);
	g = bpf_skb_get_tunnel_opt(skb, out, 4);
	fill(out, sizeof(out));
	f = f * 100 + bpf_skb_get_tunnel_opt(skb, out, sizeof(out));
	bpf_skb_store_bytes(skb, 0, out, sizeof(out), 0);
	return (-a) * 100000000 + (-b) * 1000000 + (-c) * 10000 + (-d) * 100 + (-e) + (-g) * 1000 + f * 10000000;
}

/* set_tunnel_key again clears the options it had. */
SEC("tc")
int opts_cleared(struct __sk_buff *skb)
{
	__u8 opt[4] = { 9, 9, 9, 9 };
	__u8 out[8];
	int a, b;

	set_v4(skb, 0);
	a = bpf_skb_set_tunnel_opt(skb, opt, 4);
	set_v4(skb, 0);
	fill(out, sizeof(out));
	b = bpf_skb_get_tunnel_opt(skb, out, sizeof(out));
	bpf_skb_store_bytes(skb, 0, out, sizeof(out), 0);
	return a * 100 - b;
}

/* No IPsec state on a test-run skb. */
SEC("tc")
int xfrm_state(struct __sk_buff *skb)
{
	struct bpf_xfrm_state x;
	int r;

	fill(&x, sizeof(x));
	r = bpf_skb_get_xfrm_state(skb, 0, &x, sizeof(x), 0);
	bpf_skb_store_bytes(skb, 0, &x, sizeof(x), 0);
	return -r;
}

char _license[] SEC("license") = "GPL";
