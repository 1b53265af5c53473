// Networking helpers on the test runs' skbs, frames and lookups: one program per helper, each
// writing the helper's return values over the packet (data_out) or packing them into retval, so
// the host kernel's answers are diffed value by value. Host results recorded with
// `node scripts/kernel-progs.mjs --record-object test/progs/run_net.o`
// (test/fixtures/kernel-progs-local/run_net.json).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* not in libbpf 1.1's helper definitions */
static long (*set_tstamp)(struct __sk_buff *skb, __u64 tstamp, __u32 type) = (void *)192;

#define N 13 /* results that fit the 54-byte pkt_v4 */

/* Write res[0..n) as s32 over the start of [data, end); return how many fit. */
static __always_inline int put(void *data, void *end, const int *res, int n)
{
	int i, done = 0;

	for (i = 0; i < N; i++) {
		if (i >= n || data + (i + 1) * 4 > end)
			break;
		((int *)data)[i] = res[i];
		done++;
	}
	return done;
}

static __always_inline int fib_cases(void *ctx, int *r)
{
	struct bpf_fib_lookup p = {};
	unsigned char *b = (void *)&p;
	int i, sum = 0;

	r[0] = bpf_fib_lookup(ctx, &p, sizeof(p), 0);          /* family 0 */
	r[1] = bpf_fib_lookup(ctx, &p, sizeof(p) - 1, 0);      /* short */
	p.family = 2;
	r[2] = bpf_fib_lookup(ctx, &p, sizeof(p), 0x40);       /* unknown flag */
	r[3] = bpf_fib_lookup(ctx, &p, sizeof(p), 0);          /* ifindex 0 */
	p.ifindex = 1;
	p.ipv4_dst = bpf_htonl(0x0a000002);
	r[4] = bpf_fib_lookup(ctx, &p, sizeof(p), 0);          /* lo */
	r[5] = bpf_fib_lookup(ctx, &p, sizeof(p), BPF_FIB_LOOKUP_OUTPUT | BPF_FIB_LOOKUP_DIRECT);
	p.ifindex = 999;
	r[6] = bpf_fib_lookup(ctx, &p, sizeof(p), 0);          /* no such device */
	__builtin_memset(&p, 0, sizeof(p));
	p.family = 10;
	p.ifindex = 1;
	p.ipv6_dst[3] = bpf_htonl(1);                           /* ::1 */
	r[7] = bpf_fib_lookup(ctx, &p, sizeof(p), 0);
	p.ipv6_dst[0] = bpf_htonl(0xfe800000);                  /* fe80::1 */
	r[8] = bpf_fib_lookup(ctx, &p, sizeof(p), 0);
	p.ipv6_dst[0] = bpf_htonl(0xff020000);                  /* ff02::1 */
	r[9] = bpf_fib_lookup(ctx, &p, sizeof(p), 0);
	p.ipv6_dst[0] = bpf_htonl(0x20010db8);                  /* 2001:db8::1 */
	r[10] = bpf_fib_lookup(ctx, &p, sizeof(p), 0);
	p.ifindex = 999;
	r[11] = bpf_fib_lookup(ctx, &p, sizeof(p), 0);
	for (i = 0; i < sizeof(p); i++)                         /* params as they came back */
		sum = sum * 31 + b[i];
	r[12] = sum;
	return N;
}

SEC("tc")
int fib_tc(struct __sk_buff *skb)
{
	int r[N];
	int n = fib_cases(skb, r);

	return put((void *)(long)skb->data, (void *)(long)skb->data_end, r, n);
}

SEC("xdp")
int fib_xdp(struct xdp_md *xdp)
{
	int r[N];
	int n = fib_cases(xdp, r);

	return put((void *)(long)xdp->data, (void *)(long)xdp->data_end, r, n);
}

/* bpf_tcp_gen_syncookie / bpf_tcp_check_syncookie with the run's own socket (not a listener) */
SEC("tc")
int syncookie(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct bpf_sock *sk = skb->sk;
	int r[6] = {};

	if (!sk)
		return 1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 2;
	if (data + 54 > end)
		return 3;
	r[0] = bpf_tcp_gen_syncookie(sk, data + 14, 20, data + 34, 20);
	r[1] = bpf_tcp_gen_syncookie(sk, data + 14, 20, data + 34, 19);
	r[2] = bpf_tcp_check_syncookie(sk, data + 14, 20, data + 34, 20);
	r[3] = bpf_tcp_check_syncookie(sk, data + 14, 19, data + 34, 20);
	r[4] = bpf_tcp_check_syncookie(sk, data + 14, 20, data + 34, 19);
	r[5] = sk->state;
	return put(data, end, r, 6);
}

