// CO-RE (compile once, run everywhere) relocations, following libbpf's relo_core.c.
//
// A record names an instruction, a root type of the object's ("local") BTF and an access path
// ("0:1:2": an array index on the root pointer, then member / array indices). The value the
// instruction needs (field offset, size, existence, signedness, bitfield shifts, type id, type
// existence/size/match, enum value existence/value) is computed twice: against the local BTF
// (clang baked that value into the instruction, so we check it) and against the target BTF (the
// runtime's built-in kernel BTF, or a kernel's such as /sys/kernel/btf/vmlinux).
//
// Candidate rules (libbpf): target types with the local root's name, ignoring a `___flavor`
// suffix on either side, and a compatible kind (same kind; enum and enum64 count as one). For each
// candidate the access path is matched member by member (by exact member name, looking through
// anonymous structs/unions, with compatible member types, array indices within bounds); candidates
// that do not match are dropped, and all remaining candidates must compute the same value or the
// load fails ("ambiguous"). When none remains, *_exists / type_matches give 0, type-based kinds
// give 0, and everything else is "poisoned": the instruction becomes a call to helper 0xbad2310
// which only fails if it runs (the verifier rejects it only if it is reachable; the VM faults with
// the relocation's description when it executes it).
import { BtfError } from '../errors.js';
import { Cls, Mode, LD_IMM64, type Insn } from '../../vm/isa.js';
import { Btf, BtfKind, IntEnc, KIND_NAMES, type BtfType } from './btf.js';
import { CoreKind, CORE_KIND_NAMES, type CoreRelo } from './ext.js';

/** Helper id the kernel does not have; libbpf "poisons" unresolvable relocations with a call to it
 *  ("bad relo" in hex speak) so the verifier reports the dead path only if it is reachable. */
export const CORE_POISON_HELPER = 0xbad2310;

/** Name without a `___flavor` suffix, as libbpf matches "essential" names. */
export function essentialName(name: string): string {
  const i = name.indexOf('___');
  return i > 0 ? name.slice(0, i) : name;
}

function isFieldKind(kind: number): boolean {
  return kind <= CoreKind.FIELD_RSHIFT_U64;
}
function isEnumKind(kind: number): boolean {
  return kind === CoreKind.ENUMVAL_EXISTS || kind === CoreKind.ENUMVAL_VALUE;
}
function isAnyEnum(t: BtfType): boolean {
  return t.kind === BtfKind.ENUM || t.kind === BtfKind.ENUM64;
}
function isComposite(t: BtfType): boolean {
  return t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION;
}
/** btf_kind_core_compat: same kind, or both enums of any width. */
function kindsCompat(a: BtfType, b: BtfType): boolean {
  return a.kind === b.kind || (isAnyEnum(a) && isAnyEnum(b));
}

// ---- access specs ------------------------------------------------------------------------------

/** One resolved access path in one BTF. */
interface FieldSpec {
  /** Type id reached at the end of the path (unresolved, as the member declares it). */
  typeId: number;
  bitOffset: number;
  bitfieldSize: number;
  /** Steps after the root index: member names or array indices (for matching and messages). */
  steps: (string | number)[];
}

function parseAccess(access: string, where: string): number[] {
  if (!/^\d+(:\d+)*$/.test(access)) throw new BtfError(`malformed CO-RE access string "${access}"`, where);
  return access.split(':').map(Number);
}

/** Walk the local access path from `rootId`. */
function localField(btf: Btf, rootId: number, path: number[], where: string): FieldSpec {
  let t = btf.resolve(rootId);
  let typeId = rootId;
  let bitOffset = path[0]! * btf.sizeof(rootId) * 8;
  let bitfieldSize = 0;
  const steps: (string | number)[] = [];
  for (let i = 1; i < path.length; i++) {
    const idx = path[i]!;
    if (isComposite(t)) {
      const m = t.members![idx];
      if (!m) throw new BtfError(`access index ${idx} is past the ${t.members!.length} members of ${btf.typeName(t.id)}`, where);
      bitOffset += m.bitOffset;
      bitfieldSize = m.bitfieldSize;
      // Anonymous members are stepped through by index; named ones are matched by name.
      steps.push(m.name || `#${idx}`);
      typeId = m.type;
    } else if (t.kind === BtfKind.ARRAY) {
      bitOffset += idx * btf.sizeof(t.elemType!) * 8;
      bitfieldSize = 0;
      steps.push(idx);
      typeId = t.elemType!;
    } else {
      throw new BtfError(`access index ${idx} applies to ${btf.typeName(t.id)}, which is neither a struct, union nor array`, where);
    }
    t = btf.resolve(typeId);
  }
  return { typeId, bitOffset, bitfieldSize, steps };
}

