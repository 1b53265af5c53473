// bpf_trace_printk (6), bpf_trace_vprintk (177) and bpf_snprintf (165), with the format rules of
// the kernel's bpf_bprintf_prepare (kernel/bpf/helpers.c):
//   - the format must be NUL-terminated inside fmt_size, and every character before the NUL must be
//     printable ASCII or whitespace;
//   - conversions: %d %i %u %x %X with an optional l or ll, %c, %s, %%, and the pointer family
//     %p %pK %px %ps %pS %pB %pks %pus %pI4 %pi4 %pI6 %pi6;
//   - flags '0' '+' '-' ' ' and a decimal width; no precision, no '#', no other length modifiers;
//   - %s (and %pks/%pus) must be followed by NUL, whitespace or punctuation;
//   - at most 3 arguments for trace_printk, 12 (MAX_BPRINTF_VARARGS) for the others;
//   - strings, characters, formatted IPs and integers share a 512-byte argument buffer
//     (MAX_BPRINTF_BIN_ARGS): strings are cut to fit, other arguments that do not fit are -ENOSPC.
// Anything else is -EINVAL and nothing is printed.
//
// Rendering follows the kernel's vsnprintf/bstr_printf. ebpfvm has no pointer hashing, so %p, %pK
// and %px print the raw value as 16 hex digits (as with no_hash_pointers), NULL as "(null)";
// %ps/%pS/%pB print a function of the built-in kernel's text (src/btf/kallsyms.ts) as its name,
// name+0xoff/0xsize, or as a return address, and "0x<hex>" as the kernel does for an address
// without a symbol.
// Details checked against Linux 6.18 (test/progs/h_snprintf*.c): %c and %s pad with spaces even
// with '0'; IP addresses and %pB ignore the width (they are pre-formatted); letters and digits
// right after a %p extension are swallowed.
//
// trace_printk output is one line per call in RunOutput.printk: the rendered message (at most 1023
// bytes, like the kernel's 1 KiB buffer), cut at an embedded NUL, without one trailing newline.
// The return value is bstr_printf's: the length of the full rendered text, except after a
// pre-formatted argument met with the buffer full (bprintfLength).

import { Errno } from '../maps/types.js';
import { KERNEL_FUNC_SIZE, kernelFuncAt } from '../src/btf/kallsyms.js';
import { keepOutput, type HelperArg, type HelperCall, type HelperEntry, type HelperRet } from './types.js';

export const MAX_TRACE_PRINTK_VARARGS = 3;
export const MAX_BPRINTF_VARARGS = 12;
export const MAX_BPRINTF_BIN_ARGS = 512;
export const MAX_BPRINTF_BUF = 1024;

/** Render a format with its arguments, or return a negative errno. `fmt` holds the bytes up to
 *  (not including) the terminating NUL. Memory behind %s/%pI* arguments is read through `mem`. */
export function bprintf(fmt: Uint8Array, args: readonly bigint[], mem: MemReader): string | number {
  const p = bprintfPrepare(fmt, args, mem);
  return typeof p === 'number' ? p : p.text;
}

/** What bpf_bprintf_prepare leaves for bstr_printf: the argument buffer (integers aligned to 4
 *  bytes, strings and pre-formatted IP addresses NUL-terminated) and the conversions in order. */
export interface PreparedFormat {
  /** The whole rendering, as with an output buffer large enough. */
  text: string;
  bin: Uint8Array;
  ops: FormatOp[];
}

type FormatOp =
  | { kind: 'lit'; len: number }
  | { kind: 'int'; conv: string; size: number; flags: Flags; width: number }
  | { kind: 'ptr'; ptr: string; flags: Flags; width: number }
  | { kind: 'char' | 'str'; width: number }
  /** printed from the argument buffer as it stands (%pI4 %pi4 %pI6 %pi6 %pB %pks %pus) */
  | { kind: 'pre' };

