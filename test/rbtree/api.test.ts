// src/rbtree-api.ts: user-space insert/remove/walk, decoding, the formatters --dump-maps uses, and
// the invariant checker.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RbtreeMap, rbtreeSpec } from '../../maps/rbtree.js';
import { RbtreeApi, btfDecoder, dumpRbtree, formatRbtree, type BtfLike, type KeyField } from '../../src/rbtree-api.js';
import { Arena } from '../../vm/memory.js';
import { MapError, UsageError } from '../../src/errors.js';

const KEY: KeyField = { offset: 24, size: 4 };

function make(valueSize = 40) {
  const arena = new Arena();
  const map = new RbtreeMap(rbtreeSpec('q', valueSize), { arena, ncpus: 1 });
  return { arena, map, api: new RbtreeApi(map) };
}

function value(key: number, extra = 0, size = 40): Uint8Array {
  const v = new Uint8Array(size);
  const dv = new DataView(v.buffer);
  dv.setUint32(24, key, true);
  dv.setUint32(28, extra, true);
  return v;
}

describe('RbtreeMap arena limit', () => {
  it('no arena grows past 2 GiB (node addresses are int32 words in the tree): the Arena refuses the limit', () => {
    expect(() => new Arena({ initialBytes: 1 << 16, maxBytes: 2 ** 32 })).toThrow(UsageError);
    expect(() => new Arena({ initialBytes: 1 << 16, maxBytes: 2 ** 32 })).toThrow(/at most 2 GiB/);
    expect(() => new Arena({ maxBytes: 0 })).toThrow(/more than 0/);
    expect(() => new RbtreeMap(rbtreeSpec('ok', 40), { arena: new Arena({ initialBytes: 1 << 16, maxBytes: 2 ** 31 }), ncpus: 1 })).not.toThrow();
  });
});

