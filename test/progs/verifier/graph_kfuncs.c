// SPDX-License-Identifier: MIT
/* Mainline's allocated objects and graph kfuncs under the verifier (verifier/graph.ts, issue 16):
 * owning references from bpf_obj_new, non-owning ones after an add or push and from first/front,
 * the root's bpf_spin_lock of the same allocation, the node type and offset a root's contains tag
 * names, the less callback's limits, special fields loads and stores may not touch, refcounts and
 * kptrs. Every verdict and message is the host kernel's (test/fixtures/verifier-kernel). */
#include "../graph/graph_decls.h"
#include "bpf_misc.h"

extern struct bpf_rb_node *bpf_rbtree_root(struct bpf_rb_root *root) __ksym;
extern struct bpf_rb_node *bpf_rbtree_left(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym;
extern struct bpf_rb_node *bpf_rbtree_right(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym;
extern struct bpf_list_node *bpf_list_front(struct bpf_list_head *head) __ksym;

struct node_data {
	long key;
	long data;
	struct bpf_rb_node node;
};

struct other_node {
	long key;
	struct bpf_rb_node node;
};

struct two_nodes {
	struct bpf_rb_node a;
	struct bpf_rb_node b;
	long key;
};

struct elem {
	long v;
	struct bpf_list_node node;
};

struct ref_node {
	long key;
	struct bpf_rb_node node;
	struct bpf_refcount ref;
};

struct plain {
	long a;
	long b;
};

struct map_val {
	struct node_data __kptr *node;
	long other;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, struct map_val);
	__uint(max_entries, 1);
} stash SEC(".maps");

#define private(name) SEC(".data." #name) __hidden __attribute__((aligned(8)))
private(A) struct bpf_spin_lock glock;
private(A) struct bpf_rb_root groot __contains(node_data, node);
private(A) struct bpf_list_head ghead __contains(elem, node);
private(A) struct bpf_rb_root troot __contains(two_nodes, b);
private(B) struct bpf_spin_lock glock2;
private(C) struct bpf_spin_lock rlock;
private(C) struct bpf_rb_root rroot __contains(ref_node, node);

static bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	struct node_data *x = container_of(a, struct node_data, node);
	struct node_data *y = container_of(b, struct node_data, node);

	return x->key < y->key;
}

static bool less_two(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	struct two_nodes *x = container_of(a, struct two_nodes, b);
	struct two_nodes *y = container_of(b, struct two_nodes, b);

	return x->key < y->key;
}

static bool less_ref(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	struct ref_node *x = container_of(a, struct ref_node, node);
	struct ref_node *y = container_of(b, struct ref_node, node);

	return x->key < y->key;
}

SEC("tc")
__description("graph: add, first, remove and drop under the lock")
__success __retval(0)
int add_remove_drop(void *ctx)
{
	struct node_data *n = bpf_obj_new(typeof(*n));
	struct bpf_rb_node *res;

	if (!n)
		return 1;
	n->key = 5;
	bpf_spin_lock(&glock);
	bpf_rbtree_add(&groot, &n->node, less);
	res = bpf_rbtree_first(&groot);
	if (!res) {
		bpf_spin_unlock(&glock);
		return 2;
	}
	res = bpf_rbtree_remove(&groot, res);
	bpf_spin_unlock(&glock);
	if (!res)
		return 3;
	bpf_obj_drop(container_of(res, struct node_data, node));
	return 0;
}

SEC("tc")
__description("graph: rbtree add without the root's lock")
__failure __msg("bpf_spin_lock at off=0 must be held for bpf_rb_root")
int add_no_lock(void *ctx)
{
	struct node_data *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 1;
	bpf_rbtree_add(&groot, &n->node, less);
	return 0;
}

SEC("tc")
__description("graph: list push under a lock of another allocation")
__failure __msg("held lock and object are not in the same allocation")
__msg("bpf_spin_lock at off=0 must be held for bpf_list_head")
int push_wrong_lock(void *ctx)
{
	struct elem *e = bpf_obj_new(typeof(*e));

	if (!e)
		return 1;
	bpf_spin_lock(&glock2);
	bpf_list_push_back(&ghead, &e->node);
	bpf_spin_unlock(&glock2);
	return 0;
}

