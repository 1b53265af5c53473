// Mainline graph data structures at run time (issue 16): the kfuncs of helpers/graph.ts on the
// GraphHeap of maps/graph.ts, through the committed test programs in test/progs/graph (whose
// results also agree with the host kernel's recordings, test/agreement) and directly. Every run
// here is unverified, as `ebpfvm run --no-verify`: the checks are the run time's own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load, openObject, type LoadedObject } from '../../src/loader/index.js';
import { runLoaded, testRun } from '../../src/test-run-api.js';
import { verifyProgram } from '../../src/verify.js';
import { VmFault } from '../../src/errors.js';
import { BPF_MEM_ALLOC_MAX, GraphHeap, type GraphField, type GraphRecord } from '../../maps/graph.js';
import { Arena } from '../../vm/memory.js';

const PROGS = join(import.meta.dirname, '..', 'progs', 'graph');
/** pkt_v4 of the kernel selftests (network_helpers.c). */
const PKT = Uint8Array.from(Buffer.from('00000000000000000000000008000500007b000000000006000000000000000000000000000000000000000000005000000000007b00', 'hex'));

function loadGraph(name: string): { rt: Runtime; obj: LoadedObject } {
  const rt = new Runtime();
  const obj = load(rt, openObject(new Uint8Array(readFileSync(join(PROGS, `${name}.o`))), { name }));
  return { rt, obj };
}

const run = (rt: Runtime, obj: LoadedObject, prog: string) => testRun(rt, obj.program(prog).program, { data: PKT.slice() }).retval | 0;

/** The program's .bss as signed 64-bit (or 32-bit) words, from user space. */
function bss(obj: LoadedObject, width: 4 | 8 = 8): number[] {
  const [, lm] = [...obj.maps].find(([n]) => n.endsWith('.bss'))!;
  const v = lm.map.lookup(new Uint8Array(4))!;
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  const out: number[] = [];
  for (let o = 0; o + width <= v.length; o += width) out.push(width === 8 ? Number(dv.getBigInt64(o, true)) : dv.getInt32(o, true));
  return out;
}

/** A global's words: the variable `name` of .bss, `count` words of `width` bytes. */
function global(obj: LoadedObject, name: string, count: number, width: 4 | 8 = 8): number[] {
  const g = obj.spec.globals.get(name)!;
  const words = bss(obj, width);
  return words.slice(g.offset / width, g.offset / width + count);
}

describe('rbtree kfuncs (g_rbtree)', () => {
  it('first + remove drains the tree in key order, whatever the insertion order', () => {
    const { rt, obj } = loadGraph('g_rbtree');
    expect(run(rt, obj, 'rb_in_order')).toBe(16);
    expect(global(obj, 'order', 16)).toEqual([...Array(16).keys()]);
    expect(rt.graph.liveObjects).toBe(0);
  });

  it('root/left/right find keys in the middle; a removed key is not found again', () => {
    const { rt, obj } = loadGraph('g_rbtree');
    expect(run(rt, obj, 'rb_search_remove')).toBe(13);
    expect(global(obj, 'removed', 4)).toEqual([0, 7, 15, -1]);
    expect(global(obj, 'after', 13)).toEqual([...Array(16).keys()].filter((k) => k !== 0 && k !== 7 && k !== 15));
    expect(rt.graph.liveObjects).toBe(0);
  });

  it('a node added twice: 0, then -EINVAL and that reference dropped (refcount back to 1)', () => {
    const { rt, obj } = loadGraph('g_rbtree');
    expect(run(rt, obj, 'rb_add_twice')).toBe(0);
    expect(global(obj, 'dup', 4)).toEqual([0, -22, 42, 1]);
    expect(rt.graph.liveObjects).toBe(0);
  });
});

describe('list kfuncs (g_list)', () => {
  it('push front/back, pop front/back and front/back peeks keep list order', () => {
    const { rt, obj } = loadGraph('g_list');
    expect(run(rt, obj, 'list_order')).toBe(0);
    // list 1 5 10 20 30: pops front 1, back 30, front 5, back 20, peeks 10/10, pop 10, then empty
    expect(global(obj, 'popped', 7, 4)).toEqual([1, 30, 5, 20, 10, -1, -1]);
    expect(global(obj, 'peek', 4, 4)).toEqual([1, 30, 10, 10]);
    expect(rt.graph.liveObjects).toBe(0);
  });

  it('nodes left in a map value are freed when user space overwrites the value', () => {
    const { rt, obj } = loadGraph('g_list');
    expect(run(rt, obj, 'list_leave')).toBe(3);
    expect(rt.graph.liveObjects).toBe(3);
    expect(obj.map('lists').update(new Uint8Array(4), new Uint8Array(24))).toBe(0);
    expect(rt.graph.liveObjects).toBe(0);
  });

  it('nodes left in a map are freed when the map is destroyed', () => {
    const { rt, obj } = loadGraph('g_list');
    run(rt, obj, 'list_leave');
    expect(rt.graph.liveObjects).toBe(3);
    rt.destroyMap(obj.maps.get('lists')!.id);
    expect(rt.graph.liveObjects).toBe(0);
  });
});

