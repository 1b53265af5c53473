// KernelMemory's prefill (issue 15, start-up): the runtime's built-in kernel objects are mapped on
// the first kernel-memory access, not when the runtime is built, with the same result.
import { describe, expect, it } from 'vitest';
import { KernelMemory } from '../../vm/kmem.js';

describe('KernelMemory prefill', () => {
  const A = 0xffff_8880_0000_1000n;
  const filled = () => {
    let calls = 0;
    const km = new KernelMemory((k) => {
      calls++;
      k.map(A, Uint8Array.of(1, 2, 3, 4));
    });
    return { km, calls: () => calls };
  };

  it('runs once, on the first access, before what it reads', () => {
    const { km, calls } = filled();
    expect(calls()).toBe(0);
    expect(km.read(A, 4)).toEqual(Uint8Array.of(1, 2, 3, 4));
    expect(km.read(A + 1n, 2)).toEqual(Uint8Array.of(2, 3));
    expect(calls()).toBe(1);
  });

  it('counts in size and is overwritten by a later map, including the first one', () => {
    const { km, calls } = filled();
    km.map(A + 2n, Uint8Array.of(9));
    expect(calls()).toBe(1);
    expect(km.read(A, 4)).toEqual(Uint8Array.of(1, 2, 9, 4));
    expect(km.size).toBe(5);
  });

  it('answers isMapped and readInto through the prefill too', () => {
    const { km } = filled();
    const hi = Number(A >> 32n);
    const lo = Number(A & 0xffffffffn);
    expect(km.isMapped(hi, lo, 4)).toBe(true);
    expect(km.isMapped(hi, lo, 5)).toBe(false);
    const out = new Uint8Array(2);
    expect(filled().km.readInto(hi, lo + 2, out)).toBe(true);
    expect(out).toEqual(Uint8Array.of(3, 4));
  });

  it('is dropped by clear, like everything mapped', () => {
    const { km, calls } = filled();
    km.clear();
    expect(km.read(A, 1)).toBeUndefined();
    expect(km.size).toBe(0);
    expect(calls()).toBe(0);
  });
});
