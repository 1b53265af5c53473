// The kernel's raw-instruction verifier tests (tools/testing/selftests/bpf/verifier/*.c, run by
// test_verifier) under ebpfvm: one extracted test (test/kernel/test-verifier/extract.c's JSON) is
// set up as test_verifier's do_test_single sets it up (the maps its fixup_* arrays name, created
// with test_verifier's sizes and contents, their ids patched into the instructions), verified
// privileged or unprivileged, and its accepted program test-run with the test's data. judge()
// applies test_verifier's pass rules to an outcome, ebpfvm's or the host kernel's (recorded by
// test/kernel/harness/test-verifier-harness.c), so both are held to the same rules.
// Used by scripts/test-verifier.mjs and test/verifier/test-verifier.test.ts.
import { Runtime } from '../../../src/runtime.js';
import { builtinKernelHooks } from '../../../src/verify.js';
import { builtinBtf } from '../../../src/btf/builtin.js';
import { BtfKind, parseBtf, type Btf } from '../../../src/btf/btf.js';
import { mapValueRecord } from '../../../src/btf/fields.js';
import { mapTypeCaps, progTypeCaps } from '../../../src/loader/unpriv.js';
import { helperForType } from '../../../helpers/table.js';
import { MapType, type MapSpec } from '../../../maps/types.js';
import { testRun, TestRunInputError } from '../../../vm/test-run.js';
import { fixupFacts, xlateProgram } from '../../../verifier/fixups.js';
import { verify, type VerifierMap, type VerifyInput } from '../../../verifier/index.js';
import type { Insn } from '../../../vm/isa.js';
import type { Program } from '../../../vm/program.js';

export type Tree = '6.1' | '6.12';
type Expect = 'ACCEPT' | 'REJECT' | 'VERBOSE_ACCEPT' | null;

/** One test as extract.c dumps it. */
export interface TvCase {
  file: string;
  index: number;
  descr: string;
  insns?: [number, number, number, number, number][];
  /** The fill_helper generating the program (not extracted). */
  fill?: string;
  progType: number;
  expectedAttachType: number;
  flags: number;
  result: Expect;
  resultUnpriv: Expect;
  errstr: string | null;
  errstrUnpriv: string | null;
  insnProcessed?: number;
  kfunc?: string;
  runs: { retval: number; retvalUnpriv: number; data: string }[];
  fixups: Record<string, number[]>;
  kfuncFixups?: { name: string; insn: number }[];
  funcInfo?: [number, number][];
  btfTypes?: number[];
  btfStrings?: string;
  expectedInsns?: [number, number, number, number, number][];
  unexpectedInsns?: [number, number, number, number, number][];
}

/** What one load of a test did (ebpfvm's or the host's). */
export interface TvOutcome {
  /** test_verifier would print SKIP (map or program type missing, ENOTSUPP, ...). */
  skip?: string;
  loaded: boolean;
  errno?: string | null;
  log: string;
  runs?: { errno: string | null; retval: number }[];
  /** The xlated program, when the test has expected/unexpected insn patterns. */
  xlated?: Insn[];
}

export interface TvVerdict {
  status: 'PASS' | 'FAIL' | 'SKIP';
  reason?: string;
}

const SOCKET_FILTER = 1;
const KERNEL_NO_TEST_RUN = new Set([2, 5]); // kprobe, tracepoint
const CGROUP_SKB = 8;
const POINTER_VALUE = 0xcafe4a11;
const F_NEEDS_EFFICIENT_UNALIGNED_ACCESS = 1;
const F_LOAD_WITH_STRICT_ALIGNMENT = 2;
const BPF_F_STRICT_ALIGNMENT = 1;
const BPF_F_ANY_ALIGNMENT = 2;
const BPF_F_TEST_RND_HI32 = 4;
const BPF_F_TEST_REG_INVARIANTS = 1 << 7;

export const caseId = (c: Pick<TvCase, 'file' | 'index'>): string => `${c.file}#${c.index}`;

