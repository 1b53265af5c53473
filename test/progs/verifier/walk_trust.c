// SPDX-License-Identifier: MIT
/* The trust of a pointer loaded from a kernel struct (check_ptr_to_btf_access) when the struct
 * pointer walked is a plain one (no PTR_TRUSTED, MEM_RCU or reference), as bpf_skc_to_tcp_sock
 * returns: 6.18 marks the loaded pointer untrusted, so a helper taking a kernel pointer refuses
 * it (6.12's "old compat" left it a plain pointer the helper took); loads through it still
 * verify. Every verdict and message is the host kernel's
 * (test/fixtures/verifier-kernel/walk_trust.json). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, 1); /* BPF_F_NO_PREALLOC */
	__type(key, int);
	__type(value, long);
} cgrp_map SEC(".maps");

SEC("cgroup/connect6")
__failure __msg("R2 type=untrusted_ptr_ expected=ptr_, trusted_ptr_, rcu_ptr_")
int plain_walk_to_helper(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	struct tcp_sock *tp;
	long *v;

	if (!sk)
		return 1;
	tp = bpf_skc_to_tcp_sock(sk);
	if (!tp)
		return 1;
	v = bpf_cgrp_storage_get(&cgrp_map, tp->inet_conn.icsk_inet.sk.sk_cgrp_data.cgroup, 0, 0);
	if (v)
		*v = 1;
	return 1;
}

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, 1); /* BPF_F_NO_PREALLOC */
	__type(key, int);
	__type(value, long);
} sk_map SEC(".maps");

SEC("cgroup/connect6")
__failure __msg("R2 type=untrusted_ptr_ expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_")
int plain_direct_member_to_helper(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	struct unix_sock *u;
	long *v;

	if (!sk)
		return 1;
	u = bpf_skc_to_unix_sock(sk);
	if (!u || !u->peer)
		return 1;
	v = bpf_sk_storage_get(&sk_map, u->peer, 0, 0);
	if (v)
		*v = 1;
	return 1;
}

SEC("cgroup/connect6")
__success
int plain_walk_then_load(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	struct tcp_sock *tp;
	struct cgroup *cg;

	if (!sk)
		return 1;
	tp = bpf_skc_to_tcp_sock(sk);
	if (!tp)
		return 1;
	cg = tp->inet_conn.icsk_inet.sk.sk_cgrp_data.cgroup;
	return cg && cg->level ? 1 : 0;
}
