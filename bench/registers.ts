// Register representation (DESIGN section 3): the same 64-bit ALU loop as bench/programs.ts
// `aluLoop`, written against an indexed register file in each candidate representation, the way
// an interpreter would touch it (registers by number, every result stored back):
//   - lo/hi 32-bit halves in two Int32Arrays (what vm/interpreter uses),
//   - BigInt in a BigUint64Array (stores wrap to 64 bits for free, but every op allocates),
//   - `long`'s Long objects in an array.
// Plus the interpreter itself running the BPF version, for the overhead of decoding and dispatch.
import Long from 'long';
import { Runtime } from '../src/runtime.js';
import { aluLoop, aluLoopExpected } from './programs.js';
import { registerSuite } from './registry.js';

const N = 1000;

export function loopHalves(iterations = N): bigint {
  const lo = new Int32Array(11);
  const hi = new Int32Array(11);
  lo[0] = 1;
  lo[2] = 7;
  do {
    // r0 += r2
    let s = (lo[0]! >>> 0) + (lo[2]! >>> 0);
    hi[0] = hi[0]! + hi[2]! + (s > 0xffffffff ? 1 : 0);
    lo[0] = s;
    // r0 ^= 0x55
    lo[0] = lo[0]! ^ 0x55;
    // r0 <<= 3
    hi[0] = (hi[0]! << 3) | (lo[0]! >>> 29);
    lo[0] = lo[0]! << 3;
    // r0 >>= 1
    lo[0] = (lo[0]! >>> 1) | (hi[0]! << 31);
    hi[0] = hi[0]! >>> 1;
    // r0 -= r1
    s = (lo[0]! >>> 0) - (lo[1]! >>> 0);
    hi[0] = hi[0]! - hi[1]! - (s < 0 ? 1 : 0);
    lo[0] = s;
    // r2 *= 3 (low 64 bits; 16-bit pieces keep every partial product exact)
    const a = lo[2]! >>> 0;
    const a0 = a & 0xffff;
    const a1 = a >>> 16;
    const mid = a1 * 3;
    const low = a0 * 3 + (mid % 65536) * 65536;
    const high = Math.floor(mid / 65536) + Math.floor(low / 4294967296);
    hi[2] = high + Math.imul(hi[2]!, 3);
    lo[2] = low >>> 0;
    // r2 += 1
    s = (lo[2]! >>> 0) + 1;
    hi[2] = hi[2]! + (s > 0xffffffff ? 1 : 0);
    lo[2] = s;
    // r1 += 1
    s = (lo[1]! >>> 0) + 1;
    hi[1] = hi[1]! + (s > 0xffffffff ? 1 : 0);
    lo[1] = s;
  } while (lo[1] !== iterations || hi[1] !== 0);
  return (BigInt(hi[0]! >>> 0) << 32n) | BigInt(lo[0]! >>> 0);
}

export function loopBigInt(iterations = N): bigint {
  const R = new BigUint64Array(11);
  R[0] = 1n;
  R[2] = 7n;
  const n = BigInt(iterations);
  do {
    R[0] = R[0]! + R[2]!;
    R[0] = R[0]! ^ 0x55n;
    R[0] = R[0]! << 3n;
    R[0] = R[0]! >> 1n;
    R[0] = R[0]! - R[1]!;
    R[2] = R[2]! * 3n;
    R[2] = R[2]! + 1n;
    R[1] = R[1]! + 1n;
  } while (R[1] !== n);
  return R[0]!;
}

export function loopLong(iterations = N): bigint {
  const R: Long[] = new Array(11).fill(Long.UZERO);
  R[0] = Long.fromInt(1, true);
  R[2] = Long.fromInt(7, true);
  const n = Long.fromInt(iterations, true);
  const K55 = Long.fromInt(0x55, true);
  const K3 = Long.fromInt(3, true);
  do {
    R[0] = R[0]!.add(R[2]!);
    R[0] = R[0]!.xor(K55);
    R[0] = R[0]!.shl(3);
    R[0] = R[0]!.shru(1);
    R[0] = R[0]!.sub(R[1]!);
    R[2] = R[2]!.mul(K3);
    R[2] = R[2]!.add(Long.UONE);
    R[1] = R[1]!.add(Long.UONE);
  } while (!R[1]!.eq(n));
  return BigInt(R[0]!.toUnsigned().toString());
}

// The decisive comparison: the same loop through a switch-dispatched mini interpreter (the
// shape of vm/interpreter's loop), register file as halves vs BigUint64Array. Pure-JS loops let
// V8 keep BigInts unboxed; behind a dispatch switch it cannot, and the halves win.
interface Mini {
  code: Uint8Array;
  dst: Uint8Array;
  src: Uint8Array;
  off: Int32Array;
  imm: Int32Array;
  immB: BigUint64Array;
}
function mini(): Mini {
  const p = aluLoop(N).insns;
  const m: Mini = {
    code: new Uint8Array(p.length),
    dst: new Uint8Array(p.length),
    src: new Uint8Array(p.length),
    off: new Int32Array(p.length),
    imm: new Int32Array(p.length),
    immB: new BigUint64Array(p.length),
  };
  p.forEach((x, i) => {
    m.code[i] = x.code;
    m.dst[i] = x.dst;
    m.src[i] = x.src;
    m.off[i] = x.off;
    m.imm[i] = x.imm;
    m.immB[i] = BigInt.asUintN(64, BigInt(x.imm));
  });
  return m;
}

