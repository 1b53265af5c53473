// The RFC's twelve rbtree helpers (DESIGN section 7), ids 212-223 in the RFC's order. Mainline froze
// helper ids at 211, so these can never collide with a real helper.
//
// Run-time rules (the RFC's, made per-run): every helper that touches the tree returns NULL unless
// *this run* holds the tree's lock (the RFC checked spin_is_locked, i.e. anyone); lock/unlock go
// through the run's LockSet, so taking a held lock and ending a run with it held fault (DESIGN
// section 2). less/cmp run as BPF callbacks while the map is marked busy, so a callback that
// touches the same tree gets NULL instead of seeing it half-updated.

import { RbtreeMap } from '../maps/rbtree.js';
import { Errno } from '../maps/types.js';
import { lockWord } from './locks.js';
import type { HelperArg, HelperCall, HelperEntry, HelperRet } from './types.js';

export const RbtreeHelperId = {
  alloc_node: 212,
  add: 213,
  find: 214,
  remove: 215,
  free_node: 216,
  get_lock: 217,
  lock: 218,
  unlock: 219,
  first: 220,
  last: 221,
  next: 222,
  prev: 223,
} as const;

// ---- prototypes in the kernel's vocabulary (reference/rfc-rbtree.md section 1) --------------

const MAP: HelperArg = { type: 'ARG_CONST_MAP_PTR' };
/** A node of the map's value type ('rb_node' stands for the map's node type). */
const NODE: HelperArg = { type: 'ARG_PTR_TO_BTF_ID', btfType: 'rb_node' };
const NODE_RELEASE: HelperArg = { type: 'ARG_PTR_TO_BTF_ID', btfType: 'rb_node', flags: ['OBJ_RELEASE'] };
const NODE_ITER: HelperArg = { type: 'ARG_PTR_TO_BTF_ID', btfType: 'rb_node', flags: ['PTR_ITER'] };
const FUNC: HelperArg = { type: 'ARG_PTR_TO_FUNC' };
const LOCK: HelperArg = { type: 'ARG_PTR_TO_SPIN_LOCK' };
const INT: HelperRet = { type: 'RET_INTEGER' };
const node = (...flags: NonNullable<HelperRet['flags']>): HelperRet => ({
  type: 'RET_PTR_TO_BTF_ID',
  btfType: 'rb_node',
  flags: ['PTR_MAYBE_NULL', ...flags],
});
const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;

// ---- run-time ---------------------------------------------------------------------------------

/** The rbtree map in argument 1, or undefined when the map is of another type (the RFC's
 *  alloc_node checks map_type at run time; we do it for every helper). */
function treeOf(call: HelperCall): RbtreeMap | undefined {
  const m = call.map(1);
  return m instanceof RbtreeMap ? m : undefined;
}

/** The tree, only when this run holds its lock (else the helper returns NULL). A program the
 *  verifier proved to hold the lock for every tree operation (strict mode) skips the check. */
function lockedTree(call: HelperCall): RbtreeMap | undefined {
  const t = treeOf(call);
  return t && (call.rbtreeLockProven || call.locks.held(t.lockAddr)) ? t : undefined;
}

/** The rbtree map whose lock lockArg last accepted (with every check of lockWord). */
let lastLockMap: RbtreeMap | undefined;

/** Only an rbtree map's own lock (bpf_rbtree_get_lock), never another word (helpers/locks.ts).
 *  The same lock as last time, of the same arena and still live (spinLockAt), passes at once:
 *  lockWord's answer for it cannot have changed (its region's flags are fixed, it is not freed
 *  before its map is destroyed), and the search over the runtime's maps costs a lock/unlock pair
 *  more than the rest of an rbtree add. */
function lockArg(call: HelperCall, what: string): number {
  const c = lastLockMap;
  if (c !== undefined) {
    const addr = call.ptr(1);
    if (addr === c.lockAddr && c.arena === call.arena && c.spinLockAt(addr)) return addr;
  }
  const { addr, map } = lockWord(call, what, (m) => m instanceof RbtreeMap, "an rbtree map's lock (bpf_rbtree_get_lock)");
  lastLockMap = map as RbtreeMap;
  return addr;
}

/** The less/cmp callback of the running add/find, bound once per operation (HelperCall's
 *  comparator: the handle checked and the compiled callback looked up once, not per comparison). */
let cbFn: ((a: number, b: number) => Int32Array) | undefined;
/** find's key, as a number, for cmpCallback. */
let cbKey = 0;
function lessCallback(a: number, b: number): boolean {
  const R = cbFn!(a, b);
  return (R[0]! | R[1]!) !== 0;
}
function cmpCallback(n: number): number {
  return cbFn!(cbKey, n)[0]!;
}

/** The comparator of argument 3 for a walk of `t`. Every node the walk hands to less/cmp is a
 *  live node of the map, allocated with at least value_size bytes (RbtreeMap.allocNode),
 *  readable, and nothing can free it while the walk runs (the map is busy, and a callback that
 *  calls any helper is not a leaf): that is the promise of bytes (callback2's aBytes/bBytes) that
 *  lets a compiled comparator read its nodes without range checks. find's key is the program's
 *  and gets none. */
function boundCallback(call: HelperCall, t: RbtreeMap, keyIsNode: boolean): (a: number, b: number) => Int32Array {
  const n = t.valueSize;
  const a = keyIsNode ? n : 0;
  return call.comparator !== undefined ? call.comparator(3, a, n) : (x, y) => call.callback2(3, x, y, a, n);
}

