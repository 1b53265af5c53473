// bpf_cast_to_kern_ctx in xdp and tc programs, against the host kernel
// (test/fixtures/kernel-progs-local/kf_cast_net.json, scripts/kernel-progs.mjs --record-object):
//  - xdp: the kernel's struct xdp_buff, made from the xdp_md (helpers/kfuncs.ts), with loopback's
//    receive queue, device and namespace behind it (src/btf/builtin-netdev.ts);
//  - tc: the kernel sk_buff's head and end, whose sum is skb_shinfo(skb): a linear skb, no frags.
// Every value is folded into the return value, so the fixture checks each read.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
/* libbpf 1.1 predates bpf_core_cast */
#define bpf_core_cast(ptr, type) ((type *)bpf_rdonly_cast((ptr), bpf_core_type_id_kernel(type)))

/* the packet length seen both ways, loopback's ifindex and queue, its name, a namespace inode */
SEC("xdp")
int xdp_buff_dev(struct xdp_md *ctx)
{
	struct xdp_buff *x = bpf_cast_to_kern_ctx(ctx);
	struct net_device *dev = x->rxq->dev;
	long len = (long)x->data_end - (long)x->data;
	long meta = (long)x->data - (long)x->data_meta;
	int ret = 0;

	if (len == ctx->data_end - ctx->data)
		ret += 1;
	if (meta == 0)
		ret += 2;
	if ((long)x->data - (long)x->data_hard_start >= 256)
		ret += 4;
	if (dev->name[0] == 'l' && dev->name[1] == 'o' && dev->name[2] == 0)
		ret += 8;
	if (dev->nd_net.net->ns.inum != 0)
		ret += 16;
	return ret + 100 * dev->ifindex + 1000 * x->rxq->queue_index + 10000 * ctx->ingress_ifindex;
}

/* skb_shinfo(skb) = head + end: after the packet, no frags, no frag_list */
SEC("tc")
int skb_shinfo_read(struct __sk_buff *skb)
{
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);
	struct skb_shared_info *sh = bpf_core_cast(k->head + k->end, struct skb_shared_info);
	int ret = 0;

	if ((long)(k->head + k->end) >= (long)skb->data_end)
		ret += 1;
	if (sh->nr_frags == 0)
		ret += 2;
	if (sh->frag_list == 0)
		ret += 4;
	if (sh->meta_len == 0)
		ret += 8;
	return ret + 100 * k->len;
}

char LICENSE[] SEC("license") = "GPL";
