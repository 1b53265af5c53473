// libbpf resolves every __ksym of an object when it loads it (test/loader/ksyms.test.ts): a kernel
// symbol the kernel lacks fails the whole object, also a load of a program that never names it;
// a weak one resolves to 0.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

extern const void no_such_kernel_function __ksym;
extern const void maybe_kernel_function __ksym __weak;
extern const void schedule __ksym;

__u64 seen_unknown, seen_weak, seen_schedule;

SEC("raw_tp/sys_enter")
int names_unknown(void *ctx)
{
	seen_unknown = (__u64)&no_such_kernel_function;
	return 0;
}

SEC("raw_tp/sys_enter")
int names_known(void *ctx)
{
	seen_weak = (__u64)&maybe_kernel_function;
	seen_schedule = (__u64)&schedule;
	return 0;
}
