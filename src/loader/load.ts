// load(): the live side of the spec/instance split. Creates the object's maps in a Runtime (global
// data written, .rodata and .kconfig frozen), links every auto-loaded program, refuses what the
// runtime cannot run (helper, kfunc, map type, program type) by name, registers the programs and
// fills `values` initialisers (map-in-map slots, prog_array slots).
import { DecodeError, LinkError, UnsupportedError, UsageError, EbpfvmError, VerifierError, earlyRefusalLog, describeValue } from '../errors.js';
import { AluOp, AtomicOp, Cls, JmpOp, LD_IMM64, Mode, PseudoCall, PseudoLd, Src, type Insn } from '../../vm/isa.js';
import { mapFuncRefusal, mapProgRefusal } from '../../helpers/map-compat.js';
import { helperAllowed } from '../../helpers/table.js';
import { kfuncAllowed } from '../../helpers/kfuncs.js';
import { progTypeName } from '../../vm/prog-types.js';
import { progTypeInfo } from '../../vm/contexts.js';
import { Errno, MapType, type BpfMap } from '../../maps/types.js';
import { MAX_ARRAY_VALUE_SIZE, checkFitsArena, createError } from '../../maps/common.js';
import { isBpfArenaMap } from '../../maps/arena.js';
import type { Program } from '../../vm/program.js';
import type { Runtime, LoadedMap } from '../runtime.js';
import type { Btf } from '../btf/btf.js';
import { linkProgram } from './link.js';
import { checkUnprivMap, checkUnprivProgram } from './unpriv.js';
import { isAuxiliary } from '../selftest/annotations.js';
import { builtinBtf, builtinStructOpsMember } from '../btf/builtin.js';
import { BtfKind } from '../btf/btf.js';
import { typesAreCompatible } from '../btf/core.js';
import { mapValueRecord } from '../btf/fields.js';
import { BUILTIN_KSYMS } from '../btf/builtin-kmem.js';
import { kernelFuncAddr } from '../btf/kallsyms.js';
import { kconfigImage } from './externs.js';
import { linuxHelperName } from './helper-names.js';
import type { ObjectSpec, ObjMapSpec, ProgramSpec } from './spec.js';
import { verifierInput, verifyProgram, type VerifyOptions, type VerifyResult } from '../verify.js';
import { verify } from '../../verifier/index.js';
import { resolveExtTarget, type AttachTarget, type ExtTarget } from './freplace.js';
import { ProgType } from '../../vm/prog-types.js';

export type { AttachTarget, ExtTarget } from './freplace.js';

export interface LoadOptions {
  /** Kernel symbol addresses for `.ksyms` variables. */
  ksyms?: Record<string, bigint>;
  /** BTF to relocate CO-RE against: a kernel's BTF, or 'local' for the object's own (an identity
   *  relocation). Default: the runtime's built-in kernel BTF (src/btf/builtin.ts). */
  targetBtf?: Btf | 'local';
  /** Values for `.kconfig` externs libbpf supplies itself (LINUX_KERNEL_VERSION, ...). */
  kconfigDefaults?: Record<string, number | bigint | boolean | string>;
  /** Use these existing runtime maps instead of creating the named maps (bpf_map__reuse_fd). */
  reuseMaps?: Record<string, number>;
  /** Inner maps for map-in-maps defined without an `__array(values, ...)` template, by map name:
   *  a runtime map id whose type, sizes and flags serve as the template (libbpf's
   *  bpf_map__set_inner_map_fd). Without either, creating the map fails with -EINVAL. */
  innerMaps?: Record<string, number>;
  /** Load only these programs (even from `?` sections, whose autoload is off), plus what they need:
   *  the object's `__auxiliary` programs and (unless `testLoader`) the programs named in prog_array
   *  `values`. Default: every program whose autoload is on. */
  programs?: readonly string[];
  /** With `programs`: take the `__auxiliary_unpriv` programs instead (the `@unpriv` runs). */
  unprivAuxiliary?: boolean;
  /** With `programs`: load exactly what the kernel's test loader (test_loader.c) sets to autoload,
   *  the named programs and the auxiliary ones, not the prog_array `values` targets. A slot whose
   *  target is not loaded is left empty and listed in `LoadedObject.unfilledSlots`: libbpf fills
   *  slots after loading the programs and fails the load there (EBADF), so the caller verifies
   *  the programs first and then reports it (src/selftest/runner.ts). */
  testLoader?: boolean;
  /** Extension (`SEC("freplace/...")`) programs, by name: the loaded program whose function each
   *  replaces, and the function's name when the section does not give it (libbpf's
   *  bpf_program__set_attach_target). Attach with `attachFreplace` (src/freplace.ts). */
  attachTargets?: Record<string, AttachTarget>;
  /** Load as a process without CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN and CAP_SYS_ADMIN: map and
   *  program types the kernel keeps from such a loader fail with PermissionError (EPERM, no log;
   *  ./unpriv.ts), the object's BTF is not loaded (BPF_BTF_LOAD needs CAP_BPF; libbpf goes on
   *  without it, so maps have no BTF and programs no func or line info), and the programs verify
   *  unprivileged (VerifyOptions.unpriv). Test runs are not affected. */
  unpriv?: boolean;
}

