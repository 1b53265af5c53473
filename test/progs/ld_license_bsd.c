// Loader test: a non-GPL license ("BSD") and a kernel version section.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("socket") int filter(struct __sk_buff *skb) { return bpf_get_prandom_u32() & 1; }
char LICENSE[] SEC("license") = "BSD";
__u32 _version SEC("version") = 0x060800;