/** Member by name, looking through anonymous struct/union members as C does. */
function findMember(btf: Btf, t: BtfType, name: string, depth = 0): { type: number; bitOffset: number; bitfieldSize: number } | undefined {
  if (depth > 32) return undefined;
  for (const m of t.members!) {
    if (m.name === name) return m;
    if (!m.name) {
      const inner = btf.resolve(m.type);
      if (isComposite(inner)) {
        const r = findMember(btf, inner, name, depth + 1);
        if (r) return { ...r, bitOffset: r.bitOffset + m.bitOffset };
      }
    }
  }
  return undefined;
}

/** bpf_core_fields_are_compat: may a local member of type `lid` be read as target type `tid`? */
function fieldsCompat(lb: Btf, lid: number, tb: Btf, tid: number, depth = 0): boolean {
  if (depth > 32) return false;
  const l = lb.resolve(lid);
  const t = tb.resolve(tid);
  if (isComposite(l) && isComposite(t)) return true;
  if (!kindsCompat(l, t)) return false;
  switch (l.kind) {
    case BtfKind.PTR:
    case BtfKind.FLOAT:
      return true;
    case BtfKind.FWD:
    case BtfKind.ENUM:
    case BtfKind.ENUM64:
      return !l.name || !t.name || essentialName(l.name) === essentialName(t.name);
    case BtfKind.INT:
      return l.intOffset === 0 && t.intOffset === 0;
    case BtfKind.ARRAY:
      return fieldsCompat(lb, l.elemType!, tb, t.elemType!, depth + 1);
    default:
      return false;
  }
}

/** Follow the local path in a target candidate; undefined when it does not match. */
function targetField(lb: Btf, local: FieldSpec, localRoot: number, path: number[], tb: Btf, candId: number): FieldSpec | undefined {
  let t = tb.resolve(candId);
  let typeId = candId;
  let bitOffset = path[0]! * tb.sizeof(candId) * 8;
  let bitfieldSize = 0;
  // Re-walk the local side in step with the target to check member type compatibility.
  let l = lb.resolve(localRoot);
  for (let i = 1; i < path.length; i++) {
    const step = local.steps[i - 1]!;
    if (typeof step === 'number') {
      if (t.kind !== BtfKind.ARRAY || l.kind !== BtfKind.ARRAY) return undefined;
      // A flexible array (no elements, last member) accepts any index.
      if (step >= t.nelems! && t.nelems !== 0) return undefined;
      bitOffset += step * tb.sizeof(t.elemType!) * 8;
      bitfieldSize = 0;
      typeId = t.elemType!;
      l = lb.resolve(l.elemType!);
    } else {
      if (!isComposite(t)) return undefined;
      const lm = l.members![path[i]!]!;
      let found: { type: number; bitOffset: number; bitfieldSize: number } | undefined;
      if (!lm.name && i < path.length - 1 && isComposite(lb.resolve(lm.type))) {
        // An anonymous struct/union on the way to a named field: libbpf's spec records only named
        // accessors, and the named field is then looked up through the target's anonymous
        // members (bpf_core_match_member), so the target may nest it differently or not at all.
        l = lb.resolve(lm.type);
        continue;
      }
      if (!lm.name) {
        // Anonymous local member: the target must have one at the same index of a compatible kind.
        const tm = t.members![path[i]!];
        if (!tm || tm.name || !isComposite(tb.resolve(tm.type))) return undefined;
        found = tm;
      } else found = findMember(tb, t, lm.name);
      if (!found || !fieldsCompat(lb, lm.type, tb, found.type)) return undefined;
      bitOffset += found.bitOffset;
      bitfieldSize = found.bitfieldSize;
      typeId = found.type;
      l = lb.resolve(lm.type);
    }
    t = tb.resolve(typeId);
  }
  return { typeId, bitOffset, bitfieldSize, steps: local.steps };
}

