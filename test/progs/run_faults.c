// Context and packet accesses the kernel's verifier refuses. ebpfvm runs them unverified and
// must fault: the context is write-protected outside each type's whitelist, and the packet and
// context regions end where the kernel's do. (Not in the kernel fixtures: the kernel will not
// load these.)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int sock_write_mark(struct __sk_buff *skb)
{
	skb->mark = 1; /* socket filters may write cb[] only */
	return 0;
}

SEC("tc")
int tc_write_len(struct __sk_buff *skb)
{
	skb->len = 5; /* read-only for tc too */
	return 0;
}

SEC("tc")
int tc_write_data(struct __sk_buff *skb)
{
	skb->data += 1; /* packet pointers are the VM's */
	return 0;
}

SEC("tc")
int tc_read_past_end(struct __sk_buff *skb)
{
	/* no bounds check: reads the byte just past data_end */
	unsigned char *end = (void *)(long)skb->data_end;
	return *(volatile unsigned char *)end;
}

SEC("tc")
int tc_read_past_ctx(struct __sk_buff *skb)
{
	return *(volatile __u32 *)((char *)skb + sizeof(*skb));
}

SEC("xdp")
int xdp_write_data_end(struct xdp_md *ctx)
{
	ctx->data_end = ctx->data; /* xdp_md is read-only */
	return XDP_PASS;
}

SEC("tc")
int tc_print_then_fault(struct __sk_buff *skb)
{
	bpf_printk("about to write len %d", skb->len);
	skb->len = 5;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
