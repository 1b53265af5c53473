// netfilter test runs (bpf_prog_test_run_nf): the hook state and the packet's sk_buff reached
// through struct bpf_nf_ctx, fields read with CO-RE against the kernel's BTF (the host's, or
// ebpfvm's built-in one), the packet read through an skb dynptr. Each program answers one yes/no
// question with NF_ACCEPT (1) or NF_DROP (0), the only verdicts the verifier allows.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define NF_DROP 0
#define NF_ACCEPT 1

/* The default test-run state: pf NFPROTO_IPV4 (2), hook NF_INET_LOCAL_OUT (3). */
SEC("netfilter")
int nf_state(struct bpf_nf_ctx *ctx)
{
	const struct nf_hook_state *state = ctx->state;

	return state->pf == 2 && state->hook == 3 ? NF_ACCEPT : NF_DROP;
}

/* skb->protocol follows pf at LOCAL_OUT. */
SEC("netfilter")
int nf_protocol(struct bpf_nf_ctx *ctx)
{
	return ctx->skb->protocol == bpf_htons(0x0800) ? NF_ACCEPT : NF_DROP;
}

/* skb->len is all of data_in at LOCAL_OUT (no Ethernet header is pulled). */
SEC("netfilter")
int nf_len_over_60(struct bpf_nf_ctx *ctx)
{
	return ctx->skb->len > 60 ? NF_ACCEPT : NF_DROP;
}

/* The packet from its first byte: the dynptr covers data_in. */
SEC("netfilter")
int nf_first_byte(struct bpf_nf_ctx *ctx)
{
	struct bpf_dynptr ptr;
	__u8 buf[4] = {};
	__u8 *p;

	if (bpf_dynptr_from_skb((struct __sk_buff *)ctx->skb, 0, &ptr))
		return NF_DROP;
	p = bpf_dynptr_slice(&ptr, 0, buf, sizeof(buf));
	if (!p)
		return NF_DROP;
	return p[0] == 0x02 ? NF_ACCEPT : NF_DROP;
}

/* A slice past the end of the packet fails: NULL. */
SEC("netfilter")
int nf_slice_past_end(struct bpf_nf_ctx *ctx)
{
	struct bpf_dynptr ptr;
	__u8 buf[8] = {};

	if (bpf_dynptr_from_skb((struct __sk_buff *)ctx->skb, 0, &ptr))
		return NF_DROP;
	return bpf_dynptr_slice(&ptr, 60, buf, sizeof(buf)) ? NF_ACCEPT : NF_DROP;
}

char LICENSE[] SEC("license") = "GPL";
