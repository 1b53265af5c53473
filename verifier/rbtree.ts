// The RFC rbtree's verifier rules (DESIGN section 7, issue 14), with the RFC's known holes fixed.
// calls.ts calls in here for the twelve rbtree helpers (ids 212-223); everything rbtree-specific
// about arguments, locks, non-owning references and callbacks lives in this file.
//
// Both modes:
//  - alloc_node / remove acquire a reference (helper table ACQUIRE); add releases its node only
//    when its result is non-NULL (calls.ts conditionalRelease, settled by the null check in
//    jmp.ts); free_node releases.
//  - Node arguments must be nodes of the map's BTF value type (`rbtree: R2 is of type X but Y is
//    expected`) and of the same map, at offset 0. add and free_node take owned nodes;
//    remove/next/prev take non-owning ones (`rbtree_remove node input must be non-owning ref`).
//    A node whose add result is not yet NULL-checked is `ptr_cond_rel_` and goes to no helper.
//  - Results of add/find/first/last/next/prev are non-owning nodes of the value type (find's
//    too: the RFC typed it as struct rb_node). They keep their id after the null check, so the
//    verifier knows which registers hold the same node.
//  - Non-owning nodes of a map die at bpf_rbtree_unlock of that map's lock (the RFC: of any
//    lock), the ones holding the node passed to remove die at remove, and when a node that
//    remove returned is freed every non-owning node of its map dies (any of them may have been
//    that node: the RFC left them dangling).
//  - alloc_node's size must cover the value type (the RFC only checked sizeof(struct rb_node)).
//    RFC mode keeps the RFC's alloc_node__size_too_small behaviour: a size below
//    sizeof(struct rb_node) is accepted, because the helper always returns NULL for it.
//  - less/cmp callbacks get their nodes read-only (writes are `only read is supported`), cmp's key
//    is the caller's second argument unchanged (the RFC typed it as a map value), and no helper
//    that touches a tree may be called inside them (`rbtree_add not allowed in rbtree cb`).
//  - bpf_rbtree_get_lock returns the map's 4-byte lock (a stand-in map value that only
//    bpf_rbtree_lock/unlock accept), not a 32-byte value the program could read past.
// Strict mode adds mainline's lock discipline: the map's lock held (statically) for every helper
// that touches its tree, one lock at a time, unlock only of the held lock, no lock or unlock in
// less/cmp, no exit or tail call while holding it. A program accepted in strict mode gets
// `rbtreeLockProven`, and its runs skip the helpers' run-time lock check.
import type { HelperEntry } from '../helpers/types.js';
import { RbtreeHelperId as Id } from '../helpers/rbtree.js';
import { MapType } from '../maps/types.js';
import type { VerifierMap } from './env.js';
import { Reg, RegFlag, RegType, regTypeName, type VState } from './state.js';
import type { Verifier } from './verifier.js';

const SPIN_LOCK = 93;
const SPIN_UNLOCK = 94;
const TAIL_CALL = 12;
const RB_NODE_SIZE = 24;

/** Helpers that take a map and work on its tree or nodes: never inside less/cmp; in strict mode
 *  the ones that read or change the tree need its lock. */
const TREE_HELPERS = new Set<number>([Id.alloc_node, Id.add, Id.find, Id.remove, Id.free_node, Id.first, Id.last, Id.next, Id.prev]);
const NEEDS_LOCK = new Set<number>([Id.add, Id.find, Id.remove, Id.first, Id.last, Id.next, Id.prev]);
/** Node arguments that must be non-owning references into the tree. */
const NON_OWNING_ARG = new Set<number>([Id.remove, Id.next, Id.prev]);

export const isRbtreeHelper = (id: number): boolean => id >= Id.alloc_node && id <= Id.prev;

const strict = (v: Verifier): boolean => v.opts.strict === true;
const inRbtreeCb = (s: VState): boolean => s.frames.some((f) => f.rbtreeCb);

/** The value type's name as messages print it (the map's name when it has no BTF). */
export function nodeType(map: VerifierMap): string {
  return map.valueType ?? map.name;
}

