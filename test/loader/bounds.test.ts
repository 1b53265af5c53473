// Sizes and headers an object controls are checked before they are trusted: the .kconfig image
// sized from BTF, and the ELF section-header table that elfy would otherwise assert on.
import { describe, expect, it } from 'vitest';
import { ElfError, EbpfvmError, MapError } from '../../src/errors.js';
import { openObject } from '../../src/loader/open.js';
import { load } from '../../src/loader/load.js';
import { Runtime } from '../../src/runtime.js';
import { Errno } from '../../maps/types.js';
import { objBytes, open } from './helpers.js';

function loadError(valueSize: number): unknown {
  const spec = open('ld_kconfig');
  const m = [...spec.maps.values()].find((x) => x.origin === 'kconfig')!;
  m.valueSize = valueSize; // what a hostile .kconfig DATASEC makes of it
  try {
    load(new Runtime({ arena: { maxBytes: 1 << 24 } }), spec);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('.kconfig image sized from BTF', () => {
  it('at or above 2^32 bytes: MapError -E2BIG, no raw RangeError', () => {
    for (const size of [2 ** 32, 2 ** 33 + 5, 0x80000000]) {
      const e = loadError(size);
      expect(e, String(size)).toBeInstanceOf(MapError);
      expect((e as MapError).errno).toBe(-Errno.E2BIG);
      expect((e as Error).message).toMatch(/\.kconfig/);
    }
  });
  it('larger than the arena: MapError -ENOMEM before the image is allocated', () => {
    const e = loadError(0x7ff00000);
    expect(e).toBeInstanceOf(MapError);
    expect((e as MapError).errno).toBe(-Errno.ENOMEM);
  });
});

describe('ELF section-header table validated before elfy sees it', () => {
  const orig = objBytes('ld_globals');
  const dv = new DataView(orig.buffer, orig.byteOffset);
  const shoff = Number(dv.getBigUint64(40, true));
  const shstrndx = dv.getUint16(62, true);

  /** The error openObject throws for `b`. */
  const errorOf = (b: Uint8Array): EbpfvmError => {
    try {
      openObject(b, { name: 'x' });
    } catch (e) {
      return e as EbpfvmError;
    }
    throw new Error('opened');
  };

  const corruptions: [string, (b: Uint8Array, d: DataView) => void][] = [
    ['e_shstrndx names the NULL section', (_b, d) => d.setUint16(62, 0, true)],
    ['e_shstrndx names a code section', (_b, d) => d.setUint16(62, 2, true)],
    ['the name table is not SHT_STRTAB (sh_type 35)', (_b, d) => d.setUint32(shoff + shstrndx * 64 + 4, 35, true)],
  ];
  for (const [what, corrupt] of corruptions) {
    it(what, () => {
      const b = orig.slice();
      corrupt(b, new DataView(b.buffer));
      const e = errorOf(b);
      expect(e).toBeInstanceOf(ElfError);
      expect(e.internal).toBe(false);
      expect(e.message).not.toMatch(/malformed|==/);
      expect(e.message).toMatch(/^ELF header: section name table \(section \d+\) is not a string table$/);
    });
  }
});
