// Clock helpers. Values differ between runs, so the programs return properties the kernel and
// ebpfvm share, and the syscall program puts the exact values in its context for ebpfvm-only
// assertions with a fixed clock. ktime_get_coarse_ns is refused to tracing and syscall programs
// (it is not NMI-safe), so it lives in a socket filter.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct times {
	__u64 ns, boot, jiffies;
};

/* bit 0: monotonic, bits 1..2: boot time and jiffies are non-zero */
SEC("syscall")
int h_ktime(struct times *out)
{
	__u64 t1 = bpf_ktime_get_ns();
	__u64 t2 = bpf_ktime_get_ns();
	__u64 boot = bpf_ktime_get_boot_ns();
	__u64 j = bpf_jiffies64();

	out->ns = t1;
	out->boot = boot;
	out->jiffies = j;
	return (t2 >= t1) | (boot != 0) << 1 | (j != 0) << 2;
}

/* bit 0: coarse is non-zero, bit 1: coarse <= ktime_get_ns */
SEC("socket")
int h_ktime_coarse(struct __sk_buff *skb)
{
	__u64 c = bpf_ktime_get_coarse_ns();
	__u64 ns = bpf_ktime_get_ns();

	return (c != 0) | (c <= ns) << 1;
}

char LICENSE[] SEC("license") = "GPL";
