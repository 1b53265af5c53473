// bpf_cast_to_kern_ctx in a tc program: the kernel returns its struct sk_buff. ebpfvm's sk_buff is
// laid over the __sk_buff image (vm/contexts KERNEL_SK_BUFF), so the cast returns the context
// itself and the kernel view's len (a CO-RE relocated load) is the uapi view's.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "kfunc_decls.h"

struct sk_buff {
	unsigned int len;
} __attribute__((preserve_access_index));

SEC("tc")
int kern_skb(struct __sk_buff *skb)
{
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);

	return k->len == skb->len ? k->len : 1;
}

char LICENSE[] SEC("license") = "GPL";
