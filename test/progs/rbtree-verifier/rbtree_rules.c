// SPDX-License-Identifier: MIT
/* ebpfvm's rbtree verifier rules beyond the RFC's own tests (DESIGN section 7, verifier/rbtree.ts):
 * the RFC's holes fixed (find's result and cmp's key typed, non-owning references per map and
 * after remove, owned vs non-owning per helper, the node's map), callbacks, open-coded iteration
 * verified by state convergence, and the lock discipline of --strict (the `_strict` twins). */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_rbtree.h"

struct node_data {
	struct rb_node node;
	__u32 one;
	__u32 two;
};

struct other_data {
	struct rb_node node;
	__u64 key;
};

struct {
	__uint(type, BPF_MAP_TYPE_RBTREE);
	__type(value, struct node_data);
} rbtree SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RBTREE);
	__type(value, struct node_data);
} rbtree2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RBTREE);
	__type(value, struct other_data);
} others SEC(".maps");

static bool less(struct rb_node *a, const struct rb_node *b)
{
	return ((struct node_data *)a)->one < ((struct node_data *)b)->one;
}

static int cmp_u32(const void *k, const struct rb_node *n)
{
	__u32 key = *(const __u32 *)k;
	__u32 one = ((const struct node_data *)n)->one;

	return key < one ? -1 : key > one;
}

#define LOCK(m) bpf_rbtree_lock(bpf_rbtree_get_lock(&m))
#define UNLOCK(m) bpf_rbtree_unlock(bpf_rbtree_get_lock(&m))

/* Add a node with key `one` under the lock; 0 when added. */
static __always_inline int add_key(void *map, __u32 one)
{
	struct node_data *n = bpf_rbtree_alloc_node(map, sizeof(*n));

	if (!n)
		return -1;
	n->one = one;
	if (!bpf_rbtree_add(map, n, less)) {
		bpf_rbtree_free_node(map, n);
		return -1;
	}
	return 0;
}

/* ---- typing ------------------------------------------------------------------------------- */

SEC("syscall")
__description("rbtree: find's result is a node_data and cmp's key a u32 on the caller's stack")
__success __retval(7)
int find_typed(void *ctx)
{
	struct node_data *found, *removed;
	__u32 key = 5;
	int ret = -1;

	LOCK(rbtree);
	if (add_key(&rbtree, 5))
		goto out;
	found = bpf_rbtree_find(&rbtree, &key, cmp_u32);
	if (!found)
		goto out;
	found->two = 7; /* a field of the value type, not of rb_node */
	removed = bpf_rbtree_remove(&rbtree, found);
	if (!removed)
		goto out;
	UNLOCK(rbtree);
	ret = removed->two;
	bpf_rbtree_free_node(&rbtree, removed);
	return ret;
out:
	UNLOCK(rbtree);
	return ret;
}

SEC("syscall")
__description("rbtree: a node of another value type")
__failure __msg("rbtree: R2 is of type other_data but node_data is expected")
int wrong_node_type(void *ctx)
{
	struct other_data *o = bpf_rbtree_alloc_node(&others, sizeof(*o));

	if (!o)
		return 0;
	LOCK(rbtree);
	if (!bpf_rbtree_add(&rbtree, o, less))
		bpf_rbtree_free_node(&others, o);
	UNLOCK(rbtree);
	return 0;
}

SEC("syscall")
__description("rbtree: a node of another map of the same type")
__failure __msg("rbtree: R2 is a node of map 'rbtree2' but rbtree_free_node is called on map 'rbtree'")
int wrong_map(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&rbtree2, sizeof(*n));

	if (!n)
		return 0;
	bpf_rbtree_free_node(&rbtree, n);
	return 0;
}

SEC("syscall")
__description("rbtree: alloc_node smaller than the node type")
__failure __msg("rbtree: R2 size 24 is smaller than node_data (32 bytes)")
int alloc_too_small(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&rbtree, 24);

	if (n)
		bpf_rbtree_free_node(&rbtree, n);
	return 0;
}

/* ---- ownership ---------------------------------------------------------------------------- */

