// The library's verifier entry (DESIGN sections 8 and 9): verifyProgram(obj, name, options) fills
// the verifier's input from a loaded program (its linked instructions, the Runtime's maps and
// helper table, line info, global functions and tracing arguments from BTF) and keeps the result
// on the LoadedProgram, so later stages (run, the compiler) can read the verdict and the facts.
import { UnsupportedError, VerifierError, earlyRefusalLog } from './errors.js';
import { ProgType } from '../vm/prog-types.js';
import type { CtxArg } from '../verifier/env.js';
import { checkUnprivProgram } from './loader/unpriv.js';
import { POISON_LDIMM64_MAP_BASE } from './loader/link.js';
import type { ObjectSpec } from './loader/spec.js';
import { verify, type GlobalArg, type InsnFacts, type VerifierMap, type VerifyInput, type VerifyOptions, type VerifyResult } from '../verifier/index.js';
import { BtfKind, KIND_NAMES, type Btf, type BtfMember, type BtfType } from './btf/btf.js';
import { builtinBtf, builtinMemberRange } from './btf/builtin.js';
import { kfuncByName } from '../helpers/kfuncs.js';
import { helperForType } from '../helpers/table.js';
import { btfAttachTarget } from './btf/builtin-args.js';
import { iterTarget } from './iter-targets.js';
import { STRUCT_OPS_TYPES, type StructOpsType } from './btf/builtin-struct-ops.js';
import { lsmHookDisabled, lsmHookOf, lsmHookReturn, lsmHookUntrusted } from './btf/lsm-hooks.js';
import { MapType, type BpfMap } from '../maps/types.js';
import { FieldError, mapValueRecord, structMetas, type BtfRecord } from './btf/fields.js';
import { progTypeInfo } from '../vm/contexts.js';
import { fixupFacts, xlateProgram, type FixupFacts } from '../verifier/fixups.js';
import { isPercpuMov } from '../vm/isa.js';
import type { Program, ProvenFacts } from '../vm/program.js';
import type { Insn } from '../vm/isa.js';
import type { LoadedObject, LoadedProgram } from './loader/load.js';
import { withExtensions } from './loader/freplace.js';
import { STB, STT } from './elf/file.js';

export type { VerifyOptions, VerifyResult, InsnFacts } from '../verifier/index.js';

/** Verify one loaded program of `obj`; keeps the result on the LoadedProgram (`prog.verified`). */
export function verifyProgram(obj: LoadedObject, name: string, opts: VerifyOptions = {}): VerifyResult {
  const lp = obj.program(name);
  // An object loaded without capabilities verifies unprivileged; `unpriv` here asks for it on any
  // object, and then the program must also be one an unprivileged loader may load.
  const unpriv = opts.unpriv ?? obj.unpriv;
  if (unpriv) checkUnprivProgram(name, lp.progType, lp.program.insns.length);
  const refused = structOpsAttachError(lp) ?? lsmAttachError(lp);
  const result = refused !== undefined ? attachRefusal(refused) : verify(verifierInput(obj, lp, unpriv), { ...opts, unpriv });
  result.log = fixupFailedCoreRelo(fixupMissingMapLoad(result.log, [...obj.spec.maps.keys()]), lp.program.coreFailureSpecs);
  lp.verified = result;
  // The rbtree helpers skip their run-time lock check for a program whose every tree operation
  // was proven to hold the lock (strict mode); any other verdict keeps the check.
  lp.program.rbtreeLockProven = result.rbtreeLockProven === true;
  // An accepted program runs as the kernel runs it, with the verifier's rewrites (the pcs of its
  // faults and traces are the rewritten ones, as in the kernel's xlated program).
  const fixups: FixupFacts = fixupFacts(result);
  if (lp.program.arena?.noUserConv) fixups.arenaNoUserConv = true;
  lp.xlated = result.accepted ? xlateProgram(lp.program, fixups) : undefined;
  // The inlined bpf_get_smp_processor_id reads the per-CPU areas: made at load, outside any run.
  if (lp.xlated && lp.xlated !== lp.program && lp.xlated.insns.some(isPercpuMov)) obj.runtime.percpuArea();
  // The facts are per pc of the verified instructions: kept only when the verifier did not rewrite
  // them (a rewrite moves pcs), and dropped when a later verification rejects the program.
  lp.program.proven = result.accepted && lp.xlated === lp.program && result.facts ? provenFacts(lp.program.insns, result.facts) : undefined;
  lp.program.probeLoads = result.accepted && lp.xlated === lp.program && result.facts ? btfLoads(lp.program.insns, result.facts) : undefined;
  obj.runtime.replaceProgram(lp.id, runnableProgram(lp));
  // A program with extensions attached runs them (src/freplace.ts); an extension that changed
  // changes what its target runs.
  for (const target of lp.attachedTo ?? []) obj.runtime.replaceProgram(target.id, runnableProgram(target));
  return result;
}

/** The facts the compiling tier uses (vm/program.ts ProvenFacts) from the verifier's per-insn
 *  facts: an access is safe when every pointer type it was seen with is the stack or a plain map
 *  value (the verifier checked bounds and write permission for each; per-CPU, read-only and
 *  other pointer types keep the run-time checks). */
function provenFacts(insns: readonly Insn[], facts: readonly InsnFacts[]): ProvenFacts {
  const safeMem = new Uint8Array(facts.length);
  for (let pc = 0; pc < facts.length; pc++) {
    const f = facts[pc]!;
    if (f.safeAccess && f.ptrTypes !== undefined && f.ptrTypes.every((t) => t === 'fp' || t === 'map_value')) safeMem[pc] = 1;
  }
  return { insns, safeMem };
}

