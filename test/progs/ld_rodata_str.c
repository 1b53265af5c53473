// Loader test: string literals land in .rodata.str1.1 (a mergeable-strings section), which libbpf
// turns into its own read-only global data map named after the section.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
const volatile int idx = 2;
SEC("syscall") int strs(void *ctx) {
  const char *a = "abcdef";
  const char *b = "xyz";
  return a[idx] + b[idx - 1];       /* 'c' + 'y' = 99 + 121 = 220 */
}
char LICENSE[] SEC("license") = "GPL";
