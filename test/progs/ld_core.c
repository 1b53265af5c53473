// Loader test: CO-RE relocations (field offsets, sizes, existence, bitfields, types, enums).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task { int pid; struct { long a; long b; } inner; unsigned int flag: 3, mode: 5; int arr[4]; } __attribute__((preserve_access_index));
enum color { RED = 1, GREEN = 2 };
typedef struct task task_t;
struct task the_task = { .pid = 3 };

SEC("syscall") int core(void *ctx) {
  struct task *t = &the_task;
  long r = BPF_CORE_READ(t, inner.b);
  r += bpf_core_field_exists(t->arr);
  r += bpf_core_field_size(t->inner);
  r += bpf_core_field_offset(t->arr[2]);
  r += BPF_CORE_READ_BITFIELD(t, mode);
  r += bpf_core_type_exists(task_t);
  r += bpf_core_type_size(struct task);
  r += bpf_core_enum_value_exists(enum color, GREEN);
  r += bpf_core_enum_value(enum color, GREEN);
  r += bpf_core_type_id_local(struct task);
  return r;
}
char LICENSE[] SEC("license") = "GPL";
