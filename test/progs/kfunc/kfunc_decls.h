/* Kfunc declarations for ebpfvm's kfunc test programs, written against the uapi headers only
 * (libbpf 1.1's bpf_helpers.h on the development machine has no iterator declarations). The
 * iterator structs are the kernel's opaque 8-aligned words. */
#ifndef KFUNC_DECLS_H
#define KFUNC_DECLS_H

struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

struct bpf_iter_bits {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

extern int bpf_iter_bits_new(struct bpf_iter_bits *it, const __u64 *unsafe_ptr__ign, __u32 nr_words) __ksym;
extern int *bpf_iter_bits_next(struct bpf_iter_bits *it) __ksym;
extern void bpf_iter_bits_destroy(struct bpf_iter_bits *it) __ksym;

extern int bpf_dynptr_adjust(const struct bpf_dynptr *p, __u32 start, __u32 end) __ksym;
extern _Bool bpf_dynptr_is_null(const struct bpf_dynptr *p) __ksym;
extern _Bool bpf_dynptr_is_rdonly(const struct bpf_dynptr *p) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;
extern int bpf_dynptr_clone(const struct bpf_dynptr *p, struct bpf_dynptr *clone__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;

extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
extern void *bpf_rdonly_cast(const void *obj__ign, __u32 btf_id__k) __ksym;

/* Count the values a fresh numeric iterator over [start, end) yields and fold them into *acc;
 * *ret gets bpf_iter_num_new's result. Calls next `extra` more times after the end and counts
 * any non-NULL answer into the result's upper half (the kernel keeps answering NULL). */
#define ITER_NUM_WALK(ret, acc, start, end, extra)                                  \
	({                                                                          \
		struct bpf_iter_num ___it;                                          \
		int *___v, ___n = 0, ___late = 0, ___k;                             \
		(ret) = bpf_iter_num_new(&___it, (start), (end));                   \
		while ((___v = bpf_iter_num_next(&___it))) {                        \
			(acc) = (acc) * 31 + (__u32)*___v;                          \
			___n++;                                                     \
		}                                                                   \
		for (___k = 0; ___k < (extra); ___k++)                              \
			if (bpf_iter_num_next(&___it))                              \
				___late++;                                          \
		bpf_iter_num_destroy(&___it);                                       \
		___n | (___late << 16);                                             \
	})

#endif
