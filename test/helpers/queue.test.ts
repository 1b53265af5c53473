// map_push/pop/peek_elem from a clang-built program (x_queue.c; the kernel's results are in
// test/fixtures/kernel/x_queue.json), and what user space sees afterwards.
import { describe, expect, it } from 'vitest';
import type { QueueStackMap } from '../../maps/queue-stack.js';
import { mapApi } from '../../src/map-api.js';
import { ipv4Udp } from '../run/helpers.js';
import { xprog } from './x-common.js';

describe('queue helpers (x_queue.c)', () => {
  it('push/pop/peek results, errno, and the value left for user space', () => {
    const { run, res, obj } = xprog('x_queue.o');
    expect(run('x_queue', { data: ipv4Udp() }).retval).toBe(33);
    expect(res(33)).toEqual([
      // queue: three pushes, full, BPF_EXIST drops the oldest, NOEXIST refused, peek, pops, empty
      0, 0, 0, -7, 0, -22, 0, 2, 0, 2, 0, 3, 0, 4, -2, 0, -2,
      // stack: full, BPF_EXIST drops the bottom, pops newest first, empty, one push left
      -7, 0, 0, 9, 0, 3, 0, 2, -2, 0,
      // bloom filter: two adds, flags refused, both found, an absent value
      0, 0, -22, 0, 0, -2,
    ]);
    const st = obj.maps.get('st')!.map as QueueStackMap;
    expect(st.length).toBe(1);
    expect([...(st.lookupAndDelete() ?? [])]).toEqual([7, 0, 0, 0]);
  });
  it('user space through obj.map(): update pushes, lookup peeks, lookupAndDelete pops', () => {
    const { obj } = xprog('x_queue.o');
    const q = mapApi(obj, 'q');
    const none = new Uint8Array(0);
    q.update(none, 5);
    q.update(none, 6);
    expect(q.lookup(none)).toBe(5);
    expect([q.lookupAndDelete(none), q.lookupAndDelete(none), q.lookupAndDelete(none)]).toEqual([5, 6, undefined]);
  });
});
