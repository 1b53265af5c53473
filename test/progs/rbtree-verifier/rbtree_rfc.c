// SPDX-License-Identifier: MIT
/* The RFC's rbtree selftests (patch 11 of "bpf: Introduce rbtree map": progs/rbtree_map.c and
 * progs/rbtree_map_fail.c with prog_tests/rbtree_map.c's expectations), written here as annotated
 * programs for `ebpfvm test`. Run-time expectations (the RFC's counters) become __retval of
 * syscall programs; the RFC's verify_fail table becomes __failure __msg. The `_strict` twins say
 * where --strict (the tree's lock held statically) decides otherwise. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
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
long size_too_small__alloc_fail;
long no_lock_add__fail;

static bool less(struct rb_node *a, const struct rb_node *b)
{
	return ((struct node_data *)a)->one < ((struct node_data *)b)->one;
}

/* rb_find's convention (the RFC's node - key only worked with one node in the tree). */
static int cmp(const void *k, const struct rb_node *n)
{
	const struct node_data *key = k;
	const struct node_data *node = (const struct node_data *)n;

	if (key->one < node->one)
		return -1;
	return key->one > node->one;
}

#define LOCK() bpf_rbtree_lock(bpf_rbtree_get_lock(&rbtree))
#define UNLOCK() bpf_rbtree_unlock(bpf_rbtree_get_lock(&rbtree))

/* progs/rbtree_map.c: add, find, iterate, remove, free; the tree is empty again after each run
 * (prog_tests: 100 runs leave calls == 100; here one run returns the node count seen). */
SEC("syscall")
__description("rbtree rfc: check_rbtree")
__success __retval(1)
int check_rbtree(void *ctx)
{
	struct node_data *node, *found, *ret, *iter;
	struct node_data search = {};
	long node_ct = 0;

	node = bpf_rbtree_alloc_node(&rbtree, sizeof(struct node_data));
	if (!node)
		return -1;
	node->one = calls;
	node->two = 6;
	LOCK();
	ret = bpf_rbtree_add(&rbtree, node, less);
	if (!ret) {
		bpf_rbtree_free_node(&rbtree, node);
		goto unlock_ret;
	}
	UNLOCK();

	LOCK();
	search.one = calls;
	found = bpf_rbtree_find(&rbtree, &search, cmp);
	if (!found)
		goto unlock_ret;
	iter = bpf_rbtree_first(&rbtree);
	while (iter) {
		node_ct++;
		iter = bpf_rbtree_next(&rbtree, iter);
	}
	ret = bpf_rbtree_remove(&rbtree, found);
	if (!ret)
		goto unlock_ret;
	UNLOCK();
	bpf_rbtree_free_node(&rbtree, ret);
	__sync_fetch_and_add(&calls, 1);
	return node_ct;

unlock_ret:
	UNLOCK();
	return -2;
}

/* rbtree_map_fail.c alloc_node__size_too_small: loads, and the helper returns NULL at run time
 * (the counter is 1). Strict mode wants the size to cover the node type. */
SEC("syscall")
__description("rbtree rfc: alloc_node__size_too_small")
__success __retval(1)
__failure_strict __msg_strict("rbtree: R2 size 1 is smaller than node_data (32 bytes)")
int alloc_node__size_too_small(void *ctx)
{
	struct node_data *node, *ret;

	node = bpf_rbtree_alloc_node(&rbtree, sizeof(char));
	if (!node) {
		size_too_small__alloc_fail++;
		return size_too_small__alloc_fail;
	}
	LOCK();
	ret = bpf_rbtree_add(&rbtree, node, less);
	if (!ret)
		bpf_rbtree_free_node(&rbtree, node);
	UNLOCK();
	return 0;
}

/* add_node__no_lock: loads, and add returns NULL at run time (counter 1); strict mode refuses
 * the call without the lock. */
