// trace_printk / trace_vprintk / snprintf: return values (the rendered length, or -EINVAL for a
// format the kernel refuses) and snprintf output in .bss, all deterministic.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

long res[8];  /* res[1] packs two -EINVAL results: (r << 8) + r */
char out[32];
char small[6];

SEC("syscall")
int h_printk(void *ctx)
{
	char fmt[] = "h_printk %d %u %s|\n";
	char word[] = "word";
	char bad[] = "bad %q\n";
	char prec[] = "%5.1d\n";
	char four[] = "%d %d %d %d\n";
	char hex[] = "%-6d|%06lld|%llx%%\n";
	char chr[] = "%c%c %pi4.\n";
	__u8 ip[4] = { 192, 168, 0, 1 };
	__u64 args[4] = { 1, 2, 3, 4 };
	static const char sfmt[] = "%d-%s-%03u";
	__u64 sargs[3] = { -7, (__u64)(unsigned long)word, 5 };

	res[0] = bpf_trace_printk(fmt, sizeof(fmt), -3, 4000000000u, (__u64)(unsigned long)word);
	res[3] = bpf_trace_printk(chr, sizeof(chr), 'o', 'k', (__u64)(unsigned long)ip);
	res[1] = bpf_trace_printk(bad, sizeof(bad), 1, 0, 0);
	res[2] = bpf_trace_printk(prec, sizeof(prec), 1, 0, 0);
	res[1] += bpf_trace_printk(four, sizeof(four), 1, 2, 3) << 8;
	res[4] = bpf_trace_vprintk(four, sizeof(four), args, sizeof(args));
	res[5] = bpf_trace_printk(hex, sizeof(hex), 42, -9, 0xdeadbeefcafeULL);
	res[6] = bpf_snprintf(out, sizeof(out), sfmt, sargs, sizeof(sargs));
	res[7] = bpf_snprintf(small, sizeof(small), sfmt, sargs, sizeof(sargs));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