describe('objects, refcounts and kptrs (g_objects)', () => {
  it('dropping an object frees the nodes its own list still holds', () => {
    const { rt, obj } = loadGraph('g_objects');
    expect(run(rt, obj, 'drop_nested')).toBe(3);
    expect(rt.graph.liveObjects).toBe(0);
  });

  it('bpf_kptr_xchg hands the old object back; the one left in the map dies with the map', () => {
    const { rt, obj } = loadGraph('g_objects');
    expect(run(rt, obj, 'kptr_swap')).toBe(0);
    expect(global(obj, 'res', 2)).toEqual([-1, 1]);
    expect(rt.graph.liveObjects).toBe(1);
    // user space sees the kptr field as zero, as the kernel shows it
    expect([...obj.map('stashes').lookup(new Uint8Array(4))!]).toEqual(new Array(8).fill(0));
    expect(run(rt, obj, 'kptr_swap')).toBe(0);
    expect(global(obj, 'res', 2)).toEqual([2, 1]);
    expect(rt.graph.liveObjects).toBe(1);
    rt.destroyMap(obj.maps.get('stashes')!.id);
    expect(rt.graph.liveObjects).toBe(0);
  });

  it('bpf_refcount_acquire: the object lives until its last reference is dropped', () => {
    const { rt, obj } = loadGraph('g_objects');
    expect(run(rt, obj, 'refcounts')).toBe(0);
    expect(global(obj, 'res', 5).slice(2)).toEqual([1, 9, 9]);
    expect(rt.graph.liveObjects).toBe(0);
  });
});

describe('roots and kptrs in hash map values (g_hash)', () => {
  it('a deleted element gives up its tree and its kptr; so does one user space deletes', () => {
    const { rt, obj } = loadGraph('g_hash');
    expect(run(rt, obj, 'hash_fill')).toBe(0);
    expect(global(obj, 'out', 1)).toEqual([10]);
    expect(rt.graph.liveObjects).toBe(4); // three in the tree, one in the kptr
    expect(run(rt, obj, 'hash_delete')).toBe(0);
    expect(global(obj, 'out', 3)).toEqual([10, 0, 0]);
    expect(rt.graph.liveObjects).toBe(0);
    // the slot is reused: the new element starts with an empty tree
    expect(run(rt, obj, 'hash_fill')).toBe(0);
    expect(rt.graph.liveObjects).toBe(4);
    const key = Uint8Array.of(1, 0, 0, 0);
    expect([...obj.map('trees').lookup(key)!]).toEqual(new Array(32).fill(0));
    expect(obj.map('trees').delete(key)).toBe(0);
    expect(rt.graph.liveObjects).toBe(0);
  });
});

describe('per-CPU objects (g_percpu)', () => {
  it('stashed with bpf_kptr_xchg, written and read through bpf_per_cpu_ptr, freed with the map', () => {
    const { rt, obj } = loadGraph('g_percpu');
    expect(run(rt, obj, 'pc_stash')).toBe(0);
    expect(run(rt, obj, 'pc_write')).toBe(0);
    expect(run(rt, obj, 'pc_read')).toBe(0);
    // this_cpu_ptr non-NULL, per_cpu_ptr of a CPU that does not exist NULL, c * 10 + d
    expect(global(obj, 'res', 3)).toEqual([1, 1, 56]);
    expect(run(rt, obj, 'pc_stash')).toBe(1); // the old object came back and was dropped
    expect(rt.graph.liveObjects).toBe(1);
    rt.destroyMap(obj.maps.get('array')!.id);
    expect(rt.graph.liveObjects).toBe(0);
  });

  it('each CPU has its own copy; a per-CPU object is not dropped with bpf_obj_drop', () => {
    const arena = new Arena();
    const heap = new GraphHeap(arena);
    const p = heap.percpuObjNew(record('val', 12, []), 4);
    const copies = [0, 1, 2, 3].map((c) => heap.perCpuPtr(p, c, 4, 't'));
    expect(copies).toEqual([p, p + 16, p + 32, p + 48]);
    expect(heap.perCpuPtr(p, 4, 4, 't')).toBe(0);
    expect(() => heap.objDrop(p, 't')).toThrow(/per-CPU object/);
    expect(() => heap.perCpuPtr(heap.objNew(record('x', 8, [])), 0, 4, 't')).toThrow(/not a per-CPU object/);
    heap.percpuObjDrop(p, 't');
    expect(heap.liveObjects).toBe(1);
  });
});

