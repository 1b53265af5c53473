// bpf_throw (BPF exceptions): the run unwinds every frame and ends through the main program's
// exception callback (`exception_callback:NAME` decl tag), called with the cookie; without one
// the program returns the cookie (the kernel's default callback). Global data written before the
// throw stays written. libbpf 1.1 (bpftool) cannot load it (it does not append the callback), so
// the host kernel's results are recorded with the 6.12 tree's libbpf:
// `node scripts/kernel-progs.mjs --record-object test/progs/kfunc/kf_throw.o`.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void bpf_throw(__u64 cookie) __ksym;

#define __exception_cb(name) __attribute__((btf_decl_tag("exception_callback:" #name)))

__u64 before_throw;
__u64 after_throw;

/* Sees the global data as the throw left it: before_throw counted, after_throw not. */
__noinline int exception_cb(__u64 cookie)
{
	return cookie * 2 + before_throw * 1000 + after_throw * 100000;
}

static __noinline int deep(__u32 len)
{
	if (len > 60)
		bpf_throw(len);
	return len + 1;
}

static __noinline int middle(__u32 len)
{
	return deep(len) * 3;
}

/* Throws from two calls down when the packet is longer than 60 bytes (not pkt_v4, 54 bytes). */
SEC("tc")
__exception_cb(exception_cb)
int throw_cb(struct __sk_buff *skb)
{
	int r;

	before_throw++;
	r = middle(skb->len);
	after_throw++;
	return r;
}

/* No exception callback: the run returns the cookie. */
SEC("tc")
int throw_default(struct __sk_buff *skb)
{
	before_throw++;
	if (skb->len > 60)
		bpf_throw(7);
	after_throw++;
	return 1;
}

/* From the main function of a syscall program, the cookie wider than 32 bits. */
SEC("syscall")
__exception_cb(exception_cb)
int throw_syscall(void *ctx)
{
	before_throw = 1;
	bpf_throw(0x100000005ULL);
	after_throw = 1;
	return 0;
}

char _license[] SEC("license") = "GPL";
