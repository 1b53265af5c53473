// LPM trie: longest-prefix lookups, exact update/delete, errno, and get_next_key in the kernel's
// post-order (more specific prefixes first, the 0 branch before the 1 branch).
import { describe, expect, it } from 'vitest';
import { LpmTrieMap, createLpmTrieMap } from '../../maps/lpm-trie.js';
import { Errno, MapFlag, MapType, UpdateFlag } from '../../maps/types.js';
import { keysOf, newArena, readU32, spec, u32 } from './util.js';

const key = (len: number, ...ip: number[]) => Uint8Array.of(len, 0, 0, 0, ...ip);
const mk = (over = {}) => createLpmTrieMap(spec(MapType.LPM_TRIE, { keySize: 8, valueSize: 4, maxEntries: 16, flags: MapFlag.NO_PREALLOC, ...over }), { arena: newArena(), ncpus: 1 }) as LpmTrieMap;

describe('lpm_trie map', () => {
  it('needs BPF_F_NO_PREALLOC and a data part', () => {
    expect(() => mk({ flags: 0 })).toThrow(/NO_PREALLOC/);
    expect(() => mk({ keySize: 4 })).toThrow(/key_size/);
  });
  it('finds the longest matching prefix, limited by the key prefixlen', () => {
    const m = mk();
    m.update(key(8, 10, 0, 0, 0), u32(1));
    m.update(key(16, 10, 1, 0, 0), u32(2));
    m.update(key(24, 10, 1, 1, 0), u32(3));
    expect(readU32(m.lookup(key(32, 10, 1, 1, 7)))).toBe(3);
    expect(readU32(m.lookup(key(32, 10, 1, 9, 7)))).toBe(2);
    expect(readU32(m.lookup(key(23, 10, 1, 1, 7)))).toBe(2);
    expect(m.lookup(key(32, 11, 0, 0, 0))).toBeUndefined();
  });
  it('update/delete are exact; flags and prefix lengths checked', () => {
    const m = mk({ maxEntries: 2 });
    expect(m.update(key(8, 10, 0, 0, 0), u32(1), UpdateFlag.EXIST)).toBe(-Errno.ENOENT);
    expect(m.update(key(8, 10, 0, 0, 0), u32(1))).toBe(0);
    expect(m.update(key(8, 10, 9, 9, 9), u32(1), UpdateFlag.NOEXIST)).toBe(-Errno.EEXIST); // same /8
    expect(m.update(key(33, 10, 0, 0, 0), u32(1))).toBe(-Errno.EINVAL);
    expect(m.update(key(9, 10, 0, 0, 0), u32(1))).toBe(0);
    expect(m.update(key(10, 10, 0, 0, 0), u32(1))).toBe(-Errno.ENOSPC);
    expect(m.update(key(9, 10, 0, 0, 0), u32(5))).toBe(0); // replacing works when full
    expect(m.delete(key(16, 10, 0, 0, 0))).toBe(-Errno.ENOENT);
    expect(m.delete(key(9, 10, 0, 0, 0))).toBe(0);
  });
  it('iterates in post-order', () => {
    const m = mk();
    for (const k of [key(8, 10, 0, 0, 0), key(0, 0, 0, 0, 0), key(16, 10, 1, 0, 0), key(16, 10, 0, 0, 0), key(24, 192, 168, 1, 0), key(32, 10, 1, 0, 1)]) m.update(k, u32(1));
    const order = keysOf(m).map((k) => `${[...k.subarray(4)].join('.')}/${k[0]}`);
    expect(order).toEqual(['10.0.0.0/16', '10.1.0.1/32', '10.1.0.0/16', '10.0.0.0/8', '192.168.1.0/24', '0.0.0.0/0']);
    expect(m.nextKey(key(8, 77, 0, 0, 0))).toEqual(keysOf(m)[0]); // unknown key restarts
  });
});
