// The ksym iterator (test/helpers/iter-ksym.test.ts): every function of the built-in kernel's
// text, as struct kallsym_iter shows it.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

SEC("iter/ksym")
int ksyms(struct bpf_iter__ksym *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct kallsym_iter *it = ctx->ksym;

	if (!it)
		return 0;
	BPF_SEQ_PRINTF(seq, "%lld 0x%lx %c %s [%s] %d\n", it->pos, it->show_value ? it->value : 0, it->type, it->name, it->module_name, it->pos_mod_end);
	return 0;
}
