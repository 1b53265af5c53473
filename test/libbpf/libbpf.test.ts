// Reference check against libbpf itself: test/libbpf/dump.c opens each object with
// bpf_object__open (no load) and prints programs, maps and BTF types as JSON; ebpfvm's loader must
// agree field for field. Built and run when gcc and libbpf's headers exist (CI), skipped otherwise.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openObject } from '../../src/loader/open.js';
import { summarize } from '../../src/loader/describe.js';
import type { ObjectSpec } from '../../src/loader/spec.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PROGS = join(ROOT, 'test/progs');
const objects = readdirSync(PROGS).filter((f) => f.endsWith('.o')).sort();

function haveToolchain(): boolean {
  if (!existsSync('/usr/include/bpf/libbpf.h')) return false;
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const enabled = haveToolchain();
let dumpBin = '';

/** Objects libbpf 1.x refuses on purpose while ebpfvm accepts them (documented differences). */
const EBPFVM_ONLY = new Set(['ld_legacy_maps.o']);

interface LibbpfDump {
  error?: number;
  programs: { name: string; section: string; type: number; attachType: number; insns: number; autoload: boolean }[];
  maps: { name: string; type: number; keySize: number; valueSize: number; maxEntries: number; flags: number; numaNode: number; mapExtra: number }[];
  btf: { id: number; kind: number; name: string; vlen: number; kflag: number; sizeOrType: number; members?: number[][]; vars?: number[][]; array?: number[]; resolvedSize?: number; align?: number }[];
}

function ours(spec: ObjectSpec) {
  const s = summarize(spec);
  const btf = spec.btf;
  const size = (id: number) => {
    try {
      return btf!.sizeof(id);
    } catch {
      return undefined;
    }
  };
  const align = (id: number) => {
    try {
      return btf!.alignof(id);
    } catch {
      return undefined;
    }
  };
  return {
    programs: s.programs.map((p) => ({ name: p.name, section: p.section, type: p.typeId, attachType: p.attachTypeId, insns: p.insns, autoload: p.autoload })),
    maps: s.maps.map((m) => ({ name: m.name, type: m.typeId, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, numaNode: m.numaNode ?? 0, mapExtra: Number(m.mapExtra ?? 0) })),
    btf: (btf?.types.slice(1) ?? []).map((t) => {
      const o: LibbpfDump['btf'][number] = { id: t.id, kind: t.kind, name: t.name, vlen: t.vlen, kflag: t.kindFlag ? 1 : 0, sizeOrType: t.sizeOrType };
      if (t.members) o.members = t.members.map((m) => [m.type, m.bitOffset, m.bitfieldSize]);
      if (t.vars) o.vars = t.vars.map((v) => [v.type, v.offset, v.size]);
      if (t.elemType !== undefined) o.array = [t.elemType, t.indexType!, t.nelems!];
      const rs = size(t.id);
      if (rs !== undefined) o.resolvedSize = rs;
      const al = align(t.id);
      if (al !== undefined && al > 0) o.align = al;
      return o;
    }),
  };
}

const byName = <T extends { name: string }>(l: T[]) => [...l].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

describe.skipIf(!enabled)('loader agrees with libbpf (bpf_object__open + btf__ API)', () => {
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'ebpfvm-libbpf-'));
    dumpBin = join(dir, 'dump');
    execFileSync('gcc', ['-O1', '-o', dumpBin, join(import.meta.dirname, 'dump.c'), '-lbpf', '-lelf', '-lz']);
  });

  it('covers the loader test objects', () => {
    expect(objects.filter((o) => o.startsWith('ld_')).length).toBeGreaterThanOrEqual(15);
  });

  for (const obj of objects) {
    it(obj, () => {
      const path = join(PROGS, obj);
      let raw: string;
      try {
        raw = execFileSync(dumpBin, [path], { encoding: 'utf8' });
      } catch (e) {
        raw = (e as { stdout: string }).stdout;
      }
      const ref = JSON.parse(raw) as LibbpfDump;
      const name = obj.slice(0, obj.indexOf('.'));
      if (ref.error !== undefined) {
        if (EBPFVM_ONLY.has(obj)) {
          expect(() => openObject(readFileSync(path), { name })).not.toThrow();
        } else {
          expect(() => openObject(readFileSync(path), { name })).toThrow();
        }
        return;
      }
      const mine = ours(openObject(readFileSync(path), { name }));
      expect(byName(mine.programs)).toEqual(byName(ref.programs));
      expect(byName(mine.maps)).toEqual(byName(ref.maps));
      expect(mine.btf).toEqual(ref.btf);
    });
  }
});
