// LPM trie with IPv4 keys: longest-prefix lookups, exact updates/deletes, flags, a full trie.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct key4 { __u32 prefixlen; __u8 ip[4]; };

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 5);
	__type(key, struct key4);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} trie SEC(".maps");

long res[32];

static __always_inline long put(__u32 len, __u8 a, __u8 b, __u8 c, __u8 d, __u32 val, __u64 flags)
{
	struct key4 k = { len, { a, b, c, d } };
	return bpf_map_update_elem(&trie, &k, &val, flags);
}

static __always_inline long get(__u32 len, __u8 a, __u8 b, __u8 c, __u8 d)
{
	struct key4 k = { len, { a, b, c, d } };
	__u32 *v = bpf_map_lookup_elem(&trie, &k);
	return v ? *v : -1;
}

static __always_inline long del(__u32 len, __u8 a, __u8 b, __u8 c, __u8 d)
{
	struct key4 k = { len, { a, b, c, d } };
	return bpf_map_delete_elem(&trie, &k);
}

SEC("tc")
int x_lpm(struct __sk_buff *skb)
{
	int i = 0;

	res[i++] = put(8, 10, 0, 0, 0, 1, BPF_ANY);
	res[i++] = put(16, 10, 1, 0, 0, 2, BPF_ANY);
	res[i++] = put(24, 10, 1, 1, 99, 3, BPF_NOEXIST);   /* host bits ignored */
	res[i++] = put(16, 192, 168, 0, 0, 4, BPF_ANY);
	res[i++] = get(32, 10, 1, 1, 5);                     /* 3 */
	res[i++] = get(32, 10, 1, 2, 5);                     /* 2 */
	res[i++] = get(32, 10, 2, 0, 0);                     /* 1 */
	res[i++] = get(32, 11, 0, 0, 0);                     /* -1 */
	res[i++] = get(20, 10, 1, 1, 5);                     /* key prefix 20 stops at /16: 2 */
	res[i++] = put(8, 10, 0, 0, 0, 5, BPF_NOEXIST);      /* -EEXIST */
	res[i++] = put(8, 11, 0, 0, 0, 5, BPF_EXIST);        /* -ENOENT */
	res[i++] = put(33, 10, 0, 0, 0, 5, BPF_ANY);         /* -EINVAL */
	res[i++] = put(8, 10, 0, 0, 0, 5, 3);                /* -EINVAL */
	res[i++] = put(0, 0, 0, 0, 0, 9, BPF_ANY);           /* default route, 5th entry */
	res[i++] = put(32, 1, 2, 3, 4, 6, BPF_ANY);          /* full: -ENOSPC */
	res[i++] = put(8, 10, 0, 0, 0, 7, BPF_ANY);          /* replace while full: 0 */
	res[i++] = get(32, 11, 0, 0, 0);                     /* 9 */
	res[i++] = del(16, 10, 1, 0, 0);
	res[i++] = get(32, 10, 1, 2, 5);                     /* 7 */
	res[i++] = del(16, 10, 1, 0, 0);                     /* -ENOENT */
	res[i++] = del(33, 10, 1, 0, 0);                     /* -EINVAL */
	res[i++] = put(12, 10, 16, 0, 0, 8, BPF_ANY);        /* 10.16/12 */
	return i;
}

char LICENSE[] SEC("license") = "GPL";
