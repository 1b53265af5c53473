// BPF_MAP_TYPE_SOCKMAP and SOCKHASH map operations from a tc program: the test run's socket
// (sk_alloc with a dummy protocol) cannot go into either map (-EOPNOTSUPP); deleting an empty
// sockmap slot or an index beyond it is -EINVAL, a missing sockhash key -ENOENT. Results in res[].
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_SOCKMAP); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } sm SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_SOCKHASH); __uint(max_entries, 4); __type(key, __u64); __type(value, __u64); } sh SEC(".maps");

long res[8];

SEC("tc")
int m_sockmap(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	__u32 k = 1;
	__u64 hk = 7;
	int i = 0;

	if (!sk)
		return 100;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 101;
	res[i++] = bpf_map_update_elem(&sm, &k, sk, BPF_ANY);       /* -EOPNOTSUPP */
	res[i++] = bpf_map_update_elem(&sh, &hk, sk, BPF_NOEXIST);  /* -EOPNOTSUPP */
	res[i++] = bpf_map_delete_elem(&sm, &k);                     /* -EINVAL: empty */
	k = 9;
	res[i++] = bpf_map_delete_elem(&sm, &k);                     /* -EINVAL: beyond */
	res[i++] = bpf_map_delete_elem(&sh, &hk);                    /* -ENOENT */
	return i;
}

char _license[] SEC("license") = "GPL";