/** Maps pinned by name (LIBBPF_PIN_BY_NAME) per runtime: the runtime plays bpffs, so a second
 *  object with the same pinned map gets the first one's, after the same compatibility check. */
const PINNED = new WeakMap<Runtime, Map<string, LoadedMap>>();

function compatible(a: { type: number; keySize: number; valueSize: number; maxEntries: number; flags: number }, b: typeof a): boolean {
  return a.type === b.type && a.keySize === b.keySize && a.valueSize === b.valueSize && a.maxEntries === b.maxEntries && a.flags === b.flags;
}

export interface LoadedProgram {
  name: string;
  section: string;
  progType: number;
  expectedAttachType: number;
  attachTo?: string;
  /** Runtime program id (prog_array slots and tail calls use it). */
  id: number;
  program: Program;
  spec: ProgramSpec;
  /** Names of what relocated instructions refer to, by pc (for disassembly). */
  notes: Map<number, string>;
  /** BTF.ext func_info of the linked program (the object's BTF is `spec.btf` of the object). */
  funcInfo: { pc: number; typeId: number }[];
  /** Run the verifier (src/verify.ts); the result is also kept in `verified`. */
  verify(opts?: VerifyOptions): VerifyResult;
  /** The last verification's result. */
  verified?: VerifyResult;
  /** The object's BTF (the function prototypes an extension is matched against). */
  btf?: Btf;
  /** An extension (freplace) program: the function of another loaded program it replaces. Its
   *  helpers, context and return range are that program's (the kernel's resolve_prog_type). */
  extTarget?: ExtTarget;
  /** Extension programs attached to this program's functions, by function name (src/freplace.ts). */
  replacedBy?: Map<string, LoadedProgram>;
  /** An extension: the programs it is attached to (src/freplace.ts). */
  attachedTo?: Set<LoadedProgram>;
  /** What an accepted program runs as: `program` with the verifier's rewrites (verifier/fixups.ts,
   *  the kernel's xlated program); absent until accepted and after a rejection. */
  xlated?: Program;
}

export class LoadedObject {
  readonly maps = new Map<string, LoadedMap>();
  readonly programs = new Map<string, LoadedProgram>();
  /** What a user should know about this load (maps skipped because no loaded program used them). */
  readonly notes: string[] = [];
  /** prog_array `values` slots left empty because their program was not loaded (LoadOptions.
   *  testLoader), in map and slot order. */
  readonly unfilledSlots: { map: string; index: number; program: string }[] = [];
  /** Loaded without capabilities (LoadOptions.unpriv): its programs verify unprivileged. */
  unpriv = false;
  constructor(readonly runtime: Runtime, readonly spec: ObjectSpec) {}

  /** A loaded program; programs with autoload off were not loaded. */
  program(name: string): LoadedProgram {
    const p = this.programs.get(name);
    if (p) return p;
    if (this.spec.programs.has(name)) throw new UsageError(`program ${name} was not loaded (autoload is off; select it with --prog or the programs load option)`);
    throw new UsageError(`no program named ${name} (have: ${[...this.spec.programs.keys()].join(', ') || 'none'})`);
  }

