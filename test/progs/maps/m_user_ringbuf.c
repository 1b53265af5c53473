// BPF_MAP_TYPE_USER_RINGBUF drained with bpf_user_ringbuf_drain: the callback reads each sample
// (a u32) through its dynptr and stops the drain at 99. res[0] and res[3] are the drains'
// results (samples given to the callback), seen[] the values in order; bad flags -EINVAL; a
// drain from inside the callback is -EBUSY. The kernel's recording drains an empty ring.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_USER_RINGBUF); __uint(max_entries, 4096); } urb SEC(".maps");

long res[8];
long seen[8];
int nseen;

static long nested(struct bpf_dynptr *d, void *ctx)
{
	return 0;
}

static long cb(struct bpf_dynptr *d, void *ctx)
{
	__u32 v = 0;

	if (bpf_dynptr_read(&v, sizeof(v), d, 0, 0))
		return 1;
	if (nseen < 8)
		seen[nseen & 7] = v;
	nseen++;
	if (v == 7)
		res[4] = bpf_user_ringbuf_drain(&urb, nested, NULL, 0);
	return v == 99;
}

SEC("syscall")
int m_user_ringbuf(void *ctx)
{
	res[0] = bpf_user_ringbuf_drain(&urb, cb, NULL, 0);
	res[1] = bpf_user_ringbuf_drain(&urb, cb, NULL, 4);                   /* -EINVAL */
	res[2] = nseen;
	res[3] = bpf_user_ringbuf_drain(&urb, cb, NULL, BPF_RB_NO_WAKEUP);
	return 0;
}

char _license[] SEC("license") = "GPL";
