// A program the verifier rejects, for the playground (playground/): it reads a map value without
// checking the lookup's result for NULL. The kernel refuses it with
// "R0 invalid mem access 'map_value_or_null'" at the load from the result (the recorded host
// verdict is in test/fixtures/verifier-corpus.json); the fix is the commented-out check.
//
// Rebuild: node scripts/build-progs.mjs rejected
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

SEC("xdp")
int missing_null_check(struct xdp_md *ctx)
{
	__u32 key = ctx->rx_queue_index & 3;
	__u64 *v = bpf_map_lookup_elem(&hits, &key);

	/* if (!v) return XDP_PASS; */
	*v += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
