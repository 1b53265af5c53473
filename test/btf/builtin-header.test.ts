// include/vmlinux.h compiles with libbpf's headers and bpf_rbtree.h, and clang lays out every
// struct exactly as the built-in BTF says (sizeof and offsetof of each member, checked with
// _Static_assert), so programs built against the header and the BTF they relocate against agree.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinBtf } from '../../src/btf/builtin.js';
import { BtfKind } from '../../src/btf/btf.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLANG = process.env.CLANG ?? 'clang-19';
const hasClang = (() => {
  try {
    execFileSync(CLANG, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('include/vmlinux.h', () => {
  it.skipIf(!hasClang)('compiles with bpf_helpers.h, bpf_core_read.h, bpf_tracing.h, bpf_rbtree.h; clang agrees on every layout', () => {
    const btf = builtinBtf();
    const asserts: string[] = [];
    for (const t of btf.types) {
      if (t.kind !== BtfKind.STRUCT || !t.name) continue;
      asserts.push(`_Static_assert(sizeof(struct ${t.name}) == ${t.sizeOrType}, "sizeof ${t.name}");`);
      for (const m of t.members!) {
        if (!m.name || m.bitfieldSize) continue;
        asserts.push(`_Static_assert(__builtin_offsetof(struct ${t.name}, ${m.name}) == ${m.bitOffset / 8}, "${t.name}.${m.name}");`);
      }
    }
    expect(asserts.length).toBeGreaterThan(150);
    const src = ['#include "vmlinux.h"', '#include <bpf/bpf_helpers.h>', '#include <bpf/bpf_core_read.h>', '#include <bpf/bpf_tracing.h>', '#include "bpf_rbtree.h"', ...asserts, ''].join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'ebpfvm-vmlinux-'));
    writeFileSync(join(dir, 'check.c'), src);
    execFileSync(CLANG, ['-target', 'bpf', '-D__TARGET_ARCH_x86', '-fsyntax-only', '-Werror', '-I', join(ROOT, 'include'), join(dir, 'check.c')], { stdio: 'pipe' });
  });
});
