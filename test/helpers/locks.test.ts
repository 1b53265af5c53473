// bpf_spin_lock / bpf_spin_unlock: per-run lock bookkeeping on a lock word inside a map value.
import { describe, expect, it } from 'vitest';
import { createHashMap } from '../../maps/hash.js';
import { MapType } from '../../maps/types.js';
import { FaultSignal } from '../../src/errors.js';
import { FakeWorld } from './fake-call.js';

function setup() {
  const w = new FakeWorld();
  const map = createHashMap({ name: 'l', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0, spinLockOffset: 0 }, { arena: w.arena, ncpus: 1 });
  w.mapHandle(map);
  map.update(new Uint8Array(4), new Uint8Array(8));
  const v = map.lookupElem(w.mem([0, 0, 0, 0]), 0);
  return { w, map, v };
}

describe('spin locks', () => {
  it('lock and unlock record the lock in the run and set the word; user space sees 0', () => {
    const { w, map, v } = setup();
    expect(w.invoke('spin_lock', v)).toBe(0n);
    expect(w.locks.held(v)).toBe(true);
    expect(w.arena.dv.getUint32(v, true)).toBe(1);
    expect(Array.from(map.lookup(new Uint8Array(4))!.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(w.invoke('spin_unlock', v)).toBe(0n);
    expect(w.locks.count).toBe(0);
    expect(w.arena.dv.getUint32(v, true)).toBe(0);
  });
  it('taking a held lock faults (deadlock); unlocking an unheld lock faults', () => {
    const { w, v } = setup();
    w.invoke('spin_lock', v);
    expect(() => w.invoke('spin_lock', v)).toThrow(FaultSignal);
    w.invoke('spin_unlock', v);
    expect(() => w.invoke('spin_unlock', v)).toThrow(/not held/);
  });
  it('a lock outside map memory or misaligned faults', () => {
    const { w, v } = setup();
    expect(() => w.invoke('spin_lock', v + 2)).toThrow(/0x[0-9a-f]+ is not the bpf_spin_lock of a map value .*: offset 2 of map /);
    expect(() => w.invoke('spin_lock', w.mem([0, 0, 0, 0]))).toThrow(/is not the bpf_spin_lock of a map value .*: offset 0 of stack/);
    expect(() => w.invoke('spin_lock', 0)).toThrow(FaultSignal);
  });
});
