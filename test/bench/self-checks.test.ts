// Every benchmark checks its own result, so a broken build cannot report fast numbers: the cells
// of the rbtree matrix produce the figures they should, and throw when the tree does not hold
// its nodes or the walk does not visit them all in order. No timing is asserted.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RbtreeMap } from '../../maps/rbtree.js';
import { BATCH, IMPLS, keyOf, measureCell, OPS } from '../../bench/rbtree-helpers.js';
import { mapOpRows } from '../../bench/vm-maps.js';
import { memoryRows } from '../../bench/memory.js';
import { allSuites, runSuite } from '../../bench/registry.js';
import '../../bench/vm-maps.js';

afterEach(() => vi.restoreAllMocks());

describe('rbtree matrix cells', () => {
  it('uses distinct random keys and ordered sequential ones', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 100_000; i++) seen.add(keyOf('random', i));
    expect(seen.size).toBe(100_000);
    expect([0, 1, 2].map((i) => keyOf('sequential', i))).toEqual([0, 1, 2]);
  });

  for (const impl of IMPLS) {
    it(`${impl}: every operation it has is measured, at tree size N, for both key orders`, () => {
      for (const keys of ['random', 'sequential'] as const) {
        const rows = measureCell(impl, 2_000, keys, 2, 0);
        const ops = rows.map((r) => r.op);
        expect(ops).toContain('add');
        expect(ops).toContain('find');
        expect(ops).toContain('remove');
        expect(ops).toContain('next');
        if (impl === 'bpf' || impl === 'bpf-interpreter') expect(ops).toEqual([...OPS]);
        if (impl === 'ts') expect(ops).toEqual(OPS.filter((o) => o !== 'get_lock' && o !== 'lock+unlock'));
        expect(ops).toContain('first');
        for (const r of rows) {
          expect(r).toMatchObject({ impl, size: 2_000, keys, samples: 2, mode: impl === 'bpf' || impl === 'bpf-interpreter' ? 'unverified' : 'n/a' });
          expect(Number.isFinite(r.meanNs) && r.meanNs >= 0).toBe(true);
        }
      }
    });
  }

  it('throws when adds do not land (the tree would not hold N + batch nodes)', () => {
    vi.spyOn(RbtreeMap.prototype, 'add').mockImplementation(() => 0);
    expect(() => measureCell('ts', 1_000, 'random', 1, 0)).toThrow(/self-check failed/);
  });

  it('throws when BPF adds fail inside the program', () => {
    const real = RbtreeMap.prototype.add;
    let calls = 0;
    // Let the fill through, then refuse every add the program makes.
    vi.spyOn(RbtreeMap.prototype, 'add').mockImplementation(function (this: RbtreeMap, n, less) {
      return calls++ < 1_000 ? real.call(this, n, less) : 0;
    });
    expect(() => measureCell('bpf', 1_000, 'random', 1, 0)).toThrow(new RegExp(`bpf add @1000 random: 0 of ${BATCH}`));
  });

  it('throws when the walk does not visit every node', () => {
    vi.spyOn(RbtreeMap.prototype, 'next').mockImplementation(() => 0);
    expect(() => measureCell('ts', 1_000, 'sequential', 1, 0)).toThrow(/visited 1 of 1000/);
  });

  it('throws when the walk is out of order', () => {
    const real = RbtreeMap.prototype.next;
    let skipped = false;
    // Skip one node once: the walk still ends, one node short, so it is caught either way.
    vi.spyOn(RbtreeMap.prototype, 'next').mockImplementation(function (this: RbtreeMap, n) {
      const m = real.call(this, n);
      if (!skipped && m !== 0) {
        skipped = true;
        return real.call(this, m);
      }
      return m;
    });
    expect(() => measureCell('ts', 1_000, 'random', 1, 0)).toThrow(/walk @1000/);
  });
});

describe('VM and map suites', () => {
  it('map lookups and updates hit every key, per map type', () => {
    const rows = mapOpRows(2, 0);
    expect(rows.map((r) => r.name)).toEqual(['maps/array lookup', 'maps/array update', 'maps/hash lookup', 'maps/hash update', 'maps/lru lookup', 'maps/lru update']);
    for (const r of rows) expect(r.mode).toBe('unverified');
  });

  it('the instruction-throughput programs pass their checks (a wrong result would throw)', () => {
    for (const s of allSuites().filter((x) => /^vm\/(alu32|bpf-to-bpf|helper call|map-lookup)/.test(x.name))) {
      const state = s.setup?.();
      expect(() => s.check?.(state)).not.toThrow();
      const units = typeof s.units === 'function' ? s.units(state) : s.units;
      expect(units).toBeGreaterThan(1000);
    }
  });

  it('a suite whose check fails is not timed', () => {
    expect(() => runSuite({ name: 'broken', tags: [], fn: () => {}, check: () => { throw new Error('wrong result'); } }, { quick: true })).toThrow('wrong result');
  });
});

describe('memory per node', () => {
  it('live bytes from fresh processes: the slots, every side table and the JS heap add up to the total', () => {
    const rows = memoryRows(20_000);
    const v = (what: string) => rows.find((r) => r.params?.what === what)!.value!;
    const total = v('rbtree total (live)');
    expect(v('rbtree arena pages (40-byte slots)')).toBeGreaterThanOrEqual(40);
    expect(v('rbtree slab slot tables')).toBeGreaterThanOrEqual(2);
    const parts = ['rbtree arena pages (40-byte slots)', 'rbtree write-protect bitmap', 'rbtree slab slot tables', 'rbtree page tables', 'rbtree ownership bitmap', 'rbtree JS heap', 'rbtree other typed arrays'];
    expect(parts.reduce((s, w) => s + v(w), 0)).toBeCloseTo(total, 6);
    expect(total).toBeGreaterThanOrEqual(42);
    expect(rows.map((r) => r.params?.impl).slice(-2)).toEqual(['js-sdsl', 'sorted-btree']);
  });
});

describe('kernel column', () => {
  it('is skipped with the reason where BPF cannot run, and the VM side still measured', async () => {
    await import('../../bench/kernel.js');
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    const suite = allSuites().find((s) => s.name === 'kernel/add+remove pair')!;
    const rows = suite.rows!({ quick: true, progress: () => {} });
    expect(rows.at(-1)).toMatchObject({ name: 'kernel/column skipped', note: 'not root' });
    for (const impl of ['bpf', 'bpf-interpreter']) {
      const vm = rows.filter((r) => r.params?.impl === impl);
      expect(vm.map((r) => r.params!.size)).toEqual([1_000, 10_000]);
      for (const r of vm) expect(r.mode).toBe('unverified');
    }
  });
});
