// SPDX-License-Identifier: MIT
/* A TCP congestion control in BPF (struct tcp_congestion_ops, net/ipv4/bpf_tcp_ca.c): each
 * member's program gets its arguments typed from the member's prototype (struct sock * retyped as
 * a trusted tcp_sock), reads the socket through BTF, writes only the fields
 * bpf_tcp_ca_btf_struct_access allows (snd_cwnd, snd_ssthresh, snd_cwnd_cnt, icsk_ca_priv,
 * sk_pacing_rate, ...), calls the kfuncs bpf_tcp_ca registers (tcp_slow_start, tcp_cong_avoid_ai,
 * tcp_reno_*) and its helpers (bpf_tcp_send_ack, bpf_sk_storage_*, bpf_setsockopt outside
 * release, bpf_ktime_get_coarse_ns); a member returning void leaves R0 unset. All of them are in
 * one struct_ops map (libbpf loads the programs of a map together), so all must load. The
 * refusals are tcp_ca_*.c, one program each. Every verdict is the host kernel's
 * (test/fixtures/verifier-kernel/tcp_ca.json). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"

#define SOL_TCP 6
#define TCP_CONGESTION 13
#define NO_PREALLOC 1			/* BPF_F_NO_PREALLOC */
#define SK_STORAGE_F_CREATE 1		/* BPF_SK_STORAGE_GET_F_CREATE */

extern __u32 tcp_slow_start(struct tcp_sock *tp, __u32 acked) __ksym;
extern void tcp_cong_avoid_ai(struct tcp_sock *tp, __u32 w, __u32 acked) __ksym;
extern __u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;
extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;

struct ca_state {
	__u32 cnt;
	__u32 last_cwnd;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, NO_PREALLOC);
	__type(key, int);
	__type(value, int);
} sk_stg SEC(".maps");

SEC("struct_ops/tc_init")
__description("tcp_ca: init writes icsk_ca_priv and sk_pacing_rate, calls bpf_setsockopt and bpf_sk_storage_get")
__success
void BPF_PROG(tc_init, struct sock *sk)
{
	struct ca_state *ca = (void *)((struct inet_connection_sock *)sk)->icsk_ca_priv;
	char name[] = "bpf_tc";
	int *v;

	ca->cnt = 0;
	ca->last_cwnd = ((struct tcp_sock *)sk)->snd_cwnd;
	sk->sk_pacing_rate = ~0UL;
	v = bpf_sk_storage_get(&sk_stg, sk, 0, SK_STORAGE_F_CREATE);
	if (v)
		*v = 1;
	bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, name, sizeof(name));
}

SEC("struct_ops/tc_ssthresh")
__description("tcp_ca: ssthresh returns tcp_reno_ssthresh of the socket")
__success
__u32 BPF_PROG(tc_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops/tc_cong_avoid")
__description("tcp_ca: cong_avoid calls tcp_slow_start and tcp_cong_avoid_ai on the tcp_sock")
__success
void BPF_PROG(tc_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;

	if (tp->snd_cwnd < tp->snd_ssthresh) {
		acked = tcp_slow_start(tp, acked);
		if (!acked)
			return;
	}
	tcp_cong_avoid_ai(tp, tp->snd_cwnd, acked);
}

SEC("struct_ops/tc_undo_cwnd")
__description("tcp_ca: undo_cwnd returns tcp_reno_undo_cwnd")
__success
__u32 BPF_PROG(tc_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC("struct_ops/tc_set_state")
__description("tcp_ca: set_state writes snd_ssthresh and snd_cwnd_cnt, reads icsk_ca_state")
__success
void BPF_PROG(tc_set_state, struct sock *sk, __u8 new_state)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;

	if (new_state == 4 && ((struct inet_connection_sock *)sk)->icsk_ca_state != 4) {
		tp->snd_ssthresh = tp->snd_cwnd;
		tp->snd_cwnd_cnt = 0;
	}
}

SEC("struct_ops/tc_cwnd_event")
__description("tcp_ca: cwnd_event sends an ACK with bpf_tcp_send_ack and writes ecn_flags")
__success
void BPF_PROG(tc_cwnd_event, struct sock *sk, enum tcp_ca_event ev)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;

	if (ev == CA_EVENT_ECN_IS_CE) {
		tp->ecn_flags |= 1;
		bpf_tcp_send_ack(tp, tp->rcv_nxt);
	}
}

SEC("struct_ops/tc_pkts_acked")
__description("tcp_ca: pkts_acked reads the ack_sample and stamps snd_cwnd_stamp with bpf_ktime_get_coarse_ns")
__success
void BPF_PROG(tc_pkts_acked, struct sock *sk, const struct ack_sample *sample)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;

	if (sample->rtt_us > 0)
		tp->snd_cwnd_stamp = (__u32)bpf_ktime_get_coarse_ns();
}

SEC("struct_ops/tc_release")
__description("tcp_ca: release (void) may read the socket and return nothing")
__success
void BPF_PROG(tc_release, struct sock *sk)
{
	struct ca_state *ca = (void *)((struct inet_connection_sock *)sk)->icsk_ca_priv;

	ca->cnt = sk->__sk_common.skc_state;
}

SEC(".struct_ops")
struct tcp_congestion_ops tc_ops = {
	.init = (void *)tc_init,
	.ssthresh = (void *)tc_ssthresh,
	.cong_avoid = (void *)tc_cong_avoid,
	.undo_cwnd = (void *)tc_undo_cwnd,
	.set_state = (void *)tc_set_state,
	.cwnd_event = (void *)tc_cwnd_event,
	.pkts_acked = (void *)tc_pkts_acked,
	.release = (void *)tc_release,
	.name = "ebpfvm_tc",
};

char _license[] SEC("license") = "GPL";