SEC("syscall")
__description("rbtree rfc: add_node__no_lock")
__success __retval(1)
__failure_strict __msg_strict("bpf_spin_lock at off=0 must be held for rbtree 'rbtree' (bpf_rbtree_add)")
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
	return no_lock_add__fail;
}

/* verify_fail table of prog_tests/rbtree_map.c. */
SEC("syscall")
__description("rbtree rfc: rb_node__field_store")
__failure __msg("only read is supported")
int rb_node__field_store(void *ctx)
{
	struct node_data *node;

	node = bpf_rbtree_alloc_node(&rbtree, sizeof(struct node_data));
	if (!node)
		return 0;
	/* Only rb_node's fields are write-protected; one and two may be written. */
	node->node.rb_left = NULL;
	return 0;
}

SEC("syscall")
__description("rbtree rfc: rb_node__alloc_no_add")
__failure __msg("Unreleased reference id=2 alloc_insn=3")
int rb_node__alloc_no_add(void *ctx)
{
	struct node_data *node;

	node = bpf_rbtree_alloc_node(&rbtree, sizeof(struct node_data));
	if (!node)
		return 0;
	node->one = 42;
	return 0;
}

SEC("syscall")
__description("rbtree rfc: rb_node__two_alloc_one_add")
__failure __msg("Unreleased reference id=2 alloc_insn=3")
int rb_node__two_alloc_one_add(void *ctx)
{
	struct node_data *node, *ret;

	node = bpf_rbtree_alloc_node(&rbtree, sizeof(struct node_data));
	if (!node)
		return 0;
	node->one = 42;
	node = bpf_rbtree_alloc_node(&rbtree, sizeof(struct node_data));
	if (!node)
		return 0;
	node->one = 42;
	LOCK();
	ret = bpf_rbtree_add(&rbtree, node, less);
	if (!ret)
		bpf_rbtree_free_node(&rbtree, node);
	UNLOCK();
	return 0;
}

SEC("syscall")
__description("rbtree rfc: rb_node__remove_no_free")
__failure __msg("{{Unreleased reference id=[0-9]+ alloc_insn=2[0-9]}}")
int rb_node__remove_no_free(void *ctx)
{
	struct node_data *node, *ret;

	node = bpf_rbtree_alloc_node(&rbtree, sizeof(struct node_data));
	if (!node)
		return 0;
	node->one = 42;
	LOCK();
	ret = bpf_rbtree_add(&rbtree, node, less);
	if (!ret) {
		bpf_rbtree_free_node(&rbtree, node);
		goto unlock_ret;
	}
	ret = bpf_rbtree_remove(&rbtree, ret);
	if (!ret)
		goto unlock_ret;
	/* the removed node is owned again and neither freed nor re-added */
unlock_ret:
	UNLOCK();
	return 0;
}

SEC("fentry/" SYS_PREFIX "sys_getpgid")
__description("rbtree rfc: rb_tree__add_wrong_type")
__failure __msg("rbtree: R2 is of type task_struct but node_data is expected")
int rb_tree__add_wrong_type(void *ctx)
{
	struct task_struct *task;

	task = bpf_get_current_task_btf();
	LOCK();
	bpf_rbtree_add(&rbtree, task, less);
	UNLOCK();
	return 0;
}

SEC("syscall")
__description("rbtree rfc: rb_tree__conditional_release_helper_usage")
__failure __msg("R2 type=ptr_cond_rel_ expected=ptr_")
int rb_tree__conditional_release_helper_usage(void *ctx)
{
	struct node_data *node, *ret;

	node = bpf_rbtree_alloc_node(&rbtree, sizeof(struct node_data));
	if (!node)
		return 0;
	node->one = 42;
	LOCK();
	ret = bpf_rbtree_add(&rbtree, node, less);
	/* node is released only if ret != NULL: no helper may take it before that check */
	bpf_rbtree_free_node(&rbtree, node);
	if (!ret)
		goto unlock_ret;
unlock_ret:
	UNLOCK();
	return 0;
}

char _license[] SEC("license") = "GPL";
