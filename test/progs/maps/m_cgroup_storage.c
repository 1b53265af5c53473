// BPF_MAP_TYPE_CGROUP_STORAGE and PERCPU_CGROUP_STORAGE through bpf_get_local_storage in a
// cgroup_skb test run: the storage is the run's, zeroed at its start, kept over the repeats and
// gone afterwards (a second run starts from zero again); user space sees an empty map (no
// attachment). res[0..1] are the values found by the last repeat.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct val { __u64 runs; __u64 len; };

struct { __uint(type, BPF_MAP_TYPE_CGROUP_STORAGE); __type(key, struct bpf_cgroup_storage_key); __type(value, struct val); } cs SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE); __type(key, struct bpf_cgroup_storage_key); __type(value, __u64); } pcs SEC(".maps");

long res[4];

SEC("cgroup_skb/ingress")
int m_cgroup_storage(struct __sk_buff *skb)
{
	struct val *v = bpf_get_local_storage(&cs, 0);
	__u64 *p = bpf_get_local_storage(&pcs, 0);

	res[0] = v->runs;
	res[1] = *p;
	v->runs++;
	v->len += skb->len;
	*p += 10;
	res[2] = v->len;
	return 1;
}

char _license[] SEC("license") = "GPL";
