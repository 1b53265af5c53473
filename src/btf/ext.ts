// BTF.ext: per-section function info, line info and CO-RE relocation records. Offsets in records
// are byte offsets into the ELF section named by the record group; strings live in .BTF's string
// section, so the parser takes the Btf it belongs to.
import { BtfError, describeValue } from '../errors.js';
import type { Btf } from './btf.js';

export interface FuncInfo {
  /** Instruction index inside the section (the blob stores bytes). */
  insn: number;
  typeId: number;
}
export interface LineInfo {
  insn: number;
  file: string;
  /** The source line's text as clang recorded it. */
  text: string;
  line: number;
  col: number;
}
export interface CoreRelo {
  insn: number;
  typeId: number;
  /** Access string like "0:1:2". */
  access: string;
  kind: number;
}

/** CO-RE relocation kinds (enum bpf_core_relo_kind). */
export const CoreKind = {
  FIELD_BYTE_OFFSET: 0,
  FIELD_BYTE_SIZE: 1,
  FIELD_EXISTS: 2,
  FIELD_SIGNED: 3,
  FIELD_LSHIFT_U64: 4,
  FIELD_RSHIFT_U64: 5,
  TYPE_ID_LOCAL: 6,
  TYPE_ID_TARGET: 7,
  TYPE_EXISTS: 8,
  TYPE_SIZE: 9,
  ENUMVAL_EXISTS: 10,
  ENUMVAL_VALUE: 11,
  TYPE_MATCHES: 12,
} as const;
export const CORE_KIND_NAMES = ['byte_off', 'byte_sz', 'field_exists', 'signed', 'lshift_u64', 'rshift_u64', 'local_type_id', 'target_type_id', 'type_exists', 'type_size', 'enumval_exists', 'enumval_value', 'type_matches'];

export interface BtfExt {
  funcInfo: Map<string, FuncInfo[]>;
  lineInfo: Map<string, LineInfo[]>;
  coreRelos: Map<string, CoreRelo[]>;
}

export function parseBtfExt(bytes: Uint8Array, btf: Btf): BtfExt {
  const where = '.BTF.ext';
  if (!(bytes instanceof Uint8Array)) throw new BtfError(`expected the BTF.ext bytes as a Uint8Array, got ${describeValue(bytes)}`, where);
  if (bytes.length < 24) throw new BtfError(`header truncated (${bytes.length} bytes)`, where);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint16(0, true);
  if (magic !== 0xeb9f) throw new BtfError(`bad magic 0x${magic.toString(16)}`, where);
  if (dv.getUint8(2) !== 1) throw new BtfError(`unsupported version ${dv.getUint8(2)}`, where);
  const hdrLen = dv.getUint32(4, true);
  if (hdrLen < 24 || hdrLen > bytes.length) throw new BtfError(`header length ${hdrLen} is out of range`, where);
  const field = (o: number) => (o + 4 <= hdrLen ? dv.getUint32(o, true) : 0);
  const ext: BtfExt = { funcInfo: new Map(), lineInfo: new Map(), coreRelos: new Map() };

  // Each info block: u32 record size, then groups of {section name, count, records}.
  const walk = <T>(off: number, len: number, what: string, minRec: number, read: (o: number, sec: string) => T, out: Map<string, T[]>) => {
    if (len === 0) return;
    const start = hdrLen + off;
    const end = start + len;
    if (end > bytes.length || start < hdrLen) throw new BtfError(`${what} (offset ${off}, ${len} bytes) runs past the end (${bytes.length} bytes)`, where);
    if (len < 4) throw new BtfError(`${what} is too short`, where);
    const recSize = dv.getUint32(start, true);
    if (recSize < minRec || recSize % 4 !== 0 || recSize > 1024) throw new BtfError(`${what} record size ${recSize} is invalid`, where);
    let o = start + 4;
    while (o < end) {
      if (o + 8 > end) throw new BtfError(`${what} group header at offset ${o} is truncated`, where);
      const sec = btf.str(dv.getUint32(o, true), `${where} ${what}`);
      const num = dv.getUint32(o + 4, true);
      o += 8;
      if (num === 0 || o + num * recSize > end) throw new BtfError(`${what} group for section ${sec} (${num} records) is truncated or empty`, where);
      const list = out.get(sec) ?? [];
      for (let i = 0; i < num; i++, o += recSize) list.push(read(o, sec));
      out.set(sec, list);
    }
  };
  const insnAt = (o: number, sec: string, what: string) => {
    const off = dv.getUint32(o, true);
    if (off % 8 !== 0) throw new BtfError(`${what} record at instruction byte offset ${off} is not 8-byte aligned`, `${where} ${sec}`);
    return off / 8;
  };
  walk(field(8), field(12), 'func_info', 8, (o, sec) => ({ insn: insnAt(o, sec, 'func_info'), typeId: dv.getUint32(o + 4, true) }), ext.funcInfo);
  walk(field(16), field(20), 'line_info', 16, (o, sec) => {
    const lc = dv.getUint32(o + 12, true);
    return { insn: insnAt(o, sec, 'line_info'), file: btf.str(dv.getUint32(o + 4, true), `${where} line_info`), text: btf.str(dv.getUint32(o + 8, true), `${where} line_info`), line: lc >>> 10, col: lc & 0x3ff };
  }, ext.lineInfo);
  if (hdrLen >= 32) {
    walk(field(24), field(28), 'core_relo', 16, (o, sec) => ({ insn: insnAt(o, sec, 'core_relo'), typeId: dv.getUint32(o + 4, true), access: btf.str(dv.getUint32(o + 8, true), `${where} core_relo`), kind: dv.getUint32(o + 12, true) }), ext.coreRelos);
  }
  return ext;
}

/** The source line for any instruction: the last line_info entry at or before `pc` (entries sorted
 *  by pc, as Program.lineInfo is). */
export function lineForPc<T extends { pc: number }>(lines: readonly T[] | undefined, pc: number): T | undefined {
  if (!lines || lines.length === 0) return undefined;
  let lo = 0;
  let hi = lines.length - 1;
  if (lines[0]!.pc > pc) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]!.pc <= pc) lo = mid;
    else hi = mid - 1;
  }
  return lines[lo];
}
