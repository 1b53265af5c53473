// CO-RE (compile once, run everywhere) relocations. A record names an instruction, a root type and
// an access path ("0:1:2": array index into the root, then member/array indices). The value the
// instruction needs (field offset, size, existence, type id, enum value, ...) is computed twice:
// against the object's own BTF (the "local" value, which clang already baked into the
// instruction, so we check it) and against a target BTF (the kernel's). Until the built-in kernel
// BTF lands the loader passes the object's own BTF as target, which makes every relocation an
// identity that still validates the records; with a different target, fields and types are matched
// by name the way libbpf does (ignoring `___flavor` suffixes).
import { BtfError } from '../errors.js';
import { Cls, Mode, LD_IMM64, type Insn } from '../../vm/isa.js';
import { Btf, BtfKind, IntEnc, type BtfType } from './btf.js';
import { CoreKind, CORE_KIND_NAMES, type CoreRelo } from './ext.js';

/** Result for one relocation: `exists` false means the field/type/value is absent in the target. */
interface CoreValue {
  exists: boolean;
  value: bigint;
}

interface FieldSpec {
  /** Type id reached at the end of the path. */
  typeId: number;
  bitOffset: number;
  bitfieldSize: number;
  /** Member names along the path, for matching against another BTF. */
  names: (string | number)[];
}

/** Name without a `___flavor` suffix, as libbpf matches "essential" names. */
export function essentialName(name: string): string {
  const i = name.indexOf('___');
  return i > 0 ? name.slice(0, i) : name;
}

function parseAccess(access: string, where: string): number[] {
  if (!/^\d+(:\d+)*$/.test(access)) throw new BtfError(`malformed CO-RE access string "${access}"`, where);
  return access.split(':').map(Number);
}

function isFieldKind(kind: number): boolean {
  return kind <= CoreKind.FIELD_RSHIFT_U64;
}
function isEnumKind(kind: number): boolean {
  return kind === CoreKind.ENUMVAL_EXISTS || kind === CoreKind.ENUMVAL_VALUE;
}

/** Walk the local access path from `rootId` and record member names for matching. */
function localField(btf: Btf, rootId: number, path: number[], where: string): FieldSpec {
  let t = btf.resolve(rootId);
  let typeId = t.id;
  let bitOffset = path[0]! * btf.sizeof(rootId) * 8;
  let bitfieldSize = 0;
  const names: (string | number)[] = [path[0]!];
  for (let i = 1; i < path.length; i++) {
    const idx = path[i]!;
    if (t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION) {
      const m = t.members![idx];
      if (!m) throw new BtfError(`access index ${idx} is past the ${t.members!.length} members of ${btf.typeName(t.id)}`, where);
      bitOffset += m.bitOffset;
      bitfieldSize = m.bitfieldSize;
      names.push(m.name);
      typeId = m.type;
    } else if (t.kind === BtfKind.ARRAY) {
      bitOffset += idx * btf.sizeof(t.elemType!) * 8;
      bitfieldSize = 0;
      names.push(idx);
      typeId = t.elemType!;
    } else {
      throw new BtfError(`access index ${idx} applies to ${btf.typeName(t.id)}, which is neither a struct, union nor array`, where);
    }
    t = btf.resolve(typeId);
  }
  return { typeId, bitOffset, bitfieldSize, names };
}

/** Follow the same member names in the target BTF; undefined when a member is missing. */
function targetField(btf: Btf, rootId: number, names: (string | number)[]): FieldSpec | undefined {
  let t = btf.resolve(rootId);
  let typeId = t.id;
  let bitOffset = (names[0] as number) * btf.sizeof(rootId) * 8;
  let bitfieldSize = 0;
  for (let i = 1; i < names.length; i++) {
    const n = names[i]!;
    if (typeof n === 'number') {
      if (t.kind !== BtfKind.ARRAY) return undefined;
      bitOffset += n * btf.sizeof(t.elemType!) * 8;
      typeId = t.elemType!;
      bitfieldSize = 0;
    } else {
      if (t.kind !== BtfKind.STRUCT && t.kind !== BtfKind.UNION) return undefined;
      const found = findMember(btf, t, n);
      if (!found) return undefined;
      bitOffset += found.bitOffset;
      bitfieldSize = found.bitfieldSize;
      typeId = found.type;
    }
    t = btf.resolve(typeId);
  }
  return { typeId, bitOffset, bitfieldSize, names };
}

/** Member by name, looking through anonymous struct/union members as C does. */
function findMember(btf: Btf, t: BtfType, name: string, depth = 0): { type: number; bitOffset: number; bitfieldSize: number } | undefined {
  if (depth > 16) return undefined;
  for (const m of t.members!) {
    if (m.name === name) return m;
    if (!m.name) {
      const inner = btf.resolve(m.type);
      if (inner.kind === BtfKind.STRUCT || inner.kind === BtfKind.UNION) {
        const r = findMember(btf, inner, name, depth + 1);
        if (r) return { ...r, bitOffset: r.bitOffset + m.bitOffset };
      }
    }
  }
  return undefined;
}

