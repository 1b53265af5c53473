// bpf_loop and bpf_for_each_map_elem: iteration counts, early stop, callbacks writing values.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, __u64);
} h_arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} h_elems SEC(".maps");

long res[9];

struct sum_ctx {
	__u64 sum;
	__u64 stop_at;
};

static long add_index(__u64 i, struct sum_ctx *c)
{
	c->sum += i;
	return i == c->stop_at ? 1 : 0;
}

static long visit(void *map, __u32 *key, __u64 *val, struct sum_ctx *c)
{
	*val = *key * 3;
	c->sum += *key;
	return *key == c->stop_at ? 1 : 0;
}

SEC("syscall")
int h_loops(void *ctx)
{
	struct sum_ctx c = { .sum = 0, .stop_at = 100 };
	__u32 k;
	__u64 v = 0;

	res[0] = bpf_loop(10, add_index, &c, 0);          /* 10 calls, sum 45 */
	res[1] = c.sum;
	c.sum = 0;
	c.stop_at = 3;
	res[2] = bpf_loop(10, add_index, &c, 0);          /* stops after index 3: 4 calls */
	res[3] = bpf_loop(1, add_index, &c, 1);           /* flags: -EINVAL */
	/* unrolled: a loop over an address-taken key is not bounded for the verifier */
	k = 10; bpf_map_update_elem(&h_elems, &k, &v, BPF_ANY);
	k = 11; bpf_map_update_elem(&h_elems, &k, &v, BPF_ANY);
	k = 12; bpf_map_update_elem(&h_elems, &k, &v, BPF_ANY);
	c.sum = 0;
	c.stop_at = 100;
	res[4] = bpf_for_each_map_elem(&h_elems, visit, &c, 0);  /* 3 */
	c.stop_at = 2;
	res[5] = bpf_for_each_map_elem(&h_arr, visit, &c, 0);    /* stops at index 2: 3 */
	res[6] = bpf_for_each_map_elem(&h_arr, visit, &c, 1);    /* flags: -EINVAL */
	res[7] = bpf_loop((1 << 23) + 1, add_index, &c, 0);      /* -E2BIG */
	res[8] = bpf_loop(0, add_index, &c, 0);                  /* 0 */
	return c.sum;
}

char LICENSE[] SEC("license") = "GPL";
