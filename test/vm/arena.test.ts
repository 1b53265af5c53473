// The arena allocator and region table (vm/memory): reuse, double free and use-after-free
// detection, growth, flags, write protection, the access checks and their explanations, and a
// random alloc/free sequence against a model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FaultSignal } from '../../src/errors.js';
import { Arena, MemFlag, PAGE_SIZE } from '../../vm/memory.js';

const RW = MemFlag.READ | MemFlag.WRITE;

describe('Arena', () => {
  it('never hands out page 0; allocations are 8-byte aligned and zeroed', () => {
    const a = new Arena();
    for (const n of [0, 1, 7, 8, 9, 100, 2048, 3000, 5000, 100000]) {
      const p = a.alloc(n);
      expect(p).toBeGreaterThanOrEqual(PAGE_SIZE);
      expect(p % 8).toBe(0);
      expect(a.read(p, n).every((b) => b === 0)).toBe(true);
      a.u8.fill(0xff, p, p + n);
    }
  });
  it('reuses freed slots, and hands them out zeroed again', () => {
    const a = new Arena();
    const p = a.alloc(40);
    a.u8.fill(7, p, p + 40);
    a.free(p);
    const q = a.alloc(40);
    expect(q).toBe(p);
    expect(a.read(q, 40).every((b) => b === 0)).toBe(true);
    const r = a.alloc(10000);
    a.free(r);
    expect(a.alloc(10000)).toBe(r);
  });
  it('detects double free, foreign and interior frees', () => {
    const a = new Arena();
    const p = a.alloc(40);
    a.free(p);
    expect(() => a.free(p)).toThrow(/double free/);
    const big = a.alloc(10000);
    expect(() => a.free(big + 8)).toThrow(/not the start/);
    expect(() => a.free(12)).toThrow(/not an arena allocation/);
    expect(() => a.free(12)).toThrow(FaultSignal);
  });
  it('an address past 2^32 is no allocation, even one whose low 32 bits name a live one (its page index wrapped)', () => {
    const a = new Arena();
    for (const size of [64, 8, 2048, 10000]) {
      const p = a.alloc(size);
      for (const bad of [p + 2 ** 32, p + 2 ** 33, p + 2 ** 31, p + 2 ** 52]) {
        expect(a.isLive(bad)).toBe(false);
        expect(a.lengthOf(bad)).toBeUndefined();
        expect(a.describe(bad)).toBeUndefined();
        expect(() => a.free(bad)).toThrow(FaultSignal);
      }
      expect(a.isLive(p)).toBe(true);
    }
  });
  it('slot indices by multiply-shift are exact: in every size class, every byte of a slab names its own slot', () => {
    const a = new Arena({ initialBytes: 1 << 22 });
    for (const size of [8, 16, 24, 32, 40, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048]) {
      const cls = a.slabClass(size, 'input')!;
      const first = a.allocIn(cls, 1); // slot 0 of a fresh slab
      const slots = Math.floor((4 * PAGE_SIZE) / size);
      for (let k = 1; k < slots; k++) expect(a.allocIn(cls, 1 + (k % (size - 1 || 1)))).toBe(first + k * size);
      for (let off = 0; off < 4 * PAGE_SIZE; off++) {
        const k = Math.floor(off / size);
        const want = k < slots ? 1 + (k % (size - 1 || 1)) : undefined;
        if (a.lengthOf(first + off) !== want) expect([size, off, a.lengthOf(first + off)]).toEqual([size, off, want]);
      }
    }
  });
  it('slot indices by multiplication are exact: in every size class, every slot start is live and no other address is', () => {
    const a = new Arena({ initialBytes: 1 << 22 });
    for (const size of [8, 16, 24, 32, 40, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048]) {
      const cls = a.slabClass(size, 'other')!;
      const first = a.allocIn(cls, size);
      const addrs = [first];
      while (addrs.length < (4 * PAGE_SIZE) / size) addrs.push(a.allocIn(cls, size - 1));
      const slab = addrs.filter((x) => x - first < 4 * PAGE_SIZE && x >= first); // one slab's slots
      for (const x of slab) {
        expect(a.isLive(x), `${size} @${x - first}`).toBe(true);
        expect(a.lengthOf(x + size - 1)).toBe(x === first ? size : size - 1);
        for (const d of [8, size - 8]) if (d > 0 && d < size) expect(a.isLive(x + d)).toBe(false);
      }
      for (const x of addrs) expect(a.tryFree(x)).toBe(x === first ? size : size - 1);
      expect(a.isLive(first)).toBe(false);
      expect(a.tryFree(first)).toBe(-1); // twice: nothing happens
    }
    expect(a.bytesInUse).toBe(0);
  });
  it('a protected-head class keeps every slot head write-protected, live or free; allocUnwritten leaves a reused slot as it was (its owner writes it); 0 when full', () => {
    const a = new Arena({ initialBytes: 1 << 16, maxBytes: 1 << 16 });
    const cls = a.slabClass(44, 'node', 24)!;
    expect(cls).not.toBe(a.slabClass(44, 'node')); // a class of its own: no other object shares its slabs
    expect(() => a.slabClass(44, 'node', 20)).toThrow(FaultSignal);
    expect(() => a.slabClass(16, 'node', 24)).toThrow(FaultSignal);
    // a plain class: freed objects keep no protection
    const plain = a.slabClass(0, 'heap')!;
    const r = a.allocIn(plain, 8);
    a.protect(r, 8);
    a.free(r);
    expect(a.isProtected(r, 8)).toBe(false);
    const p = a.allocIn(cls, 48);
    expect(a.read(p, 48).every((b) => b === 0)).toBe(true);
    expect(a.isProtected(p, 24) && a.isProtected(p + 16, 8) && !a.isProtected(p + 24, 24)).toBe(true);
    expect(a.canAccess(p + 8, 8, true)).toBe(false);
    expect(a.canAccess(p + 24, 24, true)).toBe(true);
    a.u8.fill(0xee, p, p + 48); // the owner's own writes (the tree's links) are unchecked
    a.free(p);
    expect(a.canAccess(p + 24, 8, false)).toBe(false); // a free slot is no allocation
    const q = a.allocUnwritten(cls, 44);
    expect(q).toBe(p);
    expect(a.read(q, 48).every((b) => b === 0xee)).toBe(true); // the owner's to write
    expect(a.isProtected(q, 24) && !a.isProtected(q + 24, 1)).toBe(true);
    expect(a.lengthOf(q)).toBe(44);
    expect(() => a.allocUnwritten(cls, 49)).toThrow(FaultSignal);
    expect(() => a.allocUnwritten(cls, -1)).toThrow(FaultSignal);
    expect(() => a.allocIn(cls, 49)).toThrow(FaultSignal);
    expect(() => a.allocIn(cls, 1.5)).toThrow(FaultSignal);
    const before = a.bytesInUse;
    const all: number[] = [];
    for (let x = a.allocUnwritten(cls, 48); x !== 0; x = a.allocUnwritten(cls, 48)) all.push(x);
    expect(a.bytesInUse).toBe(before + all.length * 48);
    expect(() => a.alloc(48, { kind: 'node' })).toThrow(/arena exhausted/);
    for (const x of [q, ...all]) expect(a.isProtected(x, 24) && !a.isProtected(x + 24, 24)).toBe(true);
    expect(a.tryFree(q)).toBe(44);
    expect(a.allocUnwritten(cls, 48)).toBe(q);
  });
  it('the bytes past the last slot of a slab (its slack) belong to no allocation: no access, no free, and no write through them into the next pages', () => {
    for (const size of [24, 40, 48, 96, 192, 384, 768, 1536]) {
      const a = new Arena();
      const first = a.alloc(size); // slot 0 of a fresh 4-page slab
      const slots = Math.floor((4 * PAGE_SIZE) / size);
      const slack = first + slots * size;
      expect(slack).toBeLessThan(first + 4 * PAGE_SIZE);
      const next = a.alloc(5000, { kind: 'map', name: 'victim' });
      expect(next).toBe(first + 4 * PAGE_SIZE);
      a.u8.fill(0x11, next, next + 64);
      for (const at of [slack, first + 4 * PAGE_SIZE - 8]) {
        expect(a.canAccess(at, 1, false), `${size}`).toBe(false);
        expect(a.canAccess(at, 8, true)).toBe(false);
        expect(a.accessRange(at, false, new Float64Array(2))).toBe(false);
        expect(() => a.writeChecked(at, 64, new Uint8Array(64).fill(0xee))).toThrow(FaultSignal);
        expect(a.isLive(at)).toBe(false);
        expect(a.lengthOf(at)).toBeUndefined();
        expect(a.describe(at)).toBeUndefined();
        expect(a.tryFree(at)).toBe(-1);
        expect(() => a.free(at)).toThrow(FaultSignal);
      }
      expect(a.read(next, 64).every((b) => b === 0x11)).toBe(true);
      expect(a.bytesInUse).toBe(size + 5000);
    }
  });
  it('use after free is an access fault', () => {
    const a = new Arena();
    const p = a.alloc(40);
    expect(a.canAccess(p, 8, false)).toBe(true);
    a.free(p);
    expect(a.canAccess(p, 8, false)).toBe(false);
    expect(a.isLive(p)).toBe(false);
    const r = a.allocRegion(100, RW, 'map', 'm');
    a.free(r);
    expect(a.canAccess(r, 1, false)).toBe(false);
  });
  it('an access must stay inside one allocation (slab neighbours are not reachable)', () => {
    const a = new Arena();
    const p = a.alloc(20); // 24-byte slot
    const q = a.alloc(20);
    expect(a.canAccess(p, 20, true)).toBe(true);
    expect(a.canAccess(p, 21, true)).toBe(false); // the slack of the size class is not memory
    expect(a.canAccess(p + 16, 8, false)).toBe(false);
    expect(a.canAccess(q, 20, false)).toBe(true);
    expect(a.explain(p + 16, 8, false)).toMatch(/read of 8 bytes at 0x[0-9a-f]+: out of bounds of heap 'heap' \(size 20, offset 16\)/);
  });
  it('flags: read-only regions, setFlags, and write-protected bytes', () => {
    const a = new Arena();
    const r = a.allocRegion(64, MemFlag.READ, 'global', '.rodata');
    expect(a.canAccess(r, 8, false)).toBe(true);
    expect(a.canAccess(r, 8, true)).toBe(false);
    expect(a.explain(r, 8, true)).toMatch(/global '.rodata' is read-only/);
    a.setFlags(r, RW);
    expect(a.canAccess(r, 8, true)).toBe(true);
    a.protect(r + 8, 4);
    expect(a.canAccess(r + 8, 1, true)).toBe(false);
    expect(a.canAccess(r + 4, 8, true)).toBe(false);
    expect(a.canAccess(r + 12, 8, true)).toBe(true);
    expect(a.canAccess(r + 8, 4, false)).toBe(true);
    expect(a.explain(r + 8, 4, true)).toMatch(/write-protected/);
    a.unprotect(r + 8, 4);
    expect(a.canAccess(r + 8, 4, true)).toBe(true);
    expect(() => a.setFlags(a.alloc(8), MemFlag.READ)).toThrow(/not a region start/);
  });
  it('accessRange reports whole allocations and refuses pages with protected bytes for writes', () => {
    const a = new Arena();
    const r = a.allocRegion(100, RW, 'map', 'm');
    const out = new Float64Array(2);
    expect(a.accessRange(r + 50, false, out)).toBe(true);
    expect([...out]).toEqual([r, r + 100]);
    a.protect(r + 90, 2);
    expect(a.accessRange(r + 10, true, out)).toBe(false);
    expect(a.accessRange(r + 10, false, out)).toBe(true);
    expect(a.accessRange(4, false, out)).toBe(false);
  });
  it('grows on demand up to maxBytes; views follow the growth', () => {
    const a = new Arena({ initialBytes: PAGE_SIZE * 4, maxBytes: PAGE_SIZE * 64 });
    const before = a.size;
    const p = a.allocRegion(PAGE_SIZE * 16, RW, 'heap', 'big');
    expect(a.size).toBeGreaterThan(before);
    a.u8[p + PAGE_SIZE * 16 - 1] = 9;
    expect(a.dv.getUint8(p + PAGE_SIZE * 16 - 1)).toBe(9);
    expect(a.i32.length * 4).toBe(a.size);
    expect(() => a.allocRegion(PAGE_SIZE * 64, RW, 'heap', 'too big')).toThrow(/arena exhausted/);
  });
  it('writeChecked: the one write path for helpers refuses exactly what a program store is refused, and writes nothing then', () => {
    const a = new Arena();
    const ro = a.allocRegion(16, MemFlag.READ, 'global', '.rodata');
    a.u8[ro] = 7;
    const rw = a.allocRegion(16, RW, 'map', 'm');
    a.protect(rw + 8, 4);
    const before = a.read(rw, 16);
    for (const [addr, len] of [[ro, 1], [rw, 16], [rw + 4, 8], [rw + 12, 8], [rw - 4, 4], [0, 4], [a.size + 64, 8], [rw, 2 ** 32], [-8, 8], [rw + 0.5, 2]] as const) {
      expect(() => a.writeChecked(addr, len, new Uint8Array(len > 64 ? 64 : len).fill(0xee))).toThrow(FaultSignal);
    }
    expect(a.u8[ro]).toBe(7);
    expect(a.read(rw, 16)).toEqual(before);
    // Allowed: copies the source, zero-fills the rest of the range; a view of the arena itself.
    a.u8.fill(0xff, rw, rw + 8);
    a.writeChecked(rw, 8, Uint8Array.of(1, 2, 3));
    expect([...a.read(rw, 8)]).toEqual([1, 2, 3, 0, 0, 0, 0, 0]);
    a.writeChecked(rw + 1, 3, a.u8.subarray(rw, rw + 3));
    expect([...a.read(rw, 4)]).toEqual([1, 1, 2, 3]);
    a.writeChecked(rw + 12, 4, Uint8Array.of(9, 9, 9, 9, 9, 9));
    expect([...a.read(rw + 12, 4)]).toEqual([9, 9, 9, 9]);
    // Size 0 is no access at all, wherever it points (ARG_CONST_SIZE_OR_ZERO).
    expect(() => a.writeChecked(a.size + 4096, 0, new Uint8Array(0))).not.toThrow();
    expect(() => a.writeChecked(ro, 0)).not.toThrow();
  });
  it('describe names the allocation', () => {
    const a = new Arena();
    const r = a.allocRegion(10, RW, 'ctx', '__sk_buff');
    expect(a.describe(r + 3)).toEqual({ start: r, length: 10, flags: RW, kind: 'ctx', name: '__sk_buff' });
    expect(a.describe(3)).toBeUndefined();
  });
  it('random alloc/free sequences: live allocations never overlap and keep their bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.constant(-1)), { maxLength: 200 }), (ops) => {
        const a = new Arena({ initialBytes: PAGE_SIZE * 8 });
        const live: { p: number; n: number; tag: number }[] = [];
        let tag = 1;
        for (const op of ops) {
          if (op < 0 && live.length > 0) {
            const [v] = live.splice(tag % live.length, 1);
            a.free(v!.p);
          } else if (op >= 0) {
            const p = a.alloc(op);
            const t = tag++ & 0xff;
            a.u8.fill(t, p, p + op);
            live.push({ p, n: op, tag: t });
          }
        }
        const sorted = [...live].sort((x, y) => x.p - y.p);
        for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.p).toBeGreaterThanOrEqual(sorted[i - 1]!.p + Math.max(1, sorted[i - 1]!.n));
        for (const v of live) {
          expect(a.read(v.p, v.n).every((b) => b === v.tag)).toBe(true);
          expect(a.canAccess(v.p, Math.max(1, v.n), true)).toBe(v.n > 0);
        }
        expect(a.bytesInUse).toBe(live.reduce((s, v) => s + v.n, 0));
      }),
      { numRuns: 200 },
    );
  });
  it('write protection kept per 8-byte word matches a per-byte model (partly protected words, unaligned ranges, frees)', () => {
    const span = 3 * PAGE_SIZE;
    const op = fc.record({
      kind: fc.constantFrom('protect', 'unprotect', 'free'),
      off: fc.integer({ min: 0, max: span - 1 }),
      len: fc.integer({ min: 0, max: 40 }),
      big: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const a = new Arena({ initialBytes: PAGE_SIZE * 8 });
        let r = a.allocRegion(span, RW, 'map', 'm');
        const model = new Uint8Array(span);
        for (const o of ops) {
          const len = Math.min(o.big ? o.len * 200 : o.len, span - o.off);
          if (o.kind === 'protect') {
            a.protect(r + o.off, len);
            model.fill(1, o.off, o.off + len);
          } else if (o.kind === 'unprotect') {
            a.unprotect(r + o.off, len);
            model.fill(0, o.off, o.off + len);
          } else {
            // Freeing clears the whole allocation's protection; the pages come back for the next one.
            a.free(r);
            r = a.allocRegion(span, RW, 'map', 'm');
            model.fill(0);
          }
        }
        const got = new Uint8Array(span);
        for (let i = 0; i < span; i++) got[i] = a.isProtected(r + i, 1) ? 1 : 0;
        const wrong = got.findIndex((b, i) => b !== model[i]);
        if (wrong >= 0) expect.fail(`byte ${wrong}: protected ${got[wrong] === 1}, model ${model[wrong] === 1}`);
        for (let i = 0; i + 8 <= span; i += 5) {
          if (a.canAccess(r + i, 8, true) === model.subarray(i, i + 8).includes(1)) expect.fail(`8-byte write at ${i}`);
          if (!a.canAccess(r + i, 8, false)) expect.fail(`8-byte read at ${i}`);
        }
      }),
      { numRuns: 60 },
    );
  });
  it('footprint counts the side tables: 2 bytes a slot, 2 bits per 8 bytes of protection, no map entry for wholly protected words', () => {
    const a = new Arena({ initialBytes: 1 << 20 });
    const before = a.footprint();
    expect(before.protectBitmapBytes).toBe((2 * (1 << 20)) / 64);
    const nodes: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const p = a.alloc(40, { kind: 'node' });
      a.protect(p, 24); // rbtree links: three whole words
      nodes.push(p);
    }
    const f = a.footprint();
    expect(f.partiallyProtectedWords).toBe(0);
    expect(f.slotTableBytes).toBe(2 * Math.ceil(1000 / Math.floor((4 * PAGE_SIZE) / 40)) * Math.floor((4 * PAGE_SIZE) / 40));
    expect(f.pagesInUseBytes).toBeGreaterThanOrEqual(1000 * 40);
    expect(f.pagesInUseBytes).toBeLessThan(1000 * 40 + 4 * PAGE_SIZE);
    a.protect(nodes[0]! + 24, 4); // a lock word in the payload: one partly protected word
    expect(a.footprint().partiallyProtectedWords).toBe(1);
    expect(a.canAccess(nodes[0]! + 28, 4, true)).toBe(true);
    a.free(nodes[0]!);
    expect(a.footprint().partiallyProtectedWords).toBe(0);
    for (const p of nodes.slice(1)) a.free(p);
    expect(a.footprint().pagesInUseBytes).toBe(f.pagesInUseBytes); // slabs stay with their class
  });
});
