// probe_read_kernel(_str) from BPF memory and from unmapped addresses.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

long res[16];
char str_out[8];

SEC("syscall")
int x_probe(void *ctx)
{
	char src[16] = "ebpfvm!";
	__u64 word = 0, n = 0x1122334455667788ULL;
	char buf[8];
	int i = 0;

	res[i++] = bpf_probe_read_kernel(&word, 8, &n);
	res[i++] = word == n;
	word = 5;
	res[i++] = bpf_probe_read_kernel(&word, 8, (void *)8);       /* -EFAULT */
	res[i++] = word;                                             /* zeroed */
	res[i++] = bpf_probe_read_kernel_str(buf, sizeof(buf), src); /* 8: "ebpfvm!" + NUL */
	res[i++] = bpf_probe_read_kernel_str(str_out, 4, src);       /* 4: "ebp" + NUL */
	res[i++] = bpf_probe_read_kernel_str(buf, sizeof(buf), (void *)8); /* -EFAULT */
	res[i++] = buf[0];
	res[i++] = bpf_probe_read_user(&word, 8, &n);                /* a kernel address: -EFAULT */
	res[i++] = bpf_probe_read_user(&word, 8, (void *)8);         /* unmapped: -EFAULT */
	res[i++] = bpf_probe_read_user_str(buf, sizeof(buf), (void *)8);
	return i;
}

char LICENSE[] SEC("license") = "GPL";
