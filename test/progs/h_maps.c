// Map helpers on a hash map: the kernel's errno for each update flag, a full map, delete, and
// lookup returning a writable value pointer. Results go to .bss (res[]) so the map dump shows them.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} h_hash SEC(".maps");

long res[10];

SEC("syscall")
int h_map_ops(void *ctx)
{
	__u32 k;
	__u64 v = 100, *p;

	k = 1; res[0] = bpf_map_update_elem(&h_hash, &k, &v, BPF_NOEXIST);
	k = 1; res[1] = bpf_map_update_elem(&h_hash, &k, &v, BPF_NOEXIST);   /* -EEXIST */
	k = 2; res[2] = bpf_map_update_elem(&h_hash, &k, &v, BPF_EXIST);     /* -ENOENT */
	k = 2; res[3] = bpf_map_update_elem(&h_hash, &k, &v, BPF_ANY);
	k = 3; v = 300; res[4] = bpf_map_update_elem(&h_hash, &k, &v, BPF_ANY);
	k = 4; res[5] = bpf_map_update_elem(&h_hash, &k, &v, BPF_ANY);       /* -E2BIG: full */
	k = 2; res[6] = bpf_map_delete_elem(&h_hash, &k);
	k = 2; res[7] = bpf_map_delete_elem(&h_hash, &k);                   /* -ENOENT */
	k = 1; p = bpf_map_lookup_elem(&h_hash, &k);
	if (p)
		*p += 5;
	k = 9; res[8] = bpf_map_lookup_elem(&h_hash, &k) == 0;
	k = 1; v = 0; res[9] = bpf_map_update_elem(&h_hash, &k, &v, 8);     /* bad flags: -EINVAL */
	return p ? *p : -1;
}

char LICENSE[] SEC("license") = "GPL";
