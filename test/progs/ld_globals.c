// Loader test: every global data section, variables settable by name before load.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct cfg { __u32 mode; __u16 port; __u8 flags[2]; };
int counter = 5;                                   /* .data */
const volatile __u64 limit = 1000;                 /* .rodata */
const volatile struct cfg config = { 1, 80, { 2, 3 } };
__u64 zeroed;                                      /* .bss */
__u32 zeroed_arr[4];                               /* .bss */
int custom_val SEC(".data.custom") = 42;           /* .data.custom */
const volatile int ro_custom SEC(".rodata.custom") = 7;
static volatile int hidden = 9;                    /* static in .data */
char msg[16] = "hello";

SEC("syscall") int read_globals(void *ctx) {
  const char *s = "a string literal";               /* .rodata.str1.1 */
  zeroed += 1;
  zeroed_arr[1] = s[2];
  counter += hidden;
  return counter + limit + config.port + custom_val + ro_custom + msg[0];
}
char LICENSE[] SEC("license") = "GPL";
