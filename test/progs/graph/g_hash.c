// Graph roots and kptrs in hash map values: an rbtree in each element, filled by the program; an
// element deleted by the program or overwritten by an update gives up its nodes (and its kptr),
// which the kernel frees (check_and_free_fields) and so does ebpfvm (test/graph).
#include "graph_decls.h"

struct ent {
	long key;
	struct bpf_rb_node rb;
};

struct val {
	struct bpf_spin_lock lock;
	struct bpf_rb_root root __contains(ent, rb);
	struct ent __kptr *spare;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, int);
	__type(value, struct val);
	__uint(max_entries, 4);
} trees SEC(".maps");

long out[4] = {};

static bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	return container_of(a, struct ent, rb)->key < container_of(b, struct ent, rb)->key;
}

/* Fill key 1's tree with 3 nodes and stash a fourth in its kptr; report the smallest key. */
SEC("tc")
int hash_fill(struct __sk_buff *skb)
{
	struct val zero = {}, *v;
	struct bpf_rb_node *r;
	struct ent *e;
	int k = 1, i;

	if (bpf_map_update_elem(&trees, &k, &zero, BPF_NOEXIST))
		return -1;
	v = bpf_map_lookup_elem(&trees, &k);
	if (!v)
		return -2;
	for (i = 0; i < 3; i++) {
		e = bpf_obj_new(struct ent);
		if (!e)
			return -3;
		e->key = 30 - i * 10;
		bpf_spin_lock(&v->lock);
		bpf_rbtree_add(&v->root, &e->rb, less);
		bpf_spin_unlock(&v->lock);
	}
	e = bpf_obj_new(struct ent);
	if (!e)
		return -4;
	e->key = 99;
	e = bpf_kptr_xchg(&v->spare, e);
	if (e)
		bpf_obj_drop(e);
	bpf_spin_lock(&v->lock);
	r = bpf_rbtree_first(&v->root);
	out[0] = r ? container_of(r, struct ent, rb)->key : -1;
	bpf_spin_unlock(&v->lock);
	return 0;
}

/* Delete key 1: its tree and its kptr go with it. */
SEC("tc")
int hash_delete(struct __sk_buff *skb)
{
	int k = 1;

	out[1] = bpf_map_delete_elem(&trees, &k);
	out[2] = bpf_map_lookup_elem(&trees, &k) != NULL;
	return 0;
}

char _license[] SEC("license") = "GPL";
