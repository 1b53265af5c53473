// CO-RE reads written against ebpfvm's vmlinux.h: a tc program reading __sk_buff fields, and a
// syscall program reading the current task (a BTF pointer from bpf_get_current_task_btf, plus
// BPF_CORE_READ chains through real_parent and cred) with a flavoured type for the pre-5.14
// `state` field. test/core/reads.test.ts runs them relocated against the built-in BTF and against
// core_alt_kernel.o's BTF (fields moved, a flavoured cred, `state` instead of `__state`,
// in_iowait missing).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* Linux < 5.14 called task_struct::__state `state` (and made it a long). */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

/* A field no kernel has: its existence check is 0 and reading it would poison. */
struct __sk_buff___future {
	__u32 not_yet;
} __attribute__((preserve_access_index));

__u32 skb_mark, skb_prio, skb_len, has_hwtstamp, has_future;

SEC("tc")
int skb_reads(struct __sk_buff *skb)
{
	skb_mark = skb->mark;
	skb_prio = skb->priority;
	skb_len = skb->len;
	has_hwtstamp = bpf_core_field_exists(skb->hwtstamp);
	has_future = bpf_core_field_exists(struct __sk_buff___future, not_yet);
	if (has_future)
		return ((struct __sk_buff___future *)skb)->not_yet;
	return skb->mark + 1;
}

int pid, tgid, ppid, uid, state, old_layout, has_iowait, comm_off, pid_off;
char comm[16];

SEC("syscall")
int task_reads(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	pid = task->pid;
	tgid = BPF_CORE_READ(task, tgid);
	ppid = BPF_CORE_READ(task, real_parent, pid);
	uid = BPF_CORE_READ(task, cred, uid.val);
	BPF_CORE_READ_STR_INTO(&comm, task, comm);
	if (bpf_core_field_exists(struct task_struct___pre514, state)) {
		old_layout = 1;
		state = BPF_CORE_READ((struct task_struct___pre514 *)task, state);
	} else {
		state = BPF_CORE_READ(task, __state);
	}
	has_iowait = bpf_core_field_exists(task->in_iowait);
	comm_off = bpf_core_field_offset(task->comm);
	pid_off = bpf_core_field_offset(struct task_struct, pid);
	return pid;
}

char LICENSE[] SEC("license") = "GPL";
