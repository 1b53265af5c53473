// vmlinux.h for the runtime's built-in kernel: the built-in BTF printed as C the way
// `bpftool btf dump file /sys/kernel/btf/vmlinux format c` prints a kernel's (the __VMLINUX_H__
// guard, every record under `preserve_access_index` so field accesses become CO-RE relocations).
// Programs written against it relocate against the built-in BTF, or any kernel's, at load.
// Regenerate the committed copy with `ebpfvm btf dump --builtin --format c > include/vmlinux.h`.
import type { Btf } from './btf.js';
import { formatBtfC } from './format.js';
import { builtinBtf } from './builtin.js';

const BANNER = `/* vmlinux.h of the ebpfvm runtime's built-in kernel BTF (generated: ebpfvm btf dump --builtin --format c).
 * Context structs (__sk_buff, xdp_md, pt_regs, ...), bpf_spin_lock, bpf_timer, rb_node, a task_struct
 * subset and the uapi enums programs use. Field accesses are CO-RE relocations (preserve_access_index),
 * so programs built against this header also load against a real kernel's BTF. */
`;

/** The C header for a BTF (default: the built-in one). */
export function vmlinuxHeader(btf: Btf = builtinBtf()): string {
  return BANNER + formatBtfC(btf);
}
