// Random instruction sequences for property tests: mostly valid opcodes and fields, jump and
// call targets pulled into the program (test/vm/fuzz.test.ts, test/compiler/differential.test.ts).
import fc from 'fast-check';
import type { Insn } from '../../vm/isa.js';

// Opcodes weighted toward valid ones so runs get past the decoder often.
export const VALID = [
  0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x4f, 0x57, 0x5f, 0x67, 0x6f, 0x77, 0x7f, 0x87, 0x97, 0x9f, 0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0xcf, 0xd7,
  0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64, 0x6c, 0x74, 0x7c, 0x84, 0x94, 0x9c, 0xa4, 0xac, 0xb4, 0xbc, 0xc4, 0xcc, 0xd4, 0xdc,
  0x05, 0x15, 0x1d, 0x25, 0x2d, 0x55, 0x5d, 0x65, 0x6d, 0xa5, 0xad, 0x06, 0x16, 0x1e, 0x56, 0x66, 0x85, 0x8d, 0x95,
  0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91, 0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b, 0xc3, 0xdb, 0xd3, 0xcb, 0x18, 0x20, 0x28, 0x30, 0x40,
];

export const insn: fc.Arbitrary<Insn> = fc.record({
  code: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...VALID) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }),
  dst: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 10 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) }),
  src: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 2 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) }),
  off: fc.oneof(fc.integer({ min: -4, max: 4 }), fc.constantFrom(8, 16, 32, -8, -16, -512), fc.integer({ min: -32768, max: 32767 })),
  imm: fc.oneof(fc.integer({ min: -4, max: 64 }), fc.constantFrom(0x01, 0xe1, 0xf1, 0x41, 0xa1, 0x100, 0x110), fc.integer({ min: -0x80000000, max: 0x7fffffff })),
});

/** Clear reserved fields and pull jump targets into the program so most cases reach the
 *  interpreter; `raw` leaves the instruction as generated for the decoder's sake. */
export function repair(insns: Insn[], raw: boolean[]): Insn[] {
  const out: Insn[] = [];
  insns.forEach((x, i) => {
    if (raw[i]) {
      out.push(x);
      return;
    }
    const y = { ...x };
    const c = y.code & 7;
    const op = y.code & 0xf0;
    const isX = (y.code & 8) !== 0;
    if (y.dst > 9) y.dst %= 10;
    if (y.src > 10) y.src %= 11;
    if (c === 4 || c === 7) {
      if (op === 0xd0) [y.src, y.off, y.imm] = [0, 0, [16, 32, 64][Math.abs(y.imm) % 3]!];
      else if (op === 0x80) [y.src, y.off, y.imm] = [0, 0, 0];
      else {
        if (isX) y.imm = 0;
        else y.src = 0;
        if (op === 0x30 || op === 0x90) y.off = Math.abs(y.off) % 2;
        else if (op === 0xb0 && isX) y.off = [0, 8, 16, 32][Math.abs(y.off) % (c === 7 ? 4 : 3)]!;
        else y.off = 0;
      }
    } else if (c === 1) {
      y.imm = 0;
    } else if (c === 2) {
      y.src = 0;
    } else if (c === 3) {
      // B/H atomics are load-acquire / store-release only (imm 0x100 / 0x110); W/DW have all 12
      const ops = [0x100, 0x110, 0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1];
      if ((y.code & 0xe0) === 0xc0) y.imm = ops[Math.abs(y.imm) % ((y.code & 0x18) === 0x08 || (y.code & 0x18) === 0x10 ? 2 : 12)]!;
      else y.imm = 0;
    } else if (y.code === 0x18) {
      y.off = 0;
      y.src = y.src % 2 === 0 ? 0 : 4;
      out.push(y, { code: 0, dst: 0, src: 0, off: 0, imm: y.imm });
      return;
    } else if (c === 0) {
      [y.dst, y.off] = [0, 0];
      if ((y.code & 0xe0) === 0x20) y.src = 0;
    }
    out.push(y);
  });
  // second pass: jump and call targets, now that positions are final
  const n = out.length + 1; // the exit appended by the caller
  const second = new Set<number>();
  out.forEach((y, i) => {
    if (y.code === 0x18) second.add(i + 1);
  });
  const fix = (i: number, rel: number): number => {
    let t = i + 1 + rel;
    if (t < 0 || t >= n) t = ((t % n) + n) % n;
    if (second.has(t)) t = t - 1;
    return t - i - 1;
  };
  out.forEach((y, i) => {
    if (second.has(i)) return;
    const c = y.code & 7;
    if (c !== 5 && c !== 6 && !(y.code === 0x18 && y.src === 4)) return;
    const op = y.code & 0xf0;
    if (y.code === 0x18) y.imm = fix(i, y.imm);
    else if (y.code === 0x95) Object.assign(y, { dst: 0, src: 0, off: 0, imm: 0 });
    else if (y.code === 0x85) {
      Object.assign(y, { dst: 0, off: 0, src: y.src % 2 });
      y.imm = y.src === 1 ? fix(i, y.imm) : 1 + (Math.abs(y.imm) % 2);
    } else if (y.code === 0x8d) Object.assign(y, { src: 0, off: 0, imm: 0 });
    else if (op === 0x00) {
      Object.assign(y, { dst: 0, src: 0 });
      if (c === 6) [y.off, y.imm] = [0, fix(i, y.imm)];
      else [y.imm, y.off] = [0, fix(i, y.off)];
    } else {
      if (y.code & 8) y.imm = 0;
      else y.src = 0;
      y.off = fix(i, y.off);
    }
  });
  return out;
}