/** bpf_core_types_are_compat: shape compatibility for type-based relocations (names of nested
 *  structs are not compared, integers of any size are compatible). */
function typesCompat(lb: Btf, lid: number, tb: Btf, tid: number, depth = 0): boolean {
  if (depth > 32) return false;
  const l = lb.resolve(lid);
  const t = tb.resolve(tid);
  if (l.id === 0 || t.id === 0) return l.id === t.id;
  if (!kindsCompat(l, t)) return false;
  switch (l.kind) {
    case BtfKind.STRUCT:
    case BtfKind.UNION:
    case BtfKind.ENUM:
    case BtfKind.ENUM64:
    case BtfKind.FWD:
    case BtfKind.FLOAT:
      return true;
    case BtfKind.INT:
      return l.intOffset === 0 && t.intOffset === 0;
    case BtfKind.PTR:
      return typesCompat(lb, l.sizeOrType, tb, t.sizeOrType, depth + 1);
    case BtfKind.ARRAY:
      return typesCompat(lb, l.elemType!, tb, t.elemType!, depth + 1);
    case BtfKind.FUNC_PROTO:
      if (l.params!.length !== t.params!.length) return false;
      for (let i = 0; i < l.params!.length; i++) if (!typesCompat(lb, l.params![i]!.type, tb, t.params![i]!.type, depth + 1)) return false;
      return typesCompat(lb, l.sizeOrType, tb, t.sizeOrType, depth + 1);
    default:
      return false;
  }
}

/** bpf_core_names_match: essential names equal, and an empty name matches anything. */
function namesMatch(a: string, b: string): boolean {
  return !a || !b || essentialName(a) === essentialName(b);
}

/** __bpf_core_types_match (bpf_core_type_matches): stricter than compat. Names are compared at
 *  every level (so `unsigned long` does not match gcc's `long unsigned int`), every local member
 *  must find a same-named target member of a matching type, every local enumerator a same-named
 *  target one, integers agree on size and signedness, arrays on length; behind a pointer a
 *  struct only needs the same kind (or a forward declaration of it). */
function typesMatch(lb: Btf, lid: number, tb: Btf, tid: number, behindPtr: boolean, depth = 0): boolean {
  if (depth > 32) return false;
  const l = lb.resolve(lid);
  const t = tb.resolve(tid);
  if (l.id === 0 || t.id === 0) return l.id === t.id;
  if (!namesMatch(l.name, t.name)) return false;
  switch (l.kind) {
    case BtfKind.FWD:
      if (behindPtr) {
        if (t.kind === BtfKind.FWD) return t.kindFlag === l.kindFlag;
        return (t.kind === BtfKind.STRUCT && !l.kindFlag) || (t.kind === BtfKind.UNION && l.kindFlag);
      }
      return t.kind === BtfKind.FWD && t.kindFlag === l.kindFlag;
    case BtfKind.STRUCT:
    case BtfKind.UNION:
      if (behindPtr) return l.kind === t.kind || (t.kind === BtfKind.FWD && (l.kind === BtfKind.UNION) === t.kindFlag);
      if (l.kind !== t.kind || l.members!.length > t.members!.length) return false;
      return l.members!.every((m) => t.members!.some((tm) => namesMatch(m.name, tm.name) && typesMatch(lb, m.type, tb, tm.type, behindPtr, depth + 1)));
    case BtfKind.ENUM:
    case BtfKind.ENUM64:
      if (!isAnyEnum(t) || l.sizeOrType !== t.sizeOrType || l.values!.length > t.values!.length) return false;
      return l.values!.every((v) => t.values!.some((w) => namesMatch(v.name, w.name)));
    case BtfKind.INT:
      return t.kind === BtfKind.INT && l.sizeOrType === t.sizeOrType && ((l.intEncoding! & IntEnc.SIGNED) !== 0) === ((t.intEncoding! & IntEnc.SIGNED) !== 0);
    case BtfKind.FLOAT:
      return t.kind === BtfKind.FLOAT && l.sizeOrType === t.sizeOrType;
    case BtfKind.PTR:
      return t.kind === BtfKind.PTR && typesMatch(lb, l.sizeOrType, tb, t.sizeOrType, true, depth + 1);
    case BtfKind.ARRAY:
      return t.kind === BtfKind.ARRAY && l.nelems === t.nelems && typesMatch(lb, l.elemType!, tb, t.elemType!, behindPtr, depth + 1);
    case BtfKind.FUNC_PROTO:
      if (t.kind !== BtfKind.FUNC_PROTO || l.params!.length !== t.params!.length) return false;
      for (let i = 0; i < l.params!.length; i++) if (!typesMatch(lb, l.params![i]!.type, tb, t.params![i]!.type, behindPtr, depth + 1)) return false;
      return typesMatch(lb, l.sizeOrType, tb, t.sizeOrType, behindPtr, depth + 1);
    default:
      return false;
  }
}