/** The loads (BPF_LDX) whose base register was a BTF-typed pointer on some path ('ptr_',
 *  'trusted_ptr_', 'untrusted_ptr_', 'rcu_ptr_', ...): the kernel's PROBE_MEM loads. */
function btfLoads(insns: readonly Insn[], facts: readonly InsnFacts[]): ReadonlySet<number> | undefined {
  const out = new Set<number>();
  for (let pc = 0; pc < facts.length; pc++) {
    const types = facts[pc]!.ptrTypes;
    if (types?.some((t) => t.endsWith('ptr_')) && ((insns[pc]?.code ?? 0) & 0x07) === 0x01) out.add(pc);
  }
  return out.size ? out : undefined;
}

/** The struct_ops member a program implements: its arguments as ctx slots (pointers to structs
 *  are trusted BTF pointers, NULL-able where the kernel's stub says `__nullable`, retyped as the
 *  type's is_valid_access retypes them), and the type's btf_struct_access for writes. Undefined
 *  for other programs; a type ebpfvm does not model, or a program no struct_ops map names, is
 *  refused. */
function structOpsMember(lp: LoadedProgram): { name: string; args: CtxArg[]; type: StructOpsType; retVoid: boolean } | undefined {
  if (lp.progType !== ProgType.STRUCT_OPS) return undefined;
  const struct = lp.attachTo;
  if (struct === undefined) throw new UnsupportedError(`struct_ops program ${lp.name}: no .struct_ops map names it, so it implements no member (libbpf does not load it either)`);
  const type = STRUCT_OPS_TYPES[struct];
  if (!type) throw new UnsupportedError(`struct_ops program ${lp.name}: struct ${struct} is not a struct_ops type ebpfvm models (${Object.keys(STRUCT_OPS_TYPES).join(', ')})`);
  const btf = builtinBtf();
  const t = btf.find(struct, BtfKind.STRUCT)[0]!;
  const m = t.members![lp.expectedAttachType];
  if (!m) throw new UnsupportedError(`struct_ops program ${lp.name}: struct ${struct} has no member #${lp.expectedAttachType}`);
  const ptr = btf.resolve(m.type);
  const proto = ptr.kind === BtfKind.PTR ? btf.resolve(ptr.sizeOrType) : undefined;
  if (proto?.kind !== BtfKind.FUNC_PROTO) throw new UnsupportedError(`struct_ops program ${lp.name}: member ${m.name} of struct ${struct} is not a function pointer`);
  const nullable = type.nullable[m.name] ?? [];
  const args = proto.params!.map((p, i): CtxArg => {
    const pt = btf.resolve(p.type);
    const target = pt.kind === BtfKind.PTR ? btf.resolve(pt.sizeOrType) : undefined;
    if (target?.kind !== BtfKind.STRUCT) return { kind: 'scalar' };
    const name = type.promote?.[target.name] ?? target.name;
    const size = name === target.name ? btf.sizeof(target.id) : btf.sizeof(btf.find(name, BtfKind.STRUCT)[0]!.id);
    // a nullable argument is typed from the program's ctx_arg_info (no log line); the others by
    // btf_ctx_access, which names the prototype's struct (bpf_tcp_ca promotes it afterwards)
    return { kind: 'btf', name, size, ...(nullable.includes(i) ? { nullable: true } : { typed: { id: target.id, type: `STRUCT '${target.name}'` } }) };
  });
  return { name: m.name, args, type, retVoid: proto.sizeOrType === 0 };
}

/** check_struct_ops_btf_id's refusals before the instructions are looked at, in its order: a
 *  program without a GPL-compatible license, a member the type's cfi stubs leave out
 *  (bpf_struct_ops_supported), a sleepable program for a member the type's check_member does
 *  not let sleep. */
function structOpsAttachError(lp: LoadedProgram): string | undefined {
  if (lp.progType !== ProgType.STRUCT_OPS) return undefined;
  const member = structOpsMember(lp)!;
  if (!lp.program.gpl) return 'struct ops programs must have a GPL compatible license';
  if (member.type.unsupported?.includes(member.name)) return `attach to unsupported member ${member.name} of struct ${lp.attachTo}`;
  if (lp.spec.sleepable && member.type.sleepable && !member.type.sleepable.includes(member.name)) return `attach to unsupported member ${member.name} of struct ${lp.attachTo}`;
  return undefined;
}

/** bpf_lsm_verify_prog's refusals (check_attach_btf_id, before the instructions are looked at):
 *  a non-GPL program, a hook of bpf_lsm_disabled_hooks. The id is the built-in BTF's, 0 for a
 *  hook it lacks (the kernel prints its own BTF's id). */
function lsmAttachError(lp: LoadedProgram): string | undefined {
  const hook = lp.progType === ProgType.LSM ? lsmHookOf(lp.section) : undefined;
  if (hook === undefined) return undefined;
  if (!lp.program.gpl) return 'LSM programs must have a GPL compatible license';
  if (!lsmHookDisabled(hook)) return undefined;
  const id = builtinBtf().find(`bpf_lsm_${hook}`, BtfKind.FUNC)[0]?.id ?? 0;
  return `attach_btf_id ${id} points to disabled hook bpf_lsm_${hook}`;
}

function attachRefusal(error: string): VerifyResult {
  const stats = { maxStatesPerInsn: 0, totalStates: 0, peakStates: 0, stackDepth: [], mayGoto: [] };
  return { accepted: false, log: earlyRefusalLog(error), error, errorPc: 0, processed: 0, stats };
}

