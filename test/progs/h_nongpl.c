// A program without a GPL-compatible license calling a gpl_only helper (bpf_trace_printk): the
// kernel refuses it at load ("cannot call GPL-restricted function from non-GPL compatible
// program"); ebpfvm refuses the call. The map helper next to it is not gpl_only.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("syscall")
int h_nongpl_printk(void *ctx)
{
	char fmt[] = "hi\n";

	return bpf_trace_printk(fmt, sizeof(fmt));
}

SEC("syscall")
int h_nongpl_ok(void *ctx)
{
	return bpf_get_prandom_u32() >= 0 ? 3 : 0;
}

char LICENSE[] SEC("license") = "MIT";
