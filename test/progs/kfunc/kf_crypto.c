// The BPF crypto kfuncs (kernel/bpf/crypto.c, the "skcipher" type of
// crypto/bpf_crypto_skcipher.c) driven from user space the way the kernel's crypto_sanity test
// does: a syscall program creates a context from the bpf_crypto_params its ctx carries and
// stashes it as a kptr in a map value, then tc programs encrypt or decrypt regions of the packet
// in place, so the result comes back in data_out. The regions come from a header at the start
// of the packet (struct crypt_req), so one program covers the length and IV errors. Recorded on
// the host kernel step by step (setup, then crypt, in one loaded object) by
// scripts/record-seq.mjs into test/fixtures/seq/kf_crypto.json; test/kfunc/crypto.test.ts
// replays the same steps here.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "kfunc_decls.h"

struct bpf_crypto_params {
	char type[14];
	__u8 reserved[2];
	char algo[128];
	__u8 key[256];
	__u32 key_len;
	__u32 authsize;
};

/* Opaque to programs; libbpf wants a struct (not a forward declaration) to match the kernel's. */
struct bpf_crypto_ctx {
	const void *type;
	void *tfm;
	__u32 siv_len;
};

extern struct bpf_crypto_ctx *bpf_crypto_ctx_create(const struct bpf_crypto_params *params, __u32 params__sz, int *err) __ksym;
extern struct bpf_crypto_ctx *bpf_crypto_ctx_acquire(struct bpf_crypto_ctx *ctx) __ksym;
extern void bpf_crypto_ctx_release(struct bpf_crypto_ctx *ctx) __ksym;
extern int bpf_crypto_encrypt(struct bpf_crypto_ctx *ctx, const struct bpf_dynptr *src, const struct bpf_dynptr *dst, const struct bpf_dynptr *siv__nullable) __ksym;
extern int bpf_crypto_decrypt(struct bpf_crypto_ctx *ctx, const struct bpf_dynptr *src, const struct bpf_dynptr *dst, const struct bpf_dynptr *siv__nullable) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

struct stash {
	struct bpf_crypto_ctx __kptr *ctx;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, struct stash);
	__uint(max_entries, 1);
} ctxs SEC(".maps");

/* The syscall ctx: the params, then the params__sz to pass (clamped to the struct). */
struct setup_args {
	struct bpf_crypto_params params;
	__u32 size;
};

struct bpf_crypto_params params;

/* Create a context from ctx's params; on success stash it (a context stashed before is released).
 * Returns 0 or bpf_crypto_ctx_create's *err. */
SEC("syscall")
int setup(struct setup_args *args)
{
	struct bpf_crypto_ctx *cctx, *old;
	struct stash *v;
	__u32 size = args->size;
	int err = 0, key = 0;

	__builtin_memcpy(&params, &args->params, sizeof(params));
	if (size > sizeof(params))
		size = sizeof(params);
	/* params in global data (a map value), as the kernel's crypto_sanity passes them */
	cctx = bpf_crypto_ctx_create(&params, size, &err);
	if (!cctx)
		return err;
	v = bpf_map_lookup_elem(&ctxs, &key);
	if (!v) {
		bpf_crypto_ctx_release(cctx);
		return -2;
	}
	old = bpf_kptr_xchg(&v->ctx, cctx);
	if (old)
		bpf_crypto_ctx_release(old);
	return 0;
}

/* Take a second reference to the stashed context under rcu and drop it: 0, or 1 when nothing is
 * stashed. */
SEC("syscall")
int acquire_release(void *ctx)
{
	struct bpf_crypto_ctx *c, *ref;
	struct stash *v;
	int key = 0, ret = 1;

	v = bpf_map_lookup_elem(&ctxs, &key);
	if (!v)
		return -2;
	bpf_rcu_read_lock();
	c = v->ctx;
	if (c) {
		ref = bpf_crypto_ctx_acquire(c);
		if (ref) {
			bpf_crypto_ctx_release(ref);
			ret = 0;
		} else {
			ret = 2;
		}
	}
	bpf_rcu_read_unlock();
	return ret;
}

/* Drop the stashed context (the map's kptr): 0, or 1 when nothing was stashed. */
SEC("syscall")
int teardown(void *ctx)
{
	struct bpf_crypto_ctx *old;
	struct stash *v;
	int key = 0;

	v = bpf_map_lookup_elem(&ctxs, &key);
	if (!v)
		return -2;
	old = bpf_kptr_xchg(&v->ctx, NULL);
	if (!old)
		return 1;
	bpf_crypto_ctx_release(old);
	return 0;
}

/* The packet starts with the request: regions as [offset, offset + len) of the packet; siv_len 0
 * passes a NULL IV. */
struct crypt_req {
	__u32 src_off, src_len;
	__u32 dst_off, dst_len;
	__u32 siv_off, siv_len;
};

static __always_inline int crypt(struct __sk_buff *skb, int decrypt)
{
	struct bpf_dynptr pkt, src, dst, siv;
	struct crypt_req req;
	struct bpf_crypto_ctx *c;
	struct stash *v;
	int key = 0, err;

	if (bpf_skb_load_bytes(skb, 0, &req, sizeof(req)))
		return -1000;
	v = bpf_map_lookup_elem(&ctxs, &key);
	if (!v)
		return -1001;
	c = v->ctx;
	if (!c)
		return -1002;
	if (bpf_dynptr_from_skb(skb, 0, &pkt))
		return -1003;
	bpf_dynptr_clone(&pkt, &src);
	bpf_dynptr_clone(&pkt, &dst);
	bpf_dynptr_clone(&pkt, &siv);
	if (bpf_dynptr_adjust(&src, req.src_off, req.src_off + req.src_len))
		return -1004;
	if (bpf_dynptr_adjust(&dst, req.dst_off, req.dst_off + req.dst_len))
		return -1005;
	if (bpf_dynptr_adjust(&siv, req.siv_off, req.siv_off + req.siv_len))
		return -1006;
	if (decrypt)
		err = bpf_crypto_decrypt(c, &src, &dst, req.siv_len ? &siv : NULL);
	else
		err = bpf_crypto_encrypt(c, &src, &dst, req.siv_len ? &siv : NULL);
	return err;
}

SEC("tc")
int encrypt(struct __sk_buff *skb)
{
	return crypt(skb, 0);
}

SEC("tc")
int decrypt(struct __sk_buff *skb)
{
	return crypt(skb, 1);
}

char _license[] SEC("license") = "GPL";
