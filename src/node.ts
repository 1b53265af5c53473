// The thin Node layer: file reading for the loader (the core takes bytes and stays browser-safe).
import { readFileSync, writeFileSync } from 'node:fs';
import { UsageError } from './errors.js';
import { openObject, objectNameFromPath, type OpenOptions } from './loader/open.js';
import type { ObjectSpec } from './loader/spec.js';

/** Read a file, turning I/O errors into UsageError (exit code 2) with the path. */
export function readBytes(path: string): Uint8Array {
  try {
    const b = readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
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
