// Loader test: kfunc externs (.ksyms functions). ebpfvm implements no kfunc yet, so a strong one is
// refused at load naming it, while a weak one the program checks with bpf_ksym_exists is left as a
// call to kfunc id 0 (libbpf's treatment of an unresolved weak kfunc).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern int bpf_made_up_kfunc(int x) __ksym __weak;
SEC("syscall") int strong(void *ctx) { bpf_rcu_read_lock(); bpf_rcu_read_unlock(); return 0; }
SEC("syscall") int weak(void *ctx) { if (&bpf_made_up_kfunc != 0) return bpf_made_up_kfunc(1); return 7; }
char LICENSE[] SEC("license") = "GPL";
