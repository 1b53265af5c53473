// bpf_timer in the verifier (kernel/bpf/verifier.c, Linux 6.12, checked against the 6.18 host):
//
//  - process_timer_func: an ARG_PTR_TO_TIMER argument is a map value pointer at the constant
//    offset of the value's one `struct bpf_timer` (the map's BTF record, src/btf/fields.ts). The
//    helper's map pointer argument, when it has one (bpf_timer_init's R2), must then be the same
//    map, and for an inner map of a map-in-map the same lookup: the kernel gives each non-NULL
//    lookup of an outer map whose inner maps hold a timer a map_uid (the lookup's id), carried by
//    the inner map pointer, the values looked up in it and the timer callback's arguments.
//  - bpf_timer_set_callback's callback is an async callback (push_async_cb): it is verified on
//    its own, from a fresh state with one frame and no references or locks, whatever the caller
//    held, with set_timer_callback_state's arguments (R1 the map, R2 a key, R3 the value), and
//    at its exit R0 must be exactly 0 ("At async callback return"). It does not add to the
//    caller's stack: check_max_stack_depth walks each async callback as a root of its own.
//
// Loads and stores touching the timer's 16 bytes are refused by the map value access checks
// (verifier/graph.ts mapFieldAccess: "bpf_timer cannot be accessed directly by load/store"), and
// tracing programs cannot use a map holding one (helpers/map-compat.ts).

import { Frame, Reg, RegType, VState } from './state.js';
import type { Verifier } from './verifier.js';
import type { VerifierMap } from './env.js';
import { subprogOf } from './cfg.js';
import { MapType } from '../maps/types.js';

/** The map types whose values may hold a bpf_timer (map_check_btf). */
const TIMER_MAP_TYPES: ReadonlySet<number> = new Set([MapType.HASH, MapType.LRU_HASH, MapType.ARRAY]);

/** bpf_timer_set_callback's helper id (the async-callback-calling helper). */
export const TIMER_SET_CALLBACK = 170;

/** What the timer argument told the rest of the call's checks (kernel meta->map_ptr/map_uid). */
export interface TimerMeta {
  map?: VerifierMap;
  mapUid?: number;
}

/** Offset of the map value's struct bpf_timer, from its BTF record, or undefined. */
export function timerOffset(map: VerifierMap | undefined): number | undefined {
  return map?.record?.fields.find((f) => f.type === 'bpf_timer')?.offset;
}

/** process_timer_func, after the generic type checks (a non-NULL map value pointer). */
export function checkTimerArg(v: Verifier, regno: number, meta: TimerMeta): void {
  const r = v.regs[regno]!;
  if (!r.s.isConst()) v.reject(`R${regno} doesn't have constant offset. bpf_timer has to be at the constant offset`, false, 22);
  const map = r.map!;
  // In other map types map_check_btf refuses the timer and libbpf creates the map again without
  // BTF, which is what the verifier then sees.
  if (!map.hasBtf || !TIMER_MAP_TYPES.has(map.type)) v.reject(`map '${map.name}' has to have BTF in order to use bpf_timer`, false, 22);
  const at = timerOffset(map);
  if (at === undefined) v.reject(`map '${map.name}' has no valid bpf_timer`, false, 22);
  const off = r.s.constValue() + BigInt(r.off);
  if (off !== BigInt(at)) v.reject(`off ${BigInt.asIntN(64, off)} doesn't point to 'struct bpf_timer' that is at ${at}`, false, 22);
  if (meta.map) v.reject('verifier bug. Two map pointers in a timer helper', false, 14);
  meta.map = map;
  meta.mapUid = r.mapUid;
}

/** check_func_arg's ARG_CONST_MAP_PTR after a timer argument named the map already: the same map
 *  and, for inner maps, the same lookup. */
export function checkTimerMapMatch(v: Verifier, r: Reg, meta: TimerMeta): void {
  if (!meta.map) return;
  if (meta.map !== r.map || (meta.mapUid ?? 0) !== r.mapUid) v.reject(`timer pointer in R1 map_uid=${meta.mapUid ?? 0} doesn't match map pointer in R2 map_uid=${r.mapUid}`, false, 22);
}

/** mark_ptr_not_null_reg: a non-NULL lookup of a map-in-map whose inner maps hold a timer names
 *  that inner map by the lookup's id. Called before the id is dropped. */
export function noteInnerMapUid(r: Reg): void {
  if (r.type === RegType.MAP_PTR && r.id && (timerOffset(r.map) !== undefined || r.map?.record?.fields.some((f) => f.type === 'bpf_wq'))) r.mapUid = r.id;
}

/** The subprograms (indexes) verified as async callbacks, per verification. */
const asyncRoots = new WeakMap<Verifier, Set<number>>();

/** Subprogram indexes of the async callbacks found so far (check_max_stack_depth's extra roots). */
export function asyncCallbacks(v: Verifier): ReadonlySet<number> {
  return asyncRoots.get(v) ?? new Set();
}

/** push_async_cb + set_timer_callback_state: queue the callback at `subprog` (its first insn) as
 *  a path of its own, with the arguments the timer's expiry passes: the map of the timer argument
 *  (the caller's R1), a key and the value. bpf_wq callbacks use the same state, `sleepable`
 *  (verifier/wq.ts). */
export function pushTimerCallback(v: Verifier, subprog: number, sleepable = false): void {
  const timer = v.regs[1]!;
  let roots = asyncRoots.get(v);
  if (!roots) asyncRoots.set(v, (roots = new Set()));
  roots.add(subprogOf(v.cfg, subprog));
  const st = new VState();
  st.inSleepable = sleepable;
  const f = new Frame(0, -1, subprog);
  f.inAsyncCb = true;
  f.callbackRet = [0n, 0n];
  const arg = (t: RegType): Reg => {
    const r = Reg.ptr(t);
    r.map = timer.map;
    r.mapUid = timer.mapUid;
    return r;
  };
  f.regs[1] = arg(RegType.MAP_PTR);
  f.regs[2] = arg(RegType.MAP_KEY);
  f.regs[3] = arg(RegType.MAP_VALUE);
  // 6.18 gives the value its own id (the host's log prints R3=map_value(id=N,...) at the
  // callback's entry).
  f.regs[3].id = v.newId();
  f.regs[10] = Reg.ptr(RegType.STACK);
  st.frames.push(f);
  v.pushAsyncBranch(st, subprog);
  // init_func_state marks the whole verifier state scratched: the call's state line prints every
  // register and slot.
  v.scratchAll();
}
