// A write to the frame pointer in code no run reaches: the kernel's verifier follows only the
// branches a program can take (r1 is known to be 0), so it loads and runs; ebpfvm must not refuse
// it at decode either.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int r10_dead_write(struct __sk_buff *skb)
{
	asm volatile("r1 = 0; if r1 == 0 goto +1; r10 = 0;" ::: "r1");
	return skb->len + 1;
}

char _license[] SEC("license") = "GPL";
