// Library entry for test runs: run a loaded program like BPF_PROG_TEST_RUN (vm/test-run) and read
// maps back as raw key/value bytes the way `bpftool map dump` lists them, which is what the CLI's
// `run` and the kernel-agreement tests compare.
import type { BpfMap } from '../maps/types.js';
import { mapTypeName } from '../maps/types.js';
import { testRun, type TestRunInput, type TestRunResult } from '../vm/test-run.js';
import type { LoadedObject } from './loader/load.js';
import { UsageError } from './errors.js';
import { verifyForRun, type VerifyOptions } from './verify.js';

export { testRun, TestRunInputError, type TestRunInput, type TestRunResult, type TestRunHost } from '../vm/test-run.js';

/** One map's contents as hex strings, in the map's iteration order (bpftool map dump -j). */
export interface RawMapDump {
  type: string;
  entries: { key: string; value?: string; values?: string[] }[];
}

export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

export function fromHex(s: string, what: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new UsageError(`${what}: not a hex byte string`);
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

const PERCPU_TYPES = new Set([5, 6, 10]); // percpu_hash, percpu_array, lru_percpu_hash

/** Every entry of a map, per-CPU maps split into one value per CPU like bpftool. */
export function dumpMapRaw(map: BpfMap, ncpus: number): RawMapDump {
  const entries: RawMapDump['entries'] = [];
  const percpu = PERCPU_TYPES.has(map.type);
  const stride = Math.ceil(map.valueSize / 8) * 8;
  let key: Uint8Array | undefined;
  for (let guard = 0; guard < 1_000_000; guard++) {
    key = map.nextKey(key);
    if (!key) break;
    const v = map.lookup(key);
    if (!v) continue;
    if (percpu) {
      const values: string[] = [];
      for (let c = 0; c < ncpus; c++) values.push(toHex(v.subarray(c * stride, c * stride + map.valueSize)));
      entries.push({ key: toHex(key), values });
    } else entries.push({ key: toHex(key), value: toHex(v) });
  }
  return { type: mapTypeName(map.type), entries };
}

export interface RunLoadedOptions {
  /** Verify the program first (true, or the verifier's options) and throw a VerifierError when it
   *  is rejected, as the CLI's `run` does by default. Default: false, the run is unverified (every
   *  memory access checked at run time, the runtime's instruction budget), as testRun's always is. */
  verify?: boolean | VerifyOptions;
}

/** Test-run program `progName` of a loaded object. */
export function runLoaded(obj: LoadedObject, progName: string, input: TestRunInput, opts: RunLoadedOptions = {}): TestRunResult {
  const p = obj.program(progName);
  if (opts.verify) verifyForRun(obj, progName, opts.verify === true ? {} : opts.verify);
  return testRun(obj.runtime, p.program, input);
}