/** bpf_core_types_are_compat, for callers outside CO-RE (typed __ksym checks). */
export function typesAreCompatible(local: Btf, localId: number, target: Btf, targetId: number): boolean {
  return typesCompat(local, localId, target, targetId);
}

// ---- candidates ------------------------------------------------------------------------------------

/** Target types by essential name, built once per target BTF (a kernel BTF has ~100k types). */
const ESSENTIAL_INDEX = new WeakMap<Btf, Map<string, number[]>>();

function byEssentialName(btf: Btf, name: string): number[] {
  let idx = ESSENTIAL_INDEX.get(btf);
  if (!idx) {
    idx = new Map();
    for (const t of btf.types) {
      if (!t.name) continue;
      const k = essentialName(t.name);
      (idx.get(k) ?? idx.set(k, []).get(k)!).push(t.id);
    }
    ESSENTIAL_INDEX.set(btf, idx);
  }
  return idx.get(name) ?? [];
}

/** Candidate lists per local root type, per (local, target) pair: libbpf shares one list among all
 *  relocations of a root type and prunes it as candidates fail to match. */
const CANDIDATE_CACHE = new WeakMap<Btf, WeakMap<Btf, Map<number, number[]>>>();

function candidateList(local: Btf, target: Btf, localId: number): number[] {
  let perTarget = CANDIDATE_CACHE.get(local);
  if (!perTarget) CANDIDATE_CACHE.set(local, (perTarget = new WeakMap()));
  let byRoot = perTarget.get(target);
  if (!byRoot) perTarget.set(target, (byRoot = new Map()));
  let list = byRoot.get(localId);
  if (!list) byRoot.set(localId, (list = coreCandidates(local, target, localId)));
  return list;
}

/** bpf_core_find_cands: same essential name, compatible kind. */
export function coreCandidates(local: Btf, target: Btf, localId: number): number[] {
  const lt = local.type(localId);
  const want = essentialName(lt.name);
  if (!want) return [];
  return byEssentialName(target, want).filter((id) => kindsCompat(lt, target.type(id)));
}

// ---- values ------------------------------------------------------------------------------------------

interface FieldValue {
  value: bigint;
  /** Bytes a load of the field reads (for memory-size adjustment of LDX/ST/STX); undefined for
   *  bitfields, whose loads libbpf never resizes. */
  size: number | undefined;
  /** Whether a load of the field may change width: pointers, and unsigned integers (zero
   *  extension keeps the value); libbpf poisons any other size change. */
  resizable: 'ptr' | 'uint' | undefined;
  /** Whether clang's baked-in value is checked (not for bitfield offsets/sizes, as libbpf). */
  validate: boolean;
}

