// Library entry for test runs: run a loaded program like BPF_PROG_TEST_RUN (vm/test-run) and read
// maps back as raw key/value bytes the way `bpftool map dump` lists them, which is what the CLI's
// `run` and the kernel-agreement tests compare.
import type { BpfMap } from '../maps/types.js';
import { mapTypeName } from '../maps/types.js';
import { XskMap } from '../maps/xskmap.js';
import { testRun, type TestRunInput, type TestRunResult } from '../vm/test-run.js';
import type { LoadedObject } from './loader/load.js';
import { UsageError } from './errors.js';
import { runnableProgram, verifyForRun, type VerifyOptions } from './verify.js';
import { btfDecoder, isRbtreeMap } from './rbtree-api.js';
import { codecFor } from './map-api.js';

export { testRun, TestRunInputError, type TestRunInput, type TestRunResult, type TestRunHost } from '../vm/test-run.js';

/** One map's contents as hex strings, in the map's iteration order (bpftool map dump -j). */
export interface RawMapDump {
  type: string;
  entries: { key: string; value?: string; values?: string[] }[];
}

// Hex without Node's Buffer, so this module (and the playground that imports it) runs in a browser.
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!]!;
  return s;
}

/** A nibble's value, or -1 for a character that is not a hex digit. */
function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  c |= 0x20;
  return c >= 97 && c <= 102 ? c - 87 : -1;
}

/** Hex bytes (whitespace ignored) to bytes. Checked digit by digit: a regular expression over the
 *  whole string overflows V8's stack on a map value of megabytes. */
export function fromHex(s: string, what: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 2 !== 0) throw new UsageError(`${what}: not a hex byte string`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(clean.charCodeAt(2 * i));
    const lo = nibble(clean.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new UsageError(`${what}: not a hex byte string`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** bpftool's hex_print(): offset, 16 bytes in pairs, then the bytes as ASCII split after 8. */
export function hexDump(data: Uint8Array): string {
  let out = '';
  for (let i = 0; i < data.length; i += 16) {
    out += i.toString(16).padStart(7, '0') + '\t';
    let j = i;
    for (; j < i + 16 && j < data.length; j++) out += HEX[data[j]!]! + (j % 2 ? ' ' : '');
    for (; j < i + 16; j++) out += '  ' + (j % 2 ? ' ' : '');
    out += '| ';
    for (j = i; j < i + 16 && j < data.length; j++) {
      const c = data[j]!;
      out += (c < 0x20 || c > 0x7e ? '.' : String.fromCharCode(c)) + (j === i + 7 ? ' ' : '');
    }
    out += '\n';
  }
  return out;
}

/** The result line `ebpfvm run` prints after the dumps (bpftool prog run's wording). */
export function resultLine(r: Pick<TestRunResult, 'retval' | 'repeat' | 'durationNs'>): string {
  return `Return value: ${r.retval}, duration${r.repeat > 1 ? ' (average)' : ''}: ${r.durationNs}ns`;
}

/** One map with decoders through the object's BTF (the map API's codecs), as `run --dump-maps`
 *  shows it; no decoder where the map has no BTF type. */
export interface MapView {
  name: string;
  map: BpfMap;
  key?: (bytes: Uint8Array) => unknown;
  value?: (bytes: Uint8Array) => unknown;
}

export function mapViews(obj: LoadedObject): MapView[] {
  const btf = obj.spec.btf;
  return [...obj.maps.entries()].map(([name, lm]) => {
    const m = lm.map;
    const valueId = m.spec.btfValueTypeId;
    if (isRbtreeMap(m)) {
      // rbtree nodes: leave the rb_node links out (the formatter shows colour and shape itself).
      const rb = btf && valueId ? btfDecoder(btf, valueId) : undefined;
      return { name, map: m, ...(rb ? { value: (b: Uint8Array) => rb(b, 0) } : {}) };
    }
    const key = btf && m.spec.btfKeyTypeId ? codecFor(btf, m.spec.btfKeyTypeId, m.keySize, `map ${name} key`) : undefined;
    const value = btf && valueId ? codecFor(btf, valueId, m.valueSize, `map ${name} value`) : undefined;
    return { name, map: m, ...(key ? { key: (b: Uint8Array) => key.decode(b) } : {}), ...(value ? { value: (b: Uint8Array) => value.decode(b) } : {}) };
  });
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
    if (map instanceof XskMap) {
      // user space cannot read an xskmap (-EOPNOTSUPP, as bpftool finds): a dump shows the fd of
      // the socket in each filled slot, what user space stored there
      const fd = map.socketAt(new DataView(key.buffer, key.byteOffset).getUint32(0, true))?.fd;
      if (fd !== undefined) entries.push({ key: toHex(key), value: toHex(new Uint8Array(new Uint32Array([fd]).buffer)) });
      continue;
    }
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
  return testRun(obj.runtime, runnableProgram(p), input);
}
