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
// Open-coded iteration (first/next, last/prev loops) converges at the next/prev call like
// mainline's iterators, under rules that make every converging lap move the iteration (see
// iterationConverges); add and find, which run less/cmp, prune only a callback run coming back to
// its own call, never a lap of a loop around the call (which would accept `while (find(...));`).
// Strict mode adds mainline's lock discipline: the map's lock held (statically) for every helper
// that touches its tree, one lock at a time, unlock only of the held lock, no lock or unlock in
// less/cmp, no exit, tail call or global function call while holding it. A program accepted in
// strict mode gets `rbtreeLockProven`, and its runs skip the helpers' run-time lock check.
import type { HelperEntry } from '../helpers/types.js';
import { RbtreeHelperId as Id } from '../helpers/rbtree.js';
import { MapType } from '../maps/types.js';
import type { VerifierMap } from './env.js';
import { type Frame, Reg, RegFlag, RegType, regTypeName, type VState } from './state.js';
import type { Insn } from '../vm/isa.js';
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
  // The node a step starts from: rbtreeReturn records the step's result as its successor.
  if (id === Id.next || id === Id.prev) stepFrom.set(v, v.regs[2]!.id);
  if (id === Id.alloc_node) {
    const size = allocSize ?? 0;
    const tooSmallForAny = size < RB_NODE_SIZE && !strict(v);
    if (size < tree.valueSize && !tooSmallForAny) v.reject(`rbtree: R2 size ${size} is smaller than ${nodeType(tree)} (${tree.valueSize} bytes)`);
  }
  if (id === Id.remove) {
    // The registers holding the removed node are stale: it is the program's again, through R0.
    const node = v.regs[2]!;
    stepFrom.set(v, node.id);
    if (node.id) killNonOwning(v.st, tree, node.id);
  }
  if (id === Id.free_node && releaseRef !== undefined) {
    // A node remove handed back may still be reachable through non-owning registers taken before
    // the remove under other ids (find, first, ...): freeing it kills every one of this map, but
    // those a run of steps one way leads to from it or from which such a run led to it (never the
    // same node: next/prev never return their argument), so an iteration may free what it passed.
    if (v.st.refs.find((r) => r.id === releaseRef)?.kind === 'rbtree_remove') {
      const x = removedOf(v).get(releaseRef);
      killNonOwning(v.st, tree, undefined, x ? (r) => descent(v, r.id, x) > 0 || descent(v, x, r.id) > 0 : undefined);
    }
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
export function killNonOwning(s: VState, tree: VerifierMap, id?: number, spare?: (r: Reg) => boolean): void {
  const dead = (r: Reg | undefined): boolean => r !== undefined && r.type === RegType.BTF_ID && (r.flags & RegFlag.NON_OWN) !== 0 && r.map?.id === tree.id && (id === undefined || r.id === id) && !spare?.(r);
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
    if (h.id === Id.remove && r0.refId) removedOf(v).set(r0.refId, stepFrom.get(v) ?? 0);
    if ((h.id === Id.next || h.id === Id.prev) && r0.id) {
      const m = stepsOf(v);
      const from = stepFrom.get(v) ?? 0;
      const p = m.get(from);
      m.set(r0.id, { from, dir: h.id, depth: (p?.depth ?? 0) + 1, run: p?.dir === h.id ? p.run + 1 : 1, origin: p?.origin ?? from });
    }
  }
}

// ---- open-coded iteration and the callback calls: where loops may converge ------------------

/** A node id that next/prev returned: the node id it stepped from and the direction (the helper
 *  id). Ids are unique for the whole verification, so one table serves every path. */
interface Step {
  from: number;
  dir: number;
  /** Steps since the node the chain started from (first, last, find, add), and how many of the
   *  last ones went this step's way: they make most of descent's answers O(1). */
  depth: number;
  run: number;
  origin: number;
}
const steps = new WeakMap<Verifier, Map<number, Step>>();
/** The node argument of the next/prev or remove call being checked (rbtreeAfterArgs to
 *  rbtreeReturn). */
const stepFrom = new WeakMap<Verifier, number>();
/** remove's result (its reference id) -> the node id it was removed through. */
const removed = new WeakMap<Verifier, Map<number, number>>();
function removedOf(v: Verifier): Map<number, number> {
  let m = removed.get(v);
  if (!m) removed.set(v, (m = new Map()));
  return m;
}
function stepsOf(v: Verifier): Map<number, Step> {
  let m = steps.get(v);
  if (!m) steps.set(v, (m = new Map()));
  return m;
}

/** How node id `cur` came from node id `old` by next/prev steps: 0 when they are the same id,
 *  the direction (Id.next / Id.prev) when every step went that way, -1 otherwise (another origin,
 *  or steps both ways). */
