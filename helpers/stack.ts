// Stack-trace helpers (kernel/bpf/stackmap.c) on synthetic call stacks. ebpfvm runs no kernel
// and no user process, so it has no stacks to walk; instead every helper call sees a fixed,
// deterministic stack that has the shape of the kernel's for a program test-run through bpf(2):
//   kernel stack, innermost first:
//     one frame per BPF function on the call chain, the helper's caller first, then each
//     bpf-to-bpf caller: 0xffffffffa0000000 + (fnv1a32(program name) & 0xfff) * 0x10000
//       + (pc + 1) * 8, the return address after that call instruction (so two call sites give
//       two stacks, as the kernel's JIT addresses do);
//     then KERNEL_FRAMES below (6 frames, bpf_test_run ... entry_SYSCALL_64_after_hwframe).
//   user stack (BPF_F_USER_STACK), innermost first: USER_FRAMES below (3 frames: the syscall
//     wrapper in libc, main, __libc_start_call_main).
// Addresses are made up but fixed:
// tests may rely on them; they are not the host's.
//
// Kernel rules kept:
//   get_stackid (27)(ctx, map, flags): flags other than the skip count (low 8 bits),
//     BPF_F_USER_STACK, BPF_F_FAST_STACK_CMP, BPF_F_REUSE_STACKID: -EINVAL. The stack is taken
//     to depth min(entries a value holds + skip, 127); skipping all of it is -EFAULT. The id and
//     its -EEXIST / -ENOMEM come from the map (maps/stack-trace.ts).
//   get_stack (67)(ctx, buf, size, flags): flags other than skip, BPF_F_USER_STACK,
//     BPF_F_USER_BUILD_ID, or BPF_F_USER_BUILD_ID without BPF_F_USER_STACK, or a size that is not
//     a multiple of the entry (8 bytes; 32, a struct bpf_stack_build_id, with USER_BUILD_ID):
//     -EINVAL with buf zeroed; skipping more than the stack: -EFAULT, buf zeroed. Otherwise the
//     entries after the skipped ones, as many as fit, the rest of buf zeroed; returns the bytes
//     of entries written. Build-id entries carry status BPF_STACK_BUILD_ID_IP and the ip.
//   get_task_stack (141)(task, buf, size, flags): get_stack's rules for a task of the task model
//     (another pointer faults naming the helper). The current task's stacks are get_stack's; any
//     other task's kernel stack is empty (ebpfvm runs no other task: 0 bytes, buf zeroed) and its
//     user stack -EOPNOTSUPP, as the kernel refuses a cross-task user stack.

import { FaultSignal } from '../src/errors.js';
import { BPF_STACK_BUILD_ID_IP, PERF_EVENT_MAX_STACK, STACK_BUILD_ID_SIZE, StackFlag, StackTraceMap } from '../maps/stack-trace.js';
import { Errno } from '../maps/types.js';
import { CURRENT_TASK_ADDR } from '../src/btf/builtin-addrs.js';
import type { HelperCall, HelperEntry, HelperResult } from './types.js';

/** The kernel frames under the program, innermost first. */
export const KERNEL_FRAMES: readonly (readonly [bigint, string])[] = [
  [0xffffffff81e2c1a4n, 'bpf_test_run'],
  [0xffffffff81e2d3b8n, 'bpf_prog_test_run'],
  [0xffffffff8138f6d2n, '__sys_bpf'],
  [0xffffffff81391e45n, '__x64_sys_bpf'],
  [0xffffffff8209c3e0n, 'do_syscall_64'],
  [0xffffffff82200130n, 'entry_SYSCALL_64_after_hwframe'],
];
/** The user frames, innermost first. */
export const USER_FRAMES: readonly (readonly [bigint, string])[] = [
  [0x00007f3a1c51e88dn, 'syscall'],
  [0x0000555a3f4011c9n, 'main'],
  [0x00007f3a1c429d90n, '__libc_start_call_main'],
];
export const BPF_PROG_TEXT = 0xffffffffa0000000n;

function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The synthetic stack a helper call sees, innermost first (kernel or user). */
export function syntheticStack(call: Pick<HelperCall, 'pc' | 'progName' | 'callers'>, user: boolean): bigint[] {
  if (user) return USER_FRAMES.map(([ip]) => ip);
  const ip = (prog: string, pc: number): bigint => BPF_PROG_TEXT + BigInt(fnv1a32(prog) & 0xfff) * 0x10000n + BigInt((pc + 1) * 8);
  const progs = [ip(call.progName ?? '', call.pc ?? 0), ...(call.callers ?? []).map((c) => ip(c.prog, c.pc))];
  return [...progs, ...KERNEL_FRAMES.map(([a]) => a)];
}