/** The format checked and its argument buffer built (bpf_bprintf_prepare), or a negative errno. */
export function bprintfPrepare(fmt: Uint8Array, args: readonly bigint[], mem: MemReader): PreparedFormat | number {
  let out = '';
  let spec = 0;
  let used = 0; // bytes of the 512-byte argument buffer consumed so far
  // a little slack past the 512 bytes: bprintfLength may read past the end after a misread
  const bin = new Uint8Array(MAX_BPRINTF_BIN_ARGS + 16);
  const binView = new DataView(bin.buffer);
  const ops: FormatOp[] = [];
  const lit = (text: string) => {
    out += text;
    const last = ops[ops.length - 1];
    if (last?.kind === 'lit') last.len += text.length;
    else ops.push({ kind: 'lit', len: text.length });
  };
  const putString = (bytes: Uint8Array) => {
    bin.set(bytes.subarray(0, Math.max(0, MAX_BPRINTF_BIN_ARGS - used)), used);
  };
  // vsnprintf swallows letters and digits right after a %p extension ("%pi4x" prints no 'x');
  // the format checker still looks at them as plain characters.
  let eatAlnum = false;
  const at = (i: number) => (i < fmt.length ? fmt[i]! : 0);
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c >= 0x80 || !(isPrint(c) || isSpace(c))) return -Errno.EINVAL;
    if (c !== 0x25 /* % */) {
      if (eatAlnum && isAlnum(c)) continue;
      eatAlnum = false;
      lit(String.fromCharCode(c));
      continue;
    }
    eatAlnum = false;
    if (at(i + 1) === 0x25) {
      lit('%');
      i++;
      continue;
    }
    if (spec >= args.length) return -Errno.EINVAL;
    const arg = args[spec]!;
    i++;
    // flags and width: "[0 +-]*[1-9][0-9]*"
    const flags = { zero: false, plus: false, minus: false, space: false };
    for (;;) {
      const f = at(i);
      if (f === 0x30) flags.zero = true;
      else if (f === 0x2b) flags.plus = true;
      else if (f === 0x2d) flags.minus = true;
      else if (f === 0x20) flags.space = true;
      else break;
      i++;
    }
    let width = 0;
    if (at(i) >= 0x31 && at(i) <= 0x39) {
      while (at(i) >= 0x30 && at(i) <= 0x39) width = Math.min(width * 10 + (at(i++) - 0x30), 4096);
    }
    const conv = String.fromCharCode(at(i));
    const next = at(i + 1);

    if (conv === 'p') {
      const n1 = String.fromCharCode(next);
      const n2 = String.fromCharCode(at(i + 2));
      if ((n1 === 'k' || n1 === 'u') && n2 === 's') {
        i += 2;
        if (!strFollowOk(at(i + 1))) return -Errno.EINVAL;
        if (used >= MAX_BPRINTF_BIN_ARGS) return -Errno.ENOSPC;
        const s = mem.cString(arg, MAX_BPRINTF_BIN_ARGS - used - 1, n1 === 'k' ? 'kernel' : 'user');
        putString(s);
        used += s.length + 1;
        out += pad(latin1(s), '', { ...flags, zero: false }, width);
        ops.push({ kind: 'pre' });
        spec++;
        continue;
      }
      if (next === 0 || isSpace(next) || isPunct(next) || 'KxsS'.includes(n1)) {
        // plain kernel pointers: the argument itself is printed
        used = align4(used);
        if (MAX_BPRINTF_BIN_ARGS - used < 8) return -Errno.ENOSPC;
        binView.setBigUint64(used, arg, true);
        used += 8;
        if ('KxsS'.includes(n1)) {
          i++;
          eatAlnum = true;
        }
        out += renderPointer(n1, arg, flags, width);
        ops.push({ kind: 'ptr', ptr: n1, flags, width });
        spec++;
        continue;
      }
      if (n1 === 'B') {
        // pre-formatted into the argument buffer, so printed without width or flags
        i++;
        const text = renderPointer('B', arg, flags, 0);
        putString(latin1Bytes(text));
        used += text.length + 1;
        out += text;
        ops.push({ kind: 'pre' });
        eatAlnum = true;
        spec++;
        continue;
      }
      if ((n1 !== 'i' && n1 !== 'I') || (n2 !== '4' && n2 !== '6')) return -Errno.EINVAL;
      i += 2;
      const len = n2 === '4' ? 4 : 16;
      if (MAX_BPRINTF_BIN_ARGS - used < len) return -Errno.ENOSPC;
      const bytes = mem.bytes(arg, len) ?? new Uint8Array(len);
      // pre-formatted into the argument buffer like %pB: no width (checked on Linux 6.18)
      const text = renderIp(n1 === 'I', bytes);
      putString(latin1Bytes(text));
      used += text.length + 1;
      out += text;
      ops.push({ kind: 'pre' });
      eatAlnum = true;
      spec++;
      continue;
    }
    if (conv === 's') {
      if (!strFollowOk(next)) return -Errno.EINVAL;
      if (used >= MAX_BPRINTF_BIN_ARGS) return -Errno.ENOSPC;
      const s = mem.cString(arg, MAX_BPRINTF_BIN_ARGS - used - 1, 'kernel');
      putString(s);
      used += s.length + 1;
      out += pad(latin1(s), '', { ...flags, zero: false }, width); // strings pad with spaces
      ops.push({ kind: 'str', width });
      spec++;
      continue;
    }
    if (conv === 'c') {
      if (used >= MAX_BPRINTF_BIN_ARGS) return -Errno.ENOSPC;
      bin[used] = Number(arg & 0xffn);
      used += 1;
      out += pad(String.fromCharCode(Number(arg & 0xffn)), '', { ...flags, zero: false }, width); // %08c pads with spaces
      ops.push({ kind: 'char', width });
      spec++;
      continue;
    }
    let size = 4;
    if (at(i) === 0x6c /* l */) {
      size = 8;
      i++;
    }
    if (at(i) === 0x6c) i++;
    const k = String.fromCharCode(at(i));
    if (!'iduxX'.includes(k) || at(i) === 0) return -Errno.EINVAL;
    used = align4(used);
    if (MAX_BPRINTF_BIN_ARGS - used < size) return -Errno.ENOSPC;
    if (size === 8) binView.setBigUint64(used, arg, true);
    else binView.setUint32(used, Number(arg & 0xffffffffn), true);
    used += size;
    out += renderInt(k, size, arg, flags, width);
    ops.push({ kind: 'int', conv: k, size, flags, width });
    spec++;
  }
  return { text: out, bin, ops };
}

