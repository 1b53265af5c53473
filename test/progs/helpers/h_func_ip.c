// bpf_get_func_ip and the kprobe.session kfuncs (test/helpers/func-ip.test.ts): each program
// stores what bpf_get_func_ip gives it and whether that is the address of the function it is
// attached to, read as an untyped __ksym (kallsyms).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

extern const void bpf_fentry_test1 __ksym;
extern const void bpf_fentry_test3 __ksym;
extern const void bpf_fentry_test4 __ksym;
extern const void schedule __ksym;

__u64 fentry_ip, kprobe_ip, kretprobe_ip, offset_ip, uprobe_ip, multi_ip, session_ip;
int fentry_ok, kprobe_ok, kretprobe_ok, multi_ok, session_ok;
__u64 cookie_seen, cookie_addr_ok, is_return;

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(ip_fentry, int a)
{
	fentry_ip = bpf_get_func_ip(ctx);
	fentry_ok = (const void *)fentry_ip == &bpf_fentry_test1;
	return 0;
}

SEC("kprobe/bpf_fentry_test3")
int ip_kprobe(struct pt_regs *ctx)
{
	kprobe_ip = bpf_get_func_ip(ctx);
	kprobe_ok = (const void *)kprobe_ip == &bpf_fentry_test3;
	return 0;
}

SEC("kretprobe/bpf_fentry_test4")
int ip_kretprobe(struct pt_regs *ctx)
{
	kretprobe_ip = bpf_get_func_ip(ctx);
	kretprobe_ok = (const void *)kretprobe_ip == &bpf_fentry_test4;
	return 0;
}

/* not on the function's entry: the kernel gives 0 */
SEC("kprobe/bpf_fentry_test3+0x5")
int ip_offset(struct pt_regs *ctx)
{
	offset_ip = bpf_get_func_ip(ctx) + 1;
	return 0;
}

SEC("uprobe//proc/self/exe:trigger")
int ip_uprobe(struct pt_regs *ctx)
{
	uprobe_ip = bpf_get_func_ip(ctx) + 1;
	return 0;
}

SEC("kprobe.multi/schedule")
int ip_multi(struct pt_regs *ctx)
{
	multi_ip = bpf_get_func_ip(ctx);
	multi_ok = (const void *)multi_ip == &schedule;
	return 0;
}

SEC("kprobe.session/bpf_fentry_test1")
int ip_session(struct pt_regs *ctx)
{
	__u64 *cookie = bpf_session_cookie();

	session_ip = bpf_get_func_ip(ctx);
	session_ok = (const void *)session_ip == &bpf_fentry_test1;
	is_return = bpf_session_is_return();
	cookie_seen = *cookie;
	*cookie = 0xc00c1e;
	cookie_addr_ok = *cookie == 0xc00c1e;
	return 0;
}
