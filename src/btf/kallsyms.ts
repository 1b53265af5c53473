// The built-in kernel's text symbols (its kallsyms): the functions it has, each at an address in
// the kernel image. An untyped `extern const void f __ksym` resolves here (libbpf looks such names
// up in /proc/kallsyms), bpf_get_func_ip returns the address of the function a program is attached
// to, and %ps/%pS print the name back. Every function of the built-in BTF's prototypes
// (BUILTIN_KERNEL_FUNCS) is here, plus kernel functions programs name only by address.
//
// An address is chosen from a hash of the name (a 64-byte slot in the first 16 MiB of the kernel
// text), so adding a function never moves another; no two known names share a slot (checked when
// the table is built). The kernel's text holds no bytes here: a read of an address faults.
import { BUILTIN_KERNEL_FUNCS } from './builtin.js';

/** Where the kernel image's text starts on x86-64 (without KASLR). */
export const KERNEL_TEXT_ADDR = 0xffffffff81000000n;
/** The symbol size %pS prints (name+0x0/0x40): every function is given one 64-byte extent. */
export const KERNEL_FUNC_SIZE = 0x40n;

/** Kernel functions with no prototype in the built-in BTF that programs still take the address of
 *  (net/bpf/test_run.c's test targets, which kprobe selftests probe; schedule). */
const TEXT_ONLY: readonly string[] = [
  'bpf_fentry_test4', 'bpf_fentry_test5', 'bpf_fentry_test6', 'bpf_fentry_test8', 'bpf_fentry_test9',
  'bpf_modify_return_test', 'bpf_modify_return_test2', 'bpf_modify_return_test_tp', 'bpf_fentry_shadow_test', 'schedule',
];

/** FNV-1a of the name, as a 64-byte slot's offset in the first 16 MiB of text. */
function slotOf(name: string): bigint {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return BigInt(h & 0xffffc0);
}

let byName: Map<string, bigint> | undefined;
let byAddr: Map<bigint, string> | undefined;

function table(): Map<string, bigint> {
  if (byName) return byName;
  byName = new Map();
  byAddr = new Map();
  for (const name of [...BUILTIN_KERNEL_FUNCS.map((f) => f.name), ...TEXT_ONLY]) {
    if (byName.has(name)) continue;
    const addr = KERNEL_TEXT_ADDR + slotOf(name);
    const other = byAddr.get(addr);
    if (other !== undefined) throw new Error(`kallsyms: ${name} and ${other} hash to the same address`);
    byName.set(name, addr);
    byAddr.set(addr, name);
  }
  return byName;
}

/** The address of kernel function `name`, or undefined when the built-in kernel has none. */
export function kernelFuncAddr(name: string): bigint | undefined {
  return table().get(name);
}

/** The function whose extent holds `addr`, and the offset into it; undefined outside them. */
export function kernelFuncAt(addr: bigint): { name: string; offset: bigint } | undefined {
  table();
  const start = addr & ~(KERNEL_FUNC_SIZE - 1n);
  const name = byAddr!.get(start);
  return name === undefined ? undefined : { name, offset: addr - start };
}