/** test_as_unpriv: socket_filter (the default type) and cgroup_skb tests also run unprivileged
 *  (x86 has efficient unaligned access, so F_NEEDS_EFFICIENT_UNALIGNED_ACCESS does not stop it). */
export function testAsUnpriv(c: TvCase): boolean {
  return !c.progType || c.progType === SOCKET_FILTER || c.progType === CGROUP_SKB;
}

/** do_test_single's prog_flags: testing_prog_flags() (6.12: RND_HI32 and REG_INVARIANTS, which the
 *  host supports; 6.1: RND_HI32) and the test's alignment flags; flags above bit 1 pass through. */
export function progFlags(c: TvCase, tree: Tree): number {
  let f = tree === '6.12' ? BPF_F_TEST_RND_HI32 | BPF_F_TEST_REG_INVARIANTS : BPF_F_TEST_RND_HI32;
  if (c.flags & F_LOAD_WITH_STRICT_ALIGNMENT) f |= BPF_F_STRICT_ALIGNMENT;
  if (c.flags & F_NEEDS_EFFICIENT_UNALIGNED_ACCESS) f |= BPF_F_ANY_ALIGNMENT;
  if (c.flags & ~3) f |= c.flags;
  return f;
}

export const expectedResult = (c: TvCase, unpriv: boolean): Expect => (unpriv && c.resultUnpriv ? c.resultUnpriv : c.result);
export const expectedErr = (c: TvCase, unpriv: boolean): string | null => (unpriv && c.errstrUnpriv !== null ? c.errstrUnpriv : c.errstr);
/** VERBOSE_ACCEPT tests load at log level 2; the rest at 4 (stats: the messages without the insn dump). */
export const logLevel = (c: TvCase, unpriv: boolean): number => (expectedResult(c, unpriv) === 'VERBOSE_ACCEPT' ? 2 : 4);

/** cmp_str_seq: every tab-separated part of `exp` in `log`, in order. */
export function cmpStrSeq(log: string, exp: string): string | undefined {
  if (!exp.length) return undefined;
  let pos = 0;
  for (const part of exp.split('\t')) {
    if (!part.length || part.length >= 200) return 'testcase bug (empty or over-long expected string)';
    const at = log.indexOf(part, pos);
    if (at < 0) return `expected message not found: '${part}'`;
    pos = at + part.length;
  }
  return undefined;
}

const insnOf = (x: readonly number[]): Insn => ({ code: x[0]!, dst: x[1]!, src: x[2]!, off: x[3]!, imm: x[4]! });

/** find_all_insn_subseqs with INSN_OFF_MASK / INSN_IMM_MASK and SKIP_INSNS separators. */
export function findInsnSubseqs(seq: readonly Insn[], pattern: readonly Insn[]): boolean {
  const isSkip = (p: Insn) => p.code === 0xde && p.dst === 0xa && p.src === 0xd && p.off === (0xbeef << 16) >> 16 && p.imm === (0xdeadbeef | 0);
  const match = (a: Insn, p: Insn) => a.code === p.code && a.dst === p.dst && a.src === p.src && (p.off === -1 || a.off === p.off) && (p.imm === -1 || a.imm === p.imm);
  let at = 0;
  let i = 0;
  while (i < pattern.length) {
    let end = i;
    while (end < pattern.length && !isSkip(pattern[end]!)) end++;
    const sub = pattern.slice(i, end);
    let found = -1;
    for (let s = at; s + sub.length <= seq.length && found < 0; s++) if (sub.every((p, k) => match(seq[s + k]!, p))) found = s;
    if (found < 0) return false;
    at = found + sub.length;
    i = end + 1;
  }
  return true;
}

