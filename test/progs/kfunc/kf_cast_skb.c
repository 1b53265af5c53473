// bpf_cast_to_kern_ctx in a tc program: the kernel returns its struct sk_buff, which the VM does
// not model (it holds only the uapi __sk_buff), so on ebpfvm the call faults naming the struct.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "kfunc_decls.h"

SEC("tc")
int kern_skb(struct __sk_buff *skb)
{
	return bpf_cast_to_kern_ctx(skb) != 0;
}

char LICENSE[] SEC("license") = "GPL";
