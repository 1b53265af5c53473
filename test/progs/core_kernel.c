// Kernel agreement for CO-RE: each syscall program returns one relocated value (field offset,
// size, existence, bitfield shifts, signedness, type size/existence/match, enum value) for
// kernel types. Built against ebpfvm's vmlinux.h, whose task_struct is a small subset, so
// against a real kernel's BTF none of these is the identity. scripts/record-core.mjs runs them on
// the host kernel (libbpf relocates against /sys/kernel/btf/vmlinux) and records the results
// and the minimal BTF (bpftool gen min_core_btf); test/core/kernel.test.ts relocates against that
// BTF here and compares.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* Kernel-internal types the built-in BTF does not carry (or, sk_buff, carries only in part):
 * declared locally, matched by name (sk_buff as a flavour: vmlinux.h declares ebpfvm's own). */
struct sk_buff___local {
	unsigned int len;
	__u32 mark;
	__u16 protocol;
	char cb[48];
} __attribute__((preserve_access_index));

struct mm_struct {
	unsigned long task_size;
	int map_count;
} __attribute__((preserve_access_index));

/* A flavour: same essential name as the kernel's task_struct, a field the kernel lacks. */
struct task_struct___probe {
	pid_t pid;
	int no_such_field;
	struct mm_struct *mm;
} __attribute__((preserve_access_index));

/* A local copy of a kernel enum with different values: relocation fetches the kernel's. */
enum pid_type___local {
	PIDTYPE_PID___local = 10,
	PIDTYPE_TGID___local = 11,
	PIDTYPE_PGID___local = 12,
	PIDTYPE_SID___local = 13,
	PIDTYPE_NOPE___local = 99,
};

struct no_such_kernel_type {
	int x;
} __attribute__((preserve_access_index));

#define Q(name, expr) SEC("syscall") int name(void *ctx) { return (expr); }

Q(off_task_pid, bpf_core_field_offset(struct task_struct, pid))
Q(off_task_tgid, bpf_core_field_offset(struct task_struct, tgid))
Q(off_task_comm, bpf_core_field_offset(struct task_struct, comm))
Q(off_task_state, bpf_core_field_offset(struct task_struct, __state))
Q(off_task_real_parent, bpf_core_field_offset(struct task_struct, real_parent))
Q(off_task_cred, bpf_core_field_offset(struct task_struct, cred))
Q(off_task_start_time, bpf_core_field_offset(struct task_struct, start_time))
Q(off_task_thread_cpu, bpf_core_field_offset(struct task_struct, thread_info.cpu))
Q(off_task_mm, bpf_core_field_offset(struct task_struct, mm))
Q(sz_task_comm, bpf_core_field_size(struct task_struct, comm))
Q(sz_task_start_time, bpf_core_field_size(struct task_struct, start_time))
Q(signed_task_pid, __builtin_preserve_field_info(((struct task_struct *)0)->pid, BPF_FIELD_SIGNED))
Q(signed_task_flags, __builtin_preserve_field_info(((struct task_struct *)0)->flags, BPF_FIELD_SIGNED))
Q(exists_task_in_execve, bpf_core_field_exists(struct task_struct, in_execve))
Q(off_task_in_execve, bpf_core_field_offset(struct task_struct, in_execve))
Q(lshift_task_in_iowait, __builtin_preserve_field_info(((struct task_struct *)0)->in_iowait, BPF_FIELD_LSHIFT_U64))
Q(rshift_task_in_iowait, __builtin_preserve_field_info(((struct task_struct *)0)->in_iowait, BPF_FIELD_RSHIFT_U64))
Q(off_cred_euid, bpf_core_field_offset(struct cred, euid))
Q(off_skb_len, bpf_core_field_offset(struct sk_buff___local, len))
Q(off_skb_mark, bpf_core_field_offset(struct sk_buff___local, mark))
Q(off_skb_protocol, bpf_core_field_offset(struct sk_buff___local, protocol))
Q(sz_skb_cb, bpf_core_field_size(struct sk_buff___local, cb))
Q(off_mm_map_count, bpf_core_field_offset(struct mm_struct, map_count))
Q(flavour_pid, bpf_core_field_offset(struct task_struct___probe, pid))
Q(flavour_missing, bpf_core_field_exists(struct task_struct___probe, no_such_field))
Q(flavour_mm, bpf_core_field_offset(struct task_struct___probe, mm))
Q(off_rb_node_left, bpf_core_field_offset(struct rb_node, rb_left))
Q(off_pt_regs_si, bpf_core_field_offset(struct pt_regs, si))
Q(tsize_task, bpf_core_type_size(struct task_struct))
Q(tsize_cred, bpf_core_type_size(struct cred))
Q(texists_timer, bpf_core_type_exists(struct bpf_timer))
Q(texists_missing, bpf_core_type_exists(struct no_such_kernel_type))
Q(tmatch_rb_node, bpf_core_type_matches(struct rb_node))
Q(tmatch_task, bpf_core_type_matches(struct task_struct))
Q(enum_sid, bpf_core_enum_value(enum pid_type___local, PIDTYPE_SID___local))
Q(enum_tgid, bpf_core_enum_value(enum pid_type___local, PIDTYPE_TGID___local))
Q(enum_nope_exists, bpf_core_enum_value_exists(enum pid_type___local, PIDTYPE_NOPE___local))
Q(enum_map_arena, bpf_core_enum_value(enum bpf_map_type, BPF_MAP_TYPE_ARENA))

char LICENSE[] SEC("license") = "GPL";
