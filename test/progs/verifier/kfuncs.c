// SPDX-License-Identifier: MIT
/* kfunc calls checked from the kfunc table (helpers/kfuncs.ts): bpf_cast_to_kern_ctx (a ctx
 * argument, a trusted pointer to the kernel context struct back), bpf_rdonly_cast (a constant
 * BTF id, an untrusted read-only pointer back), bpf_rcu_read_lock/unlock pairing, R1-R5 clobbered. */
#include "vmaps.h"
#include <bpf/bpf_core_read.h>

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
extern void *bpf_rdonly_cast(const void *obj__ign, __u32 btf_id__k) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

struct pt_regs___kern {
	unsigned long di;
	unsigned long si;
} __attribute__((preserve_access_index));

struct bpf_iter_num___local {
	__u64 __opaque[1];
} __attribute__((preserve_access_index));

__u64 word = 0x1122334455667788ULL;

SEC("kprobe")
__description("kfuncs: bpf_cast_to_kern_ctx in a kprobe gives a trusted struct pt_regs pointer")
__success
int cast_kprobe(struct pt_regs *ctx)
{
	struct pt_regs___kern *k = bpf_cast_to_kern_ctx(ctx);

	return k->di + k->si;
}

SEC("kprobe")
__description("kfuncs: bpf_cast_to_kern_ctx of a stack pointer")
__failure __msg("arg#0 expected pointer to ctx, but got fp")
__naked void cast_not_ctx(void)
{
	asm volatile ("r1 = r10;" "r1 += -8;" "call %[bpf_cast_to_kern_ctx];" "r0 = 0;" "exit;"
		:: __imm(bpf_cast_to_kern_ctx) : __clobber_all);
}

SEC("kprobe")
__description("kfuncs: R1 is clobbered by a kfunc call")
__failure __msg("R1 !read_ok")
__naked void cast_clobbers_r1(void)
{
	asm volatile ("call %[bpf_cast_to_kern_ctx];" "r0 = r1;" "exit;"
		:: __imm(bpf_cast_to_kern_ctx) : __clobber_all);
}

SEC("kprobe")
__description("kfuncs: the kernel pt_regs pointer is not writable")
__failure __msg("only read is supported")
int cast_write(struct pt_regs *ctx)
{
	struct pt_regs___kern *k = bpf_cast_to_kern_ctx(ctx);

	k->di = 1;
	return 0;
}

SEC("syscall")
__description("kfuncs: bpf_rdonly_cast to a kernel struct, then a read")
__success __retval(0x556677)
int rdonly_read(void *ctx)
{
	struct bpf_iter_num___local *p = bpf_rdonly_cast(&word, bpf_core_type_id_kernel(struct bpf_iter_num___local));

	return (p->__opaque[0] >> 8) & 0xffffff;
}

SEC("syscall")
__description("kfuncs: bpf_rdonly_cast result is not writable")
__failure __msg("only read is supported")
int rdonly_write(void *ctx)
{
	struct bpf_iter_num___local *p = bpf_rdonly_cast(&word, bpf_core_type_id_kernel(struct bpf_iter_num___local));

	p->__opaque[0] = 1;
	return 0;
}

SEC("syscall")
__description("kfuncs: bpf_rdonly_cast with an unknown BTF id")
__failure __msg("R2 must be a known constant")
__naked void rdonly_var_id(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];" "r2 = r0;" "r1 = 0;" "call %[bpf_rdonly_cast];" "r0 = 0;" "exit;"
		:: __imm(bpf_rdonly_cast), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("syscall")
__description("kfuncs: bpf_rdonly_cast with a pointer as the BTF id")
__failure __msg("R2 is not a scalar")
__naked void rdonly_ptr_id(void)
{
	asm volatile ("r2 = r10;" "r1 = 0;" "call %[bpf_rdonly_cast];" "r0 = 0;" "exit;"
		:: __imm(bpf_rdonly_cast) : __clobber_all);
}

SEC("syscall")
__description("kfuncs: bpf_rdonly_cast to void gives read-only memory read by probing loads")
__success __retval(0x77)
int rdonly_void(void *ctx)
{
	unsigned char *p = bpf_rdonly_cast(&word, 0);

	return p[1];
}

SEC("syscall")
__description("kfuncs: bpf_rdonly_cast to a type that is neither struct nor void")
__failure __msg("kfunc bpf_rdonly_cast type ID argument must be of a struct or void")
int rdonly_int(void *ctx)
{
	int *p = bpf_rdonly_cast(&word, bpf_core_type_id_kernel(int));

	return *p;
}

SEC("syscall")
__description("kfuncs: a write through bpf_rdonly_cast to void")
__failure __msg("R0 cannot write into rdonly_untrusted_mem")
int rdonly_void_write(void *ctx)
{
	unsigned char *p = bpf_rdonly_cast(&word, 0);

	p[0] = 1;
	return 0;
}

