// may_goto (BPF_JMP | BPF_JCOND, Linux 6.9+) as the selftests' `can_loop` / `cond_break` use it:
// loops whose bound the verifier cannot see, kept finite by the frame's may_goto budget. The
// results here depend only on the data, never on the budget (the kernel's x86 JIT uses a timed
// budget instead of the interpreter's 8M count).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define can_loop                                                        \
	({                                                              \
		__label__ l_break, l_continue;                          \
		int ok = 1;                                             \
		asm volatile goto("may_goto %l[l_break]" :::: l_break); \
		goto l_continue;                                        \
	l_break:                                                        \
		ok = 0;                                                 \
	l_continue:;                                                    \
		ok;                                                     \
	})

#define cond_break                                                      \
	({                                                              \
		__label__ l_break, l_continue;                          \
		asm volatile goto("may_goto %l[l_break]" :::: l_break); \
		goto l_continue;                                        \
	l_break:                                                        \
		break;                                                  \
	l_continue:;                                                    \
	})

/* Where the loops start: a .bss global, so the verifier does not know the counters' values and
 * can treat them as imprecise, as the selftests' loops over unknown bounds do. */
__u32 zero;

/* Sum of 3i + 1 for i < n, in its own frame (its own budget). */
static __noinline __u64 triangle(__u32 n)
{
	__u64 sum = 0;
	__u32 i;

	for (i = zero; i < n; i++) {
		cond_break;
		sum += 3 * i + 1;
	}
	return sum;
}

SEC("tc")
int may_goto_len(struct __sk_buff *skb)
{
	__u32 n = skb->len, i = zero;
	__u64 acc = 0;

	while (i < n && can_loop) {
		acc = acc * 31 + i;
		i++;
	}
	return (int)((acc ^ triangle(n)) & 0x7fffffff);
}

char _license[] SEC("license") = "GPL";
