// sk_lookup test runs: the lookup from ctx_in, a verdict back, globals updated.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u32 hits;
__u32 last_remote4;
__u32 last_remote_port;
__u32 last_local6;

SEC("sk_lookup")
int lookup_port(struct bpf_sk_lookup *ctx)
{
	hits++;
	if (ctx->family == 2 && ctx->protocol == 6 && ctx->local_port == 8080) {
		last_remote4 = ctx->remote_ip4;
		last_remote_port = ctx->remote_port;
		return SK_DROP;
	}
	if (ctx->family == 10) {
		last_local6 = ctx->local_ip6[3] ^ ctx->remote_ip6[0];
		return ctx->local_port == 53 ? SK_DROP : SK_PASS;
	}
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