/** A node of `map` (R0 of the node-returning helpers, a callback's arguments). */
export function nodeReg(map: VerifierMap, flags: number): Reg {
  const r = Reg.ptr(RegType.BTF_ID, flags);
  r.btfName = nodeType(map);
  r.btfSize = map.valueSize;
  r.map = map;
  return r;
}

const lockMaps = new WeakMap<VerifierMap, VerifierMap>();
/** The stand-in map value bpf_rbtree_get_lock returns: the tree's struct bpf_spin_lock alone
 *  (4 bytes, the lock at offset 0, so loads and stores of it are refused as for any lock). */
export function lockMapOf(tree: VerifierMap): VerifierMap {
  let m = lockMaps.get(tree);
  if (!m) {
    m = { id: tree.id, name: `${tree.name}.lock`, type: MapType.RBTREE, keySize: 0, valueSize: 4, maxEntries: 0, flags: 0, hasBtf: true, frozen: false, spinLockOffset: 0, rbtreeLockOf: tree };
    lockMaps.set(tree, m);
  }
  return m;
}

/** Before the arguments: what may not be called where (callbacks, held locks). */
export function rbtreeBeforeArgs(v: Verifier, h: HelperEntry): void {
  const id = h.id;
  const cb = inRbtreeCb(v.st);
  if (cb && TREE_HELPERS.has(id)) v.reject(`${h.name} not allowed in rbtree cb`);
  if (!strict(v)) return;
  if (cb && (id === Id.lock || id === Id.unlock || id === SPIN_LOCK || id === SPIN_UNLOCK)) v.reject("can't spin_{lock,unlock} in rbtree cb");
  if (v.st.rbLocks.length) {
    if (id === TAIL_CALL) v.reject('tail_call cannot be used inside bpf_spin_lock-ed region');
    if (id === SPIN_LOCK) v.reject('Locking two bpf_spin_locks are not allowed');
  }
}

/** A node argument (the helper table's ARG_PTR_TO_BTF_ID 'rb_node'). Sets the release meta for
 *  add/free_node. `map` is the helper's map argument. */
export function checkNodeArg(v: Verifier, h: HelperEntry, regno: number, release: boolean, map: VerifierMap | undefined): number | undefined {
  const r = v.regs[regno]!;
  if (r.type !== RegType.BTF_ID) v.reject(`R${regno} type=${regTypeName(r)} expected=ptr_`);
  if (r.maybeNull) v.reject(`R${regno} type=${regTypeName(r)} expected=ptr_`);
  const tree = map?.type === MapType.RBTREE ? map : undefined;
  if (!tree) v.reject(`rbtree: R1 is not an rbtree map (${h.name})`);
  const want = nodeType(tree);
  if (!r.map || r.btfName !== want) v.reject(`rbtree: R${regno} is of type ${r.btfName || regTypeName(r)} but ${want} is expected`);
  if (r.map.id !== tree.id) v.reject(`rbtree: R${regno} is a node of map '${r.map.name}' but ${h.name} is called on map '${tree.name}'`);
  if (r.off !== 0 || !r.s.isConst() || r.s.constValue() !== 0n) v.reject(`dereference of modified ${regTypeName(r)} ptr R${regno} off=${r.off} disallowed`);
  if (r.refId && [...v.st.condRelease.values()].includes(r.refId)) v.reject(`R${regno} type=ptr_cond_rel_ expected=ptr_`);
  if (NON_OWNING_ARG.has(h.id) && !(r.flags & RegFlag.NON_OWN)) v.reject(`${h.name} node input must be non-owning ref`);
  if (release) {
    if (!r.refId) v.reject(`R${regno} must be referenced when passed to release function`);
    return r.refId;
  }
  return undefined;
}

