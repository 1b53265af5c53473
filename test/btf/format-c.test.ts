// The C printer on hand-built BTF, for the spacing and naming rules of libbpf's btf_dump that the
// selftest objects exercise: `* const`, `int * (*f)(void)`, `struct {}`, trailing padding of a
// member-less struct, `___2` suffixes for repeated names, and the va_list typedefs it skips or
// rewrites. Expected text is what bpftool v7.1 prints for the same blob (checked against bpftool
// itself when it is installed).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BtfKind, parseBtf, type BtfType } from '../../src/btf/btf.js';
import { encodeBtf } from '../../src/btf/builtin-writer.js';
import { formatBtfC } from '../../src/btf/format.js';

type T = Omit<BtfType, 'id'>;
const base = { kindFlag: false, vlen: 0 };
const int = (name: string, size: number): T => ({ ...base, kind: BtfKind.INT, name, sizeOrType: size, intEncoding: 1, intOffset: 0, intBits: size * 8 });
const ref = (kind: BtfKind, type: number, name = ''): T => ({ ...base, kind, name, sizeOrType: type });
const struct = (name: string, size: number, members: [string, number, number][]): T => ({ ...base, kind: BtfKind.STRUCT, name, vlen: members.length, sizeOrType: size, members: members.map(([n, type, off]) => ({ name: n, type, bitOffset: off, bitfieldSize: 0 })) });
const enm = (name: string, values: [string, bigint][]): T => ({ ...base, kind: BtfKind.ENUM, name, vlen: values.length, sizeOrType: 4, values: values.map(([n, value]) => ({ name: n, value })) });

const TYPES: T[] = [
  /* 1 */ int('int', 4),
  /* 2 */ int('char', 1),
  /* 3 */ ref(BtfKind.CONST, 2),
  /* 4 */ ref(BtfKind.PTR, 3),
  /* 5 */ ref(BtfKind.CONST, 4),
  /* 6 */ ref(BtfKind.PTR, 5),
  /* 7 */ { ...base, kind: BtfKind.FUNC_PROTO, name: '', sizeOrType: 9, params: [] },
  /* 8 */ ref(BtfKind.PTR, 7),
  /* 9 */ ref(BtfKind.PTR, 1),
  /* 10 */ struct('', 0, []),
  /* 11 */ struct('s', 24, [['pp', 6, 0], ['cp', 5, 64], ['f', 8, 128], ['e', 10, 192]]),
  /* 12 */ struct('pad', 8, []),
  /* 13 */ ref(BtfKind.TYPEDEF, 1, 'u32'),
  /* 14 */ ref(BtfKind.TYPEDEF, 1, 'u32'),
  /* 15 */ enm('e1', [['A', 0n]]),
  /* 16 */ enm('e2', [['A', 1n]]),
  /* 17 */ ref(BtfKind.TYPEDEF, 8, 'fn_t'),
  /* 18 */ ref(BtfKind.TYPEDEF, 1, '__builtin_va_list'),
  /* 19 */ ref(BtfKind.TYPEDEF, 0, '__gnuc_va_list'),
];

const WANT = `#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

struct s {
	const char * const *pp;
	const char * const cp;
	int * (*f)(void);
	struct {} e;
};

struct pad {
	long: 64;
};

typedef int u32;

typedef int u32___2;

enum e1 {
	A = 0,
};

enum e2 {
	A___2 = 1,
};

typedef int * (*fn_t)(void);

typedef __builtin_va_list __gnuc_va_list;

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
`;

function hasBpftool(): boolean {
  try {
    execFileSync('bpftool', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('C printer: btf_dump spacing and names', () => {
  const blob = encodeBtf(TYPES);
  it('prints qualifiers, prototypes, empty structs and repeated names as bpftool does', () => {
    expect(formatBtfC(parseBtf(blob))).toBe(WANT);
  });
  it.skipIf(!hasBpftool())('the expected text is bpftool\'s', () => {
    const dir = mkdtempSync(join(tmpdir(), 'btfc-'));
    try {
      writeFileSync(join(dir, 'x.btf'), blob);
      expect(execFileSync('bpftool', ['btf', 'dump', 'file', join(dir, 'x.btf'), 'format', 'c'], { encoding: 'utf8' })).toBe(WANT);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('indentation stops growing at 13 tabs, as btf_dump\'s prefix table does', () => {
    // struct deep { struct { struct { ... int x; } a; } a; }: 15 levels of anonymous structs.
    const types: T[] = [int('int', 4), struct('', 4, [['x', 1, 0]])];
    for (let i = 0; i < 14; i++) types.push(struct('', 4, [['a', types.length, 0]]));
    types.push(struct('deep', 4, [['a', types.length, 0]]));
    const out = formatBtfC(parseBtf(encodeBtf(types)));
    const lines = out.split('\n');
    expect(lines).toContain(`${'\t'.repeat(13)}int x;`);
    expect(lines).toContain(`${'\t'.repeat(13)}struct {`);
    expect(out).not.toContain('\t'.repeat(14));
    if (hasBpftool()) {
      const dir = mkdtempSync(join(tmpdir(), 'btfc-'));
      try {
        writeFileSync(join(dir, 'x.btf'), encodeBtf(types));
        expect(out).toBe(execFileSync('bpftool', ['btf', 'dump', 'file', join(dir, 'x.btf'), 'format', 'c'], { encoding: 'utf8' }));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
