// SPDX-License-Identifier: MIT
/* Writes bpf_tcp_ca_btf_struct_access refuses with a message naming tcp_sock offsets, each
 * program in its own struct_ops map (test/verifier/struct-ops-tcp-ca.test.ts). The host kernel
 * (6.18) refuses both, at its own offsets: "no write support to tcp_sock at off 1672" and
 * "write access at off 1444 with size 8 beyond the member of tcp_sock ended at 1448". */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("struct_ops/w_una")
void BPF_PROG(w_una, struct sock *sk)
{
	((struct tcp_sock *)sk)->snd_una = 0;
}

SEC("struct_ops/w_cwnd64")
void BPF_PROG(w_cwnd64, struct sock *sk)
{
	*(__u64 *)&((struct tcp_sock *)sk)->snd_cwnd = 0;
}

SEC(".struct_ops")
struct tcp_congestion_ops una_ops = { .init = (void *)w_una, .name = "ebpfvm_una" };
SEC(".struct_ops")
struct tcp_congestion_ops cwnd_ops = { .init = (void *)w_cwnd64, .name = "ebpfvm_cwnd" };

char _license[] SEC("license") = "GPL";
