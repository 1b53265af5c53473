// SPDX-License-Identifier: MIT
/* Dynptrs (verifier/dynptr.ts): two STACK_DYNPTR slots per dynptr, created by bpf_dynptr_from_mem,
 * bpf_ringbuf_reserve_dynptr (a reference), bpf_dynptr_from_skb/xdp and bpf_dynptr_clone; slices
 * as sized memory that dies with the dynptr (or the packet); partial overwrites, leaks, double
 * releases, reads of the dynptr's own bytes and helper writes over it refused. */
#include "vmaps.h"

extern int bpf_dynptr_adjust(const struct bpf_dynptr *p, __u32 start, __u32 end) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;
extern int bpf_dynptr_clone(const struct bpf_dynptr *p, struct bpf_dynptr *clone__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void bpf_throw(__u64 cookie) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} ringbuf SEC(".maps");

struct val {
	__u64 words[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct val);
} vals SEC(".maps");

SEC("tc")
__description("dynptr: a local dynptr over a map value: write, read back, data slice")
__success __retval(42)
int local_rw(struct __sk_buff *ctx)
{
	struct bpf_dynptr p;
	__u32 key = 0;
	__u64 x = 40, y = 0, *s;
	struct val *v = bpf_map_lookup_elem(&vals, &key);

	if (!v)
		return 1;
	bpf_dynptr_from_mem(v, sizeof(*v), 0, &p);
	bpf_dynptr_write(&p, 8, &x, sizeof(x), 0);
	bpf_dynptr_read(&y, sizeof(y), &p, 8, 0);
	s = bpf_dynptr_data(&p, 8, sizeof(__u64));
	if (!s)
		return 2;
	return *s + 2 + (y - 40);
}

SEC("tc")
__description("dynptr: a ring buffer dynptr reserved, filled through its slice, submitted")
__success __retval(0)
int ringbuf_submit(struct __sk_buff *ctx)
{
	struct bpf_dynptr p;
	__u64 *s;

	bpf_ringbuf_reserve_dynptr(&ringbuf, 16, 0, &p);
	s = bpf_dynptr_data(&p, 0, 16);
	if (s) {
		s[0] = 1;
		s[1] = 2;
	}
	bpf_ringbuf_submit_dynptr(&p, 0);
	return 0;
}

SEC("tc")
__description("dynptr: an skb dynptr's read-only slice of the packet")
__success __retval(8)
int skb_slice(struct __sk_buff *ctx)
{
	struct bpf_dynptr p;
	__u8 buf[2];
	__u8 *s;

	if (bpf_dynptr_from_skb(ctx, 0, &p))
		return 1;
	s = bpf_dynptr_slice(&p, 12, buf, sizeof(buf));
	if (!s)
		return 2;
	return s[0] + 8;
}

SEC("xdp")
__description("dynptr: an xdp dynptr, cloned and adjusted, keeps its size")
__success __retval(10)
int xdp_clone(struct xdp_md *ctx)
{
	struct bpf_dynptr p, c;

	if (bpf_dynptr_from_xdp(ctx, 0, &p))
		return 1;
	bpf_dynptr_clone(&p, &c);
	if (bpf_dynptr_adjust(&c, 4, 14))
		return 2;
	return bpf_dynptr_size(&c);
}

SEC("tc")
__description("dynptr: an unreferenced dynptr may be overwritten by a new one")
__success __retval(0)
int local_reinit(struct __sk_buff *ctx)
{
	struct bpf_dynptr p;
	__u32 key = 0;
	struct val *v = bpf_map_lookup_elem(&vals, &key);

	if (!v)
		return 1;
	bpf_dynptr_from_mem(v, 8, 0, &p);
	bpf_dynptr_from_mem(v, 16, 0, &p);
	return bpf_dynptr_size(&p) == 16 ? 0 : 3;
}

