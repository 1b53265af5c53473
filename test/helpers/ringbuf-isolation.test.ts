// Issue 11, holes 1 and 2 (x_ringbuf_tamper.c, run unverified): a program can neither rewrite a
// ring buffer record's header nor write past its reservation. Tampering faults cleanly; the maps
// behind the ring, the rbtree, the query values and the consumer's view stay what they were.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cli } from '../cli/capture.js';
import { VmFault } from '../../src/errors.js';
import { RbtreeApi } from '../../src/rbtree-api.js';
import { consumeRingbuf } from '../../src/ringbuf-consumer.js';
import { RingbufQuery, type RingbufMap } from '../../maps/ringbuf.js';
import { MapType } from '../../maps/types.js';
import { assemble } from '../../src/index.js';
import { Runtime } from '../../src/runtime.js';
import { ROOT } from '../run/helpers.js';
import { xprog } from './x-common.js';

const KEY = { offset: 24, size: 8 } as const;

function setup() {
  const x = xprog('x_ringbuf_tamper.o');
  const after = x.obj.map('after');
  for (let i = 0; i < 64; i++) {
    const k = new Uint8Array(4);
    new DataView(k.buffer).setUint32(0, i, true);
    const v = new Uint8Array(8).fill(0x5a ^ i);
    expect(after.update(k, v, 0)).toBe(0);
  }
  const tree = new RbtreeApi(x.obj.maps.get('tree')!.map);
  for (let i = 0; i < 40; i++) {
    const v = new Uint8Array(40);
    new DataView(v.buffer).setBigUint64(24, BigInt((i * 7919) % 101), true);
    new DataView(v.buffer).setBigUint64(32, 0xfeedn + BigInt(i), true);
    tree.insert(v, KEY);
  }
  const rb = x.obj.maps.get('rb')!.map as RingbufMap;
  // Everything but the ring: array contents, node bytes in tree order, the tree's shape.
  const snapshot = () => ({
    after: Array.from({ length: 64 }, (_, i) => [...(after.lookup(Uint8Array.of(i, 0, 0, 0)) ?? [])]),
    nodes: tree.nodes().map((n) => [n.addr, n.color, [...n.bytes]]),
    check: tree.check(KEY),
  });
  return { ...x, rb, tree, snapshot };
}

/** Run `prog` expecting a clean VmFault (never a raw or internal error). */
function faults(run: () => unknown, why: RegExp): void {
  let err: unknown;
  try {
    run();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(VmFault);
  expect((err as VmFault).message).toMatch(why);
}


describe('ring buffer records are out of the program’s reach', () => {
  for (const [prog, word] of [['tamper_1m', '0x00100000'], ['tamper_huge', '0x3fffffff'], ['tamper_pgoff', 'the page offset']] as const) {
    it(`${prog}: writing ${word} over the header faults and changes nothing else`, () => {
      const { run, rb, snapshot } = setup();
      const before = snapshot();
      expect(before.check).toEqual([]);
      faults(() => run(prog), /write-protected/);
      expect(snapshot()).toEqual(before);
      // the reservation stays open (the run faulted before submitting); nothing reached the consumer
      expect(rb.query(RingbufQuery.AVAIL_DATA)).toBe(16n);
      expect(consumeRingbuf(rb, () => 0)).toBe(0);
    });
  }

  it('overrun: 256 bytes into an 8-byte reservation fault', () => {
    const { run, rb, snapshot } = setup();
    const before = snapshot();
    // clang unrolls the loop and stores the last word first: p + 248 is outside every region
    faults(() => run('overrun'), /write of 8 bytes at 0x[0-9a-f]+: (not in any region|out of bounds)/);
    expect(snapshot()).toEqual(before);
    expect(rb.query(RingbufQuery.AVAIL_DATA)).toBe(16n);
  });

  it('a store one byte past a reservation faults, one at its last byte does not', () => {
    const rt = new Runtime();
    const rb = rt.createMap({ name: 'rb', type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096, flags: 0 });
    const prog = (off: number) => `r1 = ${rb.handle} ll\nr2 = 8\nr3 = 0\ncall 131\nif r0 == 0 goto +3\nr1 = 7\n*(u8 *)(r0 + ${off}) = r1\nr0 = 0\nexit`;
    const exec = (text: string) => rt.execute({ name: 'f', insns: assemble(text), progType: 3, gpl: true } as never);
    exec(prog(7));
    faults(() => exec(prog(8)), /write of 1 byte .*out of bounds of map .*size 16, offset 16/);
  });

  it('after the faults the ring still works: AVAIL_DATA never negative, the consumer sees only real records', () => {
    const { run, rb, snapshot } = setup();
    const before = snapshot();
    for (let i = 0; i < 3; i++) expect(run('good').retval).toBe(16 * (i + 1));
    const seen: number[][] = [];
    expect(consumeRingbuf(rb, (d) => void seen.push([...d]))).toBe(3);
    expect(seen).toEqual(Array(3).fill([0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01]));
    expect(rb.query(RingbufQuery.AVAIL_DATA)).toBe(0n);
    for (const prog of ['tamper_1m', 'overrun', 'tamper_huge']) expect(() => run(prog)).toThrow(VmFault);
    // three records stay reserved (BUSY) behind the faulted runs; a later good record waits
    expect(run('good').retval).toBe(64);
    expect(consumeRingbuf(rb, () => 0)).toBe(0);
    expect(Number(rb.query(RingbufQuery.AVAIL_DATA))).toBeGreaterThanOrEqual(0);
    expect(snapshot()).toEqual(before);
  });

  it('ebpfvm run: the verifier refuses the tampering as the kernel does; unverified, it is a VM fault (exit 1), not an internal error', async () => {
    for (const prog of ['tamper_1m', 'tamper_huge', 'overrun']) {
      const v = await cli('run', join(ROOT, 'test/progs/x_ringbuf_tamper.o'), '--prog', prog, '--json');
      expect(v.code).toBe(1);
      expect(v.err).toMatch(/R0 min value is outside of the allowed memory range/);
      expect(v.err).not.toMatch(/ebpfvm: fault/);
      const r = await cli('run', join(ROOT, 'test/progs/x_ringbuf_tamper.o'), '--prog', prog, '--json', '--no-verify');
      expect(r.err).not.toMatch(/internal error/);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/fault/i);
    }
  });
});