export function dispatchBigInt(m: Mini): bigint {
  const { code, dst, src, off, immB } = m;
  const R = new BigUint64Array(11);
  let pc = 0;
  for (;;) {
    const d = dst[pc]!;
    switch (code[pc]) {
      case 0xb7: R[d] = immB[pc]!; break;
      case 0x0f: R[d] = R[d]! + R[src[pc]!]!; break;
      case 0x07: R[d] = R[d]! + immB[pc]!; break;
      case 0x1f: R[d] = R[d]! - R[src[pc]!]!; break;
      case 0xa7: R[d] = R[d]! ^ immB[pc]!; break;
      case 0x67: R[d] = R[d]! << (immB[pc]! & 63n); break;
      case 0x77: R[d] = R[d]! >> (immB[pc]! & 63n); break;
      case 0x27: R[d] = R[d]! * immB[pc]!; break;
      case 0x55: if (R[d] !== immB[pc]) pc += off[pc]!; break;
      case 0x95: return R[0]!;
      default: throw new Error('unexpected opcode');
    }
    pc++;
  }
}

export function dispatchHalves(m: Mini): bigint {
  const { code, dst, src, off, imm } = m;
  const lo = new Int32Array(11);
  const hi = new Int32Array(11);
  let pc = 0;
  for (;;) {
    const d = dst[pc]!;
    switch (code[pc]) {
      case 0xb7: lo[d] = imm[pc]!; hi[d] = imm[pc]! >> 31; break;
      case 0x0f: { const s = src[pc]!; const t = (lo[d]! >>> 0) + (lo[s]! >>> 0); lo[d] = t; hi[d] = hi[d]! + hi[s]! + (t > 0xffffffff ? 1 : 0); break; }
      case 0x07: { const b = imm[pc]!; const t = (lo[d]! >>> 0) + (b >>> 0); lo[d] = t; hi[d] = hi[d]! + (b >> 31) + (t > 0xffffffff ? 1 : 0); break; }
      case 0x1f: { const s = src[pc]!; const t = (lo[d]! >>> 0) - (lo[s]! >>> 0); lo[d] = t; hi[d] = hi[d]! - hi[s]! - (t < 0 ? 1 : 0); break; }
      case 0xa7: lo[d] = lo[d]! ^ imm[pc]!; hi[d] = hi[d]! ^ (imm[pc]! >> 31); break;
      case 0x67: { const k = imm[pc]! & 63; if (k === 0) break; if (k < 32) { hi[d] = (hi[d]! << k) | (lo[d]! >>> (32 - k)); lo[d] = lo[d]! << k; } else { hi[d] = lo[d]! << (k - 32); lo[d] = 0; } break; }
      case 0x77: { const k = imm[pc]! & 63; if (k === 0) break; if (k < 32) { lo[d] = (lo[d]! >>> k) | (hi[d]! << (32 - k)); hi[d] = hi[d]! >>> k; } else { lo[d] = hi[d]! >>> (k - 32); hi[d] = 0; } break; }
      case 0x27: {
        const a = lo[d]! >>> 0; const b = imm[pc]!; const bu = b >>> 0;
        const a0 = a & 0xffff; const a1 = a >>> 16; const b0 = bu & 0xffff; const b1 = bu >>> 16;
        const mid = a0 * b1 + a1 * b0; const low = a0 * b0 + (mid % 65536) * 65536;
        const high = a1 * b1 + Math.floor(mid / 65536) + Math.floor(low / 4294967296);
        hi[d] = high + Math.imul(lo[d]!, b >> 31) + Math.imul(hi[d]!, b); lo[d] = low >>> 0; break;
      }
      case 0x55: if (lo[d] !== imm[pc] || hi[d] !== imm[pc]! >> 31) pc += off[pc]!; break;
      case 0x95: return (BigInt(hi[0]! >>> 0) << 32n) | BigInt(lo[0]! >>> 0);
      default: throw new Error('unexpected opcode');
    }
    pc++;
  }
}

/** The layout vm/interpreter uses: one packed Int32Array (4 words per slot) and one register
 *  file R[22] with rN's halves at 2N and 2N+1. */
