// Map helper errno edge cases across map types, compared with Linux 6.18 via the .bss dump.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } e_arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } e_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } e_lru SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, __u32);
} e_nopre SEC(".maps");

long res[20];

SEC("syscall")
int h_map_edge(void *ctx)
{
	__u32 k = 0;
	__u64 v = 5, k64;
	__u32 v32 = 9;

	res[0] = bpf_map_update_elem(&e_arr, &k, &v, BPF_NOEXIST);          /* -EEXIST */
	res[1] = bpf_map_update_elem(&e_arr, &k, &v, BPF_EXIST);            /* 0 */
	k = 2; res[2] = bpf_map_update_elem(&e_arr, &k, &v, BPF_ANY);       /* -E2BIG */
	k = 0; res[3] = bpf_map_delete_elem(&e_arr, &k);                    /* -EINVAL */
	res[4] = bpf_map_update_elem(&e_arr, &k, &v, BPF_F_LOCK);           /* -EINVAL: no lock */
	res[5] = bpf_map_update_elem(&e_arr, &k, &v, 3);                    /* -EINVAL */
	res[6] = bpf_map_update_elem(&e_hash, &k, &v, BPF_F_LOCK);          /* -EINVAL: no lock */
	res[7] = bpf_map_update_elem(&e_hash, &k, &v, 3);                   /* -EINVAL */
	res[8] = bpf_map_update_elem(&e_hash, &k, &v, 16);                  /* -EINVAL */
	res[9] = bpf_map_update_elem(&e_lru, &k, &v, BPF_F_LOCK);           /* -EINVAL */
	k = 1; res[10] = bpf_map_update_elem(&e_lru, &k, &v, BPF_EXIST);    /* -ENOENT */
	k = 2; res[11] = bpf_map_update_elem(&e_lru, &k, &v, BPF_NOEXIST);  /* 0 */
	res[12] = bpf_map_update_elem(&e_lru, &k, &v, BPF_NOEXIST);         /* -EEXIST */
	res[13] = bpf_map_delete_elem(&e_lru, &k);                          /* 0 */
	k64 = 1; res[14] = bpf_map_update_elem(&e_nopre, &k64, &v32, BPF_ANY);
	k64 = 2; res[15] = bpf_map_update_elem(&e_nopre, &k64, &v32, BPF_ANY);
	k64 = 3; res[16] = bpf_map_update_elem(&e_nopre, &k64, &v32, BPF_ANY);
	k64 = 4; res[17] = bpf_map_update_elem(&e_nopre, &k64, &v32, BPF_ANY);
	k64 = 5; res[18] = bpf_map_update_elem(&e_nopre, &k64, &v32, BPF_ANY); /* -E2BIG */
	k64 = 1ULL << 40; res[19] = bpf_map_delete_elem(&e_nopre, &k64);      /* -ENOENT */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