function descent(v: Verifier, cur: number, old: number): number {
  if (cur === old) return 0;
  const m = steps.get(v);
  const c = m?.get(cur);
  if (!c) return -1;
  const o = m!.get(old);
  const gap = c.depth - (o?.depth ?? 0);
  if ((o?.origin ?? old) !== c.origin || gap <= 0 || gap > c.run) return -1;
  // Same origin, deeper, and the last `gap` steps all one way: is `old` on the way (not a fork)?
  let k = cur;
  for (let i = 0; i < gap; i++) k = m!.get(k)!.from;
  return k === old ? c.dir : -1;
}

const isNode = (r: Reg | undefined): r is Reg => r !== undefined && r.type === RegType.BTF_ID && (r.flags & RegFlag.NON_OWN) !== 0 && r.map !== undefined && r.id !== 0;

/** Pairs of non-owning nodes at the same place (live register or stack slot, every frame) of an
 *  old and the current state. */
function* nodePairs(old: VState, cur: VState, live: (frameIdx: number, f: Frame) => number): Generator<[Reg, Reg]> {
  for (let i = 0; i < old.frames.length && i < cur.frames.length; i++) {
    const of = old.frames[i]!;
    const cf = cur.frames[i]!;
    const mask = live(i, cf);
    for (let r = 0; r < 10; r++) {
      const o = of.regs[r];
      const c = cf.regs[r];
      if (mask & (1 << r) && isNode(o) && isNode(c)) yield [o, c];
    }
    for (let k = 0; k < of.spills.length && k < cf.spills.length; k++) {
      const o = of.spills[k];
      const c = cf.spills[k];
      if (isNode(o) && isNode(c)) yield [o, c];
    }
  }
}

/** Some node moved on since `old` by steps in one direction: the path is no endless repetition
 *  even when the states are otherwise the same (the kernel's exact-match check would call the
 *  second lap of `for (it = first; it; it = next(it))` an infinite loop). */
export function iterationProgressed(v: Verifier, old: VState, cur: VState, live: (frameIdx: number, f: Frame) => number): boolean {
  for (const [o, c] of nodePairs(old, cur, live)) if (descent(v, c.id, o.id) > 0) return true;
  return false;
}

/** May a state prune against `old` other than at an rbtree call (a state fully explored, or one
 *  at a bpf_loop-like call)? In a program with next/prev, only when every non-owning node they
 *  both hold is the same node (the same id): the convergence of its loops rests on how each node
 *  was stepped to from the ones before, which a renamed node (another origin, another lineage)
 *  would not keep. Without this, `while (it) { it = ... ? first() : next(it); bpf_loop(...); }`
 *  converged at the bpf_loop call on the lap that stepped, and ran forever on the one that
 *  restarts. */
export function rbtreeSameNodes(v: Verifier, old: VState, cur: VState, live: (frameIdx: number, f: Frame) => number): boolean {
  if (!hasSteps(v)) return true;
  for (const [o, c] of nodePairs(old, cur, live)) if (o.id !== c.id) return false;
  return true;
}
const stepping = new WeakMap<Verifier, boolean>();
function hasSteps(v: Verifier): boolean {
  let b = stepping.get(v);
  if (b === undefined) stepping.set(v, (b = v.insns.some((x) => x.code === 0x85 && x.src === 0 && (x.imm === Id.next || x.imm === Id.prev))));
  return b;
}

/** Helper ids of add/next/prev that may run on a lap of the loop `pc` is in (its strongly
 *  connected component, those of the frames' call sites, and every function they call or pass as
 *  a callback), so also in laps the search skipped by converging an inner loop. */
function loopHelpers(v: Verifier, cur: VState, pc: number): Set<number> {
  const { cfg, insns } = v;
  const key = [pc, ...cur.frames.slice(1).map((f) => `${f.callsite}:${f.subprog}`)].join(',');
  let memo = loopMemo.get(v);
  if (!memo) loopMemo.set(v, (memo = new Map()));
  const hit = memo.get(key);
  if (hit) return hit;
  const pcs = new Set<number>();
  const addScc = (at: number): void => {
    pcs.add(at);
    const s = cfg.scc[at];
    if (s) for (let i = 0; i < insns.length; i++) if (cfg.scc[i] === s) pcs.add(i);
  };
  const funcs = new Set<number>();
  addScc(pc);
  for (const f of cur.frames.slice(1)) {
    addScc(f.callsite);
    funcs.add(f.subprog);
  }
  const out = new Set<number>();
  const visit = (at: number): void => {
    const x = insns[at]!;
    // A bpf-to-bpf call or a function's address (a callback): its whole body may run.
    if ((x.code === 0x85 && x.src === 1) || (x.code === 0x18 && x.src === 4)) funcs.add(at + x.imm + 1);
    if (x.code === 0x85 && x.src === 0 && (x.imm === Id.add || x.imm === Id.next || x.imm === Id.prev)) out.add(x.imm);
  };
  for (const at of pcs) visit(at);
  const done = new Set<number>();
  for (const start of funcs) {
    if (done.has(start)) continue;
    done.add(start);
    const i = cfg.subprogs.indexOf(start);
    const end = i >= 0 && i + 1 < cfg.subprogs.length ? cfg.subprogs[i + 1]! : insns.length;
    for (let at = start; at < end; at++) visit(at);
  }
  memo.set(key, out);
  return out;
}
const loopMemo = new WeakMap<Verifier, Map<string, Set<number>>>();

