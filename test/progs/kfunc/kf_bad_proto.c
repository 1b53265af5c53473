// Kfunc externs whose prototypes disagree with the kernel's: libbpf refuses a strong one at load
// ("func_proto ... incompatible") and leaves a weak one unresolved (a call to id 0).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bpf_iter_num_destroy(int x) __ksym;
extern void *bpf_rdonly_cast(int a, int b, int c) __ksym __weak;

SEC("syscall") int strong_bad(void *ctx) { return bpf_iter_num_destroy(1); }
SEC("syscall") int weak_bad(void *ctx) { return bpf_rdonly_cast(1, 2, 3) ? 1 : 2; }

char LICENSE[] SEC("license") = "GPL";
