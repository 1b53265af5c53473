// The built-in kernel BTF's uapi and BPF structs have the kernel's layout: every named member
// (looking through anonymous unions such as __bpf_md_ptr) sits at the kernel's offset with the
// kernel's size. Checked against the committed layouts recorded from Linux 6.18's BTF
// (test/fixtures/core/kernel_layouts.json, scripts/record-core.mjs) and, when present, against
// the live /sys/kernel/btf/vmlinux.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinBtf } from '../../src/btf/builtin.js';
import { BtfKind, parseBtf, type Btf } from '../../src/btf/btf.js';

/** name -> [offset, size] of every named member, anonymous members flattened. */
function layoutOf(btf: Btf, struct: string): { size: number; members: Record<string, [number, number]> } {
  const t = btf.find(struct, BtfKind.STRUCT)[0];
  if (!t) throw new Error(`no struct ${struct}`);
  const members: Record<string, [number, number]> = {};
  const walk = (id: number, base: number) => {
    for (const m of btf.resolve(id).members!) {
      if (m.name) members[m.name] = [base + m.bitOffset / 8, btf.sizeof(m.type)];
      else walk(m.type, base + m.bitOffset / 8);
    }
  };
  walk(t.id, 0);
  return { size: t.sizeOrType, members };
}

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'core', 'kernel_layouts.json');

/** Deliberate differences: the built-in pt_regs follows the uapi header (`unsigned long cs, ss`)
 *  where the kernel's own BTF has FRED unions (`u16 cs` / `u64 csx`) at the same offsets. */
const WIDTH_DIFFERS = new Set(['pt_regs.cs', 'pt_regs.ss']);

/** Every member we declare is where the kernel has it, with its size; struct sizes agree. The
 *  kernel may have more members (bpf_sk_lookup's `cookie` shares `sk`'s union). */
function expectKernelLayout(ours: ReturnType<typeof layoutOf>, theirs: ReturnType<typeof layoutOf>, struct: string, sizes = true): void {
  if (sizes) expect(ours.size, `sizeof(struct ${struct})`).toBe(theirs.size);
  for (const [name, [off, size]] of Object.entries(ours.members)) {
    const t = theirs.members[name];
    expect(t, `${struct}.${name} exists in the kernel`).toBeDefined();
    expect(t![0], `${struct}.${name} offset`).toBe(off);
    if (!WIDTH_DIFFERS.has(`${struct}.${name}`)) expect(t![1], `${struct}.${name} size`).toBe(size);
  }
}

describe('built-in BTF layouts equal the kernel', () => {
  // The struct list lives in scripts/record-core.mjs (uapi and BPF ABI structs; task_struct is a
  // subset on purpose and is not among them).
  const rec = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { kernel: string; layouts: Record<string, ReturnType<typeof layoutOf>> };
  const ABI_STRUCTS = Object.keys(rec.layouts);
  it(`the layouts recorded on Linux ${rec.kernel}`, () => {
    expect(ABI_STRUCTS.length).toBeGreaterThan(15);
    for (const s of ABI_STRUCTS) expectKernelLayout(layoutOf(builtinBtf(), s), rec.layouts[s]!, s);
  });
  it.skipIf(!existsSync('/sys/kernel/btf/vmlinux'))('the live kernel BTF', () => {
    const k = parseBtf(new Uint8Array(readFileSync('/sys/kernel/btf/vmlinux')));
    // Newer kernels may grow uapi structs: compare member placement only.
    for (const s of ABI_STRUCTS) expectKernelLayout(layoutOf(builtinBtf(), s), layoutOf(k, s), s, false);
  });
});
