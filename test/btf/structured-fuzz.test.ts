// Structured BTF mutations, where random byte flips (test/elf/robustness.test.ts) rarely reach:
// type references rewritten to the type itself, to another type that refers back, or to any id;
// sizes, offsets and counts set to edge values; kinds and kind flags changed. Every mutant goes
// through open, the C and raw printers, load, and the map codecs' decode of every map: each must
// succeed or refuse with one of ebpfvm's own errors, never a raw JS error or a run-away walk.
// (This found a type loop that made the codecs' walk exponential, and members past the value.)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EbpfvmError } from '../../src/errors.js';
import { openObject } from '../../src/loader/open.js';
import { load } from '../../src/loader/load.js';
import { Runtime } from '../../src/runtime.js';
import { formatBtfC } from '../../src/btf/format.js';
import { formatBtfRaw } from '../../src/btf/format-raw.js';
import { mapApi } from '../../src/map-api.js';
import { PROGS } from '../loader/helpers.js';
import { prng } from '../prng.js';

const CASES = Number(process.env.EBPFVM_FUZZ_CASES ?? 400);

/** The .BTF section's file offset and size. */
function btfSection(b: Uint8Array): { off: number; size: number } | undefined {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const shoff = Number(dv.getBigUint64(40, true));
  const shnum = dv.getUint16(60, true);
  const strs = Number(dv.getBigUint64(shoff + dv.getUint16(62, true) * 64 + 24, true));
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * 64;
    let p = strs + dv.getUint32(o, true);
    let name = '';
    while (b[p]) name += String.fromCharCode(b[p++]!);
    if (name === '.BTF') return { off: Number(dv.getBigUint64(o + 24, true)), size: Number(dv.getBigUint64(o + 32, true)) };
  }
  return undefined;
}

interface Field {
  at: number;
  owner: number;
}

/** Where each type's reference and size fields are (file offsets). */
function layout(b: Uint8Array, sec: { off: number }) {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const base = sec.off + dv.getUint32(sec.off + 4, true);
  let o = base + dv.getUint32(sec.off + 8, true);
  const end = o + dv.getUint32(sec.off + 12, true);
  const refs: Field[] = [];
  const sizes: Field[] = [];
  const infos: number[] = [];
  for (let id = 1; o < end; id++) {
    const info = dv.getUint32(o + 4, true);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    infos.push(o + 4);
    ([2, 7, 8, 9, 10, 11, 12, 13, 14, 16, 18].includes(kind) ? refs : sizes).push({ at: o + 8, owner: id });
    o += 12;
    const each = (n: number, size: number, f: (p: number) => void) => {
      for (let i = 0; i < n; i++, o += size) f(o);
    };
    if (kind === 1 || kind === 14 || kind === 17) o += 4;
    else if (kind === 3) each(1, 12, (p) => (refs.push({ at: p, owner: id }, { at: p + 4, owner: id }), sizes.push({ at: p + 8, owner: id })));
    else if (kind === 4 || kind === 5) each(vlen, 12, (p) => (refs.push({ at: p + 4, owner: id }), sizes.push({ at: p + 8, owner: id })));
    else if (kind === 6) o += 8 * vlen;
    else if (kind === 13) each(vlen, 8, (p) => refs.push({ at: p + 4, owner: id }));
    else if (kind === 15) each(vlen, 12, (p) => (refs.push({ at: p, owner: id }), sizes.push({ at: p + 4, owner: id }, { at: p + 8, owner: id })));
    else if (kind === 19) o += 12 * vlen;
  }
  return { refs, sizes, infos, count: infos.length };
}

const EDGES = [0, 1, 2, 4, 8, 16, 24, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff8, 0xffffffff];

describe(`structured BTF mutations (${CASES} mutants)`, () => {
  it('open, print, load and decode every map: success or a located refusal', { timeout: 300_000 }, () => {
    const objects = readdirSync(PROGS).filter((f) => f.endsWith('.o') && !/^bench_|x_skb_limits/.test(f)).map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(PROGS, f))) }));
    const r = prng(0xb7f);
    const problems: string[] = [];
    let opened = 0;
    let loaded = 0;
    for (let n = 0; n < CASES; n++) {
      const { name, bytes } = objects[r.int(objects.length)]!;
      const sec = btfSection(bytes);
      if (!sec) continue;
      const b = bytes.slice();
      const dv = new DataView(b.buffer);
      const l = layout(b, sec);
      if (l.refs.length === 0) continue;
      let what = `${name}:`;
      for (let k = 1 + r.int(3); k > 0; k--) {
        const roll = r.int(6);
        if (roll < 3) {
          const f = l.refs[r.int(l.refs.length)]!;
          const v = roll === 0 ? f.owner : roll === 1 ? r.int(l.count + 1) : l.refs[r.int(l.refs.length)]!.owner;
          dv.setUint32(f.at, v, true);
          what += ` ref@${f.at}=${v}`;
        } else if (roll === 3 && l.sizes.length > 0) {
          const f = l.sizes[r.int(l.sizes.length)]!;
          const v = EDGES[r.int(EDGES.length)]!;
          dv.setUint32(f.at, v, true);
          what += ` size@${f.at}=${v}`;
        } else {
          const at = l.infos[r.int(l.infos.length)]!;
          const info = dv.getUint32(at, true);
          const v = roll === 4 ? ((info & ~(0x1f << 24)) | ((1 + r.int(19)) << 24)) >>> 0 : (info ^ 0x80000000) >>> 0;
          dv.setUint32(at, v, true);
          what += ` info@${at}=0x${v.toString(16)}`;
        }
      }
      const step = (label: string, f: () => void): boolean => {
        try {
          f();
          return true;
        } catch (e) {
          if (!(e instanceof EbpfvmError) || e.internal) problems.push(`${what}: ${label}: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
          return false;
        }
      };
      let spec: ReturnType<typeof openObject> | undefined;
      if (!step('open', () => (spec = openObject(b, { name: 'fuzz' })))) continue;
      opened++;
      step('print C', () => formatBtfC(spec!.btf!));
      step('print raw', () => formatBtfRaw(spec!.btf!));
      let obj: ReturnType<typeof load> | undefined;
      if (!step('load', () => (obj = load(new Runtime({ arena: { maxBytes: 1 << 26 } }), spec!)))) continue;
      loaded++;
      for (const m of obj!.maps.keys()) step(`decode map ${m}`, () => void [...mapApi(obj!, m).entries()].slice(0, 2));
    }
    expect(problems.slice(0, 5)).toEqual([]);
    // the mutants must reach past the parser
    expect(opened).toBeGreaterThan(CASES / 10);
    expect(loaded).toBeGreaterThan(CASES / 20);
  });
});
