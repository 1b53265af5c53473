// The verifier soundness fuzz (issue 17): programs from test/verifier/soundness/gen.ts (fresh, or
// mutated) and mutations of the annotated verifier programs in test/progs/verifier are verified;
// every program the verifier accepts is then run UNVERIFIED (every memory access checked against
// the region table, an instruction budget) on at least 8 inputs: packet lengths 14..1500 with
// random bytes, random writable __sk_buff fields (mark, priority, cb) and random map contents.
// A fault other than the budget in an accepted program is a soundness bug; it is minimised
// (instructions replaced by `goto +0` while the verifier still accepts and the run still faults)
// and reported with its disassembly. Used by test/verifier/soundness-fuzz.test.ts (seeded, quick)
// and scripts/fuzz-verifier.mjs (`npm run fuzz:verifier`, longer, and the host-kernel diff).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../../src/runtime.js';
import { VmFault, UsageError, EbpfvmError } from '../../../src/errors.js';
import { load, type LoadedObject, type LoadedProgram } from '../../../src/loader/load.js';
import { openObject } from '../../../src/loader/open.js';
import { verifierInput } from '../../../src/verify.js';
import { testRun } from '../../../vm/test-run.js';
import { disassemble } from '../../../vm/disasm.js';
import { verify, type VerifierMap, type VerifyInput, type VerifyResult } from '../../../verifier/index.js';
import type { Insn } from '../../../vm/isa.js';
import type { Program } from '../../../vm/program.js';
import { AttachType, ProgType } from '../../../vm/prog-types.js';
import { FEATURES, generate, mutate, rng, type Feature, type GenProgram, type Rand } from './gen.js';

const ROOT = join(import.meta.dirname, '../../..').replace(/\/dist$/, '');
/** The verifier corpus mutated: the annotated programs of this program types. */
const CORPUS_DIR = 'test/progs/verifier';
const CORPUS_TYPES = new Set([1, 3, 4, 6]); // socket_filter, sched_cls, sched_act, xdp

export interface FuzzOptions {
  seed: number;
  count: number;
  /** Inputs each accepted program runs on (at least 8). */
  inputs?: number;
  /** Share (percent) of programs mutated from the verifier corpus (0 = none). Default 20. */
  corpusPct?: number;
  /** Instruction budget of each unverified run. */
  maxInsns?: number;
  /** Keep every program with its verdict (for the host-kernel diff). */
  keep?: boolean;
  /** Verify as an unprivileged load (no CAP_BPF/PERFMON: Spectre sanitation, its speculative
   *  paths and the unprivileged rules), runs unchanged. */
  unpriv?: boolean;
  /** Called after each program. */
  progress?(done: number, stats: FuzzStats): void;
}

export interface Finding {
  origin: string;
  progType: number;
  fault: string;
  input: string;
  /** Disassembly of the minimised program (and of the original). */
  minimised: string;
  original: string;
}

export interface Kept {
  prog: GenProgram;
  verdict: VerifyResult;
}

export interface FuzzStats {
  programs: number;
  accepted: number;
  byOrigin: Record<string, { programs: number; accepted: number }>;
  /** Accepted programs in which the verifier reached an instruction with the feature. */
  features: Record<Feature, number>;
  runs: number;
  budgetStops: number;
  /** Runs refused before they started (test-run input errors): a harness problem. */
  inputErrors: string[];
  findings: Finding[];
  /** The verifier threw, or called its own error internal. */
  verifierErrors: string[];
  kept: Kept[];
  /** Programs whose verification and runs took over 2 s. */
  slow: string[];
}

interface CorpusEntry {
  obj: LoadedObject;
  lp: LoadedProgram;
  input: VerifyInput;
}

/** Left out: the verification-speed benchmark and the loop-limit tests, which take the verifier
 *  seconds each (every mutation would too). */
const CORPUS_SKIP = new Set(['verify_speed.o', 'loops_exit.o:loop_unbounded', 'loops_exit.o:loop_imprecise_counter', 'loops_exit.o:loop_100k_precise', 'loops_exit.o:loop_1m_limit', 'may_goto.o:no_may_goto_unknown_bound']);

