// The low byte of skb->data as the kernel's test run places the packet (NET_SKB_PAD = 64 bytes
// into a slab buffer): 0x40 at the MAC header (tc), 0x4e at the network header (lwt), stored
// into the packet's first byte as the selftests' verifier_direct_packet_access.c does (data_out
// shows it). Host results recorded with
// `node scripts/kernel-progs.mjs --record-object test/progs/run_pkt_addr.o`.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define STORE_LOW_BYTE							\
	asm volatile ("r2 = *(u32 *)(r1 + 76);"				\
		      "r3 = *(u32 *)(r1 + 80);"				\
		      "r0 = r2;"					\
		      "r0 += 8;"					\
		      "if r0 > r3 goto 1f;"				\
		      "*(u8 *)(r2 + 0) = r2;"				\
		      "1: r0 = 0;"					\
		      "exit;" ::: "memory")

SEC("tc")
__attribute__((naked)) int addr_tc(struct __sk_buff *skb)
{
	STORE_LOW_BYTE;
}

SEC("lwt_xmit")
__attribute__((naked)) int addr_lwt(struct __sk_buff *skb)
{
	STORE_LOW_BYTE;
}

char _license[] SEC("license") = "GPL";