SEC("syscall")
__description("rbtree: a non-owning node cannot be freed")
__failure __msg("R2 must be referenced when passed to release function")
int free_non_owning(void *ctx)
{
	struct node_data *n;

	LOCK(rbtree);
	n = bpf_rbtree_first(&rbtree);
	if (n)
		bpf_rbtree_free_node(&rbtree, n);
	UNLOCK(rbtree);
	return 0;
}

SEC("syscall")
__description("rbtree: a non-owning node cannot be added")
__failure __msg("R2 must be referenced when passed to release function")
int add_non_owning(void *ctx)
{
	struct node_data *n;

	LOCK(rbtree);
	n = bpf_rbtree_first(&rbtree);
	if (n)
		bpf_rbtree_add(&rbtree, n, less);
	UNLOCK(rbtree);
	return 0;
}

SEC("syscall")
__description("rbtree: remove takes a node of the tree, not an owned one")
__failure __msg("rbtree_remove node input must be non-owning ref")
int remove_owned(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&rbtree, sizeof(*n)), *r;

	if (!n)
		return 0;
	LOCK(rbtree);
	r = bpf_rbtree_remove(&rbtree, n);
	UNLOCK(rbtree);
	if (r)
		bpf_rbtree_free_node(&rbtree, r);
	bpf_rbtree_free_node(&rbtree, n);
	return 0;
}

SEC("syscall")
__description("rbtree: an add result never NULL-checked leaks its node")
__failure __msg("Unreleased reference id=")
int add_unchecked(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&rbtree, sizeof(*n));

	if (!n)
		return 0;
	LOCK(rbtree);
	bpf_rbtree_add(&rbtree, n, less);
	UNLOCK(rbtree);
	return 0;
}

SEC("syscall")
__description("rbtree: add's result checked after unlock settles the conditional release")
__success __retval(0)
int add_check_after_unlock(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&rbtree, sizeof(*n));

	if (!n)
		return 0;
	LOCK(rbtree);
	if (!bpf_rbtree_add(&rbtree, n, less)) {
		UNLOCK(rbtree);
		bpf_rbtree_free_node(&rbtree, n);
		return 1;
	}
	UNLOCK(rbtree);
	return 0;
}

/* ---- non-owning references die -------------------------------------------------------------- */

SEC("syscall")
__description("rbtree: a non-owning node dies at unlock")
__failure __msg("invalid mem access 'scalar'")
int use_after_unlock(void *ctx)
{
	struct node_data *n;

	LOCK(rbtree);
	n = bpf_rbtree_first(&rbtree);
	UNLOCK(rbtree);
	if (n)
		return n->one;
	return 0;
}

SEC("syscall")
__description("rbtree: an add result dies at unlock even when checked after it")
__failure __msg("invalid mem access 'scalar'")
int add_result_after_unlock(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&rbtree, sizeof(*n)), *r;

	if (!n)
		return 0;
	LOCK(rbtree);
	r = bpf_rbtree_add(&rbtree, n, less);
	UNLOCK(rbtree);
	if (!r) {
		bpf_rbtree_free_node(&rbtree, n);
		return 0;
	}
	return r->one;
}

SEC("syscall")
__description("rbtree: unlocking another tree keeps this tree's nodes (RFC mode); strict refuses the nesting")
__success __retval(0)
__failure_strict __msg_strict("Locking two bpf_spin_locks are not allowed")
int unlock_other_map(void *ctx)
{
	struct node_data *n;
	int ret = 0;

	LOCK(rbtree);
	n = bpf_rbtree_first(&rbtree);
	LOCK(rbtree2);
	UNLOCK(rbtree2);
	if (n)
		ret = n->one;
	UNLOCK(rbtree);
	return ret;
}

SEC("syscall")
__description("rbtree: the removed node's non-owning copies die at remove")
__failure __msg("invalid mem access 'scalar'")
int use_after_remove(void *ctx)
{
	struct node_data *n, *r;
	int ret = 0;

	LOCK(rbtree);
	n = bpf_rbtree_first(&rbtree);
	if (!n)
		goto out;
	r = bpf_rbtree_remove(&rbtree, n);
	ret = n->one;
	if (r) {
		UNLOCK(rbtree);
		bpf_rbtree_free_node(&rbtree, r);
		return ret;
	}
out:
	UNLOCK(rbtree);
	return ret;
}

