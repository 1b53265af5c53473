// bpf_cast_to_kern_ctx and bpf_rdonly_cast. The kernel types the cast's result as the program
// type's kernel context struct (for raw_tp it refuses: "kern ctx type ... is not a struct"); for
// kprobe that is struct pt_regs, the same memory as the uapi context, which the VM has (for tc,
// see kf_cast_skb.c).
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "kfunc_decls.h"

struct pt_regs___kern {
	unsigned long di;
	unsigned long si;
} __attribute__((preserve_access_index));

SEC("kprobe/do_sys_openat2")
int kern_regs(struct pt_regs *ctx)
{
	struct pt_regs___kern *k = bpf_cast_to_kern_ctx(ctx);

	return k->di * 3 + k->si + ((void *)k == (void *)ctx ? 1000 : 0);
}

/* A kernel type both the host's BTF and the built-in one have, with a field at offset 0. */
struct bpf_iter_num___local {
	__u64 __opaque[1];
} __attribute__((preserve_access_index));

__u64 word = 0x1122334455667788ULL;
__u64 seen;

SEC("syscall")
int rdonly(void *ctx)
{
	struct bpf_iter_num___local *p = bpf_rdonly_cast(&word, bpf_core_type_id_kernel(struct bpf_iter_num___local));

	seen = p->__opaque[0];
	return (int)(seen >> 8) & 0x7fffffff;
}

char LICENSE[] SEC("license") = "GPL";