/** What an rbtree call at the current pc means for pruning against states still being explored:
 *  'step' (next/prev), 'call' (add/find reached by the program's own flow: a new call, which
 *  gets its own token) or 'return' (add/find again after its less/cmp ran); undefined for other
 *  insns. */
export type RbtreeSite = 'step' | 'call' | 'return';
export function rbtreeSite(v: Verifier, insn: Insn, fromCallback: boolean): RbtreeSite | undefined {
  if (insn.code !== 0x85 || insn.src !== 0) return undefined;
  if (insn.imm === Id.next || insn.imm === Id.prev) return 'step';
  if (insn.imm !== Id.add && insn.imm !== Id.find) return undefined;
  if (fromCallback) return 'return';
  v.st.rbCall = v.newId();
  return 'call';
}

/** May the current state at an rbtree call site prune against `old`, a state at the same pc
 *  still being explored (an ancestor)?
 *  - add/find: only a callback run coming back to the same call (the helper calls less/cmp a
 *    finite number of times); a loop around the call must be unrolled or converge elsewhere.
 *  - next/prev (mainline's iterator convergence, made to hold for a tree): the lap since `old`
 *    moved the node this step takes (R2) at least one step, and every other node it kept moved
 *    on or stayed, all in this step's direction; and no code the loop may run (inner loops the
 *    search converged included) steps the other way or adds a node. Every lap then walks the
 *    tree one way while it only shrinks, so the loop ends; a lap that steps back (next then
 *    prev), from a node kept from before (next(first) again) or from a new start (first inside
 *    the loop) does not converge. */
export function rbtreeMayPrune(v: Verifier, site: RbtreeSite, pc: number, old: VState, cur: VState, live: (frameIdx: number, f: Frame) => number): boolean {
  if (site === 'call') return false;
  // (The same nodes too: cmp may store its node through a key that points at the caller's stack.)
  if (site === 'return') return old.rbCall === cur.rbCall && rbtreeSameNodes(v, old, cur, live);
  const dir = v.insns[pc]!.imm;
  const used = loopHelpers(v, cur, pc);
  if (used.has(Id.add) || used.has(dir === Id.next ? Id.prev : Id.next)) return false;
  const a = cur.cur.regs[2];
  const o = old.cur.regs[2];
  if (!isNode(a) || !isNode(o) || descent(v, a.id, o.id) !== dir) return false;
  for (const [po, pc2] of nodePairs(old, cur, live)) {
    const d = descent(v, pc2.id, po.id);
    if (d !== 0 && d !== dir) return false;
  }
  return true;
}

/** At an rbtree call whose current state equals (exactly, ids renamed) `old`, an ancestor it may
 *  not prune against: is this an endless loop? Yes when no iteration moved on since `old`, when a
 *  next/prev lap can never converge (the loop adds nodes or steps both ways), and when the same
 *  call keeps coming back like this (MAX_REPEATS times: an inner loop of a loop that converges
 *  needs a few, one lap per outer iteration the search unrolls). */
export function rbtreeEndless(v: Verifier, site: RbtreeSite, pc: number, old: VState, cur: VState, live: (frameIdx: number, f: Frame) => number): boolean {
  if (!iterationProgressed(v, old, cur, live)) return true;
  if (site === 'step') {
    const used = loopHelpers(v, cur, pc);
    if (used.has(Id.add) || used.has(v.insns[pc]!.imm === Id.next ? Id.prev : Id.next)) return true;
  }
  let m = repeats.get(v);
  if (!m) repeats.set(v, (m = new Map()));
  const n = (m.get(pc) ?? 0) + 1;
  m.set(pc, n);
  return n > MAX_REPEATS;
}
const MAX_REPEATS = 256;
const repeats = new WeakMap<Verifier, Map<number, number>>();

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

/** A call of a global function (strict): it is verified on its own, without the caller's lock,
 *  so it could take the lock again (a deadlock at run time) or release it under the caller. */
export function rbtreeGlobalCall(v: Verifier): void {
  if (strict(v) && v.st.rbLocks.length) v.reject('global function calls are not allowed while holding a lock,\nuse static function instead', false, 22);
}

/** At the main program's exit (strict): no rbtree lock may be held. */
export function rbtreeExit(v: Verifier): void {
  if (strict(v) && v.st.rbLocks.length) v.reject('BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region', false, 22);
}