/** What bstr_printf returns for an output buffer of `size` bytes: the length of the whole
 *  rendering, except that a pre-formatted argument (%pI4, %pI6, %pB, %pks, ...) met once the buffer
 *  is full counts 0 and leaves the argument pointer where it was, so the conversions after it read
 *  that argument's text as their own value (checked on Linux 6.18: "ab%pI4 %d" into 2 bytes
 *  counts the %d of the bytes "1.2." as 775040561). */
export function bprintfLength(p: PreparedFormat, size: number): number {
  const { bin, ops } = p;
  const dv = new DataView(bin.buffer);
  const cstrlen = (at: number) => {
    let n = 0;
    while (at + n < bin.length && bin[at + n] !== 0) n++;
    return n;
  };
  const u64 = (at: number) => (at + 8 <= bin.length ? dv.getBigUint64(at, true) : 0n);
  let pos = 0;
  let a = 0;
  for (const op of ops) {
    switch (op.kind) {
      case 'lit':
        pos += op.len;
        break;
      case 'int':
        a = align4(a);
        pos += renderInt(op.conv, op.size, op.size === 8 ? u64(a) : u64(a) & 0xffffffffn, op.flags, op.width).length;
        a += op.size;
        break;
      case 'ptr':
        a = align4(a);
        pos += renderPointer(op.ptr, u64(a), op.flags, op.width).length;
        a += 8;
        break;
      case 'char':
        pos += Math.max(1, op.width);
        a += 1;
        break;
      case 'str': {
        const n = cstrlen(a);
        pos += Math.max(n, op.width);
        a += n + 1;
        break;
      }
      case 'pre':
        if (pos < size) {
          const n = cstrlen(a);
          pos += n;
          a += n + 1;
        }
        break;
    }
  }
  return pos;
}

/** Where %s and %pI* arguments point: the arena for ordinary addresses, the kernel view for
 *  64-bit ones. A read that misses yields an empty string / undefined, as the kernel's
 *  nofault copies give an empty string or zeroes. */
export interface MemReader {
  cString(addr: bigint, max: number, space: 'kernel' | 'user'): Uint8Array;
  bytes(addr: bigint, len: number): Uint8Array | undefined;
}

export function memReader(call: HelperCall): MemReader {
  const arena = call.arena;
  const readable = (a: number, n: number) => arena.canAccess(a, n, false);
  return {
    cString(addr, max, _space) {
      if (max <= 0 || addr === 0n) return new Uint8Array(0);
      const chunk: number[] = [];
      if (addr >> 32n === 0n) {
        const a = Number(addr);
        while (chunk.length < max && readable(a + chunk.length, 1)) {
          const b = arena.u8[a + chunk.length]!;
          if (b === 0) break;
          chunk.push(b);
        }
        return Uint8Array.from(chunk);
      }
      while (chunk.length < max) {
        const b = call.env.readKernel(addr + BigInt(chunk.length), 1);
        if (!b || b[0] === 0) break;
        chunk.push(b[0]!);
      }
      return Uint8Array.from(chunk);
    },
    bytes(addr, len) {
      if (addr >> 32n === 0n) {
        const a = Number(addr);
        return a !== 0 && readable(a, len) ? arena.read(a, len) : undefined;
      }
      return call.env.readKernel(addr, len);
    },
  };
}

