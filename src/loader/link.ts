// Linking one program: copy its entry function, append every subprogram it reaches (calls and
// callback addresses, transitively), resolve relocations (maps, global data, externs, functions),
// apply CO-RE and rebase func_info/line_info. The rules are libbpf's (DESIGN section 6).
import { graphRecordsOf } from '../btf/graph-record.js';
import { LinkError, UnsupportedError, VerifierError, earlyRefusalLog } from '../errors.js';
import { Cls, JmpOp, LD_IMM64, PseudoCall, PseudoLd, INSN_SIZE, type Insn } from '../../vm/isa.js';
import { ProgType } from '../../vm/prog-types.js';
import type { Program } from '../../vm/program.js';
import { applyCoreRelocations, coreFailureMessage } from '../btf/core.js';
import { BtfKind, type Btf } from '../btf/btf.js';
import { STT, SHN_UNDEF, RelocType } from '../elf/file.js';
import { isCodeSection, functionAt } from './open.js';
import { ARENA_SEC, isDataSection } from './globals.js';
import { MapType } from '../../maps/types.js';
import { mapForSymbol } from './maps.js';
import type { FuncSpec, ObjectSpec, ObjMapSpec, ProgramSpec } from './spec.js';

const CALL = Cls.JMP | JmpOp.CALL;
/** libbpf's poison for the ld_imm64 of a map it did not create: a call to this helper id plus the
 *  map's index in the object. */
export const POISON_LDIMM64_MAP_BASE = 2001000000;

export interface LinkEnv {
  /** Runtime id of a map of this object. */
  mapId(m: ObjMapSpec): number;
  /** Address of a kernel symbol (`.ksyms` variable), or undefined when unknown. */
  ksym?(name: string): bigint | undefined;
  /** BTF id of a kfunc the runtime implements, or undefined. */
  kfunc?(name: string): number | undefined;
  /** BTF to relocate CO-RE against; the object's own BTF when absent (identity relocation). */
  targetBtf?: Btf;
}

export interface LinkedProgram {
  program: Program;
  /** BTF.ext func_info rebased to the linked program (one per function, BTF FUNC type ids). */
  funcInfo: { pc: number; typeId: number }[];
  /** What each relocated instruction refers to ("map counters", "func helper", ".rodata+8"). */
  notes: Map<number, string>;
}

function isCall(insn: Insn): boolean {
  return insn.code === CALL;
}

