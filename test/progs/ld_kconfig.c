// Loader test: .kconfig externs with libbpf's encodings and .ksyms externs (weak and strong).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern _Bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;
extern int CONFIG_HZ __kconfig;
extern _Bool CONFIG_BPF_SYSCALL __kconfig __weak;
extern enum libbpf_tristate CONFIG_NF_CONNTRACK __kconfig __weak;
extern char CONFIG_DEFAULT_HOSTNAME[8] __kconfig __weak;
extern unsigned long long CONFIG_MISSING_WEAK __kconfig __weak;
extern const void bpf_prog_active __ksym __weak;
extern const int bpf_nonexistent_var __ksym __weak;

SEC("syscall") int read_kconfig(void *ctx) {
  long r = LINUX_KERNEL_VERSION + CONFIG_HZ + CONFIG_BPF_SYSCALL + CONFIG_NF_CONNTRACK + LINUX_HAS_SYSCALL_WRAPPER;
  r += CONFIG_DEFAULT_HOSTNAME[0] + CONFIG_MISSING_WEAK;
  if (&bpf_prog_active) r += 1000;
  if (&bpf_nonexistent_var) r += 2000;
  return r;
}
char LICENSE[] SEC("license") = "GPL";
