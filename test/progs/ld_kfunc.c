// Loader test: kfunc externs (.ksyms functions). A strong kfunc the runtime declares but does not
// implement (bpf_get_task_exe_file/bpf_put_file: no struct file model) is refused at load naming it,
// while a weak one the program checks with bpf_ksym_exists is left as a call to kfunc id 0
// (libbpf's treatment of an unresolved weak kfunc); an implemented one (bpf_rcu_read_lock) links.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
// A definition, not a forward declaration: libbpf's kfunc prototype check wants a struct where
// the kernel has one (a FWD return type is incompatible).
struct task_struct { int pid; };
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern int bpf_made_up_kfunc(int x) __ksym __weak;
struct file { int f_flags; };
extern struct file *bpf_get_task_exe_file(struct task_struct *task) __ksym;
extern void bpf_put_file(struct file *file) __ksym;
SEC("syscall") int strong(void *ctx) { struct task_struct *t = bpf_task_from_pid(1); if (t) bpf_task_release(t); return 0; }
SEC("lsm.s/bpf") int missing(void *ctx) { struct file *f = bpf_get_task_exe_file(bpf_get_current_task_btf()); if (f) bpf_put_file(f); return 0; }
SEC("syscall") int weak(void *ctx) { if (&bpf_made_up_kfunc != 0) return bpf_made_up_kfunc(1); return 7; }
SEC("syscall") int rcu(void *ctx) { bpf_rcu_read_lock(); bpf_rcu_read_unlock(); return 3; }
SEC("syscall") int weak_called(void *ctx) { return bpf_made_up_kfunc(2); }
char LICENSE[] SEC("license") = "GPL";