/** Field value for one of the FIELD_* kinds, following libbpf's bitfield load-size rules. */
function fieldValue(btf: Btf, f: FieldSpec, kind: number, where: string): FieldValue {
  const t = btf.resolve(f.typeId);
  const bitfield = f.bitfieldSize > 0;
  let byteSize = btf.sizeof(f.typeId);
  let byteOff: number;
  if (!bitfield) {
    if (f.bitOffset % 8 !== 0) throw new BtfError('field offset is not byte-aligned', where);
    byteOff = f.bitOffset / 8;
  } else {
    // Load the smallest power-of-two chunk (starting at the member type's size) that covers the
    // bits, so LSHIFT/RSHIFT extract the bitfield from a u64.
    if (!(byteSize > 0)) throw new BtfError(`bitfield of a type of size ${byteSize}`, where);
    byteOff = Math.floor(f.bitOffset / 8 / byteSize) * byteSize;
    while (f.bitOffset + f.bitfieldSize - byteOff * 8 > byteSize * 8) {
      if (byteSize >= 8) throw new BtfError('bitfield cannot be loaded with one 64-bit access', where);
      byteSize *= 2;
      byteOff = Math.floor(f.bitOffset / 8 / byteSize) * byteSize;
    }
  }
  const bits = bitfield ? f.bitfieldSize : byteSize * 8;
  // An access ending in an array index (a[n]) has an offset and a size, nothing else.
  const arrayElem = typeof f.steps[f.steps.length - 1] === 'number';
  if (arrayElem && kind !== CoreKind.FIELD_BYTE_OFFSET && kind !== CoreKind.FIELD_BYTE_SIZE && kind !== CoreKind.FIELD_EXISTS)
    throw new BtfError(`${CORE_KIND_NAMES[kind]} cannot be applied to an array element access`, where);
  const resizable = t.kind === BtfKind.PTR ? 'ptr' : t.kind === BtfKind.INT && (t.intEncoding! & IntEnc.SIGNED) === 0 ? 'uint' : undefined;
  // As libbpf: clang's bitfield values depend on its own choice of load width, so only
  // signedness and the right shift (never ambiguous) are checked for bitfields.
  const out = (value: bigint, validate = !bitfield): FieldValue => ({ value, size: bitfield ? undefined : byteSize, resizable, validate });
  switch (kind) {
    case CoreKind.FIELD_BYTE_OFFSET:
      return out(BigInt(byteOff));
    case CoreKind.FIELD_BYTE_SIZE:
      return out(BigInt(byteSize));
    case CoreKind.FIELD_EXISTS:
      return out(1n);
    case CoreKind.FIELD_SIGNED:
      return out((isAnyEnum(t) && t.kindFlag) || (t.kind === BtfKind.INT && (t.intEncoding! & IntEnc.SIGNED) !== 0) ? 1n : 0n, true);
    case CoreKind.FIELD_LSHIFT_U64:
      return out(BigInt(64 - (f.bitOffset + bits - byteOff * 8)));
    case CoreKind.FIELD_RSHIFT_U64:
      return out(BigInt(64 - bits), true);
    default:
      throw new BtfError(`not a field relocation kind ${kind}`, where);
  }
}

/** Outcome of one relocation against one BTF: a value, or "poison" (not found). */
interface Outcome {
  value: bigint;
  poison: boolean;
  /** For field kinds: the field's load size and whether it may change (memory-size adjustment). */
  size?: number | undefined;
  resizable?: 'ptr' | 'uint' | undefined;
  /** For field kinds: where the field is, which every candidate must agree on. */
  bitOffset?: number;
  validate: boolean;
  /** What the target matched, for reports: type id and description. */
  targetId?: number;
}

