// Per-CPU maps (ebpfvm-only assertions: the kernel's per-CPU layout depends on the host's CPU
// count, so these are not kernel-agreement cases). LRU eviction is in h_lru.c.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} h_pcpu_arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} h_pcpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} h_lru_pcpu SEC(".maps");

/* Each CPU counts its own runs in both per-CPU maps; returns this CPU's count. */
SEC("syscall")
int h_percpu(void *ctx)
{
	__u32 k = 1, cpu = bpf_get_smp_processor_id();
	__u32 *c = bpf_map_lookup_elem(&h_pcpu_arr, &k);
	__u64 one = 1, *h;

	if (!c)
		return -1;
	*c += 1;
	h = bpf_map_lookup_elem(&h_pcpu_hash, &cpu);
	if (h)
		*h += 1;
	else
		bpf_map_update_elem(&h_pcpu_hash, &cpu, &one, BPF_NOEXIST);
	return *c;
}

/* lru_percpu_hash: writes smp_processor_id()+1 into this CPU's copy of key 5. */
SEC("syscall")
int h_lru_percpu(void *ctx)
{
	__u32 k = 5, v = bpf_get_smp_processor_id() + 1;
	__u32 *p;

	if (bpf_map_update_elem(&h_lru_pcpu, &k, &v, BPF_ANY))
		return -1;
	p = bpf_map_lookup_elem(&h_lru_pcpu, &k);
	return p ? *p : -2;
}

char LICENSE[] SEC("license") = "GPL";
