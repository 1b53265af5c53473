// A broken object must be an ElfError/BtfError/LinkError naming where it broke -- never a
// RangeError/TypeError, a hang or a huge allocation: every truncation of real objects, and
// thousands of random byte flips (fast-check), through open, summary, C printing and linking,
// and (for objects that still open) load into a Runtime, where map creation may refuse with an
// errno. The loader's last-line-of-defence catch (open.ts) marks what it converts `internal`:
// such an error means a missing check and fails these tests.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BtfError, EbpfvmError, ElfError, LinkError } from '../../src/errors.js';
import { openObject } from '../../src/loader/open.js';
import { load } from '../../src/loader/load.js';
import { Runtime } from '../../src/runtime.js';
import { linkProgram } from '../../src/loader/link.js';
import { summarize } from '../../src/loader/describe.js';
import { formatBtfC } from '../../src/btf/format.js';
import { objBytes } from '../loader/helpers.js';

/** Everything the loader does without a runtime; returns the error it threw, if any. */
function exercise(bytes: Uint8Array): unknown {
  try {
    const s = openObject(bytes, { name: 'fuzz' });
    summarize(s);
    if (s.btf) formatBtfC(s.btf);
    for (const p of s.programs.values()) linkProgram(s, p, { mapId: () => 1 });
    return undefined;
  } catch (e) {
    return e;
  }
}

/** Open and load into a small Runtime; returns the load's error (open errors are exercise()'s). */
function exerciseLoad(bytes: Uint8Array): unknown {
  let s;
  try {
    s = openObject(bytes, { name: 'fuzz' });
  } catch {
    return undefined;
  }
  try {
    load(new Runtime({ arena: { maxBytes: 1 << 24 } }), s);
    return undefined;
  } catch (e) {
    return e;
  }
}

function expectLocated(e: unknown, label: string): void {
  if (e === undefined) return;
  const ok = e instanceof ElfError || e instanceof BtfError || e instanceof LinkError;
  if (!ok) throw new Error(`${label}: unexpected ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
  // Located: "<where>: <what>", and never a wrapped JS error.
  expect((e as Error).message, label).toMatch(/^\S.*?: \S/);
  expect((e as EbpfvmError).internal, `${label}: internal error (a missing check): ${(e as Error).message}`).toBe(false);
}

/** A load may refuse with any of ebpfvm's errors (a map the kernel would refuse, an unsupported
 *  helper), but never a raw JS error or one the catch-all converted. */
function expectLoadRefusal(e: unknown, label: string): void {
  if (e === undefined) return;
  if (!(e instanceof EbpfvmError)) throw new Error(`${label}: raw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
  expect(e.internal, `${label}: internal error: ${e.message}`).toBe(false);
}

describe('truncated objects', () => {
  for (const name of ['ld_autoload', 'ld_globals', 'ld_map_in_map']) {
    it(`${name}: every prefix (dense) fails cleanly`, () => {
      const orig = objBytes(name);
      const step = Math.max(1, Math.floor(orig.length / 2500));
      for (let n = 0; n < orig.length; n += step) {
        const e = exercise(orig.subarray(0, n));
        expect(e, `prefix ${n}`).toBeDefined();
        expectLocated(e, `${name} prefix ${n}`);
      }
      expect(exercise(orig)).toBeUndefined();
    });
  }

  it('names the problem for non-BPF and big-endian objects', () => {
    const orig = objBytes('ld_autoload');
    const be = orig.slice();
    be[5] = 2;
    expect(() => openObject(be)).toThrow(/ELF header: big-endian BPF object/);
    const x86 = orig.slice();
    x86[18] = 62;
    expect(() => openObject(x86)).toThrow(/ELF header: not a BPF object: e_machine 62 \(x86-64\)/);
    const elf32 = orig.slice();
    elf32[4] = 1;
    expect(() => openObject(elf32)).toThrow(/ELF class 32-bit is not supported/);
    expect(() => openObject(new TextEncoder().encode('hello world, not an ELF file at all'))).toThrow(/not an ELF file/);
  });
});

describe('random byte flips (property)', () => {
  for (const name of ['ld_globals', 'ld_core', 'ld_maps_btf']) {
    it(`${name}: 1500 flipped variants fail cleanly or open`, () => {
      const orig = objBytes(name);
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat(orig.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }), (flips) => {
          const b = orig.slice();
          for (const [pos, x] of flips) b[pos]! ^= x;
          const t0 = performance.now();
          expectLocated(exercise(b), `${name} flips ${JSON.stringify(flips)}`);
          expect(performance.now() - t0).toBeLessThan(2000);
        }),
        { numRuns: 1500, seed: 0x5eed },
      );
    });
  }

  it('targets the headers the parser trusts most (section table, symtab, BTF header)', () => {
    const orig = objBytes('ld_callbacks');
    const dv = new DataView(orig.buffer, orig.byteOffset);
    const shoff = Number(dv.getBigUint64(40, true));
    fc.assert(
      fc.property(fc.nat(30 * 64 - 1), fc.integer({ min: 1, max: 255 }), (off, x) => {
        const b = orig.slice();
        if (shoff + off < b.length) b[shoff + off]! ^= x;
        expectLocated(exercise(b), `section header byte ${off} ^ ${x}`);
      }),
      { numRuns: 1500, seed: 7 },
    );
  });
});

