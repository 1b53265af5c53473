// Clock helpers. Values differ between runs, so the program returns properties the kernel and
// ebpfvm share (bit 0: monotonic, bit 1..3: boot/coarse/jiffies are non-zero, bit 4: coarse <= ns),
// and the exact values land in the context for ebpfvm-only assertions with a fixed clock.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct times {
	__u64 ns, boot, coarse, jiffies;
};

SEC("syscall")
int h_ktime(struct times *out)
{
	__u64 t1 = bpf_ktime_get_ns();
	__u64 coarse = bpf_ktime_get_coarse_ns();
	__u64 t2 = bpf_ktime_get_ns();
	__u64 boot = bpf_ktime_get_boot_ns();
	__u64 j = bpf_jiffies64();
	int r = (t2 >= t1) | (boot != 0) << 1 | (coarse != 0) << 2 | (j != 0) << 3 | (coarse <= t2) << 4;

	out->ns = t1;
	out->boot = boot;
	out->coarse = coarse;
	out->jiffies = j;
	return r;
}

char LICENSE[] SEC("license") = "GPL";
