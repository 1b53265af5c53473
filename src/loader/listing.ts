// Programs of an ELF object prepared for disassembly: each program linked (subprograms appended,
// relocations applied with map ids = the map's index in the object) plus the names a listing
// needs -- function names at their entry pcs, map names for map references, source lines.
import { PseudoLd, type Insn } from '../../vm/isa.js';
import { UsageError } from '../errors.js';
import { linkProgram } from './link.js';
import type { ObjectSpec } from './spec.js';

export interface ListingUnit {
  title: string;
  insns: Insn[];
  annotations: {
    symbolAt(pc: number): string | undefined;
    mapName(imm: number, src: number): string | undefined;
    sourceLine(pc: number): string | undefined;
  };
}

export function listingUnits(spec: ObjectSpec, prog?: string): ListingUnit[] {
  const names = [...spec.programs.keys()];
  if (prog !== undefined && !spec.programs.has(prog)) throw new UsageError(`no program named ${prog} (have: ${names.join(', ') || 'none'})`);
  const maps = [...spec.maps.values()];
  const units: ListingUnit[] = [];
  for (const p of spec.programs.values()) {
    if (prog !== undefined && p.name !== prog) continue;
    // Offline link: no runtime, so kfuncs and ksyms resolve to 0 and maps to their index.
    const linked = linkProgram(spec, p, { mapId: (m) => maps.indexOf(m), ksym: () => 0n, kfunc: () => 0 });
    const funcs = new Map(linked.program.funcs?.map((f) => [f.pc, f.name]));
    // line_info has an entry per statement/column; print a source line when it changes.
    const lines = new Map<number, string>();
    let last = '';
    for (const l of linked.program.lineInfo ?? []) {
      const key = `${l.file}:${l.line}`;
      if (key !== last || funcs.has(l.pc)) lines.set(l.pc, `${l.text.trim()}  [${key}]`);
      last = key;
    }
    units.push({
      title: `${p.section}/${p.name}`,
      insns: linked.program.insns,
      annotations: {
        symbolAt: (pc) => funcs.get(pc),
        mapName: (imm, src) => (src === PseudoLd.MAP_FD || src === PseudoLd.MAP_VALUE ? maps[imm]?.name : undefined),
        sourceLine: (pc) => lines.get(pc),
      },
    });
  }
  return units;
}
