// `ebpfvm test` on one object file, shared by the main thread and the --jobs worker threads
// (test-worker.ts), and the messages they exchange.
import { readBytes } from '../node.js';
import { objectNameFromPath } from '../loader/open.js';
import { runObjectTests, type ObjectTestOptions, type TestResult } from '../selftest/runner.js';

export interface WorkerRequest {
  index: number;
  file: string;
  opts: ObjectTestOptions;
}

export interface WorkerReply {
  index: number;
  results?: TestResult[];
  /** An error that is not a test result (an internal error). */
  error?: string;
}

/** What a test worker is started with, so the module knows it is one. */
export const WORKER_MARK = 'ebpfvm-test-worker';

/** Test one object file; an unreadable file is a FAIL line, as the kernel's failed obj_open. */
export function testFile(file: string, opts: ObjectTestOptions): TestResult[] {
  const name = objectNameFromPath(file);
  let bytes: Uint8Array;
  try {
    bytes = readBytes(file);
  } catch (e) {
    return [{ object: name, program: '', name: '', mode: 'priv', status: 'FAIL', reason: (e as Error).message, badInput: true }];
  }
  return runObjectTests(bytes, name, opts);
}
