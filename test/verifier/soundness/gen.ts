// Program generator and mutator of the verifier soundness fuzz (issue 17). Programs are written
// as llvm-dialect text (vm/asm.ts) from snippets that exercise what the verifier must prove safe:
// packet bounds checks and packet pointer arithmetic, map lookups with variable offsets into the
// value, scalar bounds derived through ALU chains and conditional jumps (64- and 32-bit, signed
// and unsigned), spills and fills of pointers and bounded scalars, helper calls, bpf-to-bpf calls
// and bounded loops. Constants are drawn around the edge (the last safe offset and one past it),
// so a real share of programs is unsafe and must be refused. Every instruction line carries the
// features it exercises, so the fuzz can report which features the accepted programs reached.
import { assemble } from '../../../vm/asm.js';
import type { Insn } from '../../../vm/isa.js';

/** xorshift32: reproducible streams from a seed. */
export function rng(seed: number): () => number {
  let s = (seed ^ 0x9e3779b9) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

export type Rand = () => number;
const pick = <T,>(r: Rand, a: readonly T[]): T => a[r() % a.length]!;
const chance = (r: Rand, pct: number): boolean => r() % 100 < pct;

export const PROG_TYPES = { socket_filter: 1, tc: 3, xdp: 6 } as const;
export type ProgKind = keyof typeof PROG_TYPES;

/** Features the histogram counts (a feature counts for a program when one of its instructions
 *  was reached by the verifier). */
export const FEATURES = [
  'pkt-ptr-arith',
  'pkt-access',
  'map-value-ptr-arith',
  'map-value-access',
  'stack-ptr-arith',
  'spill-fill-ptr',
  'spill-fill-scalar',
  'helper-call',
  'map-update',
  'bpf2bpf-call',
  'loop',
  'alu32',
  'signed-bounds',
  'ctx-write',
  'merged-offset',
] as const;
export type Feature = (typeof FEATURES)[number];

export interface MapDesc {
  /** BPF_MAP_TYPE_HASH (1) or BPF_MAP_TYPE_ARRAY (2). */
  type: 1 | 2;
  keySize: 4;
  valueSize: number;
  maxEntries: number;
}

export interface GenProgram {
  kind: ProgKind;
  progType: number;
  /** Maps the program refers to as `map_by_fd(i + 1)`: the caller creates them in this order. */
  maps: MapDesc[];
  insns: Insn[];
  /** Features exercised by each instruction slot. */
  tags: Feature[][];
  /** How the program was made (generated, or mutated from which source). */
  origin: string;
  text: string;
}

/** One output line: an instruction (or label) and its features. */
interface Line {
  s: string;
  f?: Feature[];
}

class Builder {
  lines: Line[] = [];
  subs: Line[][] = [];
  private n = 0;
  label(): string {
    return `L${this.n++}`;
  }
  emit(s: string, ...f: Feature[]): void {
    this.lines.push({ s, f });
  }
}

// Context offsets: __sk_buff (len 0, mark 8, priority 32, cb 48..67, data 76, data_end 80) and
// xdp_md (data 0, data_end 4).
const SKB_DATA = 76;
const SKB_END = 80;

function loadPkt(b: Builder, kind: ProgKind, data: string, end: string): void {
  b.emit(`${data} = *(u32 *)(r6 + ${kind === 'xdp' ? 0 : SKB_DATA})`);
  b.emit(`${end} = *(u32 *)(r6 + ${kind === 'xdp' ? 4 : SKB_END})`);
}

const SIZES = [1, 2, 4, 8] as const;
const TY: Record<number, string> = { 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64' };

/** A value around `edge`: mostly just inside, sometimes just past it, sometimes anywhere. */
function near(r: Rand, edge: number): number {
  const k = r() % 20;
  if (k < 11) return edge;
  if (k < 14) return edge + 1;
  if (k < 17) return edge - 1 - (r() % 4);
  if (k < 18) return edge + 1 + (r() % 8);
  return r() % Math.max(1, edge + 16);
}

/** `if end < ptr+k` in one of the kernel-recognised forms; jumps to `bad` when out of bounds. */
function pktCheck(b: Builder, r: Rand, ptr: string, end: string, bad: string): void {
  const ok = b.label();
  switch (r() % 6) {
    case 0:
      b.emit(`if ${ptr} > ${end} goto ${bad}`);
      break;
    case 1:
      b.emit(`if ${end} < ${ptr} goto ${bad}`);
      break;
    case 2:
      b.emit(`if ${ptr} <= ${end} goto ${ok}`);
      b.emit(`goto ${bad}`);
      b.emit(`${ok}:`);
      break;
    case 3:
      b.emit(`if ${end} >= ${ptr} goto ${ok}`);
      b.emit(`goto ${bad}`);
      b.emit(`${ok}:`);
      break;
    case 4:
      // stricter than needed (one byte of slack lost): still safe
      b.emit(`if ${ptr} >= ${end} goto ${bad}`);
      break;
    default:
      // 32-bit compare of packet pointers: the kernel does not learn bounds from it
      b.emit(`if w${ptr.slice(1)} > w${end.slice(1)} goto ${bad}`);
      break;
  }
}

/** Access `*(size *)(ptr + off)`: a load into r5, a store of r5 or of an immediate. */
function access(b: Builder, r: Rand, ptr: string, off: number, size: number, feat: Feature, writable = true): void {
  const o = off >= 0 ? `+ ${off}` : `- ${-off}`;
  const k = writable ? r() % 3 : 0;
  if (k === 0) b.emit(`r5 = *(${TY[size]} *)(${ptr} ${o})`, feat);
  else if (k === 1) b.emit(`r5 = ${(r() % 512) - 256}`), b.emit(`*(${TY[size]} *)(${ptr} ${o}) = r5`, feat);
  else b.emit(`*(${TY[size]} *)(${ptr} ${o}) = ${(r() % 512) - 256}`, feat);
}

/** An unknown scalar into `dst` (r8): from the map value, the packet length, bpf_get_prandom_u32
 *  or the packet. Helper calls clobber r0-r5 only. */
function unknownScalar(b: Builder, r: Rand, kind: ProgKind, dst: string, mapPtr?: string): void {
  const k = r() % 4;
  if (k === 0 && mapPtr) b.emit(`${dst} = *(${pick(r, ['u8', 'u16', 'u32', 'u64'])} *)(${mapPtr} + 0)`);
  else if (k === 1 && kind !== 'xdp') b.emit(`${dst} = *(u32 *)(r6 + 0)`); // skb->len
  else if (k === 2 && kind !== 'xdp') b.emit(`${dst} = *(u32 *)(r6 + ${pick(r, [8, 32, 48, 52])})`); // mark, priority, cb
  else {
    b.emit('call 7', 'helper-call'); // bpf_get_prandom_u32
    b.emit(`${dst} = r0`);
    if (chance(r, 40)) b.emit(`${dst} <<= 32`), b.emit(`${dst} s>>= ${pick(r, [32, 40, 56])}`); // signed, possibly negative
  }
}

/** ALU steps on a scalar register (they are where bounds tracking goes wrong). */
function aluChain(b: Builder, r: Rand, reg: string): void {
  const w = `w${reg.slice(1)}`;
  const steps = r() % 4;
  for (let i = 0; i < steps; i++) {
    const k = r() % 20 < 16 ? r() % 16 : 16 + (r() % 8);
    if (k === 23) b.emit(`*(u64 *)(r10 - 8) = ${reg}`);
    switch (k) {
      case 0: b.emit(`${reg} &= ${pick(r, [0xff, 0x3f, 0x7, 0xf0, 0x1ff, -8, 0x7fffffff])}`); break;
      case 1: b.emit(`${reg} >>= ${pick(r, [1, 3, 8, 28, 32, 60])}`); break;
      case 2: b.emit(`${reg} <<= ${pick(r, [1, 2, 3, 31, 32])}`); break;
      case 3: b.emit(`${reg} += ${pick(r, [1, -1, 7, -16, 0x7fffffff, -0x80000000])}`); break;
      case 4: b.emit(`${reg} -= ${pick(r, [1, 5, -3, 100])}`); break;
      case 5: b.emit(`${reg} *= ${pick(r, [2, 3, 8, -1])}`); break;
      case 6: b.emit(`${reg} |= ${pick(r, [1, 0x10, 0x80000000])}`); break;
      case 7: b.emit(`${reg} ^= ${pick(r, [1, 0xff, -1])}`); break;
      case 8: b.emit(`${reg} s>>= ${pick(r, [1, 4, 31, 63])}`); break;
      case 9: b.emit(`${w} = ${w}`, 'alu32'); break;
      case 10: b.emit(`${w} += ${pick(r, [1, -1, 0x7fffffff])}`, 'alu32'); break;
      case 11: b.emit(`${w} &= ${pick(r, [0xff, 0x3f, -1])}`, 'alu32'); break;
      case 12: b.emit(`${reg} /= ${pick(r, [2, 3, 7])}`); break;
      case 13: b.emit(`${reg} %= ${pick(r, [16, 40, 7])}`); break;
      case 14: b.emit(`${reg} = -${reg}`); break;
      case 15: b.emit(`${w} >>= ${pick(r, [1, 4, 24])}`, 'alu32'); break;
      // rarer forms: sign extension, byte swaps, signed division, 32-bit arithmetic
      case 16: b.emit(`${reg} = (${pick(r, ['s8', 's16', 's32'])})${reg}`); break;
      case 17: b.emit(`${w} = (${pick(r, ['s8', 's16'])})${w}`, 'alu32'); break;
      case 18: b.emit(`${reg} = ${pick(r, ['be16', 'be32', 'le16', 'le32', 'bswap16', 'bswap32'])} ${reg}`); break;
      case 19: b.emit(`${reg} ${pick(r, ['s/=', 's%='])} ${pick(r, [3, -2, 5])}`); break;
      case 20: b.emit(`${w} ${pick(r, ['s/=', 's%=', '*=', '<<=', 's>>=', '|=', '-='])} ${pick(r, [2, 3, 7])}`, 'alu32'); break;
      case 21: b.emit(`${w} = -${w}`, 'alu32'); break;
      case 22: b.emit(`r9 = ${pick(r, [3, 15, 64, -1])}`), b.emit(`${reg} ${pick(r, ['&=', '+=', '-=', '*=', '|='])} r9`); break;
      default: b.emit(`${reg} = *(${pick(r, ['s8', 's16', 's32'])} *)(r10 - 8)`); break; // a sign-extending load of the spill below
    }
  }
}

/** Bound `reg` to [0, max] (or try to: some forms leave the lower bound open, which must be
 *  refused unless the ALU chain made it non-negative). Jumps to `bad` outside. */
function boundCheck(b: Builder, r: Rand, reg: string, max: number, bad: string): void {
  const w = `w${reg.slice(1)}`;
  const ok = b.label();
  switch (r() % 14) {
    case 0: b.emit(`if ${reg} > ${max} goto ${bad}`); break;
    case 1: b.emit(`if ${reg} >= ${max + 1} goto ${bad}`); break;
    case 2: b.emit(`if ${reg} < ${max + 1} goto ${ok}`), b.emit(`goto ${bad}`), b.emit(`${ok}:`); break;
    case 3:
      b.emit(`if ${reg} s> ${max} goto ${bad}`, 'signed-bounds');
      if (chance(r, 75)) b.emit(`if ${reg} s< 0 goto ${bad}`, 'signed-bounds');
      break;
    case 4:
      b.emit(`if ${w} > ${max} goto ${bad}`, 'alu32');
      if (chance(r, 60)) b.emit(`${w} = ${w}`, 'alu32');
      break;
    case 5: b.emit(`r4 = ${max}`), b.emit(`if ${reg} > r4 goto ${bad}`); break;
    case 6: b.emit(`r4 = ${max}`), b.emit(`if r4 >= ${reg} goto ${ok}`), b.emit(`goto ${bad}`), b.emit(`${ok}:`); break;
    case 7:
      b.emit(`if ${reg} s<= ${max} goto ${ok}`, 'signed-bounds'), b.emit(`goto ${bad}`), b.emit(`${ok}:`);
      if (chance(r, 70)) b.emit(`if ${reg} s< 0 goto ${bad}`, 'signed-bounds');
      break;
    case 8: b.emit(`${reg} &= ${max}`); break; // a mask: right only when max+1 is a power of two
    case 9:
      // the bound on a copy: right through the scalars' shared id (linked registers)
      b.emit(`r9 = ${reg}`);
      if (chance(r, 30)) b.emit('r9 += 1'), b.emit(`if r9 > ${max + 1} goto ${bad}`);
      else b.emit(`if r9 > ${max} goto ${bad}`);
      break;
    case 10:
      // a 32-bit bound: says nothing about the upper half unless the value came zero-extended
      b.emit(`if ${w} s> ${max} goto ${bad}`, 'alu32', 'signed-bounds');
      if (chance(r, 70)) b.emit(`if ${w} s< 0 goto ${bad}`, 'alu32', 'signed-bounds');
      break;
    case 11:
      // equality: the value is known on one side
      b.emit(`if ${reg} == ${max} goto ${ok}`), b.emit(`goto ${bad}`), b.emit(`${ok}:`);
      break;
    case 12:
      // a bit test and an upper bound
      b.emit(`if ${reg} & ${pick(r, [0x80, 0x100, -64])} goto ${bad}`);
      b.emit(`if ${reg} > ${max} goto ${bad}`);
      break;
    default:
      // against another bounded register
      b.emit(`r9 = ${reg}`), b.emit('r9 >>= 3'), b.emit('r9 &= 7');
      b.emit(`if ${reg} > ${Math.max(0, max - 7)} goto ${bad}`);
      b.emit(`if ${reg} > r9 goto ${ok}`), b.emit(`${reg} = r9`), b.emit(`${ok}:`);
      if (chance(r, 50)) b.emit(`${reg} += r9`);
      break;
  }
}

/** Spill `reg` to the stack and fill it back, sometimes through another register, sometimes with
 *  a narrower fill or a partial overwrite in between (which must turn a pointer into a scalar). */
function spillFill(b: Builder, r: Rand, reg: string, feat: Feature): void {
  const slot = -8 * (2 + (r() % 6));
  const k = r() % (feat === 'spill-fill-ptr' ? 8 : 10);
  if (k < 6) {
    b.emit(`*(u64 *)(r10 ${slot}) = ${reg}`, feat);
    if (chance(r, 30)) b.emit(`${reg} = 0`);
    b.emit(`${reg} = *(u64 *)(r10 ${slot})`, feat);
  } else if (k < 8) {
    b.emit(`*(u64 *)(r10 ${slot}) = ${reg}`, feat);
    b.emit(`*(${pick(r, ['u8', 'u32'])} *)(r10 ${slot + pick(r, [0, 4])}) = ${pick(r, [0, 1])}`);
    b.emit(`${reg} = *(u64 *)(r10 ${slot})`, feat);
  } else {
    // 32-bit spill and fill (scalars keep their 32-bit bounds)
    b.emit(`*(u32 *)(r10 ${slot}) = ${reg}`, feat);
    b.emit(`${reg} = *(u32 *)(r10 ${slot})`, feat);
  }
}

function mapLookup(b: Builder, r: Rand, maps: MapDesc[], bad: string, dst: string): MapDesc {
  const mi = r() % maps.length;
  const m = maps[mi]!;
  // Mostly the last element: an array map's elements share one region in the VM, so only an
  // overrun of the last one faults.
  const k = r() % 20;
  b.emit(`*(u32 *)(r10 - 4) = ${k < 12 ? m.maxEntries - 1 : k < 17 ? r() % m.maxEntries : m.maxEntries}`);
  b.emit(`r1 = map_by_fd(${mi + 1}) ll`);
  b.emit('r2 = r10');
  b.emit('r2 += -4');
  b.emit('call 1', 'helper-call');
  if (chance(r, 95)) b.emit(`if r0 == 0 goto ${bad}`);
  b.emit(`${dst} = r0`);
  return m;
}

// ---- snippets ------------------------------------------------------------------------------

function snipPktConst(b: Builder, r: Rand, kind: ProgKind): void {
  const bad = b.label();
  loadPkt(b, kind, 'r2', 'r3');
  const size = pick(r, SIZES);
  const k = 1 + (r() % 48);
  b.emit('r4 = r2');
  b.emit(`r4 += ${k}`, 'pkt-ptr-arith');
  if (chance(r, 20)) spillFill(b, r, 'r4', 'spill-fill-ptr');
  pktCheck(b, r, 'r4', 'r3', bad);
  if (chance(r, 25)) spillFill(b, r, 'r2', 'spill-fill-ptr');
  const off = near(r, k - size);
  if (chance(r, 30)) access(b, r, 'r4', off - k, size, 'pkt-access');
  else access(b, r, 'r2', off, size, 'pkt-access');
  b.emit(`${bad}:`);
}

function snipPktVar(b: Builder, r: Rand, kind: ProgKind): void {
  const bad = b.label();
  loadPkt(b, kind, 'r2', 'r3');
  b.emit('r4 = r2');
  b.emit('r4 += 2', 'pkt-ptr-arith');
  pktCheck(b, r, 'r4', 'r3', bad);
  b.emit(`r8 = *(${pick(r, ['u8', 'u16'])} *)(r2 + 0)`, 'pkt-access');
  aluChain(b, r, 'r8');
  boundCheck(b, r, 'r8', pick(r, [15, 63, 255, 1000]), bad);
  if (chance(r, 25)) spillFill(b, r, 'r8', 'spill-fill-scalar');
  b.emit('r2 += r8', 'pkt-ptr-arith');
  const size = pick(r, SIZES);
  const k = 1 + (r() % 24);
  b.emit('r4 = r2');
  b.emit(`r4 += ${k}`, 'pkt-ptr-arith');
  pktCheck(b, r, 'r4', 'r3', bad);
  access(b, r, 'r2', near(r, k - size), size, 'pkt-access');
  b.emit(`${bad}:`);
}

function snipPktLoop(b: Builder, r: Rand, kind: ProgKind): void {
  const bad = b.label();
  const head = b.label();
  loadPkt(b, kind, 'r2', 'r3');
  const n = pick(r, [3, 8, 16]);
  b.emit('r8 = 0');
  b.emit(`${head}:`);
  b.emit('r4 = r2');
  b.emit(`r4 += ${near(r, 1)}`, 'pkt-ptr-arith');
  pktCheck(b, r, 'r4', 'r3', bad);
  b.emit('r5 = *(u8 *)(r2 + 0)', 'pkt-access');
  b.emit('r2 += 1', 'pkt-ptr-arith', 'loop');
  b.emit('r8 += 1', 'loop');
  b.emit(`if r8 < ${n} goto ${head}`, 'loop');
  b.emit(`${bad}:`);
}

function snipMapVar(b: Builder, r: Rand, kind: ProgKind, maps: MapDesc[]): void {
  const bad = b.label();
  const m = mapLookup(b, r, maps, bad, 'r7');
  if (chance(r, 20)) spillFill(b, r, 'r7', 'spill-fill-ptr');
  unknownScalar(b, r, kind, 'r8', 'r7');
  aluChain(b, r, 'r8');
  const size = pick(r, SIZES);
  const off = r() % 3 === 0 ? 0 : r() % Math.max(1, m.valueSize - size + 1);
  const max = Math.max(0, near(r, m.valueSize - size - off));
  boundCheck(b, r, 'r8', max, bad);
  if (chance(r, 25)) spillFill(b, r, 'r8', 'spill-fill-scalar');
  if (chance(r, 20)) b.emit('r8 = r8'); // a copy keeps the scalar's id
  b.emit('r7 += r8', 'map-value-ptr-arith');
  if (chance(r, 20)) spillFill(b, r, 'r7', 'spill-fill-ptr');
  access(b, r, 'r7', off, size, 'map-value-access');
  b.emit(`${bad}:`);
}

function snipMapConst(b: Builder, r: Rand, _kind: ProgKind, maps: MapDesc[]): void {
  const bad = b.label();
  const m = mapLookup(b, r, maps, bad, 'r7');
  const size = pick(r, SIZES);
  const off = Math.max(0, near(r, m.valueSize - size));
  if (chance(r, 50)) {
    const step = r() % (off + 1);
    b.emit(`r7 += ${step}`, 'map-value-ptr-arith');
    if (chance(r, 40)) spillFill(b, r, 'r7', 'spill-fill-ptr');
    access(b, r, 'r7', off - step, size, 'map-value-access');
  } else access(b, r, 'r7', chance(r, 10) ? -size : off, size, 'map-value-access');
  b.emit(`${bad}:`);
}

function snipMapLoop(b: Builder, r: Rand, _kind: ProgKind, maps: MapDesc[]): void {
  const bad = b.label();
  const head = b.label();
  const m = mapLookup(b, r, maps, bad, 'r7');
  const size = pick(r, [1, 4, 8] as const);
  const step = pick(r, [1, 4, 8]);
  const n = near(r, m.valueSize - size + 1);
  b.emit('r8 = 0');
  b.emit(`${head}:`);
  b.emit('r5 = r7');
  b.emit('r5 += r8', 'map-value-ptr-arith', 'loop');
  access(b, r, 'r5', 0, size, 'map-value-access');
  b.emit(`r8 += ${step}`, 'loop');
  b.emit(`if r8 < ${n} goto ${head}`, 'loop');
  b.emit(`${bad}:`);
}

function snipMapUpdate(b: Builder, r: Rand, _kind: ProgKind, maps: MapDesc[]): void {
  const mi = r() % maps.length;
  const m = maps[mi]!;
  const base = 16 + 8 * Math.ceil(m.valueSize / 8);
  // the value: initialised 8 bytes at a time, sometimes one short
  const words = Math.ceil(m.valueSize / 8) - (chance(r, 10) ? 1 : 0);
  for (let i = 0; i < words; i++) b.emit(`*(u64 *)(r10 - ${base - 8 * i}) = ${r() % 1000}`);
  b.emit(`*(u32 *)(r10 - 4) = ${r() % (m.maxEntries + 1)}`);
  b.emit(`r1 = map_by_fd(${mi + 1}) ll`);
  b.emit('r2 = r10');
  b.emit('r2 += -4');
  b.emit('r3 = r10');
  b.emit(`r3 += -${base}`, 'stack-ptr-arith');
  b.emit(`r4 = ${chance(r, 90) ? 0 : pick(r, [1, 2, 4])}`);
  b.emit('call 2', 'helper-call', 'map-update');
}

function snipStackVar(b: Builder, r: Rand, kind: ProgKind): void {
  const bad = b.label();
  unknownScalar(b, r, kind, 'r8');
  aluChain(b, r, 'r8');
  const size = chance(r, 60) ? 1 : pick(r, SIZES);
  const base = 8 * (2 + (r() % 6));
  boundCheck(b, r, 'r8', Math.max(0, near(r, base - size)), bad);
  // the kernel checks stack alignment even for variable offsets
  if (size > 1 && chance(r, 90)) b.emit(`r8 &= ${-size}`);
  b.emit('r5 = r10');
  b.emit(`r5 += -${base}`, 'stack-ptr-arith');
  b.emit('r5 += r8', 'stack-ptr-arith');
  // Stores only: a variable-offset read needs every byte it may touch initialised.
  b.emit(`*(${TY[size]} *)(r5 + 0) = 0`);
  b.emit(`${bad}:`);
}

function snipSkbLoadBytes(b: Builder, r: Rand, kind: ProgKind): void {
  const bad = b.label();
  const buf = 8 * (1 + (r() % 4));
  b.emit('r1 = r6');
  b.emit(`r2 = ${r() % 40}`);
  b.emit('r3 = r10');
  b.emit(`r3 += -${buf + 8}`, 'stack-ptr-arith');
  if (chance(r, 50)) b.emit(`r4 = ${Math.max(1, near(r, buf))}`);
  else {
    unknownScalar(b, r, kind, 'r8');
    boundCheck(b, r, 'r8', near(r, buf - 1), bad);
    b.emit('r3 = r10');
    b.emit(`r3 += -${buf + 8}`, 'stack-ptr-arith');
    b.emit('r1 = r6');
    b.emit('r2 = 0');
    b.emit('r4 = r8');
    if (chance(r, 90)) b.emit('r4 += 1'); // a zero length is refused
  }
  b.emit('call 26', 'helper-call'); // bpf_skb_load_bytes
  b.emit(`if r0 != 0 goto ${bad}`);
  b.emit(`r5 = *(u8 *)(r10 - ${buf + 8})`);
  b.emit(`${bad}:`);
}

function snipCtxWrite(b: Builder, r: Rand, kind: ProgKind): void {
  if (kind === 'xdp') return;
  const off = pick(r, kind === 'tc' ? [8, 32, 48, 52, 56, 60, 64, 44] : [48, 52, 56, 60, 64]);
  b.emit(`*(u32 *)(r6 + ${off}) = ${r() % 100}`, 'ctx-write');
}

/** bpf-to-bpf calls: a callee bounding a scalar it returns, a callee writing into the caller's
 *  stack through a pointer argument, a callee given a map value pointer, a callee checking
 *  packet bounds itself. */
function snipCall(b: Builder, r: Rand, kind: ProgKind, maps: MapDesc[]): void {
  const bad = b.label();
  const name = `f${b.subs.length}`;
  const sub: Line[] = [];
  const se = (s: string, ...f: Feature[]) => sub.push({ s, f });
  const k = r() % (kind === 'xdp' || kind === 'tc' ? 4 : 3);
  if (k === 0) {
    // r0 = bounded(r1); the caller adds it to a map value pointer
    const m = mapLookup(b, r, maps, bad, 'r7');
    const size = pick(r, SIZES);
    const max = Math.max(0, near(r, m.valueSize - size));
    unknownScalar(b, r, kind, 'r1', 'r7');
    b.emit(`call ${name}`, 'bpf2bpf-call');
    const out = `${name}_out`;
    se(`${name}:`);
    se('r0 = r1');
    const mode = r() % 3;
    if (mode === 0) se(`r0 &= ${max}`);
    else if (mode === 1) se(`if r0 <= ${max} goto ${out}`), se('r0 = 0');
    else se(`if r0 < ${max} goto ${out}`), se(`r0 = ${max}`);
    se(`${out}:`);
    se('exit');
    b.emit('r7 += r0', 'map-value-ptr-arith');
    access(b, r, 'r7', 0, size, 'map-value-access');
  } else if (k === 1) {
    // callee(ptr to caller stack buffer): writes at an offset
    const buf = 8 * (1 + (r() % 4));
    const size = pick(r, SIZES);
    b.emit('r1 = r10');
    b.emit(`r1 += -${buf + 8}`, 'stack-ptr-arith');
    b.emit(`call ${name}`, 'bpf2bpf-call');
    se(`${name}:`);
    const cb = new Builder();
    access(cb, r, 'r1', near(r, buf - size), size, 'bpf2bpf-call');
    sub.push(...cb.lines);
    se('r0 = 0');
    se('exit');
  } else if (k === 2) {
    // callee(map value, scalar): bounds the scalar and accesses the value
    const m = mapLookup(b, r, maps, bad, 'r7');
    unknownScalar(b, r, kind, 'r2', 'r7');
    b.emit('r1 = r7');
    b.emit(`call ${name}`, 'bpf2bpf-call');
    const size = pick(r, SIZES);
    const out = `${name}_out`;
    se(`${name}:`);
    se('r0 = 0');
    se(`if r2 > ${Math.max(0, near(r, m.valueSize - size))} goto ${out}`);
    se('r1 += r2', 'map-value-ptr-arith');
    se(`r0 = *(${TY[size]} *)(r1 + 0)`, 'map-value-access');
    se(`${out}:`);
    se('exit');
  } else {
    // callee(data, data_end): its own bounds check
    loadPkt(b, kind, 'r1', 'r2');
    b.emit(`call ${name}`, 'bpf2bpf-call');
    const size = pick(r, SIZES);
    const n = 1 + (r() % 40);
    const out = `${name}_out`;
    se(`${name}:`);
    se('r0 = 0');
    se('r3 = r1');
    se(`r3 += ${n}`, 'pkt-ptr-arith');
    se(`if r3 > r2 goto ${out}`);
    se(`r0 = *(${TY[size]} *)(r1 + ${near(r, n - size)})`, 'pkt-access');
    se(`${out}:`);
    se('exit');
  }
  b.subs.push(sub);
  b.emit(`${bad}:`);
}

/** Branches that give an offset different values on different paths, merged before it is used:
 *  state pruning must not cut a path whose offset is unsafe because a safe path reached the
 *  merge first (the offset is precise there). The offset travels in a register, a stack slot or
 *  a callee's return value; one of the values is often past the edge. */
function snipDiamond(b: Builder, r: Rand, kind: ProgKind, maps: MapDesc[]): void {
  const bad = b.label();
  const m = mapLookup(b, r, maps, bad, 'r7');
  const size = pick(r, SIZES);
  const edge = m.valueSize - size;
  const val = (): number => (chance(r, 70) ? r() % (edge + 1) : near(r, edge));
  const where = r() % 3; // 0: r9, 1: stack slot fp-16, 2: a callee's return value
  const set = (x: number) => (where === 1 ? b.emit(`*(u64 *)(r10 - 16) = ${x}`) : b.emit(`r9 = ${x}`));
  unknownScalar(b, r, kind, 'r8', 'r7');
  set(val());
  for (let i = 0, n = 1 + (r() % 3); i < n; i++) {
    const join = b.label();
    const other = b.label();
    const shape = r() % 3;
    const cond = pick(r, [`if r8 > ${r() % 64} goto`, `if r8 & ${1 << (r() % 6)} goto`, `if w8 s< ${(r() % 64) - 32} goto`, `if r8 == ${r() % 4} goto`]);
    if (shape === 0) {
      // if (c) value = x;
      b.emit(`${cond} ${join}`);
      set(val());
    } else if (shape === 1) {
      // if (c) value = x; else value = y;
      b.emit(`${cond} ${other}`);
      set(val());
      b.emit(`goto ${join}`);
      b.emit(`${other}:`);
      set(val());
    } else {
      // if (c) value += small (in the slot: through a fill and a spill)
      b.emit(`${cond} ${join}`);
      if (where === 1) b.emit('r9 = *(u64 *)(r10 - 16)', 'spill-fill-scalar'), b.emit(`r9 += ${r() % 8}`), b.emit('*(u64 *)(r10 - 16) = r9', 'spill-fill-scalar');
      else b.emit(`r9 += ${r() % 8}`);
    }
    b.emit(`${join}:`);
    if (chance(r, 30)) b.emit(`r8 = ${pick(r, ['r8', 'r0', 'r9'])}`); // later conditions on another value
  }
  if (where === 1) b.emit('r9 = *(u64 *)(r10 - 16)', 'spill-fill-scalar');
  if (where === 2) {
    const name = `f${b.subs.length}`;
    b.emit('r1 = r9');
    b.emit(`call ${name}`, 'bpf2bpf-call');
    b.emit('r9 = r0');
    const out = `${name}_out`;
    const sub: Line[] = [{ s: `${name}:` }, { s: 'r0 = r1' }, { s: `if r1 > ${r() % (edge + 2)} goto ${out}` }, { s: `r0 = ${val()}` }, { s: `${out}:` }, { s: 'exit' }];
    b.subs.push(sub);
  }
  b.emit('r7 += r9', 'map-value-ptr-arith', 'merged-offset');
  access(b, r, 'r7', 0, size, 'map-value-access');
  b.emit(`${bad}:`);
}

type Snip = (b: Builder, r: Rand, kind: ProgKind, maps: MapDesc[]) => void;
const SNIPS: { w: number; f: Snip; pkt?: boolean; skb?: boolean }[] = [
  { w: 4, f: snipPktConst, pkt: true },
  { w: 4, f: snipPktVar, pkt: true },
  { w: 2, f: snipPktLoop, pkt: true },
  { w: 5, f: snipMapVar },
  { w: 3, f: snipMapConst },
  { w: 2, f: snipMapLoop },
  { w: 2, f: snipMapUpdate },
  { w: 2, f: snipStackVar },
  { w: 2, f: snipSkbLoadBytes, skb: true },
  { w: 1, f: snipCtxWrite },
  { w: 3, f: snipCall },
  { w: 4, f: snipDiamond },
];

/** A fresh program: 1-4 snippets, ctx kept in r6. */
export function generate(r: Rand): GenProgram {
  const kind = pick(r, ['socket_filter', 'tc', 'tc', 'xdp', 'xdp'] as const);
  const maps: MapDesc[] = [];
  for (let i = 0, n = 1 + (r() % 2); i < n; i++) {
    const type = chance(r, 60) ? 2 : 1;
    // array values are multiples of 8 (the kernel rounds array elements up to 8, and the VM's
    // array keeps them in one region: an overrun into the padding would not fault)
    const valueSize = type === 2 ? pick(r, [8, 16, 24, 48, 64]) : pick(r, [4, 8, 12, 16, 20, 48, 64]);
    maps.push({ type, keySize: 4, valueSize, maxEntries: type === 2 ? pick(r, [1, 1, 2]) : pick(r, [1, 2, 4, 8]) });
  }
  const b = new Builder();
  b.emit('r6 = r1');
  const usable = SNIPS.filter((s) => (!s.pkt || kind !== 'socket_filter') && (!s.skb || kind !== 'xdp'));
  const total = usable.reduce((a, s) => a + s.w, 0);
  for (let i = 0, n = 1 + (r() % 3); i < n; i++) {
    let x = r() % total;
    const s = usable.find((u) => (x -= u.w) < 0)!;
    s.f(b, r, kind, maps);
  }
  b.emit(`r0 = ${kind === 'xdp' ? pick(r, [1, 2]) : 0}`);
  b.emit('exit');
  for (const sub of b.subs) b.lines.push(...sub);
  return finish(b.lines, kind, maps, 'generated');
}

function finish(lines: Line[], kind: ProgKind, maps: MapDesc[], origin: string): GenProgram {
  const text = lines.map((l) => l.s).join('\n');
  const insns = assemble(text);
  const tags: Feature[][] = [];
  for (const l of lines) {
    if (/^[A-Za-z_]\w*:$/.test(l.s)) continue;
    const slots = / ll$/.test(l.s) ? 2 : 1;
    for (let i = 0; i < slots; i++) tags.push(l.f ?? []);
  }
  if (tags.length !== insns.length) throw new Error(`soundness fuzz: tag count ${tags.length} != ${insns.length} slots`);
  return { kind, progType: PROG_TYPES[kind], maps, insns, tags, origin, text };
}

// ---- mutation ------------------------------------------------------------------------------

const JCOND_OPS = [0x10, 0x20, 0x30, 0x50, 0xa0, 0xb0, 0x60, 0x70, 0xc0, 0xd0]; // jeq jgt jge jne jlt jle jsgt jsge jslt jsle
const ALU_OPS = [0x00, 0x10, 0x20, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xc0]; // add sub mul or and lsh rsh xor arsh
const SIZE_BITS = [0x00, 0x08, 0x10, 0x18]; // W H B DW

/** 1-3 point mutations that keep the slot count (so the tags stay in place): constants and
 *  offsets nudged around their value, jump conditions and ALU operations swapped, access sizes
 *  changed, registers renamed, an instruction replaced by `goto +0`. LD_IMM64 pairs and calls
 *  stay as they are. */
export function mutate(r: Rand, insns: readonly Insn[]): Insn[] {
  const out = insns.map((i) => ({ ...i }));
  const editable: number[] = [];
  for (let pc = 0; pc < out.length; pc++) {
    const c = out[pc]!.code;
    if (c === 0x18) {
      pc++;
      continue;
    }
    if (c === 0x85 || c === 0x95) continue;
    editable.push(pc);
  }
  if (!editable.length) return out;
  for (let n = r() % 4 === 0 ? 2 : 1; n > 0; n--) {
    const pc = pick(r, editable);
    const x = out[pc]!;
    const cls = x.code & 7;
    const k = r() % 8;
    if (k === 0) {
      out[pc] = { code: 0x05, dst: 0, src: 0, off: 0, imm: 0 };
    } else if (k === 1 || k === 2) {
      const d = pick(r, [1, -1, 1, -1, 2, 4, 8, -8, 16]);
      // fields wrap as the encoded 16-bit off and 32-bit imm do (an out-of-range value is a
      // DecodeError before the verifier sees the program: not what the fuzz is after)
      if (cls === 1 || cls === 2 || cls === 3) x.off = ((x.off + d) << 16) >> 16;
      else x.imm = (x.imm + d) | 0;
    } else if (k === 3 && (cls === 5 || cls === 6) && (x.code & 0xf0) !== 0x00 && (x.code & 0xf0) !== 0x80 && (x.code & 0xf0) !== 0x90) {
      x.code = (x.code & 0x0f) | pick(r, JCOND_OPS);
    } else if (k === 3 && (cls === 4 || cls === 7) && [0x00, 0x10, 0x20, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xc0].includes(x.code & 0xf0)) {
      x.code = (x.code & 0x0f) | pick(r, ALU_OPS);
    } else if (k === 4 && (cls === 1 || cls === 2 || cls === 3) && (x.code & 0xe0) === 0x60) {
      x.code = (x.code & ~0x18) | pick(r, SIZE_BITS);
    } else if (k === 5 && (cls === 4 || cls === 7)) {
      x.code ^= 3; // ALU <-> ALU64
    } else if (k === 6) {
      if (r() % 2) x.dst = r() % 10;
      else x.src = r() % 11;
    } else {
      x.imm = pick(r, [0, 1, -1, 7, 8, 15, 16, 63, 64, 255, 0x7fffffff, -0x80000000, x.imm * 2, x.imm + 1]) | 0;
    }
  }
  return out;
}
