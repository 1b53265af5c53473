// Loader test: map-in-map with an inner template and `values` initialisers.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u32); };
struct inner in0 SEC(".maps"), in1 SEC(".maps");

struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 4); __type(key, __u32); __array(values, struct inner); }
  outer SEC(".maps") = { .values = { [0] = &in0, [2] = &in1 } };

struct { __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS); __uint(max_entries, 8); __type(key, __u32);
         __array(values, struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 2); __type(key, __u64); __type(value, __u64); }); } outer_hash SEC(".maps");

SEC("syscall") int lookup(void *ctx) {
  __u32 k = 0; __u32 *v;
  void *m = bpf_map_lookup_elem(&outer, &k);
  if (!m) return -1;
  v = bpf_map_lookup_elem(m, &k);
  bpf_map_lookup_elem(&outer_hash, &k);
  return v ? *v : -2;
}
char LICENSE[] SEC("license") = "GPL";