describe('RbtreeApi', () => {
  it('inserts by key field, walks in order, removes, and keeps the invariants', () => {
    const { api, map } = make();
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { maxLength: 200 }), fc.array(fc.nat(), { maxLength: 100 }), (keys, rm) => {
        for (const a of api.addresses()) api.remove(a);
        const addrs = keys.map((k) => api.insert(value(k), KEY));
        let model = keys.map((k, i) => ({ k, a: addrs[i]! })).sort((x, y) => x.k - y.k); // stable: ties in insertion order
        expect(api.addresses()).toEqual(model.map((m) => m.a));
        for (const r of rm) {
          if (model.length === 0) break;
          const victim = model[r % model.length]!;
          expect(api.remove(victim.a)).toBe(true);
          expect(api.remove(victim.a)).toBe(false);
          model = model.filter((m) => m !== victim);
        }
        expect(api.check(KEY)).toEqual([]);
        expect(api.size).toBe(model.length);
        expect(api.addresses()).toEqual(model.map((m) => m.a));
        expect(map.nodesAlive).toBe(model.length);
      }),
      { numRuns: 50 },
    );
  });

  it('orders by a comparator on decoded nodes, finds by key, shifts the first', () => {
    const { api } = make();
    const decode = (b: Uint8Array) => ({ key: new DataView(b.buffer, b.byteOffset).getUint32(24, true) });
    api.decode = decode;
    const byKeyDesc = (a: unknown, b: unknown) => (b as { key: number }).key - (a as { key: number }).key;
    for (const k of [5, 9, 1]) api.insert(value(k), byKeyDesc);
    expect(api.values()).toEqual([{ key: 9 }, { key: 5 }, { key: 1 }]);
    expect(api.check(byKeyDesc)).toEqual([]);
    const first = api.shift()!;
    expect(new DataView(first.buffer).getUint32(24, true)).toBe(9);
    expect(api.size).toBe(2);
  });

  it('orders by every key-field shape: sizes 1/2/4/8, signed, big-endian', () => {
    const fields: KeyField[] = [
      { offset: 24, size: 1 }, { offset: 25, size: 1, signed: true },
      { offset: 26, size: 2 }, { offset: 26, size: 2, signed: true, bigEndian: true },
      { offset: 28, size: 4 }, { offset: 28, size: 4, signed: true }, { offset: 28, size: 4, bigEndian: true },
      { offset: 32, size: 8 }, { offset: 32, size: 8, signed: true }, { offset: 32, size: 8, bigEndian: true },
      { offset: 30, size: 8, signed: true },
    ];
    const read = (b: Uint8Array, f: KeyField): bigint => {
      const dv = new DataView(b.buffer, b.byteOffset);
      const le = !f.bigEndian;
      if (f.size === 1) return BigInt(f.signed ? dv.getInt8(f.offset) : dv.getUint8(f.offset));
      if (f.size === 2) return BigInt(f.signed ? dv.getInt16(f.offset, le) : dv.getUint16(f.offset, le));
      if (f.size === 4) return BigInt(f.signed ? dv.getInt32(f.offset, le) : dv.getUint32(f.offset, le));
      return f.signed ? dv.getBigInt64(f.offset, le) : dv.getBigUint64(f.offset, le);
    };
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.array(fc.uint8Array({ minLength: 40, maxLength: 40 }), { maxLength: 60 }), (f, values) => {
        const { api } = make(40);
        for (const v of values) api.insert(v, f);
        const keys = api.nodes().map((n) => read(n.bytes, f));
        expect(keys).toEqual([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        expect(api.check(f)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps working while the arena grows under it (its buffer and views replaced)', () => {
    const arena = new Arena({ initialBytes: 64 << 10 });
    const map = new RbtreeMap(rbtreeSpec('grow', 40), { arena, ncpus: 1 });
    const api = new RbtreeApi(map);
    const before = arena.size;
    for (let i = 0; i < 30_000; i++) api.insert(value(Math.imul(i, 2654435761) >>> 0), KEY);
    expect(arena.size).toBeGreaterThan(before * 8);
    expect(api.check(KEY)).toEqual([]);
    expect(api.size).toBe(30_000);
    map.destroy();
    expect(map.nodesAlive).toBe(0);
  });

  it('findByKey uses rb_find on the key field', () => {
    const { api } = make();
    for (let k = 0; k < 100; k += 3) api.insert(value(k), KEY);
    const n = api.findByKey(KEY, 42);
    expect(n).not.toBe(0);
    expect(api.node(n).bytes[24]).toBe(42);
    expect(api.findByKey(KEY, 43)).toBe(0);
  });

  it('remove and node of a value that is not a number (a bigint, a string) name no node: false / MapError, never a TypeError, and nothing changes', () => {
    const { api, map, arena } = make(40);
    const a = api.insert(value(1, 0, 40), KEY);
    const bytes = arena.bytesInUse;
    for (const bad of [BigInt(a), String(a), null, undefined, {}, [a]] as unknown as number[]) {
      expect(api.remove(bad)).toBe(false);
      expect(() => api.node(bad)).toThrow(MapError);
    }
    expect(api.addresses()).toEqual([a]);
    expect([map.nodesAlive, arena.bytesInUse]).toEqual([1, bytes]);
  });

  it('remove of a node address plus 2^32 is not that node: false, the node stays, the accounting stays exact', () => {
    // 64-byte nodes: 2^32 is a multiple of the slot size, so the wrapped page index named the
    // node's own slot (the removal freed nothing, unlinked the node and made bytesInUse NaN)
    const { api, map, arena } = make(64);
    const a = api.insert(value(1, 0, 64), KEY);
    const b = api.insert(value(2, 0, 64), KEY);
    const bytes = arena.bytesInUse;
    for (const bad of [a + 2 ** 32, b + 2 ** 32, b + 2 ** 36]) {
      expect(api.remove(bad)).toBe(false);
      expect(map.freeNode(bad)).toBe(-22);
      expect(map.delete(new Uint8Array(new Float64Array([bad]).buffer))).toBeLessThan(0);
    }
    expect(api.addresses()).toEqual([a, b]);
    expect(api.check(KEY)).toEqual([]);
    expect([map.nodesAlive, map.bytesInUse, arena.bytesInUse]).toEqual([2, 2 * 64 + 4, bytes]);
    expect(api.remove(a)).toBe(true);
    expect(api.remove(b)).toBe(true);
    expect([map.nodesAlive, map.bytesInUse, arena.bytesInUse]).toEqual([0, 4, bytes - 128]);
  });

  it('the word-key insert (one place allocates, fills, protects and links): bytes past the value are zero in a reused slot, links are write-protected for the node life, the accounting is exact', () => {
    for (const valueSize of [40, 37, 48, 3000]) {
      const { api, map, arena } = make(valueSize);
      const base = arena.bytesInUse;
      const full = new Uint8Array(valueSize).fill(0xa5);
      new DataView(full.buffer).setUint32(24, 7, true);
      const a = api.insert(full, KEY);
      expect(arena.read(a + 24, valueSize - 24)).toEqual(full.subarray(24));
      expect(api.remove(a)).toBe(true);
      for (const len of [24, 28, 29, 30, 31, valueSize]) {
        const v = new Uint8Array(len).fill(0x5a);
        if (len >= 28) new DataView(v.buffer).setUint32(24, len, true);
        const n = api.insert(v, KEY); // into the slot the last node left, bytes and all
        const want = new Uint8Array(valueSize);
        want.set(v.subarray(24), 24);
        expect(arena.read(n + 24, valueSize - 24), `${valueSize}/${len}`).toEqual(want.subarray(24));
        expect(api.node(n).bytes.length).toBe(valueSize);
        expect(arena.isProtected(n, 24) && arena.isProtected(n + 16, 8)).toBe(true);
        expect(arena.isProtected(n + 24, valueSize - 24)).toBe(false);
        expect(arena.canAccess(n + 8, 8, true)).toBe(false);
        expect([map.nodesAlive, map.bytesInUse, arena.bytesInUse]).toEqual([1, valueSize + 4, base + valueSize]);
        expect(api.check(KEY)).toEqual([]);
        expect(api.remove(n)).toBe(true);
        expect(arena.canAccess(n, 8, false)).toBe(false);
        expect([map.nodesAlive, map.bytesInUse, arena.bytesInUse]).toEqual([0, 4, base]);
      }
    }
  });

  it('a value reused for every insert (copied a word at a time once it repeats) gives each node the bytes it held then: aligned or not, rewritten, detached, a resizable buffer grown and shrunk', () => {
    for (const valueSize of [40, 48, 37]) {
      const { api, arena } = make(valueSize);
      const expectNode = (n: number, want: Uint8Array, what: string) => {
        const full = new Uint8Array(valueSize);
        full.set(want.subarray(24, Math.min(want.length, valueSize)), 24);
        expect(arena.read(n + 24, valueSize - 24), `${valueSize} ${what}`).toEqual(full.subarray(24));
      };
      // aligned, and at an odd offset of a larger buffer (no word view: bytes)
      const backing = new Uint8Array(valueSize + 9);
      for (const v of [new Uint8Array(valueSize), backing.subarray(1, 1 + valueSize), new Uint8Array(32)]) {
        for (let i = 0; i < 5; i++) {
          for (let b = 24; b < v.length; b++) v[b] = (b * 7 + i * 13) & 0xff;
          new DataView(v.buffer, v.byteOffset).setUint32(24, 100 + i, true);
          const n = api.insert(v, KEY);
          expectNode(n, v.slice(), `offset ${v.byteOffset} length ${v.length} round ${i}`);
        }
      }
      expect(api.check(KEY)).toEqual([]);
      // a detached buffer: the value is empty now, and so is the node's payload
      const d = new Uint8Array(valueSize).fill(0x33);
      api.insert(d, KEY);
      api.insert(d, KEY);
      structuredClone(d.buffer, { transfer: [d.buffer] });
      expect(d.length).toBe(0);
      expectNode(api.insert(d, KEY), new Uint8Array(0), 'detached');
      // detached between its first and second use: no view is made of it (that would throw)
      const e = new Uint8Array(valueSize).fill(0x66);
      api.insert(e, KEY);
      structuredClone(e.buffer, { transfer: [e.buffer] });
      expectNode(api.insert(e, KEY), new Uint8Array(0), 'detached after one use');
      // a length-tracking view of a resizable buffer, shrunk and grown between inserts
      const rab = new ArrayBuffer(valueSize, { maxByteLength: 2 * valueSize });
      const r = new Uint8Array(rab);
      r.fill(0x44);
      api.insert(r, KEY);
      api.insert(r, KEY);
      rab.resize(28);
      expectNode(api.insert(r, KEY), r.slice(), 'shrunk');
      rab.resize(valueSize);
      r.fill(0x55, 28);
      expectNode(api.insert(r, KEY), r.slice(), 'grown back');
      expect(() => {
        rab.resize(valueSize + 4);
        api.insert(r, KEY);
      }).toThrow(MapError);
      expect(api.check(KEY)).toEqual([]);
    }
  });

  it('the word-key insert refuses what the checked path refuses, in the same order, and a refusal leaks nothing', () => {
    const { api, map, arena } = make();
    api.insert(value(1), KEY); // KEY is now the cached order: the next inserts take the fast path
    const base = arena.bytesInUse;
    const errno = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(MapError);
        return (e as MapError).errno;
      }
      return 'no error';
    };
    expect(errno(() => api.insert('x' as never, KEY))).toBe(-22);
    expect(errno(() => api.insert(new Uint16Array(20) as never, KEY))).toBe(-22);
    expect(errno(() => api.insert(new Uint8Array(41), KEY))).toBe(-22);
    expect(errno(() => map.insertValue(new Uint8Array(41), 6, 4, false))).toBe(-22); // whoever calls
    map.frozen = true;
    expect(errno(() => api.insert(new Uint8Array(41), KEY))).toBe(-22); // the value is judged first
    expect(errno(() => api.insert(value(2), KEY))).toBe(-1); // EPERM
    expect(errno(() => api.remove(api.addresses()[0]!))).toBe(-1);
    expect(api.remove(12345)).toBe(false); // not a node: false, frozen or not
    map.frozen = false;
    map.busy = true;
    expect(errno(() => api.insert(new Uint8Array(41), KEY))).toBe(16); // EBUSY before the value
    expect(errno(() => api.remove(api.addresses()[0]!))).toBe(16);
    map.busy = false;
    expect([api.size, map.nodesAlive, arena.bytesInUse]).toEqual([1, 1, base]);
    map.destroy();
    expect(errno(() => api.insert(value(2), KEY))).toBe(9); // EBADF
    expect(errno(() => api.remove(8))).toBe(9);
  });

  it('the word-key insert into a full arena is -ENOMEM and allocates nothing; inserts work again after a remove', () => {
    const arena = new Arena({ initialBytes: 1 << 16, maxBytes: 1 << 16 });
    const map = new RbtreeMap(rbtreeSpec('q', 40), { arena, ncpus: 1 });
    const api = new RbtreeApi(map);
    const nodes: number[] = [];
    let err: unknown;
    for (let k = 0; k < 10000 && err === undefined; k++) {
      try {
        nodes.push(api.insert(value(k), KEY));
      } catch (e) {
        err = e;
      }
    }
    expect(err).toBeInstanceOf(MapError);
    expect((err as MapError).errno).toBe(-12);
    const bytes = arena.bytesInUse;
    expect([map.nodesAlive, map.bytesInUse, api.size]).toEqual([nodes.length, nodes.length * 40 + 4, nodes.length]);
    expect(() => api.insert(value(1), KEY)).toThrow(/out of memory/);
    expect(arena.bytesInUse).toBe(bytes);
    expect(api.remove(nodes[5]!)).toBe(true);
    expect(api.insert(value(5), KEY)).toBe(nodes[5]);
    expect(api.check(KEY)).toEqual([]);
  });

  it('refuses bad key fields, oversized values and non-rbtree maps', () => {
    const { api } = make();
    expect(() => api.insert(value(1), { offset: 0, size: 4 })).toThrow(/rb_node/);
    expect(() => api.insert(new Uint8Array(64), KEY)).toThrow(MapError);
    expect(() => new RbtreeApi({ name: 'h' } as never)).toThrow(/not an rbtree/);
  });

  it('findByKey refuses a key field outside the value and a key that is not an integer (MapError, not a RangeError or TypeError)', () => {
    const { api } = make();
    api.insert(value(1), KEY);
    expect(() => api.findByKey({ offset: 1e9, size: 8 }, 1)).toThrow(/key field \[1000000000, \+8\) must lie in the value/);
    expect(() => api.findByKey({ offset: 0, size: 8 }, 1)).toThrow(/after its rb_node/);
    expect(() => api.findByKey({ offset: 24, size: 3 as never }, 1)).toThrow(MapError);
    expect(() => api.findByKey(null as never, 1)).toThrow(MapError);
    expect(() => api.findByKey(KEY, 1.5)).toThrow(/key 1.5 is not an integer/);
    expect(() => api.findByKey(KEY, 'x' as never)).toThrow(MapError);
    expect(() => new RbtreeApi(null as never)).toThrow(MapError);
  });

  it('a comparator that throws or re-enters the API leaves the tree and its node count as they were', () => {
    const { api, map } = make();
    for (const k of [5, 3, 9, 1, 7, 2, 8]) api.insert(value(k), KEY);
    const before = api.values();
    expect(() => api.insert(value(4), () => { throw new Error('boom'); })).toThrow('boom');
    expect(map.nodesAlive).toBe(7); // the node allocated for the insert is freed again
    // removing nodes from inside the walk would relink the tree under it
    const victims = api.addresses().slice(0, 4);
    expect(() => api.insert(value(4), (a, b) => (victims.forEach((x) => api.remove(x)), String(a).localeCompare(String(b))))).toThrow(/the tree is in the middle/);
    expect(() => api.check((a, b) => (api.remove(victims[0]!), String(a).localeCompare(String(b))))).toThrow(/the tree is in the middle/);
    expect(map.nodesAlive).toBe(7);
    expect(api.values()).toEqual(before);
    expect(api.check(KEY)).toEqual([]);
    // and the API works after each
    expect(api.remove(victims[0]!)).toBe(true);
    api.insert(value(4), (a, b) => String(a).localeCompare(String(b)));
    expect(api.size).toBe(7);
  });

  it('a key field object mutated after its first insert orders later inserts as its comparator does', () => {
    const { api } = make();
    const a: KeyField = { offset: 24, size: 4 };
    const b: KeyField = { offset: 24, size: 4 };
    const v = (k1: number, k2: number) => {
      const x = value(k1);
      new DataView(x.buffer).setUint32(28, k2, true);
      return x;
    };
    api.insert(v(1, 9), a);
    api.insert(v(2, 8), b);
    a.offset = 28; // the comparator made for `a` reads offset 24
    for (const [k1, k2] of [[3, 7], [0, 1], [5, 0]] as const) api.insert(v(k1, k2), a);
    expect(api.check(a)).toEqual([]);
    expect(api.values().map((h) => parseInt(String(h).slice(0, 2), 16))).toEqual([0, 1, 2, 3, 5]);
  });

  it('formats in order and as a coloured tree, and dumps JSON', () => {
    const { api, map } = make();
    for (const k of [4, 2, 6, 1, 3, 5, 7, 8]) api.insert(value(k, k * 10), KEY);
    const decode = (b: Uint8Array) => ({ key: b[24], extra: b[28] });
    const inorder = formatRbtree(map, { decode });
    expect(inorder.split('\n')[0]).toBe('q: rbtree, 8 nodes');
    expect(inorder.split('\n').slice(1).map((l) => JSON.parse(l.slice(l.indexOf('{'))).key)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const tree = formatRbtree(map, { decode, mode: 'tree' });
    const lines = tree.split('\n');
    expect(lines.length).toBe(9);
    expect(lines[1]).toMatch(/^ {2}B 0x[0-9a-f]+ \{"key":4,"extra":40\}$/);
    expect(tree).toMatch(/└─R R 0x|├─L R 0x|└─L R 0x|└─R B 0x/);
    const json = dumpRbtree(map, { decode, tree: true });
    expect(json.size).toBe(8);
    expect(json.nodes.map((n) => (n.value as { key: number }).key)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(json.tree!.color).toBe('black');
    expect(formatRbtree(new RbtreeMap(rbtreeSpec('e', 32), { arena: new Arena(), ncpus: 1 }))).toBe('e: rbtree, 0 nodes (empty)');
  });

  it('decodes nodes through BTF (struct with rb_node, ints, char array, pointer)', () => {
    // A hand-made type table shaped like src/btf's Btf (kinds: 1 INT, 2 PTR, 3 ARRAY, 4 STRUCT).
    const types: Record<number, Record<string, unknown>> = {
      1: { id: 1, kind: 1, name: 'unsigned int', sizeOrType: 4, intEncoding: 0 },
      2: { id: 2, kind: 4, name: 'rb_node', sizeOrType: 24, members: [] },
      3: { id: 3, kind: 1, name: 'char', sizeOrType: 1, intEncoding: 1 },
      4: { id: 4, kind: 3, name: '', elemType: 3, nelems: 8 },
      5: { id: 5, kind: 4, name: 'item', sizeOrType: 40, members: [
        { name: 'node', type: 2, bitOffset: 0, bitfieldSize: 0 },
        { name: 'deadline', type: 1, bitOffset: 192, bitfieldSize: 0 },
        { name: 'flow', type: 1, bitOffset: 224, bitfieldSize: 0 },
        { name: 'tag', type: 4, bitOffset: 256, bitfieldSize: 0 },
      ] },
    };
    const sizes: Record<number, number> = { 1: 4, 2: 24, 3: 1, 4: 8, 5: 40 };
    const btf = { type: (id: number) => types[id], resolve: (id: number) => types[id], sizeof: (id: number) => sizes[id] } as unknown as BtfLike;
    const { api, arena } = make(40);
    const v = value(7, 3);
    v.set(new TextEncoder().encode('hi'), 32);
    const a = api.insert(v, KEY);
    api.decode = btfDecoder(btf, 5);
    expect(api.values()).toEqual([{ deadline: 7, flow: 3, tag: 'hi' }]);
    const full = btfDecoder(btf, 5, { includeRbNode: true });
    expect(full(arena.read(a, 40), a)).toHaveProperty('node');
    // The formatters drop a decoded rb_node member whichever decoder they are given.
    types[2]!.members = [
      { name: '__rb_parent_color', type: 1, bitOffset: 0, bitfieldSize: 0 },
      { name: 'rb_right', type: 1, bitOffset: 64, bitfieldSize: 0 },
      { name: 'rb_left', type: 1, bitOffset: 128, bitfieldSize: 0 },
    ];
    const line = formatRbtree(api.map, { decode: full });
    expect(line).toContain('{"deadline":7,"flow":3,"tag":"hi"}');
    expect(formatRbtree(api.map, { decode: full, showRbNode: true })).toContain('"node":{"__rb_parent_color"');
    expect(dumpRbtree(api.map, { decode: full }).nodes[0]!.value).toEqual({ deadline: 7, flow: 3, tag: 'hi' });
  });
});
