// The workloads of bench/engines.ts's kernel column (issue 15), one object both sides run: the
// host kernel (loaded with bpftool, timed with `bpftool prog run ... repeat`, which gives the
// kernel's mean duration per run) and the VM (verified, both engines). tc programs, because
// BPF_PROG_TEST_RUN's `repeat` is refused for syscall programs. The ALU loops are naked asm so
// both sides run exactly bench/programs.ts's instructions (aluLoop, alu32Loop); the lookup loops
// do 1024 lookups of keys scattered over 1024 entries, with `loop` (the same loop without the
// lookup) subtracted. Built with
//   clang-19 -O2 -g -target bpf -mcpu=v3 -I /usr/include/x86_64-linux-gnu -c bench/kernel/engines_kern.c -o bench/kernel/engines_kern.o
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define BATCH 1024
#define NKEYS 1024

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NKEYS);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NKEYS);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4 * NKEYS);
	__type(key, __u32);
	__type(value, __u64);
} hash SEC(".maps");

/* Keys are scattered over 0..NKEYS-1 (an odd multiplier is a permutation mod 2^10). */
#define KEY(i) ((__u32)((i) * 629) & (NKEYS - 1))

SEC("tc")
int empty(struct __sk_buff *skb)
{
	return 0;
}

/* bench/programs.ts aluLoop(1000): 3 + 1000 * 9 + 1 = 9004 instructions. */
SEC("tc")
__attribute__((naked)) int alu64(void)
{
	asm volatile("r0 = 1;"
		     "r1 = 0;"
		     "r2 = 7;"
		     "1:"
		     "r0 += r2;"
		     "r0 ^= 0x55;"
		     "r0 <<= 3;"
		     "r0 >>= 1;"
		     "r0 -= r1;"
		     "r2 *= 3;"
		     "r2 += 1;"
		     "r1 += 1;"
		     "if r1 != 1000 goto 1b;"
		     "exit;" ::: "memory");
}

/* bench/programs.ts alu32Loop(1000): the same body on 32-bit registers, JMP32 back edge. */
SEC("tc")
__attribute__((naked)) int alu32(void)
{
	asm volatile("w0 = 1;"
		     "w1 = 0;"
		     "w2 = 7;"
		     "1:"
		     "w0 += w2;"
		     "w0 ^= 0x55;"
		     "w0 <<= 3;"
		     "w0 >>= 1;"
		     "w0 -= w1;"
		     "w2 *= 3;"
		     "w2 += 1;"
		     "w1 += 1;"
		     "if w1 != 1000 goto 1b;"
		     "exit;" ::: "memory");
}

static long fill_one(__u32 k, int *bad)
{
	__u64 v = k + 1;

	*bad += bpf_map_update_elem(&arr, &k, &v, BPF_ANY) != 0;
	*bad += bpf_map_update_elem(&pcpu, &k, &v, BPF_ANY) != 0;
	*bad += bpf_map_update_elem(&hash, &k, &v, BPF_ANY) != 0;
	return 0;
}

/* Fills the three maps: value = key + 1. Returns the number of updates that failed. */
SEC("tc")
int fill(struct __sk_buff *skb)
{
	int bad = 0;

	bpf_loop(NKEYS, fill_one, &bad, 0);
	return bad;
}

SEC("tc")
int loop(struct __sk_buff *skb)
{
	__u64 sum = 0;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < BATCH; i++)
		sum += KEY(i);
	return sum == 0xffffffffffULL;
}

/* Returns how many lookups found their key (BATCH when the maps are filled). */
#define LOOKUP(name, map)                                         \
	SEC("tc")                                                 \
	int name(struct __sk_buff *skb)                           \
	{                                                         \
		__u64 sum = 0;                                    \
		int found = 0;                                    \
		_Pragma("clang loop unroll(disable)")             \
		for (__u32 i = 0; i < BATCH; i++) {               \
			__u32 k = KEY(i);                         \
			__u64 *v = bpf_map_lookup_elem(&map, &k); \
			if (v) {                                  \
				sum += *v;                        \
				found++;                          \
			}                                         \
		}                                                 \
		return sum == 1 ? -1 : found;                     \
	}

LOOKUP(array_lookup, arr)
LOOKUP(percpu_lookup, pcpu)
LOOKUP(hash_lookup, hash)

char _license[] SEC("license") = "GPL";
