// Tail calls made from subprograms, as the kernel's tailcall_bpf2bpf_hierarchy tests make them:
// each tail call replaces only the calling subprogram's frame, so the frames of successive
// programs stack up (here three per hop), and the 33-call limit is shared by the whole run.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int hop_a(struct __sk_buff *skb);
int hop_b(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} hops SEC(".maps") = {
	.values = {
		[0] = (void *)&hop_a,
		[1] = (void *)&hop_b,
	},
};

int count_a, count_b, after_a, depth_sum;

static __noinline int jump(struct __sk_buff *skb, __u32 slot)
{
	bpf_tail_call(skb, &hops, slot);
	return 0;
}

/* two frames of its own below the jump: each hop adds three frames */
static __noinline int via(struct __sk_buff *skb, __u32 slot)
{
	int r = jump(skb, slot);

	depth_sum += slot + 1;
	return r;
}

SEC("tc")
int hop_a(struct __sk_buff *skb)
{
	count_a++;
	via(skb, 0);
	after_a++;
	return 0;
}

SEC("tc")
int hop_b(struct __sk_buff *skb)
{
	count_b++;
	via(skb, 1);
	return 0;
}

SEC("tc")
int hier_entry(struct __sk_buff *skb)
{
	via(skb, 0);
	via(skb, 1);
	return (count_b << 16) | count_a;
}

char LICENSE[] SEC("license") = "GPL";
