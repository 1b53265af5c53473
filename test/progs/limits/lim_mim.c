// A map-in-map defined without an inner map template (no __array(values, ...)): libbpf opens it,
// and creating it at load fails with -EINVAL (Linux 6.18 via bpftool) unless an inner map is set
// (bpf_map__set_inner_map_fd; ebpfvm: LoadOptions.innerMaps).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} outer SEC(".maps");

SEC("syscall")
int has_inner(void *ctx)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&outer, &k) != 0;
}

char LICENSE[] SEC("license") = "GPL";