/** do_test_single's verdict for an outcome. */
export function judge(c: TvCase, unpriv: boolean, o: TvOutcome): TvVerdict {
  if (o.skip) return { status: 'SKIP', reason: o.skip };
  const exp = expectedResult(c, unpriv);
  const err = expectedErr(c, unpriv);
  if (!o.loaded && o.errno === 'ENOTSUPP') return { status: 'SKIP', reason: 'program uses an unsupported feature (ENOTSUPP)' };
  if (exp === 'ACCEPT' || exp === 'VERBOSE_ACCEPT') {
    if (!o.loaded) return { status: 'FAIL', reason: `expected load success, got ${o.errno ?? 'a rejection'}: ${lastLine(o.log)}` };
    if (exp === 'VERBOSE_ACCEPT') {
      const miss = cmpStrSeq(o.log, err ?? '');
      if (miss) return { status: 'FAIL', reason: miss };
    }
  } else {
    if (o.loaded) return { status: 'FAIL', reason: 'expected load failure, the program loaded' };
    if (err === null) return { status: 'FAIL', reason: 'testcase has no errstr' };
    const miss = cmpStrSeq(o.log, err);
    if (miss) return { status: 'FAIL', reason: `${miss}; log ends: ${lastLine(o.log)}` };
  }
  if (!unpriv && c.insnProcessed) {
    const m = /processed (\d+)/.exec(o.log);
    const n = m ? Number(m[1]) : NaN;
    if (n !== c.insnProcessed) return { status: 'FAIL', reason: `insn_processed ${n} != ${c.insnProcessed}` };
  }
  if (o.loaded && (c.expectedInsns || c.unexpectedInsns)) {
    if (!o.xlated) return { status: 'SKIP', reason: 'xlated program not available' };
    if (c.expectedInsns && !findInsnSubseqs(o.xlated, c.expectedInsns.map(insnOf))) return { status: 'FAIL', reason: 'xlated: expected subsequence of instructions not found' };
    if (c.unexpectedInsns && findInsnSubseqs(o.xlated, c.unexpectedInsns.map(insnOf))) return { status: 'FAIL', reason: 'xlated: unexpected subsequence of instructions found' };
  }
  if (o.loaded && c.runs.length) {
    const runs = o.runs ?? [];
    for (let i = 0; i < c.runs.length; i++) {
      const r = runs[i];
      if (!r) return { status: 'FAIL', reason: `run ${i + 1}: no result` };
      const want = (unpriv && c.runs[i]!.retvalUnpriv ? c.runs[i]!.retvalUnpriv : c.runs[i]!.retval) >>> 0;
      if (r.errno) {
        if (r.errno === 'ENOTSUPP' || (r.errno === 'EPERM' && unpriv)) continue;
        return { status: 'FAIL', reason: `run ${i + 1}: test run error ${r.errno}` };
      }
      if (r.retval >>> 0 !== want && want !== POINTER_VALUE) return { status: 'FAIL', reason: `run ${i + 1}: retval ${r.retval >>> 0} != ${want}` };
    }
  }
  return { status: 'PASS' };
}

const lastLine = (log: string): string => {
  const lines = log.split('\n').filter((l) => l.trim() && !/^(processed|verification time|stack depth) /.test(l));
  return (lines.at(-1) ?? '').slice(0, 160);
};

// ---- BTF ------------------------------------------------------------------------------------

function btfBlob(types: readonly number[], strings: Uint8Array): Uint8Array {
  const out = new Uint8Array(24 + types.length * 4 + strings.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, 0xeb9f, true);
  dv.setUint8(2, 1);
  dv.setUint32(4, 24, true);
  dv.setUint32(8, 0, true);
  dv.setUint32(12, types.length * 4, true);
  dv.setUint32(16, types.length * 4, true);
  dv.setUint32(20, strings.length, true);
  types.forEach((t, i) => dv.setUint32(24 + i * 4, t >>> 0, true));
  out.set(strings, 24 + types.length * 4);
  return out;
}

const info = (kind: number, vlen = 0): number => ((kind << 24) | vlen) >>> 0;

/** The BTF test_verifier's load_btf() loads for its spin-lock (value type 3: struct val), timer
 *  (5: struct timer) and kptr (14: struct btf_ptr) maps; 6.1 names its kptr tags kptr/kptr_ref,
 *  6.12 kptr_untrusted/kptr. */
