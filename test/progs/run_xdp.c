// XDP test runs: data/data_end/data_meta pointers, metadata from ctx_in, packet writes that
// accumulate over repeat, an array map counting actions.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, __u64);
} xdp_actions SEC(".maps");

static int count(int action)
{
	__u32 k = action;
	__u64 *v = bpf_map_lookup_elem(&xdp_actions, &k);
	if (v)
		*v += 1;
	return action;
}

/* Swaps source and destination MAC, bumps byte 59; drops runts (< 60 bytes). */
SEC("xdp")
int xdp_swap(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	if (data + 60 > end)
		return count(XDP_DROP);
	for (int i = 0; i < 6; i++) {
		unsigned char t = data[i];
		data[i] = data[i + 6];
		data[i + 6] = t;
	}
	data[59] += 1;
	return count(XDP_TX);
}

/* Reads a 4-byte metadata word in front of the packet (given through ctx_in) and stores it
 * into the first payload bytes; returns it plus the ingress ifindex and queue. */
SEC("xdp")
int xdp_meta(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *meta = (void *)(long)ctx->data_meta;
	void *end = (void *)(long)ctx->data_end;
	if (meta + 4 > data || data + 18 > end)
		return 1000 + ctx->ingress_ifindex * 10 + ctx->rx_queue_index;
	__u32 m = *(__u32 *)meta;
	*(__u32 *)(data + 14) = m;
	return m + ctx->ingress_ifindex * 10 + ctx->rx_queue_index;
}

char LICENSE[] SEC("license") = "GPL";
