// Loader test: a program whose helper ebpfvm does not implement is refused at load, naming it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("syscall") int uses_odd_helper(void *ctx) { return bpf_get_numa_node_id() + bpf_get_current_cgroup_id(); }
char LICENSE[] SEC("license") = "GPL";
