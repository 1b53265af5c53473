// Benchmark programs for bench/rbtree.ts: one add+remove pair per run on a tree the benchmark has
// filled from user space, and one find per run. Node: rb_node + a 16-byte payload (40 bytes).
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_rbtree.h"

struct node_data {
	struct rb_node node;
	__u64 key;
	__u64 val;
};

struct {
	__uint(type, BPF_MAP_TYPE_RBTREE);
	__type(value, struct node_data);
} tree SEC(".maps");

struct args {
	__u64 key;
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

SEC("syscall")
int add_remove(struct args *ctx)
{
	struct node_data *n, *m;

	n = bpf_rbtree_alloc_node(&tree, sizeof(*n));
	if (!n)
		return 1;
	n->key = ctx->key;
	bpf_rbtree_lock(bpf_rbtree_get_lock(&tree));
	m = bpf_rbtree_add(&tree, n, less);
	if (!m) {
		bpf_rbtree_unlock(bpf_rbtree_get_lock(&tree));
		bpf_rbtree_free_node(&tree, n);
		return 2;
	}
	n = bpf_rbtree_remove(&tree, m);
	bpf_rbtree_unlock(bpf_rbtree_get_lock(&tree));
	if (n)
		bpf_rbtree_free_node(&tree, n);
	return 0;
}

SEC("syscall")
int find(struct args *ctx)
{
	__u64 key = ctx->key;
	long found;

	bpf_rbtree_lock(bpf_rbtree_get_lock(&tree));
	found = bpf_rbtree_find(&tree, &key, cmp) != 0;
	bpf_rbtree_unlock(bpf_rbtree_get_lock(&tree));
	return found;
}

/* In-order iteration: first, then up to 32 next steps, under the lock. */
SEC("syscall")
int walk(struct args *ctx)
{
	struct node_data *n;
	int i, steps = 0;

	bpf_rbtree_lock(bpf_rbtree_get_lock(&tree));
	n = bpf_rbtree_first(&tree);
	for (i = 0; i < 32 && n; i++) {
		n = bpf_rbtree_next(&tree, n);
		steps++;
	}
	bpf_rbtree_unlock(bpf_rbtree_get_lock(&tree));
	return steps;
}

/* The empty program: the cost of a run itself, subtracted in the report. */
SEC("syscall")
int nop(struct args *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