export function dispatchPacked(P: Int32Array): bigint {
  const R = new Int32Array(22);
  let pc = 0;
  for (;;) {
    const w = P[pc << 2]!;
    const d = (w >> 7) & 0x1e;
    const k = pc << 2;
    switch (w & 0xff) {
      case 0xb7: R[d] = P[k + 2]!; R[d + 1] = P[k + 3]!; break;
      case 0x0f: { const s = (w >> 11) & 0x1e; const t = (R[d]! >>> 0) + (R[s]! >>> 0); R[d] = t; R[d + 1] = R[d + 1]! + R[s + 1]! + (t > 0xffffffff ? 1 : 0); break; }
      case 0x07: { const b = P[k + 2]!; const t = (R[d]! >>> 0) + (b >>> 0); R[d] = t; R[d + 1] = R[d + 1]! + P[k + 3]! + (t > 0xffffffff ? 1 : 0); break; }
      case 0x1f: { const s = (w >> 11) & 0x1e; const t = (R[d]! >>> 0) - (R[s]! >>> 0); R[d] = t; R[d + 1] = R[d + 1]! - R[s + 1]! - (t < 0 ? 1 : 0); break; }
      case 0xa7: R[d] = R[d]! ^ P[k + 2]!; R[d + 1] = R[d + 1]! ^ P[k + 3]!; break;
      case 0x67: { const n = P[k + 2]! & 63; if (n === 0) break; if (n < 32) { R[d + 1] = (R[d + 1]! << n) | (R[d]! >>> (32 - n)); R[d] = R[d]! << n; } else { R[d + 1] = R[d]! << (n - 32); R[d] = 0; } break; }
      case 0x77: { const n = P[k + 2]! & 63; if (n === 0) break; if (n < 32) { R[d] = (R[d]! >>> n) | (R[d + 1]! << (32 - n)); R[d + 1] = R[d + 1]! >>> n; } else { R[d] = R[d + 1]! >>> (n - 32); R[d + 1] = 0; } break; }
      case 0x27: {
        const al = R[d]!; const a = al >>> 0; const bl = P[k + 2]!; const b = bl >>> 0;
        const a0 = a & 0xffff; const a1 = a >>> 16; const b0 = b & 0xffff; const b1 = b >>> 16;
        const mid = a0 * b1 + a1 * b0; const low = a0 * b0 + (mid % 65536) * 65536;
        R[d + 1] = a1 * b1 + Math.floor(mid / 65536) + Math.floor(low / 4294967296) + Math.imul(al, P[k + 3]!) + Math.imul(R[d + 1]!, bl); R[d] = low; break;
      }
      case 0x55: if (R[d] !== P[k + 2] || R[d + 1] !== P[k + 3]) pc += P[k + 1]!; break;
      case 0x95: return (BigInt(R[1]! >>> 0) << 32n) | BigInt(R[0]! >>> 0);
      default: throw new Error('unexpected opcode');
    }
    pc++;
  }
}

function packed(): Int32Array {
  const p = aluLoop(N).insns;
  const P = new Int32Array(p.length * 4);
  p.forEach((x, i) => {
    P[i * 4] = x.code | (x.dst << 8) | (x.src << 12);
    P[i * 4 + 1] = x.off;
    P[i * 4 + 2] = x.imm;
    P[i * 4 + 3] = x.imm >> 31;
  });
  return P;
}

const expected = aluLoopExpected(N);
const INSNS = 3 + N * 9 + 1;
const check = (got: bigint, what: string) => {
  if (got !== expected) throw new Error(`${what}: got 0x${got.toString(16)}, expected 0x${expected.toString(16)}`);
};

registerSuite({ name: 'registers/lo-hi-int32', tags: ['registers'], mode: 'n/a', fn: () => loopHalves(), check: () => check(loopHalves(), 'lo/hi'), units: INSNS, unit: 'op' });
registerSuite({ name: 'registers/bigint', tags: ['registers'], mode: 'n/a', fn: () => loopBigInt(), check: () => check(loopBigInt(), 'bigint'), units: INSNS, unit: 'op' });
registerSuite({ name: 'registers/long', tags: ['registers'], mode: 'n/a', fn: () => loopLong(), check: () => check(loopLong(), 'long'), units: INSNS, unit: 'op' });
registerSuite({ name: 'registers/dispatch lo-hi', tags: ['registers'], mode: 'n/a', setup: mini, fn: (m) => void dispatchHalves(m), check: (m) => check(dispatchHalves(m), 'dispatch lo/hi'), units: INSNS, unit: 'insn' });
registerSuite({ name: 'registers/dispatch packed lo-hi', tags: ['registers'], mode: 'n/a', setup: packed, fn: (P) => void dispatchPacked(P), check: (P) => check(dispatchPacked(P), 'dispatch packed'), units: INSNS, unit: 'insn' });
registerSuite({ name: 'registers/dispatch bigint', tags: ['registers'], mode: 'n/a', setup: mini, fn: (m) => void dispatchBigInt(m), check: (m) => check(dispatchBigInt(m), 'dispatch bigint'), units: INSNS, unit: 'insn' });
registerSuite({
  name: 'registers/interpreter (lo-hi)',
  tags: ['registers', 'vm'],
  mode: 'unverified',
  setup: () => ({ rt: new Runtime(), prog: aluLoop(N) }),
  fn: (s) => void s.rt.execute(s.prog),
  check: (s) => check(s.rt.execute(s.prog).r0, 'interpreter'),
  units: INSNS,
  unit: 'insn',
});
