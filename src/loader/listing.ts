// Programs of an ELF object prepared for disassembly: each program linked (subprograms appended,
// relocations applied with map ids = the map's index in the object) plus the names a listing
// needs -- function names at their entry pcs, map names for map references, source lines.
import { PseudoLd, type Insn } from '../../vm/isa.js';
import { helperById } from '../../helpers/table.js';
import { disassemble, type DisasmAnnotations, type DisasmOptions } from '../../vm/disasm.js';
import { LinkError, UsageError, VerifierError } from '../errors.js';
import { linkProgram } from './link.js';
import type { ObjectSpec, ProgramSpec } from './spec.js';

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
    let linked: ReturnType<typeof linkProgram>;
    try {
      linked = linkProgram(spec, p, { mapId: (m) => maps.indexOf(m), ksym: () => 0n, kfunc: () => 0 });
    } catch (e) {
      // A listing needs no link: what cannot be linked (an extern nothing defines, an arena
      // relocation, objects made for static linking) is listed as the section holds it.
      if (!(e instanceof LinkError) && !(e instanceof VerifierError)) throw e;
      units.push(unlinkedUnit(p, e));
      continue;
    }
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

/** One block of instructions to print (a program, or the whole raw input). */
export interface DisasmUnit {
  /** Heading printed before the listing when there are several units (e.g. `section/program`). */
  title?: string;
  insns: Insn[];
  annotations?: DisasmAnnotations;
}

export interface DisasmCliOptions {
  dialect: 'llvm' | 'kernel';
  raw?: boolean;
  alu32?: boolean;
  prog?: string;
  source?: boolean;
}

/** Linux helper names for `call` annotations (`bpf_map_lookup_elem`). */
export function linuxHelperName(id: number): string | undefined {
  const h = helperById(id);
  return h ? `bpf_${h.name}` : undefined;
}

/** The text of several units, as `ebpfvm disasm` prints it. */
export function formatListing(units: readonly DisasmUnit[], opts: DisasmCliOptions): string {
  const parts: string[] = [];
  for (const u of units) {
    const o: DisasmOptions = { helperName: linuxHelperName, ...u.annotations, dialect: opts.dialect, raw: !!opts.raw, alu32: opts.alu32 !== false };
    if (!opts.source) delete o.sourceLine;
    const text = disassemble(u.insns, o);
    parts.push(units.length > 1 || u.title ? `${u.title ?? ''}:\n${text}` : text);
  }
  return parts.join('\n');
}

/** The entry function's instructions as they are in the section: relocations not applied,
 *  subprograms not appended; the title says why. */
function unlinkedUnit(p: ProgramSpec, e: LinkError | VerifierError): ListingUnit {
  return {
    title: `${p.section}/${p.name} (not linked: ${e.message})`,
    insns: p.func.insns.map((i) => ({ ...i })),
    annotations: {
      symbolAt: (pc) => (pc === 0 ? p.name : undefined),
      mapName: () => undefined,
      sourceLine: () => undefined,
    },
  };
}
