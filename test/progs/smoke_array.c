#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64);} m SEC(".maps");
SEC("syscall") int prog(void *ctx) { __u32 k=0; __u64 *v = bpf_map_lookup_elem(&m,&k); if (v) { *v += 1; return *v; } return 7; }
char LICENSE[] SEC("license") = "GPL";
