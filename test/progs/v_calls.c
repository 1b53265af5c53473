// Verifier corpus programs (test/verifier/corpus.test.ts): callbacks (bpf_loop, for_each_map_elem),
// a global and a static function, bpf_spin_lock rules, a bounded loop with a branch per
// iteration (pruning with precision), packet ranges with a variable offset.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, int); __type(value, long); } m SEC(".maps");
struct val { long a; struct bpf_spin_lock l; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, int); __type(value, struct val); } hl SEC(".maps");
struct ctxs { long sum; int i; };
static long cb(__u32 idx, struct ctxs *c) { c->sum += idx; c->i++; return 0; }
static long cb2(void *map, int *key, long *val, struct ctxs *c) { c->sum += *val; return 0; }
__noinline int glob(struct __sk_buff *skb, int x) { return x + skb->len; }
static __noinline int sub(int x) { return x * 2; }
SEC("tc") int loop_cb(struct __sk_buff *skb) { struct ctxs c = {}; bpf_loop(100, cb, &c, 0); return c.sum & 1; }
SEC("tc") int each(struct __sk_buff *skb) { struct ctxs c = {}; bpf_for_each_map_elem(&m, cb2, &c, 0); return c.sum & 1; }
SEC("tc") int calls(struct __sk_buff *skb) { return glob(skb, 3) + sub(skb->mark); }
SEC("tc") int locks(struct __sk_buff *skb) { int k = 0; struct val *v = bpf_map_lookup_elem(&hl, &k); if (!v) return 0; bpf_spin_lock(&v->l); v->a++; bpf_spin_unlock(&v->l); return 0; }
SEC("tc") int lock_leak(struct __sk_buff *skb) { int k = 0; struct val *v = bpf_map_lookup_elem(&hl, &k); if (!v) return 0; bpf_spin_lock(&v->l); v->a++; if (skb->len) return 1; bpf_spin_unlock(&v->l); return 0; }
SEC("tc") int lock_call(struct __sk_buff *skb) { int k = 0; struct val *v = bpf_map_lookup_elem(&hl, &k); if (!v) return 0; bpf_spin_lock(&v->l); v->a = bpf_get_prandom_u32(); bpf_spin_unlock(&v->l); return 0; }
SEC("tc") int branchy_loop(struct __sk_buff *skb) { long s = 0; for (int i = 0; i < 1000; i++) { int k = i & 3; long *v = bpf_map_lookup_elem(&m, &k); if (v) s += *v; else s -= 1; } return s & 1; }
SEC("xdp") int pkt(struct xdp_md *ctx) { void *d = (void*)(long)ctx->data, *e = (void*)(long)ctx->data_end; unsigned char *p = d; if (p + 20 > (unsigned char*)e) return 1; int n = p[0] & 15; if (p + n + 1 > (unsigned char*)e) return 2; return p[n]; }
char _l[] SEC("license") = "GPL";
