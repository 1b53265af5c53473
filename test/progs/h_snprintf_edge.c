// bpf_snprintf format edge cases: what the kernel's format checker accepts or refuses, and how
// the accepted ones render. Compared with Linux 6.18 through the .bss dump.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char out[20][40];
long len[20];

/* trace_vprintk checks the format at run time (snprintf's is checked at load, so a bad one would
 * refuse the whole program): len[i] is the rendered length or -EINVAL. */
#define FMT(i, f, ...) do {                                                     \
		char ___f[] = f;                                                \
		unsigned long long ___a[] = { __VA_ARGS__ };                    \
		len[i] = bpf_trace_vprintk(___f, sizeof(___f), ___a, sizeof(___a)); \
	} while (0)

SEC("syscall")
int h_snprintf_edge(void *ctx)
{
	char word[] = "xyz";
	__u8 ip4[4] = { 127, 0, 0, 1 };

	FMT(0, "tail %", 0);
	FMT(1, "[%5%]", 0);
	FMT(2, "[%-%]", 0);
	FMT(3, "%ll", 1);
	FMT(4, "%lld%lld", 1);
	FMT(5, "[%-010d]", 42);
	FMT(6, "[%+u][% x]", 5, 255);
	FMT(7, "%pi4x", (unsigned long)ip4);
	FMT(8, "[%08c]", 'q');
	FMT(9, "%s%s", (unsigned long)word, (unsigned long)word);
	FMT(10, "%sa", (unsigned long)word);
	FMT(11, "%X%x", 0xabcdef12, 0xabcdef12);
	FMT(12, "%lx", -1);
	FMT(13, "%d|%i", 0x80000000, 0xffffffff);
	FMT(14, "%i%%%i", 1, 2);
	FMT(15, "%020llu", 12345);
	FMT(16, "%5.5s", (unsigned long)word);
	FMT(17, "%hhd", 1);
	FMT(18, "%z", 1);
	FMT(19, "%12pI4|", (unsigned long)ip4);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
