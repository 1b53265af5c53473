// A typed __ksym whose declared type is incompatible with the built-in kernel's (init_task is a
// struct task_struct): load must fail as libbpf's does ("incompatible types").
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern const int init_task __ksym;

SEC("fentry/do_exit")
int read_it(void *ctx)
{
	return init_task;
}

char LICENSE[] SEC("license") = "GPL";
