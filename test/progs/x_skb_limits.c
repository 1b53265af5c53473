// Growth limits of skb_adjust_room and what skb_change_tail accepts afterwards (issue 11, kernel
// agreement). Return codes and skb->len after each step in res[]; data_out shows the packet.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

long res[24];

SEC("tc")
int x_adjust_room_limit(struct __sk_buff *skb)
{
	int i = 0, n;

	for (n = 0; n < 5; n++) {
		res[i++] = bpf_skb_adjust_room(skb, 0xfff, BPF_ADJ_ROOM_MAC, 0);
		res[i++] = skb->len;
	}
	res[i++] = bpf_skb_change_tail(skb, skb->len - 100, 0);
	res[i++] = skb->len;
	res[i++] = bpf_skb_change_tail(skb, 100, 0);
	res[i++] = skb->len;
	return i;
}

char LICENSE[] SEC("license") = "GPL";

/* The shortest length change_tail accepts after growing by d bytes (it cannot trim below the
 * transport header pskb_expand_head set): 1000 + error when the growth fails. */
static __always_inline long shortest_tail(struct __sk_buff *skb)
{
	int k;

	for (k = 200; k > 0; k--) {
		if (k > skb->len)
			continue;
		if (bpf_skb_change_tail(skb, k, 0))
			return k + 1;
	}
	return 1;
}

#define GROW_THEN_TRIM(name, d, mode)						\
SEC("tc") int name(struct __sk_buff *skb)					\
{										\
	long r = bpf_skb_adjust_room(skb, d, mode, 0);				\
										\
	res[0] = r;								\
	res[1] = skb->len;							\
	res[2] = r ? 0 : shortest_tail(skb);					\
	res[3] = skb->len;							\
	return 0;								\
}
GROW_THEN_TRIM(x_grow64_trim, 64, BPF_ADJ_ROOM_MAC)
GROW_THEN_TRIM(x_grow70_trim, 70, BPF_ADJ_ROOM_MAC)
GROW_THEN_TRIM(x_grow100_trim, 100, BPF_ADJ_ROOM_NET)
GROW_THEN_TRIM(x_grow129_trim, 129, BPF_ADJ_ROOM_MAC)
GROW_THEN_TRIM(x_shrink4_trim, -4, BPF_ADJ_ROOM_NET)

/* change_head past the headroom, then adjust_room (its MAC length is now 14 + 100) and trims. */
SEC("tc")
int x_head_then_room(struct __sk_buff *skb)
{
	int i = 0;

	res[i++] = bpf_skb_change_head(skb, 100, 0);
	res[i++] = skb->len;
	res[i++] = bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_MAC, 0);
	res[i++] = skb->len;
	res[i++] = bpf_skb_change_tail(skb, 114, 0);
	res[i++] = bpf_skb_change_tail(skb, 113, 0);
	res[i++] = skb->len;
	return i;
}