  map(name: string): BpfMap {
    const m = this.maps.get(name);
    if (m) return m.map;
    throw new UsageError(`no map named ${name} (have: ${[...this.maps.keys()].join(', ') || 'none'})`);
  }

  mapId(name: string): number {
    const m = this.maps.get(name);
    if (!m) throw new UsageError(`no map named ${name}`);
    return m.id;
  }
}

/** A `__ksym` the built-in kernel defines: a VAR of its BTF with an address in kernel memory, or
 *  a function of its text (src/btf/kallsyms.ts), which libbpf finds in /proc/kallsyms. */
function builtinKsym(name: string): bigint | undefined {
  return Object.hasOwn(BUILTIN_KSYMS, name) ? BUILTIN_KSYMS[name] : kernelFuncAddr(name);
}

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

/** The id of kfunc `name` for this object's calls, as libbpf resolves a `.ksyms` FUNC extern:
 *  by name in the kernel's BTF, then its prototype must be compatible with the declared one
 *  (bpf_core_types_are_compat); an incompatible weak extern is left unresolved (0). */
function resolveKfunc(runtime: Runtime, spec: ObjectSpec, name: string): number | undefined {
  const id = runtime.kfuncId(name);
  if (id === undefined) return undefined;
  const ext = spec.externs.find((e) => e.kind === 'kfunc' && e.name === name);
  if (ext?.typeId === undefined || !spec.btf) return id;
  const kernel = builtinBtf();
  const local = spec.btf.type(ext.typeId);
  const target = kernel.type(id);
  if (local.kind !== BtfKind.FUNC || typesAreCompatible(spec.btf, local.sizeOrType, kernel, target.sizeOrType)) return id;
  if (ext.weak) return undefined;
  throw new LinkError(`func_proto [${local.sizeOrType}] incompatible with kernel [${target.sizeOrType}]`, `extern (func ksym) '${name}'`);
}

