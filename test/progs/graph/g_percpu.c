// Per-CPU objects: bpf_percpu_obj_new stashed in a map value's __percpu_kptr with bpf_kptr_xchg,
// written and read back through bpf_per_cpu_ptr (CPU 0, and a CPU that does not exist: NULL) and
// bpf_this_cpu_ptr; the map frees the object when it goes (test/graph).
#include "graph_decls.h"

struct val_t {
	long c, d;
};

struct elem {
	struct val_t __percpu_kptr *pc;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct elem);
} array SEC(".maps");

long res[4] = {};

SEC("tc")
int pc_stash(struct __sk_buff *skb)
{
	struct val_t __percpu_kptr *p;
	struct elem *e;
	int k = 0;

	e = bpf_map_lookup_elem(&array, &k);
	if (!e)
		return -1;
	p = bpf_percpu_obj_new(struct val_t);
	if (!p)
		return -2;
	p = bpf_kptr_xchg(&e->pc, p);
	if (p) {
		bpf_percpu_obj_drop(p);
		return 1;
	}
	return 0;
}

SEC("tc")
int pc_write(struct __sk_buff *skb)
{
	struct val_t __percpu_kptr *p;
	struct val_t *v;
	struct elem *e;
	int k = 0;

	e = bpf_map_lookup_elem(&array, &k);
	if (!e)
		return -1;
	p = e->pc;
	if (!p)
		return -2;
	v = bpf_per_cpu_ptr(p, 0);
	if (!v)
		return -3;
	v->c = 5;
	v->d = 6;
	res[0] = bpf_this_cpu_ptr(p) != NULL;
	res[1] = bpf_per_cpu_ptr(p, 0x7fffffff) == NULL;
	return 0;
}

SEC("tc")
int pc_read(struct __sk_buff *skb)
{
	struct val_t __percpu_kptr *p;
	struct val_t *v;
	struct elem *e;
	int k = 0;

	e = bpf_map_lookup_elem(&array, &k);
	if (!e)
		return -1;
	p = e->pc;
	if (!p)
		return -2;
	v = bpf_per_cpu_ptr(p, 0);
	if (!v)
		return -3;
	res[2] = v->c * 10 + v->d;
	return 0;
}

char _license[] SEC("license") = "GPL";