/** libbpf's fixup_log_missing_map_load: where the verifier stopped at the call a load of an
 *  uncreated map was poisoned into (link.ts), libbpf rewrites the log's last lines
 *  `N: (85) call unknown#2001000M` / `invalid func unknown#2001000M` into `N: <invalid BPF map
 *  reference>` / `BPF map 'NAME' is referenced but wasn't created`, NAME the object's map M. */
function fixupMissingMapLoad(log: string, mapNames: readonly string[]): string {
  const m = /(^|\n)(\d+): \(85\) call unknown#(\d+)\ninvalid func unknown#\3\n/.exec(log);
  if (!m) return log;
  const name = mapNames[Number(m[3]) - POISON_LDIMM64_MAP_BASE];
  if (name === undefined) return log;
  // libbpf looks at the last 10 lines only.
  const start = m.index + m[1]!.length;
  if (log.slice(start).split('\n').length > 11) return log;
  return `${log.slice(0, start)}${m[2]}: <invalid BPF map reference>\nBPF map '${name}' is referenced but wasn't created\n${log.slice(m.index + m[0].length)}`;
}

/** libbpf's fixup_log_failed_core_relo: where the verifier stopped at the call a failed CO-RE
 *  relocation was poisoned into (`N: (85) call unknown#195896080` / `invalid func
 *  unknown#195896080`), libbpf puts `N: <invalid CO-RE relocation>` / `failed to resolve CO-RE
 *  relocation SPEC` in their place, SPEC the relocation's local spec (src/btf/core.ts). */
function fixupFailedCoreRelo(log: string, specs: ReadonlyMap<number, string> | undefined): string {
  if (!specs) return log;
  const m = /(^|\n)(\d+): \(85\) call unknown#195896080\ninvalid func unknown#195896080\n/.exec(log);
  const spec = m ? specs.get(Number(m[2])) : undefined;
  if (!m || spec === undefined) return log;
  // libbpf looks at the last 10 lines only.
  const start = m.index + m[1]!.length;
  if (log.slice(start).split('\n').length > 11) return log;
  return `${log.slice(0, start)}${m[2]}: <invalid CO-RE relocation>\nfailed to resolve CO-RE relocation ${spec}\n${log.slice(m.index + m[0].length)}`;
}

/** The program a run of `lp` executes: the verifier's rewrite once accepted, else the loaded one;
 *  with extension programs attached, the two joined (src/freplace.ts). */
export function runnableProgram(lp: LoadedProgram): Program {
  const own = lp.xlated ?? lp.program;
  if (!lp.replacedBy?.size) return own;
  const parts = [...lp.replacedBy].map(([func, ext]) => [func, runnableProgram(ext)] as const);
  // The same joined program while nothing changed: the engines decode and compile per Program.
  const last = JOINED.get(lp);
  if (last && last.own === own && last.parts.length === parts.length && last.parts.every(([f, p], i) => parts[i]![0] === f && parts[i]![1] === p)) return last.joined;
  const joined = withExtensions(own, new Map(parts));
  JOINED.set(lp, { own, parts, joined });
  return joined;
}

const JOINED = new WeakMap<LoadedProgram, { own: Program; parts: readonly (readonly [string, Program])[]; joined: Program }>();

/** Verify program `name` of `obj` before a run (the CLI's `run`/`bench` by default, runLoaded
 *  with `verify`): the accepted verdict, or a VerifierError (exit 1) carrying the kernel-format log
 *  and the verifier's error line. A program already accepted with the same options is not
 *  verified again. */
export function verifyForRun(obj: LoadedObject, name: string, opts: VerifyOptions = {}): VerifyResult {
  const lp = obj.program(name);
  const done = lp.verified;
  const verdict = done?.accepted && opts.logLevel === undefined && !opts.strict && !opts.progFlags && opts.unpriv === undefined ? done : verifyProgram(obj, name, { logLevel: 0, ...opts });
  if (!verdict.accepted) {
    const where = verdict.errorPc !== undefined ? ` at insn ${verdict.errorPc}` : '';
    throw new VerifierError(`program ${name} rejected by the verifier${where}: ${verdict.error ?? 'see the log'} (--no-verify runs it unverified)`, verdict.log, verdict.errorPc);
  }
  return verdict;
}

/** What the kernel's btf_prepare_func_args logs for the main function (6.18): its return type
 *  must be an integer or enum, and a pointer argument that is not the context must point to
 *  something sized (a `void *` does not); the first problem's line, or undefined. */
function mainSignatureNote(btf: Btf, funcId: number): string | undefined {
  try {
    const fn = btf.type(funcId);
    if (fn.kind !== BtfKind.FUNC) return undefined;
    const proto = btf.type(fn.sizeOrType);
    if (proto.kind !== BtfKind.FUNC_PROTO) return undefined;
    const ret = proto.sizeOrType === 0 ? undefined : btf.resolve(proto.sizeOrType);
    if (!ret || (ret.kind !== BtfKind.INT && ret.kind !== BtfKind.ENUM && ret.kind !== BtfKind.ENUM64)) return `Global function ${fn.name}() doesn't return scalar. Only those are supported.\n`;
    const params = proto.params ?? [];
    for (let i = 0; i < params.length; i++) {
      const t = params[i]!.type === 0 ? undefined : btf.resolve(params[i]!.type);
      // a pointer to void or to a forward-declared struct (not the program type's context,
      // which must be a struct) has no size: btf_prepare_func_args logs it for the main function
      // too (and goes on)
      const to = t?.kind === BtfKind.PTR ? (t.sizeOrType === 0 ? undefined : btf.resolve(t.sizeOrType)) : null;
      if (to === undefined || to?.kind === BtfKind.UNKN) return `arg#${i} reference type('UNKNOWN ') size cannot be determined: -22\n`;
      if (to?.kind === BtfKind.FWD) return `arg#${i} reference type('FWD ${to.name}') size cannot be determined: -22\n`;
    }
    return undefined;
  } catch {
    return undefined; // malformed BTF is the loader's business
  }
}

