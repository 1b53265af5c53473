// Mainline's graph data structures at run time (issue 16): objects from bpf_obj_new, the
// bpf_rb_root / bpf_list_head roots BTF describes in map values, global data and objects, and the
// kptrs map values hold. The kfuncs (helpers/graph.ts) and the maps that own roots (freeing what a
// value still holds) call into one GraphHeap per runtime.
//
// Layouts are the kernel's: struct bpf_rb_node is 32 bytes (rb_node: parent|colour, right, left;
// then the owner), bpf_list_node 24 (next, prev, owner), bpf_rb_root and bpf_list_head 16,
// bpf_refcount 4. What the kfuncs trust never lives where a program can write:
//  - node links are the RFC map's design (maps/rbtree.ts): one RbTree implementation keeps its
//    links inside the node, and those bytes are write-protected for the node's whole life, as are
//    the list links, the owner words and the refcount word (all mirrors of the side tables below
//    or written only here);
//  - the owner of every node field, the refcount of every object, and each root's state (the
//    RbTree's root/leftmost/rightmost, a list's first/last) live in this heap's tables, keyed by
//    address; root bytes in a map value are never read (a program or user space may write them).
// Objects come from the arena's allocator (kind 'node', the one the RFC's alloc_node uses), capped
// like the kernel's bpf_mem_alloc.

import { FaultSignal } from '../src/errors.js';
import type { Arena } from '../vm/memory.js';
import { RbTree } from './rbtree-tree.js';
import { Errno } from './types.js';

export type GraphFieldKind = 'spin_lock' | 'rb_root' | 'list_head' | 'rb_node' | 'list_node' | 'refcount' | 'kptr';

/** sizeof of each special struct (include/uapi/linux/bpf.h). */
export const GRAPH_FIELD_SIZE: Readonly<Record<GraphFieldKind, number>> = {
  spin_lock: 4,
  rb_root: 16,
  list_head: 16,
  rb_node: 32,
  list_node: 24,
  refcount: 4,
  kptr: 8,
};

/** One special field of a type (the kernel's struct btf_field), at its byte offset. */
export interface GraphField {
  kind: GraphFieldKind;
  offset: number;
  /** rb_root / list_head: the node type it holds (`__contains(T, field)`). */
  contains?: { record: GraphRecord; nodeOffset: number; nodeField: string };
  /** kptr: the pointee type and, when it is a program type, its record. */
  kptr?: { tag: string; typeName: string; record?: GraphRecord };
}

/** The special fields of a struct or data section (the kernel's struct btf_record). */
export interface GraphRecord {
  name: string;
  typeId: number;
  size: number;
  fields: GraphField[];
  byOffset: Map<number, GraphField>;
  /** Offset of the struct bpf_refcount, or -1. */
  refcountOff: number;
}

/** A record that keeps only what a map or object must free: roots and kptrs. */
export function needsFreeing(r: GraphRecord): boolean {
  return r.fields.some((f) => f.kind === 'rb_root' || f.kind === 'list_head' || f.kind === 'kptr');
}

/** bpf_mem_alloc's largest object: 4096 bytes less its 8-byte llist node (kernel/bpf/memalloc.c,
 *  bpf_mem_cache_idx(size + LLIST_NODE_SZ) fails above 4096). */
export const BPF_MEM_ALLOC_MAX = 4096 - 8;
/** The per-CPU allocator's largest object: per-CPU allocations carry no llist node. */
export const BPF_MEM_ALLOC_PERCPU_MAX = 4096;

interface GraphObject {
  addr: number;
  record: GraphRecord;
  refcount: number;
  /** bpf_percpu_obj_new's objects: the bytes between CPU copies (0 for ordinary objects). */
  percpuStride: number;
  /** False once freed: entries are kept and reused for the next object at the address, because
   *  V8's Map degrades to O(size) per operation under steady set/delete churn (measured: 57 µs a
   *  set+delete pair at 10,000 live keys), which every bpf_obj_new/drop pair would be. */
  live: boolean;
}

interface RbRoot {
  kind: 'rb_root';
  addr: number;
  field: GraphField;
  tree: RbTree;
  /** A less callback of an add on this root is running. */
  busy: boolean;
}

interface ListRoot {
  kind: 'list_head';
  addr: number;
  field: GraphField;
  first: number;
  last: number;
  count: number;
}

