// Loader test: prog_array with `values` initialisers pointing at programs (tail calls).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int callee0(void *ctx);
int callee1(void *ctx);
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 3); __uint(key_size, 4); __array(values, int(void *)); }
  jmp SEC(".maps") = { .values = { [0] = (void *)&callee0, [2] = (void *)&callee1 } };

SEC("raw_tp") int callee0(void *ctx) { return 100; }
SEC("raw_tp") int callee1(void *ctx) { return 101; }
SEC("raw_tp") int entry(void *ctx) { bpf_tail_call(ctx, &jmp, 2); return 1; }
char LICENSE[] SEC("license") = "GPL";
