// SPDX-License-Identifier: MIT
/* bpf_sk_storage_get/delete in tracing programs: their tracing prototypes' `allowed` hook
 * (bpf_sk_storage_tracing_allowed) keeps them to iterators, tp_btf and fentry/fexit of functions
 * other than bpf_sk_storage*; fmod_ret is refused at the call (test/helpers/sk-storage-allowed.test.ts).
 * The host here refuses every fentry/fexit/fmod_ret load with EPERM and no log, so the
 * expectations follow the kernel's code (net/core/bpf_sk_storage.c), not recorded verdicts. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, long);
} ska_map SEC(".maps");

long ska_got, ska_deleted;

/* (fentry and fexit programs return 0: check_return_code) */
SEC("fentry/security_task_alloc")
int ska_fentry(void *ctx)
{
	ska_got = (long)bpf_sk_storage_get(&ska_map, (void *)0, 0, 0);
	return 0;
}

SEC("fexit/security_task_alloc")
int ska_fexit(void *ctx)
{
	ska_deleted = bpf_sk_storage_delete(&ska_map, (void *)0);
	return 0;
}

SEC("fmod_ret/security_task_alloc")
int ska_fmod_ret_get(void *ctx)
{
	long *v = bpf_sk_storage_get(&ska_map, (void *)0, 0, 0);

	return v ? 1 : 0;
}

SEC("fmod_ret/security_task_alloc")
int ska_fmod_ret_delete(void *ctx)
{
	return bpf_sk_storage_delete(&ska_map, (void *)0);
}
