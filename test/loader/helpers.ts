// Shared by the loader/ELF/BTF tests: committed objects from test/progs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openObject } from '../../src/loader/open.js';
import { linkProgram, type LinkedProgram } from '../../src/loader/link.js';
import type { ObjectSpec } from '../../src/loader/spec.js';

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
