// The functions fr_target.c calls and fr_ext.c replaces, shared with fr_equiv.c: fr_equiv.c is
// fr_target.c with the extensions' bodies compiled in place of the replaced functions (FR_EQUIV),
// which the host kernel can load and run. On this host the kernel refuses every trampoline
// program (fentry, lsm, freplace: EPERM before its verifier runs), so fr_equiv.o's recorded
// results (test/fixtures/kernel-progs-local/fr_equiv.json) are the oracle for fr_target.o run
// with fr_ext.o's extensions attached (test/run/freplace.test.ts).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define FR_ORIG_SCALE	return skb->len * k;
#define FR_ORIG_CONST	return v + 1;
#define FR_ORIG_TOUCH							\
	void *data = (void *)(long)skb->data;				\
	void *end = (void *)(long)skb->data_end;			\
	unsigned char *p = data;					\
	if (data + 16 > end)						\
		return -1;						\
	p[15] ^= 0x11;							\
	return p[15];

/* the extensions: their own global data (.bss, .data, .rodata), packet access, bpf-to-bpf calls */
#define FR_EXT_SCALE							\
	ext_calls++;							\
	return skb->len * k + 1000 * ext_calls + ext_bias;
#define FR_EXT_CONST	return fr_ext_helper(v) * ext_seed;
#define FR_EXT_TOUCH							\
	void *data = (void *)(long)skb->data;				\
	void *end = (void *)(long)skb->data_end;			\
	unsigned char *p = data;					\
	ext_calls++;							\
	if (data + 20 > end)						\
		return -2;						\
	p[16] = 0xee;							\
	p[17] = ext_calls;						\
	return p[12] + 7;

#define FR_EXT_GLOBALS							\
	int ext_calls;							\
	int ext_seed = 5;						\
	const volatile int ext_bias = 7;				\
	static __attribute__((noinline)) long fr_ext_helper(long v)	\
	{								\
		return v * 3 + ext_calls;				\
	}

#define FR_EXT_WHOLE	return fr_ext_helper(skb->len) + ext_seed + ext_bias;

/* what every target program computes from the three functions */
#define FR_MAIN_BODY							\
	int a = fr_scale(skb, 3);					\
	int b = fr_const(41);						\
	int c = fr_touch(skb);						\
	int d = fr_scale(skb, 2);					\
	target_runs++;							\
	return (a ^ (b << 8) ^ (c << 16) ^ d) + target_runs;
