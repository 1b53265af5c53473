// Loader test: a perf event array declared with only its type; libbpf completes it at creation
// (u32 key and value, one slot per possible CPU).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); } events SEC(".maps");
SEC("raw_tp") int emit(void *ctx) { int x = 7; return bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &x, sizeof(x)); }
char LICENSE[] SEC("license") = "GPL";
