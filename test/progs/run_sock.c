// Socket filter test runs: context fields as the kernel fills them on loopback, LD_ABS from the
// network header, cb[] writes accumulating over repeat, an array map and .bss persisting.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} sock_stats SEC(".maps");

__u64 runs;

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

/* len, pkt_type, ifindex and protocol packed into one value. */
SEC("socket")
int sock_fields(struct __sk_buff *skb)
{
	return skb->len | (skb->pkt_type << 12) | (skb->ifindex << 14) | (skb->protocol << 16);
}

/* LD_ABS is relative to the network header: byte 9 is the IPv4 protocol, 16 the destination. */
SEC("socket")
int sock_ldabs(struct __sk_buff *skb)
{
	__u64 proto = load_byte(skb, 9);
	__u64 dst = load_word(skb, 16);
	return (proto << 24) | (dst & 0xffffff);
}

/* LD_IND: the UDP destination port behind a variable-length IPv4 header. */
SEC("socket")
int sock_ldind(struct __sk_buff *skb)
{
	__u64 ihl = load_byte(skb, 0) & 0xf;
	return load_half(skb, ihl * 4 + 2);
}

/* An out-of-packet LD_ABS ends the program with r0 = 0. */
SEC("socket")
int sock_ldabs_oob(struct __sk_buff *skb)
{
	__u64 v = load_half(skb, 2000);
	return v + 77;
}

/* cb[] is the only writable field; with repeat the writes accumulate. Counts runs in a map
 * and in .bss. */
SEC("socket")
int sock_cb(struct __sk_buff *skb)
{
	__u32 k = skb->pkt_type & 3;
	__u64 *v = bpf_map_lookup_elem(&sock_stats, &k);
	if (v)
		*v += skb->len;
	runs++;
	skb->cb[0] += 1;
	skb->cb[4] = skb->cb[0] * 10 + skb->mark;
	return skb->cb[0] + skb->priority;
}

char LICENSE[] SEC("license") = "GPL";