/** Check what a linked program needs from the runtime. */
function checkSupported(runtime: Runtime, p: ProgramSpec, prog: Program, btf: Btf | undefined, ext?: ExtTarget): void {
  if (!p.known) throw new UnsupportedError(`program ${p.name}: section "${p.section}" does not name a program type libbpf knows`);
  if (!ext && !progTypeInfo(p.progType)) throw new UnsupportedError(`program ${p.name}: unsupported program type ${progTypeName(p.progType)} (section ${p.section})`);
  // Maps are checked against the program's own type (resolve_pseudo_ldimm64 runs before the
  // kernel records an extension's target); helpers and kfuncs against the target's (env->ops).
  const kind = { progType: prog.progType, expectedAttachType: p.expectedAttachType, sleepable: p.sleepable };
  const callType = ext ? ext.program.progType : prog.progType;
  const mapOf = (id: number) => runtime.mapById(id)?.map;
  // The kernel checks every map an ld_imm64 names before it looks at any call
  // (resolve_pseudo_ldimm64 -> check_map_prog_compatibility).
  prog.insns.forEach((insn, pc) => {
    if (insn.code !== LD_IMM64 || (insn.src !== PseudoLd.MAP_FD && insn.src !== PseudoLd.MAP_VALUE) || isSecondHalf(prog, pc)) return;
    const m = mapOf(insn.imm);
    if (!m) return;
    // Special fields as the kernel's map record has them (a global-data section's too).
    const rec = btf && m.spec.btfValueTypeId !== undefined ? mapValueRecord(btf, m.spec.btfValueTypeId, m.valueSize) : undefined;
    const hasGraphRoot = rec?.fields.some((f) => f.type === 'bpf_list_head' || f.type === 'bpf_rb_root') ?? false;
    const hasTimer = rec?.fields.some((f) => f.type === 'bpf_timer') ?? false;
    const hasWq = rec?.fields.some((f) => f.type === 'bpf_wq') ?? false;
    const line = mapProgRefusal({ type: m.type, hasSpinLock: m.spec.spinLockOffset !== undefined || rec?.spinLockOffset !== undefined, hasGraphRoot, hasTimer, hasWq }, kind);
    if (line) refuse(p, pc, line);
  });
  // Calls the kernel's check_helper_call and check_kfunc_call refuse are refused where its walk
  // reaches them, not at load: a call in code the verifier proves dead does not stop the load
  // (the kernel accepts such a program), and the log shows the instructions walked before it, as
  // the kernel's does. The lines are kept by pc for runs without the verifier, which fault at the
  // call (vm/interpreter.ts).
  const refused = new Map<number, string>();
  // a struct_ops program's helpers are its struct_ops type's (helpers/table.ts helperAllowed)
  // an iterator program's target adds its helpers (bpf_iter_get_func_proto)
  const iter = ext ? undefined : /^iter(?:\.s)?\/(.+)$/.exec(p.section)?.[1];
  const structOps = !ext && p.progType === ProgType.STRUCT_OPS && p.attachTo !== undefined ? builtinStructOpsMember(p.attachTo, p.expectedAttachType) : undefined;
  prog.insns.forEach((insn, pc) => {
    if (insn.code !== (Cls.JMP | JmpOp.CALL) || insn.src !== PseudoCall.KFUNC || insn.imm === 0) return;
    // The kernel registers kfunc sets per program type (6.18: check_kfunc_call's
    // fetch_kfunc_meta, when the walk reaches the call; verifier/kfuncs.ts).
    const k = runtime.kfunc(insn.imm);
    if (k && !kfuncAllowed(k, callType, ext ? ext.program.expectedAttachType : p.expectedAttachType)) refused.set(pc, `calling kernel function ${k.name} is not allowed`);
  });
  prog.insns.forEach((insn, pc) => {
    if (insn.code !== (Cls.JMP | JmpOp.CALL) || insn.src !== PseudoCall.HELPER) return;
    // A poisoned CO-RE relocation faults only if it runs (libbpf's rule).
    if (prog.coreFailures?.has(pc)) return;
    const h = runtime.helper(insn.imm);
    // An id no Linux helper has: the kernel's verifier objects only where the call is reachable
    // (`invalid func unknown#N`), and a weak-extern guarded call may be dead code (libbpf's
    // test_core_extern.c); it stays, and faults as an unknown helper if an unverified run reaches it.
    if (!h && linuxHelperName(insn.imm) === 'helper') return;
    if (!h) throw new UnsupportedError(`program ${p.name} insn ${pc}: unsupported helper ${linuxHelperName(insn.imm)}#${insn.imm}`);
    // check_helper_call's order: the prototype for this program type first, then the license.
    if (!helperAllowed(h, callType, ext ? ext.program.expectedAttachType : p.expectedAttachType, structOps, iter)) return void refused.set(pc, `program of this type cannot use helper bpf_${h.name}#${h.id}`);
    if (h.gplOnly && !prog.gpl) return void refused.set(pc, 'cannot call GPL-restricted function from non-GPL compatible program');
    // check_map_func_compatibility, where the map argument is an ld_imm64 map constant
    const mapArg = h.proto.args.findIndex((a) => a.type === 'ARG_CONST_MAP_PTR');
    if (mapArg < 0) return;
    const id = constMapArg(prog, pc, mapArg + 1);
    const m = id === undefined ? undefined : mapOf(id);
    const line = m && mapFuncRefusal(m.type, h.id, linuxHelperName(h.id), ext ? { ...kind, progType: callType, expectedAttachType: ext.program.expectedAttachType } : kind);
    if (line) refused.set(pc, line);
  });
  if (refused.size > 0) prog.refusedCalls = refused;
}

/** Whether slot `pc` is the second half of an ld_imm64. */
function isSecondHalf(prog: Program, pc: number): boolean {
  // a second half has opcode 0 (the decoder checks), so an 0x18 slot is always a first half
  return pc > 0 && prog.insns[pc - 1]!.code === LD_IMM64;
}

/** The map id an ld_imm64 map constant puts in register `reg` for the call at `pc`, when
 *  straight-line code before the call shows it (the constant, possibly moved between registers);
 *  undefined when it may come from elsewhere (a jump target, a call, any other write). */
