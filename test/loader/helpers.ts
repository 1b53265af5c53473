// Shared by the loader/ELF/BTF tests: committed objects from test/progs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openObject } from '../../src/loader/open.js';
import { linkProgram, type LinkedProgram } from '../../src/loader/link.js';
import type { ObjectSpec } from '../../src/loader/spec.js';
import type { LoadedObject } from '../../src/loader/load.js';

export const PROGS = join(import.meta.dirname, '..', 'progs');

export function objBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(PROGS, `${name}.o`)));
}

export function open(name: string): ObjectSpec {
  return openObject(objBytes(name), { name });
}

/** Link without a runtime: maps get ids 100, 101, ... in first-use order. */
export function linkOffline(spec: ObjectSpec, prog: string): LinkedProgram & { ids: Map<string, number> } {
  const ids = new Map<string, number>();
  const l = linkProgram(spec, spec.programs.get(prog)!, {
    mapId: (m) => {
      if (!ids.has(m.name)) ids.set(m.name, 100 + ids.size);
      return ids.get(m.name)!;
    },
  });
  return { ...l, ids };
}

/** Run the `ebpfvm` CLI in-process, capturing stdout/stderr. */
export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { main } = await import('../../src/cli/main.js');
  let out = '';
  let err = '';
  const w = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    process.stdout.write = w;
    process.stderr.write = e;
  }
}

/** A loaded object's .bss variables by name, as the program left them: 8-byte ones as u64 (or s64
 *  with `signed`), smaller ones as s32. */
export function bssVars(obj: LoadedObject, opts: { signed?: boolean } = {}): Record<string, bigint> {
  const btf = obj.spec.btf!;
  const name = [...obj.maps.keys()].find((n) => n.endsWith('.bss'))!;
  const v = obj.map(name).lookup(new Uint8Array(4))!;
  const dv = new DataView(v.buffer, v.byteOffset);
  const out: Record<string, bigint> = {};
  for (const vi of btf.datasec('.bss')!.vars!) {
    out[btf.type(vi.type).name] = vi.size === 8 ? (opts.signed ? dv.getBigInt64(vi.offset, true) : dv.getBigUint64(vi.offset, true)) : BigInt(dv.getInt32(vi.offset, true));
  }
  return out;
}