/** Field value for one of the FIELD_* kinds, following libbpf's bitfield load-size rules. */
function fieldValue(btf: Btf, f: FieldSpec, kind: number, where: string): bigint {
  const t = btf.resolve(f.typeId);
  let byteSize: number;
  let byteOff: number;
  if (f.bitfieldSize === 0) {
    byteSize = btf.sizeof(f.typeId);
    byteOff = Math.floor(f.bitOffset / 8);
    if (f.bitOffset % 8 !== 0) throw new BtfError('field offset is not byte-aligned', where);
  } else {
    // Load the smallest power-of-two chunk (starting at the member type's size) that covers the
    // bits, as libbpf does, so LSHIFT/RSHIFT extract the bitfield from a u64.
    byteSize = btf.sizeof(f.typeId);
    byteOff = Math.floor(f.bitOffset / 8 / byteSize) * byteSize;
    while (f.bitOffset + f.bitfieldSize - byteOff * 8 > byteSize * 8) {
      if (byteSize >= 8) throw new BtfError('bitfield cannot be loaded with one access', where);
      byteSize *= 2;
      byteOff = Math.floor(f.bitOffset / 8 / byteSize) * byteSize;
    }
  }
  switch (kind) {
    case CoreKind.FIELD_BYTE_OFFSET:
      return BigInt(byteOff);
    case CoreKind.FIELD_BYTE_SIZE:
      return BigInt(byteSize);
    case CoreKind.FIELD_EXISTS:
      return 1n;
    case CoreKind.FIELD_SIGNED:
      if (t.kind === BtfKind.ENUM || t.kind === BtfKind.ENUM64) return t.kindFlag ? 1n : 0n;
      return t.kind === BtfKind.INT && (t.intEncoding! & IntEnc.SIGNED) !== 0 ? 1n : 0n;
    case CoreKind.FIELD_LSHIFT_U64: {
      const bits = f.bitfieldSize || byteSize * 8;
      return BigInt(64 - (f.bitOffset + bits - byteOff * 8));
    }
    case CoreKind.FIELD_RSHIFT_U64:
      return BigInt(64 - (f.bitfieldSize || byteSize * 8));
    default:
      throw new BtfError(`not a field relocation kind ${kind}`, where);
  }
}

/** Find the target type for a local root type: same id for identity, else by essential name and kind. */
function targetType(local: Btf, target: Btf, localId: number): number | undefined {
  if (local === target) return localId;
  const lt = local.type(localId);
  const want = essentialName(lt.name);
  if (!want) return undefined;
  const cand = target.types.find((t) => t.kind === lt.kind && essentialName(t.name) === want);
  return cand?.id;
}

/** Compute local or target value for one record. */
function computeValue(btf: Btf, rootId: number | undefined, rec: CoreRelo, path: number[], localSpec: FieldSpec | undefined, local: Btf, where: string): CoreValue {
  if (rootId === undefined) return { exists: false, value: 0n };
  const kind = rec.kind;
  if (isFieldKind(kind)) {
    const f = btf === local ? localSpec! : targetField(btf, rootId, localSpec!.names);
    if (!f) return { exists: false, value: 0n };
    return { exists: true, value: fieldValue(btf, f, kind, where) };
  }
  if (isEnumKind(kind)) {
    const lt = local.resolve(rec.typeId);
    const lv = lt.values?.[path[0]!];
    if (!lv) throw new BtfError(`enum value index ${path[0]} is out of range for ${local.typeName(lt.id)}`, where);
    const tt = btf.resolve(rootId);
    const tv = tt.values?.find((v) => essentialName(v.name) === essentialName(lv.name));
    if (!tv) return { exists: false, value: 0n };
    return { exists: true, value: kind === CoreKind.ENUMVAL_EXISTS ? 1n : tv.value };
  }
  switch (kind) {
    case CoreKind.TYPE_ID_LOCAL:
      return { exists: true, value: BigInt(rec.typeId) };
    case CoreKind.TYPE_ID_TARGET:
      return { exists: true, value: BigInt(rootId) };
    case CoreKind.TYPE_EXISTS:
    case CoreKind.TYPE_MATCHES:
      return { exists: true, value: 1n };
    case CoreKind.TYPE_SIZE:
      return { exists: true, value: BigInt(btf.sizeof(rootId)) };
    default:
      throw new BtfError(`unknown CO-RE relocation kind ${kind}`, where);
  }
}

