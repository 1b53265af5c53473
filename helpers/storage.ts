// Local-storage helpers (net/core/bpf_sk_storage.c, kernel/bpf/bpf_task_storage.c,
// kernel/bpf/helpers.c): the semantics live in maps/local-storage.ts and maps/cgroup-storage.ts;
// these resolve the owner a program passes and route.
//   sk_storage_get (107)(map, sk, value, flags): the socket's value; with
//     BPF_SK_STORAGE_GET_F_CREATE a missing one is created from `value` (zeroed when NULL).
//     NULL for a NULL or not-full socket (TIME_WAIT, NEW_SYN_RECV), flags above F_CREATE, or a
//     failed creation (-ENOMEM: the socket's optmem_max).
//   sk_storage_delete (108)(map, sk): 0, -ENOENT when there is none, -EINVAL for a NULL or
//     not-full socket.
//   task_storage_get (156)(map, task, value, flags) / task_storage_delete (157)(map, task): the
//     same on a task (NULL task: NULL / -EINVAL).
//   cgrp_storage_get (210)(map, cgroup, value, flags) / cgrp_storage_delete (211)(map, cgroup):
//     the same on a cgroup of the task model (NULL cgroup: NULL / -EINVAL).
//   get_local_storage (81)(map, flags): the cgroup storage of the run (this CPU's copy for the
//     per-CPU type); never NULL. `flags` is reserved and not looked at, as in the kernel.
// A pointer that is no socket or task the runtime knows faults (the kernel's verifier only lets
// a program pass real ones).

import { FaultSignal } from '../src/errors.js';
import { CgroupStorageMap } from '../maps/cgroup-storage.js';
import { BPF_LOCAL_STORAGE_GET_F_CREATE, type LocalStorageMap } from '../maps/local-storage.js';
import { SkStorageMap } from '../maps/sk-storage.js';
import { TaskStorageMap } from '../maps/task-storage.js';
import { CgrpStorageMap } from '../maps/cgrp-storage.js';
import { Errno, UpdateFlag } from '../maps/types.js';
import { CURRENT_TASK_ADDR, INIT_TASK_ADDR } from '../src/btf/builtin-addrs.js';
import { AttachType, ProgType as P } from '../vm/prog-types.js';
import { TcpState, type Socket } from '../vm/sockets.js';
import type { HelperArg, HelperCall, HelperEntry, HelperProgram } from './types.js';

const MAP: HelperArg = { type: 'ARG_CONST_MAP_PTR' };
const VALUE_OR_NULL: HelperArg = { type: 'ARG_PTR_TO_MAP_VALUE', flags: ['PTR_MAYBE_NULL'] };
const RET_VALUE_OR_NULL = { type: 'RET_PTR_TO_MAP_VALUE', flags: ['PTR_MAYBE_NULL'] } as const;

/** Program types whose helper tables hold bpf_sk_storage_get/delete (net/core/filter.c, the
 *  tracing and lsm variants). */
const SK_STORAGE_TYPES = [P.CGROUP_SOCK_ADDR, P.CGROUP_SOCKOPT, P.CGROUP_SKB, P.SCHED_CLS, P.SCHED_ACT, P.SOCK_OPS, P.SK_MSG, P.TRACING, P.LSM];
/** The socket of the tracing prototypes (bpf_sk_storage_get/delete_tracing_proto): any BTF
 *  pointer to a struct starting with sock_common (plain, trusted or rcu), or NULL. */
const SK_TRACING_ARG: HelperArg = { type: 'ARG_PTR_TO_BTF_ID', flags: ['PTR_MAYBE_NULL'], btfType: 'sock_common' };
/** The tracing prototypes' `allowed` hook (bpf_sk_storage_tracing_allowed): iterators and tp_btf,
 *  and fentry/fexit of a function that is not itself one of bpf_sk_storage* (which would recurse
 *  into the storage's locks); not fmod_ret, not an extension. */
function skStorageTracingAllowed(p: HelperProgram): boolean {
  if (p.extension) return false;
  switch (p.attach) {
    case AttachType.TRACE_ITER:
    case AttachType.TRACE_RAW_TP:
      return true;
    case AttachType.TRACE_FENTRY:
    case AttachType.TRACE_FEXIT:
      return !(p.attachFunc ?? '').startsWith('bpf_sk_storage');
    default:
      return false;
  }
}
/** cgroup_sock programs have bpf_sk_storage_get only, as bpf_sk_storage_get_cg_sock_proto: the
 *  socket is the context itself (ARG_PTR_TO_CTX). */
