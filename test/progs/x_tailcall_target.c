// The second object of the shared prog_array test: declares the same pinned map, and a program
// that marks the packet and returns 77.
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
int x_shared_target(struct __sk_buff *skb)
{
	skb->mark = 0x77;
	return 77;
}

char LICENSE[] SEC("license") = "GPL";