/** libbpf's mark_btf_static: a global subprogram (a function of .text) whose symbol has hidden or
 *  internal visibility gets a static BTF FUNC before the load, so the kernel verifies it in its
 *  callers' context, not on its own (libbpf's usdt.bpf.h counts on it). The names of those. */
function hiddenSubprogs(obj: LoadedObject): ReadonlySet<string> {
  let names = HIDDEN.get(obj.spec);
  if (names) return names;
  const elf = obj.spec.elf;
  const text = elf.section('.text')?.index;
  names = new Set(elf.symbols.filter((s) => s.shndx === text && s.type === STT.FUNC && s.bind !== STB.LOCAL && (s.visibility === STV_HIDDEN || s.visibility === STV_INTERNAL)).map((s) => s.name));
  HIDDEN.set(obj.spec, names);
  return names;
}
const HIDDEN = new WeakMap<ObjectSpec, ReadonlySet<string>>();
const STV_INTERNAL = 1, STV_HIDDEN = 2;

/** check_btf_func's scalar_return: FUNC `funcId` returns btf_type_is_small_int or an enum. */
function funcReturnsScalar(btf: Btf, funcId: number): boolean {
  try {
    const fn = btf.type(funcId);
    if (fn.kind !== BtfKind.FUNC) return true;
    const proto = btf.type(fn.sizeOrType);
    if (proto.kind !== BtfKind.FUNC_PROTO || proto.sizeOrType === 0) return false;
    const ret = btf.resolve(proto.sizeOrType);
    return (ret.kind === BtfKind.INT && ret.sizeOrType <= 8) || ret.kind === BtfKind.ENUM || ret.kind === BtfKind.ENUM64;
  } catch {
    return true; // malformed BTF is the loader's business
  }
}

/** What the verifier needs to know about a loaded program. `unpriv`: as an unprivileged loader
 *  gives it to the kernel, without the object's BTF (BPF_BTF_LOAD needs CAP_BPF and libbpf goes
 *  on without it): no func or line info, maps without BTF, array maps created index-masked. */