/** Value of `rec` against candidate `candId` of `tb`, or undefined when the candidate does not match. */
function evaluate(lb: Btf, rec: CoreRelo, path: number[], local: FieldSpec | undefined, tb: Btf, candId: number, where: string): Outcome | undefined {
  const kind = rec.kind;
  if (isFieldKind(kind)) {
    const f = tb === lb && candId === rec.typeId ? local! : targetField(lb, local!, rec.typeId, path, tb, candId);
    if (!f) return undefined;
    const v = fieldValue(tb, f, kind, where);
    return { value: v.value, poison: false, size: v.size, resizable: v.resizable, bitOffset: f.bitOffset, validate: v.validate, targetId: candId };
  }
  if (isEnumKind(kind)) {
    const lt = lb.resolve(rec.typeId);
    const lv = lt.values?.[path[0]!];
    if (!lv) throw new BtfError(`enum value index ${path[0]} is out of range for ${lb.typeName(lt.id)}`, where);
    const tt = tb.resolve(candId);
    if (!isAnyEnum(tt)) return undefined;
    const tv = tt.values!.find((v) => essentialName(v.name) === essentialName(lv.name));
    if (!tv) return undefined;
    return { value: kind === CoreKind.ENUMVAL_EXISTS ? 1n : tv.value, poison: false, validate: true, targetId: candId };
  }
  if (kind === CoreKind.TYPE_MATCHES) {
    if (!typesMatch(lb, rec.typeId, tb, candId, false)) return undefined;
    return { value: 1n, poison: false, validate: true, targetId: candId };
  }
  if (kind === CoreKind.TYPE_ID_LOCAL) return { value: BigInt(rec.typeId), poison: false, validate: false, targetId: candId };
  if (!typesCompat(lb, rec.typeId, tb, candId)) return undefined;
  switch (kind) {
    case CoreKind.TYPE_ID_TARGET:
      return { value: BigInt(candId), poison: false, validate: false, targetId: candId };
    case CoreKind.TYPE_EXISTS:
      return { value: 1n, poison: false, validate: true, targetId: candId };
    case CoreKind.TYPE_SIZE:
      return { value: BigInt(tb.sizeof(candId)), poison: false, validate: true, targetId: candId };
    default:
      throw new BtfError(`unknown CO-RE relocation kind ${kind}`, where);
  }
}

/** No candidate matched: libbpf's answer per kind (0 for existence and type-based kinds). */
function notFound(kind: number): Outcome {
  switch (kind) {
    case CoreKind.FIELD_EXISTS:
    case CoreKind.ENUMVAL_EXISTS:
    case CoreKind.TYPE_EXISTS:
    case CoreKind.TYPE_MATCHES:
    case CoreKind.TYPE_SIZE:
    case CoreKind.TYPE_ID_TARGET:
      return { value: 0n, poison: false, validate: true };
    default:
      return { value: 0n, poison: true, validate: true };
  }
}

// ---- patching ------------------------------------------------------------------------------------------

const SIZE_BYTES: Record<number, number> = { 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 };
const BYTES_SIZE: Record<number, number> = { 4: 0x00, 2: 0x08, 1: 0x10, 8: 0x18 };

function isMemInsn(insn: Insn): boolean {
  const c = insn.code & 7;
  const mode = insn.code & 0xe0;
  return (c === Cls.LDX || c === Cls.ST || c === Cls.STX) && (mode === Mode.MEM || mode === Mode.MEMSX);
}

/** The slot a relocation patches in an instruction (imm of ALU-K / LD_IMM64, off of a memory access). */
function insnSlot(insns: Insn[], i: number, where: string): { get: () => bigint; set: (v: bigint) => void } {
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
  if (isMemInsn(insn)) return { get: () => BigInt(insn.off), set: (v) => (insn.off = Number(BigInt.asIntN(16, v))) };
  throw new BtfError(`CO-RE relocation on instruction with opcode 0x${insn.code.toString(16)} that has no patchable field`, where);
}

function poisonInsn(insns: Insn[], i: number): void {
  const call = (): Insn => ({ code: Cls.JMP | 0x80, dst: 0, src: 0, off: 0, imm: CORE_POISON_HELPER });
  // A poisoned LD_IMM64 poisons its second slot too, so nothing decodes a half instruction.
  if (insns[i]!.code === LD_IMM64 && insns[i + 1]) insns[i + 1] = call();
  insns[i] = call();
}

export interface CoreReport {
  /** Relocation number within the function's records (libbpf's "relo #N"). */
  index: number;
  insn: number;
  kind: string;
  access: string;
  /** Local root type, e.g. `struct task_struct`, and the path it names, e.g. `struct task_struct.pid`. */
  type: string;
  spec: string;
  local: bigint;
  /** Value written into the instruction; undefined when poisoned. */
  target: bigint | undefined;
  /** Why the relocation failed, when poisoned. */
  failure?: string;
  /** The local spec as libbpf formats it (libbpfSpec). */
  libbpfSpec: string;
}

