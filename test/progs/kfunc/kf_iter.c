// Open-coded iterators (kfuncs): the numeric iterator bpf_iter_num_* and the bit iterator
// bpf_iter_bits_*, with their error returns and edges (start > end, ranges over BPF_MAX_LOOPS,
// INT_MIN/INT_MAX wrap, next after the end), run on the host kernel for the fixtures.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "kfunc_decls.h"

#define BPF_MAX_LOOPS (8 * 1024 * 1024)
#define INT_MAX 0x7fffffff
#define INT_MIN (-INT_MAX - 1)

/* The tc program's loop bound is the packet length: unknown to the verifier. */
SEC("tc")
int iter_sum(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	__u64 acc = 0;
	int *v;

	bpf_iter_num_new(&it, 0, skb->len);
	while ((v = bpf_iter_num_next(&it)))
		acc = acc * 31 + *v;
	bpf_iter_num_destroy(&it);
	return acc & 0x7fffffff;
}

/* Results of each walk: new's return, count (| late non-NULL << 16), folded values. */
struct walk {
	int ret;
	int count;
	__u64 acc;
};
struct walk w_inval, w_big, w_max, w_empty, w_neg, w_top, w_bottom, w_one;

#define WALK(w, s, e, extra) ((w).count = ITER_NUM_WALK((w).ret, (w).acc, (s), (e), (extra)))

SEC("syscall")
int iter_edges(void *ctx)
{
	WALK(w_inval, 5, 3, 2);
	WALK(w_big, 0, BPF_MAX_LOOPS + 1, 1);
	WALK(w_empty, 7, 7, 3);
	WALK(w_neg, -5, -2, 2);
	WALK(w_top, INT_MAX - 3, INT_MAX, 2);
	WALK(w_bottom, INT_MIN, INT_MIN + 2, 2);
	WALK(w_one, 41, 42, 1);
	{
		/* the largest range new() accepts: not walked (8M calls), only created */
		struct bpf_iter_num it;

		w_max.ret = bpf_iter_num_new(&it, -1, BPF_MAX_LOOPS - 1);
		w_max.acc = !!bpf_iter_num_next(&it);
		bpf_iter_num_destroy(&it);
	}
	return 0;
}

/* Bits: one word (kept inside the iterator), three words (copied), and the refusals. */
__u64 one_word = 0x8000000000000105ULL;
__u64 three_words[3] = { 0x1ULL, 0, 0x8000000000000002ULL };
__u64 many_words[600];
struct bits_res {
	int ret;
	int count;
	__u64 sum;
};
struct bits_res b_one, b_three, b_zero_words, b_too_many, b_null, b_stack, b_511;

#define BITS_WALK(r, ptr, n)                                                     \
	({                                                                       \
		struct bpf_iter_bits ___it;                                      \
		int *___b;                                                       \
		(r).ret = bpf_iter_bits_new(&___it, (ptr), (n));                 \
		while ((___b = bpf_iter_bits_next(&___it))) {                    \
			(r).count++;                                             \
			(r).sum = (r).sum * 1000 + *___b;                        \
		}                                                                \
		bpf_iter_bits_destroy(&___it);                                   \
	})

SEC("syscall")
int iter_bits(void *ctx)
{
	__u64 on_stack[2] = { 0x10, 0x4000000000000000ULL };

	many_words[0] = 3;
	many_words[510] = 1ULL << 63;
	BITS_WALK(b_one, &one_word, 1);
	BITS_WALK(b_three, three_words, 3);
	BITS_WALK(b_zero_words, three_words, 0);
	BITS_WALK(b_too_many, many_words, 512);
	BITS_WALK(b_null, (const __u64 *)0, 1);
	BITS_WALK(b_stack, on_stack, 2);
	BITS_WALK(b_511, many_words, 511);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
