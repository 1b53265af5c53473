// bpf_snprintf rendering, compared byte for byte with the kernel through the .bss dump: widths,
// flags, sizes, signedness, %c, %%, strings, IPv4/IPv6 and %px. Each out[i] holds one result and
// len[i] the helper's return value (length + 1, or -errno).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char out[12][48];
long len[12];

#define FMT(i, f, ...) do {                                                     \
		static const char ___f[] = f;                                   \
		unsigned long long ___a[] = { __VA_ARGS__ };                    \
		len[i] = bpf_snprintf(out[i], sizeof(out[i]), ___f, ___a, sizeof(___a)); \
	} while (0)

SEC("syscall")
int h_snprintf(void *ctx)
{
	char word[] = "abc";
	__u8 ip4[4] = { 10, 1, 2, 254 };
	__u8 ip6[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55 };

	FMT(0, "%d|%i|%u|%x|%X", -1, -2, -3, 0xabcdef, 0xabcdef);
	FMT(1, "%ld|%lu|%lld|%llx", -5, -5, 1ULL << 63, -1);
	FMT(2, "[%5d][%-5d][%05d][%+d][% d]", 42, 42, -42, 7, 7);
	FMT(3, "[%08x][%-8X][%3u]", 0xbeef, 0xbeef, 123456);
	FMT(4, "%c%c%c %%|%5c|", 'o', 'k', '!', 'z');
	FMT(5, "<%s> <%6s> <%-6s>", (unsigned long)word, (unsigned long)word, (unsigned long)word);
	FMT(6, "%pI4 %pi4", (unsigned long)ip4, (unsigned long)ip4);
	FMT(7, "%pI6", (unsigned long)ip6);
	FMT(8, "%pi6", (unsigned long)ip6);
	FMT(9, "%px|%d", 0xabcd, 1);
	FMT(10, "%s.", 0);
	FMT(11, "%d %d %d %d %d %d %d %d %d %d %d %d %d", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
