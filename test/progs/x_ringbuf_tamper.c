// Issue 11, holes 1 and 2: programs the kernel's verifier refuses (a store before a reservation,
// a store past its end), run unverified. The ring buffer's record headers must stay out of the
// program's reach and a reservation must be a region of exactly the reserved size. `after` and
// `tree` sit behind the ring in the arena and must never change.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_rbtree.h"

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 64); __type(key, __u32); __type(value, __u64); } after SEC(".maps");

struct node_data {
	struct rb_node node;
	__u64 key;
	__u64 payload;
};

struct { __uint(type, BPF_MAP_TYPE_RBTREE); __type(value, struct node_data); } tree SEC(".maps");

/* The example: overwrite the reserved record's length word, then submit. */
static __always_inline int tamper(__u32 len)
{
	__u32 *p = bpf_ringbuf_reserve(&rb, 8, 0);

	if (!p)
		return 1;
	p[0] = 0x11111111;
	p[1] = 0x22222222;
	p[-2] = len;
	bpf_ringbuf_submit(p, 0);
	return 0;
}

SEC("syscall")
int tamper_1m(void *ctx)
{
	return tamper(0x00100000);
}

SEC("syscall")
int tamper_huge(void *ctx)
{
	return tamper(0x3fffffff);
}

/* Overwrite the page-offset word of the header instead of the length. */
SEC("syscall")
int tamper_pgoff(void *ctx)
{
	__u32 *p = bpf_ringbuf_reserve(&rb, 8, 0);

	if (!p)
		return 1;
	p[-1] = 0xffffffff;
	bpf_ringbuf_submit(p, 0);
	return 0;
}

/* 256 bytes into an 8-byte reservation. */
SEC("syscall")
int overrun(void *ctx)
{
	__u64 *p = bpf_ringbuf_reserve(&rb, 8, 0);
	int i;

	if (!p)
		return 1;
#pragma clang loop unroll(disable)
	for (i = 0; i < 32; i++)
		p[i] = 0x4141414141414141ULL;
	bpf_ringbuf_submit(p, 0);
	return 0;
}

/* A well-behaved record, to show the ring still works after the faults above. */
SEC("syscall")
int good(void *ctx)
{
	__u64 *p = bpf_ringbuf_reserve(&rb, 8, 0);

	if (!p)
		return 1;
	*p = 0x0123456789abcdefULL;
	bpf_ringbuf_submit(p, 0);
	return bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);
}

char LICENSE[] SEC("license") = "GPL";
