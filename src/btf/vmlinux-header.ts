// vmlinux.h for the runtime's built-in kernel: the built-in BTF printed as C the way
// `bpftool btf dump file /sys/kernel/btf/vmlinux format c` prints a kernel's (the __VMLINUX_H__
// guard, every record under `preserve_access_index` so field accesses become CO-RE relocations).
// Programs written against it relocate against the built-in BTF, or any kernel's, at load.
// Regenerate the committed copy with `ebpfvm btf dump --builtin --format c > include/vmlinux.h`.
import { BtfKind, type Btf } from './btf.js';
import { formatBtfC, formatTypeDecl } from './format.js';
import { builtinBtf } from './builtin.js';
import { KFUNCS } from '../../helpers/kfuncs.js';
import { RBTREE_HELPERS } from '../../helpers/rbtree.js';

const RFC_HELPER_NAMES: ReadonlySet<string> = new Set(RBTREE_HELPERS.map((h) => `bpf_${h.name}`));

const BANNER = `/* vmlinux.h of the ebpfvm runtime's built-in kernel BTF (generated: ebpfvm btf dump --builtin --format c).
 * Context structs (__sk_buff, xdp_md, pt_regs, ...), bpf_spin_lock, bpf_timer, rb_node, a task_struct
 * subset and the uapi enums programs use. Field accesses are CO-RE relocations (preserve_access_index),
 * so programs built against this header also load against a real kernel's BTF. */
`;

const PUSH_END = '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n\n';
const POP = '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop';

/** The C header for a BTF (default: the built-in one). With the built-in BTF it ends, as
 *  bpftool 7.4+ prints a kernel's, with the kfunc prototypes (helpers/kfuncs.ts) as weak
 *  `__ksym` externs, and defines `__ksym`/`__weak` for them when bpf_helpers.h has not. */
export function vmlinuxHeader(btf: Btf = builtinBtf()): string {
  let c = formatBtfC(btf);
  const protos = KFUNCS.map((k) => btf.find(k.name, BtfKind.FUNC)[0])
    // A name the RFC's rbtree helpers also use (bpf_rbtree_first/remove) is left out: programs
    // that include bpf_rbtree.h after this header declare the helper under that name, and
    // mainline programs declare the kfunc themselves (bpf_experimental.h).
    .filter((f): f is NonNullable<typeof f> => f !== undefined && !RFC_HELPER_NAMES.has(f.name) && KFUNCS.some((k) => k.name === f.name && btf.type(f.sizeOrType).params!.map((p) => p.name).join() === k.params.map(([, n]) => n).join()))
    .sort((a, b) => a.id - b.id)
    .map((f) => `extern ${formatTypeDecl(btf, f.sizeOrType, f.name)} __weak __ksym;\n`);
  const push = c.indexOf(PUSH_END);
  const pop = c.lastIndexOf(POP);
  if (protos.length && push >= 0 && pop > push) {
    const defines = '#ifndef __ksym\n#define __ksym __attribute__((section(".ksyms")))\n#endif\n\n#ifndef __weak\n#define __weak __attribute__((weak))\n#endif\n\n';
    const block = `/* BPF kfuncs */\n#ifndef BPF_NO_KFUNC_PROTOTYPES\n${protos.join('')}#endif\n\n`;
    c = c.slice(0, push + PUSH_END.length) + defines + c.slice(push + PUSH_END.length, pop) + block + c.slice(pop);
  }
  return BANNER + c;
}
