// libbpf's CO-RE rules on hand-made BTFs: flavour suffixes on either side, compatible kinds only,
// candidates that must agree, member types that must be compatible, array bounds, load-size
// adjustment for integers that changed width, and poisoning (never an error at load).
import { describe, expect, it } from 'vitest';
import { BtfKind, IntEnc, parseBtf, type Btf, type BtfType } from '../../src/btf/btf.js';
import { encodeBtf } from '../../src/btf/builtin-writer.js';
import { applyCoreRelocations, CORE_POISON_HELPER, coreCandidates } from '../../src/btf/core.js';
import { CoreKind, type CoreRelo } from '../../src/btf/ext.js';
import { BtfError } from '../../src/errors.js';
import type { Insn } from '../../vm/isa.js';

type Rec = Omit<BtfType, 'id'>;
const base = (kind: number, name: string, sizeOrType: number, extra: Partial<Rec> = {}): Rec => ({ kind: kind as Rec['kind'], name, kindFlag: false, vlen: 0, sizeOrType, ...extra });
const int = (name: string, size: number, signed = false): Rec => base(BtfKind.INT, name, size, { intEncoding: signed ? IntEnc.SIGNED : 0, intOffset: 0, intBits: size * 8 });
const struct = (name: string, size: number, members: [string, number, number][], union = false): Rec =>
  base(union ? BtfKind.UNION : BtfKind.STRUCT, name, size, { members: members.map(([n, type, off]) => ({ name: n, type, bitOffset: off * 8, bitfieldSize: 0 })) });
const btf = (...types: Rec[]): Btf => parseBtf(encodeBtf(types));

// Local: [1] u32, [2] struct foo { u32 a @0; u32 b @4; }, [3] u64, [4] struct bar { u32 x[4] @0 }, [5] u32[4]
const LOCAL = btf(int('u32', 4), struct('foo', 8, [['a', 1, 0], ['b', 1, 4]]), int('u64', 8), struct('bar', 16, [['x', 5, 0]]), base(BtfKind.ARRAY, '', 0, { elemType: 1, indexType: 1, nelems: 4 }));

const ldx = (off: number): Insn => ({ code: 0x61, dst: 0, src: 1, off, imm: 0 }); // r0 = *(u32 *)(r1 + off)
const mov = (imm: number): Insn => ({ code: 0xb7, dst: 0, src: 0, off: 0, imm }); // r0 = imm
const relo = (kind: number, access: string, typeId = 2): CoreRelo => ({ insn: 0, typeId, access, kind });

function apply(target: Btf, insn: Insn, r: CoreRelo, local: Btf = LOCAL) {
  const insns = [insn, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }];
  const rep = applyCoreRelocations(insns, [r], local, target)[0]!;
  return { insn: insns[0]!, rep };
}

describe('candidates', () => {
  it('match by essential name on both sides, compatible kinds only', () => {
    const t = btf(int('u32', 4), struct('foo___v2', 8, [['b', 1, 0], ['a', 1, 4]]), struct('foo', 4, [['a', 1, 0]], true), base(BtfKind.TYPEDEF, 'foo', 2));
    expect(coreCandidates(LOCAL, t, 2)).toEqual([2]); // the union and the typedef are other kinds
    const flavoured = btf(int('u32', 4), struct('foo___local', 8, [['a', 1, 0], ['b', 1, 4]]));
    expect(coreCandidates(flavoured, t, 2)).toEqual([2]);
    expect(apply(t, ldx(4), relo(CoreKind.FIELD_BYTE_OFFSET, '0:1')).insn.off).toBe(0); // b moved to 0
  });

  it('several candidates must agree, else the load fails', () => {
    const agree = btf(int('u32', 4), struct('foo___x', 8, [['a', 1, 0], ['b', 1, 4]]), struct('foo___y', 12, [['a', 1, 0], ['b', 1, 4]]));
    expect(apply(agree, ldx(4), relo(CoreKind.FIELD_BYTE_OFFSET, '0:1')).insn.off).toBe(4);
    const disagree = btf(int('u32', 4), struct('foo___x', 8, [['a', 1, 0], ['b', 1, 4]]), struct('foo___y', 12, [['a', 1, 0], ['b', 1, 8]]));
    expect(() => apply(disagree, ldx(4), relo(CoreKind.FIELD_BYTE_OFFSET, '0:1'))).toThrow(/field offset ambiguity/);
    // Even an existence check: the candidates must agree on where the field is.
    expect(() => apply(disagree, mov(1), relo(CoreKind.FIELD_EXISTS, '0:1'))).toThrow(/field offset ambiguity/);
    const sizes = btf(int('u32', 4), struct('foo___x', 8, [['a', 1, 0], ['b', 1, 4]]), struct('foo___y', 16, [['a', 1, 0], ['b', 1, 4]]));
    expect(() => apply(sizes, mov(8), relo(CoreKind.TYPE_SIZE, '0'))).toThrow(/relocation decision ambiguity/);
    // A candidate whose member has an incompatible type (a struct where an int was) drops out.
    const oneFits = btf(int('u32', 4), struct('foo___x', 8, [['a', 1, 0], ['b', 1, 4]]), struct('foo___y', 12, [['a', 1, 0], ['b', 4, 8]]), struct('inner', 4, [['q', 1, 0]]));
    expect(apply(oneFits, ldx(4), relo(CoreKind.FIELD_BYTE_OFFSET, '0:1')).insn.off).toBe(4);
  });
});