type Root = RbRoot | ListRoot;

/** Where a root or kptr field at an address lives: the record of the value or section holding
 *  it, and that value's start. Provided by the runtime (map values, global data). */
export type ContainerLookup = (addr: number) => { record: GraphRecord; base: number; what: string } | undefined;

const hex = (n: number): string => '0x' + n.toString(16);
const NODE_ALLOC = { kind: 'node', name: 'bpf_obj_new' } as const;
/** A node's owner word while it is being added (the kernel's BPF_PTR_POISON): never a root's
 *  address, since page 0 is never handed out. */
const BUSY = 1;

export class GraphHeap {
  /** Objects by address, dead ones included (see GraphObject.live). */
  private readonly objects = new Map<number, GraphObject>();
  private live = 0;
  private readonly roots = new Map<number, Root>();
  constructor(
    readonly arena: Arena,
    private readonly containers: ContainerLookup = () => undefined,
  ) {}

  /** The arena's word view now (replaced when the arena grows: never kept). */
  private get w(): Uint32Array {
    return this.arena.u32;
  }

  /** Objects allocated and not yet freed. */
  get liveObjects(): number {
    return this.live;
  }

  // ---- objects -------------------------------------------------------------------------------

  /** bpf_obj_new: a zeroed object of the record's type, its node fields initialised (RB_CLEAR_NODE,
   *  INIT_LIST_HEAD), refcount 1; 0 (NULL) above the allocator's cap or when the arena is full. */
  objNew(record: GraphRecord): number {
    if (record.size > BPF_MEM_ALLOC_MAX) return 0;
    let addr: number;
    try {
      addr = this.arena.alloc(Math.max(record.size, 1), NODE_ALLOC);
    } catch {
      return 0;
    }
    this.track(addr, record, 0);
    this.initFields(record, addr);
    return addr;
  }

  private track(addr: number, record: GraphRecord, percpuStride: number): void {
    const old = this.objects.get(addr);
    if (old) {
      old.record = record;
      old.refcount = 1;
      old.live = true;
      old.percpuStride = percpuStride;
    } else this.objects.set(addr, { addr, record, refcount: 1, live: true, percpuStride });
    this.live++;
  }

  /** bpf_percpu_obj_new: `ncpus` zeroed copies of a struct of scalars, one allocation, CPU c's copy
   *  at c * round_up(size, 8); the address returned is CPU 0's (reached through bpf_per_cpu_ptr /
   *  bpf_this_cpu_ptr). 0 above the per-CPU allocator's cap or when the arena is full. */
  percpuObjNew(record: GraphRecord, ncpus: number): number {
    if (record.size > BPF_MEM_ALLOC_PERCPU_MAX) return 0;
    const stride = Math.max(8, Math.ceil(record.size / 8) * 8);
    let addr: number;
    try {
      addr = this.arena.alloc(stride * ncpus, { kind: 'node', name: 'bpf_percpu_obj_new' });
    } catch {
      return 0;
    }
    this.track(addr, record, stride);
    return addr;
  }

  /** bpf_percpu_obj_drop: free a per-CPU object (they are never refcounted). */
  percpuObjDrop(addr: number, what: string): void {
    const o = this.liveObject(addr, what);
    if (o.percpuStride === 0) throw new FaultSignal(`${what}: ${hex(addr)} is an object from bpf_obj_new, not bpf_percpu_obj_new (drop it with bpf_obj_drop)`);
    this.dropRef(o, what);
  }

  /** bpf_per_cpu_ptr: CPU `cpu`'s copy of a per-CPU object, NULL when cpu >= ncpus. Only objects
   *  from bpf_percpu_obj_new are per-CPU memory here (the kernel's per-CPU variables are not
   *  modelled). */
  perCpuPtr(addr: number, cpu: number, ncpus: number, what: string): number {
    const o = this.object(addr);
    if (!o || o.percpuStride === 0) throw new FaultSignal(`${what}: ${hex(addr)} is not a per-CPU object from bpf_percpu_obj_new${addr === 0 ? ' (NULL)' : this.describeAddr(addr)}`);
    return cpu >= ncpus ? 0 : addr + cpu * o.percpuStride;
  }