function constMapArg(prog: Program, pc: number, reg: number): number | undefined {
  const targets = jumpTargets(prog);
  for (let k = pc; k > 0; k--) {
    if (targets.has(k)) return undefined;
    const prev = k - 1;
    const insn = prog.insns[prev]!;
    if (isSecondHalf(prog, prev)) continue; // its first half is examined next
    const c = insn.code & 0x07;
    if (c === Cls.JMP || c === Cls.JMP32) {
      const op = insn.code & 0xf0;
      if (op === JmpOp.EXIT || op === JmpOp.JA) return undefined; // nothing falls through to k
      if (op === JmpOp.CALL && reg >= 1 && reg <= 5) return undefined; // calls clobber r0-r5
      continue;
    }
    if (insn.code === LD_IMM64) {
      if (insn.dst !== reg) continue;
      return insn.src === PseudoLd.MAP_FD ? insn.imm : undefined;
    }
    if (insn.code === (Cls.ALU64 | AluOp.MOV | Src.X) && insn.off === 0 && insn.dst === reg) {
      reg = insn.src;
      continue;
    }
    if (writesRegister(insn, reg)) return undefined;
  }
  return undefined;
}

/** Whether `insn` (not a jump or ld_imm64) may change register `reg`. */
function writesRegister(insn: Insn, reg: number): boolean {
  const c = insn.code & 0x07;
  if (c === Cls.ALU || c === Cls.ALU64 || c === Cls.LDX || c === Cls.LD) return insn.dst === reg || (c === Cls.LD && reg <= 5);
  if (c === Cls.STX && (insn.code & 0xe0) === Mode.ATOMIC) {
    if (insn.imm === AtomicOp.CMPXCHG) return reg === 0;
    if (insn.imm === AtomicOp.LOAD_ACQ) return insn.dst === reg;
    return (insn.imm & AtomicOp.FETCH) !== 0 && insn.src === reg;
  }
  return false;
}

const JUMP_TARGETS = new WeakMap<Program, Set<number>>();

/** Every pc a jump or a bpf-to-bpf call can land on. */
function jumpTargets(prog: Program): Set<number> {
  let t = JUMP_TARGETS.get(prog);
  if (t) return t;
  t = new Set<number>();
  prog.insns.forEach((insn, pc) => {
    const c = insn.code & 0x07;
    if (c !== Cls.JMP && c !== Cls.JMP32) return;
    const op = insn.code & 0xf0;
    if (op === JmpOp.EXIT) return;
    if (op === JmpOp.CALL) {
      if (insn.src === PseudoCall.LOCAL) t!.add(pc + insn.imm + 1);
      return;
    }
    t!.add(pc + (c === Cls.JMP32 && op === JmpOp.JA ? insn.imm : insn.off) + 1);
  });
  // ld_imm64 of a function (BPF_PSEUDO_FUNC) makes its target a callback entry
  prog.insns.forEach((insn, pc) => {
    if (insn.code === LD_IMM64 && insn.src === PseudoLd.FUNC && !isSecondHalf(prog, pc)) t!.add(pc + insn.imm + 1);
  });
  JUMP_TARGETS.set(prog, t);
  return t;
}

function refuse(p: ProgramSpec, pc: number, line: string): never {
  throw new VerifierError(`program ${p.name} insn ${pc}: ${line}`, earlyRefusalLog(line), pc);
}

/** Typed __ksyms resolved against the built-in kernel BTF: the VAR must exist (unless weak) and
 *  its type must be compatible with the declared one, as libbpf checks against the kernel's. */
function checkTypedKsyms(spec: ObjectSpec, options: LoadOptions): void {
  for (const e of spec.externs) {
    if (e.kind !== 'ksym' || !e.ksymType || !spec.btf || options.ksyms?.[e.name] !== undefined) continue;
    // Built only here, when a typed __ksym needs it: building it is a measurable part of start-up.
    const kernel = builtinBtf();
    const v = kernel.find(e.name, BtfKind.VAR)[0];
    if (!v) continue; // unknown symbols: checkKsymsKnown (or set to 0 when weak)
    if (!typesAreCompatible(spec.btf, e.ksymType, kernel, v.sizeOrType))
      throw new LinkError(`incompatible types: declared ${spec.btf.typeName(e.ksymType)}, but the kernel has ${kernel.typeName(v.sizeOrType)}`, `ksym ${e.name}`);
  }
}

/** libbpf resolves every __ksym variable of the object when it loads it (bpf_object__resolve_externs,
 *  whichever programs load): one the kernel does not have, unless weak, fails the whole object
 *  (-ESRCH), also when the programs loaded never name it. */
