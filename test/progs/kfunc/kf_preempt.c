// bpf_preempt_disable/enable (common kfunc set) around map and global-data updates, in the main
// program and in a subprogram. Host results recorded with
// `node scripts/kernel-progs.mjs --record-object test/progs/kfunc/kf_preempt.o`.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void bpf_preempt_disable(void) __ksym;
extern void bpf_preempt_enable(void) __ksym;

__u64 total;

static __noinline int add(int v)
{
	bpf_preempt_disable();
	total += v;
	bpf_preempt_enable();
	return total;
}

SEC("tc")
int preempt_tc(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	total = skb->len;
	bpf_preempt_enable();
	return add(3) + add(4);
}

SEC("syscall")
int preempt_syscall(void *ctx)
{
	bpf_preempt_disable();
	bpf_preempt_disable();
	total = 40;
	bpf_preempt_enable();
	bpf_preempt_enable();
	return total + 2;
}

char _license[] SEC("license") = "GPL";
