// Loader test: a map pinned by name (LIBBPF_PIN_BY_NAME) is shared by every object loaded into one
// runtime; an unpinned map is per object.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64);
         __uint(pinning, LIBBPF_PIN_BY_NAME); } shared_count SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } own_count SEC(".maps");
SEC("syscall") int bump(void *ctx) {
  __u32 k = 0; __u64 *s = bpf_map_lookup_elem(&shared_count, &k), *o = bpf_map_lookup_elem(&own_count, &k);
  if (!s || !o) return -1;
  *s += 1; *o += 1;
  return *s * 100 + *o;
}
char LICENSE[] SEC("license") = "GPL";