function checkKsymsKnown(spec: ObjectSpec, options: LoadOptions): void {
  for (const e of spec.externs) {
    if (e.kind !== 'ksym' || e.weak || options.ksyms?.[e.name] !== undefined || builtinKsym(e.name) !== undefined) continue;
    throw new LinkError(`kernel symbol ${e.name} is not known to this runtime (libbpf resolves every __ksym of the object at load)`, `extern (ksym) ${e.name}`);
  }
}

/** Names of the programs `load` links: the autoload ones, or with `options.programs` those, the
 *  `__auxiliary` programs and the prog_array `values` targets (programs of maps nobody loads are
 *  not needed, but libbpf fills every slot, so every target is taken). */
export function selectPrograms(spec: ObjectSpec, options: Pick<LoadOptions, 'programs' | 'unprivAuxiliary' | 'testLoader'> = {}): Set<string> {
  if (!options.programs) return new Set([...spec.programs.values()].filter((p) => p.autoload).map((p) => p.name));
  const chosen = new Set<string>();
  for (const name of options.programs) {
    if (!spec.programs.has(name)) throw new UsageError(`no program named ${name} (have: ${[...spec.programs.keys()].join(', ') || 'none'})`);
    chosen.add(name);
  }
  for (const p of spec.programs.values()) if (isAuxiliary(spec.btf, p.name, options.unprivAuxiliary)) chosen.add(p.name);
  for (const m of spec.maps.values()) {
    if (options.testLoader || !m.autocreate || m.type !== MapType.PROG_ARRAY) continue;
    for (const slot of m.initSlots ?? []) if (slot.kind === 'prog' && spec.programs.has(slot.target)) chosen.add(slot.target);
  }
  return chosen;
}

