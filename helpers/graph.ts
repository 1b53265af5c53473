// Implementations of mainline's object and graph kfuncs (their table entries are in
// helpers/kfuncs.ts) and the bpf_kptr_xchg helper, on the runtime's GraphHeap (maps/graph.ts),
// which shares the RFC rbtree map's tree (maps/rbtree-tree.ts) and node allocator.
//
// Arguments the kernel's verifier fills in (meta__ign, off) arrive as the program passed them
// (NULL and 0 through bpf_experimental.h's macros), so nothing here reads them: the type of an
// object comes from bpf_obj_new's local type id and is remembered with the object, and a node's
// offset in its object from the root's `__contains` declaration. The kernel does not check the
// lock at run time (its verifier proved it held), and neither does this.

import { FaultSignal } from '../src/errors.js';
import type { GraphHeap } from '../maps/graph.js';
import type { HelperCall, HelperEntry, HelperResult } from './types.js';

function heap(call: HelperCall, what: string): GraphHeap {
  const g = call.env.graph;
  if (!g) throw new FaultSignal(`${what}: this runtime has no graph heap`);
  return g;
}

export function objNew(call: HelperCall): HelperResult {
  const what = 'bpf_obj_new_impl';
  const id = call.u64(1);
  const rec = id <= 0xffffffffn && call.localType ? call.localType(Number(id)) : `type id ${id} is out of range`;
  if (typeof rec === 'string') throw new FaultSignal(`${what}: ${rec}`);
  return heap(call, what).objNew(rec);
}

export function percpuObjNew(call: HelperCall): HelperResult {
  const what = 'bpf_percpu_obj_new_impl';
  const id = call.u64(1);
  const rec = id <= 0xffffffffn && call.localType ? call.localType(Number(id)) : `type id ${id} is out of range`;
  if (typeof rec === 'string') throw new FaultSignal(`${what}: ${rec}`);
  if (rec.fields.length) throw new FaultSignal(`${what}: struct ${rec.name} has special fields (a per-CPU object is a struct of scalars)`);
  return heap(call, what).percpuObjNew(rec, call.env.ncpus);
}

export function percpuObjDrop(call: HelperCall): HelperResult {
  heap(call, 'bpf_percpu_obj_drop_impl').percpuObjDrop(call.ptr(1), 'bpf_percpu_obj_drop_impl');
  return 0;
}

export function objDrop(call: HelperCall): HelperResult {
  heap(call, 'bpf_obj_drop_impl').objDrop(call.ptr(1), 'bpf_obj_drop_impl');
  return 0;
}

export function refcountAcquire(call: HelperCall): HelperResult {
  return heap(call, 'bpf_refcount_acquire_impl').refcountAcquire(call.ptr(1), 'bpf_refcount_acquire_impl');
}

/** The `less` callback of the running add, bound once (HelperCall's comparator; set around
 *  rbAdd and restored after, in case a callback started another tree operation): one
 *  module-level comparator, no closure per add. */
let lessFn: ((a: number, b: number) => Int32Array) | undefined;
function lessCallback(a: number, b: number): boolean {
  // less returns bool: any non-zero r0 is true. No array or BigInt per comparison.
  const R = lessFn!(a, b);
  return (R[0]! | R[1]!) !== 0;
}

export function rbtreeAdd(call: HelperCall): HelperResult {
  const what = 'bpf_rbtree_add_impl';
  const g = heap(call, what);
  const outer = lessFn;
  lessFn = call.comparator !== undefined ? call.comparator(3) : (a, b) => call.callback2(3, a, b);
  try {
    return g.rbAdd(call.ptr(1), call.ptr(2), lessCallback, what);
  } finally {
    lessFn = outer;
  }
}

export const rbtreeFirst = (call: HelperCall): HelperResult => heap(call, 'bpf_rbtree_first').rbFirst(call.ptr(1), 'bpf_rbtree_first');
export const rbtreeRemove = (call: HelperCall): HelperResult => heap(call, 'bpf_rbtree_remove').rbRemove(call.ptr(1), call.ptr(2), 'bpf_rbtree_remove');
export const rbtreeRoot = (call: HelperCall): HelperResult => heap(call, 'bpf_rbtree_root').rbRoot(call.ptr(1), 'bpf_rbtree_root');
export const rbtreeLeft = (call: HelperCall): HelperResult => heap(call, 'bpf_rbtree_left').rbChild(call.ptr(1), call.ptr(2), 'left', 'bpf_rbtree_left');
export const rbtreeRight = (call: HelperCall): HelperResult => heap(call, 'bpf_rbtree_right').rbChild(call.ptr(1), call.ptr(2), 'right', 'bpf_rbtree_right');

export const listPush = (tail: boolean) => (call: HelperCall): HelperResult => {
  const what = tail ? 'bpf_list_push_back_impl' : 'bpf_list_push_front_impl';
  return heap(call, what).listPush(call.ptr(1), call.ptr(2), tail, what);
};
export const listPop = (tail: boolean) => (call: HelperCall): HelperResult => {
  const what = tail ? 'bpf_list_pop_back' : 'bpf_list_pop_front';
  return heap(call, what).listPop(call.ptr(1), tail, what);
};
export const listPeek = (tail: boolean) => (call: HelperCall): HelperResult => {
  const what = tail ? 'bpf_list_back' : 'bpf_list_front';
  return heap(call, what).listPeek(call.ptr(1), tail, what);
};

const PERCPU_PTR = { type: 'ARG_PTR_TO_PERCPU_BTF_ID' } as const;

/** bpf_per_cpu_ptr (#153) and bpf_this_cpu_ptr (#154) on per-CPU objects (bpf_percpu_obj_new). */
export const PERCPU_PTR_HELPERS: readonly HelperEntry[] = [
  {
    id: 153,
    name: 'per_cpu_ptr',
    proto: { args: [PERCPU_PTR, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_PTR_TO_MEM_OR_BTF_ID', flags: ['PTR_MAYBE_NULL', 'MEM_RDONLY'] } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => heap(call, 'bpf_per_cpu_ptr').perCpuPtr(call.ptr(1), call.u32(2), call.env.ncpus, 'bpf_per_cpu_ptr'),
  },
  {
    id: 154,
    name: 'this_cpu_ptr',
    proto: { args: [PERCPU_PTR], ret: { type: 'RET_PTR_TO_MEM_OR_BTF_ID', flags: ['MEM_RDONLY'] } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => heap(call, 'bpf_this_cpu_ptr').perCpuPtr(call.ptr(1), call.cpu, call.env.ncpus, 'bpf_this_cpu_ptr'),
  },
];

/** bpf_kptr_xchg (#194): `void *bpf_kptr_xchg(void *dst, void *ptr)`. dst must be a `__kptr`
 *  field BTF declares in a map value (or an object); the old pointer is returned and the program
 *  owns it. */
export const KPTR_XCHG: HelperEntry = {
  id: 194,
  name: 'kptr_xchg',
  proto: {
    args: [{ type: 'ARG_PTR_TO_KPTR' }, { type: 'ARG_PTR_TO_BTF_ID', flags: ['PTR_MAYBE_NULL', 'OBJ_RELEASE'] }],
    ret: { type: 'RET_PTR_TO_BTF_ID', flags: ['PTR_MAYBE_NULL', 'ACQUIRE'] },
  },
  gplOnly: false,
  progTypes: 'all',
  impl: (call) => heap(call, 'bpf_kptr_xchg').kptrXchg(call.ptr(1), call.u64(2), 'bpf_kptr_xchg'),
};
