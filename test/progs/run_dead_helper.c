// A call to a helper id no kernel has (999) behind a weak .kconfig extern the kernel leaves 0:
// the verifier never reaches it, so the kernel loads and runs the program (libbpf's
// test_core_extern.c does this). Host results recorded with
// `node scripts/kernel-progs.mjs --record-object test/progs/run_dead_helper.o`.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static int (*bpf_missing_helper)(const void *arg1, int arg2) = (void *)999;
extern unsigned long long CONFIG_EBPFVM_MISSING __kconfig __weak;

__u64 missing_val;

SEC("syscall")
int dead_helper(void *ctx)
{
	if (CONFIG_EBPFVM_MISSING)
		missing_val = bpf_missing_helper(ctx, 123);
	else
		missing_val = 0xDEADC0DE;
	return missing_val & 0xffff;
}

char _license[] SEC("license") = "GPL";
