// Loader test: a "kernel" whose struct task has another layout (extra and reordered fields) and an
// enum with other values; ld_core's CO-RE records are relocated against this object's BTF.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct task { long state; int arr[4]; int pid; unsigned int pad: 7, flag: 3, mode: 5; struct { long b; long x; long a; } inner; };
enum color { GREEN = 20, BLUE = 30 };
typedef struct task task_t;
struct task target_task;
task_t *target_alias;
enum color target_color;
char LICENSE[] SEC("license") = "GPL";
