// SPDX-License-Identifier: MIT
/* Unprivileged loads (issue 17), each program also loaded with CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN
 * and CAP_SYS_ADMIN dropped (the @unpriv run): the syscall refuses program types other than
 * socket_filter and cgroup_skb with EPERM and no verifier log (unpriv_map.c: the map types); the
 * test run after an unprivileged load runs with the
 * capabilities restored; without CAP_PERFMON storing a pointer into a map value is a leak. */
#include "vmaps.h"

SEC("socket")
__description("unpriv: a socket filter loads and runs either way")
__success __success_unpriv __retval(42)
int sock_ok(void *ctx)
{
	return 42;
}

SEC("cgroup/skb")
__description("unpriv: a cgroup_skb program loads either way")
__success __success_unpriv
int cgroup_skb_ok(void *ctx)
{
	return 1;
}

SEC("socket")
__description("unpriv: a map value pointer stored into the map value leaks it")
__success __retval(0)
__failure_unpriv __msg_unpriv("{{R[0-9]}} leaks addr into map")
int leak_ptr_into_map(void *ctx)
{
	long long k = 0, *v;

	v = bpf_map_lookup_elem(&map_hash_8b, &k);
	if (!v)
		return 0;
	*v = (long long)v;
	return 0;
}

SEC("kprobe")
__description("unpriv: a kprobe program needs CAP_BPF and CAP_PERFMON (EPERM, no log)")
__success __failure_unpriv
int kprobe_needs_caps(void *ctx)
{
	return 0;
}

SEC("tc")
__description("unpriv: a tc program needs CAP_BPF and CAP_NET_ADMIN (EPERM, no log)")
__success __failure_unpriv
int tc_needs_caps(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
