// bpf_spin_lock / bpf_spin_unlock around an update of a hash map value holding a lock.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct val {
	struct bpf_spin_lock lock;
	__u32 count;
	__u64 sum;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct val);
} h_locked SEC(".maps");

SEC("syscall")
int h_spin_lock(void *ctx)
{
	__u32 k = 1;
	struct val init = {}, *v;

	bpf_map_update_elem(&h_locked, &k, &init, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&h_locked, &k);
	if (!v)
		return -1;
	bpf_spin_lock(&v->lock);
	v->count += 1;
	v->sum += 10;
	bpf_spin_unlock(&v->lock);
	return v->count;
}

char LICENSE[] SEC("license") = "GPL";
