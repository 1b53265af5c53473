// BPF_MAP_TYPE_STACK_TRACE with bpf_get_stackid and bpf_get_stack in a raw_tp test run, checking
// only what does not depend on the stack's contents (ebpfvm's stacks are synthetic,
// helpers/stack.ts): a one-bucket map gives id 0 to the first stack and to the same stack again
// (one call site in a loop), -EEXIST to another one (another call site, or the same site reached
// through another bpf-to-bpf caller); bad flags -EINVAL, skipping the whole stack
// -EFAULT; get_stack sizes and flags. A one-entry map has no free element, so even
// BPF_F_REUSE_STACKID is -ENOMEM once it holds a stack. Results in res[].
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_STACK_TRACE); __uint(max_entries, 1); __type(key, __u32); __uint(value_size, 8 * 16); } st1 SEC(".maps");

long res[32];
__u64 buf[16];

static __attribute__((noinline)) long same_site(void *ctx, __u64 flags)
{
	return bpf_get_stackid(ctx, &st1, flags);
}

SEC("raw_tp/sys_enter")
int m_stack(void *ctx)
{
	int i = 0, j;
	long r;

#pragma clang loop unroll(disable)
	for (j = 0; j < 2; j++)
		res[i++] = bpf_get_stackid(ctx, &st1, 0);                      /* 0, 0: the same stack */
	res[i++] = same_site(ctx, 0);                                          /* -EEXIST: another caller */
	res[i++] = same_site(ctx, 0);                                          /* -EEXIST */
	res[i++] = bpf_get_stackid(ctx, &st1, 0);                              /* -EEXIST: another call site */
	res[i++] = bpf_get_stackid(ctx, &st1, BPF_F_FAST_STACK_CMP);           /* -EEXIST */
	res[i++] = bpf_get_stackid(ctx, &st1, BPF_F_REUSE_STACKID);            /* -ENOMEM: no free element */
	res[i++] = bpf_get_stackid(ctx, &st1, 1ULL << 12);                     /* -EINVAL */
	res[i++] = bpf_get_stackid(ctx, &st1, 255);                            /* -EFAULT */
	res[i++] = bpf_get_stackid(ctx, &st1, BPF_F_USER_STACK | BPF_F_REUSE_STACKID); /* -ENOMEM */

	r = bpf_get_stack(ctx, buf, sizeof(buf), 0);
	res[i++] = r > 0 && r % 8 == 0 && r <= sizeof(buf);                    /* 1 */
	res[i++] = buf[0] != 0;                                                /* 1 */
	r = bpf_get_stack(ctx, buf, 8, 0);
	res[i++] = r;                                                          /* 8 */
	buf[0] = 1;
	res[i++] = bpf_get_stack(ctx, buf, 12, 0);                             /* -EINVAL */
	res[i++] = buf[0];                                                     /* 0: cleared */
	res[i++] = bpf_get_stack(ctx, buf, sizeof(buf), BPF_F_USER_BUILD_ID);  /* -EINVAL: kernel stack */
	res[i++] = bpf_get_stack(ctx, buf, sizeof(buf), 1ULL << 12);           /* -EINVAL */
	res[i++] = bpf_get_stack(ctx, buf, sizeof(buf), 255);                  /* -EFAULT */
	r = bpf_get_stack(ctx, buf, sizeof(buf), BPF_F_USER_STACK);
	res[i++] = r > 0 && r % 8 == 0;                                        /* 1 */
	res[i++] = bpf_get_stack(ctx, buf, 24, BPF_F_USER_STACK | BPF_F_USER_BUILD_ID); /* -EINVAL: 24 % 32 */
	return i;
}

char _license[] SEC("license") = "GPL";
