// Iterator targets the runtime has no objects of (test/helpers/iter-ksym.test.ts): bpf_link,
// task_file and task_vma verify with the kernel's contexts and iterate nothing (the final call).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

SEC("iter/bpf_link")
int links(struct bpf_iter__bpf_link *ctx)
{
	struct bpf_link *link = ctx->link;

	if (link)
		BPF_SEQ_PRINTF(ctx->meta->seq, "link %u\n", link->id);
	else
		BPF_SEQ_PRINTF(ctx->meta->seq, "end\n");
	return 0;
}

SEC("iter/task_file")
int files(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;

	if (!task)
		BPF_SEQ_PRINTF(ctx->meta->seq, "end\n");
	else if (file)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%d %u %lx\n", task->tgid, ctx->fd, (long)file->f_op);
	return 0;
}

SEC("iter/task_vma")
int vmas(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;

	if (vma)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%lx-%lx %lx\n", vma->vm_start, vma->vm_end, vma->vm_pgoff);
	else
		BPF_SEQ_PRINTF(ctx->meta->seq, "end\n");
	return 0;
}
