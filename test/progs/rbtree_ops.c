// One rbtree operation per run, chosen by the syscall context: lets a property test drive random
// add/remove/find/first/last/next/prev sequences through real BPF code and compare with a model.
// Keys are unique (the test makes them so); every result is a key, or -1 for "no node".
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_rbtree.h"

struct node_data {
	struct rb_node node;
	__u32 key;
	__u32 pad;
	__u64 payload;
};

struct {
	__uint(type, BPF_MAP_TYPE_RBTREE);
	__type(value, struct node_data);
} tree SEC(".maps");

enum { OP_ADD = 1, OP_REMOVE, OP_FIND, OP_FIRST, OP_LAST, OP_NEXT, OP_PREV, OP_COUNT, OP_POP };

struct op {
	__u32 op;
	__u32 key;
	__s64 ret;
};

static bool less(struct rb_node *a, const struct rb_node *b)
{
	return ((struct node_data *)a)->key < ((struct node_data *)b)->key;
}

static int cmp(const void *k, const struct rb_node *n)
{
	__u32 key = *(const __u32 *)k;
	__u32 nk = ((const struct node_data *)n)->key;

	return key < nk ? -1 : key > nk;
}

#define LOCK() bpf_rbtree_lock(bpf_rbtree_get_lock(&tree))
#define UNLOCK() bpf_rbtree_unlock(bpf_rbtree_get_lock(&tree))

static __s64 key_of(struct node_data *n)
{
	return n ? (__s64)n->key : -1;
}

SEC("syscall")
int rbtree_op(struct op *ctx)
{
	__u32 key = ctx->key;
	struct node_data *n, *m;
	__s64 ret = -1;

	switch (ctx->op) {
	case OP_ADD:
		n = bpf_rbtree_alloc_node(&tree, sizeof(*n));
		if (!n)
			break;
		n->key = key;
		n->payload = (__u64)key * 3;
		LOCK();
		m = bpf_rbtree_add(&tree, n, less);
		UNLOCK();
		if (!m)
			bpf_rbtree_free_node(&tree, n);
		else
			ret = key;
		break;
	case OP_REMOVE:
		LOCK();
		n = bpf_rbtree_find(&tree, &key, cmp);
		m = n ? bpf_rbtree_remove(&tree, n) : 0;
		UNLOCK();
		if (m) {
			ret = m->key;
			bpf_rbtree_free_node(&tree, m);
		}
		break;
	case OP_POP:
		LOCK();
		n = bpf_rbtree_first(&tree);
		m = n ? bpf_rbtree_remove(&tree, n) : 0;
		UNLOCK();
		if (m) {
			ret = m->key;
			bpf_rbtree_free_node(&tree, m);
		}
		break;
	case OP_FIND:
		LOCK();
		ret = key_of(bpf_rbtree_find(&tree, &key, cmp));
		UNLOCK();
		break;
	case OP_FIRST:
		LOCK();
		ret = key_of(bpf_rbtree_first(&tree));
		UNLOCK();
		break;
	case OP_LAST:
		LOCK();
		ret = key_of(bpf_rbtree_last(&tree));
		UNLOCK();
		break;
	case OP_NEXT:
	case OP_PREV:
		LOCK();
		n = bpf_rbtree_find(&tree, &key, cmp);
		if (!n)
			ret = -2;
		else if (ctx->op == OP_NEXT)
			ret = key_of(bpf_rbtree_next(&tree, n));
		else
			ret = key_of(bpf_rbtree_prev(&tree, n));
		UNLOCK();
		break;
	case OP_COUNT:
		ret = 0;
		LOCK();
		for (n = bpf_rbtree_first(&tree); n; n = bpf_rbtree_next(&tree, n))
			ret++;
		UNLOCK();
		break;
	}
	ctx->ret = ret;
	return 0;
}

char _license[] SEC("license") = "GPL";
