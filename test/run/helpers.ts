// Loading the committed run_ test objects for test/run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../src/runtime.js';
import { load, objectNameFromPath, openObject, type LoadedObject } from '../../src/loader/index.js';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/dist\/$/, '/');

export function loadProg(file: string, runtime = new Runtime()): LoadedObject {
  const path = join(ROOT, 'test/progs', file);
  return load(runtime, openObject(new Uint8Array(readFileSync(path)), { name: objectNameFromPath(path) }));
}

/** An Ethernet + IPv4 + UDP frame (dst MAC 02:00:00:00:00:02, TTL 64, 10.0.0.1 -> 10.0.0.2). */
export function ipv4Udp(payload = 'ebpfvm', dstMac = [2, 0, 0, 0, 0, 2]): Uint8Array {
  const p = new TextEncoder().encode(payload);
  const total = 20 + 8 + p.length;
  const b = new Uint8Array(14 + total);
  b.set(dstMac, 0);
  b.set([2, 0, 0, 0, 0, 1], 6);
  b.set([0x08, 0x00], 12);
  b.set([0x45, 0, total >> 8, total & 0xff, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], 14);
  b.set([0x03, 0xe8, 0x07, 0xd0, (8 + p.length) >> 8, (8 + p.length) & 0xff, 0, 0], 34);
  b.set(p, 42);
  return b;
}
