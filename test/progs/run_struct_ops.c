// struct_ops programs of bpf_dummy_ops, the struct_ops type the kernel test-runs
// (net/bpf/bpf_dummy_struct_ops.c): BPF_PROG_TEST_RUN calls the member with ctx_in's u64
// arguments, the first pointing at a struct bpf_dummy_ops_state. Host results recorded by
// scripts/record-struct-ops.mjs (test/kernel/harness/struct-ops-run.c) into
// test/fixtures/struct-ops/run_struct_ops.json; test/run/struct-ops.test.ts replays them.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

__u64 seen[5];

/* test_1's state may be NULL (the kernel's stub says cb__nullable): 1000 then */
SEC("struct_ops/test_1")
int BPF_PROG(st_nullable, struct bpf_dummy_ops_state *state)
{
	int old;

	if (!state)
		return 1000;
	old = state->val;
	state->val = old * 3 + 1;
	return old;
}

/* test_2's arguments as the program sees them: each cast to its parameter's type */
SEC("struct_ops/test_2")
int BPF_PROG(st_args, struct bpf_dummy_ops_state *state, int a1, unsigned short a2, char a3, unsigned long a4)
{
	seen[0] = state->val;
	seen[1] = a1;
	seen[2] = a2;
	seen[3] = a3;
	seen[4] = a4;
	state->val = a1 + a2;
	return a1 < 0 ? -a1 : a1;
}

SEC("struct_ops.s/test_sleepable")
int BPF_PROG(st_sleep, struct bpf_dummy_ops_state *state)
{
	return state->val + 1;
}

SEC(".struct_ops")
struct bpf_dummy_ops st_dummy = {
	.test_1 = (void *)st_nullable,
	.test_2 = (void *)st_args,
	.test_sleepable = (void *)st_sleep,
};
