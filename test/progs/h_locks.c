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

/* BPF_F_LOCK from a program: the value is copied in place under the element's lock, the lock word
 * itself is never copied. Returns the update results packed: (F_LOCK|EXIST on a missing key) << 8 |
 * (F_LOCK on an existing key). */
SEC("syscall")
int h_lock_update(void *ctx)
{
	__u32 k = 1, missing = 2;
	struct val init = { .count = 7, .sum = 70 }, *v;
	long a, b;

	bpf_map_update_elem(&h_locked, &k, &init, BPF_ANY);
	init.count = 8;
	init.sum = 80;
	a = bpf_map_update_elem(&h_locked, &k, &init, BPF_F_LOCK | BPF_EXIST);
	b = bpf_map_update_elem(&h_locked, &missing, &init, BPF_F_LOCK | BPF_EXIST);
	v = bpf_map_lookup_elem(&h_locked, &k);
	if (!v)
		return -1;
	return (int)(((-b) << 8) | a) + v->count * 1000;
}

char LICENSE[] SEC("license") = "GPL";