/** Value an instruction currently holds in the slot a relocation patches. */
function insnValue(insns: Insn[], i: number, where: string): { get: () => bigint; set: (v: bigint) => void } {
  const insn = insns[i];
  if (!insn) throw new BtfError(`instruction ${i} does not exist`, where);
  const c = insn.code & 7;
  if (insn.code === LD_IMM64) {
    const next = insns[i + 1];
    if (!next) throw new BtfError('LD_IMM64 is missing its second slot', where);
    return {
      get: () => (BigInt(next.imm >>> 0) << 32n) | BigInt(insn.imm >>> 0),
      set: (v) => {
        insn.imm = Number(BigInt.asIntN(32, v));
        next.imm = Number(BigInt.asIntN(32, v >> 32n));
      },
    };
  }
  if ((c === Cls.ALU || c === Cls.ALU64) && (insn.code & 0x08) === 0) {
    return { get: () => BigInt(insn.imm), set: (v) => (insn.imm = Number(BigInt.asIntN(32, v))) };
  }
  if ((c === Cls.LDX || c === Cls.ST || c === Cls.STX) && ((insn.code & 0xe0) === Mode.MEM || (insn.code & 0xe0) === Mode.MEMSX)) {
    return { get: () => BigInt(insn.off), set: (v) => (insn.off = Number(BigInt.asIntN(16, v))) };
  }
  throw new BtfError(`CO-RE relocation on instruction with opcode 0x${insn.code.toString(16)} that has no patchable field`, where);
}

/** Helper id the kernel does not have; libbpf "poisons" unresolvable relocations with a call to it
 *  so the verifier reports the dead path only if it is reachable. */
export const CORE_POISON_HELPER = 0xbad2310;

export interface CoreReport {
  insn: number;
  kind: string;
  access: string;
  type: string;
  local: bigint;
  target: bigint | undefined;
}

/**
 * Apply CO-RE records to one section's instructions (in place). `targetBtf` may be the local BTF
 * (identity) or a kernel BTF. Throws BtfError when clang's baked-in value disagrees with the local
 * BTF (a corrupt record), naming the instruction.
 */
export function applyCoreRelocations(insns: Insn[], records: readonly CoreRelo[], localBtf: Btf, targetBtf: Btf, section = ''): CoreReport[] {
  const out: CoreReport[] = [];
  for (const rec of records) {
    const where = `${section ? section + ' ' : ''}insn ${rec.insn} CO-RE ${CORE_KIND_NAMES[rec.kind] ?? `kind#${rec.kind}`} "${rec.access}"`;
    if (rec.kind > CoreKind.TYPE_MATCHES) throw new BtfError(`unknown CO-RE relocation kind ${rec.kind}`, where);
    if (rec.typeId === 0 || rec.typeId >= localBtf.types.length) throw new BtfError(`root type ${rec.typeId} does not exist`, where);
    const path = parseAccess(rec.access, where);
    const localSpec = isFieldKind(rec.kind) ? localField(localBtf, rec.typeId, path, where) : undefined;
    const local = computeValue(localBtf, rec.typeId, rec, path, localSpec, localBtf, where);
    const tId = targetType(localBtf, targetBtf, localBtf.resolve(rec.typeId).id);
    const target = computeValue(targetBtf, tId, rec, path, localSpec, localBtf, where);
    const slot = insnValue(insns, rec.insn, where);
    const orig = slot.get();
    // clang stores the local value (for exists/match kinds: 1); a different value means the
    // record does not belong to this instruction.
    // Bitfield loads are clang's choice of width, so libbpf does not validate them either.
    const bitfield = localSpec !== undefined && localSpec.bitfieldSize > 0;
    const origOk = bitfield || rec.kind === CoreKind.TYPE_ID_TARGET || rec.kind === CoreKind.TYPE_ID_LOCAL || orig === local.value || BigInt.asIntN(32, orig) === BigInt.asIntN(32, local.value);
    if (!origOk) throw new BtfError(`instruction holds ${orig}, but the local BTF gives ${local.value}`, where);
    let result: bigint;
    if (target.exists) result = target.value;
    else if (rec.kind === CoreKind.FIELD_EXISTS || rec.kind === CoreKind.TYPE_EXISTS || rec.kind === CoreKind.ENUMVAL_EXISTS || rec.kind === CoreKind.TYPE_MATCHES) result = 0n;
    else {
      // Poison: the verifier rejects the instruction only if it is reachable.
      const insn = insns[rec.insn]!;
      insns[rec.insn] = { code: Cls.JMP | 0x80, dst: 0, src: 0, off: 0, imm: CORE_POISON_HELPER };
      void insn;
      out.push({ insn: rec.insn, kind: CORE_KIND_NAMES[rec.kind]!, access: rec.access, type: localBtf.typeName(rec.typeId), local: local.value, target: undefined });
      continue;
    }
    slot.set(result);
    out.push({ insn: rec.insn, kind: CORE_KIND_NAMES[rec.kind]!, access: rec.access, type: localBtf.typeName(rec.typeId), local: local.value, target: result });
  }
  return out;
}
