// Loader test: "Dual MIT/GPL" is GPL-compatible; a gpl_only helper (bpf_trace_printk via bpf_printk).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("syscall") int printer(void *ctx) { bpf_printk("hi %d", 1); return 0; }
char LICENSE[] SEC("license") = "Dual MIT/GPL";
