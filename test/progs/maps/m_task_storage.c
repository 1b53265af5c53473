// BPF_MAP_TYPE_TASK_STORAGE through bpf_task_storage_get/delete on the current task of a syscall
// test run: create, update through the pointer, the same value again, NULL task, bad flags,
// delete twice. The value is deleted again at the end, so nothing depends on which task runs
// the next test. Results in res[].
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct task_struct;

struct val { __u64 n; __u64 tag; };

struct { __uint(type, BPF_MAP_TYPE_TASK_STORAGE); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, int); __type(value, struct val); } ts SEC(".maps");

long res[16];

SEC("syscall")
int m_task_storage(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task_btf();
	struct val init = { .n = 10, .tag = 0xabc };
	struct val *v, *w;
	int i = 0;

	res[i++] = bpf_task_storage_get(&ts, t, 0, 0) != 0;                  /* 0 */
	res[i++] = bpf_task_storage_get(&ts, t, &init, 4) != 0;              /* 0: bad flags */
	res[i++] = bpf_task_storage_get(&ts, 0, &init, BPF_LOCAL_STORAGE_GET_F_CREATE) != 0; /* 0: NULL task */
	v = bpf_task_storage_get(&ts, t, &init, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!v)
		return 100;
	res[i++] = v->n;                                                       /* 10 */
	res[i++] = v->tag;                                                     /* 0xabc */
	v->n++;
	w = bpf_task_storage_get(&ts, t, 0, 0);
	res[i++] = w == v;                                                     /* 1 */
	res[i++] = w ? w->n : -1;                                              /* 11 */
	res[i++] = bpf_task_storage_delete(&ts, 0);                            /* -EINVAL */
	res[i++] = bpf_task_storage_delete(&ts, t);                            /* 0 */
	res[i++] = bpf_task_storage_delete(&ts, t);                            /* -ENOENT */
	res[i++] = bpf_task_storage_get(&ts, t, 0, 0) != 0;                  /* 0 */
	return i;
}

char _license[] SEC("license") = "GPL";