/** stack_map_calculate_max_depth. */
function maxDepth(bytes: number, elem: number, skip: number): number {
  return Math.min(Math.floor(bytes / elem) + skip, PERF_EVENT_MAX_STACK);
}

export const STACK_HELPERS: readonly HelperEntry[] = [
  {
    id: 27,
    name: 'get_stackid',
    proto: { args: [{ type: 'ARG_PTR_TO_CTX' }, { type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: true,
    progTypes: 'all',
    impl: (call) => {
      const map = call.map(2);
      const flags = call.u64(3);
      const allowed = BigInt(StackFlag.SKIP_FIELD_MASK | StackFlag.USER_STACK | StackFlag.FAST_STACK_CMP | StackFlag.REUSE_STACKID);
      if ((flags & ~allowed) !== 0n) return -Errno.EINVAL;
      if (!(map instanceof StackTraceMap)) throw new FaultSignal(`get_stackid: map ${map.name} is not a stack trace map`);
      const f = Number(flags);
      const skip = f & StackFlag.SKIP_FIELD_MASK;
      const depth = maxDepth(map.valueSize, map.entrySize, skip);
      const trace = syntheticStack(call, (f & StackFlag.USER_STACK) !== 0).slice(0, depth);
      if (trace.length <= skip) return -Errno.EFAULT;
      const nr = Math.min(trace.length - skip, depth - skip);
      return map.stackId(trace.slice(skip, skip + nr), f);
    },
  },
  {
    id: 67,
    name: 'get_stack',
    proto: { args: [{ type: 'ARG_PTR_TO_CTX' }, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_UNINIT'] }, { type: 'ARG_CONST_SIZE_OR_ZERO' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: true,
    progTypes: 'all',
    impl: (call) => getStackInto(call, (user) => syntheticStack(call, user)),
  },
  {
    id: 141,
    name: 'get_task_stack',
    proto: {
      args: [{ type: 'ARG_PTR_TO_BTF_ID', btfType: 'task_struct' }, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_UNINIT'] }, { type: 'ARG_CONST_SIZE_OR_ZERO' }, { type: 'ARG_ANYTHING' }],
      ret: { type: 'RET_INTEGER' },
    },
    gplOnly: false,
    // 6.18's bpf_base_func_proto (CAP_PERFMON): every program type (checked on the host:
    // test/progs/verifier/find_vma.c).
    progTypes: 'all',
    impl: (call) => {
      const task = call.u64(1);
      if (call.env.kernel?.taskUsers(task) === undefined) throw new FaultSignal(`get_task_stack: ${task === 0n ? 'NULL' : `0x${task.toString(16)}`} is not a task_struct of the task model`);
      if (task === CURRENT_TASK_ADDR) return getStackInto(call, (user) => syntheticStack(call, user));
      return getStackInto(call, (user) => (user ? -Errno.EOPNOTSUPP : []));
    },
  },
];

/** __bpf_get_stack into (buf = arg 2, size = arg 3) with flags = arg 4, from the stack `stack`
 *  gives (or an errno for a stack the kernel does not take). */
function getStackInto(call: HelperCall, stack: (user: boolean) => bigint[] | number): HelperResult {
  const size = call.u32(3);
  const buf = size > 0 ? call.ptr(2) : 0;
  const flags = call.u64(4);
  const clear = (err: number): number => {
    if (size > 0) call.arena.writeChecked(buf, size); // zeroed
    return err;
  };
  const allowed = BigInt(StackFlag.SKIP_FIELD_MASK | StackFlag.USER_STACK | StackFlag.USER_BUILD_ID);
  if ((flags & ~allowed) !== 0n) return clear(-Errno.EINVAL);
  const f = Number(flags);
  const user = (f & StackFlag.USER_STACK) !== 0;
  const buildId = (f & StackFlag.USER_BUILD_ID) !== 0;
  if (!user && buildId) return clear(-Errno.EINVAL);
  const elem = buildId ? STACK_BUILD_ID_SIZE : 8;
  if (size % elem !== 0) return clear(-Errno.EINVAL);
  const skip = f & StackFlag.SKIP_FIELD_MASK;
  const all = stack(user);
  if (typeof all === 'number') return clear(all);
  const trace = all.slice(0, maxDepth(size, elem, skip));
  if (trace.length < skip) return clear(-Errno.EFAULT);
  const ips = trace.slice(skip);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  ips.forEach((ip, i) => {
    if (buildId) {
      dv.setInt32(i * elem, BPF_STACK_BUILD_ID_IP, true);
      dv.setBigUint64(i * elem + 24, ip, true);
    } else dv.setBigUint64(i * elem, ip, true);
  });
  if (size > 0) call.arena.writeChecked(buf, size, out);
  return ips.length * elem;
}
