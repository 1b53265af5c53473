// The kernel's own rbtree for the benchmarks' kernel column (bench/kernel.ts): the mainline
// kfuncs (bpf_obj_new, bpf_rbtree_add, bpf_rbtree_remove, bpf_obj_drop) under a bpf_spin_lock,
// in tc programs because BPF_PROG_TEST_RUN's `repeat` (which gives the kernel's mean duration)
// is refused for syscall programs. Declarations in the style of the kernel selftests'
// bpf_experimental.h, written here so no kernel tree is needed. Built by bench/kernel.ts's
// build step (clang-19) and committed as rbtree_kfunc.o.
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* Opaque kernel types (include/uapi/linux/bpf.h since 6.2; sizes of 6.18). */
struct bpf_rb_root {
	__u64 __opaque[2];
} __attribute__((aligned(8)));
struct bpf_rb_node {
	__u64 __opaque[4];
} __attribute__((aligned(8)));

extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
extern int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node,
			       bool (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b),
			       void *meta, __u64 off) __ksym;
extern struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym;
extern struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root) __ksym;

#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(kptr) bpf_obj_drop_impl(kptr, NULL)
#define bpf_rbtree_add(root, node, less) bpf_rbtree_add_impl(root, node, less, NULL, 0)
#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))
#define private(name) SEC(".data." #name) __attribute__((visibility("hidden"), aligned(8)))

/* A 16-byte payload, as in the VM's benchmark (key + value). */
struct node_data {
	__u64 key;
	__u64 val;
	struct bpf_rb_node node;
};

private(A) struct bpf_spin_lock glock;
private(A) struct bpf_rb_root groot __contains(node_data, node);

/* Nodes added by fill, and add_remove pairs that completed: read back to check the runs. */
__u64 filled;
__u64 pairs;
__u64 next_key;
/* Completed runs of first and pop_push. */
__u64 firsts;
__u64 pops;

static bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	struct node_data *na = container_of(a, struct node_data, node);
	struct node_data *nb = container_of(b, struct node_data, node);

	return na->key < nb->key;
}

/* Random keys: a multiplicative hash of a counter (the VM benchmark's keyOf('random', i)). */
static __u64 random_key(void)
{
	__u64 i = next_key++;

	return (__u32)((i + 1) * 0x9e3779b1);
}

/* One node per run: `repeat N` fills the tree with N nodes. */
SEC("tc")
int fill(struct __sk_buff *skb)
{
	struct node_data *n = bpf_obj_new(struct node_data);

	if (!n)
		return 1;
	n->key = random_key();
	bpf_spin_lock(&glock);
	bpf_rbtree_add(&groot, &n->node, less);
	bpf_spin_unlock(&glock);
	filled++;
	return 0;
}

/* One add+remove pair per run: new, lock, add, remove, unlock, drop. */
SEC("tc")
int add_remove(struct __sk_buff *skb)
{
	struct node_data *n = bpf_obj_new(struct node_data);
	struct bpf_rb_node *res;

	if (!n)
		return 1;
	n->key = random_key();
	bpf_spin_lock(&glock);
	bpf_rbtree_add(&groot, &n->node, less);
	res = bpf_rbtree_remove(&groot, &n->node);
	bpf_spin_unlock(&glock);
	if (!res)
		return 2;
	bpf_obj_drop(container_of(res, struct node_data, node));
	pairs++;
	return 0;
}

/* bpf_rbtree_first under the lock: one call per run (the tree is not changed). */
SEC("tc")
int first(struct __sk_buff *skb)
{
	struct bpf_rb_node *r;

	bpf_spin_lock(&glock);
	r = bpf_rbtree_first(&groot);
	bpf_spin_unlock(&glock);
	if (!r)
		return 1;
	firsts++;
	return 0;
}

/* The smallest node out (first, remove) and back in with a new key (add): the tree keeps its
 * size, the node its memory. */
SEC("tc")
int pop_push(struct __sk_buff *skb)
{
	struct bpf_rb_node *r;
	struct node_data *n;

	bpf_spin_lock(&glock);
	r = bpf_rbtree_first(&groot);
	if (!r) {
		bpf_spin_unlock(&glock);
		return 1;
	}
	r = bpf_rbtree_remove(&groot, r);
	bpf_spin_unlock(&glock);
	if (!r)
		return 2;
	n = container_of(r, struct node_data, node);
	n->key = random_key();
	bpf_spin_lock(&glock);
	bpf_rbtree_add(&groot, &n->node, less);
	bpf_spin_unlock(&glock);
	pops++;
	return 0;
}

/* The cost of a run itself, subtracted from add_remove's. */
SEC("tc")
int empty(struct __sk_buff *skb)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