SEC("syscall")
__description("rbtree: freeing a removed node kills its aliases of other ids")
__failure __msg("invalid mem access 'scalar'")
int free_kills_aliases(void *ctx)
{
	struct node_data *a, *b, *r;
	int ret = 0;

	LOCK(rbtree);
	a = bpf_rbtree_first(&rbtree);
	b = bpf_rbtree_last(&rbtree); /* may be the same node as a */
	if (!a || !b)
		goto out;
	r = bpf_rbtree_remove(&rbtree, a);
	if (r)
		bpf_rbtree_free_node(&rbtree, r);
	ret = b->one;
out:
	UNLOCK(rbtree);
	return ret;
}

/* ---- callbacks ------------------------------------------------------------------------------- */

static bool less_writes(struct rb_node *a, const struct rb_node *b)
{
	((struct node_data *)a)->two = 1;
	return ((struct node_data *)a)->one < ((struct node_data *)b)->one;
}

SEC("syscall")
__description("rbtree: less may only read its nodes")
__failure __msg("is a node of an rbtree callback: only read is supported")
int cb_writes(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&rbtree, sizeof(*n));

	if (!n)
		return 0;
	LOCK(rbtree);
	if (!bpf_rbtree_add(&rbtree, n, less_writes))
		bpf_rbtree_free_node(&rbtree, n);
	UNLOCK(rbtree);
	return 0;
}

static __noinline long less_two(struct rb_node *a, const struct rb_node *b)
{
	return 2;
}

SEC("syscall")
__description("rbtree: less returns 0 or 1")
__failure __msg("At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]")
int cb_less_range(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&rbtree, sizeof(*n));

	if (!n)
		return 0;
	LOCK(rbtree);
	if (!bpf_rbtree_add(&rbtree, n, less_two))
		bpf_rbtree_free_node(&rbtree, n);
	UNLOCK(rbtree);
	return 0;
}

static long cmp_negative(const void *k, const struct rb_node *n)
{
	return -1000000000000L;
}

SEC("syscall")
__description("rbtree: cmp returns any integer")
__success __retval(0)
int cb_cmp_any(void *ctx)
{
	struct node_data *n;
	__u32 key = 1;

	LOCK(rbtree);
	n = bpf_rbtree_find(&rbtree, &key, cmp_negative);
	UNLOCK(rbtree);
	return n ? 1 : 0;
}

static bool less_first(struct rb_node *a, const struct rb_node *b)
{
	return bpf_rbtree_first(&rbtree) != 0;
}

SEC("syscall")
__description("rbtree: no tree helper inside less")
__failure __msg("rbtree_first not allowed in rbtree cb")
int cb_tree_helper(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&rbtree, sizeof(*n));

	if (!n)
		return 0;
	LOCK(rbtree);
	if (!bpf_rbtree_add(&rbtree, n, less_first))
		bpf_rbtree_free_node(&rbtree, n);
	UNLOCK(rbtree);
	return 0;
}

static bool less_unlocks(struct rb_node *a, const struct rb_node *b)
{
	UNLOCK(rbtree);
	return 0;
}

SEC("syscall")
__description("rbtree: unlock inside less (RFC mode: a run-time lock fault; strict refuses it)")
__success
__failure_strict __msg_strict("can't spin_{lock,unlock} in rbtree cb")
int cb_unlock(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&rbtree, sizeof(*n));

	if (!n)
		return 0;
	LOCK(rbtree);
	if (!bpf_rbtree_add(&rbtree, n, less_unlocks))
		bpf_rbtree_free_node(&rbtree, n);
	UNLOCK(rbtree);
	return 0;
}

/* ---- iteration ------------------------------------------------------------------------------- */