export function load(runtime: Runtime, spec: ObjectSpec, options: LoadOptions = {}): LoadedObject {
  if (typeof spec !== 'object' || spec === null || !(spec.programs instanceof Map) || !(spec.maps instanceof Map)) throw new UsageError(`load: expected an object spec from openObject, got ${describeValue(spec)}`);
  if (options.programs !== undefined && !Array.isArray(options.programs)) throw new UsageError(`load: options.programs must be an array of program names, got ${describeValue(options.programs)}`);
  checkTypedKsyms(spec, options);
  checkKsymsKnown(spec, options);
  const obj = new LoadedObject(runtime, spec);
  obj.unpriv = options.unpriv === true;
  const selected = selectPrograms(spec, options);
  for (const name of Object.keys(options.attachTargets ?? {})) {
    const p = spec.programs.get(name);
    if (!p) throw new UsageError(`attachTargets names ${name}, which is not a program of this object (have: ${[...spec.programs.keys()].join(', ') || 'none'})`);
    if (p.progType !== ProgType.EXT) throw new UsageError(`attachTargets names ${name}, which is a ${progTypeName(p.progType)} program (SEC("${p.section}")), not an extension (freplace)`);
  }
  const created: LoadedMap[] = [];
  // Maps ebpfvm cannot create are an error only if a loaded program (or a map's `values`) uses them.
  const uncreatable = new Map<string, EbpfvmError>();
  try {
    // Maps first: programs embed their ids.
    for (const [name, m] of spec.maps) {
      if (!m.autocreate) continue;
      const mapSpec = toRuntimeSpec(spec, m, options, runtime);
      const reuseId = options.reuseMaps?.[name];
      const pinned = m.pinning === 1 ? PINNED.get(runtime)?.get(name) : undefined;
      const existing = reuseId !== undefined ? runtime.mapById(reuseId) : pinned && runtime.mapById(pinned.id) === pinned ? pinned : undefined;
      if (reuseId !== undefined && !existing) throw new LinkError(`reuseMaps names map id ${reuseId}, which does not exist`, `map ${name}`);
      if (existing) {
        // libbpf refuses to reuse a map whose definition differs ("parameter mismatch").
        if (!compatible(existing.map.spec, mapSpec)) throw new LinkError(`cannot reuse map id ${existing.id}: type, key/value size, max_entries or flags differ`, `map ${name}`);
        obj.maps.set(name, existing);
        continue;
      }
      // libbpf creates every map before loading any program: a map type the caller may not
      // create fails the whole load.
      if (options.unpriv) checkUnprivMap(name, mapSpec.type, mapSpec.flags);
      let lm: LoadedMap;
      try {
        lm = runtime.createMap(mapSpec);
      } catch (e) {
        if (e instanceof EbpfvmError) {
          e.message = e.message.startsWith(`map ${name}`) ? e.message : `map ${name}: ${e.message}`;
          if (e instanceof UnsupportedError) {
            uncreatable.set(name, e);
            continue;
          }
          throw e;
        }
        throw e;
      }
      created.push(lm);
      obj.maps.set(name, lm);
      // libbpf mmaps a BPF arena at creation and copies `.addr_space.1` into it (allocating
      // those pages as the writes fault them in).
      if (m.arenaData && isBpfArenaMap(lm.map)) lm.map.writeBytes(0, m.arenaData);
      if (m.pinning === 1) {
        const table = PINNED.get(runtime) ?? new Map<string, LoadedMap>();
        PINNED.set(runtime, table);
        table.set(name, lm);
      }
      // libbpf freezes .rodata and .kconfig after writing them: programs and user space read only.
      if (m.origin === 'kconfig' || (m.origin === 'data' && (m.flags & 0x80) !== 0)) lm.map.frozen = true;
    }
    const mapId = (m: ObjMapSpec) => {
      const lm = obj.maps.get(m.name);
      const refused = uncreatable.get(m.name);
      if (refused) throw refused;
      if (!lm) throw new LinkError(`map ${m.name} was not created`, 'load');
      return lm.id;
    };
    for (const p of spec.programs.values()) {
      if (!selected.has(p.name)) continue;
      // Kernel symbols: the user's addresses first, then the built-in kernel's typed __ksyms.
      const linkEnv: Parameters<typeof linkProgram>[2] = { mapId, ksym: (n) => options.ksyms?.[n] ?? builtinKsym(n), kfunc: (n) => resolveKfunc(runtime, spec, n) };
      // The built-in BTF is built on first use (a CO-RE relocation), not for every load.
      const target = options.targetBtf;
      if (target !== 'local') Object.defineProperty(linkEnv, 'targetBtf', { get: () => target ?? builtinBtf(), enumerable: true });
      const linked = linkProgram(spec, p, linkEnv);
      linkArena(runtime, linked.program);
      if (options.unpriv) checkUnprivProgram(p.name, p.progType, linked.program.insns.length);
      const ext = p.progType === ProgType.EXT ? resolveExtTarget(p, spec.btf, linked.funcInfo.find((fi) => fi.pc === 0)?.typeId, linked.program, options.attachTargets?.[p.name], (id) => runtime.helper(id)) : undefined;
      checkSupported(runtime, p, linked.program, spec.btf, ext);
      const lp: LoadedProgram = { name: p.name, section: p.section, progType: p.progType, expectedAttachType: p.expectedAttachType, id: 0, program: linked.program, spec: p, notes: linked.notes, funcInfo: linked.funcInfo, verify: (opts) => verifyProgram(obj, p.name, opts) };
      if (spec.btf) lp.btf = spec.btf;
      if (ext) lp.extTarget = ext;
      try {
        lp.id = runtime.registerProgram(linked.program);
      } catch (e) {
        // Malformed code (a jump out of the program, an unknown opcode, a register past r10): the
        // kernel's verifier refuses it, so the refusal is the verifier's, in its words.
        if (!(e instanceof DecodeError)) throw e;
        const r = verify(verifierInput(obj, lp), { logLevel: 1, unpriv: obj.unpriv });
        if (r.accepted) throw e;
        throw new VerifierError(`program ${p.name} rejected by the verifier${r.errorPc !== undefined ? ` at insn ${r.errorPc}` : ''}: ${r.error ?? ''}`, r.log, r.errorPc);
      }
      if (p.attachTo !== undefined) lp.attachTo = p.attachTo;
      obj.programs.set(p.name, lp);
    }
    // `values` initialisers need ids of maps and programs created above.
    for (const [name, m] of spec.maps) {
      // struct_ops slots are member indexes, filled when the map is registered with the kernel.
      if (!m.initSlots || !m.autocreate || m.type === MapType.STRUCT_OPS) continue;
      const lm = obj.maps.get(name);
      if (!lm) continue; // not creatable and unused: noted below
      for (const slot of m.initSlots) {
        let id: number;
        if (slot.kind === 'map') {
          const refused = uncreatable.get(slot.target);
          if (refused) throw refused;
          const inner = obj.maps.get(slot.target);
          if (!inner) throw new LinkError(`values[${slot.index}] refers to map ${slot.target}, which was not created`, `map ${name}`);
          id = inner.id;
        } else {
          const prog = obj.programs.get(slot.target);
          if (!prog && options.testLoader && !selected.has(slot.target)) {
            obj.unfilledSlots.push({ map: name, index: slot.index, program: slot.target });
            continue;
          }
          if (!prog) throw new LinkError(`values[${slot.index}] refers to program ${slot.target}, which was not loaded`, `map ${name}`);
          id = prog.id;
        }
        const err = lm.map.update(u32(slot.index), u32(id));
        if (err < 0) throw new LinkError(`values[${slot.index}] = ${slot.target} rejected (errno ${-err})`, `map ${name}`);
      }
    }
    for (const e of uncreatable.values()) obj.notes.push(`${e.message}: skipped, no loaded program uses it`);
    return obj;
  } catch (e) {
    for (const lm of created) {
      if (PINNED.get(runtime)?.get(lm.map.name) === lm) PINNED.get(runtime)!.delete(lm.map.name);
      runtime.destroyMap(lm.id);
    }
    throw e;
  }
}

