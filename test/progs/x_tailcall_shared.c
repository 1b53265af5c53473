// Two objects share a pinned prog_array (LIBBPF_PIN_BY_NAME): this one only calls through it;
// x_tailcall_target.c provides the program user space puts into slot 0.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, 4);
	__uint(value_size, 4);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} x_shared_jmp SEC(".maps");

SEC("tc")
int x_shared_entry(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &x_shared_jmp, 0);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