SEC("syscall")
__description("rbtree: first/next and last/prev loops converge; the counts are the tree's size")
__success __retval(33)
int iterate(void *ctx)
{
	struct node_data *it;
	int fwd = 0, back = 0;

	LOCK(rbtree);
	add_key(&rbtree, 3);
	add_key(&rbtree, 1);
	add_key(&rbtree, 2);
	for (it = bpf_rbtree_first(&rbtree); it; it = bpf_rbtree_next(&rbtree, it))
		fwd++;
	for (it = bpf_rbtree_last(&rbtree); it; it = bpf_rbtree_prev(&rbtree, it))
		back++;
	UNLOCK(rbtree);
	return fwd * 10 + back;
}

SEC("syscall")
__description("rbtree: a node kept from an iteration dies at unlock")
__failure __msg("invalid mem access 'scalar'")
int iterate_keep(void *ctx)
{
	struct node_data *it, *max = 0;

	LOCK(rbtree);
	for (it = bpf_rbtree_first(&rbtree); it; it = bpf_rbtree_next(&rbtree, it))
		max = it;
	UNLOCK(rbtree);
	return max ? max->one : 0;
}

SEC("syscall")
__description("rbtree: remove while iterating, restarting from first")
__success __retval(0)
int drain(void *ctx)
{
	struct node_data *it, *r;
	int i;

	LOCK(rbtree);
	add_key(&rbtree, 4);
	add_key(&rbtree, 9);
	for (i = 0; i < 16; i++) {
		it = bpf_rbtree_first(&rbtree);
		if (!it)
			break;
		r = bpf_rbtree_remove(&rbtree, it);
		if (!r)
			break;
		bpf_rbtree_free_node(&rbtree, r);
	}
	it = bpf_rbtree_first(&rbtree);
	UNLOCK(rbtree);
	return it != 0;
}

/* Loops that would not end: each lap must step one iteration forward (next, or prev, on the node
 * the last step returned) without starting a new one; these are refused as endless. */
SEC("syscall")
__description("rbtree: next then prev stands still")
__failure __msg("infinite loop detected")
int iterate_seesaw(void *ctx)
{
	struct node_data *it, *n;

	LOCK(rbtree);
	it = bpf_rbtree_first(&rbtree);
	while (it) {
		n = bpf_rbtree_next(&rbtree, it);
		if (!n)
			break;
		it = bpf_rbtree_prev(&rbtree, n);
	}
	UNLOCK(rbtree);
	return 0;
}

SEC("syscall")
__description("rbtree: stepping from a node kept from before the loop stands still")
__failure __msg("infinite loop detected")
int iterate_stuck(void *ctx)
{
	struct node_data *first, *it;

	LOCK(rbtree);
	first = bpf_rbtree_first(&rbtree);
	it = first;
	while (it && first)
		it = bpf_rbtree_next(&rbtree, first);
	UNLOCK(rbtree);
	return 0;
}

SEC("syscall")
__description("rbtree: starting over inside the loop")
__failure __msg("infinite loop detected")
int iterate_restart(void *ctx)
{
	struct node_data *it;

	LOCK(rbtree);
	it = bpf_rbtree_first(&rbtree);
	while (it) {
		it = bpf_rbtree_next(&rbtree, it);
		if (!it)
			it = bpf_rbtree_first(&rbtree);
	}
	UNLOCK(rbtree);
	return 0;
}

/* Loops the search proves finite by lineage: every lap steps the node the loop walks on from the
 * node the previous lap stood on, one way, and nothing in the loop adds a node or steps back. */
SEC("syscall")
__description("rbtree: a first/next loop with nothing changing but the node converges")
__success __retval(3)
int iterate_plain(void *ctx)
{
	struct node_data *it;
	__u32 max = 0;

	LOCK(rbtree);
	add_key(&rbtree, 3);
	add_key(&rbtree, 1);
	add_key(&rbtree, 2);
	for (it = bpf_rbtree_first(&rbtree); it; it = bpf_rbtree_next(&rbtree, it))
		max = it->one;
	UNLOCK(rbtree);
	return max;
}

SEC("syscall")
__description("rbtree: nested loops, the inner one restarting with first each outer lap")
__success __retval(3)
int iterate_nested(void *ctx)
{
	struct node_data *a, *b;
	int pairs = 0;

	LOCK(rbtree);
	add_key(&rbtree, 3);
	add_key(&rbtree, 1);
	add_key(&rbtree, 2);
	for (a = bpf_rbtree_first(&rbtree); a; a = bpf_rbtree_next(&rbtree, a))
		for (b = bpf_rbtree_first(&rbtree); b; b = bpf_rbtree_next(&rbtree, b))
			if (b->one < a->one)
				pairs++;
	UNLOCK(rbtree);
	return pairs;
}

