// include/bpf_rbtree.h: compiles with clang-19 next to libbpf's headers, both with <linux/bpf.h>
// and in a vmlinux.h-style program that already defines struct rb_node (the __VMLINUX_H__ guard).
// Skipped where clang-19 is missing; the committed objects cover the rest.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
let clang = false;
try {
  execFileSync('clang-19', ['--version']);
  clang = true;
} catch {
  /* no compiler here */
}
const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';

function compile(src: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rbtree-h-'));
  writeFileSync(join(dir, 'p.c'), src);
  execFileSync('clang-19', ['-O2', '-g', '-target', 'bpf', '-I', join(root, 'include'), '-I', `/usr/include/${arch}-linux-gnu`, '-c', join(dir, 'p.c'), '-o', join(dir, 'p.o')]);
  return execFileSync('llvm-objdump-19', ['-d', join(dir, 'p.o')]).toString();
}

describe.skipIf(!clang)('include/bpf_rbtree.h', () => {
  it('declares the twelve helpers as ids 212-223 and the map type 4096', () => {
    const out = compile(`
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_rbtree.h"
struct node_data { struct rb_node node; __u32 one; };
struct { __uint(type, BPF_MAP_TYPE_RBTREE); __type(value, struct node_data); } t SEC(".maps");
_Static_assert(sizeof(struct rb_node) == 24, "rb_node is 24 bytes");
_Static_assert(_Alignof(struct rb_node) == 8, "rb_node is 8-aligned");
_Static_assert(BPF_MAP_TYPE_RBTREE == 4096, "map type");
static bool less(struct rb_node *a, const struct rb_node *b) { return ((struct node_data *)a)->one < ((struct node_data *)b)->one; }
static int cmp(const void *k, const struct rb_node *n) { return 0; }
SEC("syscall") int p(void *ctx) {
  struct node_data *n = bpf_rbtree_alloc_node(&t, sizeof(*n)), *m;
  if (!n) return 0;
  bpf_rbtree_lock(bpf_rbtree_get_lock(&t));
  m = bpf_rbtree_add(&t, n, less);
  if (!m) { bpf_rbtree_unlock(bpf_rbtree_get_lock(&t)); bpf_rbtree_free_node(&t, n); return 0; }
  m = bpf_rbtree_find(&t, ctx, cmp);
  m = bpf_rbtree_first(&t); m = bpf_rbtree_last(&t);
  if (m) { m = bpf_rbtree_next(&t, m); }
  if (m) { m = bpf_rbtree_prev(&t, m); }
  if (m) m = bpf_rbtree_remove(&t, m);
  bpf_rbtree_unlock(bpf_rbtree_get_lock(&t));
  if (m) bpf_rbtree_free_node(&t, m);
  return 0;
}
char _l[] SEC("license") = "GPL";`);
    const ids = [...out.matchAll(/call 0x([0-9a-f]+)/g)].map((m) => parseInt(m[1]!, 16));
    expect(new Set(ids.filter((i) => i >= 200))).toEqual(new Set([212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223]));
  });

  it('leaves struct rb_node to vmlinux.h when __VMLINUX_H__ is defined', () => {
    expect(() =>
      compile(`
#ifndef __VMLINUX_H__
#define __VMLINUX_H__
typedef unsigned int __u32;
struct rb_node { unsigned long __rb_parent_color; struct rb_node *rb_right; struct rb_node *rb_left; } __attribute__((aligned(8)));
struct bpf_spin_lock { __u32 val; };
#endif
#include "bpf_rbtree.h"
__attribute__((section("syscall"))) int p(void *ctx) { return sizeof(struct rb_node); }`),
    ).not.toThrow();
  });
});
