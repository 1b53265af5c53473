// Loader test: .text subprograms (static and global), shared by two programs, plus a callback.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int add3(int x) { return x + 3; }
__attribute__((noinline)) int twice(int x) { return add3(x) * 2; }
static __attribute__((noinline)) int unused_helper(int x) { return x - 1; }

static long loop_cb(__u32 i, void *ctx) { *(int *)ctx += i; return 0; }

SEC("syscall") int prog_a(void *ctx) { return twice(1); }            /* (1+3)*2 = 8 */
SEC("syscall") int prog_b(void *ctx) {
  int sum = 0;
  bpf_loop(4, loop_cb, &sum, 0);                                       /* 0+1+2+3 = 6 */
  return add3(sum);                                                    /* 9 */
}
SEC("xdp") int prog_c(struct xdp_md *ctx) { return unused_helper(3); }
char LICENSE[] SEC("license") = "GPL";
