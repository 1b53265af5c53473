// Reserves a ring buffer record and never submits it. The kernel's verifier refuses this
// ("reference leak"); ebpfvm runs it unverified, the record stays BUSY and `ebpfvm run` notes it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } leak_rb SEC(".maps");

SEC("syscall")
int x_ringbuf_leak(void *ctx)
{
	__u32 *p = bpf_ringbuf_reserve(&leak_rb, 4, 0);

	if (p)
		*p = 1;
	return p != 0;
}

char LICENSE[] SEC("license") = "GPL";
