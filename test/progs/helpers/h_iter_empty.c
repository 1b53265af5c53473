// Iterator targets the runtime has no objects of (test/helpers/iter-ksym.test.ts): bpf_link,
// task_file, task_vma, netlink and ipv6_route verify with the kernel's contexts and iterate nothing (the final call).
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

SEC("iter/netlink")
int netlinks(struct bpf_iter__netlink *ctx)
{
	struct netlink_sock *nlk = ctx->sk;

	if (nlk)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%u %d\n", nlk->portid, nlk->sk.sk_protocol);
	else
		BPF_SEQ_PRINTF(ctx->meta->seq, "end\n");
	return 0;
}

SEC("iter/ipv6_route")
int routes(struct bpf_iter__ipv6_route *ctx)
{
	struct fib6_info *rt = ctx->rt;

	if (rt)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%pi6 %02x %08x\n", &rt->fib6_dst.addr, rt->fib6_dst.plen, rt->fib6_metric);
	else
		BPF_SEQ_PRINTF(ctx->meta->seq, "end\n");
	return 0;
}
