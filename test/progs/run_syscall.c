// syscall test runs: the context is the user's buffer, read and written in place; globals persist.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct args {
	__u32 a;
	__u32 b;
	__u64 product;
	__u32 calls;
};

__u64 total;
__u32 seen = 100;

SEC("syscall")
int sys_mul(struct args *args)
{
	args->product = (__u64)args->a * args->b;
	args->calls += 1;
	total += args->product;
	seen += 1;
	return args->a + args->b;
}

/* A 64-bit r0: retval reports its low 32 bits. */
SEC("syscall")
long sys_wide(void *ctx)
{
	return 0x1234567890abcdefLL;
}

char LICENSE[] SEC("license") = "GPL";
