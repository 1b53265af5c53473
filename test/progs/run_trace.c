// Tracing programs on user-supplied arguments (ebpfvm's extension of test runs): kprobe reads
// pt_regs argument registers, fentry reads its u64 argument slots and follows a kernel pointer
// (PROBE_MEM: an unmapped address reads 0), tracepoint reads its raw record.
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct kthing {
	long id;
	long weight;
};

SEC("kprobe/do_nanosleep")
int BPF_KPROBE(kp_args, long a, long b, long c)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	return a + 2 * b + 3 * c + (pid_tgid >> 32);
}

SEC("fentry/do_nanosleep")
int BPF_PROG(fe_ptr, struct kthing *t, long scale)
{
	return t->id + t->weight * scale;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tp_record(void *ctx)
{
	return *(long *)(ctx + 16) + *(int *)(ctx + 8);
}

char LICENSE[] SEC("license") = "GPL";