/** After the arguments, before the release and R0: locks, invalidation, sizes. */
export function rbtreeAfterArgs(v: Verifier, h: HelperEntry, map: VerifierMap | undefined, lockRegno: number | undefined, releaseRef: number | undefined, allocSize: number | undefined): void {
  const id = h.id;
  if (id === SPIN_LOCK || id === SPIN_UNLOCK) {
    // bpf_spin_lock takes a map value's lock, never a tree's (the helper faults on one).
    if (v.regs[lockRegno!]!.map?.rbtreeLockOf) v.reject(`R${lockRegno} is an rbtree map's lock: take it with bpf_rbtree_lock`);
    return;
  }
  if (!isRbtreeHelper(id)) return;
  if (id === Id.lock || id === Id.unlock) return lockOrUnlock(v, h, lockRegno!);
  if (id === Id.get_lock) return;
  const tree = map?.type === MapType.RBTREE ? map : undefined;
  if (!tree) v.reject(`rbtree: R1 is not an rbtree map (${h.name})`);
  if (strict(v) && NEEDS_LOCK.has(id) && !v.st.rbLocks.includes(tree.id)) v.reject(`bpf_spin_lock at off=0 must be held for rbtree '${tree.name}' (bpf_${h.name})`);
  // Each step of an open-coded iteration counts, like the kernel's iterator depth.
  if (id === Id.next || id === Id.prev) {
    const it = v.st.rbIter;
    v.st.rbIterDepth++;
    if (id === Id.next) it.next++;
    else it.prev++;
    if (!v.regs[2]!.id || v.regs[2]!.id !== it.last) it.unchained++;
  } else if (id === Id.first || id === Id.last || id === Id.find || id === Id.add) v.st.rbIter.starts++;
  if (id === Id.alloc_node) {
    const size = allocSize ?? 0;
    const tooSmallForAny = size < RB_NODE_SIZE && !strict(v);
    if (size < tree.valueSize && !tooSmallForAny) v.reject(`rbtree: R2 size ${size} is smaller than ${nodeType(tree)} (${tree.valueSize} bytes)`);
  }
  if (id === Id.remove) {
    // The registers holding the removed node are stale: it is the program's again, through R0.
    const node = v.regs[2]!;
    if (node.id) killNonOwning(v.st, tree, node.id);
  }
  if (id === Id.free_node && releaseRef !== undefined) {
    // A node remove handed back may still be reachable through non-owning registers taken before
    // the remove under other ids (find, first, ...): freeing it kills every one of this map.
    if (v.st.refs.find((r) => r.id === releaseRef)?.kind === 'rbtree_remove') killNonOwning(v.st, tree);
  }
}

function lockOrUnlock(v: Verifier, h: HelperEntry, regno: number): void {
  const r = v.regs[regno]!;
  const tree = r.type === RegType.MAP_VALUE ? r.map?.rbtreeLockOf : undefined;
  if (!tree) v.reject(`rbtree: R${regno} is not an rbtree map's lock (bpf_rbtree_get_lock) but ${regTypeName(r)}`);
  const off = r.off + Number(r.s.isConst() ? r.s.constValue() : 0n);
  if (!r.s.isConst()) v.reject(`R${regno} doesn't have constant offset. bpf_spin_lock has to be at the constant offset`);
  if (off !== 0) v.reject(`off ${off} doesn't point to 'struct bpf_spin_lock' that is at 0`);
  if (h.id === Id.lock) {
    if (strict(v)) {
      if (v.st.rbLocks.length || v.st.lock) v.reject('Locking two bpf_spin_locks are not allowed');
      v.st.rbLocks.push(tree.id);
    }
    return;
  }
  if (strict(v)) {
    if (!v.st.rbLocks.length) v.reject('bpf_spin_unlock without taking a lock');
    if (!v.st.rbLocks.includes(tree.id)) v.reject('bpf_spin_unlock of different lock');
    v.st.rbLocks = v.st.rbLocks.filter((m) => m !== tree.id);
  }
  // Every non-owning reference into this tree dies with the lock.
  killNonOwning(v.st, tree);
}

/** Non-owning nodes of `tree` (only those of node id `id`, when given) become unknown scalars, in
 *  every frame, register and stack slot. */
