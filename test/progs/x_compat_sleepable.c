// Load-time refusal (helpers/map-compat.ts): a sleepable program (every syscall program is) may
// not use an LPM trie, even in code that never runs.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __uint(max_entries, 4); __uint(map_flags, BPF_F_NO_PREALLOC);
	 __type(key, __u64); __type(value, __u32); } trie SEC(".maps");

SEC("syscall")
int sleepable_trie(void *ctx)
{
	__u64 key = 32;

	return bpf_map_lookup_elem(&trie, &key) != 0;
}

char LICENSE[] SEC("license") = "GPL";
