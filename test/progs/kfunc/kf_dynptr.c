// Dynamic pointers: the dynptr helpers (from_mem, ringbuf reserve/submit/discard, read, write,
// data) and kfuncs (adjust, size, is_null, is_rdonly, clone, slice) on local and ring buffer
// dynptrs, with their error returns, run on the host kernel for the fixture. (slice_rdwr: the
// host's verifier refuses it in syscall and tc programs alike, "bpf_dynptr_slice_rdwr() is not
// allowed".)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "kfunc_decls.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

char buf[64];
struct {
	int from, from_flags, null_after_bad, write, read, read_oob, read_flags, size, adj, size2;
	int adj_inval, adj_range, clone, clone_size, data, slice, slice_oob, rdonly, is_null;
	int rb_ok, rb_flags, rb_huge, rb_null_after, write_ro_off, data_oob;
	__u32 read_word;
} r;

SEC("syscall")
int dynptr_local(void *ctx)
{
	struct bpf_dynptr p, q, bad;
	char src[8] = { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h' };
	char tmp[8] = {};
	__u32 *w;

	r.from = bpf_dynptr_from_mem(buf, sizeof(buf), 0, &p);
	r.from_flags = bpf_dynptr_from_mem(buf, 8, 1, &bad);
	r.null_after_bad = bpf_dynptr_is_null(&bad);
	r.write = bpf_dynptr_write(&p, 4, src, sizeof(src), 0);
	r.write_ro_off = bpf_dynptr_write(&p, 60, src, sizeof(src), 0);
	r.read = bpf_dynptr_read(tmp, sizeof(tmp), &p, 4, 0);
	r.read_word = *(__u32 *)tmp;
	r.read_oob = bpf_dynptr_read(tmp, sizeof(tmp), &p, 60, 0);
	r.read_flags = bpf_dynptr_read(tmp, sizeof(tmp), &p, 0, 1);
	r.size = bpf_dynptr_size(&p);
	r.adj = bpf_dynptr_adjust(&p, 2, 10);
	r.size2 = bpf_dynptr_size(&p);
	r.clone = bpf_dynptr_clone(&p, &q);
	r.clone_size = bpf_dynptr_size(&q);
	r.adj_inval = bpf_dynptr_adjust(&q, 5, 3);
	r.adj_range = bpf_dynptr_adjust(&q, 0, 9);
	w = bpf_dynptr_data(&p, 4, 4);
	if (w) {
		r.data = *w;
		*w = 0x11223344;
	}
	r.data_oob = bpf_dynptr_data(&p, 6, 4) != 0;
	w = bpf_dynptr_slice(&q, 0, 0, 4);
	if (w)
		r.slice = *w;
	r.slice_oob = bpf_dynptr_slice(&q, 7, 0, 4) != 0;
	r.rdonly = bpf_dynptr_is_rdonly(&p);
	r.is_null = bpf_dynptr_is_null(&q);
	return 0;
}

SEC("syscall")
int dynptr_ring(void *ctx)
{
	struct bpf_dynptr d, e, f;
	char msg[6] = { 'e', 'b', 'p', 'f', 'v', 'm' };

	r.rb_ok = bpf_ringbuf_reserve_dynptr(&rb, 16, 0, &d);
	bpf_dynptr_write(&d, 2, msg, sizeof(msg), 0);
	bpf_ringbuf_submit_dynptr(&d, 0);
	r.rb_flags = bpf_ringbuf_reserve_dynptr(&rb, 16, 1, &e);
	bpf_ringbuf_discard_dynptr(&e, 0);
	r.rb_huge = bpf_ringbuf_reserve_dynptr(&rb, 8192, 0, &f);
	bpf_ringbuf_discard_dynptr(&f, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
