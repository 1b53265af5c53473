// cflags: -mcpu=v2
// Loader test: callbacks (bpf_loop, bpf_for_each_map_elem) as BPF_PSEUDO_FUNC references, a global
// subprogram in .text, and a call from one program section into a subprogram used twice.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 3); __type(key, __u32); __type(value, __u64); } arr SEC(".maps");
struct ctx_t { __u64 sum; };
static long each(void *map, __u32 *key, __u64 *val, struct ctx_t *c) { c->sum += *val + *key; return 0; }
static int step(__u32 i, struct ctx_t *c) { c->sum += i * 10; return i == 2; }
__attribute__((noinline)) int finish(__u64 v) { return (int)v + 1; }
SEC("syscall") int run_loops(void *ctx) {
  struct ctx_t c = {};
  bpf_loop(5, step, &c, 0);
  bpf_for_each_map_elem(&arr, each, &c, 0);
  return finish(c.sum);
}
SEC("syscall") int just_finish(void *ctx) { return finish(41); }
char LICENSE[] SEC("license") = "GPL";
