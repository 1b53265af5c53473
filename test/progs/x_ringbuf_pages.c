// Ring buffer records across pages of a 16 KiB ring: each header's page offset (pg_off) names the
// page it sits on, counted from the start of the kernel's struct bpf_ringbuf. Records of odd
// sizes, one discarded, the query values after each; results in res[].
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 16384); } pages_rb SEC(".maps");

long res[16];
char chunk[3001];

SEC("syscall")
int x_ringbuf_pages(void *ctx)
{
	int i, n = 0;

	for (i = 0; i < 5; i++) {
		chunk[0] = i;
		chunk[3000] = 0x80 | i;
		res[n++] = bpf_ringbuf_output(&pages_rb, chunk, 3001 - i * 7, 0);
	}
	__u8 *p = bpf_ringbuf_reserve(&pages_rb, 1, 0);
	if (p) {
		*p = 0x77;
		bpf_ringbuf_discard(p, BPF_RB_FORCE_WAKEUP);
	}
	res[n++] = bpf_ringbuf_query(&pages_rb, BPF_RB_AVAIL_DATA);
	res[n++] = bpf_ringbuf_query(&pages_rb, BPF_RB_PROD_POS);
	res[n++] = bpf_ringbuf_query(&pages_rb, BPF_RB_RING_SIZE);
	/* 15069 + 16 bytes used: a record of 1300 does not fit any more, 1290 does */
	res[n++] = bpf_ringbuf_output(&pages_rb, chunk, 1300, 0);
	res[n++] = bpf_ringbuf_output(&pages_rb, chunk, 1290, 0);
	res[n++] = bpf_ringbuf_query(&pages_rb, BPF_RB_AVAIL_DATA);
	return n;
}

char LICENSE[] SEC("license") = "GPL";