describe('bad input is a VmFault naming the problem', () => {
  const cases: [string, RegExp][] = [
    ['bad_type_id', /bpf_obj_new_impl: type id 99999 does not exist in the program's BTF/],
    ['pop_not_a_head', /bpf_list_pop_front: 0x[0-9a-f]+ is not a struct bpf_list_head .*stack/],
    ['add_wrong_type', /bpf_rbtree_add_impl: the root at 0x[0-9a-f]+ holds struct a_node by its field rb \(offset 8\), not struct b_node by offset 0/],
    ['drop_twice', /bpf_obj_drop_impl: 0x[0-9a-f]+ is not a live object from bpf_obj_new/],
    ['drop_linked', /is still in a bpf_rb_root .*only its owner may free it/],
    ['write_node_links', /write of 8 bytes .* write-protected/],
  ];
  for (const [prog, msg] of cases) {
    it(prog, () => {
      const { rt, obj } = loadGraph('g_bad');
      let err: unknown;
      try {
        run(rt, obj, prog);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(VmFault);
      expect((err as VmFault).message).toMatch(msg);
    });
  }
});

describe('verified runs', () => {
  // The kernel's verifier accepts these programs (their host recordings); so does ebpfvm's, and a
  // verified run leaves the same results as an unverified one.
  for (const name of ['g_rbtree', 'g_list', 'g_objects', 'g_hash', 'g_percpu']) {
    it(`${name}: every program is accepted and runs as it does unverified`, () => {
      const { rt, obj } = loadGraph(name);
      const plain = loadGraph(name);
      for (const prog of obj.spec.programs.keys()) {
        const v = verifyProgram(obj, prog);
        expect(v.accepted, `${prog}: ${v.error ?? ''}`).toBe(true);
        const a = runLoaded(obj, prog, { data: PKT.slice() }, { verify: true }).retval;
        const b = run(plain.rt, plain.obj, prog) >>> 0;
        expect(a, prog).toBe(b);
      }
      expect(bss(obj)).toEqual(bss(plain.obj));
      expect(rt.graph.liveObjects).toBe(plain.rt.graph.liveObjects);
    });
  }
  it('g_bad: the misuse the run time faults on, the verifier refuses first', () => {
    const { obj } = loadGraph('g_bad');
    for (const prog of obj.spec.programs.keys()) expect(verifyProgram(obj, prog).accepted, prog).toBe(false);
  });
});

// ---- the heap directly ------------------------------------------------------------------------

function record(name: string, size: number, fields: GraphField[]): GraphRecord {
  const r: GraphRecord = { name, typeId: 1, size, fields, byOffset: new Map(fields.map((f) => [f.offset, f])), refcountOff: -1 };
  for (const f of fields) if (f.kind === 'refcount') r.refcountOff = f.offset;
  return r;
}

describe('GraphHeap', () => {
  const node = record('node', 48, [
    { kind: 'rb_node', offset: 8 },
    { kind: 'refcount', offset: 40 },
  ]);
  const holder = record('holder', 16, [{ kind: 'rb_root', offset: 0, contains: { record: node, nodeOffset: 8, nodeField: 'rb' } }]);
  const setup = () => {
    const arena = new Arena();
    const base = arena.alloc(16, { kind: 'map', name: 'holder' });
    const heap = new GraphHeap(arena, (a) => (a >= base && a < base + 16 ? { record: holder, base, what: 'holder' } : undefined));
    const key = (n: number) => arena.dv.getInt32(n - 8, true);
    const less = (a: number, b: number) => key(a) < key(b);
    return { arena, base, heap, key, less };
  };

  it('bpf_mem_alloc caps objects at 4088 bytes: larger ones are NULL', () => {
    const { heap } = setup();
    expect(heap.objNew(record('fits', BPF_MEM_ALLOC_MAX, []))).not.toBe(0);
    expect(heap.objNew(record('big', BPF_MEM_ALLOC_MAX + 1, []))).toBe(0);
  });

  it('random adds and removes keep a sound red-black tree in key order; remove of a foreign node is NULL', () => {
    const { arena, base, heap, key, less } = setup();
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) % 1000;
    const live: number[] = [];
    for (let i = 0; i < 2000; i++) {
      if (live.length && rnd() < 400) {
        const n = live.splice(rnd() % live.length, 1)[0]!;
        expect(heap.rbRemove(base, n, 't')).toBe(n);
        expect(heap.rbRemove(base, n, 't')).toBe(0); // not in the tree any more
        heap.objDrop(n - 8, 't');
      } else {
        const o = heap.objNew(node);
        arena.dv.setInt32(o, rnd(), true);
        expect(heap.rbAdd(base, o + 8, less, 't')).toBe(0);
        live.push(o + 8);
      }
    }
    expect(heap.rbCheck(base, less)).toEqual([]);
    const keys = heap.rbInOrder(base).map(key);
    expect(keys).toEqual([...live.map(key)].sort((a, b) => a - b));
    expect(heap.liveObjects).toBe(live.length);
    heap.freeFields(holder, base);
    expect(heap.liveObjects).toBe(0);
  });

  it('a refcounted node in the tree survives its other reference, and the drain frees it', () => {
    const { base, heap, less } = setup();
    const o = heap.objNew(node);
    expect(heap.refcountAcquire(o, 't')).toBe(o);
    expect(heap.refcountOf(o)).toBe(2);
    expect(heap.rbAdd(base, o + 8, less, 't')).toBe(0);
    heap.objDrop(o, 't');
    expect(heap.refcountOf(o)).toBe(1);
    heap.freeFields(holder, base);
    expect(heap.refcountOf(o)).toBeUndefined();
  });
});
