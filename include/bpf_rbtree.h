/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bpf_rbtree.h -- the rbtree map of the July 2022 RFC ("bpf: Introduce rbtree map"), as ebpfvm
 * runs it: the map type, the twelve helpers and struct rb_node.
 *
 * Include it after <linux/bpf.h> (or vmlinux.h) and <bpf/bpf_helpers.h>:
 *
 *   struct node_data { struct rb_node node; __u32 one; __u32 two; };
 *   struct {
 *           __uint(type, BPF_MAP_TYPE_RBTREE);
 *           __type(value, struct node_data);
 *   } rbtree SEC(".maps");
 *
 * Numbers are ebpfvm's (DESIGN section 7): the RFC never fixed them, and its natural ones collide
 * with mainline. The map type sits outside the kernel's enum; helper ids start after mainline's
 * last (211), so they never collide with a real helper.
 */
#ifndef __BPF_RBTREE_H__
#define __BPF_RBTREE_H__

#define BPF_MAP_TYPE_RBTREE 4096

#ifndef __VMLINUX_H__
#include <linux/types.h>
/* The kernel's layout (include/linux/rbtree_types.h): parent pointer with the colour in bit 0
 * (0 red, 1 black), then right, then left. Programs may read these fields, never write them. */
struct rb_node {
	unsigned long __rb_parent_color;
	struct rb_node *rb_right;
	struct rb_node *rb_left;
} __attribute__((aligned(sizeof(long))));
#endif

struct bpf_spin_lock;

/* A new node of at least the map's value size, its payload zeroed and its rb_node cleared
 * (RB_CLEAR_NODE); NULL when size < sizeof(struct rb_node). The program owns it until it adds or
 * frees it. */
static void *(*bpf_rbtree_alloc_node)(void *map, __u32 size) = (void *) 212;

/* Insert node, ordered by less(a, b) (ties go after their equals). Returns node, now owned by the
 * tree (a non-owning pointer valid until unlock), or NULL -- lock not held, node already in a
 * tree, or not a node of this map -- and then the program still owns node. */
static void *(*bpf_rbtree_add)(void *map, void *node, void *less) = (void *) 213;

/* rb_find: cmp(key, node) < 0 when key sorts before node, > 0 after, 0 for a match. Returns a
 * non-owning node pointer or NULL. */
static void *(*bpf_rbtree_find)(void *map, void *key, void *cmp) = (void *) 214;

/* Unlink node; returns it, owned by the program again (free or re-add it), or NULL. */
static void *(*bpf_rbtree_remove)(void *map, void *node) = (void *) 215;

/* Free a node the program owns: 0; a node still in a tree is left alone: -EBUSY. */
static long (*bpf_rbtree_free_node)(void *map, void *node) = (void *) 216;

/* The map's own spin lock; every tree-touching helper returns NULL unless this program holds it. */
static void *(*bpf_rbtree_get_lock)(void *map) = (void *) 217;
static long (*bpf_rbtree_lock)(struct bpf_spin_lock *lock) = (void *) 218;
/* Every non-owning node pointer becomes invalid here. */
static long (*bpf_rbtree_unlock)(struct bpf_spin_lock *lock) = (void *) 219;

/* In-order iteration (non-owning pointers, under the lock): first/last start, next/prev step,
 * NULL at the end. */
static void *(*bpf_rbtree_first)(void *map) = (void *) 220;
static void *(*bpf_rbtree_last)(void *map) = (void *) 221;
static void *(*bpf_rbtree_next)(void *map, void *node) = (void *) 222;
static void *(*bpf_rbtree_prev)(void *map, void *node) = (void *) 223;

#endif /* __BPF_RBTREE_H__ */