  private initFields(record: GraphRecord, addr: number): void {
    for (const f of record.fields) {
      const at = addr + f.offset;
      if (f.kind === 'rb_node') {
        this.setWord(at, at); // RB_CLEAR_NODE: parent = self
        this.arena.protect(at, GRAPH_FIELD_SIZE.rb_node);
      } else if (f.kind === 'list_node') {
        this.setWord(at, at); // INIT_LIST_HEAD: next = prev = self
        this.setWord(at + 8, at);
        this.arena.protect(at, GRAPH_FIELD_SIZE.list_node);
      } else if (f.kind === 'refcount') {
        this.w[at >>> 2] = 1;
        this.arena.protect(at, 4);
      } else if (f.kind === 'spin_lock') {
        this.arena.protect(at, 4); // only the lock helpers write it
      }
    }
  }

  /** Whether `addr` is the bpf_spin_lock field of a live object (bpf_spin_lock takes it). */
  objectLockAt(addr: number): boolean {
    const o = this.objectAround(addr);
    return o !== undefined && o.record.byOffset.get(addr - o.addr)?.kind === 'spin_lock';
  }

  /** The live object starting at `addr`, or undefined. */
  object(addr: number): GraphObject | undefined {
    const o = this.objects.get(addr);
    return o?.live ? o : undefined;
  }

  /** The live object containing `addr`. */
  private objectAround(addr: number): GraphObject | undefined {
    const info = this.arena.describe(addr);
    return info && info.kind === 'node' ? this.object(info.start) : undefined;
  }

  private liveObject(addr: number, what: string): GraphObject {
    const o = this.object(addr);
    if (!o) throw new FaultSignal(`${what}: ${hex(addr)} is not a live object from bpf_obj_new${this.describeAddr(addr)}`);
    return o;
  }

  private describeAddr(addr: number): string {
    const info = this.arena.describe(addr);
    if (!info) return ' (not in any region)';
    const inner = this.objectAround(addr);
    if (inner) return ` (offset ${addr - inner.addr} of a struct ${inner.record.name} object)`;
    return ` (offset ${addr - info.start} of ${info.kind} '${info.name}')`;
  }

  /** bpf_obj_drop / __bpf_obj_drop_impl: drop one reference; at zero, free what the object holds
   *  (nested roots, kptrs) and the object. */
  objDrop(addr: number, what: string): void {
    const o = this.liveObject(addr, what);
    if (o.percpuStride !== 0) throw new FaultSignal(`${what}: ${hex(addr)} is a per-CPU object (drop it with bpf_percpu_obj_drop)`);
    this.dropRef(o, what);
  }

  private dropRef(o: GraphObject, what: string): void {
    if (o.refcount > 1) {
      o.refcount--;
      this.mirrorRefcount(o);
      return;
    }
    for (const f of o.record.fields) {
      if ((f.kind === 'rb_node' || f.kind === 'list_node') && this.ownerOf(o.addr + f.offset, f.kind) !== 0) {
        throw new FaultSignal(`${what}: the struct ${o.record.name} object at ${hex(o.addr)} is still in a ${f.kind === 'rb_node' ? 'bpf_rb_root' : 'bpf_list_head'} (its ${f.kind} at offset ${f.offset}): only its owner may free it`);
      }
    }
    o.refcount = 0;
    o.live = false;
    this.live--;
    this.freeFields(o.record, o.addr);
    this.arena.free(o.addr); // also lifts the write protection of its node fields
  }

  private mirrorRefcount(o: GraphObject): void {
    if (o.record.refcountOff >= 0) this.w[(o.addr + o.record.refcountOff) >>> 2] = o.refcount;
  }

  /** bpf_refcount_acquire: a new owning reference (refcount_inc_not_zero). */
  refcountAcquire(addr: number, what: string): number {
    const o = this.liveObject(addr, what);
    if (o.record.refcountOff < 0) throw new FaultSignal(`${what}: struct ${o.record.name} has no struct bpf_refcount field`);
    if (o.refcount === 0) return 0;
    o.refcount++;
    this.mirrorRefcount(o);
    return addr;
  }

  /** Refcount of a live object (tests, user space). */
  refcountOf(addr: number): number | undefined {
    return this.object(addr)?.refcount;
  }

