// strtol / strtoul / strncmp with the kernel's rules; results in .bss.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

long res[12];
long vals[6];

SEC("syscall")
int h_strings(void *ctx)
{
	char a[] = "  -1234xyz";
	char b[] = "0x1F";
	char c[] = "017";
	char d[] = "99999999999999999999";
	char e[] = "-5";
	char f[] = "hello";
	static const char hello[] = "hello";
	static const char help[] = "help";
	long v = 0;
	unsigned long u = 0;

	res[0] = bpf_strtol(a, sizeof(a) - 1, 10, &v);   vals[0] = v;
	res[1] = bpf_strtoul(b, sizeof(b) - 1, 0, &u);   vals[1] = u;
	res[2] = bpf_strtol(c, sizeof(c) - 1, 0, &v);    vals[2] = v;
	res[3] = bpf_strtoul(c, sizeof(c) - 1, 10, &u);  vals[3] = u;
	res[4] = bpf_strtol(d, sizeof(d) - 1, 10, &v);   /* -ERANGE */
	res[5] = bpf_strtoul(e, sizeof(e) - 1, 10, &u);  /* -EINVAL */
	res[6] = bpf_strtol(e, sizeof(e) - 1, 10, &v);   vals[4] = v;
	res[7] = bpf_strtol(b, sizeof(b) - 1, 3, &v);    /* bad base: -EINVAL */
	res[8] = bpf_strncmp(f, sizeof(f), hello);
	res[9] = bpf_strncmp(f, sizeof(f), help);
	res[10] = bpf_strncmp(f, 3, help);
	res[11] = bpf_strtol(b, sizeof(b) - 1, 16, &v);  vals[5] = v;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
