// VM and map benchmarks (bench/vm-maps.ts): a bpf-to-bpf call loop, a helper call loop, and map
// lookup/update loops over array, hash and LRU hash maps. Each loop runs ctx->n times (at most
// BATCH); `loop` is the bare loop, subtracted to leave the cost of one lookup or update.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define BATCH 1024
#define NKEYS 1024

struct ctx {
	__u64 n;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NKEYS);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4 * NKEYS);
	__type(key, __u32);
	__type(value, __u64);
} hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4 * NKEYS);
	__type(key, __u32);
	__type(value, __u64);
} lru SEC(".maps");

/* Keys are scattered over 0..NKEYS-1 (an odd multiplier is a permutation mod 2^10). */
#define KEY(i) ((__u32)((i) * 629) & (NKEYS - 1))

SEC("syscall")
int loop(struct ctx *c)
{
	__u64 i, sum = 0;

#pragma clang loop unroll(disable)
	for (i = 0; i < c->n && i < BATCH; i++)
		sum += KEY(i);
	return sum == 0xffffffffffULL;
}

/* Returns how many lookups found their key; the values' sum goes to ctx->n's neighbour-free
 * return path only through the count, so clang cannot drop the loads. */
#define LOOKUP(name, map)                                         \
	SEC("syscall")                                            \
	int name(struct ctx *c)                                   \
	{                                                         \
		__u64 i, sum = 0;                                 \
		int found = 0;                                    \
		_Pragma("clang loop unroll(disable)")             \
		for (i = 0; i < c->n && i < BATCH; i++) {         \
			__u32 k = KEY(i);                         \
			__u64 *v = bpf_map_lookup_elem(&map, &k); \
			if (v) {                                  \
				sum += *v;                        \
				found++;                          \
			}                                         \
		}                                                 \
		return sum == 1 ? -1 : found;                     \
	}

/* Returns how many updates succeeded; value = key + 1. */
#define UPDATE(name, map)                                                 \
	SEC("syscall")                                                    \
	int name(struct ctx *c)                                           \
	{                                                                 \
		__u64 i;                                                  \
		int ok = 0;                                               \
		_Pragma("clang loop unroll(disable)")                     \
		for (i = 0; i < c->n && i < BATCH; i++) {                 \
			__u32 k = KEY(i);                                 \
			__u64 v = k + 1;                                  \
			ok += bpf_map_update_elem(&map, &k, &v, BPF_ANY) == 0; \
		}                                                         \
		return ok;                                                \
	}

LOOKUP(array_lookup, arr)
UPDATE(array_update, arr)
LOOKUP(hash_lookup, hash)
UPDATE(hash_update, hash)
LOOKUP(lru_lookup, lru)
UPDATE(lru_update, lru)

/* bpf-to-bpf calls: a non-inlined function called ctx->n times. */
static __attribute__((noinline)) __u64 mix(__u64 a, __u64 b)
{
	return (a ^ b) * 31 + 7;
}

SEC("syscall")
int calls(struct ctx *c)
{
	__u64 i, acc = 1;

#pragma clang loop unroll(disable)
	for (i = 0; i < c->n && i < BATCH; i++)
		acc = mix(acc, i);
	return acc & 0x7fffffff;
}

/* Helper calls: the cheapest helper with no arguments, ctx->n times. */
SEC("syscall")
int helper_calls(struct ctx *c)
{
	__u64 i;
	int cpu0 = 0;

#pragma clang loop unroll(disable)
	for (i = 0; i < c->n && i < BATCH; i++)
		cpu0 += bpf_get_smp_processor_id() == 0;
	return cpu0;
}

char _license[] SEC("license") = "GPL";
