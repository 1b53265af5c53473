// Global data beyond 16 MiB: a 24 MiB .bss is one 24 MiB array value, as the kernel creates it
// (Linux 6.18 creates up to INT_MAX; checked with bpftool on 64 MiB and 1 GiB sections, retval
// of the 64 MiB variant 12 on both).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SIZE (24ULL << 20)

__u8 big[SIZE];

SEC("syscall")
int touch(void *ctx)
{
	big[SIZE - 1] = 5;
	big[20 << 20] = 7;
	return big[SIZE - 1] + big[20 << 20];
}

char LICENSE[] SEC("license") = "GPL";
