// Task helpers of tracing programs (kernel/trace/bpf_trace.c):
//   get_current_task (35)       the current task_struct's address, as a plain integer (programs
//                               read it with probe_read_kernel or BPF_CORE_READ)
//   get_current_task_btf (158)  the same address as a BTF pointer (PTR_TO_BTF_ID task_struct):
//                               programs dereference it directly, PROBE_MEM loads
//   task_pt_regs (175)(task)    the task's saved user registers, task_pt_regs() as x86-64
//                               computes it: task->stack + THREAD_SIZE - sizeof(pt_regs), reading
//                               task->stack from kernel memory (0 when that read misses)
//   get_attach_cookie (174)(ctx)  the BPF cookie of the attachment (HelperCall.attachCookie): 0 in
//                               the kernel's test runs, which have no link; kprobe, tracepoint,
//                               perf_event, raw_tp, fentry/fexit (tracing) and lsm programs only
//                               (tc, xdp, syscall and the socket types are refused, checked on
//                               Linux 6.18)
//   get_current_cgroup_id (80), get_current_ancestor_cgroup_id (123)(level)  the current task's
//                               cgroup (v2) id in the task model, and its ancestor's at a level
//   find_vma (180)(task, addr, callback, ctx, flags)  the vma of task's address space holding addr,
//                               handed to callback(task, vma, ctx): the task model has no address
//                               space map, so no address is in a vma: -ENOENT and the callback
//                               never runs; flags other than 0 -EINVAL (checked first, as the
//                               kernel does); a pointer that is no task of the model faults
//   get_func_ip (173)(ctx)      the address (src/btf/kallsyms.ts) of the function the run's program
//                               is attached to, from its section: fentry/fexit/fmod_ret's target
//                               (the kernel's trampoline stores it at ctx[-2]); a kprobe or
//                               kretprobe at a function's entry ("kprobe/f", "kretprobe/f",
//                               "ksyscall/name": __x64_sys_name), kprobe.multi and kprobe.session
//                               naming one function. 0 where the kernel has no function entry:
//                               a kprobe at an offset into a function ("kprobe/f+0x5") or with no
//                               target. Where the kernel has an address ebpfvm cannot give, also
//                               0: a function this kernel does not know, a kprobe.multi pattern
//                               (the run does not say which match fired), uprobes (the probed user
//                               address: the VM has no user address space). The verifier takes it
//                               from tracing (fentry/fexit/fmod_ret only) and kprobe programs,
//                               refuses the other types of bpf_tracing_func_proto with -ENOTSUPP
//                               (check_get_func_ip); gpl_only, which the kernel waives for
//                               kprobe.multi and uprobe.multi programs and ebpfvm does not.
//   send_signal (109)(sig), send_signal_thread (117)(sig)  a signal to the current task's process
//                               (PIDTYPE_TGID) or the thread itself (PIDTYPE_PID): recorded in the
//                               run's output (RunOutput.signals), the VM having no process to
//                               deliver it to; 0, or -EINVAL for a signal above _NSIG (64), -EPERM
//                               when the current task is init (tgid 1). Signal 0 checks only and
//                               sends nothing. The kernel's -EBUSY (a signal still queued from
//                               irq context) does not arise: each is delivered at once.
// The kprobe.session kfuncs (kprobe_multi_kfunc_set, kprobe programs attached as
// BPF_TRACE_KPROBE_SESSION only): a run of such a program is the session's entry probe (ebpfvm
// runs no return probe), so bpf_session_is_return is false; bpf_session_cookie points at the
// session's u64, which reads 0 at the start of each run and which the program may write.
// The address is the task image the runtime maps into its kernel-memory view at construction
// (src/btf/builtin-kmem.ts), laid out from the built-in BTF's task_struct and filled from
// RuntimeOptions.task (pid, tgid, uid/gid through cred, comm); `run --kmem` may overwrite bytes.

import { CURRENT_TASK_ADDR, THREAD_SIZE, PT_REGS_SIZE } from '../src/btf/builtin-addrs.js';
import { AttachType, ProgType } from '../vm/prog-types.js';
import { kernelFuncAddr } from '../src/btf/kallsyms.js';
import { FaultSignal } from '../src/errors.js';
import { Errno } from '../maps/types.js';
import type { HelperCall, HelperEntry, HelperResult } from './types.js';

