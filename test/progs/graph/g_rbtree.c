// Mainline rbtree kfuncs on a root in global data: in-order keys after adds and removes (first +
// remove drains the tree in key order), a search with bpf_rbtree_root/left/right (Linux 6.16+)
// that removes chosen keys from the middle, and a node added twice (the second add fails with
// -EINVAL and drops the reference it was given). Results go to .data for the fixture.
#include "graph_decls.h"

struct node {
	long key;
	long seq;
	struct bpf_rb_node rb;
	struct bpf_refcount ref;
};

/* .bss holds the one lock and the roots it guards; results live in .data */
struct bpf_spin_lock lock;
struct bpf_rb_root tree __contains(node, rb);

#define N 16
long order[N] = {};
long removed[4] = {};
long after[N] = {};
long dup[4] = {};

static bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	struct node *x = container_of(a, struct node, rb);
	struct node *y = container_of(b, struct node, rb);

	return x->key < y->key;
}

/* keys 0..15 in a scrambled order (7 is coprime with 16) */
static long key_of(int i)
{
	return (i * 7 + 3) % N;
}

static int add_all(void)
{
	int i;

	for (i = 0; i < N; i++) {
		struct node *n = bpf_obj_new(struct node);

		if (!n)
			return -1;
		n->key = key_of(i);
		n->seq = i;
		bpf_spin_lock(&lock);
		bpf_rbtree_add(&tree, &n->rb, less);
		bpf_spin_unlock(&lock);
	}
	return 0;
}

/* Drain the tree with first + remove; returns how many nodes came out. */
static int drain(long *out)
{
	int i, n = 0;

	for (i = 0; i < N; i++) {
		struct bpf_rb_node *r;
		struct node *x;

		bpf_spin_lock(&lock);
		r = bpf_rbtree_first(&tree);
		if (!r) {
			bpf_spin_unlock(&lock);
			break;
		}
		r = bpf_rbtree_remove(&tree, r);
		bpf_spin_unlock(&lock);
		if (!r)
			break;
		x = container_of(r, struct node, rb);
		out[i] = x->key;
		bpf_obj_drop(x);
		n++;
	}
	return n;
}

SEC("tc")
int rb_in_order(struct __sk_buff *skb)
{
	int i;

	if (add_all())
		return -1;
	return drain(order);
}

/* Walk from the root to `key` with root/left/right and remove it; the key or -1. */
static long remove_key(long key)
{
	struct bpf_rb_node *cur, *r = NULL;
	long got = -1;
	int depth;

	bpf_spin_lock(&lock);
	cur = bpf_rbtree_root(&tree);
	for (depth = 0; cur && depth < 16; depth++) {
		struct node *x = container_of(cur, struct node, rb);

		if (x->key == key) {
			r = bpf_rbtree_remove(&tree, cur);
			break;
		}
		cur = key < x->key ? bpf_rbtree_left(&tree, cur) : bpf_rbtree_right(&tree, cur);
	}
	bpf_spin_unlock(&lock);
	if (r) {
		struct node *x = container_of(r, struct node, rb);

		got = x->key;
		bpf_obj_drop(x);
	}
	return got;
}

SEC("tc")
int rb_search_remove(struct __sk_buff *skb)
{
	if (add_all())
		return -1;
	removed[0] = remove_key(0);
	removed[1] = remove_key(7);
	removed[2] = remove_key(15);
	removed[3] = remove_key(7); /* gone already: -1 */
	return drain(after);
}

/* The same node added twice: 0, then -EINVAL; a remove through the second reference after the
 * first add gives it back; the tree then holds one node. */
SEC("tc")
int rb_add_twice(struct __sk_buff *skb)
{
	struct node *n, *m;
	struct bpf_rb_node *r;

	n = bpf_obj_new(struct node);
	if (!n)
		return -1;
	n->key = 42;
	m = bpf_refcount_acquire(n);
	if (!m) {
		bpf_obj_drop(n);
		return -2;
	}
	bpf_spin_lock(&lock);
	dup[0] = bpf_rbtree_add(&tree, &n->rb, less);
	dup[1] = bpf_rbtree_add(&tree, &m->rb, less);
	r = bpf_rbtree_first(&tree);
	dup[2] = r ? container_of(r, struct node, rb)->key : -1;
	bpf_spin_unlock(&lock);
	dup[3] = drain(after);
	return 0;
}

char _license[] SEC("license") = "GPL";
