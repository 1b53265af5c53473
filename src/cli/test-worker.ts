// A worker thread of `ebpfvm test --jobs N`: runs the tests of the objects the main thread sends,
// one at a time, and posts each object's results back.
import { parentPort } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
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
  /** An error that is not a test result (unreadable file, internal error). */
  error?: string;
}

/** Test one object file; the file-level errors become a FAIL line like the kernel's obj_open. */
export function testFile(file: string, opts: ObjectTestOptions): TestResult[] {
  const name = objectNameFromPath(file);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    return [{ object: name, program: '', name: '', mode: 'priv', status: 'FAIL', reason: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }];
  }
  return runObjectTests(bytes, name, opts);
}

parentPort?.on('message', (req: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { index: req.index, results: testFile(req.file, req.opts) };
  } catch (e) {
    reply = { index: req.index, error: (e as Error)?.stack ?? String(e) };
  }
  parentPort!.postMessage(reply);
});