const entry = (
  name: keyof typeof RbtreeHelperId,
  args: HelperArg[],
  ret: HelperRet,
  impl: HelperEntry['impl'],
  callbackRet?: Record<number, readonly [bigint, bigint]>,
): HelperEntry => ({
  id: RbtreeHelperId[name],
  name: `rbtree_${name}`,
  proto: callbackRet ? { args, ret, callbackRet } : { args, ret },
  gplOnly: true,
  progTypes: 'all',
  impl,
});

export const RBTREE_HELPERS: readonly HelperEntry[] = [
  // void *bpf_rbtree_alloc_node(void *map, __u32 size)
  entry('alloc_node', [MAP, { type: 'ARG_CONST_ALLOC_SIZE_OR_ZERO' }], node('ACQUIRE'), (call) => {
    const t = treeOf(call);
    return t ? t.allocNode(call.u32(2)) : 0;
  }),

  // void *bpf_rbtree_add(void *map, void *node, bool (*less)(struct rb_node *a, const struct rb_node *b))
  entry(
    'add',
    [MAP, NODE_RELEASE, FUNC],
    node('NON_OWNING', 'CONDITIONAL_RELEASE'),
    (call) => {
      const t = lockedTree(call);
      if (!t) return 0;
      // less returns bool: any non-zero r0 is true. The comparator is one module-level function
      // calling the bound callback (no closure per add, no array or BigInt per comparison); the
      // previous one is restored after, in case a callback started another tree operation.
      const outer = cbFn;
      cbFn = boundCallback(call, t, true);
      try {
        return t.add(call.ptr(2), lessCallback);
      } finally {
        cbFn = outer;
      }
    },
    { 3: [0n, 1n] },
  ),

  // void *bpf_rbtree_find(void *map, void *key, int (*cmp)(const void *key, const struct rb_node *n))
  entry(
    'find',
    [MAP, { type: 'ARG_ANYTHING' }, FUNC],
    node('NON_OWNING'),
    (call) => {
      const t = lockedTree(call);
      if (!t) return 0;
      const k = call.u64(2);
      // Usually a stack address: hand it to each callback as a number (no BigInt per call).
      const key = k <= 0xffffffffn ? Number(k) : k;
      // cmp returns int: the low 32 bits, signed, as the kernel's int-returning wrapper sees them.
      if (typeof key === 'number') {
        const outer = cbFn;
        const outerKey = cbKey;
        cbFn = boundCallback(call, t, false);
        cbKey = key;
        try {
          return t.find(cmpCallback);
        } finally {
          cbFn = outer;
          cbKey = outerKey;
        }
      }
      const cmp = call.u64(3);
      return t.find((n) => Number(BigInt.asIntN(32, call.callFunction(cmp, [key, n]))));
    },
    // cmp returns any integer (the RFC widened the range to [0, U64_MAX] unsigned, which lets
    // every 64-bit value through; as a signed range that is every s64).
    { 3: [S64_MIN, S64_MAX] },
  ),

  // void *bpf_rbtree_remove(void *map, void *node)
  entry('remove', [MAP, NODE], node('ACQUIRE'), (call) => {
    const t = lockedTree(call);
    return t ? t.remove(call.ptr(2)) : 0;
  }),

  // long bpf_rbtree_free_node(void *map, void *node): needs no lock (the node is in no tree).
  entry('free_node', [MAP, NODE_RELEASE], INT, (call) => {
    const t = treeOf(call);
    return t ? t.freeNode(call.ptr(2)) : -Errno.EINVAL;
  }),

  // void *bpf_rbtree_get_lock(void *map): the map's own struct bpf_spin_lock. RET_PTR_TO_MAP_VALUE
  // as in the RFC, whose ARG_PTR_TO_SPIN_LOCK accepted only map values.
  entry('get_lock', [MAP], { type: 'RET_PTR_TO_MAP_VALUE' }, (call) => {
    const t = treeOf(call);
    return t ? t.lockAddr : 0;
  }),

  // long bpf_rbtree_lock(struct bpf_spin_lock *lock)
  entry('lock', [LOCK], INT, (call) => {
    call.locks.take(lockArg(call, 'bpf_rbtree_lock'), 'bpf_rbtree_lock');
    return 0;
  }),

  // long bpf_rbtree_unlock(struct bpf_spin_lock *lock): every non-owning reference dies here.
  entry('unlock', [LOCK], INT, (call) => {
    call.locks.release(lockArg(call, 'bpf_rbtree_unlock'), 'bpf_rbtree_unlock');
    return 0;
  }),

  // void *bpf_rbtree_first(void *map) / last: open-coded iteration starts here.
  entry('first', [MAP], node('PTR_ITER', 'NON_OWNING'), (call) => lockedTree(call)?.first() ?? 0),
  entry('last', [MAP], node('PTR_ITER', 'NON_OWNING'), (call) => lockedTree(call)?.last() ?? 0),

  // void *bpf_rbtree_next(void *map, void *node) / prev
  entry('next', [MAP, NODE_ITER], node('PTR_ITER_END', 'NON_OWNING'), (call) => lockedTree(call)?.next(call.ptr(2)) ?? 0),
  entry('prev', [MAP, NODE_ITER], node('PTR_ITER_END', 'NON_OWNING'), (call) => lockedTree(call)?.prev(call.ptr(2)) ?? 0),
];
