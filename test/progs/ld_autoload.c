// Loader test: SEC("?...") programs are not auto-loaded.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("syscall") int loaded(void *ctx) { return 1; }
SEC("?syscall") int optional(void *ctx) { return 2; }
SEC("?xdp") int optional_xdp(struct xdp_md *ctx) { return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
