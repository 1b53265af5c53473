// Tracing programs against ebpfvm's vmlinux.h, run with user-supplied arguments, task and kernel
// memory (test/tracing/fentry.test.ts; `ebpfvm run --args/--task/--kmem`): fentry on a syscall
// function by name (reading the saved user registers through a BTF pointer), fexit with the
// return value after the arguments, arguments typed by the prototype, a BTF task pointer argument,
// tp_btf (typed by the kernel's btf_trace_* prototype), kprobe (pt_regs), raw_tp, a syscall
// tracepoint record and typed __ksym variables.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf_misc.h"

extern const struct task_struct init_task __ksym;
extern const unsigned int nr_cpu_ids __ksym;

long getpgid_arg, getpgid_calls;
int cur_pid, cur_tgid;
char cur_comm[16];

SEC("fentry/" SYS_PREFIX "sys_getpgid")
int BPF_PROG(on_getpgid, const struct pt_regs *regs)
{
	struct task_struct *task = bpf_get_current_task_btf();

	getpgid_arg = regs->di; /* pid_t pid, the syscall's first argument */
	cur_pid = task->pid;
	cur_tgid = task->tgid;
	bpf_probe_read_kernel_str(cur_comm, sizeof(cur_comm), task->comm);
	getpgid_calls++;
	return 0;
}

long t2_a, t2_b, t2_ret;

SEC("fexit/bpf_fentry_test2")
int BPF_PROG(after_test2, int a, __u64 b, int ret)
{
	t2_a = a;
	t2_b = b;
	t2_ret = ret;
	return 0;
}

long t3_a, t3_sum;

SEC("fentry/bpf_fentry_test3")
int BPF_PROG(on_test3, char a, int b, __u64 c)
{
	t3_a = a;
	t3_sum = a + b + c;
	return 0;
}

int new_pid, new_ppid;
char new_comm[16];

SEC("fentry/wake_up_new_task")
int BPF_PROG(on_new_task, struct task_struct *p)
{
	new_pid = p->pid;
	new_ppid = p->real_parent->pid; /* PROBE_MEM: reads 0 when unmapped */
	__builtin_memcpy(new_comm, p->comm, sizeof(new_comm));
	return 0;
}

long kp_code;

SEC("kprobe/do_exit")
int BPF_KPROBE(kp_do_exit, long code)
{
	kp_code = code;
	return 0;
}

long raw_id;

SEC("raw_tp/sys_enter")
int raw_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	raw_id = ctx->args[1];
	return 0;
}

long tp_id, tp_arg0;

SEC("tracepoint/syscalls/sys_enter_getpgid")
int tp_getpgid(struct trace_event_raw_sys_enter *ctx)
{
	tp_id = ctx->id;
	tp_arg0 = ctx->args[0];
	return 0;
}

int fork_parent_pid, fork_child_pid;

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	fork_parent_pid = parent->pid;
	fork_child_pid = child->pid;
	return 0;
}

long lsm_flags, lsm_ret;
int lsm_pid;

SEC("lsm/task_alloc")
int BPF_PROG(on_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	lsm_pid = task->pid;
	lsm_flags = clone_flags;
	lsm_ret = ret;
	return ret ? ret : (clone_flags & 0x10000 ? -1 : 0); /* refuse CLONE_THREAD (0x10000) */
}

long user_di;

SEC("fentry/do_exit")
int BPF_PROG(user_regs, long code)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());

	user_di = regs->di;
	return 0;
}

int init_pid, ncpus;
char init_comm[16];

SEC("fentry/do_exit")
int BPF_PROG(ksyms, long code)
{
	init_pid = init_task.pid;
	bpf_probe_read_kernel_str(init_comm, sizeof(init_comm), init_task.comm);
	ncpus = nr_cpu_ids;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
