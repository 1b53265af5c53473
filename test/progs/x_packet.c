// Packet rewriting from tc and XDP; data_out shows the result, res[] the return codes.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

long res[16];

#define IP_CSUM (ETH_HLEN + 10)
#define IP_DST (ETH_HLEN + 16)
#define UDP_CSUM (ETH_HLEN + 20 + 6)

/* Rewrite the IPv4 destination and fix both checksums, TTL via a 2-byte replace, a by-diff
 * replace, and the error cases. */
SEC("tc")
int x_store_csum(struct __sk_buff *skb)
{
	__u32 old_ip, new_ip = bpf_htonl(0xc0a80107);
	__u16 old_ttl, new_ttl;
	__u8 ttl_proto[2];
	int i = 0;

	if (bpf_skb_load_bytes(skb, IP_DST, &old_ip, 4))
		return 1;
	res[i++] = bpf_skb_store_bytes(skb, IP_DST, &new_ip, 4, 0);
	res[i++] = bpf_l3_csum_replace(skb, IP_CSUM, old_ip, new_ip, 4);
	res[i++] = bpf_l4_csum_replace(skb, UDP_CSUM, old_ip, new_ip, BPF_F_PSEUDO_HDR | 4);
	if (bpf_skb_load_bytes(skb, ETH_HLEN + 8, ttl_proto, 2))
		return 1;
	old_ttl = *(__u16 *)ttl_proto;
	ttl_proto[0] -= 1;
	new_ttl = *(__u16 *)ttl_proto;
	res[i++] = bpf_skb_store_bytes(skb, ETH_HLEN + 8, ttl_proto, 2, 0);
	res[i++] = bpf_l3_csum_replace(skb, IP_CSUM, old_ttl, new_ttl, 2);
	{
		__u32 a = 0x01020304, b = 0x0a0b0c0d;
		__s64 diff = bpf_csum_diff(&a, 4, &b, 4, 0);
		res[i++] = bpf_l4_csum_replace(skb, ETH_HLEN + 34, 0, diff, 0); /* payload word as a csum */
	}
	res[i++] = bpf_l3_csum_replace(skb, IP_CSUM + 1, 0, 0, 2);          /* odd offset: -EFAULT */
	res[i++] = bpf_l3_csum_replace(skb, IP_CSUM, 1, 2, 0);              /* by diff with from: -EINVAL */
	res[i++] = bpf_l3_csum_replace(skb, IP_CSUM, 1, 2, 3);              /* size 3: -EINVAL */
	res[i++] = bpf_l4_csum_replace(skb, UDP_CSUM, 0, 0x1234, BPF_F_MARK_MANGLED_0 | 2); /* csum 0 kept */
	res[i++] = bpf_skb_store_bytes(skb, skb->len - 2, &new_ip, 4, 0);  /* past the end: -EFAULT */
	res[i++] = bpf_skb_store_bytes(skb, 0, &new_ip, 4, 8);             /* bad flags: -EINVAL */
	res[i++] = bpf_skb_pull_data(skb, skb->len);                       /* 0 */
	res[i++] = bpf_skb_pull_data(skb, skb->len + 1);                   /* -ENOMEM */
	return 0;
}

SEC("tc")
int x_change_tail(struct __sk_buff *skb)
{
	__u32 len = skb->len;
	__u8 mark[2] = { 0xee, 0xff };
	int i = 0;

	res[i++] = bpf_skb_change_tail(skb, len + 6, 0);
	res[i++] = skb->len;
	res[i++] = bpf_skb_store_bytes(skb, len + 4, mark, 2, 0);
	res[i++] = bpf_skb_change_tail(skb, 13, 0);          /* below the network header: -EINVAL */
	res[i++] = bpf_skb_change_tail(skb, 16065, 0);       /* above the max: -EINVAL */
	res[i++] = bpf_skb_change_tail(skb, len, 1);         /* flags: -EINVAL */
	res[i++] = bpf_skb_change_tail(skb, 16064, 0);       /* the max: 0 */
	res[i++] = bpf_skb_change_tail(skb, len + 6, 0);     /* back */
	return skb->len;
}

SEC("tc")
int x_change_head(struct __sk_buff *skb)
{
	__u8 eth[ETH_HLEN] = { 0xaa, 0xbb };
	int i = 0;

	res[i++] = bpf_skb_change_head(skb, ETH_HLEN, 0);
	res[i++] = skb->len;
	res[i++] = bpf_skb_store_bytes(skb, 0, eth, 2, 0);
	res[i++] = bpf_skb_change_head(skb, 4, 1);            /* flags: -EINVAL */
	res[i++] = bpf_skb_change_head(skb, 0x10000, 0);      /* too long: -EINVAL */
	return skb->len;
}

