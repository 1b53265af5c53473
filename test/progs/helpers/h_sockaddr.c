// bpf_sock_addr_set_sun_path (test/helpers/sockaddr.test.ts): a cgroup sock_addr program's kernel
// context (struct bpf_sock_addr_kern, from bpf_cast_to_kern_ctx) and a path of memory and size,
// as connect_unix_prog.c; a path longer than its memory is refused.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

void *bpf_cast_to_kern_ctx(void *) __ksym;
int bpf_sock_addr_set_sun_path(struct bpf_sock_addr_kern *sa_kern, const __u8 *sun_path, __u32 sun_path__sz) __ksym;

__u8 path[] = "\0bpf_cgroup_unix_test_rewrite";

SEC("cgroup/connect_unix")
int set_path(struct bpf_sock_addr *ctx)
{
	struct bpf_sock_addr_kern *sa_kern = bpf_cast_to_kern_ctx(ctx);

	if (bpf_sock_addr_set_sun_path(sa_kern, path, sizeof(path) - 1))
		return 0;
	return sa_kern->uaddrlen == 2 + sizeof(path) - 1;
}

SEC("cgroup/connect_unix")
int path_too_long(struct bpf_sock_addr *ctx)
{
	struct bpf_sock_addr_kern *sa_kern = bpf_cast_to_kern_ctx(ctx);
	__u8 buf[4] = {};

	bpf_sock_addr_set_sun_path(sa_kern, buf, 8);
	return 1;
}

SEC("cgroup/connect4")
int not_unix(struct bpf_sock_addr *ctx)
{
	struct bpf_sock_addr_kern *sa_kern = bpf_cast_to_kern_ctx(ctx);

	return bpf_sock_addr_set_sun_path(sa_kern, path, 4) ? 0 : 1;
}

SEC("tc")
int wrong_type(struct __sk_buff *skb)
{
	return bpf_sock_addr_set_sun_path(0, path, 4);
}
