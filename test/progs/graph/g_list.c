// Mainline list kfuncs on a head in a map value: push_back/push_front order, pop_front/pop_back,
// bpf_list_front/back peeks (Linux 6.16+), a node pushed twice (-EINVAL, its reference dropped)
// and pops of an empty list (NULL). Results go to .bss for the fixture.
#include "graph_decls.h"

struct item {
	int val;
	struct bpf_list_node ln;
	struct bpf_refcount ref;
};

struct holder {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(item, ln);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, struct holder);
	__uint(max_entries, 2);
} lists SEC(".maps");

int popped[8] = {};
int peek[4] = {};
int twice[3] = {};

static int push(struct holder *h, int val, bool back)
{
	struct item *it = bpf_obj_new(struct item);
	int ret;

	if (!it)
		return -1;
	it->val = val;
	bpf_spin_lock(&h->lock);
	ret = back ? bpf_list_push_back(&h->head, &it->ln) : bpf_list_push_front(&h->head, &it->ln);
	bpf_spin_unlock(&h->lock);
	return ret;
}

static int pop(struct holder *h, bool back)
{
	struct bpf_list_node *n;
	struct item *it;
	int val;

	bpf_spin_lock(&h->lock);
	n = back ? bpf_list_pop_back(&h->head) : bpf_list_pop_front(&h->head);
	bpf_spin_unlock(&h->lock);
	if (!n)
		return -1;
	it = container_of(n, struct item, ln);
	val = it->val;
	bpf_obj_drop(it);
	return val;
}

static int peek_val(struct holder *h, bool back)
{
	struct bpf_list_node *n;
	int val = -1;

	bpf_spin_lock(&h->lock);
	n = back ? bpf_list_back(&h->head) : bpf_list_front(&h->head);
	if (n)
		val = container_of(n, struct item, ln)->val;
	bpf_spin_unlock(&h->lock);
	return val;
}

SEC("tc")
int list_order(struct __sk_buff *skb)
{
	int k = 0, i;
	struct holder *h = bpf_map_lookup_elem(&lists, &k);

	if (!h)
		return -1;
	/* 10 20 30 pushed at the back, 5 then 1 at the front: 1 5 10 20 30 */
	if (push(h, 10, true) || push(h, 20, true) || push(h, 30, true) || push(h, 5, false) || push(h, 1, false))
		return -2;
	peek[0] = peek_val(h, false);
	peek[1] = peek_val(h, true);
	popped[0] = pop(h, false);
	popped[1] = pop(h, true);
	popped[2] = pop(h, false);
	popped[3] = pop(h, true);
	peek[2] = peek_val(h, false);
	peek[3] = peek_val(h, true);
	popped[4] = pop(h, false);
	popped[5] = pop(h, false); /* empty: -1 */
	popped[6] = pop(h, true);  /* empty: -1 */
	return 0;
}

/* The same node pushed twice through two references: 0, then -EINVAL. */
SEC("tc")
int list_push_twice(struct __sk_buff *skb)
{
	int k = 1;
	struct holder *h = bpf_map_lookup_elem(&lists, &k);
	struct item *a, *b;

	if (!h)
		return -1;
	a = bpf_obj_new(struct item);
	if (!a)
		return -2;
	a->val = 7;
	b = bpf_refcount_acquire(a);
	if (!b) {
		bpf_obj_drop(a);
		return -3;
	}
	bpf_spin_lock(&h->lock);
	twice[0] = bpf_list_push_back(&h->head, &a->ln);
	twice[1] = bpf_list_push_front(&h->head, &b->ln);
	bpf_spin_unlock(&h->lock);
	twice[2] = pop(h, false);
	return pop(h, false); /* empty again: -1 */
}

/* Nodes left in the map: freed when the map's value is overwritten or the map destroyed. */
SEC("tc")
int list_leave(struct __sk_buff *skb)
{
	int k = 0;
	struct holder *h = bpf_map_lookup_elem(&lists, &k);

	if (!h)
		return -1;
	if (push(h, 1, true) || push(h, 2, true) || push(h, 3, true))
		return -2;
	return peek_val(h, true);
}

char _license[] SEC("license") = "GPL";