/* In C: the calls give the extern declarations BTF, which libbpf needs for the asm programs too. */
SEC("syscall")
__description("kfuncs: rcu read lock and unlock")
__success __retval(7)
int rcu_pair(void *ctx)
{
	bpf_rcu_read_lock();
	word = 7;
	bpf_rcu_read_unlock();
	return word;
}

SEC("syscall")
__description("kfuncs: rcu read unlock without lock")
__failure __msg("unmatched rcu read unlock (kernel function bpf_rcu_read_unlock)")
__naked void rcu_unmatched(void)
{
	asm volatile ("call %[bpf_rcu_read_unlock];" "r0 = 0;" "exit;"
		:: __imm(bpf_rcu_read_unlock) : __clobber_all);
}

SEC("syscall")
__description("kfuncs: nested rcu read lock")
__failure __msg("nested rcu read lock (kernel function bpf_rcu_read_lock)")
__naked void rcu_nested(void)
{
	asm volatile ("call %[bpf_rcu_read_lock];" "call %[bpf_rcu_read_lock];" "call %[bpf_rcu_read_unlock];" "r0 = 0;" "exit;"
		:: __imm(bpf_rcu_read_lock), __imm(bpf_rcu_read_unlock) : __clobber_all);
}

SEC("syscall")
__description("kfuncs: rcu read lock held at exit")
__failure __msg("BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region")
__naked void rcu_missing_unlock(void)
{
	asm volatile ("call %[bpf_rcu_read_lock];" "r0 = 0;" "exit;"
		:: __imm(bpf_rcu_read_lock) : __clobber_all);
}

SEC("syscall")
__description("kfuncs: rcu read lock on one path only")
__failure __msg("unmatched rcu read unlock (kernel function bpf_rcu_read_unlock)")
__naked void rcu_one_path(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];" "if r0 == 0 goto l0_%=;" "call %[bpf_rcu_read_lock];"
		"l0_%=: call %[bpf_rcu_read_unlock];" "r0 = 0;" "exit;"
		:: __imm(bpf_rcu_read_lock), __imm(bpf_rcu_read_unlock), __imm(bpf_get_prandom_u32) : __clobber_all);
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, int);
} jmp SEC(".maps");

__noinline int add_one(int x)
{
	return x + 1;
}

SEC("tc")
__description("kfuncs: tail call inside the rcu read-side region")
__failure __msg("tail_call cannot be used inside bpf_rcu_read_lock-ed region")
int rcu_tail(struct __sk_buff *ctx)
{
	bpf_rcu_read_lock();
	bpf_tail_call(ctx, &jmp, 0);
	bpf_rcu_read_unlock();
	return 0;
}

SEC("tc")
__description("kfuncs: helper and global function calls inside the rcu read-side region")
__success
int rcu_calls(struct __sk_buff *ctx)
{
	int r;

	bpf_rcu_read_lock();
	r = add_one(ctx->len) + bpf_get_prandom_u32();
	bpf_rcu_read_unlock();
	return r;
}

SEC("socket")
__description("kfuncs: LD_ABS inside the rcu read-side region")
__failure __msg("BPF_LD_[ABS|IND] cannot be used inside bpf_rcu_read_lock-ed region")
__naked void rcu_ld_abs(void)
{
	asm volatile ("r6 = r1;" "call %[bpf_rcu_read_lock];" "r0 = *(u8 *)skb[0];" "call %[bpf_rcu_read_unlock];" "r0 = 0;" "exit;"
		:: __imm(bpf_rcu_read_lock), __imm(bpf_rcu_read_unlock) : __clobber_all);
}

struct rcu_lock_val {
	int cnt;
	struct bpf_spin_lock lock;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct rcu_lock_val);
} rcu_lock_map SEC(".maps");

SEC("tc")
__description("kfuncs: rcu read lock while holding a bpf_spin_lock")
__failure __msg("function calls are not allowed while holding a lock")
int rcu_in_spin_lock(struct __sk_buff *ctx)
{
	int k = 0;
	struct rcu_lock_val *v = bpf_map_lookup_elem(&rcu_lock_map, &k);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	bpf_spin_unlock(&v->lock);
	return 0;
}

static int rcu_lock_cb(__u32 i, void *data)
{
	bpf_rcu_read_lock();
	return 0;
}

SEC("tc")
__description("kfuncs: an rcu read lock taken in a bpf_loop callback is still held at the main exit")
__failure __msg("BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region")
int rcu_loop_callback(struct __sk_buff *ctx)
{
	bpf_loop(2, rcu_lock_cb, 0, 0);
	return 0;
}

__noinline static int rcu_lock_sub(void)
{
	bpf_rcu_read_lock();
	return 1;
}

SEC("tc")
__description("kfuncs: a static function may return inside the region its caller closes")
__success
int rcu_across_call(struct __sk_buff *ctx)
{
	int r = rcu_lock_sub();

	bpf_rcu_read_unlock();
	return r;
}

char LICENSE[] SEC("license") = "GPL";