/* bpf_sk_assign in tc: a test run's skb is not at ingress */
SEC("tc")
int assign_tc(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	int a, b;

	if (!sk)
		return 1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 2;
	a = bpf_sk_assign(skb, sk, 0);
	b = bpf_sk_assign(skb, sk, 1);
	return -a * 1000 - b;
}

/* bpf_sk_assign in sk_lookup: each program's verdict says whether its case held */
SEC("sk_lookup")
int assign_null(struct bpf_sk_lookup *ctx)
{
	return bpf_sk_assign(ctx, NULL, 0) == 0 && !ctx->sk ? SK_PASS : SK_DROP;
}

SEC("sk_lookup")
int assign_null_twice(struct bpf_sk_lookup *ctx)
{
	bpf_sk_assign(ctx, NULL, 0);
	return bpf_sk_assign(ctx, NULL, 0) == 0 ? SK_PASS : SK_DROP;
}

SEC("sk_lookup")
int assign_bad_flags(struct bpf_sk_lookup *ctx)
{
	return bpf_sk_assign(ctx, NULL, 4) == -22 ? SK_PASS : SK_DROP;
}

SEC("sk_lookup")
int assign_flags_ok(struct bpf_sk_lookup *ctx)
{
	return bpf_sk_assign(ctx, NULL, BPF_SK_LOOKUP_F_REPLACE | BPF_SK_LOOKUP_F_NO_REUSEPORT) == 0 ? SK_PASS : SK_DROP;
}

/* skb_cgroup_id, skb_ancestor_cgroup_id of the run's socket (tc) */
SEC("tc")
int cgroup_tc(struct __sk_buff *skb)
{
	int r[4];

	r[0] = bpf_skb_cgroup_id(skb);
	r[1] = bpf_skb_ancestor_cgroup_id(skb, 0);
	r[2] = bpf_skb_ancestor_cgroup_id(skb, 1);
	r[3] = bpf_skb_ancestor_cgroup_id(skb, -1);
	return put((void *)(long)skb->data, (void *)(long)skb->data_end, r, 4);
}

/* sk_cgroup_id, sk_ancestor_cgroup_id (cgroup_skb: the verdict is the case) */
SEC("cgroup_skb/ingress")
int cgroup_sk_same(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return 0;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 0;
	return bpf_sk_cgroup_id(sk) == bpf_skb_cgroup_id(skb) && bpf_sk_cgroup_id(sk) != 0;
}

SEC("cgroup_skb/ingress")
int cgroup_sk_level1(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return 0;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 0;
	return bpf_sk_ancestor_cgroup_id(sk, 1) == 0 && bpf_sk_ancestor_cgroup_id(sk, 0) == bpf_sk_cgroup_id(sk);
}

/* bpf_skb_set_tstamp and what __sk_buff reads back */
SEC("tc")
int tstamp(struct __sk_buff *skb)
{
	int r[8];

	r[0] = set_tstamp(skb, 0, 1);      /* MONOTONIC needs a time */
	r[1] = set_tstamp(skb, 100, 3);    /* unknown type */
	r[2] = set_tstamp(skb, 0, 0);      /* REALTIME 0 */
	r[3] = set_tstamp(skb, 5000, 2);   /* TAI */
	r[4] = skb->tstamp;
	r[5] = skb->tstamp_type;
	r[6] = set_tstamp(skb, 7000, 1);
	r[7] = skb->tstamp + skb->tstamp_type;
	return put((void *)(long)skb->data, (void *)(long)skb->data_end, r, 8);
}

/* bpf_skb_set_tunnel_key: flags, sizes (current and the compat layouts), label and ext checks */
SEC("tc")
int tunnel(struct __sk_buff *skb)
{
	struct bpf_tunnel_key k = { .tunnel_id = 42, .remote_ipv4 = 0x0a000001, .tunnel_ttl = 64 };
	int r[10];

	r[0] = bpf_skb_set_tunnel_key(skb, &k, sizeof(k), 0);
	r[1] = bpf_skb_set_tunnel_key(skb, &k, sizeof(k), 1 << 5);
	r[2] = bpf_skb_set_tunnel_key(skb, &k, 28, 0);
	r[3] = bpf_skb_set_tunnel_key(skb, &k, 24, 0);
	r[4] = bpf_skb_set_tunnel_key(skb, &k, 22, 0);
	r[5] = bpf_skb_set_tunnel_key(skb, &k, 8, 0);
	r[6] = bpf_skb_set_tunnel_key(skb, &k, 40, 0);
	k.tunnel_label = 7;
	r[7] = bpf_skb_set_tunnel_key(skb, &k, sizeof(k), 0);
	r[8] = bpf_skb_set_tunnel_key(skb, &k, sizeof(k), BPF_F_TUNINFO_IPV6 | BPF_F_ZERO_CSUM_TX);
	k.tunnel_ext = 1;
	r[9] = bpf_skb_set_tunnel_key(skb, &k, sizeof(k), BPF_F_TUNINFO_IPV6);
	return put((void *)(long)skb->data, (void *)(long)skb->data_end, r, 10);
}

