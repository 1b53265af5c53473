// More skb program types and fields: cgroup_skb and lwt (L3 with direct packet access, mark
// writable), tc action programs, and tc writes to tstamp/cb that ctx_out reports.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup_skb/ingress")
int cg_ingress(struct __sk_buff *skb)
{
	unsigned char *data = (void *)(long)skb->data;
	unsigned char *end = (void *)(long)skb->data_end;
	if (data + 20 > end)
		return 0;
	skb->mark = data[9] + (skb->len << 8); /* IPv4 protocol: data starts at L3 */
	skb->priority = 3;
	return 1;
}

SEC("action")
int act_proto(struct __sk_buff *skb)
{
	unsigned char *data = (void *)(long)skb->data;
	unsigned char *end = (void *)(long)skb->data_end;
	if (data + 14 > end)
		return -1;
	return (data[12] << 8) | data[13];
}

SEC("tc")
int tc_tstamp(struct __sk_buff *skb)
{
	skb->tstamp = skb->tstamp + 1000;
	skb->cb[2] = skb->gso_segs + skb->gso_size;
	skb->queue_mapping = 1;
	skb->tc_classid = 0x10002;
	return skb->hash + skb->vlan_present + skb->napi_id + skb->tc_classid;
}

/* lwt programs see the packet from the network header with direct packet access. */
SEC("lwt_in")
int lwt_in_proto(struct __sk_buff *skb)
{
	unsigned char *data = (void *)(long)skb->data;
	unsigned char *end = (void *)(long)skb->data_end;
	if (data + 20 > end)
		return 77;
	skb->mark = 5;
	skb->cb[0] = skb->len;
	return data[9] + (skb->protocol << 8);
}

SEC("lwt_xmit")
int lwt_xmit_first(struct __sk_buff *skb)
{
	unsigned char *data = (void *)(long)skb->data;
	unsigned char *end = (void *)(long)skb->data_end;
	if (data + 20 > end)
		return 77;
	return data[0];
}

char LICENSE[] SEC("license") = "GPL";
