// Iterator programs (src/iter.ts) and the seq_file helpers bpf_seq_printf/bpf_seq_write
// (helpers/seq.ts). The iter/bpf_map programs are read on the host kernel as a pinned iterator is
// (scripts/record-iter.mjs, test/kernel/harness/iter-harness.c): the host sees every map of the
// system, so each program prints only the maps named it_* that this object creates, and never
// seq_num or ids (which count the system's maps too). test/fixtures/iter/h_iter.json holds each
// read()'s length, the bytes and the error the reads ended with; test/helpers/iter.test.ts diffs
// ebpfvm's reads against them.
//
// The iter/bpf_map_elem and iter/task programs run here only: the 6.18 host refuses every
// bpf_map_elem program at load (EPERM before verification, recorded in the fixture), and its
// tasks are not the runtime's.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} it_arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u64);
	__type(value, __u32);
	__uint(map_flags, 1); /* BPF_F_NO_PREALLOC */
} it_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} it_pca SEC(".maps");

/* 4000 bytes of filler the big programs write several times. */
char filler[4000] = {};
/* What the seq helpers returned, printed at the end. */
long ret_overflow = 1, ret_fmt = 1, ret_len = 1;
int matched;

static __always_inline bool ours(struct bpf_map *map)
{
	return map && map->name[0] == 'i' && map->name[1] == 't' && map->name[2] == '_';
}

/* One line per it_* map: name, type, sizes, flags, with several conversions. */
SEC("iter/bpf_map")
int dump_maps(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;

	if (!map) {
		BPF_SEQ_PRINTF(seq, "end: %d maps matched\n", matched);
		return 0;
	}
	if (!ours(map))
		return 0;
	matched++;
	BPF_SEQ_PRINTF(seq, "%-8s type=%u key=%3u value=%03u max=%x flags=0x%x\n", map->name, map->map_type, map->key_size,
		       map->value_size, map->max_entries, map->map_flags);
	BPF_SEQ_PRINTF(seq, "  [%c%c] %5d|%-5d|%lld\n", map->name[0], map->name[1], -(int)map->key_size, (int)map->value_size,
		       -1LL * map->max_entries);
	return 0;
}

/* 20000 bytes per it_* map: the second does not fit the 32 KiB buffer behind the first, so each
 * read returns one map's output and the next read shows the following map again. */
SEC("iter/bpf_map")
int big(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	long r = 0;

	if (!map) {
		BPF_SEQ_PRINTF(seq, "end overflow=%ld\n", ret_overflow);
		return 0;
	}
	if (!ours(map))
		return 0;
	BPF_SEQ_PRINTF(seq, "%s\n", map->name);
	for (int i = 0; i < 5; i++)
		r |= bpf_seq_write(seq, filler, sizeof(filler));
	/* the first -EOVERFLOW any call saw (the object is shown again in the next read) */
	if (r && ret_overflow == 1)
		ret_overflow = r;
	return 0;
}

/* 40000 bytes for it_arr alone: it can never fit, the read fails with E2BIG. */
SEC("iter/bpf_map")
int too_big(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	if (!ours(map))
		return 0;
	BPF_SEQ_PRINTF(seq, "%s\n", map->name);
	if (map->name[3] == 'a' && map->name[4] == 'r')
		for (int i = 0; i < 10; i++)
			bpf_seq_write(seq, filler, sizeof(filler));
	return 0;
}

/* Returning 1 asks to retry the object: the read returns what came before it, then EAGAIN. */
SEC("iter/bpf_map")
int retry(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;

	if (!map) {
		BPF_SEQ_PRINTF(seq, "end\n");
		return 0;
	}
	if (!ours(map))
		return 0;
	BPF_SEQ_PRINTF(seq, "%s\n", map->name);
	return map->name[3] == 'h';
}

/* The helpers' own errors: a bad conversion, a data_len not a multiple of 8. */
SEC("iter/bpf_map")
int seq_errors(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	static const char bad[] = "%y\n";
	static const char ok[] = "%d\n";
	__u64 data[2] = { 7, 8 };

	if (ctx->map)
		return 0;
	ret_fmt = bpf_seq_printf(seq, bad, sizeof(bad), data, 8);
	ret_len = bpf_seq_printf(seq, ok, sizeof(ok), data, 7);
	BPF_SEQ_PRINTF(seq, "fmt=%ld len=%ld\n", ret_fmt, ret_len);
	bpf_seq_write(seq, ok, 0);
	return 0;
}

/* bpf_map_elem (ebpfvm only, see the top): keys and values of the named map, the value doubled
 * in place, and the final call with NULL key and value but the map. */
SEC("iter/bpf_map_elem")
int elems(struct bpf_iter__bpf_map_elem *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	__u32 *key = ctx->key;
	__u64 *val = ctx->value;

	if (!key || !val) {
		BPF_SEQ_PRINTF(seq, "end %s seq_num=%llu\n", ctx->map->name, ctx->meta->seq_num);
		return 0;
	}
	BPF_SEQ_PRINTF(seq, "%llu: %u=%llu\n", ctx->meta->seq_num, *key, *val);
	*val *= 2;
	return 0;
}

/* Reads 8 value bytes: attaching it to a map with smaller values is -EACCES. */
SEC("iter/bpf_map_elem")
int elems_u64(struct bpf_iter__bpf_map_elem *ctx)
{
	__u64 *val = ctx->value;

	if (val)
		bpf_seq_write(ctx->meta->seq, val, 8);
	return 0;
}

/* Every task of the runtime's kernel model, by pid. */
SEC("iter/task")
int tasks(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;

	if (!task) {
		BPF_SEQ_PRINTF(seq, "%llu tasks\n", ctx->meta->seq_num);
		return 0;
	}
	BPF_SEQ_PRINTF(seq, "%d %d %s\n", task->pid, task->tgid, task->comm);
	return 0;
}
