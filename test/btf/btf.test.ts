// BTF parsing, layouts (sizes, alignment, member and bitfield offsets), every kind, BTF.ext, and
// the C printer compared with `bpftool btf dump file x.o format c` (goldens committed from
// bpftool v7.1; re-checked against the installed bpftool when there is one).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BtfError } from '../../src/errors.js';
import { Btf, BtfKind, IntEnc, parseBtf } from '../../src/btf/btf.js';
import { formatBtfC } from '../../src/btf/format.js';
import { open, PROGS } from '../loader/helpers.js';

const GOLDEN = join(import.meta.dirname, 'golden');
const bpftool = (() => {
  try {
    execFileSync('bpftool', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function one(btf: Btf, name: string, kind?: number) {
  const t = btf.find(name, kind as never)[0];
  if (!t) throw new Error(`no type ${name}`);
  return t;
}

describe('BTF kinds and layouts', () => {
  const s = open('ld_btf_kinds');
  const btf = s.btf!;

  it('parses every kind clang emits for this object', () => {
    const kinds = new Set(btf.types.slice(1).map((t) => t.kind));
    for (const k of [BtfKind.INT, BtfKind.PTR, BtfKind.ARRAY, BtfKind.STRUCT, BtfKind.UNION, BtfKind.ENUM, BtfKind.ENUM64, BtfKind.FWD, BtfKind.TYPEDEF, BtfKind.VOLATILE, BtfKind.CONST, BtfKind.FUNC, BtfKind.FUNC_PROTO, BtfKind.VAR, BtfKind.DATASEC, BtfKind.FLOAT, BtfKind.DECL_TAG, BtfKind.TYPE_TAG]) {
      expect(kinds, `kind ${k}`).toContain(k);
    }
  });

  it('bitfields: kind_flag offsets and widths', () => {
    const bits = one(btf, 'bits', BtfKind.STRUCT);
    expect(bits.kindFlag).toBe(true);
    expect(bits.members!.map((m) => [m.name, m.bitOffset, m.bitfieldSize])).toEqual([
      ['a', 0, 3],
      ['b', 3, 5],
      ['c', 8, 9],
      ['d', 24, 0],
      ['e', 64, 40],
    ]);
    expect(btf.sizeof(bits.id)).toBe(16);
    expect(btf.alignof(bits.id)).toBe(8);
  });

  it('struct layout with anonymous members, unions, arrays and pointers', () => {
    const node = one(btf, 'node', BtfKind.STRUCT);
    expect(node.members!.map((m) => [m.name, m.bitOffset / 8])).toEqual([
      ['next', 0],
      ['o', 8],
      ['uptr', 16],
      ['fn', 24],
      ['name', 32],
      ['n', 40],
      ['pt', 48],
      ['', 52],
      ['bg', 56],
      ['ng', 64],
    ]);
    expect(btf.sizeof(node.id)).toBe(72);
    expect(btf.typeName(node.members![4]!.type)).toBe('const volatile char[5]');
    expect(btf.sizeof(one(btf, 'num', BtfKind.UNION).id)).toBe(8);
  });

  it('enums: 64-bit values, signedness', () => {
    const big = one(btf, 'big', BtfKind.ENUM64);
    expect(big.sizeOrType).toBe(8);
    expect(big.values).toEqual([
      { name: 'BIG_SMALL', value: 1n },
      { name: 'BIG_LARGE', value: 0x1234567890n },
    ]);
    const neg = one(btf, 'neg', BtfKind.ENUM);
    expect(neg.values![0]).toEqual({ name: 'NEG_A', value: -1n });
    expect(neg.kindFlag).toBe(true);
  });

  it('decl tags on a struct, a variable, a function and its argument; a type tag on a pointer', () => {
    const tags = btf.types.filter((t) => t.kind === BtfKind.DECL_TAG).map((t) => [t.name, btf.type(t.sizeOrType).name, t.componentIdx]);
    expect(tags).toEqual(expect.arrayContaining([
      ['bits_tag', 'bits', -1],
      ['var_tag', 'g_node', -1],
      ['func_tag', 'tagged', -1],
      ['arg_tag', 'tagged', 0],
    ]));
    const tt = btf.types.find((t) => t.kind === BtfKind.TYPE_TAG)!;
    expect(tt.name).toBe('user');
    expect(btf.type(tt.sizeOrType).name).toBe('int');
  });

  it('ints, floats, name lookup', () => {
    const c = one(btf, 'char', BtfKind.INT);
    expect([c.sizeOrType, c.intBits, c.intEncoding! & IntEnc.SIGNED]).toEqual([1, 8, IntEnc.SIGNED]);
    expect(one(btf, 'double', BtfKind.FLOAT).sizeOrType).toBe(8);
    expect(btf.find('u64').map((t) => t.kind)).toEqual([BtfKind.TYPEDEF]);
    expect(btf.resolve(one(btf, 'u64').id).name).toBe('unsigned long long');
  });

  it('global DATASEC sizes and offsets are fixed up from the ELF as libbpf does', () => {
    const ds = open('ld_globals').btf!.datasec('.data')!;
    expect(ds.sizeOrType).toBe(24);
    expect(ds.vars!.map((v) => [open('ld_globals').btf!.type(v.type).name, v.offset, v.size])).toEqual([
      ['counter', 0, 4],
      ['msg', 4, 16],
      ['hidden', 20, 4],
    ]);
  });
});

describe('BTF.ext', () => {
  it('func_info, line_info (source text for instructions) and CO-RE records per section', () => {
    const s = open('ld_core');
    const ext = s.btfExt!;
    expect(ext.funcInfo.get('syscall')).toEqual([{ insn: 0, typeId: expect.any(Number) }]);
    const lines = ext.lineInfo.get('syscall')!;
    expect(lines[0]).toMatchObject({ insn: 0, line: 11, file: './test/progs/ld_core.c' });
    expect(lines.some((l) => l.text.includes('BPF_CORE_READ_BITFIELD(t, mode)'))).toBe(true);
    const core = ext.coreRelos.get('syscall')!;
    expect(core.length).toBe(15);
    expect(core[0]).toMatchObject({ access: expect.stringMatching(/^\d+(:\d+)*$/) });
  });
});

describe('BTF errors are located', () => {
  const raw = readFileSync(join(PROGS, 'ld_core.o'));
  const sec = open('ld_core').elf.section('.BTF')!;
  const bytes = new Uint8Array(raw.buffer, raw.byteOffset + sec.offset, sec.size).slice();
  it('bad magic, truncation, dangling type references', () => {
    const bad = bytes.slice();
    bad[0] = 0;
    expect(() => parseBtf(bad)).toThrow(/\.BTF: bad magic/);
    expect(() => parseBtf(bytes.subarray(0, 30))).toThrow(BtfError);
    expect(() => parseBtf(bytes.subarray(0, 12))).toThrow(/header truncated/);
    // Point the first type (a PTR) at a type id that does not exist.
    const dangling = bytes.slice();
    new DataView(dangling.buffer).setUint32(24 + 8, 99999, true);
    expect(() => parseBtf(dangling)).toThrow(/\.BTF type \[1\].*refers to type 99999/);
  });

  it('a type that contains itself other than through a pointer is a loop, as the kernel says', () => {
    // [1] int; [2] struct A { struct B x; struct B y; }; [3] struct B { struct A p; struct A q; }.
    // Accepted, it made every walk of A (the map codecs' decode) double at each level: a hang.
    const blob = (members: [number, number][][]) => {
      const types: number[] = [0, (1 << 24) | 0, 4, 32];
      for (const ms of members) {
        types.push(1, ((4 << 24) | ms.length) >>> 0, 4);
        for (const [type, bits] of ms) types.push(1, type, bits);
      }
      const t = new Uint8Array(new Uint32Array(types).buffer);
      const strs = Uint8Array.of(0, 0x41, 0);
      const out = new Uint8Array(24 + t.length + strs.length);
      const dv = new DataView(out.buffer);
      dv.setUint16(0, 0xeb9f, true);
      dv.setUint8(2, 1);
      dv.setUint32(4, 24, true);
      dv.setUint32(8, 0, true);
      dv.setUint32(12, t.length, true);
      dv.setUint32(16, t.length, true);
      dv.setUint32(20, strs.length, true);
      out.set(t, 24);
      out.set(strs, 24 + t.length);
      return out;
    };
    expect(parseBtf(blob([[[1, 0]], [[1, 0], [2, 0]]])).count).toBe(3);
    expect(() => parseBtf(blob([[[3, 0], [3, 0]], [[2, 0], [2, 0]]]))).toThrow(/^\.BTF type \[2\] A: type loop: \[2\] -> \[3\] -> \[2\]/);
    expect(() => parseBtf(blob([[[2, 0]]]))).toThrow(/type loop: \[2\] -> \[2\]/);
  });
});

describe('C printer matches bpftool', () => {
  for (const name of ['ld_btf_kinds', 'ld_core', 'ld_globals', 'ld_maps_btf', 'ld_kconfig', 'ld_legacy_maps']) {
    it(name, () => {
      const ours = formatBtfC(open(name).btf!);
      expect(ours).toBe(readFileSync(join(GOLDEN, `${name}.h`), 'utf8'));
      if (bpftool) expect(ours).toBe(execFileSync('bpftool', ['btf', 'dump', 'file', join(PROGS, `${name}.o`), 'format', 'c'], { encoding: 'utf8' }));
    });
  }
});
