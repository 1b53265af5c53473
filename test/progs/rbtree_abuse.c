// Run-time abuse of the rbtree helpers, run unverified: each must end in NULL / -EBUSY or a clean
// fault, never a corrupted tree. `result` records what the helper under test returned.
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_rbtree.h"

struct node_data {
	struct rb_node node;
	__u32 one;
	__u32 two;
};

struct {
	__uint(type, BPF_MAP_TYPE_RBTREE);
	__type(value, struct node_data);
} rbtree SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RBTREE);
	__type(value, struct node_data);
} other SEC(".maps");

long result;
__u32 next_key;

static bool less(struct rb_node *a, const struct rb_node *b)
{
	return ((struct node_data *)a)->one < ((struct node_data *)b)->one;
}

#define LOCK(m) bpf_rbtree_lock(bpf_rbtree_get_lock(&(m)))
#define UNLOCK(m) bpf_rbtree_unlock(bpf_rbtree_get_lock(&(m)))

/* Adds one node (key next_key++) and leaves it in the tree: gives the others a tree to break. */
SEC("syscall")
int add_one(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&rbtree, sizeof(*n));

	if (!n)
		return 1;
	n->one = next_key++;
	LOCK(rbtree);
	if (!bpf_rbtree_add(&rbtree, n, less)) {
		UNLOCK(rbtree);
		bpf_rbtree_free_node(&rbtree, n);
		return 2;
	}
	UNLOCK(rbtree);
	return 0;
}

SEC("syscall")
int double_add(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&rbtree, sizeof(*n));

	if (!n)
		return 1;
	n->one = next_key++;
	LOCK(rbtree);
	bpf_rbtree_add(&rbtree, n, less);
	result = (long)bpf_rbtree_add(&rbtree, n, less);
	UNLOCK(rbtree);
	return 0;
}

SEC("syscall")
int remove_unlinked(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&rbtree, sizeof(*n));

	if (!n)
		return 1;
	LOCK(rbtree);
	result = (long)bpf_rbtree_remove(&rbtree, n);
	UNLOCK(rbtree);
	bpf_rbtree_free_node(&rbtree, n);
	return 0;
}

SEC("syscall")
int free_linked(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&rbtree, sizeof(*n));

	if (!n)
		return 1;
	n->one = next_key++;
	LOCK(rbtree);
	bpf_rbtree_add(&rbtree, n, less);
	UNLOCK(rbtree);
	result = bpf_rbtree_free_node(&rbtree, n);
	return 0;
}

SEC("syscall")
int other_map_node(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&other, sizeof(*n));

	if (!n)
		return 1;
	LOCK(rbtree);
	result = (long)bpf_rbtree_add(&rbtree, n, less);
	UNLOCK(rbtree);
	if (!result)
		bpf_rbtree_free_node(&other, n);
	return 0;
}

SEC("syscall")
int overwrite_rb_node(void *ctx)
{
	struct node_data *n;

	LOCK(rbtree);
	n = bpf_rbtree_first(&rbtree);
	if (n)
		*(volatile __u64 *)&n->node.rb_left = 0; /* must fault: rb_node is read-only */
	UNLOCK(rbtree);
	return 0;
}

SEC("syscall")
int lock_held_at_exit(void *ctx)
{
	LOCK(rbtree);
	return 0;
}

SEC("syscall")
int lock_twice(void *ctx)
{
	LOCK(rbtree);
	LOCK(rbtree);
	UNLOCK(rbtree);
	return 0;
}

SEC("syscall")
int write_lock_word(void *ctx)
{
	*(volatile __u32 *)bpf_rbtree_get_lock(&rbtree) = 1; /* must fault */
	return 0;
}

char _license[] SEC("license") = "GPL";
