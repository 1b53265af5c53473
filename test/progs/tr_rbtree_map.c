// The RFC's selftests (patch 11: progs/rbtree_map.c and the run-time cases of
// progs/rbtree_map_fail.c) as the RFC wrote them: fentry programs on the getpgid syscall, built
// against vmlinux.h. Only the includes differ: "vmlinux.h" is ebpfvm's (include/vmlinux.h,
// generated from the built-in kernel BTF) and the rbtree map API comes from bpf_rbtree.h instead
// of the RFC's patched bpf_helper_defs.h. Accesses to struct rb_node fields are CO-RE relocations
// (vmlinux.h's preserve_access_index) against the built-in rb_node. The RFC's expected-to-fail
// programs carry `?fentry` (autoload off), as in the RFC.
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
long node_ct;
long size_too_small__alloc_fail;
long no_lock_add__fail;
long field_read__cleared;

static bool less(struct rb_node *a, const struct rb_node *b)
{
	struct node_data *node_a;
	struct node_data *node_b;

	node_a = container_of(a, struct node_data, node);
	node_b = container_of(b, struct node_data, node);

	return node_a->one < node_b->one;
}

// Key is node_data
static int cmp(const void *key, const struct rb_node *b)
{
	struct node_data *node_a;
	struct node_data *node_b;

	node_a = container_of(key, struct node_data, node);
	node_b = container_of(b, struct node_data, node);

	return node_b->one - node_a->one;
}

SEC("fentry/" SYS_PREFIX "sys_getpgid")
int check_rbtree(void *ctx)
{
	struct node_data *node, *found, *ret;
	struct node_data popped;
	struct node_data search;
	__u32 search2;

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

	int node_ct = 0;
	struct node_data *iter = (struct node_data *)bpf_rbtree_first(&rbtree);

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

/* progs/rbtree_map_fail.c: the two programs that load and run. */
SEC("?fentry/" SYS_PREFIX "sys_getpgid")
int alloc_node__size_too_small(void *ctx)
{
	struct node_data *node, *ret;

	node = bpf_rbtree_alloc_node(&rbtree, sizeof(char));
	if (!node) {
		size_too_small__alloc_fail++;
		return 0;
	}

	bpf_rbtree_lock(bpf_rbtree_get_lock(&rbtree));
	/* will never execute, alloc_node should fail */
	node->one = 1;
	ret = bpf_rbtree_add(&rbtree, node, less);
	if (!ret) {
		bpf_rbtree_free_node(&rbtree, node);
		goto unlock_ret;
	}

unlock_ret:
	bpf_rbtree_unlock(bpf_rbtree_get_lock(&rbtree));
	return 0;
}

SEC("?fentry/" SYS_PREFIX "sys_getpgid")
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
		/* will always execute, rbtree_add should fail
		 * because no lock held
		 */
		bpf_rbtree_free_node(&rbtree, node);
	}

	return 0;
}

/* A read of rb_node's fields: CO-RE relocated against the built-in rb_node. The answer goes to a
 * global (an fentry program must return 0). */
SEC("?fentry/" SYS_PREFIX "sys_getpgid")
int rb_node__field_read(void *ctx)
{
	struct node_data *node;
	long left;

	node = bpf_rbtree_alloc_node(&rbtree, sizeof(struct node_data));
	if (!node)
		return 0;
	left = (long)node->node.rb_left;
	bpf_rbtree_free_node(&rbtree, node);
	field_read__cleared = left == 0;
	return 0;
}

/* The RFC's verifier-failure case that needs the kernel's task type: adding a task_struct. */
SEC("?fentry/" SYS_PREFIX "sys_getpgid")
int rb_tree__add_wrong_type(void *ctx)
{
	struct node_data *ret;
	struct task_struct *task;

	task = bpf_get_current_task_btf();

	bpf_rbtree_lock(bpf_rbtree_get_lock(&rbtree));
	ret = (struct node_data *)bpf_rbtree_add(&rbtree, task, less);
	bpf_rbtree_unlock(bpf_rbtree_get_lock(&rbtree));
	return 0;
}

char _license[] SEC("license") = "GPL";