SEC("tc")
int x_adjust_room(struct __sk_buff *skb)
{
	int i = 0;

	res[i++] = bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_MAC, 0);
	res[i++] = skb->len;
	res[i++] = bpf_skb_adjust_room(skb, 4, BPF_ADJ_ROOM_NET, 0);
	res[i++] = bpf_skb_adjust_room(skb, -4, BPF_ADJ_ROOM_NET, 0);
	res[i++] = bpf_skb_adjust_room(skb, -8, BPF_ADJ_ROOM_MAC, 0);
	res[i++] = bpf_skb_adjust_room(skb, 0x1000, BPF_ADJ_ROOM_MAC, 0);   /* -EFAULT */
	res[i++] = bpf_skb_adjust_room(skb, 4, 7, 0);                      /* bad mode */
	res[i++] = bpf_skb_adjust_room(skb, -60, BPF_ADJ_ROOM_NET, 0);     /* too short */
	res[i++] = skb->len;
	res[i++] = bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_FIXED_GSO);
	res[i++] = bpf_skb_adjust_room(skb, -8, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_NO_CSUM_RESET);
	res[i++] = bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_MAC, 1ULL << 12);               /* -EINVAL */
	return 0;
}

SEC("xdp")
int x_xdp_head(struct xdp_md *ctx)
{
	int i = 0;

	res[i++] = bpf_xdp_adjust_head(ctx, -217);           /* into struct xdp_frame: -EINVAL */
	res[i++] = bpf_xdp_adjust_head(ctx, -216);           /* 0 */
	res[i++] = ctx->data_end - ctx->data;
	res[i++] = bpf_xdp_adjust_head(ctx, 216 + 4);        /* drop 4 bytes of the packet */
	res[i++] = bpf_xdp_adjust_head(ctx, 60);             /* fewer than ETH_HLEN left: -EINVAL */
	res[i++] = bpf_xdp_adjust_meta(ctx, -8);             /* 0 */
	res[i++] = bpf_xdp_adjust_meta(ctx, -28);            /* 36 bytes: -EACCES */
	res[i++] = bpf_xdp_adjust_meta(ctx, -2);             /* unaligned: -EACCES */
	res[i++] = bpf_xdp_adjust_meta(ctx, 12);             /* past data: -EINVAL */
	res[i++] = bpf_xdp_adjust_head(ctx, -8);             /* moves the metadata along */
	res[i++] = ctx->data - ctx->data_meta;
	return XDP_PASS;
}

SEC("xdp")
int x_xdp_tail(struct xdp_md *ctx)
{
	int i = 0;
	long len = ctx->data_end - ctx->data;

	res[i++] = bpf_xdp_adjust_tail(ctx, 3776 - 256 - len + 1);   /* beyond the frame: -EINVAL */
	res[i++] = bpf_xdp_adjust_tail(ctx, 3776 - 256 - len);       /* the whole frame: 0 */
	res[i++] = ctx->data_end - ctx->data;
	res[i++] = bpf_xdp_adjust_tail(ctx, -(3776 - 256 - len) - 4);
	res[i++] = ctx->data_end - ctx->data;
	res[i++] = bpf_xdp_adjust_tail(ctx, 14 - (ctx->data_end - ctx->data) - 1);   /* below ETH_HLEN */
	res[i++] = bpf_xdp_adjust_tail(ctx, 2);                      /* zero-filled */
	return XDP_PASS;
}

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");

/* LD_ABS after the packet grew at the front and the back: offsets follow the new skb->data. */
SEC("tc")
int x_ldabs_moved(struct __sk_buff *skb)
{
	__u32 len = skb->len;

	if (bpf_skb_change_head(skb, 4, 0) || bpf_skb_change_tail(skb, len + 4 + 2, 0))
		return 1;
	res[0] = load_byte(skb, 4 + 6);       /* old source MAC byte 0: 0x02 */
	res[1] = load_half(skb, 4 + 12);      /* ethertype 0x0800 */
	res[2] = load_half(skb, len + 4);     /* the zeroed tail */
	return 0;
}

/* get_hash_recalc: ebpfvm's value is its own (the kernel seeds its flow hash at boot), so this
 * program is not a kernel-agreement case; the test checks it is stable and flow-dependent. */
SEC("tc")
int x_hash(struct __sk_buff *skb)
{
	res[0] = bpf_get_hash_recalc(skb);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