SEC("tc")
__description("dynptr: a local dynptr partially overwritten, then used")
__failure __msg("Expected an initialized dynptr as arg #2")
__naked void partial_overwrite(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[vals] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l_out_%=;"
		"r1 = r0;" "r2 = 8;" "r3 = 0;" "r4 = r10;" "r4 += -24;" "call %[bpf_dynptr_from_mem];"
		/* four bytes into the dynptr's second slot */
		"r1 = 0;" "*(u32 *)(r10 - 16) = r1;"
		"r1 = r10;" "r1 += -32;" "r2 = 8;" "r3 = r10;" "r3 += -24;" "r4 = 0;" "r5 = 0;" "call %[bpf_dynptr_read];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_dynptr_from_mem), __imm(bpf_dynptr_read), __imm_addr(vals) : __clobber_all);
}

SEC("tc")
__description("dynptr: a ring buffer dynptr never submitted or discarded")
__failure __msg("Unreleased reference id=") __msg("BPF_EXIT instruction in main prog would lead to reference leak")
int ringbuf_leak(struct __sk_buff *ctx)
{
	struct bpf_dynptr p;

	bpf_ringbuf_reserve_dynptr(&ringbuf, 8, 0, &p);
	return 0;
}

SEC("tc")
__description("dynptr: a ring buffer slice used after the dynptr is submitted")
__failure __msg("invalid mem access 'scalar'")
int slice_after_submit(struct __sk_buff *ctx)
{
	struct bpf_dynptr p;
	__u64 *s;

	bpf_ringbuf_reserve_dynptr(&ringbuf, 8, 0, &p);
	s = bpf_dynptr_data(&p, 0, 8);
	if (!s) {
		bpf_ringbuf_discard_dynptr(&p, 0);
		return 0;
	}
	bpf_ringbuf_submit_dynptr(&p, 0);
	*s = 1;
	return 0;
}

SEC("tc")
__description("dynptr: a bpf_dynptr_slice of a ring buffer dynptr used after the submit")
__failure __msg("invalid mem access 'scalar'")
int kfunc_slice_after_submit(struct __sk_buff *ctx)
{
	struct bpf_dynptr p;
	__u64 *s;

	bpf_ringbuf_reserve_dynptr(&ringbuf, 8, 0, &p);
	s = bpf_dynptr_slice(&p, 0, NULL, 8);
	if (!s) {
		bpf_ringbuf_discard_dynptr(&p, 0);
		return 0;
	}
	bpf_ringbuf_submit_dynptr(&p, 0);
	return *s;
}

SEC("tc")
__description("dynptr: a slice used after its local dynptr was overwritten")
__failure __msg("invalid mem access 'scalar'")
__naked void slice_after_overwrite(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[vals] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l_out_%=;"
		"r1 = r0;" "r2 = 8;" "r3 = 0;" "r4 = r10;" "r4 += -24;" "call %[bpf_dynptr_from_mem];"
		"r1 = r10;" "r1 += -24;" "r2 = 0;" "r3 = 8;" "call %[bpf_dynptr_data];"
		"if r0 == 0 goto l_out_%=;" "r6 = r0;"
		"r1 = 0;" "*(u64 *)(r10 - 24) = r1;"
		"r0 = *(u64 *)(r6 + 0);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_dynptr_from_mem), __imm(bpf_dynptr_data), __imm_addr(vals) : __clobber_all);
}

SEC("tc")
__description("dynptr: writing into a ring buffer dynptr's slot")
__failure __msg("cannot overwrite referenced dynptr")
__naked void overwrite_referenced(void)
{
	asm volatile ("r1 = %[ringbuf] ll;" "r2 = 8;" "r3 = 0;" "r4 = r10;" "r4 += -16;" "call %[bpf_ringbuf_reserve_dynptr];"
		"r1 = 0;" "*(u64 *)(r10 - 8) = r1;"
		"r1 = r10;" "r1 += -16;" "r2 = 0;" "call %[bpf_ringbuf_discard_dynptr];"
		"r0 = 0;" "exit;"
		:: __imm(bpf_ringbuf_reserve_dynptr), __imm(bpf_ringbuf_discard_dynptr), __imm_addr(ringbuf) : __clobber_all);
}

