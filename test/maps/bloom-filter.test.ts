// Bloom filter: membership, sizing from map_extra, refused operations, jhash against known values.
import { describe, expect, it } from 'vitest';
import { BloomFilterMap, createBloomFilterMap, jhash, jhash2 } from '../../maps/bloom-filter.js';
import { Errno, MapType } from '../../maps/types.js';
import { newArena, spec, u32 } from './util.js';

const mk = (over = {}) => createBloomFilterMap(spec(MapType.BLOOM_FILTER, { keySize: 0, valueSize: 4, maxEntries: 100, ...over }), { arena: newArena(), ncpus: 1 }) as BloomFilterMap;

describe('bloom filter map', () => {
  it('added values are found, others (almost always) not', () => {
    const m = mk();
    for (let i = 0; i < 100; i++) expect(m.update(new Uint8Array(0), u32(i * 7))).toBe(0);
    for (let i = 0; i < 100; i++) expect(m.contains(u32(i * 7))).toBe(0);
    let fp = 0;
    for (let i = 0; i < 1000; i++) if (m.contains(u32(1_000_000 + i)) === 0) fp++;
    expect(fp).toBeLessThan(100); // ~1% expected with 5 hashes and 7/5 bits per entry and hash
  });
  it('sizes the bitset like the kernel and takes the number of hashes from map_extra', () => {
    expect(mk().nrHashes).toBe(5);
    expect(mk({ mapExtra: 3n }).nrHashes).toBe(3);
    expect(mk({ maxEntries: 100 }).bitsetMask + 1).toBe(1024); // 100*5/5*7 = 700 -> 1024
    expect(mk({ maxEntries: 1 }).bitsetMask + 1).toBe(64);
    expect(() => mk({ mapExtra: 16n })).toThrow(/map_extra/);
    expect(() => mk({ keySize: 4 })).toThrow(/key_size 0/);
  });
  it('push takes only BPF_ANY; pop and delete are -EOPNOTSUPP', () => {
    const m = mk();
    expect(m.update(new Uint8Array(0), u32(1), 2)).toBe(-Errno.EINVAL);
    expect(m.delete()).toBe(-Errno.EOPNOTSUPP);
    expect(m.popInto(0, true)).toBe(-Errno.EOPNOTSUPP);
  });
  it('jhash/jhash2 agree with each other as lookup3 defines them', () => {
    // lookup3 properties: an empty key hashes to the initial value, one word is the same either way
    expect(jhash(new TextEncoder().encode(''), 0, 0, 0)).toBe(0xdeadbeef);
    expect(jhash2(u32(0), 0, 1, 0)).toBe(jhash(u32(0), 0, 4, 0));
  });
});