function describeSpec(btf: Btf, rootId: number, kind: number, path: number[], local: FieldSpec | undefined): string {
  const root = btf.typeName(rootId);
  if (local) return `${root}${local.steps.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}`;
  if (isEnumKind(kind)) return `${root}::${btf.resolve(rootId).values?.[path[0]!]?.name ?? path[0]}`;
  return root;
}

/**
 * Apply CO-RE records to one function's instructions (in place) against `targetBtf` (the local
 * BTF itself makes every relocation an identity that still validates the records). Throws
 * BtfError for corrupt records, a baked-in value that disagrees with the local BTF, and ambiguous
 * candidates; poisons relocations whose target is missing.
 */
export function applyCoreRelocations(insns: Insn[], records: readonly CoreRelo[], localBtf: Btf, targetBtf: Btf, section = ''): CoreReport[] {
  const out: CoreReport[] = [];
  records.forEach((rec, index) => {
    const kindName = CORE_KIND_NAMES[rec.kind] ?? `kind#${rec.kind}`;
    const where = `${section ? section + ' ' : ''}insn ${rec.insn} CO-RE relo #${index} ${kindName} "${rec.access}"`;
    if (rec.kind > CoreKind.TYPE_MATCHES) throw new BtfError(`unknown CO-RE relocation kind ${rec.kind}`, where);
    if (rec.typeId === 0 || rec.typeId >= localBtf.types.length) throw new BtfError(`root type ${rec.typeId} does not exist`, where);
    const path = parseAccess(rec.access, where);
    const localSpec = isFieldKind(rec.kind) ? localField(localBtf, rec.typeId, path, where) : undefined;
    const local = evaluate(localBtf, rec, path, localSpec, localBtf, rec.typeId, where);
    if (!local) throw new BtfError('the access path does not resolve in the local BTF', where);
    if (rec.kind === CoreKind.TYPE_ID_LOCAL) local.value = BigInt(rec.typeId);
    const spec = describeSpec(localBtf, rec.typeId, rec.kind, path, localSpec);

    let target: Outcome;
    if (rec.kind === CoreKind.TYPE_ID_LOCAL) target = { ...local, validate: false };
    else if (targetBtf === localBtf) target = local;
    else {
      if (!localBtf.type(rec.typeId).name) throw new BtfError(`${kindName} relocation against an anonymous type is not supported`, where);
      let chosen: Outcome | undefined;
      const cands = candidateList(localBtf, targetBtf, rec.typeId);
      const matched: number[] = [];
      for (const cand of cands) {
        const o = evaluate(localBtf, rec, path, localSpec, targetBtf, cand, where);
        if (!o) continue;
        const other = (c: Outcome) => `[${c.targetId}] ${targetBtf.typeName(c.targetId!)}`;
        if (chosen && chosen.bitOffset !== o.bitOffset)
          throw new BtfError(`field offset ambiguity: candidates ${other(chosen)} and [${cand}] ${targetBtf.typeName(cand)} put it at bit ${chosen.bitOffset} and ${o.bitOffset}`, where);
        if (chosen && chosen.value !== o.value)
          throw new BtfError(`relocation decision ambiguity: candidates ${other(chosen)} and [${cand}] ${targetBtf.typeName(cand)} give ${chosen.value} and ${o.value}`, where);
        chosen ??= o;
        matched.push(cand);
      }
      // As libbpf, candidates that did not match are dropped for later relocations of the same
      // root type (unless none matched: existence checks expect that).
      if (matched.length) cands.splice(0, cands.length, ...matched);
      target = chosen ?? notFound(rec.kind);
    }

    const slot = insnSlot(insns, rec.insn, where);
    const orig = slot.get();
    // clang stores the local value; a different one means the record does not belong to this
    // instruction (bitfield offsets and type ids are clang's choice and are not checked).
    const validate = local.validate && rec.kind !== CoreKind.TYPE_ID_TARGET && rec.kind !== CoreKind.TYPE_ID_LOCAL;
    if (validate && orig !== local.value && BigInt.asIntN(32, orig) !== BigInt.asIntN(32, local.value))
      throw new BtfError(`instruction holds ${orig}, but the local BTF gives ${local.value}`, where);

    const report = (t: bigint | undefined, failure?: string) =>
      out.push({ index, insn: rec.insn, kind: kindName, access: rec.access, type: localBtf.typeName(rec.typeId), spec, local: local.value, target: t, ...(failure ? { failure } : {}), libbpfSpec: libbpfSpec(localBtf, rec, path, localSpec) });
    const insn = insns[rec.insn]!;
    let failure: string | undefined = target.poison ? `${spec} not found in the target BTF` : undefined;
    // A field whose size changed: pointers and unsigned integers are loaded at the new size
    // (zero extension keeps the value); anything else would read garbage and is poisoned.
    if (!failure && rec.kind === CoreKind.FIELD_BYTE_OFFSET && isMemInsn(insn) && target.size !== local.size) {
      const insnBytes = SIZE_BYTES[insn.code & 0x18]!;
      if (!local.resizable || local.resizable !== target.resizable || target.size === undefined)
        failure = `${spec} changed size from ${local.size} to ${target.size} bytes; only pointers and unsigned integers can be loaded at another width`;
      else if (insnBytes !== local.size) throw new BtfError(`instruction accesses ${insnBytes} bytes, but the field has ${local.size}`, where);
      else if (BYTES_SIZE[target.size] === undefined) failure = `${spec} has size ${target.size}, which no load can read`;
      else insn.code = (insn.code & ~0x18) | BYTES_SIZE[target.size]!;
    }
    if (!failure && isMemInsn(insn) && (target.value > 0x7fffn || target.value < -0x8000n)) throw new BtfError(`offset ${target.value} does not fit an instruction's 16-bit offset`, where);
    if (failure) {
      poisonInsn(insns, rec.insn);
      report(undefined, failure);
      return;
    }
    slot.set(target.value);
    report(target.value);
  });
  return out;
}

