// The RFC's run-time selftests (progs/rbtree_map.c and the two run-time cases of
// rbtree_map_fail.c), as syscall programs so a test run needs no attach point.
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

long calls;
long node_ct;
long size_too_small__alloc_fail;
long no_lock_add__fail;

static bool less(struct rb_node *a, const struct rb_node *b)
{
	struct node_data *node_a = (struct node_data *)a;
	struct node_data *node_b = (struct node_data *)b;

	return node_a->one < node_b->one;
}

// rb_find's convention: negative when the key sorts before the node. (The RFC's selftest
// returned node - key, which only worked because its tree held one node at a time.)
static int cmp(const void *k, const struct rb_node *n)
{
	const struct node_data *key = k;
	const struct node_data *node = (const struct node_data *)n;

	if (key->one < node->one)
		return -1;
	return key->one > node->one;
}

SEC("syscall")
int check_rbtree(void *ctx)
{
	struct node_data *node, *found, *ret, *iter;
	struct node_data search = {};

	node = bpf_rbtree_alloc_node(&rbtree, sizeof(struct node_data));
	if (!node)
		return 0;

	node->one = calls;
	node->two = 6;
	bpf_rbtree_lock(bpf_rbtree_get_lock(&rbtree));

	ret = (struct node_data *)bpf_rbtree_add(&rbtree, node, less);
	if (!ret) {
		bpf_rbtree_free_node(&rbtree, node);
		goto unlock_ret;
	}
	bpf_rbtree_unlock(bpf_rbtree_get_lock(&rbtree));

	bpf_rbtree_lock(bpf_rbtree_get_lock(&rbtree));
	search.one = calls;
	found = (struct node_data *)bpf_rbtree_find(&rbtree, &search, cmp);
	if (!found)
		goto unlock_ret;

	node_ct = 0;
	iter = (struct node_data *)bpf_rbtree_first(&rbtree);
	while (iter) {
		node_ct++;
		iter = (struct node_data *)bpf_rbtree_next(&rbtree, iter);
	}

	ret = (struct node_data *)bpf_rbtree_remove(&rbtree, found);
	if (!ret)
		goto unlock_ret;

	bpf_rbtree_unlock(bpf_rbtree_get_lock(&rbtree));
	bpf_rbtree_free_node(&rbtree, ret);
	__sync_fetch_and_add(&calls, 1);
	return 0;

unlock_ret:
	bpf_rbtree_unlock(bpf_rbtree_get_lock(&rbtree));
	return 0;
}

SEC("syscall")
int alloc_node__size_too_small(void *ctx)
{
	struct node_data *node, *ret;

	node = bpf_rbtree_alloc_node(&rbtree, sizeof(char));
	if (!node) {
		size_too_small__alloc_fail++;
		return 0;
	}

	bpf_rbtree_lock(bpf_rbtree_get_lock(&rbtree));
	ret = bpf_rbtree_add(&rbtree, node, less);
	if (!ret)
		bpf_rbtree_free_node(&rbtree, node);
	bpf_rbtree_unlock(bpf_rbtree_get_lock(&rbtree));
	return 0;
}

SEC("syscall")
int add_node__no_lock(void *ctx)
{
	struct node_data *node, *ret;

	node = bpf_rbtree_alloc_node(&rbtree, sizeof(struct node_data));
	if (!node)
		return 0;

	node->one = 1;
	ret = bpf_rbtree_add(&rbtree, node, less);
	if (!ret) {
		no_lock_add__fail++;
		bpf_rbtree_free_node(&rbtree, node);
	}
	return 0;
}

char _license[] SEC("license") = "GPL";
