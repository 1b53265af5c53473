// Objects from bpf_obj_new: an object holding a list of others, dropped with the list still full
// (bpf_obj_drop frees the nested nodes), refcounts through bpf_refcount_acquire, kptrs stashed in
// a map value with bpf_kptr_xchg (the old pointer comes back to the program), and the largest
// object the allocator serves (bpf_mem_alloc: 4088 bytes).
#include "graph_decls.h"

struct leaf {
	long v;
	struct bpf_list_node ln;
};

struct bag {
	long id;
	struct bpf_spin_lock lock;
	struct bpf_list_head leaves __contains(leaf, ln);
	struct bpf_refcount ref;
};

struct stash {
	struct bag __kptr *b;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, struct stash);
	__uint(max_entries, 1);
} stashes SEC(".maps");

struct fits {
	char bytes[4088];
};

long res[8] = {};

SEC("tc")
int drop_nested(struct __sk_buff *skb)
{
	struct bag *b = bpf_obj_new(struct bag);
	int i;

	if (!b)
		return -1;
	for (i = 0; i < 3; i++) {
		struct leaf *l = bpf_obj_new(struct leaf);

		if (!l)
			break;
		l->v = i;
		bpf_spin_lock(&b->lock);
		bpf_list_push_back(&b->leaves, &l->ln);
		bpf_spin_unlock(&b->lock);
	}
	bpf_obj_drop(b); /* frees the three leaves too */
	return i;
}

SEC("tc")
int kptr_swap(struct __sk_buff *skb)
{
	int k = 0;
	struct stash *s = bpf_map_lookup_elem(&stashes, &k);
	struct bag *a, *b, *old;

	if (!s)
		return -1;
	a = bpf_obj_new(struct bag);
	if (!a)
		return -2;
	a->id = 1;
	old = bpf_kptr_xchg(&s->b, a);
	res[0] = old ? old->id : -1; /* empty slot: -1 */
	if (old)
		bpf_obj_drop(old);
	b = bpf_obj_new(struct bag);
	if (!b)
		return -3;
	b->id = 2;
	old = bpf_kptr_xchg(&s->b, b);
	res[1] = old ? old->id : -1; /* a comes back */
	if (old)
		bpf_obj_drop(old);
	/* b stays in the map: freed when the map goes */
	return 0;
}

SEC("tc")
int refcounts(struct __sk_buff *skb)
{
	struct bag *a, *b;

	a = bpf_obj_new(struct bag);
	if (!a)
		return -1;
	a->id = 9;
	b = bpf_refcount_acquire(a);
	if (!b) {
		bpf_obj_drop(a);
		return -2;
	}
	res[2] = b == a;
	res[3] = b->id;
	bpf_obj_drop(a);
	res[4] = b->id; /* still alive: b holds a reference */
	bpf_obj_drop(b);
	return 0;
}

SEC("tc")
int size_cap(struct __sk_buff *skb)
{
	struct fits *f = bpf_obj_new(struct fits);

	/* the largest object bpf_mem_alloc serves (the kernel's verifier refuses larger types) */
	res[6] = f != NULL;
	if (f)
		bpf_obj_drop(f);
	return 0;
}

char _license[] SEC("license") = "GPL";
