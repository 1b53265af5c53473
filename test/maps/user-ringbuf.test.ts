// BPF_MAP_TYPE_USER_RINGBUF: user space produces (reserve/submit/discard), programs drain with
// bpf_user_ringbuf_drain (test/progs/maps/m_user_ringbuf.c): order, return counts, a callback
// that stops the drain, discarded and still-reserved samples, bad flags, a nested drain.
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { MapError } from '../../src/errors.js';
import { UserRingbufMap } from '../../maps/user-ringbuf.js';
import { MapType } from '../../maps/types.js';
import { xprog } from '../helpers/x-common.js';
import { adjustRingbufSize } from '../../src/loader/maps.js';
import { u32 } from './util.js';

function setup() {
  const x = xprog('maps/m_user_ringbuf.o');
  const rb = x.obj.maps.get('urb')!.map as UserRingbufMap;
  const seen = () => {
    const name = [...x.obj.maps.keys()].find((k) => k.endsWith('.bss'))!;
    const v = x.obj.map(name).lookup(new Uint8Array(4))!;
    const dv = new DataView(v.buffer, v.byteOffset);
    const n = dv.getInt32(64, true); // .bss: res[8] at 0, nseen at 64, seen[8] at 72
    return Array.from({ length: Math.min(n, 8) }, (_, i) => Number(dv.getBigInt64(72 + i * 8, true)));
  };
  return { ...x, rb, seen };
}

describe('user ring buffer', () => {
  it('drains in order; the callback returning 1 stops it and that sample counts', () => {
    const { run, res, rb, seen } = setup();
    for (const v of [1, 2, 99, 4, 5]) expect(rb.produce(u32(v))).toBe(0);
    run('m_user_ringbuf');
    // first drain: 1, 2, 99 (stops, counted); bad flags; then the rest
    expect(res(4)).toEqual([3, -22, 3, 2]);
    expect(seen()).toEqual([1, 2, 99, 4, 5]);
    expect(rb.consumerPos).toBe(rb.producerPos); // all consumed
    expect(rb.wakeups).toBe(1); // the first drain wakes the producer, NO_WAKEUP the second
  });
  it('discarded samples are skipped and not counted; a reserved one stops the drain', () => {
    const { run, res, rb, seen } = setup();
    expect(rb.produce(u32(1))).toBe(0);
    const d = rb.reserve(4);
    if (typeof d === 'number') throw new Error('reserve failed');
    rb.discard(d);
    expect(rb.produce(u32(3))).toBe(0);
    const busy = rb.reserve(4);
    if (typeof busy === 'number') throw new Error('reserve failed');
    busy.data.set(u32(6));
    run('m_user_ringbuf');
    expect(res(4)).toEqual([2, -22, 2, 0]);
    expect(seen()).toEqual([1, 3]);
    rb.submit(busy);
    run('m_user_ringbuf');
    expect(res(1)).toEqual([1]);
    expect(seen()).toEqual([1, 3, 6]);
    expect(() => rb.submit(busy)).toThrow(MapError); // already submitted
  });
  it('a drain from inside the callback is -EBUSY', () => {
    const { run, res, rb } = setup();
    expect(rb.produce(u32(7))).toBe(0);
    run('m_user_ringbuf');
    expect(res(5)).toEqual([1, -22, 1, 0, -16]);
  });
  it('reservations: -E2BIG beyond the ring, -ENOSPC when full, space comes back after a drain', () => {
    const { run, res, rb } = setup();
    expect(rb.reserve(4096)).toBe(-7); // header + sample > 4096
    for (let i = 0; i < 256; i++) expect(rb.produce(u32(100 + i))).toBe(0); // 16 bytes each
    expect(rb.produce(u32(0))).toBe(-28);
    run('m_user_ringbuf');
    expect(res(4)).toEqual([256, -22, 256, 0]);
    expect(rb.produce(u32(0))).toBe(0);
    const big = rb.reserve(4088); // no room while that sample is there
    expect(big).toBe(-28);
  });
  it("creation and map operations as the kernel's", () => {
    const rt = new Runtime();
    const errno = (maxEntries: number, over: object = {}) => {
      try {
        rt.createMap({ name: 'u', type: MapType.USER_RINGBUF, keySize: 0, valueSize: 0, maxEntries, flags: 0, ...over });
        return 0;
      } catch (e) {
        return (e as MapError).errno;
      }
    };
    expect(errno(4096)).toBe(0);
    expect(errno(4096 * 3)).toBe(-22);
    expect(errno(2048)).toBe(-22);
    expect(errno(4096, { keySize: 4 })).toBe(-22);
    expect(errno(4096, { flags: 1 << 7 })).toBe(-22);
    const m = rt.createMap({ name: 'u2', type: MapType.USER_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096, flags: 0 }).map;
    expect(m.update(new Uint8Array(0), new Uint8Array(0))).toBe(-524);
    expect(m.delete(new Uint8Array(0))).toBe(-524);
  });
  it("an object's ring buffer sizes are rounded up as libbpf's adjust_ringbuf_sz does", () => {
    expect([0, 8, 4096, 4097, 3 * 4096, 1 << 20].map(adjustRingbufSize)).toEqual([0, 4096, 4096, 8192, 16384, 1 << 20]);
  });
});
