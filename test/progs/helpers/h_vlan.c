// skb_vlan_push, skb_vlan_pop, get_cgroup_classid and get_listener_sock on a tc test run
// (net/core/filter.c, net/core/skbuff.c skb_vlan_push/skb_vlan_pop). A push goes to the skb's
// accelerated tag; a second push writes the first tag into the packet; a pop takes the
// accelerated tag, or the in-packet one when skb->protocol is a VLAN type, and then moves a
// further in-packet tag to the accelerated tag. Each program stores what the skb says afterwards
// (result, vlan_present, vlan_tci, vlan_proto, protocol, len) in the packet's last 24 bytes, so
// data_out shows both the packet bytes and the skb fields; the inputs (h_vlan.inputs.json) add an
// 802.1Q frame, an 802.1ad+802.1Q frame and a 16-byte 802.1Q frame to the standard packets.
// Compared with the host kernel's results: test/fixtures/kernel-progs-local/h_vlan.json.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct report {
	__s32 ret;
	__u32 present;
	__u32 tci;
	__u32 proto;
	__u32 protocol;
	__u32 len;
};

static __always_inline int report(struct __sk_buff *skb, int ret)
{
	struct report r = {
		.ret = ret,
		.present = skb->vlan_present,
		.tci = skb->vlan_tci,
		.proto = skb->vlan_proto,
		.protocol = skb->protocol,
		.len = skb->len,
	};
	__u32 off = skb->len;

	if (off < sizeof(r) || off > 4096)
		return 1000 + ret;
	bpf_skb_store_bytes(skb, off - sizeof(r), &r, sizeof(r), 0);
	return ret < 0 ? -ret : 0;
}

SEC("tc")
int push_one(struct __sk_buff *skb)
{
	return report(skb, bpf_skb_vlan_push(skb, bpf_htons(0x8100), 0x1234));
}

/* A proto other than 802.1Q/802.1ad becomes 802.1Q. */
SEC("tc")
int push_bad_proto(struct __sk_buff *skb)
{
	return report(skb, bpf_skb_vlan_push(skb, bpf_htons(0x0800), 0xabcd));
}

/* The second push writes the first (802.1ad) tag into the packet after the MAC addresses. */
SEC("tc")
int push_two(struct __sk_buff *skb)
{
	int r = bpf_skb_vlan_push(skb, bpf_htons(0x88a8), 0x0111);

	return report(skb, r * 100 + bpf_skb_vlan_push(skb, bpf_htons(0x8100), 0x0222));
}

SEC("tc")
int push_three(struct __sk_buff *skb)
{
	bpf_skb_vlan_push(skb, bpf_htons(0x88a8), 0x0111);
	bpf_skb_vlan_push(skb, bpf_htons(0x8100), 0x0222);
	return report(skb, bpf_skb_vlan_push(skb, bpf_htons(0x8100), 0x0333));
}

SEC("tc")
int push_pop(struct __sk_buff *skb)
{
	int r = bpf_skb_vlan_push(skb, bpf_htons(0x8100), 0x0042);

	return report(skb, r * 100 + bpf_skb_vlan_pop(skb));
}

/* Pop the accelerated tag, then the in-packet one goes to the accelerated tag. */
SEC("tc")
int push_two_pop(struct __sk_buff *skb)
{
	bpf_skb_vlan_push(skb, bpf_htons(0x88a8), 0x0111);
	bpf_skb_vlan_push(skb, bpf_htons(0x8100), 0x0222);
	return report(skb, bpf_skb_vlan_pop(skb));
}

/* On the inputs themselves: untagged packets are left alone, tagged ones lose their tag. */
SEC("tc")
int pop_input(struct __sk_buff *skb)
{
	return report(skb, bpf_skb_vlan_pop(skb));
}

SEC("tc")
int pop_twice(struct __sk_buff *skb)
{
	int r = bpf_skb_vlan_pop(skb);

	return report(skb, r * 100 + bpf_skb_vlan_pop(skb));
}

/* A test run is not in softirq: the task's net_cls classid, 0 in the root cgroup. */
SEC("tc")
int classid(struct __sk_buff *skb)
{
	return bpf_get_cgroup_classid(skb) + 7;
}

/* The test run's own socket is not a TCP listener: NULL. */
SEC("tc")
int listener(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk, *l;

	if (!sk)
		return 1;
	l = bpf_get_listener_sock(sk);
	return l ? 3 : 2;
}

/* socks[0] holds a described socket in test/helpers/vlan.test.ts (empty in the host recording: 1):
 * a TCP listener comes back (3), any other socket gives NULL (2). */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} socks SEC(".maps");

SEC("tc")
int listener_map(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct bpf_sock *sk = bpf_map_lookup_elem(&socks, &zero), *l;
	int r;

	if (!sk)
		return 1;
	l = bpf_get_listener_sock(sk);
	r = l ? (l == sk ? 3 : 4) : 2;
	bpf_sk_release(sk);
	return r;
}

char _license[] SEC("license") = "GPL";
