// The bundled example behind the README's first command: examples/scheduler.o on
// examples/packets.bin leaves the undispatched items in deadline order and counts the rest.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { openObject, load } from '../../src/loader/index.js';
import { testRun } from '../../vm/test-run.js';
import { RbtreeApi } from '../../src/rbtree-api.js';

const ex = (f: string) => new Uint8Array(readFileSync(new URL(`../../examples/${f}`, import.meta.url)));

describe('examples/scheduler', () => {
  it('queues the batch by deadline and dispatches what is due', () => {
    const rt = new Runtime();
    const obj = load(rt, openObject(ex('scheduler.o'), { name: 'scheduler' } as never));
    const packet = ex('packets.bin');
    const r = testRun(rt, obj.program('schedule').program, { data: packet, repeat: 3 });
    expect(r.retval).toBe(0);
    // The batch: 24 items after eth(14) + ip(20) + udp(8) + header(12); now_us at payload + 4.
    const dv = new DataView(packet.buffer, packet.byteOffset);
    const now = dv.getUint32(42 + 4, true);
    const deadlines = Array.from({ length: 24 }, (_, i) => dv.getUint32(42 + 12 + i * 16 + 4, true));
    const due = deadlines.filter((d) => d <= now).length;
    const queue = new RbtreeApi(obj.map('queue'), { decode: (b) => new DataView(b.buffer, b.byteOffset).getUint32(24, true) });
    const pending = deadlines.filter((d) => d > now).sort((a, b) => a - b);
    expect(queue.values()).toEqual(pending.flatMap((d) => [d, d, d])); // three runs, ties keep arrival order
    expect(queue.check({ offset: 24, size: 4 })).toEqual([]);
    const stats = obj.spec.globals.get('stats')!;
    const bss = obj.map(stats.map).lookup(new Uint8Array(4))!;
    const s = new DataView(bss.buffer, bss.byteOffset + stats.offset);
    expect(Number(s.getBigUint64(8, true))).toBe(72); // enqueued
    expect(Number(s.getBigUint64(16, true))).toBe(3 * due); // dispatched
    expect(Number(s.getBigUint64(40, true))).toBe(3 * (24 - due)); // backlog
  });
});
