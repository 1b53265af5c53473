// bpf_wq kfuncs in the verifier (kernel/bpf/verifier.c, Linux 6.12, checked against the 6.18
// host with the kernel's wq_failures.c and test/progs/verifier/wq.c):
//  - the `struct bpf_wq *` argument (KF_ARG_PTR_TO_WORKQUEUE, process_wq_func) is a map value
//    pointer (`arg#0 doesn't point to a map value`) at the constant offset of the value's bpf_wq
//    (`off N doesn't point to 'struct bpf_wq' that is at M`), which names the map;
//  - bpf_wq_init's `p__map` (KF_ARG_PTR_TO_MAP) is any register carrying a map (`pointer in R2
//    isn't map pointer`), and when that map holds a bpf_wq it must be the work item's map, for an
//    inner map the same lookup (`workqueue pointer in R1 map_uid=N doesn't match map pointer in R2
//    map_uid=M`);
//  - bpf_wq_set_callback_impl's callback (KF_ARG_PTR_TO_CALLBACK: `arg1 expected pointer to
//    func`) is an async callback verified on its own like a timer's (verifier/timer.ts: (map, key,
//    value), R0 exactly 0 at its exit) and in a sleepable context (in_sleepable: sleepable kfuncs
//    may be called from it). Linux 6.18 (unlike 6.12) refuses it in a program that is not
//    sleepable itself (`sleepable callback in a program that is not sleepable`, EPERM): on the host
//    only sleepable programs (syscall, sleepable tracing and lsm) can set a bpf_wq callback. The
//    hidden aux__prog argument is the verifier's to fill;
//  - flags are scalars; the result is a scalar, R1-R5 clobbered.
import type { KfuncEntry } from '../helpers/kfuncs.js';
import { Reg, RegType } from './state.js';
import { pushTimerCallback } from './timer.js';
import { inSleepable } from './kobj.js';
import type { Verifier } from './verifier.js';
import type { VerifierMap } from './env.js';

const WQ_KFUNCS = new Set(['bpf_wq_init', 'bpf_wq_set_callback_impl', 'bpf_wq_start']);
export const isWqKfunc = (name: string): boolean => WQ_KFUNCS.has(name);

/** The bpf_wq's offset in the map's values (its BTF record), or -EINVAL as the kernel's record
 *  says when there is none. */
function wqOffset(map: VerifierMap | undefined): number {
  return map?.record?.fields.find((f) => f.type === 'bpf_wq')?.offset ?? -22;
}

export function checkWqKfunc(v: Verifier, k: KfuncEntry, callName: string): void {
  let meta: { map: VerifierMap; uid: number } | undefined;
  let callback: number | undefined;
  k.params.forEach(([type, name], i) => {
    const regno = i + 1;
    if (name.endsWith('__prog') || name.endsWith('__ign')) return;
    v.readReg(regno);
    const r = v.regs[regno]!;
    if (type === 'struct bpf_wq *') {
      if (r.type !== RegType.MAP_VALUE || r.maybeNull) v.reject(`arg#${i} doesn't point to a map value`, false, 22);
      const off = BigInt(r.off) + (r.s.isConst() ? BigInt.asIntN(64, r.s.constValue()) : 0n);
      const at = wqOffset(r.map);
      if (!r.s.isConst() || off !== BigInt(at)) v.reject(`off ${off} doesn't point to 'struct bpf_wq' that is at ${at}`, false, 22);
      meta = { map: r.map!, uid: r.mapUid };
      return;
    }
    if (name === 'p__map') {
      if (!r.map || (r.type !== RegType.MAP_PTR && r.type !== RegType.MAP_VALUE && r.type !== RegType.MAP_KEY)) v.reject(`pointer in R${regno} isn't map pointer`, false, 22);
      if (meta && wqOffset(r.map) >= 0 && (meta.map !== r.map || meta.uid !== r.mapUid)) v.reject(`workqueue pointer in R1 map_uid=${meta.uid} doesn't match map pointer in R${regno} map_uid=${r.mapUid}`, false, 22);
      return;
    }
    if (type.includes('(*)')) {
      if (r.type !== RegType.FUNC) v.reject(`arg${i} expected pointer to func`, false, 22);
      callback = r.subprog;
      return;
    }
    if (r.type !== RegType.SCALAR) v.reject(`R${regno} is not a scalar`, false, 22);
  });
  if (callback !== undefined) {
    if (!inSleepable(v)) v.reject(`sleepable callback in a program that is not sleepable\nkfunc ${callName} failed callback verification`, false, 1);
    pushTimerCallback(v, callback, true);
  }
  for (let r = 1; r <= 5; r++) v.setReg(r, new Reg());
  v.setReg(0, Reg.unknown());
}
