// SPDX-License-Identifier: MIT
/* bpf_tcp_ca_btf_struct_access's writable fields at their edges: anywhere inside icsk_ca_priv,
 * icsk_ack.pending, app_limited, sk_pacing_status. The refusals (a field not on the list, a write
 * running past its field) name offsets of the kernel's layout, which ebpfvm's built-in BTF does
 * not reproduce: test/verifier/struct-ops-tcp-ca.test.ts checks them. The host kernel's verdict:
 * test/fixtures/verifier-kernel/tcp_ca_writes.json. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"

SEC("struct_ops/wr_fields")
__description("tcp_ca: writes inside icsk_ca_priv, to icsk_ack.pending, app_limited and sk_pacing_status")
__success
void BPF_PROG(wr_fields, struct sock *sk)
{
	((struct inet_connection_sock *)sk)->icsk_ca_priv[12] = 0;
	*(__u8 *)((void *)((struct inet_connection_sock *)sk)->icsk_ca_priv + 3) = 0;
	((struct inet_connection_sock *)sk)->icsk_ack.pending = 1;
	((struct tcp_sock *)sk)->app_limited = 1;
	sk->sk_pacing_status = 1;
}
SEC(".struct_ops")
struct tcp_congestion_ops wr_ops = { .init = (void *)wr_fields, .name = "ebpfvm_wr" };
char _license[] SEC("license") = "GPL";