  // ---- owners ----------------------------------------------------------------------------------
  // A node's owner is the root's address in the node's own owner word (bpf_rb_node_kern.owner at
  // +24, bpf_list_node_kern.owner at +16), as in the kernel: the word is write-protected for the
  // object's life, so only this heap writes it, and a node is only ever read through a live
  // object (nodeOf). 0: in no root; BUSY: being added.

  private ownerOf(node: number, kind: 'rb_node' | 'list_node'): number {
    return this.w[(node + (kind === 'rb_node' ? 24 : 16)) >>> 2]!;
  }

  private setOwner(node: number, kind: 'rb_node' | 'list_node', root: number): void {
    this.setWord(node + (kind === 'rb_node' ? 24 : 16), root);
  }

  // ---- roots ---------------------------------------------------------------------------------

  /** The root of `kind` at `addr`: a field BTF describes in a map value, a data section or a live
   *  object. Its state is made on first use (the kernel initialises zeroed roots lazily too). */
  private root<K extends Root['kind']>(addr: number, kind: K, what: string): Extract<Root, { kind: K }> {
    const known = this.roots.get(addr);
    if (known && known.kind === kind) return known as Extract<Root, { kind: K }>;
    const name = kind === 'rb_root' ? 'struct bpf_rb_root' : 'struct bpf_list_head';
    let field: GraphField | undefined;
    const obj = this.objectAround(addr);
    if (obj) field = obj.record.byOffset.get(addr - obj.addr);
    else {
      const c = addr !== 0 ? this.containers(addr) : undefined;
      field = c?.record.byOffset.get(addr - c.base);
    }
    if (!field || field.kind !== kind || !field.contains) {
      throw new FaultSignal(`${what}: ${hex(addr)} is not a ${name} (one that BTF declares with __contains in a map value, global data or an object)${addr === 0 ? ' (NULL)' : this.describeAddr(addr)}`);
    }
    const r: Root = kind === 'rb_root' ? { kind: 'rb_root', addr, field, tree: new RbTree(this.arena), busy: false } : { kind: 'list_head', addr, field, first: 0, last: 0, count: 0 };
    this.roots.set(addr, r);
    return r as Extract<Root, { kind: K }>;
  }

  /** The object and field of the node field at `node`, checked to be what `root` holds. */
  private nodeOf(root: Root, node: number, what: string): GraphObject {
    const kind = root.kind === 'rb_root' ? 'rb_node' : 'list_node';
    const o = node !== 0 ? this.objectAround(node) : undefined;
    const f = o?.record.byOffset.get(node - o.addr);
    if (!o || !f || f.kind !== kind) {
      throw new FaultSignal(`${what}: ${hex(node)} is not a struct bpf_${kind} of an object from bpf_obj_new${node === 0 ? ' (NULL)' : this.describeAddr(node)}`);
    }
    const c = root.field.contains!;
    if (c.record !== o.record || c.nodeOffset !== node - o.addr) {
      throw new FaultSignal(
        `${what}: the root at ${hex(root.addr)} holds struct ${c.record.name} by its field ${c.nodeField} (offset ${c.nodeOffset}), not struct ${o.record.name} by offset ${node - o.addr}`,
      );
    }
    return o;
  }

  /** A node already owned (or being added) is refused, and the reference the program passed is
   *  dropped, as __bpf_rbtree_add / __bpf_list_add do. */
  private refuseOwned(o: GraphObject, node: number, kind: 'rb_node' | 'list_node', what: string): boolean {
    if (this.ownerOf(node, kind) === 0) return false;
    this.dropRef(o, what);
    return true;
  }

  /** bpf_rbtree_add: 0, or -EINVAL when the node is already in a tree (then it is dropped).
   *  `less` gets the node fields' addresses, as the kernel passes them. */
  rbAdd(rootAddr: number, node: number, less: (a: number, b: number) => boolean, what: string): number {
    const root = this.root(rootAddr, 'rb_root', what);
    const o = this.nodeOf(root, node, what);
    if (this.refuseOwned(o, node, 'rb_node', what)) return -Errno.EINVAL;
    if (root.busy) throw new FaultSignal(`${what}: the tree at ${hex(rootAddr)} is in the middle of an add (called from its own less callback)`);
    this.setOwner(node, 'rb_node', BUSY);
    root.busy = true;
    try {
      root.tree.add(node, less); // every comparison happens before the first write
    } catch (e) {
      this.setOwner(node, 'rb_node', 0);
      throw e;
    } finally {
      root.busy = false;
    }
    this.setOwner(node, 'rb_node', rootAddr);
    return 0;
  }

