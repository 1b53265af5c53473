// Identity, CPU and randomness helpers.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct ident {
	__u64 pid_tgid;
	__u64 uid_gid;
	char comm[16];
	__u32 cpu;
	__u32 numa;
	__u32 rnd[2];
};

/* Exact values into the context (ebpfvm-only: the kernel's are the recording process's). */
SEC("syscall")
int h_ident(struct ident *out)
{
	char comm[16];

	out->pid_tgid = bpf_get_current_pid_tgid();
	out->uid_gid = bpf_get_current_uid_gid();
	bpf_get_current_comm(comm, sizeof(comm));   /* the kernel refuses a ctx pointer here */
	__builtin_memcpy(out->comm, comm, sizeof(comm));
	out->cpu = bpf_get_smp_processor_id();
	out->numa = bpf_get_numa_node_id();
	out->rnd[0] = bpf_get_prandom_u32();
	out->rnd[1] = bpf_get_prandom_u32();
	return 0;
}

/* Properties true on any kernel: a single-threaded task has pid == tgid, comm is NUL-terminated
 * in its last byte, the numa node of a one-node machine is 0, two random draws differ. */
SEC("syscall")
int h_ident_props(void *ctx)
{
	__u64 pt = bpf_get_current_pid_tgid();
	char comm[16];
	int r = 0;

	r |= ((pt >> 32) == (__u32)pt);
	r |= (bpf_get_current_comm(comm, sizeof(comm)) == 0) << 1;
	r |= (comm[15] == 0) << 2;
	r |= (bpf_get_numa_node_id() == 0) << 3;
	r |= (bpf_get_prandom_u32() != bpf_get_prandom_u32()) << 4;
	return r;
}

char LICENSE[] SEC("license") = "GPL";