SEC("tc")
__description("graph: an added node may be written while the lock is held")
__success __retval(0)
int write_non_owning(void *ctx)
{
	struct node_data *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 1;
	bpf_spin_lock(&glock);
	bpf_rbtree_add(&groot, &n->node, less);
	n->data = 7;
	bpf_spin_unlock(&glock);
	return 0;
}

SEC("tc")
__description("graph: an added node is gone after the unlock")
__failure __msg("invalid mem access 'scalar'")
int use_after_unlock(void *ctx)
{
	struct node_data *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 1;
	bpf_spin_lock(&glock);
	bpf_rbtree_add(&groot, &n->node, less);
	bpf_spin_unlock(&glock);
	return n->data;
}

SEC("tc")
__description("graph: an object never dropped leaks")
__failure __msg("Unreleased reference id=2 alloc_insn={{[0-9]+}}")
int obj_leak(void *ctx)
{
	struct node_data *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 1;
	n->key = 1;
	return 0;
}

SEC("tc")
__description("graph: dropping an object twice (the released pointer is a scalar)")
__failure __msg("R1 must be referenced or trusted")
int drop_twice(void *ctx)
{
	struct node_data *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 1;
	bpf_obj_drop(n);
	bpf_obj_drop(n);
	return 0;
}

SEC("tc")
__description("graph: a node of another type than the root's contains tag")
__failure __msg("operation on bpf_rb_root expects arg#1 bpf_rb_node at offset=16 in struct node_data, but arg is at offset=8 in struct other_node")
int add_wrong_type(void *ctx)
{
	struct other_node *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 1;
	bpf_spin_lock(&glock);
	bpf_rbtree_add(&groot, &n->node, less);
	bpf_spin_unlock(&glock);
	return 0;
}

SEC("tc")
__description("graph: the other bpf_rb_node of the right type")
__failure __msg("arg#1 offset=0, but expected bpf_rb_node at offset=32 in struct two_nodes")
int add_wrong_field(void *ctx)
{
	struct two_nodes *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 1;
	bpf_spin_lock(&glock);
	bpf_rbtree_add(&troot, &n->a, less_two);
	bpf_spin_unlock(&glock);
	return 0;
}

SEC("tc")
__description("graph: stores into a node's bpf_rb_node")
__failure __msg("direct access to bpf_rb_node is disallowed")
int write_node_field(void *ctx)
{
	struct node_data *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 1;
	*(long *)&n->node = 0;
	bpf_obj_drop(n);
	return 0;
}

SEC("tc")
__description("graph: loads of a global bpf_list_head")
__failure __msg("bpf_list_head cannot be accessed directly by load/store")
int read_list_head(void *ctx)
{
	return *(long *)&ghead;
}

SEC("tc")
__description("graph: a kfunc other than the graph's while the lock is held")
__failure __msg("function calls are not allowed while holding a lock")
int obj_new_locked(void *ctx)
{
	struct node_data *n;

	bpf_spin_lock(&glock);
	n = bpf_obj_new(typeof(*n));
	bpf_spin_unlock(&glock);
	if (n)
		bpf_obj_drop(n);
	return 0;
}

static bool less_unlock(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	bpf_spin_unlock(&glock);
	return 0;
}

SEC("tc")
__description("graph: less may not unlock")
__failure __msg("can't spin_{lock,unlock} in rbtree cb")
int less_unlocks(void *ctx)
{
	struct node_data *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 1;
	bpf_spin_lock(&glock);
	bpf_rbtree_add(&groot, &n->node, less_unlock);
	bpf_spin_unlock(&glock);
	return 0;
}

static bool less_first(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	struct bpf_rb_node *f = bpf_rbtree_first(&groot);

	return f != 0;
}

SEC("tc")
__description("graph: less may read the tree with bpf_rbtree_first")
__success __retval(0)
int less_reads_first(void *ctx)
{
	struct node_data *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 1;
	bpf_spin_lock(&glock);
	bpf_rbtree_add(&groot, &n->node, less_first);
	bpf_spin_unlock(&glock);
	return 0;
}