export function verifierInput(obj: LoadedObject, lp: LoadedProgram, unpriv = obj.unpriv): VerifyInput {
  const runtime = obj.runtime;
  const prog = lp.program;
  const maps = new Map<number, VerifierMap | undefined>();
  const objBtf = unpriv ? undefined : obj.spec.btf;
  const mapOf = (id: number): VerifierMap | undefined => {
    if (!maps.has(id)) maps.set(id, toVerifierMap(id, runtime.mapById(id)?.map, obj.spec.btf, unpriv, unpriv));
    return maps.get(id);
  };
  const lines = unpriv ? [] : (prog.lineInfo ?? []);
  // An extension is verified as its target's type (resolve_prog_type, env->ops).
  const progType = lp.extTarget?.program.progType ?? lp.progType;
  const input: VerifyInput = {
    name: lp.name,
    insns: prog.insns,
    progType,
    expectedAttachType: lp.extTarget?.program.expectedAttachType ?? lp.expectedAttachType,
    gpl: prog.gpl,
    sleepable: lp.spec.sleepable,
    nrCpuIds: runtime.options.ncpus,
    map: mapOf,
    helper: (id) => helperForType(runtime.helper(id), progType),
    kfuncName: () => undefined,
    sourceLine: (pc) => {
      // The line_info record covering pc (the last one at or before it).
      let lo = 0;
      let hi = lines.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (lines[mid]!.pc <= pc) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (found < 0) return undefined;
      const l = lines[found]!;
      const file = l.file.slice(l.file.lastIndexOf('/') + 1);
      return `${l.text.trim()} @ ${file}:${l.line}`;
    },
  };
  if (prog.funcs) input.funcs = prog.funcs;
  if (prog.coreFailures) input.coreFailures = prog.coreFailures;
  if (prog.exceptionCallback !== undefined) input.exceptionCallback = prog.exceptionCallback;
  // kfunc names from the linker's notes ("kfunc name").
  input.kfuncName = (id) => {
    for (const [pc, note] of lp.notes) {
      const insn = prog.insns[pc];
      if (insn && insn.imm === id && note.startsWith('kfunc ')) return note.slice(6).split(' ')[0];
    }
    return undefined;
  };
  const hooks = builtinKernelHooks();
  input.kfunc = hooks.kfunc;
  input.kernelType = hooks.kernelType;
  input.structAt = hooks.structAt;
  const btf = objBtf;
  if (btf) {
    input.progBtf = true;
    let metas: Map<number, BtfRecord> | undefined;
    input.localType = (id) => {
      if (id <= 0 || id >= btf.types.length) return undefined;
      const t = btf.type(id);
      if (t.kind !== BtfKind.STRUCT) return { kind: 'other' };
      try {
        metas ??= structMetas(btf);
      } catch (e) {
        if (!(e instanceof FieldError)) throw e;
        metas = new Map();
      }
      const rec = metas.get(id);
      return { kind: 'struct', id, name: t.name, size: btf.sizeof(id), ...(rec ? { record: rec } : {}), scalarsOnly: scalarStruct(btf, id, 0) };
    };
    const globals = new Map<number, { name: string; args: readonly GlobalArg[]; retScalar: boolean }>();
    const retScalar = new Map<number, boolean>();
    for (const fi of lp.funcInfo) {
      if (fi.pc > 0) retScalar.set(fi.pc, funcReturnsScalar(btf, fi.typeId));
      if (fi.pc === 0 && lp.extTarget) {
        const fn = btf.type(fi.typeId);
        if (fn.kind === BtfKind.FUNC) input.extension = { name: fn.name, args: globalArgs(btf, fn.id, fn.sizeOrType, progType), retScalar: returnsScalar(btf, fn.sizeOrType) };
        continue;
      }
      if (fi.pc === 0) {
        const note = mainSignatureNote(btf, fi.typeId);
        if (note !== undefined) input.mainSignatureNote = note;
        continue;
      }
      const fn = btf.type(fi.typeId);
      if (fn.kind !== BtfKind.FUNC || (fn.linkage ?? fn.vlen) !== 1 || hiddenSubprogs(obj).has(fn.name)) continue;
      globals.set(fi.pc, { name: fn.name, args: globalArgs(btf, fn.id, fn.sizeOrType, progType), retScalar: returnsScalar(btf, fn.sizeOrType) });
    }
    if (globals.size) input.globalFuncs = globals;
    const main = lp.funcInfo.find((fi) => fi.pc === 0);
    if (main) {
      const tags = btf.types.filter((t) => t.kind === BtfKind.DECL_TAG && t.componentIdx === -1 && t.sizeOrType === main.typeId && t.name.startsWith('exception_callback:')).length;
      if (tags) input.exceptionCallbackTags = tags;
    }
    if (retScalar.size) input.subprogRetScalar = retScalar;
  }
  // Slot types: the built-in kernel's prototype of the target, else what the program declares
  // (test runs supply the arguments, and loads through them are PROBE_MEM loads).
  const kernelArgs = tracingArgs(lp.section);
  const own = btf ? ownArgs(btf, lp.name) : undefined;
  const n = Math.max(kernelArgs?.length ?? 0, own?.length ?? 0);
  // prog_args_trusted: tp_btf and iterator arguments are PTR_TRUSTED, lsm ones unless the hook is
  // one the kernel lists as untrusted; fentry/fexit/fmod_ret arguments are plain (legacy) pointers.
  const at = btfAttachTarget(lp.section);
  if (at && at.kind !== 'tp_btf' && !(at.kind === 'lsm' && !lsmHookUntrusted(at.target.slice('bpf_lsm_'.length)))) input.ctxArgsUntrusted = true;
  const hook = progType === ProgType.LSM ? lsmHookOf(lp.section) : undefined;
  if (hook !== undefined) input.lsmReturn = { ...lsmHookReturn(hook), ...(kernelArgs ? { slot: kernelArgs.length } : {}) };
  if (n) input.ctxArgs = Array.from({ length: n }, (_, i) => (kernelArgs?.[i]?.kind === 'btf' ? kernelArgs[i]! : own?.[i]?.kind === 'btf' ? own[i]! : (kernelArgs?.[i] ?? own?.[i])!));
  // struct_ops programs: the member's arguments (src/btf/builtin-struct-ops.ts).
  const member = structOpsMember(lp);
  if (member) {
    input.ctxArgs = member.args;
    const write = member.type.write;
    input.btfWrite = write ? (s, off, size, structSize) => write(s, off, size, structSize, builtinMemberRange) : () => 'only read is supported';
    input.structOps = { struct: lp.attachTo!, member: member.name };
    if (member.retVoid) input.retVoid = true;
  }
  // Iterator programs: the target's context (src/iter.ts); a target ebpfvm lacks is refused there.
  const iter = iterTarget(lp.section);
  if (iter) input.ctxArgs = iter.args;
  if (member) input.ctxFunc = member.name;
  else if (iter) input.ctxFunc = `bpf_iter_${iter.name}`;
  if (iter) input.iterTarget = iter.name;
  else if (at) input.ctxFunc = at.target;
  input.btfField = (s, off, size) => kernelField(builtinBtf(), s, off, size) ?? (btf ? kernelField(btf, s, off, size) : undefined);
  // Typed __ksyms: the linker turned them into addresses; the kernel's types say what they are.
  const typed = new Set(obj.spec.externs.filter((e) => e.kind === 'ksym' && e.ksymType).map((e) => e.name));
  const ksyms = new Map<number, { kind: 'btf'; name: string; size: number } | { kind: 'mem'; size: number }>();
  for (const [pc, note] of lp.notes) {
    const m = /^ksym (\S+)$/.exec(note);
    if (!m || !typed.has(m[1]!)) continue;
    const kb = builtinBtf();
    const v = kb.find(m[1]!, BtfKind.VAR)[0];
    if (!v) continue;
    const t = kb.resolve(v.sizeOrType);
    ksyms.set(pc, t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION ? { kind: 'btf', name: t.name, size: kb.sizeof(t.id) } : { kind: 'mem', size: kb.sizeof(t.id) });
  }
  if (ksyms.size) input.ksym = (pc) => ksyms.get(pc);
  return input;
}

/** The verifier's hooks into the built-in kernel that need no loaded object: kfuncs (a kfunc
 *  call's imm is its FUNC's id in the built-in BTF, src/runtime.ts kfuncId), kernel types and
 *  kernel struct members. Inputs built from raw instructions (scripts/test-verifier.mjs) use them
 *  as they are; verifierInput adds the object's own BTF to btfField. */
