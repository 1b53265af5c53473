// String helpers with the kernel's semantics (kernel/bpf/helpers.c, lib/kstrtox.c):
//   strtol (105) / strtoul (106): skip leading whitespace, one optional '-', then digits in base
//     flags & 0x1f (0 = auto: "0x" hex, "0" octal, else decimal; 16 also skips a "0x" prefix).
//     Only the first 63 characters after the sign are looked at. Returns the number of characters
//     consumed and stores the value (8 bytes) at res; -EINVAL for bad flags/base, an empty buffer
//     or no digits, -ERANGE on overflow; strtoul refuses a '-' with -EINVAL. res is zeroed first,
//     so it reads 0 after an error (Linux 6.12+, checked on 6.18).
//   strncmp (182): compares s1 (at most s1_sz bytes) with the NUL-terminated constant s2 and
//     returns -1, 0 or 1 like the kernel's strncmp (not the byte difference).

import { FaultSignal } from '../src/errors.js';
import { Errno } from '../maps/types.js';
import type { HelperCall, HelperEntry, HelperRet } from './types.js';

const BPF_STRTOX_BASE_MASK = 0x1f;
const U64_MAX = (1n << 64n) - 1n;

export type ParseResult = { consumed: number; value: bigint; negative: boolean } | { errno: number };

/** The kernel's __bpf_strtoull on a byte buffer. */
export function parseUnsigned(buf: Uint8Array, flags: bigint): ParseResult {
  let base = Number(flags & BigInt(BPF_STRTOX_BASE_MASK));
  if (buf.length === 0) return { errno: -Errno.EINVAL };
  if (base !== 0 && base !== 8 && base !== 10 && base !== 16) return { errno: -Errno.EINVAL };
  if ((flags & ~BigInt(BPF_STRTOX_BASE_MASK)) !== 0n) return { errno: -Errno.EINVAL };
  let i = 0;
  while (i < buf.length && isSpace(buf[i]!)) i++;
  const negative = i < buf.length && buf[i] === 0x2d;
  if (negative) i++;
  const consumedPrefix = i;
  if (i >= buf.length) return { errno: -Errno.EINVAL };
  // The kernel copies at most 63 bytes into a NUL-terminated scratch string.
  const str = buf.slice(i, i + Math.min(buf.length - i, 63));
  const at = (j: number) => (j < str.length ? str[j]! : 0);
  let p = 0;
  if (base === 0) {
    if (at(0) === 0x30) base = (at(1) | 0x20) === 0x78 && hexVal(at(2)) >= 0 ? 16 : 8;
    else base = 10;
  }
  if (base === 16 && at(0) === 0x30 && (at(1) | 0x20) === 0x78) p = 2;
  const start = p;
  let value = 0n;
  let overflow = false;
  const b = BigInt(base);
  for (;;) {
    const c = at(p);
    if (c === 0) break;
    const d = hexVal(c);
    if (d < 0 || d >= base) break;
    const next = value * b + BigInt(d);
    if (next > U64_MAX) overflow = true;
    value = next & U64_MAX;
    p++;
  }
  if (overflow) return { errno: -Errno.ERANGE };
  if (p === start) return { errno: -Errno.EINVAL };
  return { consumed: consumedPrefix + p, value, negative };
}

/** bpf_strtol's result: the signed value must fit in a long (64 bits). */
export function parseSigned(buf: Uint8Array, flags: bigint): { consumed: number; value: bigint } | { errno: number } {
  const r = parseUnsigned(buf, flags);
  if ('errno' in r) return r;
  if (r.negative) {
    if (r.value > 1n << 63n) return { errno: -Errno.ERANGE };
    return { consumed: r.consumed, value: -r.value };
  }
  if (r.value >= 1n << 63n) return { errno: -Errno.ERANGE };
  return { consumed: r.consumed, value: r.value };
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);

function bufArg(call: HelperCall): Uint8Array | undefined {
  const addr = call.ptr(1);
  const len = call.u32(2);
  if (addr === 0 || len === 0) return undefined;
  call.arena.check(addr, len, false);
  return call.arena.u8.subarray(addr, addr + len);
}

function storeLong(call: HelperCall, value: bigint): void {
  const res = call.ptr(4);
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
  call.arena.writeChecked(res, 8, bytes);
}

const INT: HelperRet = { type: 'RET_INTEGER' };
const STRTOX_ARGS = [
  { type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] },
  { type: 'ARG_CONST_SIZE' },
  { type: 'ARG_ANYTHING' },
  { type: 'ARG_PTR_TO_LONG' },
] as const;

export const STRING_HELPERS: readonly HelperEntry[] = [
  {
    id: 105,
    name: 'strtol',
    proto: { args: STRTOX_ARGS, ret: INT },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      storeLong(call, 0n); // the kernel zeroes *res first, so errors leave 0 behind
      const buf = bufArg(call);
      if (!buf) return -Errno.EINVAL;
      const r = parseSigned(buf, call.u64(3));
      if ('errno' in r) return r.errno;
      storeLong(call, r.value);
      return r.consumed;
    },
  },
  {
    id: 106,
    name: 'strtoul',
    proto: { args: STRTOX_ARGS, ret: INT },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      storeLong(call, 0n);
      const buf = bufArg(call);
      if (!buf) return -Errno.EINVAL;
      const r = parseUnsigned(buf, call.u64(3));
      if ('errno' in r) return r.errno;
      if (r.negative) return -Errno.EINVAL;
      storeLong(call, r.value);
      return r.consumed;
    },
  },
  {
    id: 182,
    name: 'strncmp',
    proto: { args: [{ type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] }, { type: 'ARG_CONST_SIZE' }, { type: 'ARG_PTR_TO_CONST_STR' }], ret: INT },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const s1 = call.ptr(1);
      const n = call.u32(2);
      const s2 = call.ptr(3);
      if (n > 0) call.arena.check(s1, n, false);
      const u8 = call.arena.u8;
      for (let i = 0; i < n; i++) {
        // s2 is a NUL-terminated constant; check each byte so a missing NUL faults at its end.
        if (!call.arena.canAccess(s2 + i, 1, false)) throw new FaultSignal(`strncmp: s2 at 0x${s2.toString(16)} is not NUL-terminated`);
        const a = u8[s1 + i]!;
        const b = u8[s2 + i]!;
        if (a !== b) return a < b ? -1 : 1;
        if (a === 0) break;
      }
      return 0;
    },
  },
];
