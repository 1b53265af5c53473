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
// The address is the task image the runtime maps into its kernel-memory view at construction
// (src/btf/builtin-kmem.ts), laid out from the built-in BTF's task_struct and filled from
// RuntimeOptions.task (pid, tgid, uid/gid through cred, comm); `run --kmem` may overwrite bytes.

import { CURRENT_TASK_ADDR, THREAD_SIZE, PT_REGS_SIZE } from '../src/btf/builtin-addrs.js';
import { builtinBtf } from '../src/btf/builtin.js';
import { memberOffset } from '../src/btf/builtin-kmem.js';
import { ProgType } from '../vm/prog-types.js';
import { FaultSignal } from '../src/errors.js';
import { Errno } from '../maps/types.js';
import type { HelperEntry } from './types.js';

export const TRACING_HELPERS: readonly HelperEntry[] = [
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
      // Resolved at call time: the BTF module imports the helper table.
      const off = BigInt(memberOffset(builtinBtf(), 'task_struct', 'stack').offset);
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
