// An earliest-deadline-first packet scheduler on the RFC's rbtree map.
//
// Each packet is a UDP datagram (port 7777) carrying a batch of work items:
//
//   struct batch { __u32 magic ('EDF1'); __u32 now_us; __u16 count; __u16 pad; }
//   struct item  { __u32 flow; __u32 deadline_us; __u32 bytes; __u32 seq; }  x count (<= 32)
//
// For every item the program allocates a node, fills it in and adds it to the tree ordered by
// deadline (ties keep arrival order). Then it dispatches every queued item whose deadline has
// passed (deadline <= now_us), earliest first, counting what it sent. What is left in the tree is
// the backlog, which `ebpfvm run ... --dump-maps` prints in deadline order.
//
// Rebuild: node scripts/build-progs.mjs scheduler
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "bpf_rbtree.h"

#define SCHED_PORT 7777
#define BATCH_MAGIC 0x31464445 /* "EDF1" little-endian */
#define MAX_ITEMS 32

struct batch {
	__u32 magic;
	__u32 now_us;
	__u16 count;
	__u16 pad;
};

struct item {
	__u32 flow;
	__u32 deadline_us;
	__u32 bytes;
	__u32 seq;
};

struct pending {
	struct rb_node node;
	__u32 deadline_us;
	__u32 flow;
	__u32 bytes;
	__u32 seq;
};

struct {
	__uint(type, BPF_MAP_TYPE_RBTREE);
	__type(value, struct pending);
} queue SEC(".maps");

struct stats {
	__u64 batches;
	__u64 enqueued;
	__u64 dispatched;
	__u64 dispatched_bytes;
	__u64 alloc_failed;
	__u64 backlog;
};

struct stats stats;

static bool earlier(struct rb_node *a, const struct rb_node *b)
{
	return ((struct pending *)a)->deadline_us < ((struct pending *)b)->deadline_us;
}

SEC("tc")
int schedule(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;
	struct batch *b;
	struct pending *p, *head;
	__u32 now, count, i;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return TC_ACT_OK;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > data_end || udp->dest != bpf_htons(SCHED_PORT))
		return TC_ACT_OK;
	b = (void *)(udp + 1);
	if ((void *)(b + 1) > data_end || b->magic != BATCH_MAGIC)
		return TC_ACT_OK;
	now = b->now_us;
	count = b->count;
	stats.batches++;

	for (i = 0; i < MAX_ITEMS; i++) {
		struct item *it = (void *)(b + 1) + i * sizeof(struct item);

		if (i >= count || (void *)(it + 1) > data_end)
			break;
		p = bpf_rbtree_alloc_node(&queue, sizeof(*p));
		if (!p) {
			stats.alloc_failed++;
			continue;
		}
		p->deadline_us = it->deadline_us;
		p->flow = it->flow;
		p->bytes = it->bytes;
		p->seq = it->seq;
		bpf_rbtree_lock(bpf_rbtree_get_lock(&queue));
		if (!bpf_rbtree_add(&queue, p, earlier)) {
			bpf_rbtree_unlock(bpf_rbtree_get_lock(&queue));
			bpf_rbtree_free_node(&queue, p);
			continue;
		}
		bpf_rbtree_unlock(bpf_rbtree_get_lock(&queue));
		stats.enqueued++;
		stats.backlog++;
	}

	/* Dispatch everything that is due, earliest deadline first. */
	for (i = 0; i < MAX_ITEMS * 4; i++) {
		bpf_rbtree_lock(bpf_rbtree_get_lock(&queue));
		head = bpf_rbtree_first(&queue);
		if (!head || head->deadline_us > now) {
			bpf_rbtree_unlock(bpf_rbtree_get_lock(&queue));
			break;
		}
		p = bpf_rbtree_remove(&queue, head);
		bpf_rbtree_unlock(bpf_rbtree_get_lock(&queue));
		if (!p)
			break;
		stats.dispatched++;
		stats.dispatched_bytes += p->bytes;
		stats.backlog--;
		bpf_rbtree_free_node(&queue, p);
	}
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
