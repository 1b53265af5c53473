// Per-helper rbtree benchmarks (bench/rbtree-helpers.ts): each program runs one helper BATCH
// times over a key batch in its syscall context, so the cost of entering a run is spread over the
// batch; `loop` is the same loop with no helper call, subtracted to leave the helper's own cost.
// Node pointers travel between programs in the context (unverified mode only: the kernel's
// verifier would refuse storing a node pointer there, which is why the kernel column uses its
// own program, bench_kernel_rbtree.c).
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_rbtree.h"

#define BATCH 1024

struct node_data {
	struct rb_node node;
	__u64 key;
	__u64 val;
};

struct {
	__uint(type, BPF_MAP_TYPE_RBTREE);
	__type(value, struct node_data);
} tree SEC(".maps");

/* The context the harness writes: a count, keys and node addresses. */
struct batch {
	__u64 n;
	__u64 keys[BATCH];
	__u64 nodes[BATCH];
};

static bool less(struct rb_node *a, const struct rb_node *b)
{
	return ((struct node_data *)a)->key < ((struct node_data *)b)->key;
}

static int cmp(const void *k, const struct rb_node *n)
{
	__u64 key = *(const __u64 *)k, nk = ((const struct node_data *)n)->key;

	return key < nk ? -1 : key > nk;
}

/* Loop overhead: the loop and one load per step, as in the helper loops. */
SEC("syscall")
int loop(struct batch *b)
{
	__u64 i, sum = 0;

#pragma clang loop unroll(disable)
	for (i = 0; i < b->n && i < BATCH; i++)
		sum += b->nodes[i];
	return sum & 1;
}

/* alloc_node, and the key store that makes the node usable. Returns the number allocated. */
SEC("syscall")
int alloc(struct batch *b)
{
	struct node_data *n;
	__u64 i;
	int ok = 0;

#pragma clang loop unroll(disable)
	for (i = 0; i < b->n && i < BATCH; i++) {
		n = bpf_rbtree_alloc_node(&tree, sizeof(*n));
		b->nodes[i] = (__u64)n;
		if (n) {
			n->key = b->keys[i];
			ok++;
		}
	}
	return ok;
}

/* add under one lock; returns the number linked. */
SEC("syscall")
int add(struct batch *b)
{
	__u64 i;
	int ok = 0;

	bpf_rbtree_lock(bpf_rbtree_get_lock(&tree));
#pragma clang loop unroll(disable)
	for (i = 0; i < b->n && i < BATCH; i++)
		ok += bpf_rbtree_add(&tree, (void *)b->nodes[i], less) != 0;
	bpf_rbtree_unlock(bpf_rbtree_get_lock(&tree));
	return ok;
}

/* find each key under one lock; returns the number found. */
SEC("syscall")
int find(struct batch *b)
{
	__u64 i;
	int ok = 0;

	bpf_rbtree_lock(bpf_rbtree_get_lock(&tree));
#pragma clang loop unroll(disable)
	for (i = 0; i < b->n && i < BATCH; i++)
		ok += bpf_rbtree_find(&tree, &b->keys[i], cmp) != 0;
	bpf_rbtree_unlock(bpf_rbtree_get_lock(&tree));
	return ok;
}

/* remove each node under one lock; returns the number unlinked. */
SEC("syscall")
int remove(struct batch *b)
{
	__u64 i;
	int ok = 0;

	bpf_rbtree_lock(bpf_rbtree_get_lock(&tree));
#pragma clang loop unroll(disable)
	for (i = 0; i < b->n && i < BATCH; i++)
		ok += bpf_rbtree_remove(&tree, (void *)b->nodes[i]) != 0;
	bpf_rbtree_unlock(bpf_rbtree_get_lock(&tree));
	return ok;
}

/* free_node each node; returns the number freed. */
SEC("syscall")
int free_nodes(struct batch *b)
{
	__u64 i;
	int ok = 0;

#pragma clang loop unroll(disable)
	for (i = 0; i < b->n && i < BATCH; i++)
		ok += bpf_rbtree_free_node(&tree, (void *)b->nodes[i]) == 0;
	return ok;
}

/* first under one lock, BATCH times; returns how many found a node. */
SEC("syscall")
int first(struct batch *b)
{
	__u64 i;
	int ok = 0;

	bpf_rbtree_lock(bpf_rbtree_get_lock(&tree));
#pragma clang loop unroll(disable)
	for (i = 0; i < b->n && i < BATCH; i++)
		ok += bpf_rbtree_first(&tree) != 0;
	bpf_rbtree_unlock(bpf_rbtree_get_lock(&tree));
	return ok;
}

/* get_lock alone; returns how many returned the same lock. */
SEC("syscall")
int get_lock(struct batch *b)
{
	void *first = bpf_rbtree_get_lock(&tree);
	__u64 i;
	int ok = 0;

#pragma clang loop unroll(disable)
	for (i = 0; i < b->n && i < BATCH; i++)
		ok += bpf_rbtree_get_lock(&tree) == first;
	return ok;
}

/* lock+unlock pairs on a lock fetched once; returns the number of pairs. */
SEC("syscall")
int lock_unlock(struct batch *b)
{
	struct bpf_spin_lock *l = bpf_rbtree_get_lock(&tree);
	__u64 i;
	int ok = 0;

#pragma clang loop unroll(disable)
	for (i = 0; i < b->n && i < BATCH; i++) {
		bpf_rbtree_lock(l);
		ok += bpf_rbtree_unlock(l) == 0 && b->keys[i] != ~0ULL;
	}
	return ok;
}

/* In-order walk of the whole tree: first, then next until the end, checking the order on the
 * way. Returns the number of nodes visited, or -1 when a key went backwards. */
SEC("syscall")
int walk(struct batch *b)
{
	struct node_data *n;
	__u64 prev = 0;
	int steps = 0;

	bpf_rbtree_lock(bpf_rbtree_get_lock(&tree));
	n = bpf_rbtree_first(&tree);
	while (n) {
		if (n->key < prev) {
			steps = -1;
			break;
		}
		prev = n->key;
		steps++;
		n = bpf_rbtree_next(&tree, n);
	}
	bpf_rbtree_unlock(bpf_rbtree_get_lock(&tree));
	return steps;
}

char _license[] SEC("license") = "GPL";