export function mapBtfBytes(tree: Tree): Uint8Array {
  const tags = tree === '6.1' ? ['kptr', 'kptr_ref'] : ['kptr_untrusted', 'kptr'];
  const names = ['bpf_spin_lock', 'val', 'cnt', 'l', 'bpf_timer', 'timer', 't', 'btf_ptr', 'prog_test_ref_kfunc', 'ptr', ...new Set(['kptr', ...tags].sort((a, b) => (a === 'kptr' ? -1 : b === 'kptr' ? 1 : 0))), 'prog_test_member'];
  const off = new Map<string, number>();
  let text = '\0';
  for (const n of names) {
    off.set(n, text.length);
    text += `${n}\0`;
  }
  const s = (n: string) => off.get(n)!;
  const [untrusted, ref] = tags as [string, string];
  const types = [
    0, info(1), 4, (1 << 24) | 32, // [1] int
    s('bpf_spin_lock'), info(4, 1), 4, s('val'), 1, 0, // [2]
    s('val'), info(4, 2), 8, s('cnt'), 1, 0, s('l'), 2, 32, // [3]
    s('bpf_timer'), info(4, 0), 16, // [4]
    s('timer'), info(4, 1), 16, s('t'), 4, 0, // [5]
    s('prog_test_ref_kfunc'), info(4, 0), 0, // [6]
    s('prog_test_member'), info(4, 0), 0, // [7]
    s(untrusted), info(18), 6, // [8]
    s(ref), info(18), 6, // [9]
    s(ref), info(18), 7, // [10]
    0, info(2), 8, 0, info(2), 9, 0, info(2), 10, // [11..13]
    s('btf_ptr'), info(4, 3), 24, s('ptr'), 11, 0, s('ptr'), 12, 64, s('ptr'), 13, 128, // [14]
  ];
  return btfBlob(types, new TextEncoder().encode(text));
}

/** The test's own BTF (btf_types up to BTF_END_RAW, all 256 bytes of btf_strings). */
export function testBtfBytes(c: TvCase): Uint8Array | undefined {
  if (!c.btfTypes || !c.btfStrings) return undefined;
  return btfBlob(c.btfTypes, hexBytes(c.btfStrings));
}

export function hexBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A run's data: the test's bytes padded to TEST_DATA_LEN (64). */
export function runData(hex: string): Uint8Array {
  const d = new Uint8Array(64);
  d.set(hexBytes(hex).subarray(0, 64));
  return d;
}

// ---- ebpfvm ---------------------------------------------------------------------------------

interface Made {
  id: number;
  vm: VerifierMap;
}

const TEST_VAL_SIZE = 48;

/** update_map(fd, 0): struct test_val { .index = 28, .foo[6] = 0xabcdef12 } (value_size bytes). */
function testVal(size: number): Uint8Array {
  const v = new Uint8Array(TEST_VAL_SIZE);
  const dv = new DataView(v.buffer);
  dv.setUint32(0, 28, true);
  dv.setUint32(4 + 6 * 4, 0xabcdef12, true);
  return v.slice(0, size);
}

