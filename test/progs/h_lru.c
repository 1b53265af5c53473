// lru_hash eviction. ebpfvm's LRU is strict (maps/hash-table.ts); the kernel's is approximate, but
// for these small sequences both evict the same keys (recorded on Linux 6.18).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u32);
} h_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} h_lru8 SEC(".maps");

/* Loops over an address-taken key do not verify, hence the helpers and the unrolling. */
static __always_inline void put(void *map, __u32 k)
{
	__u32 v = k * 10;

	bpf_map_update_elem(map, &k, &v, BPF_ANY);
}

static __always_inline void touch(void *map, __u32 k)
{
	bpf_map_lookup_elem(map, &k);
}

static __always_inline __u32 present(void *map, __u32 k)
{
	return bpf_map_lookup_elem(map, &k) ? 1u << k : 0;
}

/* Insert 1, 2, 3, touch 1, insert 4: strict LRU evicts 2. Returns a bitmask of present keys. */
SEC("syscall")
int h_lru_evict(void *ctx)
{
	__u32 k = 4, v = 7;

	put(&h_lru, 1);
	put(&h_lru, 2);
	put(&h_lru, 3);
	touch(&h_lru, 1);
	if (bpf_map_update_elem(&h_lru, &k, &v, BPF_NOEXIST))
		return -1;
	return present(&h_lru, 1) | present(&h_lru, 2) | present(&h_lru, 3) | present(&h_lru, 4);
}

/* Fill 8, touch 1..4, insert 9 and 10: strict LRU evicts 5 and 6. */
SEC("syscall")
int h_lru_evict8(void *ctx)
{
	put(&h_lru8, 1); put(&h_lru8, 2); put(&h_lru8, 3); put(&h_lru8, 4);
	put(&h_lru8, 5); put(&h_lru8, 6); put(&h_lru8, 7); put(&h_lru8, 8);
	touch(&h_lru8, 1); touch(&h_lru8, 2); touch(&h_lru8, 3); touch(&h_lru8, 4);
	put(&h_lru8, 9);
	put(&h_lru8, 10);
	return present(&h_lru8, 1) | present(&h_lru8, 2) | present(&h_lru8, 3) | present(&h_lru8, 4) |
	       present(&h_lru8, 5) | present(&h_lru8, 6) | present(&h_lru8, 7) | present(&h_lru8, 8) |
	       present(&h_lru8, 9) | present(&h_lru8, 10);
}

char LICENSE[] SEC("license") = "GPL";