// ---- rendering ----------------------------------------------------------------------------

interface Flags {
  zero: boolean;
  plus: boolean;
  minus: boolean;
  space: boolean;
}

function renderInt(conv: string, size: number, arg: bigint, flags: Flags, width: number): string {
  const bits = BigInt(size * 8);
  let sign = '';
  let digits: string;
  if (conv === 'd' || conv === 'i') {
    const v = BigInt.asIntN(Number(bits), arg);
    if (v < 0n) sign = '-';
    else if (flags.plus) sign = '+';
    else if (flags.space) sign = ' ';
    digits = (v < 0n ? -v : v).toString(10);
  } else {
    const v = BigInt.asUintN(Number(bits), arg);
    digits = conv === 'u' ? v.toString(10) : v.toString(16);
    if (conv === 'X') digits = digits.toUpperCase();
  }
  return pad(digits, sign, flags, width);
}

function pad(body: string, sign: string, flags: Flags, width: number): string {
  const len = sign.length + body.length;
  if (len >= width) return sign + body;
  const fill = width - len;
  if (flags.minus) return sign + body + ' '.repeat(fill);
  if (flags.zero) return sign + '0'.repeat(fill) + body;
  return ' '.repeat(fill) + sign + body;
}

function renderPointer(kind: string, v: bigint, flags: Flags, width: number): string {
  const u = BigInt.asUintN(64, v);
  if (kind === 's' || kind === 'S' || kind === 'B') return pad(symbolString(kind, u), '', { ...flags, zero: false }, width);
  if (u === 0n && kind !== 'x' && kind !== 'K') return pad('(null)', '', { ...flags, zero: false }, width);
  // pointer_string: 16 zero-padded hex digits unless the format gives its own width
  if (width === 0) return u.toString(16).padStart(16, '0');
  return pad(u.toString(16), '', flags, width);
}

/** symbol_string: a function of the built-in kernel's text by name (%ps), name+offset/size (%pS),
 *  or as a return address (%pB: the byte before it names the function, sprint_backtrace); any
 *  other address as 0x<hex>. */
function symbolString(kind: string, u: bigint): string {
  const back = kind === 'B' ? 1n : 0n;
  const f = kernelFuncAt(u - back);
  if (!f) return `0x${u.toString(16)}`;
  if (kind === 's') return f.name;
  return `${f.name}+0x${(f.offset + back).toString(16)}/0x${KERNEL_FUNC_SIZE.toString(16)}`;
}

function renderIp(compactless: boolean, b: Uint8Array): string {
  if (b.length === 4) {
    const parts = Array.from(b, (x) => (compactless ? String(x) : String(x).padStart(3, '0')));
    return parts.join('.');
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16).padStart(4, '0'));
  return compactless ? groups.join(':') : groups.join('');
}

const isPrint = (c: number) => c >= 0x20 && c <= 0x7e;
const isAlnum = (c: number) => (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isPunct = (c: number) => isPrint(c) && c !== 0x20 && !/[0-9A-Za-z]/.test(String.fromCharCode(c));
const strFollowOk = (c: number) => c === 0 || isSpace(c) || isPunct(c);
const align4 = (n: number) => (n + 3) & ~3;
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);
const latin1Bytes = (s: string) => Uint8Array.from(s, (ch) => ch.charCodeAt(0) & 0xff);

// ---- helper entries -------------------------------------------------------------------------

/** The format bytes before the first NUL in [addr, addr+size), or -EINVAL when there is none. */
function fmtFromMem(call: HelperCall, addr: number, size: number): Uint8Array | number {
  if (size === 0) return -Errno.EINVAL;
  call.arena.check(addr, size, false);
  const bytes = call.arena.u8.subarray(addr, addr + size);
  const nul = bytes.indexOf(0);
  return nul < 0 ? -Errno.EINVAL : bytes.slice(0, nul);
}

/** A NUL-terminated constant string (ARG_PTR_TO_CONST_STR): read up to the end of its region. */
function constStr(call: HelperCall, addr: number): Uint8Array | number {
  const info = call.arena.describe(addr);
  if (!info) return -Errno.EFAULT;
  call.arena.check(addr, 1, false);
  const end = info.start + info.length;
  const bytes = call.arena.u8.subarray(addr, end);
  const nul = bytes.indexOf(0);
  return nul < 0 ? -Errno.EINVAL : bytes.slice(0, nul);
}

