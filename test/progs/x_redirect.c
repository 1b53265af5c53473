// redirect, redirect_map (devmap, devmap_hash, cpumap) and clone_redirect: the actions the
// kernel returns. The maps are filled by the test (slot 0 of each -> loopback / CPU 0).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_DEVMAP); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } dm SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_DEVMAP_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } dmh SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_CPUMAP); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } cm SEC(".maps");

long res[16];

SEC("xdp")
int x_redirect_xdp(struct xdp_md *ctx)
{
	int i = 0;

	res[i++] = bpf_redirect_map(&dm, 0, 0);                 /* XDP_REDIRECT */
	res[i++] = bpf_redirect_map(&dm, 1, XDP_PASS);          /* empty slot: XDP_PASS */
	res[i++] = bpf_redirect_map(&dm, 9, XDP_DROP);          /* out of range: XDP_DROP */
	res[i++] = bpf_redirect_map(&dm, 0, 1 << 5);            /* bad flags: XDP_ABORTED */
	res[i++] = bpf_redirect_map(&dmh, 0, XDP_TX);           /* REDIRECT */
	res[i++] = bpf_redirect_map(&dmh, 3, XDP_TX);           /* XDP_TX */
	res[i++] = bpf_redirect_map(&cm, 0, 0);                 /* REDIRECT */
	res[i++] = bpf_redirect_map(&cm, 1, XDP_PASS);          /* PASS */
	res[i++] = bpf_redirect_map(&cm, 0, BPF_F_BROADCAST);   /* cpumap takes no broadcast: ABORTED */
	res[i++] = bpf_redirect(1, 0);                          /* XDP_REDIRECT */
	res[i++] = bpf_redirect(1, BPF_F_INGRESS);              /* XDP_ABORTED */
	{
		__u32 k0 = 0, k1 = 1, *v;

		v = bpf_map_lookup_elem(&dm, &k0);                  /* the target's value, read-only */
		res[i++] = v ? *v : -1;
		v = bpf_map_lookup_elem(&dm, &k1);
		res[i++] = v ? *v : -1;
	}
	return XDP_PASS;
}

SEC("tc")
int x_redirect_tc(struct __sk_buff *skb)
{
	int i = 0;

	res[i++] = bpf_redirect(1, 0);                          /* TC_ACT_REDIRECT */
	res[i++] = bpf_redirect(1, BPF_F_INGRESS);              /* TC_ACT_REDIRECT */
	res[i++] = bpf_redirect(1, 2);                          /* TC_ACT_SHOT */
	res[i++] = bpf_clone_redirect(skb, 99, 0);              /* no such device: -EINVAL */
	res[i++] = bpf_clone_redirect(skb, 1, 4);               /* bad flags: -EINVAL */
	res[i++] = bpf_clone_redirect(skb, 1, 0);               /* a clone out of loopback: 0 */
	return 0; /* TC_ACT_OK */
}

char LICENSE[] SEC("license") = "GPL";
