// Maps with BTF-described keys and values for the TypeScript map API (src/map-api.ts): a struct key,
// a struct value with a char array, a bitfield and an enum, a per-CPU hash, and global data. The
// program adds each flow's packet to its counters so tests can mix user-space and program writes.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum verdict { V_PASS = 0, V_DROP = 1, V_REDIRECT = 7 };

struct flow {
	__u32 addr;
	__u16 port;
	__u16 proto;
};

struct stats {
	__u64 packets;
	__u64 bytes;
	char label[8];
	__u32 flags : 3;
	__u32 level : 5;
	enum verdict verdict;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, struct flow);
	__type(value, struct stats);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} slots SEC(".maps");

__u64 seen = 0;
int limit = 3;

struct args {
	struct flow flow;
	__u32 len;
};

SEC("syscall")
int count_flow(struct args *a)
{
	struct flow f = a->flow;
	struct stats *s = bpf_map_lookup_elem(&flows, &f);
	__u32 k = 0;
	__u64 one = 1, *p;

	seen++;
	if (!s)
		return -1;
	s->packets++;
	s->bytes += a->len;
	p = bpf_map_lookup_elem(&pcpu, &k);
	if (p)
		*p += 1;
	else
		bpf_map_update_elem(&pcpu, &k, &one, BPF_ANY);
	return s->verdict;
}

char LICENSE[] SEC("license") = "GPL";