/** The maps do_test_fixup creates, by fixup kind: type, key and value size, max entries, flags. */
const KINDS: Record<string, { type: number; key: number; value: number; max: number; flags?: number; btfValue?: number; seed?: boolean }> = {
  map_hash_8b: { type: MapType.HASH, key: 8, value: 8, max: 1, flags: 1 },
  map_hash_48b: { type: MapType.HASH, key: 8, value: TEST_VAL_SIZE, max: 1, flags: 1 },
  map_hash_16b: { type: MapType.HASH, key: 8, value: 16, max: 1, flags: 1 },
  map_array_48b: { type: MapType.ARRAY, key: 4, value: TEST_VAL_SIZE, max: 1, seed: true },
  prog1: { type: MapType.PROG_ARRAY, key: 4, value: 4, max: 4 },
  prog2: { type: MapType.PROG_ARRAY, key: 4, value: 4, max: 8 },
  map_in_map: { type: MapType.ARRAY_OF_MAPS, key: 4, value: 4, max: 1 },
  cgroup_storage: { type: MapType.CGROUP_STORAGE, key: 16, value: 64, max: 0 },
  percpu_cgroup_storage: { type: MapType.PERCPU_CGROUP_STORAGE, key: 16, value: 64, max: 0 },
  map_sockmap: { type: MapType.SOCKMAP, key: 4, value: 4, max: 1 },
  map_sockhash: { type: MapType.SOCKHASH, key: 4, value: 4, max: 1 },
  map_xskmap: { type: MapType.XSKMAP, key: 4, value: 4, max: 1 },
  map_stacktrace: { type: MapType.STACK_TRACE, key: 4, value: 8, max: 1 },
  map_spin_lock: { type: MapType.ARRAY, key: 4, value: 8, max: 1, btfValue: 3 },
  map_array_ro: { type: MapType.ARRAY, key: 4, value: TEST_VAL_SIZE, max: 1, flags: 0x80, seed: true },
  map_array_wo: { type: MapType.ARRAY, key: 4, value: TEST_VAL_SIZE, max: 1, flags: 0x100, seed: true },
  map_array_small: { type: MapType.ARRAY, key: 4, value: 1, max: 1, seed: true },
  sk_storage_map: { type: MapType.SK_STORAGE, key: 4, value: 8, max: 0, flags: 1, btfValue: 3 },
  map_event_output: { type: MapType.PERF_EVENT_ARRAY, key: 4, value: 4, max: 1 },
  map_reuseport_array: { type: MapType.REUSEPORT_SOCKARRAY, key: 4, value: 8, max: 1 },
  map_ringbuf: { type: MapType.RINGBUF, key: 0, value: 0, max: 4096 },
  map_timer: { type: MapType.ARRAY, key: 4, value: 16, max: 1, btfValue: 5 },
  map_kptr: { type: MapType.ARRAY, key: 4, value: 24, max: 1, btfValue: 14 },
};
export const FIXUP_KINDS = Object.keys(KINDS);

class Skip extends Error {}

function dummyProg(progType: number, insns: Insn[]): Program {
  return { name: 'dummy', progType, gpl: true, insns };
}