interface CorpusRef {
  file: string;
  name: string;
  entry?: CorpusEntry | null;
}
let corpusRefs: CorpusRef[] | undefined;

/** The corpus programs of the fuzzed types (names only; each is loaded on first use). */
export function corpusPrograms(): CorpusRef[] {
  if (corpusRefs) return corpusRefs;
  const out: CorpusRef[] = [];
  const dir = join(ROOT, CORPUS_DIR);
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.o') && !CORPUS_SKIP.has(x)).sort()) {
    try {
      const spec = openObject(new Uint8Array(readFileSync(join(dir, f))), { name: f.replace(/\.o$/, '') });
      // (xdp programs for devmap and cpumap entries are verified but never test-run, as in the
      // kernel: nothing to run them with)
      const runnable = (p: { progType: number; expectedAttachType: number }) => !(p.progType === ProgType.XDP && (p.expectedAttachType === AttachType.XDP_DEVMAP || p.expectedAttachType === AttachType.XDP_CPUMAP));
      for (const p of spec.programs.values()) if (CORPUS_TYPES.has(p.progType) && runnable(p) && !CORPUS_SKIP.has(`${f}:${p.name}`)) out.push({ file: join(dir, f), name: p.name });
    } catch {
      // an object the loader refuses on purpose
    }
  }
  return (corpusRefs = out);
}

/** One corpus program loaded on its own, or null when it does not load, takes the verifier over
 *  20000 instructions, or the verifier refuses it as it is (mutations of accepted programs sit on the edge between safe and unsafe). */