export function builtinKernelHooks(): Required<Pick<VerifyInput, 'kfunc' | 'kfuncName' | 'kernelType' | 'btfField' | 'structAt'>> {
  const funcAt = (id: number) => {
    const kb = builtinBtf();
    if (id <= 0 || id >= kb.types.length) return undefined;
    const t = kb.type(id);
    return t.kind === BtfKind.FUNC ? t : undefined;
  };
  return {
    kfunc: (id) => {
      const t = funcAt(id);
      return t ? kfuncByName(t.name) : undefined;
    },
    kfuncName: (id) => funcAt(id)?.name,
    kernelType: (ref) => {
      const kb = builtinBtf();
      if (ref === 0) return { kind: 'void' };
      const t = typeof ref === 'string' ? kb.find(ref, BtfKind.STRUCT)[0] : ref > 0 && ref < kb.types.length ? kb.type(ref) : undefined;
      if (!t) return undefined;
      if (t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION) {
        // the struct its first member is, when that member is a struct at offset 0
        const m0 = t.kind === BtfKind.STRUCT ? t.members?.[0] : undefined;
        const f = m0 && m0.bitOffset === 0 ? kb.resolve(m0.type) : undefined;
        return { kind: 'struct', name: t.name, size: kb.sizeof(t.id), ...(f?.kind === BtfKind.STRUCT && f.name ? { first: f.name } : {}) };
      }
      return { kind: 'other' };
    },
    btfField: (s, off, size) => kernelField(builtinBtf(), s, off, size),
    structAt: (s, off) => structAt(builtinBtf(), s, off),
  };
}

/** btf_struct_walk's WALK_STRUCT for a one-byte access at `off`: descending through the members
 *  (and array elements) holding `off`, the first struct that begins exactly there. */
function structAt(btf: Btf, struct: string, off: number): string | undefined {
  let t: BtfType | undefined = btf.find(struct, BtfKind.STRUCT)[0] ?? btf.find(struct, BtfKind.UNION)[0];
  for (let depth = 0; t && depth < 32; depth++) {
    const m: BtfMember | undefined = t.members?.find((x) => x.bitOffset % 8 === 0 && off >= x.bitOffset / 8 && off < x.bitOffset / 8 + btf.sizeof(x.type));
    if (!m) return undefined;
    off -= m.bitOffset / 8;
    let mt = btf.resolve(m.type);
    while (mt.kind === BtfKind.ARRAY) {
      const elem = btf.resolve(mt.elemType!);
      const size = btf.sizeof(elem.id);
      if (!size) return undefined;
      off %= size;
      mt = elem;
    }
    if (mt.kind !== BtfKind.STRUCT && mt.kind !== BtfKind.UNION) return undefined;
    if (off === 0) return mt.name;
    t = mt;
  }
  return undefined;
}

/** A BTF-typed program whose target the built-in kernel lacks: the parameters of its own
 *  BPF_PROG body (`____name`), as the program's BTF declares them. */
function ownArgs(btf: Btf, name: string): VerifyInput['ctxArgs'] | undefined {
  const fn = btf.find(`____${name}`, BtfKind.FUNC)[0];
  if (!fn) return undefined;
  const params = btf.type(fn.sizeOrType).params ?? [];
  return params.slice(1).map((p) => {
    const t = btf.resolve(p.type);
    if (t.kind === BtfKind.PTR) {
      const target = btf.resolve(t.sizeOrType);
      if (target.kind === BtfKind.STRUCT) return { kind: 'btf' as const, name: target.name, size: btf.sizeof(target.id), typed: { id: target.id, type: `STRUCT '${target.name}'` } };
    }
    return { kind: 'scalar' as const, ...(t.kind === BtfKind.INT || t.kind === BtfKind.ENUM || t.kind === BtfKind.ENUM64 ? { int: true } : {}) };
  });
}

/** The member of a built-in kernel struct covering [off, off + size) (btf_struct_walk, simplified:
 *  nested structs, unions and arrays are descended; a pointer to a struct is typed). */
function kernelField(btf: Btf, struct: string, off: number, size: number): { kind: 'scalar'; pointer?: boolean; member?: string; end?: number; flex?: boolean } | { kind: 'ptr'; name: string; size: number; member: string; flex?: boolean } | undefined {
  const s = btf.find(struct, BtfKind.STRUCT)[0] ?? btf.find(struct, BtfKind.UNION)[0];
  if (!s) return undefined;
  let t = btf.resolve(s.id);
  let at = off;
  let member = '';
  if (off + size > btf.sizeof(s.id)) {
    // btf_struct_walk's one relaxation of the struct's bounds: a struct ending in a flexible
    // array (`struct sockaddr_un name[]` of unix_address) is read past its size, into that
    // array's elements: integers are scalars, a struct element is walked at the offset modulo
    // its size. Anything else past the end is "access beyond struct".
    const members = t.members ?? [];
    const last = members[members.length - 1];
    const arr = last ? btf.resolve(last.type) : undefined;
    if (!last || arr?.kind !== BtfKind.ARRAY || arr.nelems !== 0 || off < last.bitOffset / 8) return undefined;
    const elem = btf.resolve(arr.elemType!);
    if (elem.kind === BtfKind.INT) return { kind: 'scalar', member: last.name, flex: true };
    const es = btf.sizeof(elem.id);
    if (elem.kind !== BtfKind.STRUCT || es <= 0) return undefined;
    at = (off - last.bitOffset / 8) % es;
    if (at + size > es) return undefined;
    const inner = kernelField(btf, elem.name, at, size);
    return inner ? { ...inner, member: inner.member ? `${last.name}.${inner.member}` : last.name, flex: true } : undefined;
  }
  // Where the member the walk is in ends (btf_struct_walk's mtrue_end), as an offset into
  // `struct`: its first-level member's end, an array counting whole.
  let end: number | undefined;
  for (let depth = 0; depth < 16; depth++) {
    if (t.kind === BtfKind.ARRAY) {
      const elem = btf.resolve(t.elemType!);
      const es = btf.sizeof(elem.id);
      if (es > 0) at %= es;
      t = elem;
      continue;
    }
    if (t.kind !== BtfKind.STRUCT && t.kind !== BtfKind.UNION) break;
    const m = (t.members ?? []).find((mm) => {
      const start = mm.bitOffset / 8;
      return at >= start && at < start + Math.max(btf.sizeof(mm.type), 1);
    });
    if (!m) return undefined;
    if (depth === 0) end = m.bitOffset / 8 + btf.sizeof(m.type);
    at -= m.bitOffset / 8;
    member = m.name;
    t = btf.resolve(m.type);
  }
  if (t.kind === BtfKind.PTR && at === 0 && size === 8) {
    const target = btf.resolve(t.sizeOrType);
    if (target.kind === BtfKind.STRUCT || target.kind === BtfKind.UNION) return { kind: 'ptr', name: target.name, size: btf.sizeof(target.id), member };
    return { kind: 'scalar', pointer: true };
  }
  return { kind: 'scalar', member, ...(end !== undefined ? { end } : {}) };
}