/** The u64 argument array of trace_vprintk/snprintf: data_len a multiple of 8, at most 12 args. */
function argArray(call: HelperCall, data: number, len: number): bigint[] | number {
  if (len % 8 !== 0 || len > MAX_BPRINTF_VARARGS * 8 || (len !== 0 && data === 0)) return -Errno.EINVAL;
  if (len === 0) return [];
  call.arena.check(data, len, false);
  const out: bigint[] = [];
  for (let i = 0; i < len; i += 8) out.push(call.arena.dv.getBigUint64(data + i, true));
  return out;
}

/** Print one trace_printk line; returns bstr_printf's count for the kernel's 1 KiB buffer. */
function emit(call: HelperCall, p: PreparedFormat): number {
  const text = p.text;
  let line = text.length >= MAX_BPRINTF_BUF ? text.slice(0, MAX_BPRINTF_BUF - 1) : text;
  const nul = line.indexOf('\0');
  if (nul >= 0) line = line.slice(0, nul);
  if (line.endsWith('\n')) line = line.slice(0, -1);
  if (keepOutput(call.output, call.output.printk, 'printk', line.length + 1)) call.output.printk.push(line);
  return bprintfLength(p, MAX_BPRINTF_BUF);
}

const INT: HelperRet = { type: 'RET_INTEGER' };
const RO_MEM: HelperArg = { type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] };
const RO_MEM_OR_NULL: HelperArg = { type: 'ARG_PTR_TO_MEM', flags: ['PTR_MAYBE_NULL', 'MEM_RDONLY'] };

export const PRINTK_HELPERS: readonly HelperEntry[] = [
  {
    id: 6,
    name: 'trace_printk',
    proto: { args: [RO_MEM, { type: 'ARG_CONST_SIZE' }, { type: 'ARG_ANYTHING' }, { type: 'ARG_ANYTHING' }, { type: 'ARG_ANYTHING' }], ret: INT },
    gplOnly: true,
    progTypes: 'all',
    impl: (call) => {
      const fmt = fmtFromMem(call, call.ptr(1), call.u32(2));
      if (typeof fmt === 'number') return fmt;
      const r = bprintfPrepare(fmt, [call.u64(3), call.u64(4), call.u64(5)], memReader(call));
      return typeof r === 'number' ? r : emit(call, r);
    },
  },
  {
    id: 177,
    name: 'trace_vprintk',
    proto: { args: [RO_MEM, { type: 'ARG_CONST_SIZE' }, RO_MEM_OR_NULL, { type: 'ARG_CONST_SIZE_OR_ZERO' }], ret: INT },
    gplOnly: true,
    progTypes: 'all',
    impl: (call) => {
      const args = argArray(call, call.ptr(3), call.u32(4));
      if (typeof args === 'number') return args;
      const fmt = fmtFromMem(call, call.ptr(1), call.u32(2));
      if (typeof fmt === 'number') return fmt;
      const r = bprintfPrepare(fmt, args, memReader(call));
      return typeof r === 'number' ? r : emit(call, r);
    },
  },
  {
    id: 165,
    name: 'snprintf',
    proto: {
      args: [{ type: 'ARG_PTR_TO_MEM', flags: ['PTR_MAYBE_NULL'] }, { type: 'ARG_CONST_SIZE_OR_ZERO' }, { type: 'ARG_PTR_TO_CONST_STR' }, RO_MEM_OR_NULL, { type: 'ARG_CONST_SIZE_OR_ZERO' }],
      ret: INT,
    },
    gplOnly: true,
    progTypes: 'all',
    impl: (call) => {
      const str = call.ptr(1);
      const size = call.u32(2);
      const args = argArray(call, call.ptr(4), call.u32(5));
      if (typeof args === 'number') return args;
      const fmt = constStr(call, call.ptr(3));
      if (typeof fmt === 'number') return fmt;
      const p = bprintfPrepare(fmt, args, memReader(call));
      if (typeof p === 'number') return p;
      const r = p.text;
      if (size > 0) {
        const n = Math.min(r.length, size - 1);
        const out = new Uint8Array(n + 1); // the text cut to fit, then its NUL
        for (let i = 0; i < n; i++) out[i] = r.charCodeAt(i) & 0xff;
        call.arena.check(str, size, true); // the whole buffer must be writable, however short the text
        call.arena.writeChecked(str, n + 1, out);
      }
      return bprintfLength(p, size) + 1; // the kernel counts the terminating NUL
    },
  },
];