static bool less_remove(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	bpf_rbtree_remove(&groot, a);
	return 0;
}

SEC("tc")
__description("graph: less may not remove")
__failure __msg("bpf_rbtree_remove not allowed in rbtree cb")
int less_removes(void *ctx)
{
	struct node_data *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 1;
	bpf_spin_lock(&glock);
	bpf_rbtree_add(&groot, &n->node, less_remove);
	bpf_spin_unlock(&glock);
	return 0;
}

static bool less_writes(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	struct node_data *x = container_of(a, struct node_data, node);

	x->data = 1;
	return 0;
}

SEC("tc")
__description("graph: less writes a field of its node")
__success __retval(0)
int less_writes_node(void *ctx)
{
	struct node_data *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 1;
	bpf_spin_lock(&glock);
	bpf_rbtree_add(&groot, &n->node, less_writes);
	bpf_spin_unlock(&glock);
	return 0;
}

static __attribute__((noinline)) long less_two_ret(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	return 2;
}

SEC("tc")
__description("graph: less returns 0 or 1")
__failure __msg("At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]")
int less_returns_two(void *ctx)
{
	struct node_data *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 1;
	bpf_spin_lock(&glock);
	bpf_rbtree_add(&groot, &n->node, (void *)less_two_ret);
	bpf_spin_unlock(&glock);
	return 0;
}

SEC("tc")
__description("graph: remove of an owning node that was never added, then dropped")
__success __retval(0)
int remove_owning(void *ctx)
{
	struct node_data *n = bpf_obj_new(typeof(*n));
	struct bpf_rb_node *res;

	if (!n)
		return 1;
	bpf_spin_lock(&glock);
	res = bpf_rbtree_remove(&groot, &n->node);
	bpf_spin_unlock(&glock);
	bpf_obj_drop(n);
	if (res)
		bpf_obj_drop(container_of(res, struct node_data, node));
	return 0;
}

SEC("tc")
__description("graph: a removed node must be dropped")
__failure __msg("Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}")
int remove_leak(void *ctx)
{
	struct bpf_rb_node *res;

	bpf_spin_lock(&glock);
	res = bpf_rbtree_first(&groot);
	if (res)
		res = bpf_rbtree_remove(&groot, res);
	bpf_spin_unlock(&glock);
	return 0;
}

SEC("tc")
__description("graph: list push, front and pop; the popped node is dropped")
__success __retval(0)
int list_push_pop(void *ctx)
{
	struct elem *e = bpf_obj_new(typeof(*e));
	struct bpf_list_node *l;

	if (!e)
		return 1;
	bpf_spin_lock(&glock);
	bpf_list_push_front(&ghead, &e->node);
	l = bpf_list_front(&ghead);
	if (l)
		container_of(l, struct elem, node)->v = 3;
	l = bpf_list_pop_back(&ghead);
	bpf_spin_unlock(&glock);
	if (l)
		bpf_obj_drop(container_of(l, struct elem, node));
	return 0;
}

SEC("tc")
__description("graph: the node bpf_list_front returns is gone after the unlock, not the program's to drop")
__failure __msg("R1 must be referenced or trusted")
int drop_front(void *ctx)
{
	struct bpf_list_node *l;

	bpf_spin_lock(&glock);
	l = bpf_list_front(&ghead);
	bpf_spin_unlock(&glock);
	if (l)
		bpf_obj_drop(container_of(l, struct elem, node));
	return 0;
}

SEC("tc")
__description("graph: a walk down the tree with root, left and right")
__success __retval(0)
int search_tree(void *ctx)
{
	struct bpf_rb_node *cur;
	long found = 0;
	int i;

	bpf_spin_lock(&glock);
	cur = bpf_rbtree_root(&groot);
	for (i = 0; i < 8 && cur; i++) {
		struct node_data *d = container_of(cur, struct node_data, node);

		if (d->key == 4) {
			found = d->data;
			break;
		}
		cur = d->key < 4 ? bpf_rbtree_right(&groot, cur) : bpf_rbtree_left(&groot, cur);
	}
	bpf_spin_unlock(&glock);
	return found & 0;
}