function makeMap(rt: Runtime, kind: string, progType: number, unpriv: boolean, btf: Btf): Made | undefined {
  const k = KINDS[kind];
  if (!k) throw new Error(`unknown fixup kind ${kind}`);
  // Unprivileged: a type map_create refuses makes test_verifier skip (its probe fails too); the
  // BTF maps need BPF_BTF_LOAD, which needs CAP_BPF: no map, the fd stays -1.
  if (unpriv && k.btfValue !== undefined) return undefined;
  // 6.18's BPF_BTF_LOAD refuses 6.1's load_btf() types (EINVAL, no message: recorded with the
  // harness): their pointer members are tagged kptr_ref, a kptr kind 6.18 no longer has. ebpfvm
  // does not model BTF_LOAD; test_verifier then creates no map and the fd stays -1.
  if (k.btfValue !== undefined && btf.types.some((t) => t.kind === BtfKind.TYPE_TAG && t.name === 'kptr_ref')) return undefined;
  if (unpriv && mapTypeCaps(k.type, k.flags ?? 0)) throw new Skip(`unsupported map type ${k.type} (${kind}) without capabilities`);
  const spec: MapSpec = { name: k.btfValue !== undefined ? 'test_map' : '', type: k.type, keySize: k.key, valueSize: k.value, maxEntries: k.max, flags: k.flags ?? 0 };
  const rec = k.btfValue !== undefined ? mapValueRecord(btf, k.btfValue, k.value) : undefined;
  if (k.btfValue !== undefined) {
    spec.btfKeyTypeId = 1;
    spec.btfValueTypeId = k.btfValue;
    if (rec?.spinLockOffset !== undefined) spec.spinLockOffset = rec.spinLockOffset;
    if (k.btfValue === 5) spec.timerOffset = 0;
  }
  if (k.type === MapType.ARRAY_OF_MAPS) spec.innerMap = { name: '', type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: 0 };
  let lm;
  try {
    lm = rt.createMap(spec);
  } catch (e) {
    throw new Skip(`ebpfvm cannot create map type ${k.type} (${kind}): ${(e as Error).message.split('\n')[0]}`);
  }
  if (k.seed) lm.map.update(new Uint8Array(4), testVal(k.value), 0);
  if (k.type === MapType.PROG_ARRAY) {
    const [k1, k2, k3] = kind === 'prog1' ? [0, 1, 2] : [7, 1, 2];
    const simple = (ret: number) => dummyProg(progType, [{ code: 0xb7, dst: 0, src: 0, off: 0, imm: ret }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }]);
    const loop = dummyProg(progType, [
      { code: 0xb7, dst: 3, src: 0, off: 0, imm: k2 },
      { code: 0x18, dst: 2, src: 1, off: 0, imm: lm.id },
      { code: 0, dst: 0, src: 0, off: 0, imm: 0 },
      { code: 0x85, dst: 0, src: 0, off: 0, imm: 12 },
      { code: 0xb7, dst: 0, src: 0, off: 0, imm: 41 },
      { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
    ]);
    const key = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
    for (const [kk, p] of [[k1, simple(42)], [k2, loop], [k3, simple(24)]] as const) {
      const id = rt.registerProgram(p);
      lm.map.update(key(kk), new Uint8Array(new Uint32Array([id]).buffer), 0);
    }
  }
  const vm: VerifierMap = { id: lm.id, name: spec.name.slice(0, 15), type: k.type, keySize: k.key, valueSize: k.value, maxEntries: k.max, flags: k.flags ?? 0, frozen: false };
  if (unpriv && [MapType.ARRAY, MapType.PERCPU_ARRAY, MapType.PROG_ARRAY, MapType.PERF_EVENT_ARRAY, MapType.CGROUP_ARRAY, MapType.ARRAY_OF_MAPS].includes(k.type as never)) vm.unprivArray = true;
  if (k.btfValue !== undefined) {
    vm.hasBtf = true;
    if (rec) vm.record = rec;
    if (rec?.spinLockOffset !== undefined) vm.spinLockOffset = rec.spinLockOffset;
  }
  if (spec.innerMap) vm.inner = { id: -lm.id, name: '', type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: 0, frozen: false };
  return { id: lm.id, vm };
}