  /** bpf_rbtree_remove: the node, owned by the program again, or NULL when it is not in this tree. */
  rbRemove(rootAddr: number, node: number, what: string): number {
    const root = this.root(rootAddr, 'rb_root', what);
    this.nodeOf(root, node, what);
    if (this.ownerOf(node, 'rb_node') !== rootAddr) return 0;
    this.checkIdle(root, what);
    root.tree.erase(node); // RB_CLEAR_NODE'd
    this.setOwner(node, 'rb_node', 0);
    return node;
  }

  rbFirst(rootAddr: number, what: string): number {
    return this.root(rootAddr, 'rb_root', what).tree.first();
  }

  rbRoot(rootAddr: number, what: string): number {
    return this.root(rootAddr, 'rb_root', what).tree.root;
  }

  /** bpf_rbtree_left/right: a child of a node of this tree, NULL when the node is not in it. */
  rbChild(rootAddr: number, node: number, side: 'left' | 'right', what: string): number {
    const root = this.root(rootAddr, 'rb_root', what);
    this.nodeOf(root, node, what);
    if (this.ownerOf(node, 'rb_node') !== rootAddr) return 0;
    return side === 'left' ? root.tree.left(node) : root.tree.right(node);
  }

  private checkIdle(root: RbRoot, what: string): void {
    if (root.busy) throw new FaultSignal(`${what}: the tree at ${hex(root.addr)} is in the middle of an add (called from its own less callback)`);
  }

  /** The red-black invariants of the tree at `rootAddr` (RbTree.check): empty when sound. */
  rbCheck(rootAddr: number, less?: (a: number, b: number) => boolean): string[] {
    const r = this.roots.get(rootAddr);
    return r && r.kind === 'rb_root' ? r.tree.check(less) : [];
  }

  /** The nodes of the tree at `rootAddr` in order (tests, user space); empty when unused. */
  rbInOrder(rootAddr: number): number[] {
    const r = this.roots.get(rootAddr);
    if (!r || r.kind !== 'rb_root') return [];
    const out: number[] = [];
    for (let n = r.tree.first(); n !== 0; n = r.tree.next(n)) out.push(n);
    return out;
  }

  /** bpf_list_push_front/back: 0, or -EINVAL when the node is already in a list (then dropped). */
  listPush(headAddr: number, node: number, tail: boolean, what: string): number {
    const head = this.root(headAddr, 'list_head', what);
    const o = this.nodeOf(head, node, what);
    if (this.refuseOwned(o, node, 'list_node', what)) return -Errno.EINVAL;
    const prev = tail ? head.last || headAddr : headAddr;
    const next = tail ? headAddr : head.first || headAddr;
    this.setWord(node, next);
    this.setWord(node + 8, prev);
    if (prev !== headAddr) this.setWord(prev, node);
    if (next !== headAddr) this.setWord(next + 8, node);
    if (tail) {
      head.last = node;
      if (head.first === 0) head.first = node;
    } else {
      head.first = node;
      if (head.last === 0) head.last = node;
    }
    head.count++;
    this.setOwner(node, 'list_node', headAddr);
    return 0;
  }

  /** bpf_list_pop_front/back: the node, owned by the program again, or NULL on an empty list. */
  listPop(headAddr: number, tail: boolean, what: string): number {
    const head = this.root(headAddr, 'list_head', what);
    const node = tail ? head.last : head.first;
    if (node === 0) return 0;
    this.unlinkListNode(head, node);
    return node;
  }

  /** bpf_list_front/back: the first/last node, still in the list (non-owning), or NULL. */
  listPeek(headAddr: number, tail: boolean, what: string): number {
    const head = this.root(headAddr, 'list_head', what);
    return tail ? head.last : head.first;
  }

  /** The nodes of the list at `headAddr`, front to back (tests, user space). */
  listNodes(headAddr: number): number[] {
    const r = this.roots.get(headAddr);
    if (!r || r.kind !== 'list_head') return [];
    const out: number[] = [];
    for (let n = r.first; n !== 0 && n !== headAddr; n = this.word(n)) out.push(n);
    return out;
  }

