// BPF_MAP_TYPE_SK_STORAGE through bpf_sk_storage_get/delete on the socket of a tc test run
// (skb->sk made full with bpf_sk_fullsock): create from an init value or zeroed, the same value
// on every get, bad flags, delete twice, two maps independent. The test run's socket is freed
// after the run with its storage, so a second run starts with none (res[0]). Results in res[].
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct val { __u64 a; __u32 b; __u32 c; };

struct { __uint(type, BPF_MAP_TYPE_SK_STORAGE); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, int); __type(value, struct val); } sk_a SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_SK_STORAGE); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, int); __type(value, __u64); } sk_b SEC(".maps");

long res[24];

SEC("tc")
int m_sk_storage(struct __sk_buff *skb)
{
	struct val init = { .a = 40, .b = 7, .c = 9 };
	struct val *v, *w;
	__u64 *q, qi = 5;
	struct bpf_sock *sk = skb->sk;
	int i = 0;

	if (!sk)
		return 100;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 101;
	res[i++] = bpf_sk_storage_get(&sk_a, sk, 0, 0) != 0;                 /* 0: nothing yet */
	res[i++] = bpf_sk_storage_get(&sk_a, sk, &init, 2) != 0;             /* 0: bad flags */
	v = bpf_sk_storage_get(&sk_a, sk, &init, BPF_SK_STORAGE_GET_F_CREATE);
	if (!v)
		return 102;
	res[i++] = v->a;                                                      /* 40 */
	res[i++] = v->b + v->c;                                               /* 16 */
	v->a += 2;
	init.a = 1000;
	w = bpf_sk_storage_get(&sk_a, sk, &init, BPF_SK_STORAGE_GET_F_CREATE);
	res[i++] = w == v;                                                    /* 1: the same value */
	if (!w)
		return 103;
	res[i++] = w->a;                                                      /* 42: not re-initialised */
	res[i++] = bpf_sk_storage_get(&sk_b, sk, 0, 0) != 0;                 /* 0: other map */
	q = bpf_sk_storage_get(&sk_b, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!q)
		return 104;
	res[i++] = *q;                                                        /* 0: zeroed */
	*q = qi;
	res[i++] = bpf_sk_storage_delete(&sk_a, sk);                          /* 0 */
	res[i++] = bpf_sk_storage_delete(&sk_a, sk);                          /* -ENOENT */
	res[i++] = bpf_sk_storage_get(&sk_a, sk, 0, 0) != 0;                 /* 0 */
	v = bpf_sk_storage_get(&sk_a, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!v)
		return 105;
	res[i++] = v->a + v->b + v->c;                                        /* 0: zeroed this time */
	q = bpf_sk_storage_get(&sk_b, sk, 0, 0);
	res[i++] = q ? *q : -1;                                               /* 5: untouched by sk_a */
	return i;
}