describe('hostile objects through load()', () => {
  for (const name of ['ld_globals', 'ld_maps_btf', 'ld_map_in_map', 'ld_kconfig']) {
    it(`${name}: 400 flipped variants load or refuse with an EbpfvmError`, () => {
      const orig = objBytes(name);
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat(orig.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (flips) => {
          const b = orig.slice();
          for (const [pos, x] of flips) b[pos]! ^= x;
          expectLoadRefusal(exerciseLoad(b), `${name} flips ${JSON.stringify(flips)}`);
        }),
        { numRuns: 400, seed: 0x10ad },
      );
    });
  }
});

describe('absurd words in .BTF and .BTF.ext (counts, offsets, sizes, type ids)', () => {
  /** [file offset, size] of each named section. */
  function sectionsOf(b: Uint8Array): Map<string, [number, number]> {
    const dv = new DataView(b.buffer, b.byteOffset);
    const shoff = Number(dv.getBigUint64(40, true));
    const shnum = dv.getUint16(60, true);
    const strs = Number(dv.getBigUint64(shoff + dv.getUint16(62, true) * 64 + 24, true));
    const out = new Map<string, [number, number]>();
    for (let i = 0; i < shnum; i++) {
      const h = shoff + i * 64;
      let name = '';
      for (let k = strs + dv.getUint32(h, true); b[k]; k++) name += String.fromCharCode(b[k]!);
      out.set(name, [Number(dv.getBigUint64(h + 24, true)), Number(dv.getBigUint64(h + 32, true))]);
    }
    return out;
  }
  it('ld_core: every one of the first 300 words of both set to 0, 0x7fffffff or 0xffffffff loads or is refused with an EbpfvmError', () => {
    // Found this way: a bitfield whose member type has size 0 made the CO-RE byte offset NaN
    // (a raw RangeError from BigInt).
    const orig = objBytes('ld_core');
    const secs = sectionsOf(orig);
    let cases = 0;
    for (const name of ['.BTF', '.BTF.ext']) {
      const [off, size] = secs.get(name)!;
      for (let w = 0; w < Math.min(300, size / 4); w++) {
        for (const v of [0, 0x7fffffff, 0xffffffff]) {
          const b = orig.slice();
          new DataView(b.buffer).setUint32(off + 4 * w, v, true);
          const e = exerciseLoad(b) ?? exercise(b);
          if (e !== undefined) expectLoadRefusal(e, `${name} word ${w} = 0x${v.toString(16)}`);
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThan(1000);
  }, 120_000);
});