/** libbpf's bpf_core_format_spec of the local side of a relocation, as libbpf prints it in the
 *  log line it puts in place of the kernel's at a poisoned call ("failed to resolve CO-RE
 *  relocation <rshift_u64> [23] struct s.f (0:1 @ offset 0.1)"): kind, root type id, kind and
 *  name, then the enumerator or the named path, the raw access string and the bit offset. */
function libbpfSpec(btf: Btf, rec: CoreRelo, path: number[], local: FieldSpec | undefined): string {
  const root = btf.type(rec.typeId);
  const kindStr = root.kind === BtfKind.UNKN ? 'unknown' : KIND_NAMES[root.kind]!.toLowerCase();
  let out = `<${CORE_KIND_NAMES[rec.kind]}> [${rec.typeId}] ${kindStr} ${root.name || '<anon>'}`;
  if (isEnumKind(rec.kind)) {
    const t = btf.resolve(rec.typeId);
    const e = t.values?.[path[0]!];
    if (e) out += `::${e.name} = ${t.kindFlag ? BigInt.asIntN(t.kind === BtfKind.ENUM ? 32 : 64, BigInt(e.value)) : BigInt.asUintN(t.kind === BtfKind.ENUM ? 32 : 64, BigInt(e.value))}`;
    return out;
  }
  if (!local) return out;
  // spec[0] is the root's array index (shown when not 0); anonymous members are not in libbpf's spec.
  if (path[0]) out += `[${path[0]}]`;
  for (const s of local.steps) if (typeof s === 'number') out += `[${s}]`;
  else if (!s.startsWith('#')) out += `.${s}`;
  const bit = local.bitOffset;
  return `${out} (${path.join(':')} @ offset ${Math.floor(bit / 8)}${bit % 8 ? `.${bit % 8}` : ''})`;
}

/** The message a run reports when it reaches a poisoned instruction. */
export function coreFailureMessage(r: CoreReport): string {
  return `CO-RE relocation #${r.index} failed: ${r.kind} of ${r.spec} (insn ${r.insn}): ${r.failure ?? 'not found in the target BTF'}`;
}
