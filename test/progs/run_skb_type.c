// bpf_skb_change_type: pkt_type read back after changing it, refused types (-EINVAL), in tc.
// Host results recorded with `node scripts/kernel-progs.mjs --record-object test/progs/run_skb_type.o`.
#include <linux/bpf.h>
#include <linux/if_packet.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int change_type(struct __sk_buff *skb)
{
	int before = skb->pkt_type, r1, r2, r3, after;

	r1 = bpf_skb_change_type(skb, PACKET_MULTICAST);
	after = skb->pkt_type;
	r2 = bpf_skb_change_type(skb, 4); /* PACKET_LOOPBACK: not allowed */
	r3 = bpf_skb_change_type(skb, PACKET_OTHERHOST);
	return before + after * 10 + skb->pkt_type * 100 + (r1 + 100) * 1000 + (r2 + 100) * 1000000 + r3;
}

char _license[] SEC("license") = "GPL";
