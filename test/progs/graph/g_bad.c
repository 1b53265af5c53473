// Misuse of the graph kfuncs that the kernel's verifier refuses at load: run unverified, each
// must end in a VmFault naming the problem (test/graph/graph.test.ts), never a JS error.
#include "graph_decls.h"

struct a_node {
	long key;
	struct bpf_rb_node rb;
};

struct b_node {
	struct bpf_rb_node rb;
	long key;
};

struct bpf_spin_lock lock;
struct bpf_rb_root tree __contains(a_node, rb);

static bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	return container_of(a, struct a_node, rb)->key < container_of(b, struct a_node, rb)->key;
}

SEC("tc")
int bad_type_id(struct __sk_buff *skb)
{
	void *p = bpf_obj_new_impl(99999, NULL);

	if (p)
		bpf_obj_drop(p);
	return 0;
}

SEC("tc")
int pop_not_a_head(struct __sk_buff *skb)
{
	struct bpf_list_head h = {};

	return bpf_list_pop_front(&h) != NULL;
}

SEC("tc")
int add_wrong_type(struct __sk_buff *skb)
{
	struct b_node *n = bpf_obj_new(struct b_node);

	if (!n)
		return 1;
	bpf_spin_lock(&lock);
	bpf_rbtree_add(&tree, &n->rb, less);
	bpf_spin_unlock(&lock);
	return 0;
}

SEC("tc")
int drop_twice(struct __sk_buff *skb)
{
	struct a_node *n = bpf_obj_new(struct a_node);

	if (!n)
		return 1;
	bpf_obj_drop(n);
	bpf_obj_drop(n);
	return 0;
}

SEC("tc")
int drop_linked(struct __sk_buff *skb)
{
	struct a_node *n = bpf_obj_new(struct a_node);

	if (!n)
		return 1;
	bpf_spin_lock(&lock);
	bpf_rbtree_add(&tree, &n->rb, less);
	bpf_spin_unlock(&lock);
	bpf_obj_drop(n); /* n is only a non-owning reference now */
	return 0;
}

SEC("tc")
int write_node_links(struct __sk_buff *skb)
{
	struct a_node *n = bpf_obj_new(struct a_node);

	if (!n)
		return 1;
	*(volatile long *)&n->rb = 0x1234; /* the rb_node bytes are write-protected */
	bpf_obj_drop(n);
	return 0;
}

char _license[] SEC("license") = "GPL";
