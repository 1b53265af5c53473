// Loader test: a .struct_ops variable becomes a STRUCT_OPS map whose function pointers name
// struct_ops programs; each program's expected attach type is its member index (as libbpf).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct demo_ops { int (*init)(void *); int (*run)(int); char name[16]; int flags; };
SEC("struct_ops/demo_init") int demo_init(void *c) { return 0; }
SEC("struct_ops/demo_run") int demo_run(int x) { return x; }
SEC(".struct_ops") struct demo_ops ops = { .init = (void *)demo_init, .run = (void *)demo_run, .name = "demo", .flags = 3 };
char LICENSE[] SEC("license") = "GPL";