/** __btf_type_is_scalar_struct: a struct of scalars, arrays of scalars and such structs (3 deep). */
function scalarStruct(btf: Btf, id: number, depth: number): boolean {
  const t = btf.resolve(id);
  if (t.kind !== BtfKind.STRUCT) return false;
  return (t.members ?? []).every((m) => {
    let mt = btf.resolve(m.type);
    if (mt.kind === BtfKind.STRUCT) return depth < 3 && scalarStruct(btf, mt.id, depth + 1);
    if (mt.kind === BtfKind.ARRAY) {
      if (!mt.nelems) return false;
      mt = btf.resolve(mt.elemType!);
    }
    return mt.kind === BtfKind.INT || mt.kind === BtfKind.ENUM || mt.kind === BtfKind.ENUM64;
  });
}

/** The map types array_map_alloc creates (the kernel records map->bypass_spec_v1 there): the
 *  arrays, and the fd arrays built on them. */
const ARRAY_ALLOC_TYPES = new Set<number>([MapType.ARRAY, MapType.PERCPU_ARRAY, MapType.PROG_ARRAY, MapType.PERF_EVENT_ARRAY, MapType.CGROUP_ARRAY, MapType.ARRAY_OF_MAPS]);

/** The verifier's view of runtime map `m`. `noBtf`: the map was created without BTF (an
 *  unprivileged load: no special fields, no lock); `createdUnpriv`: by an unprivileged loader. */
function toVerifierMap(id: number, m: BpfMap | undefined, objBtf: Btf | undefined, noBtf: boolean, createdUnpriv: boolean): VerifierMap | undefined {
  if (!m) return undefined;
  const btf = noBtf ? undefined : objBtf;
  // The kernel keeps BPF_OBJ_NAME_LEN - 1 (15) characters of a map's name (libbpf truncates it).
  const vm: VerifierMap = { id, name: m.name.slice(0, 15), type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.spec.flags, frozen: m.frozen };
  if (createdUnpriv && ARRAY_ALLOC_TYPES.has(m.type)) vm.unprivArray = true;
  if (!noBtf) {
    if (m.spec.spinLockOffset !== undefined) vm.spinLockOffset = m.spec.spinLockOffset;
    if (m.spec.btfValueTypeId !== undefined) vm.hasBtf = true;
  }
  // The kernel's map record (btf_parse_fields): the lock offset comes from it, for global-data
  // sections too; a layout the kernel refuses leaves the map without special fields.
  if (btf && m.spec.btfValueTypeId !== undefined) {
    const rec = mapValueRecord(btf, m.spec.btfValueTypeId, m.valueSize);
    if (rec) vm.record = rec;
    if (rec?.spinLockOffset !== undefined) vm.spinLockOffset = rec.spinLockOffset;
    else delete vm.spinLockOffset;
  }
  if (!noBtf && m.spec.rbNodeOffset !== undefined) vm.rbNodeOffset = m.spec.rbNodeOffset;
  // The value type's name, as the loader recorded it from BTF ("struct node_data").
  const valueType = (m.spec as { valueType?: string }).valueType;
  if (!noBtf && valueType) vm.valueType = valueType.replace(/^(struct|union) /, '');
  // .rodata / .kconfig: frozen read-only arrays whose bytes the verifier may read as constants.
  if (m.frozen && m.type === MapType.ARRAY && (m.spec.flags & 0x80) !== 0 && m.maxEntries === 1) {
    const v = m.lookup(new Uint8Array(4));
    if (v) vm.readonlyValue = v.slice();
  }
  if (m.spec.innerMap) {
    const s = m.spec.innerMap;
    // A negative id: the template's lock is told apart from every real map's (verifier lock keys).
    // No name: the kernel's inner map meta has none (its registers print without `map=`).
    vm.inner = { id: -id, name: '', type: s.type, keySize: s.keySize, valueSize: s.valueSize, maxEntries: s.maxEntries, flags: s.flags, frozen: false };
    if (!noBtf && s.btfValueTypeId !== undefined) vm.inner.hasBtf = true;
    const rec = btf && s.btfValueTypeId !== undefined ? mapValueRecord(btf, s.btfValueTypeId, s.valueSize) : undefined;
    if (rec) vm.inner.record = rec;
    if (rec?.spinLockOffset !== undefined) vm.inner.spinLockOffset = rec.spinLockOffset;
  }
  return vm;
}