SEC("syscall")
__description("rbtree: removing and freeing each node a last/prev iteration passes")
__success __retval(0)
int iterate_remove_behind(void *ctx)
{
	struct node_data *it, *nx, *r;

	LOCK(rbtree);
	add_key(&rbtree, 3);
	add_key(&rbtree, 1);
	for (it = bpf_rbtree_last(&rbtree); it; it = nx) {
		nx = bpf_rbtree_prev(&rbtree, it);
		r = bpf_rbtree_remove(&rbtree, it);
		if (!r)
			break;
		/* nx survives: a step from the freed node is never that node */
		bpf_rbtree_free_node(&rbtree, r);
	}
	it = bpf_rbtree_first(&rbtree);
	UNLOCK(rbtree);
	return it != 0;
}

SEC("syscall")
__description("rbtree: adding a node on every lap may never end")
__failure __msg("infinite loop detected")
int iterate_grow(void *ctx)
{
	struct node_data *it;

	LOCK(rbtree);
	for (it = bpf_rbtree_first(&rbtree); it; it = bpf_rbtree_next(&rbtree, it))
		if (add_key(&rbtree, it->one + 1))
			break;
	UNLOCK(rbtree);
	return 0;
}

SEC("syscall")
__description("rbtree: a loop stepping either way by a node's key may never end")
__failure __msg("infinite loop detected")
int iterate_both_ways(void *ctx)
{
	struct node_data *it;

	LOCK(rbtree);
	it = bpf_rbtree_first(&rbtree);
	while (it) {
		if (it->one == 3)
			it = bpf_rbtree_prev(&rbtree, it);
		else
			it = bpf_rbtree_next(&rbtree, it);
	}
	UNLOCK(rbtree);
	return 0;
}

SEC("syscall")
__description("rbtree: an inner loop stepping back what the outer one stepped on")
__failure __msg("infinite loop detected")
int iterate_inner_back(void *ctx)
{
	struct node_data *it;

	LOCK(rbtree);
	it = bpf_rbtree_first(&rbtree);
	while (it) {
		it = bpf_rbtree_next(&rbtree, it);
		while (it && it->one == 3)
			it = bpf_rbtree_prev(&rbtree, it);
	}
	UNLOCK(rbtree);
	return 0;
}

SEC("syscall")
__description("rbtree: find until it fails, on a tree nothing changes (its callback runs converge, the loop does not)")
__failure __msg("infinite loop detected")
int find_forever(void *ctx)
{
	__u32 key = 1;

	LOCK(rbtree);
	while (bpf_rbtree_find(&rbtree, &key, cmp_u32))
		;
	UNLOCK(rbtree);
	return 0;
}

/* ---- hostile uses of nodes ------------------------------------------------------------------- */

SEC("syscall")
__description("rbtree: a copy of a freed node is dead")
__failure __msg("invalid mem access 'scalar'")
int use_after_free(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&rbtree, sizeof(*n));
	struct node_data *volatile copy;

	if (!n)
		return 0;
	copy = n;
	bpf_rbtree_free_node(&rbtree, n);
	return copy->one;
}

SEC("syscall")
__description("rbtree: rb_node written through a moved pointer")
__failure __msg("only read is supported")
int rb_node_write_moved(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&rbtree, sizeof(*n));
	char *p;

	if (!n)
		return 0;
	p = (char *)n + 8;
	asm volatile("" : "+r"(p));
	*(__u64 *)p = 0;
	bpf_rbtree_free_node(&rbtree, n);
	return 0;
}

SEC("syscall")
__description("rbtree: a node written at a variable offset")
__failure __msg("invalid variable offset")
int node_write_varoff(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&rbtree, sizeof(*n));
	__u32 off = bpf_get_prandom_u32() & 8;

	if (!n)
		return 0;
	*(__u64 *)((char *)n + off) = 0;
	bpf_rbtree_free_node(&rbtree, n);
	return 0;
}

