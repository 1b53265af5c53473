// A packet counter for the playground (playground/): an XDP program that counts packets and bytes
// per IP protocol in a hash map, decrements the IPv4 TTL (fixing the header checksum, so data_out
// differs from data_in), prints one line per packet and sends a small record to a ring buffer.
// IPv4 packets pass (XDP_PASS = 2); anything else is dropped (XDP_DROP = 1) and counted under
// protocol 0.
//
// Rebuild: node scripts/build-progs.mjs pkt_counter
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct counter {
	__u64 packets;
	__u64 bytes;
};

struct event {
	__u32 saddr;
	__u32 daddr;
	__u16 len;
	__u8 proto;
	__u8 ttl;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct counter);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

static void count(__u32 proto, __u64 len)
{
	struct counter *c = bpf_map_lookup_elem(&counts, &proto);
	if (c) {
		__sync_fetch_and_add(&c->packets, 1);
		__sync_fetch_and_add(&c->bytes, len);
	} else {
		struct counter fresh = { .packets = 1, .bytes = len };
		bpf_map_update_elem(&counts, &proto, &fresh, BPF_NOEXIST);
	}
}

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u64 len = data_end - data;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP)) {
		count(0, len);
		return XDP_DROP;
	}
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end) {
		count(0, len);
		return XDP_DROP;
	}
	count(ip->protocol, len);
	if (ip->ttl > 1) {
		/* RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'): the TTL is the high byte of its 16-bit
		 * word m, so m' = m - 0x100 and ~m + m' = 0xfeff in ones' complement */
		__u32 sum = (__u16)~bpf_ntohs(ip->check) + 0xfeff;
		ip->ttl--;
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		ip->check = bpf_htons(~sum & 0xffff);
	}
	bpf_printk("proto %d, %d bytes, ttl now %d", ip->protocol, (int)len, ip->ttl);
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		e->saddr = ip->saddr;
		e->daddr = ip->daddr;
		e->len = len;
		e->proto = ip->protocol;
		e->ttl = ip->ttl;
		bpf_ringbuf_submit(e, 0);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
