// A bpf_spin_lock in global data without any graph root: the section's one lock, which
// bpf_spin_lock takes as the kernel does (the loader reads it from the section's BTF).
#include "graph_decls.h"

#define private(name) SEC(".data." #name) __hidden __attribute__((aligned(8)))
private(A) struct bpf_spin_lock l;
private(A) long counter;

SEC("tc")
int glock_count(struct __sk_buff *skb)
{
	long c;

	bpf_spin_lock(&l);
	c = ++counter;
	bpf_spin_unlock(&l);
	return c;
}
char _license[] SEC("license") = "GPL";