  private unlinkListNode(head: ListRoot, node: number): void {
    const next = this.word(node);
    const prev = this.word(node + 8);
    if (prev === head.addr) head.first = next === head.addr ? 0 : next;
    else this.setWord(prev, next);
    if (next === head.addr) head.last = prev === head.addr ? 0 : prev;
    else this.setWord(next + 8, prev);
    head.count--;
    this.setWord(node, node); // list_del_init
    this.setWord(node + 8, node);
    this.setOwner(node, 'list_node', 0);
  }

  // ---- kptrs ---------------------------------------------------------------------------------

  /** The dtor of kptrs to kernel objects (bpf_task_release_dtor, bpf_cgroup_release_dtor): the
   *  runtime sets it to drop the reference in its task model. */
  kernelKptrDtor?: (addr: bigint) => void;

  /** The kptr field at `addr` (map value, global data or object), or a fault naming what is there. */
  kptrField(addr: number, what: string): GraphField {
    let field: GraphField | undefined;
    const obj = this.objectAround(addr);
    if (obj) field = obj.record.byOffset.get(addr - obj.addr);
    else {
      const c = addr !== 0 ? this.containers(addr) : undefined;
      field = c?.record.byOffset.get(addr - c.base);
    }
    if (!field || field.kind !== 'kptr') throw new FaultSignal(`${what}: ${hex(addr)} is not a __kptr field of a map value${addr === 0 ? ' (NULL)' : this.describeAddr(addr)}`);
    return field;
  }

  /** bpf_kptr_xchg: store `ptr` in the kptr field at `dst`, return what it held. */
  kptrXchg(dst: number, ptr: bigint, what: string): bigint {
    this.kptrField(dst, what);
    if (!this.arena.canAccess(dst, 8, true)) throw new FaultSignal(`${what}: ${this.arena.explain(dst, 8, true)}`);
    const dv = this.arena.dv;
    const old = dv.getBigUint64(dst, true);
    dv.setBigUint64(dst, ptr, true);
    return old;
  }

  // ---- freeing what a value holds ------------------------------------------------------------

  /** bpf_obj_free_fields: drain every root of the value or object at `base` (each node's object
   *  loses the reference its root held) and drop every kptr it holds. Map element delete/update,
   *  map destroy and object free call this. */
  freeFields(record: GraphRecord, base: number): void {
    for (const f of record.fields) {
      const at = base + f.offset;
      if (f.kind === 'rb_root' || f.kind === 'list_head') {
        const r = this.roots.get(at);
        if (!r) continue;
        this.roots.delete(at);
        const nodeOff = f.contains!.nodeOffset;
        let nodes: number[];
        if (r.kind === 'rb_root') {
          nodes = r.tree.postOrder();
          for (const n of nodes) r.tree.clear(n);
          r.tree.reset();
        } else {
          nodes = [];
          for (let n = r.first; n !== 0 && n !== at; n = this.word(n)) nodes.push(n);
          for (const n of nodes) {
            this.setWord(n, n);
            this.setWord(n + 8, n);
          }
        }
        for (const n of nodes) this.setOwner(n, r.kind === 'rb_root' ? 'rb_node' : 'list_node', 0);
        for (const n of nodes) {
          const o = this.object(n - nodeOff);
          if (o) this.dropRef(o, 'freeing a graph root');
        }
      } else if (f.kind === 'kptr') {
        const dv = this.arena.dv;
        const p = dv.getBigUint64(at, true);
        if (p === 0n) continue;
        dv.setBigUint64(at, 0n, true);
        // Only an object this heap made is freed: a program without the verifier may have stored
        // anything there.
        const o = p < 0x1_0000_0000n ? this.object(Number(p)) : undefined;
        if (o) this.dropRef(o, 'freeing a kptr');
        // A kernel object's reference (task_struct, cgroup): its dtor drops it.
        else if (p >= 0x1_0000_0000n) this.kernelKptrDtor?.(p);
      }
    }
  }

  // ---- words (the node fields' links, written only here) ------------------------------------

  private word(addr: number): number {
    return this.w[addr >>> 2]!;
  }

  /** A 64-bit field holding an arena address: low word the address, high word 0. */
  private setWord(addr: number, v: number): void {
    this.w[addr >>> 2] = v;
    this.w[(addr >>> 2) + 1] = 0;
  }
}
