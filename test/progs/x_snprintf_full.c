// bpf_snprintf's return value when the output buffer is full at a pre-formatted argument (%pI4,
// %pI6, %pB): the kernel's bstr_printf counts 0 for it and does not step past its text in the
// argument buffer, so the conversions after it read that text as their values. Results in res[].
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

long res[16];
char out[64];

SEC("syscall")
int snprintf_full(void *ctx)
{
	static const char f1[] = "%pI4";
	static const char f2[] = "ab%pI4 %d";
	static const char f3[] = "ab%pI4%s";
	static const char f4[] = "ab%pI6|%pi4|%u";
	static const char f5[] = "ab%pB";
	static const char f6[] = "%c%pi6%llx";
	__u8 ip[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	__u64 a[4];
	int i = 0;

	a[0] = (__u64)(long)ip;
	a[1] = 7;
	res[i++] = bpf_snprintf(out, 8, f1, a, 8);      /* fits: 8 */
	res[i++] = bpf_snprintf(out, 1, f1, a, 8);      /* starts before the end: 8 */
	res[i++] = bpf_snprintf(out, 0, f1, a, 8);      /* full: 1 */
	res[i++] = bpf_snprintf(out, 2, f2, a, 16);     /* %d reads "1.2." */
	res[i++] = bpf_snprintf(out, 3, f2, a, 16);
	a[1] = (__u64)(long)"xyz";
	res[i++] = bpf_snprintf(out, 2, f3, a, 16);     /* %s reads "1.2.3.4" */
	a[1] = (__u64)(long)ip;
	a[2] = 123456;
	res[i++] = bpf_snprintf(out, 2, f4, a, 24);
	res[i++] = bpf_snprintf(out, 64, f4, a, 24);
	res[i++] = bpf_snprintf(out, 2, f5, a, 8);
	a[0] = 'z';
	a[1] = (__u64)(long)ip;
	a[2] = 0x1122334455667788ULL;
	res[i++] = bpf_snprintf(out, 1, f6, a, 24);     /* full after %c: %llx reads the IPv6 text */
	res[i++] = bpf_snprintf(out, 40, f6, a, 24);
	return i;
}

char LICENSE[] SEC("license") = "GPL";