SEC("tc")
__description("dynptr: reading a dynptr's own bytes")
__failure __msg("invalid read from stack off -16+0 size 8")
__naked void read_dynptr_bytes(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[vals] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l_out_%=;"
		"r1 = r0;" "r2 = 8;" "r3 = 0;" "r4 = r10;" "r4 += -16;" "call %[bpf_dynptr_from_mem];"
		"r0 = *(u64 *)(r10 - 16);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_dynptr_from_mem), __imm_addr(vals) : __clobber_all);
}

SEC("tc")
__description("dynptr: submitting a ring buffer dynptr twice")
__failure __msg("arg 1 is an unacquired reference")
int release_twice(struct __sk_buff *ctx)
{
	struct bpf_dynptr p;

	bpf_ringbuf_reserve_dynptr(&ringbuf, 8, 0, &p);
	bpf_ringbuf_submit_dynptr(&p, 0);
	bpf_ringbuf_submit_dynptr(&p, 0);
	return 0;
}

SEC("tc")
__description("dynptr: a packet slice used after bpf_skb_pull_data")
__failure __msg("invalid mem access 'scalar'")
int pkt_slice_after_pull(struct __sk_buff *ctx)
{
	struct bpf_dynptr p;
	__u8 buf[4];
	__u8 *s;

	if (bpf_dynptr_from_skb(ctx, 0, &p))
		return 1;
	s = bpf_dynptr_slice(&p, 0, buf, sizeof(buf));
	if (!s)
		return 2;
	bpf_skb_pull_data(ctx, 0);
	return s[0];
}

SEC("tc")
__description("dynptr: a slice read past the size it was asked for")
__failure __msg("invalid access to memory, mem_size=4 off=4 size=1")
int slice_past_end(struct __sk_buff *ctx)
{
	struct bpf_dynptr p;
	__u8 buf[4];
	__u8 *s;

	if (bpf_dynptr_from_skb(ctx, 0, &p))
		return 1;
	s = bpf_dynptr_slice(&p, 0, buf, sizeof(buf));
	if (!s)
		return 2;
	return s[4];
}

SEC("tc")
__description("dynptr: a helper filling memory over a dynptr")
__failure __msg("potential write to dynptr at off=-16 disallowed")
__naked void helper_writes_over_dynptr(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[vals] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l_out_%=;" "r6 = r0;"
		"r1 = r0;" "r2 = 8;" "r3 = 0;" "r4 = r10;" "r4 += -24;" "call %[bpf_dynptr_from_mem];"
		"r1 = r10;" "r1 += -16;" "r2 = 8;" "r3 = r10;" "r3 += -24;" "r4 = 0;" "r5 = 0;" "call %[bpf_dynptr_read];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_dynptr_from_mem), __imm(bpf_dynptr_read), __imm_addr(vals) : __clobber_all);
}

SEC("tc")
__description("dynptr: throwing while a ring buffer dynptr is held")
__failure __msg("bpf_throw would lead to reference leak")
int throw_with_ringbuf_dynptr(struct __sk_buff *ctx)
{
	struct bpf_dynptr p;

	bpf_ringbuf_reserve_dynptr(&ringbuf, 8, 0, &p);
	if (ctx->len)
		bpf_throw(1);
	bpf_ringbuf_discard_dynptr(&p, 0);
	return 0;
}

SEC("tc")
__description("dynptr: a dynptr at a variable stack offset")
__failure __msg("dynptr has to be at a constant offset")
int var_off_dynptr(struct __sk_buff *ctx)
{
	struct bpf_dynptr p[2];
	__u32 key = 0, i = ctx->len & 1;
	struct val *v = bpf_map_lookup_elem(&vals, &key);

	if (!v)
		return 1;
	bpf_dynptr_from_mem(v, 8, 0, &p[i]);
	return 0;
}

char _license[] SEC("license") = "GPL";