const SK_STORAGE_CG_SOCK_PROTO = {
  args: [MAP, { type: 'ARG_PTR_TO_CTX' }, VALUE_OR_NULL, { type: 'ARG_ANYTHING' }],
  ret: RET_VALUE_OR_NULL,
} as const satisfies HelperEntry['proto'];
/** bpf_tracing_func_proto users (task storage), syscall programs included. */
const TASK_STORAGE_TYPES = [P.KPROBE, P.TRACEPOINT, P.PERF_EVENT, P.RAW_TRACEPOINT, P.RAW_TRACEPOINT_WRITABLE, P.TRACING, P.LSM, P.SYSCALL];
/** cgroup_common_func_proto users. */
const CGROUP_TYPES = [P.CGROUP_DEVICE, P.CGROUP_SYSCTL, P.CGROUP_SOCKOPT, P.CGROUP_SOCK, P.CGROUP_SOCK_ADDR, P.CGROUP_SKB, P.SOCK_OPS];

/** sk_fullsock(): every state but TIME_WAIT and NEW_SYN_RECV. */
export function isFull(s: Socket): boolean {
  return s.state !== TcpState.time_wait && s.state !== TcpState.new_syn_recv;
}

/** The socket at the pointer in argument `i`, undefined for NULL. */
export function socketArg(call: HelperCall, i: 2 | 1, helper: string): Socket | undefined {
  // A socket has two addresses: its struct bpf_sock image (uapi pointers: ctx->sk, lookups) and
  // its kernel struct (BTF pointers: bpf_skc_to_*, iterators); both name it.
  const v = call.u64(i);
  if (v === 0n) return undefined;
  const s = v <= 0xffffffffn ? call.env.sockets?.byAddress(Number(v)) : call.env.sockets?.byKernelAddress(v);
  if (!s) throw new FaultSignal(`${helper}: r${i} (0x${v.toString(16)}) is not a socket`);
  return s;
}

/** The task at the pointer in argument 2 (a task_struct kernel address of the runtime's task
 *  model), undefined for NULL. */
function taskArg(call: HelperCall, helper: string): bigint | undefined {
  const t = call.u64(2);
  if (t === 0n) return undefined;
  const known = call.env.kernel ? call.env.kernel.taskUsers(t) !== undefined : t === CURRENT_TASK_ADDR || t === INIT_TASK_ADDR;
  if (!known) throw new FaultSignal(`${helper}: r2 (0x${t.toString(16)}) is not a task_struct the runtime knows`);
  return t;
}

/** The cgroup at the pointer in argument 2 (a struct cgroup of the task model), undefined for NULL. */
function cgroupArg(call: HelperCall, helper: string): bigint | undefined {
  const c = call.u64(2);
  if (c === 0n) return undefined;
  if (!call.env.kernel?.cgroup(c)) throw new FaultSignal(`${helper}: r2 (0x${c.toString(16)}) is not a struct cgroup the runtime knows`);
  return c;
}

function storageMap<M>(call: HelperCall, cls: abstract new (...a: never[]) => M, helper: string): M {
  const m = call.map(1);
  if (!(m instanceof cls)) throw new FaultSignal(`${helper}: map ${m.name} is not of the map type this helper takes`);
  return m;
}

/** bpf_*_storage_get once the owner is known. */
function storageGet<O>(call: HelperCall, map: LocalStorageMap<O>, owner: O | undefined): number {
  const flags = call.u64(4);
  if (owner === undefined || flags > BigInt(BPF_LOCAL_STORAGE_GET_F_CREATE)) return 0;
  const found = map.lookupOwner(owner);
  if (found !== 0 || flags !== BigInt(BPF_LOCAL_STORAGE_GET_F_CREATE)) return found;
  const value = call.ptr(3);
  if (value !== 0) call.arena.check(value, map.valueSize, false);
  const r = map.updateOwner(owner, value === 0 ? undefined : value, UpdateFlag.NOEXIST);
  return r < 0 ? 0 : r;
}