/** Run one test under ebpfvm as test_verifier runs it on the kernel. */
export function runCase(c: TvCase, unpriv: boolean, tree: Tree): TvOutcome {
  if (c.fill || !c.insns) return { skip: `generated program (${c.fill ?? 'no insns'}) not extracted`, loaded: false, log: '' };
  const progType = c.progType || SOCKET_FILTER;
  // bpf_prog_load refuses other types without capabilities; test_verifier's probe then skips.
  if (unpriv && progTypeCaps(progType)) return { skip: `unsupported program type ${progType} without capabilities`, loaded: false, log: '' };
  if (c.kfunc) return { skip: `tracing attach target ${c.kfunc}: raw-insn tracing programs not set up here`, loaded: false, log: '' };
  const rt = new Runtime({ engine: 'interpreter' });
  const insns = c.insns.map(insnOf);
  const vmaps = new Map<number, VerifierMap>();
  const btf = parseBtf(mapBtfBytes(tree));
  try {
    for (const [kind, idxs] of Object.entries(c.fixups)) {
      const m = makeMap(rt, kind, progType, unpriv, btf);
      if (m) vmaps.set(m.id, m.vm);
      for (const i of idxs) if (insns[i]) insns[i] = { ...insns[i]!, imm: m ? m.id : -1 };
    }
  } catch (e) {
    if (e instanceof Skip) return { skip: e.message, loaded: false, log: '' };
    throw e;
  }
  const hooks = builtinKernelHooks();
  for (const f of c.kfuncFixups ?? []) {
    const fn = builtinBtf().find(f.name, BtfKind.FUNC)[0];
    if (insns[f.insn]) insns[f.insn] = { ...insns[f.insn]!, imm: fn?.id ?? 0 };
  }
  const input: VerifyInput = {
    name: 'test',
    insns,
    progType,
    expectedAttachType: c.expectedAttachType,
    gpl: true,
    map: (id) => vmaps.get(id),
    helper: (id) => helperForType(rt.helper(id), progType),
    ...hooks,
  };
  const tbtf = testBtfBytes(c);
  if (tbtf && c.funcInfo) {
    let pb: Btf;
    try {
      pb = parseBtf(tbtf);
    } catch (e) {
      return { skip: `the test's BTF does not parse: ${(e as Error).message}`, loaded: false, log: '' };
    }
    input.progBtf = true;
    input.funcs = c.funcInfo.map(([pc, typeId]) => ({ pc, name: pb.type(typeId).name }));
  }
  const level = logLevel(c, unpriv);
  const res = verify(input, { logLevel: level === 2 ? 2 : 1, stats: true, unpriv, progFlags: progFlags(c, tree) });
  const log = level === 2 ? res.log : level4Log(res.log);
  const out: TvOutcome = { loaded: res.accepted, errno: res.accepted ? null : errnoOf(res), log };
  if (!res.accepted) return out;
  const prog: Program = { name: 'test', progType, gpl: true, insns, ...(input.funcs ? { funcs: [...input.funcs] } : {}) };
  if (input.expectedAttachType) prog.expectedAttachType = input.expectedAttachType;
  const xl = xlateProgram(prog, fixupFacts(res));
  if (c.expectedInsns || c.unexpectedInsns) out.xlated = xl.insns;
  if (c.runs.length) {
    // kprobe and tracepoint programs have no test_run in the kernel (their prog_ops are empty):
    // bpf(2) says ENOTSUPP before it looks at the input. ebpfvm runs them as an extension.
    if (KERNEL_NO_TEST_RUN.has(progType)) {
      out.runs = c.runs.map(() => ({ errno: 'ENOTSUPP', retval: 0 }));
      return out;
    }
    out.runs = c.runs.map((r) => {
      try {
        const t = testRun(rt, xl, { data: runData(r.data) });
        return { errno: null, retval: Number(BigInt.asUintN(32, BigInt(t.retval))) };
      } catch (e) {
        if (e instanceof TestRunInputError) return { errno: e.errno, retval: 0 };
        return { errno: `ebpfvm: ${(e as Error).message.split('\n')[0]!.slice(0, 120)}`, retval: 0 };
      }
    });
  }
  return out;
}

function errnoOf(res: { error?: string | undefined; errno?: number }): string {
  const e = (res as { errno?: number }).errno;
  if (e === 13 || e === undefined) return 'EACCES';
  return e === 22 ? 'EINVAL' : e === 7 ? 'E2BIG' : e === 524 ? 'ENOTSUPP' : e === 1 ? 'EPERM' : `E${e}`;
}

/** The kernel at log level 4 writes every verbose() message but not the instruction dump nor the
 *  state lines of level 1: those are dropped from ebpfvm's level-1 log. */
export function level4Log(log: string): string {
  return log
    .split('\n')
    // A message written after the log was rewound to a jump that pushed a branch (is_state_visited
    // on the popped branch) follows that jump's text on its line, as on the host at level 1 ("3:
    // (15) if r0 == 0x0 goto pc-3 infinite loop detected at insn 1"); at level 4 it is a line.
    .map((l) => (/^\d+: \([0-9a-f]{2}\)/.test(l) ? (POP_TIME_MESSAGE.exec(l)?.[1] ?? l) : l))
    .filter((l) => !/^\d+: \([0-9a-f]{2}\)/.test(l) && !/^\d+: (R\d+|frame\d+:|safe$)/.test(l) && !/^from \d+ to \d+: /.test(l) && !/^; /.test(l) && !/^\d+: $/.test(l))
    .join('\n');
}
const POP_TIME_MESSAGE = / (infinite loop detected at insn \d+|The sequence of \d+ jumps is too complex\.|BPF program is too large\. Processed \d+ insn)$/;
