// Tracing helpers and kfuncs whose kernel data ebpfvm models or lacks (test/helpers/trace-misc.test.ts):
// bpf_send_signal(_thread), bpf_read_branch_records (no branch stack: -ENOENT), bpf_skb_output
// (a sample and the skb's first bytes), bpf_map_sum_elem_count over the bpf_map iterator.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

__s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, int);
	__type(value, int);
} counted SEC(".maps");

long sig_ret[4], br_ret[3], out_ret[3];

SEC("raw_tp/sys_enter")
int signals(void *ctx)
{
	sig_ret[0] = bpf_send_signal(10);
	sig_ret[1] = bpf_send_signal_thread(12);
	sig_ret[2] = bpf_send_signal(65);
	sig_ret[3] = bpf_send_signal(0);
	return 0;
}

SEC("perf_event")
int branches(struct bpf_perf_event_data *ctx)
{
	__u64 entries[3 * 4] = {};

	br_ret[0] = bpf_read_branch_records(ctx, entries, sizeof(entries), 0);
	br_ret[1] = bpf_read_branch_records(ctx, 0, 0, 1 /* BPF_F_GET_BRANCH_RECORDS_SIZE */);
	br_ret[2] = bpf_read_branch_records(ctx, entries, sizeof(entries), 2);
	return 0;
}

SEC("tp_btf/tcp_bad_csum")
int BPF_PROG(skb_out, const struct sk_buff *skb)
{
	__u32 tag = 0x7a67;

	out_ret[0] = bpf_skb_output((void *)skb, &events, 0xffffffffULL | (4ULL << 32), &tag, sizeof(tag));
	out_ret[1] = bpf_skb_output((void *)skb, &events, 0xffffffffULL | (64ULL << 32), &tag, sizeof(tag));
	out_ret[2] = bpf_skb_output((void *)skb, &events, 0xffffffffULL | (1ULL << 52), &tag, sizeof(tag));
	return 0;
}

SEC("iter/bpf_map")
int sum_counts(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (map)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%s %lld\n", map->name, bpf_map_sum_elem_count(map));
	return 0;
}