/** bpf_get_func_ip's answer for a run attached by `section` (see the header). */
export function funcIpOf(progType: number, attach: number, section: string | undefined): bigint {
  if (section === undefined) return 0n;
  const slash = section.indexOf('/');
  const kind = slash < 0 ? section : section.slice(0, slash);
  const target = slash < 0 ? '' : section.slice(slash + 1);
  if (progType === ProgType.TRACING) {
    if (attach !== AttachType.TRACE_FENTRY && attach !== AttachType.TRACE_FEXIT && attach !== AttachType.MODIFY_RETURN) return 0n;
    return kernelFuncAddr(target) ?? 0n;
  }
  if (progType !== ProgType.KPROBE) return 0n;
  if (attach === AttachType.TRACE_UPROBE_MULTI || kind.startsWith('uprobe') || kind.startsWith('uretprobe') || kind.startsWith('usdt')) return 0n;
  if (kind === 'ksyscall' || kind === 'kretsyscall') return kernelFuncAddr(`__x64_sys_${target}`) ?? 0n;
  // "f" or "f+0": the probe is on the function's entry (KPROBE_FLAG_ON_FUNC_ENTRY); "f+off" is not.
  const m = /^([A-Za-z_][\w.]*)(?:\+(0x[0-9a-fA-F]+|\d+))?$/.exec(target);
  if (!m || (m[2] !== undefined && Number(m[2]) !== 0)) return 0n;
  return kernelFuncAddr(m[1]!) ?? 0n;
}

/** The session's u64 cookie: 8 bytes of arena memory per runtime (per arena), zeroed once per run
 *  at its first use. */
const sessionCookies = new WeakMap<object, number>();
const SESSION_STATE = 'kfunc:session_cookie';

export function sessionCookie(call: HelperCall): HelperResult {
  const arena = call.arena;
  let addr = sessionCookies.get(arena);
  if (addr === undefined) sessionCookies.set(arena, (addr = arena.alloc(8)));
  if (!call.state.has(SESSION_STATE)) {
    call.state.set(SESSION_STATE, true);
    arena.zero(addr, 8);
  }
  return addr;
}

export const sessionIsReturn = (): HelperResult => 0;

/** bpf_send_signal_common: the checks, then the signal for the current task. */
function sendSignal(call: HelperCall, thread: boolean): HelperResult {
  const sig = call.u32(1);
  const t = call.env.task;
  if (t.tgid === 1) return -Errno.EPERM; // is_global_init(current)
  if (sig > NSIG) return -Errno.EINVAL; // !valid_signal(sig)
  if (sig !== 0) (call.output.signals ??= []).push({ sig, thread, pid: t.pid, tgid: t.tgid });
  return 0;
}
/** _NSIG: the highest signal number. */
const NSIG = 64;
/** bpf_tracing_func_proto's program types and the ones falling back to it (lsm, syscall). */
const TRACING_PROTO_TYPES = [ProgType.KPROBE, ProgType.TRACEPOINT, ProgType.PERF_EVENT, ProgType.RAW_TRACEPOINT, ProgType.RAW_TRACEPOINT_WRITABLE, ProgType.TRACING, ProgType.LSM, ProgType.SYSCALL];

/** get_func_ip's prototype: the context, an integer back. */
const FUNC_IP_PROTO = { args: [{ type: 'ARG_PTR_TO_CTX' }], ret: { type: 'RET_INTEGER' } } as const;