export const STORAGE_HELPERS: readonly HelperEntry[] = [
  {
    id: 107,
    name: 'sk_storage_get',
    proto: { args: [MAP, { type: 'ARG_PTR_TO_BTF_ID_SOCK_COMMON' }, VALUE_OR_NULL, { type: 'ARG_ANYTHING' }], ret: RET_VALUE_OR_NULL },
    protoByType: [
      { progTypes: [P.CGROUP_SOCK], proto: SK_STORAGE_CG_SOCK_PROTO },
      { progTypes: [P.TRACING], proto: { args: [MAP, SK_TRACING_ARG, VALUE_OR_NULL, { type: 'ARG_ANYTHING' }], ret: RET_VALUE_OR_NULL, allowed: skStorageTracingAllowed } },
    ],
    gplOnly: false,
    progTypes: [...SK_STORAGE_TYPES, P.CGROUP_SOCK],
    impl: (call) => {
      const map = storageMap(call, SkStorageMap, 'sk_storage_get');
      const sk = socketArg(call, 2, 'sk_storage_get');
      return storageGet(call, map, sk && isFull(sk) ? sk : undefined);
    },
  },
  {
    id: 108,
    name: 'sk_storage_delete',
    proto: { args: [MAP, { type: 'ARG_PTR_TO_BTF_ID_SOCK_COMMON' }], ret: { type: 'RET_INTEGER' } },
    protoByType: [{ progTypes: [P.TRACING], proto: { args: [MAP, SK_TRACING_ARG], ret: { type: 'RET_INTEGER' }, allowed: skStorageTracingAllowed } }],
    gplOnly: false,
    progTypes: SK_STORAGE_TYPES,
    impl: (call) => {
      const map = storageMap(call, SkStorageMap, 'sk_storage_delete');
      const sk = socketArg(call, 2, 'sk_storage_delete');
      if (!sk || !isFull(sk)) return -Errno.EINVAL;
      return map.deleteOwner(sk);
    },
  },
  {
    id: 156,
    name: 'task_storage_get',
    proto: { args: [MAP, { type: 'ARG_PTR_TO_BTF_ID', flags: ['PTR_MAYBE_NULL'], btfType: 'task_struct' }, VALUE_OR_NULL, { type: 'ARG_ANYTHING' }], ret: RET_VALUE_OR_NULL },
    gplOnly: false,
    progTypes: TASK_STORAGE_TYPES,
    impl: (call) => storageGet(call, storageMap(call, TaskStorageMap, 'task_storage_get'), taskArg(call, 'task_storage_get')),
  },
  {
    id: 157,
    name: 'task_storage_delete',
    proto: { args: [MAP, { type: 'ARG_PTR_TO_BTF_ID', flags: ['PTR_MAYBE_NULL'], btfType: 'task_struct' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: TASK_STORAGE_TYPES,
    impl: (call) => {
      const map = storageMap(call, TaskStorageMap, 'task_storage_delete');
      const task = taskArg(call, 'task_storage_delete');
      if (task === undefined) return -Errno.EINVAL;
      return map.deleteOwner(task);
    },
  },
  // bpf_base_func_proto: every program type with the base helpers.
  {
    id: 210,
    name: 'cgrp_storage_get',
    proto: { args: [MAP, { type: 'ARG_PTR_TO_BTF_ID', flags: ['PTR_MAYBE_NULL'], btfType: 'cgroup' }, VALUE_OR_NULL, { type: 'ARG_ANYTHING' }], ret: RET_VALUE_OR_NULL },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => storageGet(call, storageMap(call, CgrpStorageMap, 'cgrp_storage_get'), cgroupArg(call, 'cgrp_storage_get')),
  },
  {
    id: 211,
    name: 'cgrp_storage_delete',
    proto: { args: [MAP, { type: 'ARG_PTR_TO_BTF_ID', flags: ['PTR_MAYBE_NULL'], btfType: 'cgroup' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const map = storageMap(call, CgrpStorageMap, 'cgrp_storage_delete');
      const c = cgroupArg(call, 'cgrp_storage_delete');
      if (c === undefined) return -Errno.EINVAL;
      return map.deleteOwner(c);
    },
  },
  {
    id: 81,
    name: 'get_local_storage',
    proto: { args: [MAP, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_PTR_TO_MAP_VALUE' } },
    gplOnly: false,
    progTypes: CGROUP_TYPES,
    impl: (call) => {
      const map = storageMap(call, CgroupStorageMap, 'get_local_storage');
      const addr = map.runStorage(call.cpu);
      if (addr === 0) throw new FaultSignal(`get_local_storage: the arena cannot hold ${map.name}'s storage`);
      return addr;
    },
  },
];