export function linkProgram(spec: ObjectSpec, prog: ProgramSpec, env: LinkEnv): LinkedProgram {
  const out: Insn[] = [];
  const placed = new Map<FuncSpec, number>();
  const queue: FuncSpec[] = [];
  const notes = new Map<number, string>();
  const funcs: { pc: number; name: string }[] = [];
  const lineInfo: NonNullable<Program['lineInfo']> = [];
  const funcInfo: { pc: number; typeId: number }[] = [];
  /** Poisoned CO-RE relocations by pc: the VM reports these if it reaches one. */
  const coreFailures = new Map<number, string>();
  const coreFailureSpecs = new Map<number, string>();
  /** The kfunc each kfunc call names, by pc. */
  const kfuncNames = new Map<number, string>();
  const elf = spec.elf;
  const btf = spec.btf;

  const place = (f: FuncSpec): number => {
    const known = placed.get(f);
    if (known !== undefined) return known;
    const start = out.length;
    const copy = f.insns.map((i) => ({ ...i }));
    if (f.coreRelos.length) {
      if (!btf) throw new LinkError('CO-RE relocations need .BTF', `${prog.name}: function ${f.name}`);
      for (const r of applyCoreRelocations(copy, f.coreRelos, btf, env.targetBtf ?? btf, `${f.section} ${f.name}`)) {
        if (!r.failure) continue;
        coreFailures.set(start + r.insn, coreFailureMessage(r));
        coreFailureSpecs.set(start + r.insn, r.libbpfSpec);
        // A poisoned LD_IMM64 is two poisoned slots.
        if (f.insns[r.insn]?.code === LD_IMM64) coreFailures.set(start + r.insn + 1, coreFailureMessage(r));
      }
    }
    out.push(...copy);
    placed.set(f, start);
    funcs.push({ pc: start, name: f.name });
    for (const fi of f.funcInfo) funcInfo.push({ pc: start + fi.insn, typeId: fi.typeId });
    for (const l of f.lineInfo) lineInfo.push({ pc: start + l.insn, file: l.file, line: l.line, col: l.col, text: l.text });
    queue.push(f);
    return start;
  };

  /** Target function and offset for a section-relative instruction index. */
  const target = (sectionIndex: number, insn: number, where: string): { f: FuncSpec; pc: number } => {
    const f = functionAt(spec, sectionIndex, insn);
    if (!f) throw new LinkError(`target instruction ${insn} of section ${elf.sections[sectionIndex]?.name} is not inside any function`, where);
    return { f, pc: place(f) + (insn - f.start) };
  };

  place(prog.func);
  const drain = (): void => {
    while (queue.length) {
      const f = queue.shift()!;
      const base = placed.get(f)!;
      for (let i = 0; i < f.insns.length; i++) {
        const pc = base + i;
        const insn = out[pc]!;
        const where = `program ${prog.name}: ${f.section} ${f.name} insn ${i}`;
        const rel = f.relocs.get(i);
        if (rel) {
          relocate(spec, env, out, pc, rel.type, rel.symbol.index, where, target, notes, kfuncNames);
        } else if (isCall(insn) && insn.src === PseudoCall.LOCAL) {
          // A call inside one section carries no relocation: imm is relative to the next insn.
          const t = target(f.sectionIndex, f.start + i + insn.imm + 1, where);
          insn.imm = t.pc - pc - 1;
          notes.set(pc, t.f.name);
        } else if (isCall(insn) && insn.src === PseudoCall.KFUNC) {
          throw new LinkError('kfunc call without a relocation', where);
        } else if (insn.code === LD_IMM64 && (insn.src === PseudoLd.MAP_FD || insn.src === PseudoLd.MAP_VALUE)) {
          // A raw map fd in the code (no relocation): libbpf passes it to the kernel as it is, and
          // no fd of ebpfvm's is a map, so the verifier's resolve_pseudo_ldimm64 refusal it is.
          const line = `fd ${insn.imm} is not pointing to valid bpf_map`;
          throw new VerifierError(`${where}: ${line}`, earlyRefusalLog(line), pc);
        } else if (insn.code === LD_IMM64 && insn.src !== PseudoLd.IMM64) {
          throw new LinkError(`LD_IMM64 with src ${insn.src} but no relocation`, where);
        }
        if (insn.code === LD_IMM64) {
          if (i + 1 >= f.insns.length) throw new LinkError('LD_IMM64 is missing its second slot', where);
          i++;
        }
      }
    }
  };
  drain();
  // The exception callback (`__exception_cb`) is appended after the program's own code, as libbpf
  // does (bpf_prog_assign_exc_cb), whether or not anything calls it.
  const excName = exceptionCallbackName(spec, prog);
  let exceptionCallback: number | undefined;
  if (excName !== undefined) {
    const cb = spec.functions.find((f) => f.name === excName && f !== prog.func);
    if (!cb) throw new LinkError(`cannot find exception callback '${excName}'`, `program ${prog.name}`);
    if (!cb.global) throw new LinkError(`exception callback ${excName} must be a global non-hidden function`, `program ${prog.name}`);
    exceptionCallback = place(cb);
    drain();
  }

  const program: Program = {
    name: prog.name,
    progType: prog.progType,
    insns: out,
    gpl: spec.gpl,
    funcs,
    section: prog.section,
    expectedAttachType: prog.expectedAttachType,
  };
  if (exceptionCallback !== undefined) program.exceptionCallback = exceptionCallback;
  if (lineInfo.length) program.lineInfo = lineInfo.sort((a, b) => a.pc - b.pc);
  if (coreFailures.size) program.coreFailures = coreFailures;
  if (coreFailureSpecs.size) program.coreFailureSpecs = coreFailureSpecs;
  if (kfuncNames.size) program.kfuncNames = kfuncNames;
  if (prog.progType === ProgType.STRUCT_OPS && prog.attachTo !== undefined) program.structOps = prog.attachTo;
  // bpf_obj_new's type id is one of this object's own BTF ids (bpf_core_type_id_local).
  const ownBtf = spec.btf;
  if (ownBtf) program.localType = (id) => graphRecordsOf(ownBtf).record(id);
  return { program, notes, funcInfo: funcInfo.sort((a, b) => a.pc - b.pc) };
}