export const TRACING_HELPERS: readonly HelperEntry[] = [
  { id: 109, name: 'send_signal', proto: { args: [{ type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } }, gplOnly: false, progTypes: TRACING_PROTO_TYPES, impl: (call) => sendSignal(call, false) },
  { id: 117, name: 'send_signal_thread', proto: { args: [{ type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } }, gplOnly: false, progTypes: TRACING_PROTO_TYPES, impl: (call) => sendSignal(call, true) },
  {
    id: 173,
    name: 'get_func_ip',
    proto: FUNC_IP_PROTO,
    gplOnly: true,
    // bpf_tracing_func_proto's types and the ones falling back to it; check_get_func_ip refuses
    // all but kprobe and trampoline tracing programs (verifier/calls.ts)
    progTypes: TRACING_PROTO_TYPES,
    impl: (call) => {
      const a = call.attach;
      return funcIpOf(call.progType, a?.expectedAttachType ?? 0, a?.section);
    },
  },
  {
    id: 174,
    name: 'get_attach_cookie',
    proto: { args: [{ type: 'ARG_PTR_TO_CTX' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: [ProgType.KPROBE, ProgType.TRACEPOINT, ProgType.PERF_EVENT, ProgType.RAW_TRACEPOINT, ProgType.TRACING, ProgType.LSM],
    impl: (call) => call.attachCookie,
  },
  { id: 35, name: 'get_current_task', proto: { args: [], ret: { type: 'RET_INTEGER' } }, gplOnly: true, progTypes: 'all', impl: () => CURRENT_TASK_ADDR },
  {
    id: 158,
    name: 'get_current_task_btf',
    proto: { args: [], ret: { type: 'RET_PTR_TO_BTF_ID', flags: ['PTR_TRUSTED'], btfType: 'task_struct' } },
    gplOnly: true,
    progTypes: 'all',
    impl: () => CURRENT_TASK_ADDR,
  },
  // The current task's default-hierarchy cgroup in the runtime's task model (its kernfs node id;
  // the root's is 1), and its ancestor at a level (0 when level < 0 or deeper than the cgroup).
  {
    id: 80,
    name: 'get_current_cgroup_id',
    proto: { args: [], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => BigInt(call.env.kernel?.taskCgroup(CURRENT_TASK_ADDR)?.id ?? 0),
  },
  {
    id: 123,
    name: 'get_current_ancestor_cgroup_id',
    proto: { args: [{ type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const m = call.env.kernel;
      const c = m?.taskCgroup(CURRENT_TASK_ADDR);
      const level = call.s32(1);
      if (!m || !c || level < 0 || level > c.level) return 0;
      return BigInt(m.cgroup(c.ancestors[level]!)!.id);
    },
  },
  {
    id: 175,
    name: 'task_pt_regs',
    proto: { args: [{ type: 'ARG_PTR_TO_BTF_ID', btfType: 'task_struct' }], ret: { type: 'RET_PTR_TO_BTF_ID', btfType: 'pt_regs' } },
    gplOnly: true,
    progTypes: 'all',
    impl: (call) => {
      const btf = call.env.builtinBtf?.();
      if (btf === undefined) throw new FaultSignal('task_pt_regs: this environment has no kernel BTF (task_struct layout)');
      const off = BigInt(btf.memberRange('task_struct', 'stack')[0]);
      const bytes = call.env.readKernel(call.u64(1) + off, 8);
      if (!bytes) return 0;
      const stack = new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true);
      return stack === 0n ? 0 : BigInt.asUintN(64, stack + THREAD_SIZE - PT_REGS_SIZE);
    },
  },
  {
    id: 180,
    name: 'find_vma',
    proto: {
      args: [{ type: 'ARG_PTR_TO_BTF_ID', btfType: 'task_struct' }, { type: 'ARG_ANYTHING' }, { type: 'ARG_PTR_TO_FUNC' }, { type: 'ARG_PTR_TO_STACK', flags: ['PTR_MAYBE_NULL'] }, { type: 'ARG_ANYTHING' }],
      ret: { type: 'RET_INTEGER' },
      callbackRet: { 3: [0n, 1n] },
    },
    gplOnly: false,
    // 6.18's bpf_base_func_proto (CAP_PERFMON): every program type (checked on the host:
    // test/progs/verifier/find_vma.c).
    progTypes: 'all',
    impl: (call) => {
      if (call.u64(5) !== 0n) return -Errno.EINVAL;
      const task = call.u64(1);
      if (call.env.kernel?.taskUsers(task) === undefined) throw new FaultSignal(`find_vma: ${task === 0n ? 'NULL' : `0x${task.toString(16)}`} is not a task_struct of the task model`);
      return -Errno.ENOENT;
    },
  },
];