describe('field relocations', () => {
  it('a missing field: exists is 0, an offset is poisoned', () => {
    const t = btf(int('u32', 4), struct('foo', 4, [['a', 1, 0]]));
    expect(apply(t, mov(1), relo(CoreKind.FIELD_EXISTS, '0:1')).insn.imm).toBe(0);
    const { insn, rep } = apply(t, ldx(4), relo(CoreKind.FIELD_BYTE_OFFSET, '0:1'));
    expect(insn).toMatchObject({ code: 0x85, imm: CORE_POISON_HELPER });
    expect(rep.failure).toBe('struct foo.b not found in the target BTF');
    expect(rep.spec).toBe('struct foo.b');
  });

  it('an unsigned integer that grew is loaded at its new width; a signed one is poisoned', () => {
    const grown = btf(int('u32', 4), struct('foo', 16, [['a', 1, 0], ['b', 3, 8]]), int('u64', 8));
    const { insn } = apply(grown, ldx(4), relo(CoreKind.FIELD_BYTE_OFFSET, '0:1'));
    expect(insn).toMatchObject({ code: 0x79, off: 8 }); // r0 = *(u64 *)(r1 + 8)
    expect(apply(grown, mov(4), relo(CoreKind.FIELD_BYTE_SIZE, '0:1')).insn.imm).toBe(8);
    const signed = btf(int('u32', 4), struct('foo', 16, [['a', 1, 0], ['b', 3, 8]]), int('s64', 8, true));
    const r = apply(signed, ldx(4), relo(CoreKind.FIELD_BYTE_OFFSET, '0:1'));
    expect(r.insn.imm).toBe(CORE_POISON_HELPER);
    expect(r.rep.failure).toMatch(/only pointers and unsigned integers/);
  });

  it('array indices must be in the target bounds', () => {
    const shorter = btf(int('u32', 4), base(BtfKind.ARRAY, '', 0, { elemType: 1, indexType: 1, nelems: 2 }), struct('bar', 8, [['x', 2, 0]]));
    expect(apply(shorter, ldx(12), relo(CoreKind.FIELD_BYTE_OFFSET, '0:0:3', 4)).rep.failure).toMatch(/struct bar\.x\[3\] not found/);
    expect(apply(shorter, ldx(4), relo(CoreKind.FIELD_BYTE_OFFSET, '0:0:1', 4)).insn.off).toBe(4);
  });

  it('identity against the local BTF validates what clang baked in', () => {
    expect(() => apply(LOCAL, ldx(8), relo(CoreKind.FIELD_BYTE_OFFSET, '0:1'), LOCAL)).toThrow(BtfError);
  });
});

describe('type and enum relocations', () => {
  it('type id, existence and size; missing types give 0', () => {
    const t = btf(int('u32', 4), int('u64', 8), struct('foo', 24, [['a', 1, 0], ['b', 1, 4]]));
    expect(apply(t, mov(2), relo(CoreKind.TYPE_ID_TARGET, '0')).insn.imm).toBe(3);
    expect(apply(t, mov(2), relo(CoreKind.TYPE_ID_LOCAL, '0')).insn.imm).toBe(2);
    expect(apply(t, mov(8), relo(CoreKind.TYPE_SIZE, '0')).insn.imm).toBe(24);
    expect(apply(t, mov(1), relo(CoreKind.TYPE_MATCHES, '0')).insn.imm).toBe(1);
    const none = btf(int('u32', 4));
    expect(apply(none, mov(1), relo(CoreKind.TYPE_EXISTS, '0')).insn.imm).toBe(0);
    expect(apply(none, mov(8), relo(CoreKind.TYPE_SIZE, '0')).insn.imm).toBe(0);
  });

  it('type_matches needs every local member, with matching integer types', () => {
    const fewer = btf(int('u32', 4), struct('foo', 8, [['a', 1, 0]]));
    expect(apply(fewer, mov(1), relo(CoreKind.TYPE_MATCHES, '0')).insn.imm).toBe(0);
    const signed = btf(int('u32', 4, true), struct('foo', 8, [['a', 1, 0], ['b', 1, 4]]));
    expect(apply(signed, mov(1), relo(CoreKind.TYPE_MATCHES, '0')).insn.imm).toBe(0);
    expect(apply(signed, mov(1), relo(CoreKind.TYPE_EXISTS, '0')).insn.imm).toBe(1); // compat is looser
  });

  it('enum values by essential name, enum and enum64 compatible; a missing value poisons', () => {
    const local = btf(base(BtfKind.ENUM, 'color', 4, { values: [{ name: 'RED___x', value: 1n }, { name: 'BLUE', value: 2n }] }));
    const target = btf(base(BtfKind.ENUM64, 'color', 8, { values: [{ name: 'RED', value: 0x1_0000_0007n }] }));
    const ld = (): Insn => ({ code: 0x18, dst: 0, src: 0, off: 0, imm: 1 });
    const insns = [ld(), { code: 0, dst: 0, src: 0, off: 0, imm: 0 }, mov(1), ld(), { code: 0, dst: 0, src: 0, off: 0, imm: 0 }];
    insns[3]!.imm = 2;
    const r = applyCoreRelocations(insns, [
      { insn: 0, typeId: 1, access: '0', kind: CoreKind.ENUMVAL_VALUE },
      { insn: 2, typeId: 1, access: '1', kind: CoreKind.ENUMVAL_EXISTS },
      { insn: 3, typeId: 1, access: '1', kind: CoreKind.ENUMVAL_VALUE },
    ], local, target);
    expect(r[0]!.target).toBe(0x1_0000_0007n);
    expect(insns[1]!.imm).toBe(1); // LD_IMM64 high half
    expect(insns[2]!.imm).toBe(0);
    expect(insns[3]!.imm).toBe(CORE_POISON_HELPER);
    expect(insns[4]!.imm).toBe(CORE_POISON_HELPER); // both halves of the LD_IMM64
  });
});