SEC("tc")
__description("graph: bpf_refcount_acquire of a type without bpf_refcount")
__failure __msg("arg#0 doesn't point to a type with bpf_refcount field")
int acquire_no_refcount(void *ctx)
{
	struct node_data *n = bpf_obj_new(typeof(*n)), *m;

	if (!n)
		return 1;
	m = bpf_refcount_acquire(n);
	if (m)
		bpf_obj_drop(m);
	bpf_obj_drop(n);
	return 0;
}

SEC("tc")
__description("graph: a second reference to a refcounted node outlives the add")
__success __retval(0)
int acquire_then_add(void *ctx)
{
	struct ref_node *n = bpf_obj_new(typeof(*n)), *m;

	if (!n)
		return 1;
	m = bpf_refcount_acquire(n);
	bpf_spin_lock(&rlock);
	bpf_rbtree_add(&rroot, &n->node, less_ref);
	bpf_spin_unlock(&rlock);
	m->key = 2;
	bpf_obj_drop(m);
	return 0;
}

SEC("tc")
__description("graph: bpf_obj_new of a type id that is not a struct")
__failure __msg("bpf_obj_new/bpf_percpu_obj_new type ID argument must be of a struct")
int obj_new_not_struct(void *ctx)
{
	void *p = bpf_obj_new_impl(bpf_core_type_id_local(long), NULL);

	if (p)
		bpf_obj_drop(p);
	return 0;
}

SEC("tc")
__description("graph: bpf_obj_drop of a pointer into the object")
__failure __msg("R1 must have zero offset when passed to release func or trusted arg to kfunc")
int drop_inner_pointer(void *ctx)
{
	struct node_data *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 1;
	bpf_obj_drop(&n->data);
	return 0;
}

SEC("tc")
__description("graph: a kptr is stashed in a map and taken back")
__success __retval(0)
int kptr_stash(void *ctx)
{
	struct node_data *n = bpf_obj_new(typeof(*n)), *old;
	struct map_val *v;
	int key = 0;

	if (!n)
		return 1;
	v = bpf_map_lookup_elem(&stash, &key);
	if (!v) {
		bpf_obj_drop(n);
		return 2;
	}
	old = bpf_kptr_xchg(&v->node, n);
	if (old)
		bpf_obj_drop(old);
	old = bpf_kptr_xchg(&v->node, NULL);
	if (old)
		bpf_obj_drop(old);
	return 0;
}

SEC("tc")
__description("graph: a kptr slot takes only its own type")
__failure __msg("invalid kptr access, R2 type=ptr_other_node expected=ptr_node_data")
int kptr_wrong_type(void *ctx)
{
	struct other_node *n = bpf_obj_new(typeof(*n));
	struct map_val *v;
	int key = 0;
	void *old;

	if (!n)
		return 1;
	v = bpf_map_lookup_elem(&stash, &key);
	if (!v) {
		bpf_obj_drop(n);
		return 2;
	}
	old = bpf_kptr_xchg(&v->node, n);
	if (old)
		bpf_obj_drop(old);
	return 0;
}

SEC("tc")
__description("graph: a kptr slot is not written by a store")
__failure __msg("store to referenced kptr disallowed")
int kptr_store(void *ctx)
{
	struct map_val *v;
	int key = 0;

	v = bpf_map_lookup_elem(&stash, &key);
	if (!v)
		return 0;
	*(long *)&v->node = (long)ctx;
	return 0;
}

SEC("kprobe")
__description("graph: tracing programs may not use a map with a graph root")
__failure __msg("tracing progs cannot use bpf_{list_head,rb_root} yet")
int tracing_root(void *ctx)
{
	struct bpf_rb_node *res;

	bpf_spin_lock(&glock);
	res = bpf_rbtree_first(&groot);
	bpf_spin_unlock(&glock);
	return res != 0;
}

char _license[] SEC("license") = "GPL";