export function killNonOwning(s: VState, tree: VerifierMap, id?: number): void {
  const dead = (r: Reg | undefined): boolean => r !== undefined && r.type === RegType.BTF_ID && (r.flags & RegFlag.NON_OWN) !== 0 && r.map?.id === tree.id && (id === undefined || r.id === id);
  // An add result not yet NULL-checked still decides whether its node was released (the
  // example's `if (!bpf_rbtree_add(...)) { unlock; free_node }`): it stays for that check only.
  const kill = (r: Reg): Reg => {
    if (r.maybeNull && s.condRelease.has(r.id)) {
      const c = r.clone();
      c.flags |= RegFlag.STALE;
      return c;
    }
    return Reg.unknown();
  };
  for (const f of s.frames) {
    for (let i = 0; i < 11; i++) if (dead(f.regs[i])) f.regs[i] = kill(f.regs[i]!);
    for (let k = 0; k < f.spills.length; k++) if (dead(f.spills[k])) f.spills[k] = kill(f.spills[k]!);
  }
}

/** R0 of an rbtree helper after calls.ts typed it: nodes get the value type, get_lock its lock. */
export function rbtreeReturn(v: Verifier, h: HelperEntry, map: VerifierMap | undefined): void {
  if (!map || map.type !== MapType.RBTREE) return;
  const r0 = v.regs[0]!;
  if (h.id === Id.get_lock && r0.type === RegType.MAP_VALUE) {
    r0.map = lockMapOf(map);
    return;
  }
  if (r0.type === RegType.BTF_ID && r0.map === map) {
    r0.btfName = nodeType(map);
    r0.btfSize = map.valueSize;
    // The node an iteration stands on: the next step should take this one.
    if (r0.flags & RegFlag.NON_OWN) v.st.rbIter.last = r0.id;
  }
}

/** Whether insn is a call of bpf_rbtree_next/prev (where iteration loops converge). */
export function isIterationStep(code: number, src: number, imm: number): boolean {
  return code === 0x85 && src === 0 && (imm === Id.next || imm === Id.prev);
}

/** At a next/prev call, may the current state prune against `old`, a state of the same loop
 *  still being explored (mainline's iterator convergence)? Only when the loop provably advances
 *  one iteration: since `old`, steps in one direction only, each taking the node the previous
 *  step (or first/last) returned, and no new iteration started. Otherwise a lap could stand
 *  still (next then prev, next of a node kept from before, first again) and the loop might never
 *  end; such a loop is unrolled like any other. */
export function iterationConverges(old: VState, cur: VState): boolean {
  const o = old.rbIter;
  const c = cur.rbIter;
  if (c.starts !== o.starts || c.unchained !== o.unchained) return false;
  // The step about to be made takes the last step's result, too.
  const arg = cur.cur.regs[2]!;
  if (!arg.id || arg.id !== c.last) return false;
  const dn = c.next - o.next;
  const dp = c.prev - o.prev;
  return (dn > 0 && dp === 0) || (dp > 0 && dn === 0);
}

/** The callback frame's arguments: less(a, b) gets two read-only nodes; cmp(key, n) the caller's
 *  key unchanged (read-only if it is a node) and a read-only node. */
export function rbtreeCallbackArgs(v: Verifier, h: HelperEntry, map: VerifierMap, callerR2: Reg, regs: Reg[]): void {
  const node = (): Reg => {
    const n = nodeReg(map, RegFlag.NON_OWN | RegFlag.RDONLY);
    n.id = v.newId();
    return n;
  };
  if (h.id === Id.add) {
    regs[1] = node();
    regs[2] = node();
    return;
  }
  const key = callerR2.clone();
  if (key.type === RegType.BTF_ID && key.map) key.flags |= RegFlag.RDONLY;
  regs[1] = key;
  regs[2] = node();
}

/** At the main program's exit (strict): no rbtree lock may be held. */
export function rbtreeExit(v: Verifier): void {
  if (strict(v) && v.st.rbLocks.length) v.reject('BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region', false, 22);
}
