// Runs a kernel-agreement case (test/fixtures/kernel/cases.json) on ebpfvm and shapes the result
// like the kernel fixtures recorded by scripts/record-kernel.mjs, so the two compare with equality.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Runtime } from '../../src/runtime.js';
import { objectNameFromPath, openObject, load } from '../../src/loader/index.js';
import { BPF_RINGBUF_HDR_SZ, RingbufMap } from '../../maps/ringbuf.js';
import { UserRingbufMap } from '../../maps/user-ringbuf.js';
import { mapTypeName } from '../../maps/types.js';
import { dumpMapRaw, fromHex, TestRunInputError, testRun, toHex, type RawMapDump } from '../../src/test-run-api.js';

/** Map types scripts/record-kernel.mjs does not dump (no key/value data, or kernel ids). */
const UNDUMPED_TYPES = new Set(['queue', 'stack', 'bloom_filter', 'ringbuf', 'perf_event_array', 'prog_array', 'array_of_maps', 'hash_of_maps', 'devmap', 'devmap_hash', 'cpumap', 'sk_storage', 'task_storage', 'stack_trace', 'user_ringbuf', 'sockmap', 'sockhash']);

/** The repository root: the nearest ancestor holding the case list (also when run from dist/). */
function findRoot(): string {
  let dir = new URL('.', import.meta.url).pathname;
  while (!existsSync(join(dir, 'test/fixtures/kernel/cases.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
export const ROOT = findRoot();
export const FIXTURES = join(ROOT, 'test/fixtures/kernel');

/** One test run: program (default: the case's), input, repeat. */
export interface RunSpec {
  prog?: string;
  data?: string;
  ctx?: string;
  repeat?: number;
}

export interface Case extends RunSpec {
  name: string;
  object: string;
  prog: string;
  /** More runs on the same loaded object after the first; maps and globals carry over. */
  then?: RunSpec[];
  /** 'syscall' and 'raw_tp' programs run once (the kernel refuses repeat for them); raw_tp
   *  contexts are read-only, so no ctx_out. */
  kind?: 'syscall' | 'raw_tp';
  maps?: Record<string, { key: string; value: string }[]>;
  /** Samples produced into user ring buffers before the run: hex (submitted) or {discard: hex}. */
  user_ringbuf?: Record<string, (string | { discard: string })[]>;
  /** The kernel's verifier refuses the program: ebpfvm, running it unverified, must fault. */
  kernel_refuses?: boolean;
  /** Maps left out of the comparison: values whose bytes the kernel's dump fills with kernel
   *  addresses (a bpf_list_head reads back as INIT_LIST_HEAD of the syscall's copy). */
  ignore_maps?: string[];
}

export interface Recorded {
  name: string;
  load_error?: string;
  result?: { retval: number; data_out: string | null; ctx_out: string | null } | { errno: string };
  then_results?: NonNullable<Recorded['result']>[];
  maps?: Record<string, RawMapDump>;
  /** Ring buffers as user space reads them (scripts/kernel-ringbuf-dump.py), not consumed. */
  ringbufs?: Record<string, RingbufDump>;
}

export interface RingbufDump {
  consumer_pos: number;
  producer_pos: number;
  /** From consumer_pos up to the first BUSY record: the 8 header bytes and the sample. */
  records: { pos: number; header: string; data: string }[];
}

/** A ring's records as scripts/kernel-ringbuf-dump.py reads the kernel's. */
export function dumpRingbuf(rb: RingbufMap): RingbufDump {
  const records: RingbufDump['records'] = [];
  for (let pos = rb.consumerPos; pos < rb.producerPos; ) {
    const h = rb.header(pos);
    if (h.busy) break;
    records.push({ pos, header: toHex(rb.readData(pos, BPF_RINGBUF_HDR_SZ)), data: toHex(rb.readData(pos + BPF_RINGBUF_HDR_SZ, h.len)) });
    pos += (h.len + BPF_RINGBUF_HDR_SZ + 7) & ~7;
  }
  return { consumer_pos: rb.consumerPos, producer_pos: rb.producerPos, records };
}

export function readCases(): { packets: Record<string, string>; cases: Case[] } {
  return JSON.parse(readFileSync(join(FIXTURES, 'cases.json'), 'utf8'));
}

function bytes(v: string | undefined, packets: Record<string, string>): Uint8Array | undefined {
  if (v === undefined) return undefined;
  return fromHex(v.startsWith('@') ? packets[v.slice(1)]! : v, 'case input');
}

type RunResult = NonNullable<Recorded['result']>;

/** ebpfvm's answer to one case, in the fixture's shape (kernel-only fields left out). */
export function runCase(c: Case, packets: Record<string, string>): Recorded {
  const runtime = new Runtime({ ncpus: 1 });
  const obj = load(runtime, openObject(new Uint8Array(readFileSync(join(ROOT, c.object))), { name: objectNameFromPath(c.object) }));
  for (const [name, entries] of Object.entries(c.maps ?? {})) {
    for (const e of entries) {
      const err = obj.map(name).update(fromHex(e.key, 'key'), fromHex(e.value, 'value'));
      if (err < 0) throw new Error(`map ${name} update failed: ${err}`);
    }
  }
  // user ring buffer samples user space produces before the run (scripts/kernel-user-ringbuf-produce.py)
  for (const [name, samples] of Object.entries(c.user_ringbuf ?? {})) {
    const rb = obj.maps.get(name)?.map;
    if (!(rb instanceof UserRingbufMap)) throw new Error(`map ${name} is not a user ring buffer`);
    for (const s of samples) {
      const r = rb.reserve(typeof s === 'string' ? s.length / 2 : s.discard.length / 2);
      if (typeof r === 'number') throw new Error(`user ring buffer ${name}: reserve failed ${r}`);
      r.data.set(fromHex(typeof s === 'string' ? s : s.discard, 'sample'));
      if (typeof s === 'string') rb.submit(r);
      else rb.discard(r);
    }
  }
  const runOnce = (run: RunSpec): RunResult => {
    try {
      const r = testRun(runtime, obj.program(run.prog ?? c.prog).program, {
        data: bytes(run.data, packets),
        ctx: bytes(run.ctx, packets),
        repeat: c.kind === undefined ? run.repeat ?? 1 : 1,
      });
      return {
        retval: r.retval,
        data_out: r.dataOut && c.kind === undefined ? toHex(r.dataOut) : null,
        ctx_out: r.ctxOut && c.kind !== 'raw_tp' ? toHex(r.ctxOut) : null,
      };
    } catch (e) {
      if (!(e instanceof TestRunInputError)) throw e;
      return { errno: e.errno };
    }
  };
  const result = runOnce(c);
  const then = (c.then ?? []).map(runOnce);
  const maps: Record<string, RawMapDump> = {};
  const ringbufs: Record<string, RingbufDump> = {};
  for (const [name, lm] of obj.maps) {
    if (lm.map instanceof RingbufMap) ringbufs[name] = dumpRingbuf(lm.map);
    if (name.endsWith('.rodata') || name.endsWith('.kconfig') || UNDUMPED_TYPES.has(mapTypeName(lm.map.type))) continue;
    maps[name] = dumpMapRaw(lm.map, 1);
  }
  return { name: c.name, result, ...(then.length ? { then_results: then } : {}), maps, ...(Object.keys(ringbufs).length ? { ringbufs } : {}) };
}

/** Per-CPU values as one value: the kernel ran the program on whichever CPU the recorder was on
 *  (skb and xdp test runs cannot choose), so only the CPU that was written to is comparable. A run
 *  touches one CPU, so that is the first non-zero value (or zero when none was written). */
function oneCpu(values: string[]): string {
  return values.find((v) => /[^0]/.test(v)) ?? values[0] ?? '';
}

/** The comparable part of a recorded fixture (hash map entries sorted by key, per-CPU values
 *  reduced to the CPU the run used). */
export function comparable(r: Recorded): Recorded {
  const entry = (e: RawMapDump['entries'][number]) => (e.values ? { key: e.key, value: oneCpu(e.values) } : e);
  const maps = r.maps
    ? Object.fromEntries(
        Object.entries(r.maps)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([n, m]) => [n, { type: m.type, entries: m.entries.map(entry).sort((x, y) => x.key.localeCompare(y.key)) }]),
      )
    : undefined;
  const out: Recorded = { name: r.name };
  if (r.load_error !== undefined) out.load_error = r.load_error;
  if (r.result) out.result = r.result;
  if (r.then_results) out.then_results = r.then_results;
  if (maps) out.maps = maps;
  if (r.ringbufs) out.ringbufs = Object.fromEntries(Object.entries(r.ringbufs).sort(([a], [b]) => a.localeCompare(b)));
  return out;
}
