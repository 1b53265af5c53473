// The task and cgroup kfuncs (kernel/bpf/helpers.c) on the runtime's task model
// (src/btf/kernel-objects.ts), with Linux 6.18's semantics:
//   bpf_task_acquire(p)            refcount_inc_not_zero(&p->rcu_users): p, or NULL
//   bpf_task_release(p)            put_task_struct_rcu_user(p)
//   bpf_task_from_pid(pid)         the task with that pid in the initial pid namespace, with a
//   bpf_task_from_vpid(vpid)       reference taken; NULL for an unknown pid (0 is no task's pid).
//                                  ebpfvm has one pid namespace, so vpid and pid agree.
//   bpf_cgroup_acquire(cgrp)       cgroup_tryget: cgrp, or NULL
//   bpf_cgroup_release(cgrp)       cgroup_put
//   bpf_cgroup_ancestor(cgrp, l)   cgrp->ancestors[l] with a reference; NULL when l < 0 or
//                                  l > cgrp->level
//   bpf_cgroup_from_id(id)         the cgroup with that id (kernfs node id), referenced, or NULL
//   bpf_task_under_cgroup(t, a)    whether t's default-hierarchy cgroup is a descendant of a
//   bpf_task_get_cgroup1(t, h)     the task's cgroup in cgroup v1 hierarchy h: the model has no v1
//                                  hierarchy, so NULL, as on a v2-only kernel
// A pointer that is not one of the model's objects (a program run without the verifier can pass
// anything) faults naming the kfunc; the verifier only lets the model's objects through.
import { FaultSignal } from '../src/errors.js';
import type { KernelModel } from '../src/btf/kernel-objects.js';
import type { HelperCall, HelperResult } from './types.js';

function model(call: HelperCall, what: string): KernelModel {
  const k = call.env.kernel;
  if (!k) throw new FaultSignal(`${what}: this runtime has no task model`);
  return k;
}

const hex = (a: bigint): string => `0x${a.toString(16)}`;

function taskArg(call: HelperCall, i: 1 | 2, what: string): bigint {
  const a = call.u64(i);
  // init_task counts: it is a kernel task (every model task's ancestor), only it has no pid.
  if (model(call, what).taskUsers(a) === undefined) throw new FaultSignal(`${what}: ${a === 0n ? 'NULL' : hex(a)} is not a task_struct of the task model`);
  return a;
}

function cgroupArg(call: HelperCall, i: 1 | 2, what: string): bigint {
  const a = call.u64(i);
  if (!model(call, what).cgroup(a)) throw new FaultSignal(`${what}: ${a === 0n ? 'NULL' : hex(a)} is not a struct cgroup of the task model`);
  return a;
}

export function taskAcquire(call: HelperCall): HelperResult {
  const a = taskArg(call, 1, 'bpf_task_acquire');
  return model(call, 'bpf_task_acquire').getTask(a) ? a : 0;
}

export function taskRelease(call: HelperCall): HelperResult {
  const a = taskArg(call, 1, 'bpf_task_release');
  if (!model(call, 'bpf_task_release').putTask(a)) throw new FaultSignal(`bpf_task_release: no reference a program took is held on task ${hex(a)}`);
  return 0;
}

export function taskFromPid(what: string) {
  return (call: HelperCall): HelperResult => {
    const m = model(call, what);
    const t = m.taskByPid(call.s32(1));
    return t && m.getTask(t.addr) ? t.addr : 0;
  };
}

export function cgroupAcquire(call: HelperCall): HelperResult {
  const a = cgroupArg(call, 1, 'bpf_cgroup_acquire');
  return model(call, 'bpf_cgroup_acquire').getCgroup(a) ? a : 0;
}

export function cgroupRelease(call: HelperCall): HelperResult {
  const a = cgroupArg(call, 1, 'bpf_cgroup_release');
  if (!model(call, 'bpf_cgroup_release').putCgroup(a)) throw new FaultSignal(`bpf_cgroup_release: no reference a program took is held on cgroup ${hex(a)}`);
  return 0;
}

export function cgroupAncestor(call: HelperCall): HelperResult {
  const m = model(call, 'bpf_cgroup_ancestor');
  const c = m.cgroup(cgroupArg(call, 1, 'bpf_cgroup_ancestor'))!;
  const level = call.s32(2);
  if (level < 0 || level > c.level) return 0;
  const a = c.ancestors[level]!;
  return m.getCgroup(a) ? a : 0;
}

export function cgroupFromId(call: HelperCall): HelperResult {
  const m = model(call, 'bpf_cgroup_from_id');
  const c = m.cgroupById(call.u64(1));
  return c && m.getCgroup(c.addr) ? c.addr : 0;
}

export function taskUnderCgroup(call: HelperCall): HelperResult {
  const m = model(call, 'bpf_task_under_cgroup');
  const t = taskArg(call, 1, 'bpf_task_under_cgroup');
  const anc = m.cgroup(cgroupArg(call, 2, 'bpf_task_under_cgroup'))!;
  const c = m.taskCgroup(t);
  return c && c.level >= anc.level && c.ancestors[anc.level] === anc.addr ? 1 : 0;
}

export function taskGetCgroup1(call: HelperCall): HelperResult {
  taskArg(call, 1, 'bpf_task_get_cgroup1');
  return 0;
}

/** The dtor of a task or cgroup kptr a map value or object held when it is freed (the kernel's
 *  bpf_task_release_dtor / bpf_cgroup_release_dtor): drops the reference. False for an address
 *  that is neither. */
export function releaseKernelKptr(m: KernelModel, addr: bigint): boolean {
  if (m.cgroup(addr)) return m.putCgroup(addr);
  if (m.taskUsers(addr) !== undefined) return m.putTask(addr);
  return false;
}
