// SPDX-License-Identifier: MIT
/* The BPF crypto kfuncs' rules (verifier/crypto.ts): create only in (sleepable) syscall programs,
 * its params/size pair and err as memory, the context an acquired reference that must be released
 * or stashed, encrypt/decrypt only in tc and xdp with a trusted or rcu context and initialised
 * dynptrs. Verdicts recorded on the host (test/fixtures/verifier-kernel/crypto.json). */
#include "vmaps.h"

struct bpf_crypto_params {
	char type[14];
	__u8 reserved[2];
	char algo[128];
	__u8 key[256];
	__u32 key_len;
	__u32 authsize;
};

struct bpf_crypto_ctx {
	const void *type;
	void *tfm;
	__u32 siv_len;
};

extern struct bpf_crypto_ctx *bpf_crypto_ctx_create(const struct bpf_crypto_params *params, __u32 params__sz, int *err) __ksym;
extern struct bpf_crypto_ctx *bpf_crypto_ctx_acquire(struct bpf_crypto_ctx *ctx) __ksym;
extern void bpf_crypto_ctx_release(struct bpf_crypto_ctx *ctx) __ksym;
extern int bpf_crypto_encrypt(struct bpf_crypto_ctx *ctx, const struct bpf_dynptr *src, const struct bpf_dynptr *dst, const struct bpf_dynptr *siv__nullable) __ksym;
extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
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

struct bpf_crypto_params params = { .type = "skcipher", .algo = "ecb(aes)", .key_len = 16 };
char buf[16];

SEC("syscall")
__description("crypto: create and release")
__success __retval(0)
int create_release(void *ctx)
{
	struct bpf_crypto_ctx *c;
	int err = 0;

	c = bpf_crypto_ctx_create(&params, sizeof(params), &err);
	if (!c)
		return err;
	bpf_crypto_ctx_release(c);
	return 0;
}

SEC("syscall")
__description("crypto: a created context must be released or stashed")
__failure __msg("Unreleased reference")
int create_leak(void *ctx)
{
	int err = 0;

	return bpf_crypto_ctx_create(&params, sizeof(params), &err) ? 0 : err;
}

SEC("syscall")
__description("crypto: the context may be NULL")
__failure __msg("Possibly NULL pointer passed to trusted arg0")
int release_null(void *ctx)
{
	int err = 0;
	struct bpf_crypto_ctx *c = bpf_crypto_ctx_create(&params, sizeof(params), &err);

	bpf_crypto_ctx_release(c);
	return 0;
}

SEC("syscall")
__description("crypto: params shorter than the size passed")
__failure __msg("arg#0 arg#1 memory, len pair leads to invalid memory access")
int create_short(void *ctx)
{
	struct bpf_crypto_ctx *c;
	int err = 0;

	c = bpf_crypto_ctx_create((void *)buf, sizeof(params), &err);
	if (c)
		bpf_crypto_ctx_release(c);
	return err;
}

SEC("syscall")
__description("crypto: err may be uninitialised stack (the host accepts it)")
__success __retval(0)
int create_err_uninit(void *ctx)
{
	struct bpf_crypto_ctx *c;
	int err;

	c = bpf_crypto_ctx_create(&params, sizeof(params), &err);
	if (c)
		bpf_crypto_ctx_release(c);
	return 0;
}

SEC("syscall")
__description("crypto: a stashed context, acquired under rcu and released")
__success __retval(0)
int stash_acquire(void *ctx)
{
	struct bpf_crypto_ctx *c, *old;
	struct stash *v;
	int key = 0, err = 0;

	c = bpf_crypto_ctx_create(&params, sizeof(params), &err);
	if (!c)
		return 0;
	v = bpf_map_lookup_elem(&ctxs, &key);
	if (!v) {
		bpf_crypto_ctx_release(c);
		return 0;
	}
	old = bpf_kptr_xchg(&v->ctx, c);
	if (old)
		bpf_crypto_ctx_release(old);
	bpf_rcu_read_lock();
	c = v->ctx;
	if (c) {
		c = bpf_crypto_ctx_acquire(c);
		if (c)
			bpf_crypto_ctx_release(c);
	}
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
__description("crypto: a stashed context outside rcu in a sleepable program is untrusted")
__failure __msg("must be a rcu pointer")
int acquire_untrusted(void *ctx)
{
	struct bpf_crypto_ctx *c;
	struct stash *v;
	int key = 0;

	v = bpf_map_lookup_elem(&ctxs, &key);
	if (!v)
		return 0;
	c = v->ctx;
	if (!c)
		return 0;
	c = bpf_crypto_ctx_acquire(c);
	if (c)
		bpf_crypto_ctx_release(c);
	return 0;
}

SEC("tc")
__description("crypto: create is for syscall programs only")
__failure __msg("calling kernel function bpf_crypto_ctx_create is not allowed")
int create_in_tc(struct __sk_buff *skb)
{
	struct bpf_crypto_ctx *c;
	int err = 0;

	c = bpf_crypto_ctx_create(&params, sizeof(params), &err);
	if (c)
		bpf_crypto_ctx_release(c);
	return 0;
}

SEC("tc")
__description("crypto: encrypt in tc with the stashed context")
__success __retval(-1)
int encrypt_ok(struct __sk_buff *skb)
{
	struct bpf_dynptr p;
	struct stash *v;
	struct bpf_crypto_ctx *c;
	int key = 0;

	v = bpf_map_lookup_elem(&ctxs, &key);
	if (!v)
		return -1;
	c = v->ctx;
	if (!c)
		return -1;
	bpf_dynptr_from_skb(skb, 0, &p);
	return bpf_crypto_encrypt(c, &p, &p, NULL);
}

SEC("tc")
__description("crypto: encrypt's src must be an initialised dynptr")
__failure __msg("Expected an initialized dynptr as arg #1")
int encrypt_uninit(struct __sk_buff *skb)
{
	struct bpf_dynptr p, q;
	struct stash *v;
	struct bpf_crypto_ctx *c;
	int key = 0;

	v = bpf_map_lookup_elem(&ctxs, &key);
	if (!v)
		return 0;
	c = v->ctx;
	if (!c)
		return 0;
	bpf_dynptr_from_skb(skb, 0, &p);
	return bpf_crypto_encrypt(c, &q, &p, NULL);
}

SEC("tc")
__description("crypto: encrypt's context may be NULL")
__failure __msg("Possibly NULL pointer passed to trusted arg0")
int encrypt_null_ctx(struct __sk_buff *skb)
{
	struct bpf_dynptr p;
	struct stash *v;
	int key = 0;

	v = bpf_map_lookup_elem(&ctxs, &key);
	if (!v)
		return 0;
	bpf_dynptr_from_skb(skb, 0, &p);
	return bpf_crypto_encrypt(v->ctx, &p, &p, NULL);
}

char _license[] SEC("license") = "GPL";
