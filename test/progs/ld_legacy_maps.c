// Loader test: the legacy `maps` section of struct bpf_map_def records (libbpf < 1.0).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def_legacy { unsigned int type, key_size, value_size, max_entries, map_flags; };
struct bpf_map_def_legacy counters SEC("maps") = { .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 8 };
struct bpf_map_def_legacy table SEC("maps") = { .type = BPF_MAP_TYPE_HASH, .key_size = 8, .value_size = 4, .max_entries = 32, .map_flags = 1 };

SEC("socket") int count(struct __sk_buff *skb) {
  __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&counters, &k);
  if (v) __sync_fetch_and_add(v, 1);
  __u64 hk = 7; bpf_map_lookup_elem(&table, &hk);
  return 0;
}
char LICENSE[] SEC("license") = "Dual BSD/GPL";
