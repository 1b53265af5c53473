// XSKMAP with AF_XDP sockets in it, against the 6.18 host (test/fixtures/xskmap/m_xskmap.json,
// recorded by scripts/record-xskmap.py with two unbound AF_XDP sockets and a TCP socket): the same
// sequence of user-space map operations gives the host's errno at every step, then every program
// of test/progs/maps/m_xskmap.c (redirects into and past the sockets, lookups reading queue_id)
// gives the host's retval and data_out, verified, under both engines. Plus what the host cannot
// show with unbound sockets: a described queueId is what queue_id reads, and a closed socket
// leaves its slots.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MapError, UsageError } from '../../src/errors.js';
import { Runtime } from '../../src/runtime.js';
import { testRun } from '../../src/test-run-api.js';
import { loadProg } from '../run/helpers.js';
import { u32 } from './util.js';

interface Op { op: 'update' | 'lookup' | 'delete' | 'next'; key: number | null; value: string | number | null; flags: number; result: number | string }
interface Fixture {
  ops: Op[];
  runs: Record<string, { retval: number; data_out: string }>;
  inner_maps: Record<'xskmap' | 'devmap', { same_max_entries: number | string; other_max_entries: number | string }>;
}
const FX = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/xskmap/m_xskmap.json'), 'utf8')) as Fixture;
const ERRNO: Record<string, number> = { EINVAL: 22, EEXIST: 17, ENOENT: 2, EOPNOTSUPP: 95, EBADF: 9, E2BIG: 7 };
const hostResult = (r: number | string): number => (typeof r === 'number' ? r : -ERRNO[r.slice(1)]!);

// fds 3 and 4 are the AF_XDP sockets, 5 the TCP one (the host's own fds differ: the fixture names them)
const SOCKETS = [{ proto: 'xdp' as const }, { proto: 'xdp' as const }, { proto: 'tcp' as const, state: 'listen' as const }];
const FD: Record<string, number> = { xskA: 3, xskB: 4, tcp: 5 };

function world(engine: 'compiled' | 'interpreter' = 'compiled') {
  const runtime = new Runtime({ sockets: SOCKETS, engine });
  const obj = loadProg('maps/m_xskmap.o', runtime);
  return { runtime, obj, map: obj.map('xsks') };
}

function replay(map: ReturnType<typeof world>['map']): number[] {
  return FX.ops.map((o): number => {
    const key = o.key === null ? undefined : u32(o.key);
    if (o.op === 'update') return map.update(key!, u32(typeof o.value === 'string' ? FD[o.value]! : o.value!), o.flags);
    if (o.op === 'delete') return map.delete(key!);
    if (o.op === 'next') {
      const n = map.nextKey(key);
      return n === undefined ? -2 : new DataView(n.buffer, n.byteOffset).getUint32(0, true);
    }
    try {
      map.lookup(key!);
      return 0;
    } catch (e) {
      if (e instanceof MapError) return e.errno ?? NaN;
      throw e;
    }
  });
}

describe('xskmap with AF_XDP sockets: host kernel vs ebpfvm', () => {
  it('user-space operations give the host errno at every step', () => {
    const got = replay(world().map);
    expect(got).toEqual(FX.ops.map((o) => hostResult(o.result)));
  });
  for (const engine of ['compiled', 'interpreter'] as const) {
    it(`every program gives the host retval and data_out, verified (${engine})`, () => {
      const w = world(engine);
      replay(w.map);
      const got: Record<string, { retval: number; data_out: string }> = {};
      for (const name of Object.keys(FX.runs)) {
        const p = w.obj.program(name);
        expect(p.verify().accepted, name).toBe(true);
        const r = testRun(w.runtime, p.program, { data: new Uint8Array(64) });
        got[name] = { retval: r.retval, data_out: Buffer.from(r.dataOut!).toString('hex') };
      }
      expect(got).toEqual(FX.runs);
    });
  }
});

describe('xskmap as an inner map: host kernel vs ebpfvm', () => {
  it('an array_of_maps with an xskmap template takes only xskmaps of its max_entries (a devmap template any)', () => {
    const rt = new Runtime();
    for (const [name, type] of [['xskmap', 17], ['devmap', 14]] as const) {
      const mk = (n: number) => rt.createMap({ name: `${name}${n}`, type, keySize: 4, valueSize: 4, maxEntries: n, flags: 0 });
      const template = mk(4).map;
      const outer = rt.createMap({ name: `outer_${name}`, type: 12, keySize: 4, valueSize: 4, maxEntries: 2, flags: 0, innerMap: template.spec }).map;
      const got = { same_max_entries: outer.update(u32(0), u32(mk(4).id)), other_max_entries: outer.update(u32(1), u32(mk(8).id)) };
      const want = FX.inner_maps[name];
      expect(got, name).toEqual({ same_max_entries: hostResult(want.same_max_entries), other_max_entries: hostResult(want.other_max_entries) });
    }
  });
});

describe('xskmap sockets beyond the host recording', () => {
  it('queue_id reads the described queueId', () => {
    const runtime = new Runtime({ sockets: [{ proto: 'xdp', queueId: 5 }] });
    const obj = loadProg('maps/m_xskmap.o', runtime);
    expect(obj.map('xsks').update(u32(0), u32(3))).toBe(0);
    expect(testRun(runtime, obj.program('lookup_full').program, { data: new Uint8Array(64) }).retval).toBe(1005);
    expect(testRun(runtime, obj.program('lookup_slot2').program, { data: new Uint8Array(64) }).retval).toBe(7);
  });
  it('a socket that goes away leaves every slot it was in', () => {
    const runtime = new Runtime({ sockets: [{ proto: 'xdp' }] });
    const obj = loadProg('maps/m_xskmap.o', runtime);
    const m = obj.map('xsks');
    expect([m.update(u32(0), u32(3)), m.update(u32(2), u32(3))]).toEqual([0, 0]);
    runtime.sockets.close(runtime.sockets.byFd(3)!);
    for (const p of ['redir_full', 'lookup_then_redirect']) {
      // redir_full falls back to XDP_DROP, lookup_then_redirect to XDP_PASS
      expect(testRun(runtime, obj.program(p).program, { data: new Uint8Array(64) }).retval, p).toBe(p === 'redir_full' ? 1 : 2);
    }
  });
  it('an AF_XDP description with an address, port or state, or a bad queueId, is refused naming it', () => {
    expect(() => new Runtime({ sockets: [{ proto: 'xdp', srcPort: 80 }] })).toThrow(/'xdp' \(AF_XDP\) socket has no srcPort/);
    expect(() => new Runtime({ sockets: [{ proto: 'xdp', queueId: -1 }] })).toThrow(UsageError);
    expect(() => new Runtime({ sockets: [{ proto: 'tcp', queueId: 1 }] })).toThrow(/queueId is for 'xdp'/);
  });
  it('a sockmap refuses an AF_XDP socket (-EOPNOTSUPP)', () => {
    const runtime = new Runtime({ sockets: [{ proto: 'xdp' }] });
    const sm = runtime.createMap({ name: 'sm', type: 15, keySize: 4, valueSize: 4, maxEntries: 1, flags: 0 }).map;
    expect(sm.update(u32(0), u32(3))).toBe(-95);
  });
});
