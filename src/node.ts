// The thin Node layer: file reading for the loader (the core takes bytes and stays browser-safe).
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { UsageError } from './errors.js';
import { openObject, objectNameFromPath, type OpenOptions } from './loader/open.js';
import type { ObjectSpec } from './loader/spec.js';

/** The most a file named on the command line may hold: far above any object, BTF, packet or JSON
 *  input ebpfvm takes, and the bound on a device or pipe that never ends (/dev/zero, a FIFO),
 *  which readFileSync would read until the heap ran out. */
export const MAX_INPUT_BYTES = 256 << 20;

/** Read a file (or an open fd: 0 for stdin), turning I/O errors into UsageError (exit code 2)
 *  with the path; more than `limit` bytes is refused the same way. */
export function readBytes(path: string | number, limit = MAX_INPUT_BYTES): Uint8Array {
  const name = typeof path === 'number' ? (path === 0 ? 'stdin' : `fd ${path}`) : path;
  let fd: number | undefined;
  try {
    fd = typeof path === 'number' ? path : openSync(path, 'r');
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const buf = new Uint8Array(Math.min(1 << 20, limit + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > limit) throw new UsageError(`cannot read ${name}: it holds more than ${limit} bytes`);
    }
    if (chunks.length === 1) return chunks[0]!;
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    if (fd !== undefined && typeof path !== 'number') closeSync(fd);
  }
}

/** Write a file (an output flag's), turning I/O errors (no such directory, a directory, no
 *  permission) into UsageError (exit code 2) naming the flag and the path. */
export function writeBytes(path: string, data: Uint8Array | string, flag: string): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw new UsageError(`${flag}: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** openObject() on a file; the object name defaults to libbpf's (base name up to the first '.'). */
export function openObjectFile(path: string, options: OpenOptions = {}): ObjectSpec {
  return openObject(readBytes(path), { name: objectNameFromPath(path), ...options });
}

/** openObject for Node users: bytes, or a path to read (DESIGN section 9: `openObject(bytes|path)`). */
export function openObjectAny(input: Uint8Array | string, options: OpenOptions = {}): ObjectSpec {
  return typeof input === 'string' ? openObjectFile(input, options) : openObject(input, options);
}
