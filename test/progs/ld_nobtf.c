// cflags: -g0
// Loader test: an object without BTF (no -g): programs, subprograms and global data still load,
// with global variables found through the ELF symbol table instead of BTF DATASECs.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
int counter = 3;
const volatile int factor = 4;
static __attribute__((noinline)) int scale(int x) { return x * factor; }
SEC("syscall") int nobtf(void *ctx) { counter += 1; return scale(counter); }
char LICENSE[] SEC("license") = "GPL";