/* bpf_csum_update: the run's skb is never CHECKSUM_COMPLETE */
SEC("tc")
int csum_update(struct __sk_buff *skb)
{
	int a = bpf_csum_update(skb, 0x1234);
	int b;

	bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
	b = bpf_csum_update(skb, 0);
	return -a * 1000 - b;
}

/* bpf_skb_change_proto: IPv4 to IPv6 inserts 20 zero bytes after the MAC header */
SEC("tc")
int change_proto(struct __sk_buff *skb)
{
	int a = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 1);
	int b = bpf_skb_change_proto(skb, bpf_htons(0x1234), 0);
	int c = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0);

	return -a * 1000000 - b * 1000 - c + (skb->protocol == bpf_htons(ETH_P_IPV6) ? 1000000000 : 0) + skb->len * 10000000;
}

/* and back: IPv6 to IPv4 removes them again */
SEC("tc")
int change_proto_back(struct __sk_buff *skb)
{
	int a = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0);
	int b = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IP), 0);

	return -a * 1000 - b + (skb->protocol == bpf_htons(ETH_P_IP) ? 1000000 : 0);
}

/* bpf_xdp_load_bytes / bpf_xdp_store_bytes */
SEC("xdp")
int xdp_bytes(struct xdp_md *xdp)
{
	char buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	char in[8] = {};
	int a, b, c, d, e;

	a = bpf_xdp_load_bytes(xdp, 12, in, sizeof(in));
	b = bpf_xdp_load_bytes(xdp, 60, in, sizeof(in));
	c = bpf_xdp_load_bytes(xdp, 0x10000, in, 4);
	d = bpf_xdp_store_bytes(xdp, 4, buf, sizeof(buf));
	e = bpf_xdp_store_bytes(xdp, 50, buf, sizeof(buf));
	/* what was loaded lands at offset 20 */
	bpf_xdp_store_bytes(xdp, 20, in, sizeof(in));
	return -a * 100000000 - b * 1000000 - c * 10000 - d * 100 - e;
}

/* bpf_skc_to_tcp_sock / bpf_skc_to_tcp_request_sock on the run's socket (no protocol) */
SEC("tc")
int skc_casts(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return 100;
	return (bpf_skc_to_tcp_sock(sk) ? 1 : 0) + (bpf_skc_to_tcp_request_sock(sk) ? 2 : 0) + 10;
}

/* The programs below take a socket from socks[0], which user space fills with a described
 * socket (test/helpers/net.test.ts); the host recording runs them with the map empty. */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} socks SEC(".maps");

/* the only .bss: words 0 and 1 are set by user space, the results follow */
struct {
	__u64 assign_flags;
	__u64 assign_twice;
	long res[4];
} io;

SEC("sk_lookup")
int assign_map(struct bpf_sk_lookup *ctx)
{
	__u32 zero = 0;
	struct bpf_sock *sk = bpf_map_lookup_elem(&socks, &zero);

	if (!sk)
		return SK_DROP;
	io.res[0] = bpf_sk_assign(ctx, sk, io.assign_flags);
	io.res[1] = io.assign_twice ? bpf_sk_assign(ctx, sk, 0) : 0;
	io.res[2] = ctx->sk == sk;
	bpf_sk_release(sk);
	return SK_PASS;
}

SEC("tc")
int syncookie_map(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u32 zero = 0;
	struct bpf_sock *sk;

	if (data + 58 > end)
		return 1;
	sk = bpf_map_lookup_elem(&socks, &zero);
	if (!sk)
		return 2;
	/* a TCP header with the MSS option: 24 bytes, as gen wants th_len == doff * 4 */
	io.res[0] = bpf_tcp_gen_syncookie(sk, data + 14, 20, data + 34, 24);
	io.res[1] = bpf_tcp_check_syncookie(sk, data + 14, 20, data + 34, 20);
	io.res[2] = bpf_tcp_gen_syncookie(sk, data + 14, 40, data + 34, 24);
	io.res[3] = bpf_tcp_gen_syncookie(sk, data + 14, 20, data + 34, 20);
	bpf_sk_release(sk);
	return 0;
}

SEC("tc")
int casts_map(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct bpf_sock *sk = bpf_map_lookup_elem(&socks, &zero);

	if (!sk)
		return 2;
	/* non-NULL for the socket's kind (under ebpfvm the cast's result is the socket's kernel
	 * struct, a different address than its bpf_sock pointer: test/kfunc/sock-structs.test.ts) */
	io.res[0] = bpf_skc_to_tcp_sock(sk) != NULL;
	io.res[1] = bpf_skc_to_tcp_request_sock(sk) != NULL;
	bpf_sk_release(sk);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
