// Hash keys beyond the BPF stack's 512 bytes: the kernel bounds only key_size + value_size (below
// KMALLOC_MAX_SIZE less the element header), and a program passes such a key from map memory.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define KEY 1024

struct big_key {
	__u8 b[KEY];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, struct big_key);
	__type(value, __u64);
} big SEC(".maps");

struct big_key k;
__u64 found, missing;

SEC("syscall")
int big_key(void *ctx)
{
	__u64 v = 7, *p;

	k.b[0] = 1;
	k.b[KEY - 1] = 9;
	bpf_map_update_elem(&big, &k, &v, BPF_ANY);
	k.b[KEY - 1] = 8;
	v = 5;
	bpf_map_update_elem(&big, &k, &v, BPF_ANY);
	k.b[KEY - 1] = 9;
	p = bpf_map_lookup_elem(&big, &k);
	found = p ? *p : 0;
	k.b[700] = 3;
	p = bpf_map_lookup_elem(&big, &k);
	missing = p ? *p : 0xdead;
	return found * 100 + (missing == 0xdead);
}

char LICENSE[] SEC("license") = "GPL";
