// bpf_wq work items (helpers/wq.ts) as user space sees them on the host kernel: syscall programs
// (Linux 6.18 lets only sleepable programs set a work item's callback) queue work whose callbacks
// run later on a kernel worker; a later program reads what they did. Recorded step by step on one
// loaded object, with a pause for the worker, by scripts/record-seq.mjs into
// test/fixtures/seq/kf_wq.json; test/kfunc/wq.test.ts replays the steps here, where the pause
// is an advance of the runtime's clock.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_wq {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

extern int bpf_wq_init(struct bpf_wq *wq, void *p__map, unsigned int flags) __ksym;
extern int bpf_wq_start(struct bpf_wq *wq, unsigned int flags) __ksym;
extern int bpf_wq_set_callback_impl(struct bpf_wq *wq, int (callback_fn)(void *map, int *key, void *value), unsigned int flags, void *aux__ign) __ksym;

struct wval {
	__u32 counter;
	__u32 key_seen;
	struct bpf_wq w;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct wval);
} warr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct wval);
} whash SEC(".maps");

__u32 ran;

static int cb_count(void *map, int *key, void *value)
{
	struct wval *v = value;

	v->counter++;
	v->key_seen = *key + 100;
	ran |= 1 << *key;
	return 0;
}

/* Queues itself again until it has run three times. */
static int cb_again(void *map, int *key, void *value)
{
	struct wval *v = value;

	v->counter++;
	ran |= 1 << *key;
	if (v->counter < 3)
		bpf_wq_start(&v->w, 0);
	return 0;
}

#define CODE(rc, i) ((((__u32)-(rc)) & 0x3f) << (6 * (i)))

static struct wval *arr(int key)
{
	return bpf_map_lookup_elem(&warr, &key);
}

/* The return codes before and around init on warr[0], six bits each. */
SEC("syscall")
int errors_init(void *ctx)
{
	struct wval *v = arr(0);
	__u32 r = 0;

	if (!v)
		return -1;
	r |= CODE(bpf_wq_start(&v->w, 0), 0);
	r |= CODE(bpf_wq_set_callback_impl(&v->w, cb_count, 0, 0), 1);
	r |= CODE(bpf_wq_init(&v->w, &warr, 1), 2);
	r |= CODE(bpf_wq_init(&v->w, &warr, 0), 3);
	r |= CODE(bpf_wq_init(&v->w, &warr, 0), 4);
	return r;
}

/* Then callback and start on the same item: flags, no callback yet, twice queued runs once. */
SEC("syscall")
int errors_start(void *ctx)
{
	struct wval *v = arr(0);
	__u32 r = 0;

	if (!v)
		return -1;
	r |= CODE(bpf_wq_start(&v->w, 0), 0);
	r |= CODE(bpf_wq_set_callback_impl(&v->w, cb_count, 1, 0), 1);
	r |= CODE(bpf_wq_set_callback_impl(&v->w, cb_count, 0, 0), 2);
	r |= CODE(bpf_wq_start(&v->w, 1), 3);
	r |= CODE(bpf_wq_start(&v->w, 0), 4);
	/* already queued: still one run */
	bpf_wq_start(&v->w, 0);
	return r;
}

/* warr[2] queues itself until it ran three times. */
SEC("syscall")
int arm_again(void *ctx)
{
	struct wval *v = arr(2);

	if (!v)
		return -1;
	if (bpf_wq_init(&v->w, &warr, 0) || bpf_wq_set_callback_impl(&v->w, cb_again, 0, 0))
		return -2;
	return bpf_wq_start(&v->w, 0);
}

/* warr[1] queued, then its element overwritten: the work is cancelled with it. */
SEC("syscall")
int arm_then_update(void *ctx)
{
	struct wval init = {}, *v = arr(1);
	int key = 1;

	if (!v)
		return -1;
	if (bpf_wq_init(&v->w, &warr, 0) || bpf_wq_set_callback_impl(&v->w, cb_count, 0, 0) || bpf_wq_start(&v->w, 0))
		return -2;
	return bpf_map_update_elem(&warr, &key, &init, 0);
}

static __always_inline int arm_hash_elem(int key)
{
	struct wval init = {}, *v;

	if (bpf_map_update_elem(&whash, &key, &init, 0))
		return -1;
	v = bpf_map_lookup_elem(&whash, &key);
	if (!v)
		return -2;
	if (bpf_wq_init(&v->w, &whash, 0) || bpf_wq_set_callback_impl(&v->w, cb_count, 0, 0) || bpf_wq_start(&v->w, 0))
		return -3;
	return 0;
}

/* whash[3] queued, then deleted: cancelled; whash[2] queued and kept. */
SEC("syscall")
int arm_hash(void *ctx)
{
	int key = 3, err;

	err = arm_hash_elem(2);
	if (err)
		return err;
	err = arm_hash_elem(3);
	if (err)
		return err;
	return bpf_map_delete_elem(&whash, &key);
}

/* What the callbacks did: ran's bits, warr[0..2]'s counters and the key warr[0]'s saw. */
SEC("syscall")
int read_arr(void *ctx)
{
	struct wval *a = arr(0), *b = arr(1), *c = arr(2);

	if (!a || !b || !c)
		return -1;
	return ran | a->counter << 8 | b->counter << 12 | c->counter << 16 | a->key_seen << 20;
}

SEC("syscall")
int read_hash(void *ctx)
{
	struct wval *v;
	int key = 2;
	__u32 r = ran;

	v = bpf_map_lookup_elem(&whash, &key);
	if (v)
		r |= v->counter << 8 | v->key_seen << 12;
	key = 3;
	if (bpf_map_lookup_elem(&whash, &key))
		r |= 1 << 30;
	return r;
}

/* Not autoloaded (the host refuses it, so the object would not load): a tc program setting a
 * callback, which Linux 6.18 refuses ("sleepable callback in a program that is not sleepable",
 * EPERM). test/kfunc/wq.test.ts loads it on its own. */
SEC("?tc")
int tc_set_callback(struct __sk_buff *ctx)
{
	struct wval *v = arr(3);

	if (!v)
		return 0;
	bpf_wq_init(&v->w, &warr, 0);
	return bpf_wq_set_callback_impl(&v->w, cb_count, 0, 0);
}

char _license[] SEC("license") = "GPL";
