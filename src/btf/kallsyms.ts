// The built-in kernel's text symbols (its kallsyms): the functions it has, each at an address in
// the kernel image. An untyped `extern const void f __ksym` resolves here (libbpf looks such names
// up in /proc/kallsyms), bpf_get_func_ip returns the address of the function a program is attached
// to, and %ps/%pS print the name back. BUILTIN_KERNEL_FUNCS, the functions with a prototype (a FUNC
// of the built-in BTF, src/btf/builtin.ts, which fentry and friends attach to), are here, plus
// kernel functions programs name only by address. No imports: the helpers read it.
//
// An address is chosen from a hash of the name (a 64-byte slot in the first 16 MiB of the kernel
// text), so adding a function never moves another; no two known names share a slot (checked when
// the table is built). The kernel's text holds no bytes here: a read of an address faults.

/** Kernel functions the RFC's selftests and common tracing programs attach to, with their
 *  prototypes (x86-64: syscall entry points take the saved user registers). */
export const BUILTIN_KERNEL_FUNCS: readonly { name: string; ret: string; params: [string, string][] }[] = [
  ...['getpgid', 'getpid', 'getppid', 'gettid', 'nanosleep', 'write', 'read', 'openat', 'close', 'execve', 'clone', 'exit_group', 'kill', 'bpf'].map((s) => ({
    name: `__x64_sys_${s}`,
    ret: 'long',
    params: [['const struct pt_regs *', 'regs']] as [string, string][],
  })),
  // The kernel's own fentry test targets (net/bpf/test_run.c).
  { name: 'bpf_fentry_test1', ret: 'int', params: [['int', 'a']] },
  { name: 'bpf_fentry_test2', ret: 'int', params: [['int', 'a'], ['u64', 'b']] },
  { name: 'bpf_fentry_test3', ret: 'int', params: [['char', 'a'], ['int', 'b'], ['u64', 'c']] },
  { name: 'bpf_fentry_test7', ret: 'int', params: [['struct bpf_fentry_test_t *', 'arg']] },
  { name: 'bpf_fentry_test_sinfo', ret: 'void', params: [['struct skb_shared_info *', 'sinfo']] },
  // Task lifecycle points: BTF pointer arguments (PROBE_MEM loads into the kernel-memory view).
  { name: 'wake_up_new_task', ret: 'void', params: [['struct task_struct *', 'p']] },
  { name: 'do_exit', ret: 'void', params: [['long', 'code']] },
  { name: '__set_task_comm', ret: 'void', params: [['struct task_struct *', 'tsk'], ['const char *', 'buf'], ['bool', 'exec']] },
  { name: 'security_task_alloc', ret: 'int', params: [['struct task_struct *', 'task'], ['unsigned long', 'clone_flags']] },
  { name: 'do_sys_openat2', ret: 'long', params: [['int', 'dfd'], ['const char *', 'filename'], ['void *', 'how']] },
  // BPF LSM hooks (lsm/<hook> attaches to bpf_lsm_<hook>, kernel/bpf/bpf_lsm.c).
  { name: 'bpf_lsm_task_alloc', ret: 'int', params: [['struct task_struct *', 'task'], ['unsigned long', 'clone_flags']] },
  { name: 'bpf_lsm_task_free', ret: 'void', params: [['struct task_struct *', 'task']] },
  { name: 'bpf_lsm_bpf', ret: 'int', params: [['int', 'cmd'], ['void *', 'attr'], ['unsigned int', 'size'], ['bool', 'kernel']] },
];

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

/** Every function of the text, by address (what /proc/kallsyms and the ksym iterator list). */
export function kernelFuncs(): { name: string; addr: bigint }[] {
  return [...table()].map(([name, addr]) => ({ name, addr })).sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
}
