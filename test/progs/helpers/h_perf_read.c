// bpf_perf_event_read (22) and bpf_perf_event_read_value (55) from raw_tp programs on a perf event
// array with nothing open (as the host kernel's test run has it): each program returns what the
// helper returned, so the host fixture (test/fixtures/kernel-progs-local/h_perf_read.json) holds
// every errno; value_zeroed also checks that the buffer is zeroed on an error.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, int);
} events SEC(".maps");

SEC("raw_tp/sys_enter")
int read_empty(void *ctx)
{
	return bpf_perf_event_read(&events, 0); /* -ENOENT, returned as the value */
}

SEC("raw_tp/sys_enter")
int read_current_cpu(void *ctx)
{
	return bpf_perf_event_read(&events, BPF_F_CURRENT_CPU);
}

SEC("raw_tp/sys_enter")
int read_beyond(void *ctx)
{
	return bpf_perf_event_read(&events, 2); /* -E2BIG */
}

SEC("raw_tp/sys_enter")
int read_bad_flags(void *ctx)
{
	return bpf_perf_event_read(&events, 1ULL << 32); /* -EINVAL */
}

SEC("raw_tp/sys_enter")
int value_empty(void *ctx)
{
	struct bpf_perf_event_value v;

	return bpf_perf_event_read_value(&events, 1, &v, sizeof(v));
}

SEC("raw_tp/sys_enter")
int value_bad_size(void *ctx)
{
	char buf[16];

	return bpf_perf_event_read_value(&events, 0, (void *)buf, sizeof(buf)); /* -EINVAL */
}

SEC("raw_tp/sys_enter")
int value_zeroed(void *ctx)
{
	struct bpf_perf_event_value v;
	long err;

	__builtin_memset(&v, 0xff, sizeof(v));
	err = bpf_perf_event_read_value(&events, BPF_F_CURRENT_CPU, &v, sizeof(v));
	/* 1000 * -err plus 1 when any byte is left non-zero */
	return -err * 1000 + ((v.counter | v.enabled | v.running) != 0);
}

char LICENSE[] SEC("license") = "GPL";