export function corpusEntry(ref: CorpusRef): CorpusEntry | null {
  if (ref.entry !== undefined) return ref.entry;
  try {
    const bytes = new Uint8Array(readFileSync(ref.file));
    const obj = load(new Runtime({ engine: 'interpreter' }), openObject(bytes, { name: ref.file.replace(/^.*\//, '').replace(/\.o$/, '') }), { programs: [ref.name] });
    const lp = obj.program(ref.name);
    const input = verifierInput(obj, lp);
    // Programs that take the verifier long (the loop-limit tests) would make every mutation slow.
    const v = verify(input, { logLevel: 0, insnLimit: 50_000 });
    ref.entry = v.accepted && v.processed < 20_000 ? { obj, lp, input } : null;
  } catch {
    ref.entry = null;
  }
  return ref.entry;
}

function toVerifierMap(id: number, m: GenProgram['maps'][number]): VerifierMap {
  return { id, name: `m${id}`, type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: 0, frozen: false };
}

/** LD_IMM64 MAP_FD n (1-based map index) -> the runtime's map id. */
function bindMaps(insns: readonly Insn[], ids: readonly number[]): Insn[] {
  return insns.map((x) => (x.code === 0x18 && x.src === 1 ? { ...x, imm: ids[x.imm - 1] ?? x.imm } : { ...x }));
}

interface Target {
  origin: string;
  progType: number;
  insns: Insn[];
  tags?: Feature[][];
  rt: Runtime;
  verifyInput: VerifyInput;
  /** The program as the generator wrote it (for the kernel diff), when generated. */
  gen?: GenProgram;
  /** The loaded program a corpus mutation comes from (its BTF, kfunc names, callbacks). */
  base?: Program;
  /** Runtime ids of the generated program's maps, by index. */
  mapIds?: number[];
  /** Verified as an unprivileged load (FuzzOptions.unpriv). */
  unpriv?: boolean;
}

function fromGenerated(p: GenProgram): Target {
  const rt = new Runtime({ engine: 'interpreter' });
  const ids = p.maps.map((m, i) => rt.createMap({ name: `m${i + 1}`, type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: 0 }).id);
  const vmaps = new Map(ids.map((id, i) => [id, toVerifierMap(id, p.maps[i]!)]));
  const insns = bindMaps(p.insns, ids);
  return {
    origin: p.origin,
    progType: p.progType,
    insns,
    tags: p.tags,
    rt,
    gen: p,
    mapIds: ids,
    verifyInput: { name: 'fuzz', insns, progType: p.progType, gpl: true, map: (id) => vmaps.get(id), helper: (id) => rt.helper(id) },
  };
}

// ---- inputs --------------------------------------------------------------------------------

const EDGE_U32 = [0, 1, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0];

interface RunInput {
  data: Uint8Array;
  ctx?: Uint8Array;
  mapSeed: number;
  /** The program's edge constants (edgeValues), some of which the map values start with. */
  values: readonly number[];
  describe: string;
}

function randomBytes(r: Rand, n: number): Uint8Array {
  const b = new Uint8Array(n);
  const mode = r() % 4;
  for (let i = 0; i < n; i++) b[i] = mode === 0 ? r() & 0xff : mode === 1 ? 0xff : mode === 2 ? 0 : (r() % 3 === 0 ? 0xff : r() & 0x3f);
  return b;
}

/** Packet lengths a program's bounds checks may sit at: the constants it adds to registers
 *  (`r4 += K` before `if r4 > r3`), so an off-by-one in a proven range meets a packet ending
 *  exactly there. */
function edgeLengths(insns: readonly Insn[]): number[] {
  const out = new Set<number>();
  for (const x of insns) if (x.code === 0x07 && x.imm >= 14 && x.imm <= 1500) out.add(x.imm);
  return [...out];
}

/** Scalar values a program's bounds checks sit at: the constants it compares with (and one
 *  either side) and its masks, so the unknown scalars the program reads (map values, ctx fields)
 *  sometimes equal the largest value the verifier let through. */
function edgeValues(insns: readonly Insn[]): number[] {
  const out = new Set<number>([0, 1]);
  for (const x of insns) {
    const cls = x.code & 7;
    const op = x.code & 0xf0;
    if ((cls === 5 || cls === 6) && (x.code & 8) === 0 && op !== 0x00 && op !== 0x80 && op !== 0x90) for (const d of [-1, 0, 1]) out.add(x.imm + d);
    if ((cls === 4 || cls === 7) && op === 0x50 && (x.code & 8) === 0) out.add(x.imm);
    if (x.code === 0xb7 || x.code === 0xb4) for (const d of [-1, 0, 1]) out.add(x.imm + d);
  }
  return [...out];
}

function inputsFor(r: Rand, progType: number, n: number, insns: readonly Insn[] = []): RunInput[] {
  const edges = edgeLengths(insns);
  const values = edgeValues(insns);
  // Short packets dominate: the generated bounds checks sit within the first ~100 bytes, and an
  // off-by-one shows only when the packet ends right at the edge.
  const lens = [14, 15 + (r() % 10), 25 + (r() % 16), 41 + (r() % 24), 65 + (r() % 64), 1500, 14 + (r() % 1487), 14 + (r() % 80)];
  const out: RunInput[] = [];
  for (let i = 0; i < n; i++) {
    const len = i % 3 === 2 && edges.length ? edges[r() % edges.length]! : lens[i % lens.length]!;
    const data = randomBytes(r, len);
    let ctx: Uint8Array | undefined;
    if (progType !== 6 && r() % 4 !== 0) {
      // __sk_buff ctx_in: mark (8), priority (32), cb[0..4] (48..67): the fields a test run takes
      ctx = new Uint8Array(68);
      const dv = new DataView(ctx.buffer);
      for (const off of [8, 32, 48, 52, 56, 60, 64]) {
        const k = r() % 4;
        dv.setUint32(off, k === 0 ? EDGE_U32[r() % EDGE_U32.length]! : k === 1 ? r() >>> 0 : values[r() % values.length]! >>> 0, true);
      }
    }
    out.push({ data, ctx, mapSeed: r(), values, describe: `packet of ${len} bytes${ctx ? ' with ctx_in' : ''}` });
  }
  return out;
}

/** Random contents for the runtime's writable array and hash maps (`.rodata` stays). */
function fillMaps(rt: Runtime, seed: number, values: readonly number[]): void {
  const r = rng(seed);
  for (const lm of rt.allMaps()) {
    const m = lm.map;
    // values with special fields (locks, graph roots, kptrs) are not plain bytes to user space
    if ((m.spec.type !== 1 && m.spec.type !== 2) || m.frozen || m.spec.spinLockOffset !== undefined || m.spec.rbNodeOffset !== undefined || m.spec.graph) continue;
    const { keySize, valueSize, maxEntries } = m.spec;
    if (keySize !== 4) continue;
    for (let k = 0; k < Math.min(maxEntries, 16); k++) {
      const key = new Uint8Array(4);
      new DataView(key.buffer).setUint32(0, k, true);
      if (m.spec.type === 1 && r() % 3 === 0) {
        m.delete(key);
        continue;
      }
      const v = randomBytes(r, valueSize);
      const dv = new DataView(v.buffer);
      const how = r() % 4;
      // the first word: an edge u32, or one of the program's constants (as u64 when it fits)
      if (valueSize >= 4 && how === 0) dv.setUint32(0, EDGE_U32[r() % EDGE_U32.length]!, true);
      else if (how >= 1 && values.length) {
        const x = values[r() % values.length]!;
        if (valueSize >= 8) dv.setBigInt64(0, BigInt(x), true);
        else if (valueSize >= 4) dv.setInt32(0, x, true);
        else v[0] = x & 0xff;
      }
      m.update(key, v, 0);
    }
  }
}

// ---- one program ---------------------------------------------------------------------------

type RunOutcome = { kind: 'ok' | 'budget' } | { kind: 'fault'; message: string } | { kind: 'input'; message: string };

function runOnce(t: Target, insns: Insn[], inp: RunInput, maxInsns: number): RunOutcome {
  fillMaps(t.rt, inp.mapSeed, inp.values);
  const prog: Program = { ...(t.base ?? { name: 'fuzz', progType: t.progType, gpl: true }), insns: insns.map((x) => ({ ...x })) };
  try {
    testRun(t.rt, prog, { data: inp.data, ctx: inp.ctx, maxInsns });
    return { kind: 'ok' };
  } catch (e) {
    if (e instanceof VmFault) return /instruction budget of \d+ exhausted/.test(e.message) ? { kind: 'budget' } : { kind: 'fault', message: e.message };
    if (e instanceof UsageError) return { kind: 'input', message: e.message };
    if (e instanceof EbpfvmError) return { kind: 'fault', message: `${e.name}: ${e.message}` };
    return { kind: 'fault', message: `raw error: ${(e as Error)?.stack ?? String(e)}` };
  }
}

const NOP: Insn = { code: 0x05, dst: 0, src: 0, off: 0, imm: 0 };

/** Replace instructions by `goto +0` while the verifier still accepts and the run still faults
 *  on the same input. */
function minimise(t: Target, insns: Insn[], inp: RunInput, maxInsns: number): Insn[] {
  let cur = insns;
  for (let changed = true; changed; ) {
    changed = false;
    for (let pc = 0; pc < cur.length; pc++) {
      const x = cur[pc]!;
      if (x.code === 0x05 && x.off === 0) continue;
      if (x.code === 0x95 || (pc > 0 && cur[pc - 1]!.code === 0x18 && x.code === 0)) continue;
      const trial = cur.slice();
      if (x.code === 0x18) trial.splice(pc, 2, NOP, NOP);
      else trial[pc] = NOP;
      let v: VerifyResult;
      try {
        v = verify({ ...t.verifyInput, insns: trial }, { logLevel: 0, insnLimit: 200_000, unpriv: t.unpriv === true });
      } catch {
        continue;
      }
      if (!v.accepted) continue;
      if (runOnce(t, trial, inp, maxInsns).kind !== 'fault') continue;
      cur = trial;
      changed = true;
    }
  }
  // Without the placeholders, when that keeps the verdict and the fault.
  const small = compact(cur);
  try {
    if (verify({ ...t.verifyInput, insns: small }, { logLevel: 0, insnLimit: 200_000, unpriv: t.unpriv === true }).accepted && runOnce(t, small, inp, maxInsns).kind === 'fault') return small;
  } catch {
    // keep the placeholders
  }
  return cur;
}

/** Drop the `goto +0` the minimiser left, re-aiming jumps and calls. */
function compact(insns: readonly Insn[]): Insn[] {
  const keep = insns.map((x, pc) => !(x.code === 0x05 && x.off === 0 && !(pc > 0 && insns[pc - 1]!.code === 0x18)));
  const newPc: number[] = [];
  let n = 0;
  for (let pc = 0; pc <= insns.length; pc++) {
    newPc[pc] = n;
    if (pc < insns.length && keep[pc]) n++;
  }
  const out: Insn[] = [];
  for (let pc = 0; pc < insns.length; pc++) {
    if (!keep[pc]) continue;
    const x = { ...insns[pc]! };
    const cls = x.code & 7;
    const op = x.code & 0xf0;
    const isCall = x.code === 0x85 && x.src === 1;
    const isJump = (cls === 5 || cls === 6) && op !== 0x80 && op !== 0x90 && !(x.code === 0x85) && !(pc > 0 && insns[pc - 1]!.code === 0x18);
    if (isCall) x.imm = newPc[pc + 1 + x.imm]! - newPc[pc]! - 1;
    else if (isJump && x.code === 0x06) x.imm = newPc[pc + 1 + x.imm]! - newPc[pc]! - 1;
    else if (isJump) x.off = newPc[Math.min(insns.length, Math.max(0, pc + 1 + x.off))]! - newPc[pc]! - 1;
    out.push(x);
  }
  return out;
}

function featuresOf(t: Target, v: VerifyResult): Set<Feature> {
  const got = new Set<Feature>();
  const facts = v.facts ?? [];
  for (let pc = 0; pc < t.insns.length; pc++) {
    if (!facts[pc]?.seen) continue;
    if (t.tags) for (const f of t.tags[pc] ?? []) got.add(f);
    else {
      // corpus programs: what the instruction and the verifier's facts show
      const x = t.insns[pc]!;
      if (x.code === 0x85 && x.src === 0) got.add('helper-call');
      if (x.code === 0x85 && x.src === 1) got.add('bpf2bpf-call');
      if ((x.code & 7) === 5 && x.code !== 0x85 && x.code !== 0x95 && x.off < 0) got.add('loop');
      const types = facts[pc]!.ptrTypes ?? [];
      if (types.includes('pkt')) got.add('pkt-access');
      if (types.some((n) => n.startsWith('map_value'))) got.add('map-value-access');
    }
  }
  return got;
}

/** Verify one program; run it on the inputs when accepted. */
function check(t: Target, r: Rand, opts: Required<Pick<FuzzOptions, 'inputs' | 'maxInsns'>>, stats: FuzzStats, keep: boolean): void {
  stats.programs++;
  const o = (stats.byOrigin[t.origin.split(':')[0]!] ??= { programs: 0, accepted: 0 });
  o.programs++;
  let v: VerifyResult;
  try {
    v = verify({ ...t.verifyInput, insns: t.insns }, { logLevel: 0, insnLimit: 200_000, unpriv: t.unpriv === true });
  } catch (e) {
    stats.verifierErrors.push(`${t.origin}: verifier threw ${(e as Error)?.message}\n${disassemble(t.insns)}`);
    return;
  }
  if (!v.accepted && /internal error/.test(v.error ?? '')) stats.verifierErrors.push(`${t.origin}: ${v.error}\n${disassemble(t.insns)}`);
  if (keep && t.gen) {
    // back to 1-based map indexes, as the generator writes them (the kernel diff creates its own)
    const ids = t.mapIds ?? [];
    const insns = t.insns.map((x) => (x.code === 0x18 && x.src === 1 && ids.includes(x.imm) ? { ...x, imm: ids.indexOf(x.imm) + 1 } : x));
    stats.kept.push({ prog: { ...t.gen, insns }, verdict: v });
  }
  if (!v.accepted) return;
  stats.accepted++;
  o.accepted++;
  for (const f of featuresOf(t, v)) stats.features[f]++;
  for (const inp of inputsFor(r, t.progType, opts.inputs, t.insns)) {
    stats.runs++;
    const res = runOnce(t, t.insns, inp, opts.maxInsns);
    if (res.kind === 'budget') stats.budgetStops++;
    else if (res.kind === 'input') stats.inputErrors.push(`${t.origin}: ${res.message}`);
    else if (res.kind === 'fault') {
      const min = minimise(t, t.insns, inp, opts.maxInsns);
      stats.findings.push({ origin: t.origin, progType: t.progType, fault: res.message, input: inp.describe, minimised: disassemble(min), original: disassemble(t.insns) });
      return; // one finding per program
    }
  }
}

/** The fuzz: `count` programs from `seed`. */
export function runFuzz(options: FuzzOptions): FuzzStats {
  const opts = { inputs: Math.max(8, options.inputs ?? 8), maxInsns: options.maxInsns ?? 200_000 };
  const corpusPct = options.corpusPct ?? 20;
  const stats: FuzzStats = {
    programs: 0,
    accepted: 0,
    byOrigin: {},
    features: Object.fromEntries(FEATURES.map((f) => [f, 0])) as Record<Feature, number>,
    runs: 0,
    budgetStops: 0,
    inputErrors: [],
    findings: [],
    verifierErrors: [],
    kept: [],
    slow: [],
  };
  const r = rng(options.seed);
  const pool = corpusPct > 0 ? corpusPrograms() : [];
  for (let i = 0; i < options.count; i++) {
    const k = r() % 100;
    let t: Target;
    const c = k < corpusPct && pool.length ? corpusEntry(pool[r() % pool.length]!) : null;
    if (c) {
      const insns = mutate(r, c.lp.program.insns);
      t = { origin: `corpus:${c.obj.spec.name}:${c.lp.name}`, progType: c.lp.progType, insns, rt: c.obj.runtime, verifyInput: c.input, base: c.lp.program };
    } else {
      const g = generate(r);
      if (k < corpusPct + (100 - corpusPct) / 2) {
        t = fromGenerated(g);
        t.insns = mutate(r, t.insns);
        t.origin = 'mutated';
        if (t.gen) t.gen = { ...t.gen, origin: 'mutated' };
      } else t = fromGenerated(g);
    }
    if (options.unpriv) t.unpriv = true;
    const t0 = performance.now();
    check(t, r, opts, stats, options.keep === true);
    const ms = performance.now() - t0;
    if (ms > 2000) stats.slow.push(`${t.origin}: ${(ms / 1000).toFixed(1)} s`);
    options.progress?.(i + 1, stats);
  }
  return stats;
}

/** The summary `npm run fuzz:verifier` prints and the test logs. */
export function formatStats(s: FuzzStats): string {
  const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)} %` : '-');
  const lines = [`programs ${s.programs}, accepted ${s.accepted} (${pct(s.accepted, s.programs)})`];
  for (const [k, o] of Object.entries(s.byOrigin).sort()) lines.push(`  ${k.padEnd(10)} ${String(o.programs).padStart(6)} programs, ${String(o.accepted).padStart(6)} accepted (${pct(o.accepted, o.programs)})`);
  lines.push(`runs ${s.runs} (${s.budgetStops} stopped by the instruction budget), faults in accepted programs: ${s.findings.length}, verifier errors: ${s.verifierErrors.length}, refused inputs: ${s.inputErrors.length}`);
  lines.push('accepted programs reaching each feature:');
  const max = Math.max(1, ...Object.values(s.features));
  for (const f of FEATURES) lines.push(`  ${f.padEnd(20)} ${String(s.features[f]).padStart(6)} ${pct(s.features[f], s.accepted).padStart(7)} ${'#'.repeat(Math.round((40 * s.features[f]) / max))}`);
  return lines.join('\n');
}
