// Loader test: a static function in a program section is refused (libbpf: "program is static").
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("syscall") static __attribute__((used)) int hidden_prog(void *ctx) { return 0; }
SEC("syscall") int visible(void *ctx) { return 1; }
char LICENSE[] SEC("license") = "GPL";
