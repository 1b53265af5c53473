// bpf_strtol / bpf_strtoul edge cases, compared with Linux 6.18 through the .bss dump: res[i] is the
// return value (characters consumed or -errno), val[i] the stored result (untouched on error).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

long res[16];
long val[16];

#define SL(i, s, base) do { char ___b[] = s; long ___v = -99; \
		res[i] = bpf_strtol(___b, sizeof(___b) - 1, base, &___v); val[i] = ___v; } while (0)
#define SUL(i, s, base) do { char ___b[] = s; unsigned long ___v = 99; \
		res[i] = bpf_strtoul(___b, sizeof(___b) - 1, base, &___v); val[i] = ___v; } while (0)

SEC("syscall")
int h_strtox_edge(void *ctx)
{
	SL(0, "+5", 10);
	SL(1, "0x", 0);
	SL(2, "0X1g", 0);
	SL(3, "0x1g", 16);
	SL(4, "\t\n 42", 10);
	SL(5, "-0", 10);
	SL(6, "-9223372036854775808", 0);
	SUL(7, "18446744073709551615", 10);
	SUL(8, "0xffffffffffffffff", 16);
	SUL(9, "0x10000000000000000", 0);
	SL(10, "0777", 8);
	SL(11, "08", 0);
	SL(12, "00000000000000000000000000000000000000000000000000000000000000000000123", 10);
	SUL(13, "ff", 16);
	SL(14, " ", 10);
	SL(15, "--1", 10);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