function relocate(
  spec: ObjectSpec,
  env: LinkEnv,
  out: Insn[],
  pc: number,
  type: number,
  symIndex: number,
  where: string,
  target: (sec: number, insn: number, where: string) => { f: FuncSpec; pc: number },
  notes: Map<number, string>,
  kfuncNames: Map<number, string>,
): void {
  const elf = spec.elf;
  const sym = elf.symbols[symIndex]!;
  const insn = out[pc]!;
  const name = elf.symbolName(sym);
  const w = `${where} (relocation against ${name})`;
  const ldimm = insn.code === LD_IMM64;
  if (!ldimm && !isCall(insn)) throw new LinkError(`relocation on instruction 0x${insn.code.toString(16)}, which is neither LD_IMM64 nor a call`, w);
  if (ldimm && pc + 1 >= out.length) throw new LinkError('LD_IMM64 is missing its second slot', w);

  // Externs: .kconfig values, .ksyms addresses, kfunc calls.
  if (sym.shndx === SHN_UNDEF) {
    const ext = spec.externs.find((e) => e.name === sym.name);
    if (!ext) throw new LinkError(`unresolved symbol ${name}`, w);
    if (ext.kind === 'kfunc') {
      const id = env.kfunc?.(name);
      if (!isCall(insn)) {
        // The kfunc's address (bpf_ksym_exists): its BTF id when present, 0 when weak and absent.
        if (id === undefined && !ext.weak) throw new UnsupportedError(`${where}: unsupported kfunc ${name}`);
        Object.assign(insn, id === undefined ? { src: PseudoLd.IMM64, imm: 0 } : { src: PseudoLd.BTF_ID, imm: id });
        out[pc + 1]!.imm = 0;
        notes.set(pc, `kfunc ${name}${id === undefined ? ' (weak, unresolved: 0)' : ''}`);
        return;
      }
      if (id === undefined) {
        if (!ext.weak) throw new UnsupportedError(`${where}: unsupported kfunc ${name}`);
        // Weak and absent: libbpf leaves a call to kfunc id 0 that the verifier must prove dead.
        Object.assign(insn, { src: PseudoCall.KFUNC, imm: 0, off: 0 });
      } else Object.assign(insn, { src: PseudoCall.KFUNC, imm: id, off: 0 });
      notes.set(pc, `kfunc ${name}`);
      kfuncNames.set(pc, name);
      return;
    }
    if (!ldimm) throw new LinkError(`extern variable ${name} used by a call`, w);
    if (ext.kind === 'kconfig') {
      const m = [...spec.maps.values()].find((x) => x.origin === 'kconfig')!;
      Object.assign(insn, { src: PseudoLd.MAP_VALUE, imm: env.mapId(m) });
      out[pc + 1]!.imm = ext.offset!;
      notes.set(pc, `kconfig ${name}`);
      return;
    }
    const addr = env.ksym?.(name);
    if (addr === undefined && !ext.weak) throw new LinkError(`kernel symbol ${name} is not known to this runtime`, w);
    const v = addr ?? 0n;
    Object.assign(insn, { src: PseudoLd.IMM64, imm: Number(BigInt.asIntN(32, v)) });
    out[pc + 1]!.imm = Number(BigInt.asIntN(32, v >> 32n));
    notes.set(pc, `ksym ${name}${addr === undefined ? ' (weak, unresolved: 0)' : ''}`);
    return;
  }
  const sec = elf.sections[sym.shndx];
  if (!sec) throw new LinkError(`symbol in special section ${sym.shndx}`, w);

  if (isCodeSection(sec)) {
    if (sym.value % INSN_SIZE !== 0) throw new LinkError(`symbol offset ${sym.value} is not instruction-aligned`, w);
    if (isCall(insn)) {
      if (type !== RelocType.R_BPF_64_32) throw new LinkError(`call relocation of type ${type}, expected R_BPF_64_32`, w);
      if (insn.src !== PseudoCall.LOCAL) throw new LinkError(`relocated call has src ${insn.src}, expected a BPF-to-BPF call`, w);
      // Against a section symbol imm is the callee's offset - 1; against a function symbol imm is -1.
      const t = target(sym.shndx, sym.value / INSN_SIZE + insn.imm + 1, w);
      insn.imm = t.pc - pc - 1;
      notes.set(pc, t.f.name);
      return;
    }
    if (type !== RelocType.R_BPF_64_64) throw new LinkError(`LD_IMM64 relocation of type ${type}, expected R_BPF_64_64`, w);
    // A code address (callback): becomes BPF_PSEUDO_FUNC relative to the next slot, like a call.
    const off = sym.value + insn.imm;
    if (off % INSN_SIZE !== 0) throw new LinkError(`function address offset ${off} is not instruction-aligned`, w);
    const t = target(sym.shndx, off / INSN_SIZE, w);
    insn.src = PseudoLd.FUNC;
    insn.imm = t.pc - pc - 1;
    out[pc + 1]!.imm = 0;
    notes.set(pc, `func ${t.f.name}`);
    return;
  }
  if (!ldimm) throw new LinkError(`call against non-code section ${sec.name}`, w);
  if (type !== RelocType.R_BPF_64_64) throw new LinkError(`LD_IMM64 relocation of type ${type}, expected R_BPF_64_64`, w);
  if (sec.name === '.maps' || sec.name === 'maps') {
    const m = mapForSymbol(elf, spec, symIndex, insn.imm);
    if (!m) throw new LinkError(`no map definition at ${name}+${insn.imm}`, w);
    if (!m.autocreate) {
      // libbpf (1.2+, the kernel test loader's) poisons the load of a map it did not create: both
      // slots become a call to helper POISON_LDIMM64_MAP_BASE + the map's index, which the
      // verifier refuses where reachable (`invalid func unknown#2001000001`) and dead code keeps.
      const imm = POISON_LDIMM64_MAP_BASE + [...spec.maps.values()].indexOf(m);
      for (const slot of [insn, out[pc + 1]!]) Object.assign(slot, { code: Cls.JMP | JmpOp.CALL, dst: 0, src: 0, off: 0, imm });
      notes.set(pc, `map ${m.name} (not created: poisoned)`);
      return;
    }
    Object.assign(insn, { src: PseudoLd.MAP_FD, imm: env.mapId(m) });
    out[pc + 1]!.imm = 0;
    notes.set(pc, `map ${m.name}`);
    return;
  }
  if (sec.name === ARENA_SEC) {
    // libbpf's arena data relocation: the arena map's direct value at the variable's offset,
    // which the VM resolves to the variable's user address (user_vm_start + off).
    const m = [...spec.maps.values()].find((x) => x.type === MapType.ARENA);
    if (!m) throw new LinkError('bad arena data relocation, no arena maps defined', w);
    const off = (sym.type === STT.SECTION ? 0 : sym.value) + insn.imm;
    Object.assign(insn, { src: PseudoLd.MAP_VALUE, imm: env.mapId(m) });
    out[pc + 1]!.imm = off;
    const v = elf.symbols.find((x) => x.shndx === sec.index && x.type === STT.OBJECT && x.value === off && x.name);
    notes.set(pc, v ? `${v.name} (${sec.name}+${off})` : `${sec.name}+${off}`);
    return;
  }
  if (isDataSection(sec)) {
    const m = [...spec.maps.values()].find((x) => x.origin === 'data' && x.section === sec.name)!;
    // Named variables give st_value; section symbols carry the offset in imm. Both add up.
    const off = (sym.type === STT.SECTION ? 0 : sym.value) + insn.imm;
    if (off < 0 || off > sec.size) throw new LinkError(`offset ${off} is outside ${sec.name} (${sec.size} bytes)`, w);
    Object.assign(insn, { src: PseudoLd.MAP_VALUE, imm: env.mapId(m) });
    out[pc + 1]!.imm = off;
    const v = [...spec.globals.values()].find((g) => g.section === sec.name && g.offset === off);
    notes.set(pc, v ? `${v.name} (${sec.name}+${off})` : `${sec.name}+${off}`);
    return;
  }
  throw new LinkError(`relocation against section ${sec.name}, which holds neither code, maps nor data`, w);
}

const EXCEPTION_TAG = 'exception_callback:';

/** The name in the main function's `exception_callback:NAME` BTF decl tag, if it has one. */
function exceptionCallbackName(spec: ObjectSpec, prog: ProgramSpec): string | undefined {
  const btf = spec.btf;
  if (!btf) return undefined;
  const main = btf.find(prog.func.name, BtfKind.FUNC)[0];
  if (!main) return undefined;
  let name: string | undefined;
  for (const t of btf.types) {
    if (t.kind !== BtfKind.DECL_TAG || t.componentIdx !== -1 || t.sizeOrType !== main.id || !t.name.startsWith(EXCEPTION_TAG)) continue;
    // Several tags: the kernel's verifier refuses the program; libbpf appends none.
    if (name !== undefined) return undefined;
    name = t.name.slice(EXCEPTION_TAG.length);
    if (!name) throw new LinkError('exception_callback:<value> decl tag contains empty value', `program ${prog.name}`);
  }
  return name;
}
