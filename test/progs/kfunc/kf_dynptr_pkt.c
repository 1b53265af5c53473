// skb and xdp dynptrs (kfuncs bpf_dynptr_from_skb/xdp): read, write (which changes data_out),
// slice, size and the errors, in tc, xdp and socket filter programs (whose skb dynptr is
// read-only), run on the host kernel for the fixtures.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "kfunc_decls.h"

struct pres {
	int from, flags, size, read, read_oob, write, rdonly, write_flags;
	__u32 word, sliced;
};
struct pres tc_r, xdp_r, sf_r;

#define BODY(r, ctx, make)                                                       \
	({                                                                       \
		struct bpf_dynptr p, bad;                                        \
		char mark[2] = { 0x5a, 0xa5 };                                   \
		__u32 w = 0;                                                     \
		__u32 *s;                                                        \
		(r).flags = make((ctx), 1, &bad);                                \
		(r).from = make((ctx), 0, &p);                                   \
		(r).size = bpf_dynptr_size(&p);                                  \
		(r).read = bpf_dynptr_read(&w, sizeof(w), &p, 12, 0);            \
		(r).word = w;                                                    \
		(r).read_oob = bpf_dynptr_read(&w, sizeof(w), &p, 62, 0);        \
		(r).rdonly = bpf_dynptr_is_rdonly(&p);                           \
		(r).write_flags = bpf_dynptr_write(&p, 0, mark, 2, 4);           \
		(r).write = bpf_dynptr_write(&p, 0, mark, 2, 0);                 \
		s = bpf_dynptr_slice(&p, 14, 0, 4);                              \
		if (s)                                                           \
			(r).sliced = *s;                                         \
	})

SEC("tc")
int dyn_tc(struct __sk_buff *skb)
{
	BODY(tc_r, skb, bpf_dynptr_from_skb);
	return 0;
}

SEC("xdp")
int dyn_xdp(struct xdp_md *xdp)
{
	BODY(xdp_r, xdp, bpf_dynptr_from_xdp);
	return XDP_PASS;
}

SEC("socket")
int dyn_sf(struct __sk_buff *skb)
{
	BODY(sf_r, skb, bpf_dynptr_from_skb);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
