// Queue and stack maps: order, full maps, BPF_EXIST overwrite, the syscall-side operations and
// creation checks (kernel/bpf/queue_stack_maps.c). Program-side results are in the x_queue fixture.
import { describe, expect, it } from 'vitest';
import { QueueStackMap } from '../../maps/queue-stack.js';
import { createQueueMap } from '../../maps/queue.js';
import { createStackMap } from '../../maps/stack.js';
import { Errno, MapType, UpdateFlag } from '../../maps/types.js';
import { MapError } from '../../src/errors.js';
import { newArena, place, readU32, spec, u32 } from './util.js';

const NOKEY = new Uint8Array(0);
const mk = (type: number, over = {}) => {
  const arena = newArena();
  const factory = type === MapType.QUEUE ? createQueueMap : createStackMap;
  return { arena, map: factory(spec(type, { keySize: 0, valueSize: 4, maxEntries: 3, ...over }), { arena, ncpus: 1 }) as QueueStackMap };
};

describe('queue map', () => {
  it('pops in FIFO order; lookup peeks, update pushes, lookupAndDelete pops', () => {
    const { map } = mk(MapType.QUEUE);
    for (const v of [1, 2, 3]) expect(map.update(NOKEY, u32(v))).toBe(0);
    expect(map.update(NOKEY, u32(4))).toBe(-Errno.E2BIG);
    expect(readU32(map.lookup(NOKEY))).toBe(1);
    expect(map.update(NOKEY, u32(4), UpdateFlag.EXIST)).toBe(0); // drops 1
    expect([1, 2, 3].map(() => readU32(map.lookupAndDelete()))).toEqual([2, 3, 4]);
    expect(map.lookupAndDelete()).toBeUndefined();
    expect(map.lookup(NOKEY)).toBeUndefined();
  });
  it('refuses NOEXIST, delete and keys like the kernel', () => {
    const { map } = mk(MapType.QUEUE);
    expect(map.update(NOKEY, u32(1), UpdateFlag.NOEXIST)).toBe(-Errno.EINVAL);
    expect(map.update(NOKEY, u32(1), 3)).toBe(-Errno.EINVAL);
    expect(map.delete(NOKEY)).toBe(-Errno.EINVAL);
    expect(map.nextKey(undefined)).toBeUndefined();
    expect(() => map.update(u32(0), u32(1))).toThrow(MapError);
  });
  it('program side: pop into a buffer, -ENOENT zeroes it', () => {
    const { map, arena } = mk(MapType.QUEUE);
    const buf = place(arena, u32(7));
    expect(map.pushFrom(buf, 0)).toBe(0);
    arena.write(buf, u32(0));
    expect(map.popInto(buf, true)).toBe(0);
    expect(arena.dv.getUint32(buf, true)).toBe(7);
    expect(map.popInto(buf, true)).toBe(-Errno.ENOENT);
    expect(arena.dv.getUint32(buf, true)).toBe(0);
  });
  it('creation needs key_size 0, value_size and max_entries', () => {
    const arena = newArena();
    expect(() => createQueueMap(spec(MapType.QUEUE, { keySize: 4 }), { arena, ncpus: 1 })).toThrow(/key_size 0/);
    expect(() => createQueueMap(spec(MapType.QUEUE, { keySize: 0, maxEntries: 0 }), { arena, ncpus: 1 })).toThrow(MapError);
    expect(() => createQueueMap(spec(MapType.QUEUE, { keySize: 0, flags: 1 }), { arena, ncpus: 1 })).toThrow(/map_flags/);
  });
});

describe('stack map', () => {
  it('pops in LIFO order; BPF_EXIST on a full stack drops the bottom value', () => {
    const { map } = mk(MapType.STACK);
    for (const v of [1, 2, 3]) map.push(u32(v));
    expect(map.push(u32(9))).toBe(-Errno.E2BIG);
    expect(map.push(u32(9), UpdateFlag.EXIST)).toBe(0);
    expect(readU32(map.peek())).toBe(9);
    expect([0, 1, 2].map(() => readU32(map.pop()))).toEqual([9, 3, 2]);
    expect(map.pop()).toBeUndefined();
  });
});
