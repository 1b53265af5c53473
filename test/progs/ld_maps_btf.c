// Loader test: BTF-defined maps of several kinds and every definition attribute.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct val { __u64 a; __u32 b; struct bpf_spin_lock lock; };

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 128); __type(key, __u32); __type(value, struct val);
         __uint(map_flags, BPF_F_NO_PREALLOC); } hmap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __uint(key_size, 4); __uint(value_size, 16); } sized SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 2); __type(key, int); __type(value, long); __uint(numa_node, 1);
         __uint(map_flags, BPF_F_NUMA_NODE); } pcpu SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 16); __type(key, __u64); __type(value, __u64);
         __uint(pinning, LIBBPF_PIN_BY_NAME); } lru SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_BLOOM_FILTER); __uint(max_entries, 64); __type(value, __u32); __uint(map_extra, 3); } bloom SEC(".maps");

SEC("tc") int use_maps(void *ctx) {
  __u32 k = 1; long *p; struct val *v;
  v = bpf_map_lookup_elem(&hmap, &k);
  if (v) { bpf_spin_lock(&v->lock); v->a++; bpf_spin_unlock(&v->lock); }
  p = bpf_map_lookup_elem(&pcpu, &k);
  if (p) *p += 1;
  bpf_map_lookup_elem(&sized, &k);
  bpf_map_lookup_elem(&lru, &k);
  bpf_map_push_elem(&bloom, &k, 0);
  bpf_ringbuf_output(&rb, &k, sizeof(k), 0);
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