/** The BPF arena the program uses (the kernel's prog->aux->arena): what its addr_space_cast
 *  instructions need at run time. The first one referenced; the verifier refuses a second
 *  ("Only one arena per program"). */
function linkArena(runtime: Runtime, prog: Program): void {
  const insns = prog.insns;
  for (let pc = 0; pc < insns.length; pc++) {
    const x = insns[pc]!;
    if (x.code !== 0x18) continue;
    if (x.src === PseudoLd.MAP_FD || x.src === PseudoLd.MAP_VALUE || x.src === PseudoLd.MAP_IDX || x.src === PseudoLd.MAP_IDX_VALUE) {
      const m = runtime.mapById(x.imm)?.map;
      if (isBpfArenaMap(m)) {
        prog.arena = { mapId: x.imm, userHi: m.userHi, noUserConv: m.noUserConv };
        return;
      }
    }
    pc++;
  }
}

function toRuntimeSpec(spec: ObjectSpec, m: ObjMapSpec, options: LoadOptions, runtime: Runtime): ObjMapSpec {
  const ncpus = runtime.options.ncpus;
  const out: ObjMapSpec = { ...m };
  if (m.origin === 'kconfig') {
    // The image is as large as the .kconfig DATASEC says: bound it before allocating it, with
    // what BPF_MAP_CREATE would answer for such an array.
    if (m.valueSize > MAX_ARRAY_VALUE_SIZE) throw createError(m, `value_size ${m.valueSize} too large (max ${MAX_ARRAY_VALUE_SIZE})`, Errno.E2BIG);
    checkFitsArena(m, m.valueSize, runtime.arena.maxBytes);
    const image = kconfigImage(spec, options.kconfigDefaults);
    if (image) out.contents = [{ key: new Uint8Array(4), value: image }];
  }
  if (m.origin === 'data' && m.contents) out.contents = m.contents.map((c) => ({ key: c.key.slice(), value: c.value.slice() }));
  if (m.type === MapType.ARRAY_OF_MAPS || m.type === MapType.HASH_OF_MAPS) {
    delete out.contents;
    const innerId = options.innerMaps?.[m.name];
    if (innerId !== undefined) {
      const inner = runtime.mapById(innerId);
      if (!inner) throw new LinkError(`innerMaps names map id ${innerId}, which does not exist`, `map ${m.name}`);
      const { contents: _c, innerMap: _i, ...template } = inner.map.spec;
      void _c;
      void _i;
      out.innerMap = { ...template, name: `${m.name}.inner` };
    }
  }
  // libbpf completes perf event arrays at creation: u32 key and value, one slot per possible CPU.
  if (m.type === MapType.PERF_EVENT_ARRAY) {
    out.keySize ||= 4;
    out.valueSize ||= 4;
    out.maxEntries ||= ncpus;
  }
  return out;
}
