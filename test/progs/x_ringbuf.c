// Ring buffer: output, reserve/submit, reserve/discard, query, filling the ring until output
// says -EAGAIN and reserve NULL, bad flags. Results in res[].
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");

long res[24];
char big[1000];

SEC("syscall")
int x_ringbuf(void *ctx)
{
	__u64 word = 0x1122334455667788ULL;
	__u32 *p;
	int i = 0, n;

	res[i++] = bpf_ringbuf_query(&rb, BPF_RB_RING_SIZE);          /* 4096 */
	res[i++] = bpf_ringbuf_output(&rb, &word, sizeof(word), 0);   /* 0, 16 bytes */
	p = bpf_ringbuf_reserve(&rb, 12, 0);                           /* 24 bytes */
	res[i++] = p != 0;
	if (p) {
		p[0] = 0xaaaa; p[1] = 0xbbbb; p[2] = 0xcccc;
		bpf_ringbuf_submit(p, BPF_RB_NO_WAKEUP);
	}
	p = bpf_ringbuf_reserve(&rb, 4, 0);                            /* 16 bytes, discarded */
	res[i++] = p != 0;
	if (p) {
		*p = 0xdead;
		bpf_ringbuf_discard(p, 0);
	}
	res[i++] = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);         /* 56 */
	res[i++] = bpf_ringbuf_query(&rb, BPF_RB_PROD_POS);           /* 56 */
	res[i++] = bpf_ringbuf_query(&rb, BPF_RB_CONS_POS);           /* 0 */
	res[i++] = bpf_ringbuf_query(&rb, 99);                        /* 0 */
	res[i++] = bpf_ringbuf_output(&rb, &word, sizeof(word), 4);   /* -EINVAL */
	p = bpf_ringbuf_reserve(&rb, 8, 1);                            /* flags: NULL */
	res[i++] = p != 0;
	if (p)
		bpf_ringbuf_discard(p, 0);
	for (n = 0; n < 6; n++) {
		big[0] = n;
		long err = bpf_ringbuf_output(&rb, big, sizeof(big), BPF_RB_FORCE_WAKEUP);
		if (err) {
			res[i++] = err;                                       /* -EAGAIN */
			break;
		}
	}
	res[i++] = n;                                                 /* 4 records of 1008 fit */
	p = bpf_ringbuf_reserve(&rb, 8, 0);                            /* 4088 used: NULL */
	res[i++] = p != 0;
	if (p)
		bpf_ringbuf_submit(p, 0);
	res[i++] = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);
	return i;
}

char LICENSE[] SEC("license") = "GPL";
