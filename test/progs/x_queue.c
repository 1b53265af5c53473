// Queue, stack and bloom filter maps through map_push/pop/peek_elem: order, full maps with and
// without BPF_EXIST, empty maps, bad flags, bloom membership. Results in res[].
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(max_entries, 3); __type(value, __u32); } q SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK); __uint(max_entries, 3); __type(value, __u32); } st SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_BLOOM_FILTER); __uint(max_entries, 16); __type(value, __u32); __uint(map_extra, 3); } bf SEC(".maps");

long res[40];

SEC("tc")
int x_queue(struct __sk_buff *skb)
{
	__u32 v;
	int i = 0;

	v = 1; res[i++] = bpf_map_push_elem(&q, &v, 0);           /* 0 */
	v = 2; res[i++] = bpf_map_push_elem(&q, &v, 0);           /* 0 */
	v = 3; res[i++] = bpf_map_push_elem(&q, &v, 0);           /* 0 */
	v = 4;
	res[i++] = bpf_map_push_elem(&q, &v, 0);                  /* full: -E2BIG */
	res[i++] = bpf_map_push_elem(&q, &v, BPF_EXIST);          /* drops 1: 0 */
	res[i++] = bpf_map_push_elem(&q, &v, BPF_NOEXIST);        /* -EINVAL */
	v = 0;
	res[i++] = bpf_map_peek_elem(&q, &v);                     /* 0 */
	res[i++] = v;                                             /* 2 */
	res[i++] = bpf_map_pop_elem(&q, &v); res[i++] = v;        /* 0 2 */
	res[i++] = bpf_map_pop_elem(&q, &v); res[i++] = v;        /* 0 3 */
	res[i++] = bpf_map_pop_elem(&q, &v); res[i++] = v;        /* 0 4 */
	v = 0x55;
	res[i++] = bpf_map_pop_elem(&q, &v); res[i++] = v;        /* -ENOENT, buffer untouched */
	res[i++] = bpf_map_peek_elem(&q, &v);                     /* -ENOENT */

	v = 1; bpf_map_push_elem(&st, &v, 0);
	v = 2; bpf_map_push_elem(&st, &v, 0);
	v = 3; bpf_map_push_elem(&st, &v, 0);
	v = 9;
	res[i++] = bpf_map_push_elem(&st, &v, 0);                 /* -E2BIG */
	res[i++] = bpf_map_push_elem(&st, &v, BPF_EXIST);         /* drops the bottom (1) */
	res[i++] = bpf_map_pop_elem(&st, &v); res[i++] = v;       /* 9 */
	res[i++] = bpf_map_pop_elem(&st, &v); res[i++] = v;       /* 3 */
	res[i++] = bpf_map_pop_elem(&st, &v); res[i++] = v;       /* 2 */
	res[i++] = bpf_map_pop_elem(&st, &v);                     /* -ENOENT */
	v = 7;
	res[i++] = bpf_map_push_elem(&st, &v, 0);                 /* left for user space */

	v = 10;
	res[i++] = bpf_map_push_elem(&bf, &v, 0);
	v = 20;
	res[i++] = bpf_map_push_elem(&bf, &v, 0);
	res[i++] = bpf_map_push_elem(&bf, &v, BPF_EXIST);         /* -EINVAL */
	v = 10;
	res[i++] = bpf_map_peek_elem(&bf, &v);                    /* 0 */
	v = 20;
	res[i++] = bpf_map_peek_elem(&bf, &v);                    /* 0 */
	v = 30;
	res[i++] = bpf_map_peek_elem(&bf, &v);                    /* -ENOENT */
	return i;
}

char LICENSE[] SEC("license") = "GPL";