SEC("syscall")
__description("rbtree: an atomic add into rb_node")
__failure __msg("only read is supported")
int rb_node_atomic(void *ctx)
{
	struct node_data *n = bpf_rbtree_alloc_node(&rbtree, sizeof(*n));

	if (!n)
		return 0;
	__sync_fetch_and_add(&n->node.__rb_parent_color, 1);
	bpf_rbtree_free_node(&rbtree, n);
	return 0;
}

/* ---- strict mode: the lock discipline ------------------------------------------------------------ */

SEC("syscall")
__description("rbtree: first without the lock (RFC mode: NULL at run time)")
__success __retval(0)
__failure_strict __msg_strict("bpf_spin_lock at off=0 must be held for rbtree 'rbtree' (bpf_rbtree_first)")
int nolock_first(void *ctx)
{
	return bpf_rbtree_first(&rbtree) != 0;
}

SEC("syscall")
__description("rbtree: find under the other tree's lock")
__success __retval(0)
__failure_strict __msg_strict("bpf_spin_lock at off=0 must be held for rbtree 'rbtree' (bpf_rbtree_find)")
int wrong_lock_find(void *ctx)
{
	__u32 key = 1;
	void *n;

	LOCK(rbtree2);
	n = bpf_rbtree_find(&rbtree, &key, cmp_u32);
	UNLOCK(rbtree2);
	return n != 0;
}

SEC("syscall")
__description("rbtree: exit holding the lock (RFC mode: a run-time fault)")
__success
__failure_strict __msg_strict("BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region")
int exit_locked(void *ctx)
{
	LOCK(rbtree);
	return 0;
}

SEC("syscall")
__description("rbtree: unlock without the lock (RFC mode: a run-time fault)")
__success
__failure_strict __msg_strict("bpf_spin_unlock without taking a lock")
int unlock_unlocked(void *ctx)
{
	UNLOCK(rbtree);
	return 0;
}

SEC("syscall")
__description("rbtree: unlock of the other tree's lock")
__success
__failure_strict __msg_strict("bpf_spin_unlock of different lock")
int unlock_other(void *ctx)
{
	LOCK(rbtree);
	UNLOCK(rbtree2);
	return 0;
}

SEC("syscall")
__description("rbtree: taking the lock twice (RFC mode: a run-time deadlock fault)")
__success
__failure_strict __msg_strict("Locking two bpf_spin_locks are not allowed")
int lock_twice(void *ctx)
{
	LOCK(rbtree);
	LOCK(rbtree);
	UNLOCK(rbtree);
	return 0;
}

/* Verified on its own, without its caller's lock: it may take the lock (a deadlock when the
 * caller holds it) or release the caller's. */
__noinline int global_relock(int x)
{
	LOCK(rbtree);
	UNLOCK(rbtree);
	return x;
}

SEC("syscall")
__description("rbtree: a global function called with the lock held (RFC mode: a run-time deadlock)")
__success
__failure_strict __msg_strict("global function calls are not allowed while holding a lock")
int global_under_lock(void *ctx)
{
	LOCK(rbtree);
	global_relock(0);
	UNLOCK(rbtree);
	return 0;
}

SEC("syscall")
__description("rbtree: a global function that takes the lock itself, called without it")
__success __retval(0)
int global_locks_itself(void *ctx)
{
	return global_relock(0);
}

SEC("syscall")
__description("rbtree: bpf_spin_lock is not the tree's lock")
__failure __msg("R1 is an rbtree map's lock: take it with bpf_rbtree_lock")
int spin_lock_tree(void *ctx)
{
	bpf_spin_lock(bpf_rbtree_get_lock(&rbtree));
	bpf_spin_unlock(bpf_rbtree_get_lock(&rbtree));
	return 0;
}

SEC("syscall")
__description("rbtree: the lock word is not memory")
__failure __msg("bpf_spin_lock cannot be accessed directly by load/store")
int lock_word_read(void *ctx)
{
	return *(int *)bpf_rbtree_get_lock(&rbtree);
}

char _license[] SEC("license") = "GPL";