/** A global function's arguments from its BTF prototype (btf_prepare_func_args). */
/** btf_prepare_func_args' return check: an integer or enum (a global function must return one). */
function returnsScalar(btf: Btf, protoId: number): boolean {
  const proto = btf.type(protoId);
  if (proto.sizeOrType === 0) return false;
  const t = btf.resolve(proto.sizeOrType);
  return t.kind === BtfKind.INT || t.kind === BtfKind.ENUM || t.kind === BtfKind.ENUM64;
}

function globalArgs(btf: Btf, fnId: number, protoId: number, progType: number): GlobalArg[] {
  const proto = btf.type(protoId);
  const ctxStruct = progTypeInfo(progType)?.ctx?.struct;
  return (proto.params ?? []).map((p, i): GlobalArg => {
    // 'arg:<tag>' decl tags on the parameter take precedence over its type (btf_prepare_func_args):
    // ctx makes any pointer the context, nonnull takes NULL from a memory argument, trusted makes a
    // struct pointer a trusted BTF pointer (nullable: maybe NULL), arena a BPF arena pointer.
    const tags = new Set(btf.types.filter((t) => t.kind === BtfKind.DECL_TAG && t.sizeOrType === fnId && t.componentIdx === i && t.name.startsWith('arg:')).map((t) => t.name.slice(4)));
    const t = btf.resolve(p.type);
    if (t.kind === BtfKind.INT || t.kind === BtfKind.ENUM || t.kind === BtfKind.ENUM64) return { kind: 'scalar' };
    if (t.kind === BtfKind.PTR) {
      const target = btf.resolve(t.sizeOrType);
      if (tags.has('ctx')) return { kind: 'ctx' };
      // arg:arena (__arg_arena): ARG_PTR_TO_ARENA, an unknown scalar inside the function.
      if (tags.has('arena')) return { kind: 'arena' };
      if (tags.has('trusted') && (target.kind === BtfKind.STRUCT || target.kind === BtfKind.UNION)) {
        // btf_get_ptr_to_btf_id: the kernel's type of that name without a CO-RE flavor
        // (task_struct___local is task_struct).
        const name = target.name.replace(/___.*$/, '');
        const kernel = name !== target.name ? builtinBtf().find(name, target.kind)[0] : undefined;
        let size = 0;
        try {
          size = btf.sizeof(target.id);
          if (kernel) size = builtinBtf().sizeof(kernel.id);
        } catch {
          size = 0;
        }
        return { kind: 'trusted', name, size, nullable: tags.has('nullable') };
      }
      // A struct bpf_dynptr * is a read-only dynptr (ARG_PTR_TO_DYNPTR | MEM_RDONLY).
      if (target.kind === BtfKind.STRUCT && target.name === 'bpf_dynptr') return { kind: 'dynptr' };
      if (target.kind === BtfKind.STRUCT && (target.name === ctxStruct || target.name === 'bpf_raw_tracepoint_args' || target.name === 'pt_regs')) return { kind: 'ctx' };
      // btf_is_prog_ctx_type: a kprobe's ctx is also `struct bpf_user_pt_regs_t` (the selftests'
      // stand-in for the arch typedef, an empty struct the kernel matches by name).
      if (target.kind === BtfKind.STRUCT && target.name === 'bpf_user_pt_regs_t' && progType === ProgType.KPROBE) return { kind: 'ctx' };
      let size = 0;
      try {
        size = btf.sizeof(target.id);
      } catch {
        size = 0;
      }
      if (size > 0 && !tags.has('trusted') && !tags.has('arena')) return { kind: 'mem', size, nullable: !tags.has('nonnull') };
      // btf_prepare_func_args: a plain pointer to something without a size (a forward
      // declaration, void) cannot be a memory argument of a global function.
      if (size === 0 && !tags.size && (target.kind === BtfKind.FWD || target.kind === BtfKind.UNKN)) {
        return { kind: 'unknown', what: btf.typeName(p.type), sizeError: `arg#${i} reference type('${target.kind === BtfKind.UNKN ? 'UNKNOWN' : KIND_NAMES[target.kind]} ${target.name}') size cannot be determined: -22` };
      }
      return { kind: 'unknown', what: btf.typeName(p.type) };
    }
    return { kind: 'unknown', what: btf.typeName(p.type) };
  });
}

/** BTF-typed tracing programs: the attach target's parameters from the built-in kernel BTF. */
function tracingArgs(section: string): VerifyInput['ctxArgs'] | undefined {
  const at = btfAttachTarget(section);
  if (!at) return undefined;
  const btf = builtinBtf();
  let params: { type: number }[] | undefined;
  if (at.kind === 'tp_btf') {
    const td = btf.find(`btf_trace_${at.target}`, BtfKind.TYPEDEF)[0];
    const proto = td ? btf.resolve(btf.resolve(td.id).sizeOrType) : undefined;
    params = proto?.kind === BtfKind.FUNC_PROTO ? proto.params!.slice(1) : undefined;
  } else {
    const fn = btf.find(at.target, BtfKind.FUNC)[0];
    params = fn ? btf.type(fn.sizeOrType).params : undefined;
  }
  if (!params) return undefined;
  return params.map((p) => {
    const t = btf.resolve(p.type);
    if (t.kind === BtfKind.PTR) {
      const target = btf.resolve(t.sizeOrType);
      if (target.kind === BtfKind.STRUCT) return { kind: 'btf' as const, name: target.name, size: btf.sizeof(target.id), typed: { id: target.id, type: `STRUCT '${target.name}'` } };
    }
    return { kind: 'scalar' as const, ...(t.kind === BtfKind.INT || t.kind === BtfKind.ENUM || t.kind === BtfKind.ENUM64 ? { int: true } : {}) };
  });
}
