// A tail call from inside a bpf_loop callback: the kernel's verifier refuses this program;
// ebpfvm runs it unverified and lets the tail call fall through (the helper fails).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int x_cb_target(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, 4);
	__array(values, int(struct __sk_buff *));
} cb_jmp SEC(".maps") = { .values = { [0] = (void *)&x_cb_target } };

long cb_ret;

SEC("tc")
int x_cb_target(struct __sk_buff *skb)
{
	return 99;
}

static long cb(__u64 i, void *ctx)
{
	cb_ret = bpf_tail_call(ctx, &cb_jmp, 0);
	return 1;
}

SEC("tc")
int x_cb_entry(struct __sk_buff *skb)
{
	bpf_loop(1, cb, skb, 0);
	bpf_tail_call(skb, &cb_jmp, 0);   /* outside the callback: works */
	return 5;
}

char LICENSE[] SEC("license") = "GPL";
