// A bpf_spin_lock declared as a global variable in its own data section (no graph root beside
// it), taken in the main program and in a subprogram, as the selftests' test_spin_lock.c does.
// Host results recorded with `node scripts/kernel-progs.mjs --record-object test/progs/run_data_lock.o`.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* hidden: libbpf then does not make the section mmapable, which a map with a lock cannot be */
#define __hidden __attribute__((visibility("hidden")))
struct bpf_spin_lock lock_a __hidden SEC(".data.A");
int counter __hidden SEC(".data.A");

static __noinline int bump(struct __sk_buff *skb)
{
	int r;

	bpf_spin_lock(&lock_a);
	counter += skb->len;
	r = counter;
	bpf_spin_unlock(&lock_a);
	return r;
}

SEC("tc")
int data_lock(struct __sk_buff *skb)
{
	int r;

	bpf_spin_lock(&lock_a);
	counter++;
	bpf_spin_unlock(&lock_a);
	r = bump(skb);
	return r * 10;
}

char _license[] SEC("license") = "GPL";
