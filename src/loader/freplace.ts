// Extension (freplace) programs at load: which function of which loaded program a
// BPF_PROG_TYPE_EXT program replaces, found and checked the way libbpf and the kernel do it.
//  - libbpf (bpf_program__set_attach_target, libbpf_find_prog_btf_id): the target program and the
//    function's name, given by the user (the `attachTargets` load option, the CLI's --replace) or
//    by the section (`freplace/<func>`); the name is looked up as a BTF FUNC of the target's object.
//  - the kernel (bpf_check_attach_target, btf_check_type_match in kernel/bpf/btf.c): the function
//    must be one of the target's linked functions, not its exception callback, not "unreliable"
//    (a static function, or a main function whose prototype is not `(ctx)`), the extension may
//    change packet data only where the original may, the target may be neither an extension nor
//    an fentry/fexit program, and the two prototypes must match (both global, the same number of
//    arguments, the same kinds and sizes, pointers only to structs of the same name). Refusals are
//    the kernel's verifier-log lines (a VerifierError), since that is where the kernel reports them.
// The attachment itself (the target running the extension in place of the function) is
// src/freplace.ts.
import { LinkError, UsageError, VerifierError, earlyRefusalLog } from '../errors.js';
import { BtfKind, KIND_NAMES, type Btf, type BtfType } from '../btf/btf.js';
import { Cls, JmpOp, LD_IMM64, PseudoCall, PseudoLd } from '../../vm/isa.js';
import { ProgType, progTypeName } from '../../vm/prog-types.js';
import { progTypeInfo } from '../../vm/contexts.js';
import { CHANGES_PKT } from '../../verifier/calls.js';
import type { Program } from '../../vm/program.js';
import type { HelperEntry } from '../../helpers/types.js';
import type { ProgramSpec } from './spec.js';
import type { LoadedProgram } from './load.js';

/** What an extension program replaces (libbpf's bpf_program__set_attach_target). */
export interface AttachTarget {
  /** The loaded program whose function is replaced (the kernel's attach_prog_fd). */
  program: LoadedProgram;
  /** The function's name; default: the part of the section after `freplace/`. */
  func?: string;
}

/** An extension's resolved target, kept on its LoadedProgram. */
export interface ExtTarget {
  program: LoadedProgram;
  func: string;
  /** BTF FUNC id of the function in the target object's BTF (the kernel's attach_btf_id). */
  btfId: number;
  /** Entry pc of the function in the target's linked program (0: its main function). */
  pc: number;
}

const TRACE_FENTRY = 24;
const TRACE_FEXIT = 25;

function refuse(p: ProgramSpec, line: string): never {
  throw new VerifierError(`program ${p.name}: ${line}`, earlyRefusalLog(line));
}

/** The name of a BTF type's kind as the kernel's btf_type_str prints it. */
function kindName(t: BtfType | undefined): string {
  return t ? (KIND_NAMES[t.kind] ?? 'UNKN') : 'UNKN';
}

/** btf_type_skip_modifiers: typedefs and qualifiers skipped; id 0 is void (undefined). */
function skipMods(btf: Btf, id: number): BtfType | undefined {
  return id === 0 ? undefined : btf.resolve(id);
}

/** The kernel compares a type's info word: kind, kind_flag and vlen. */
function sameInfo(a: BtfType | undefined, b: BtfType | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.kind === b.kind && a.kindFlag === b.kindFlag && a.vlen === b.vlen;
}

const hasSize = (t: BtfType): boolean => t.kind === BtfKind.INT || t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION || t.kind === BtfKind.ENUM || t.kind === BtfKind.ENUM64 || t.kind === BtfKind.DATASEC || t.kind === BtfKind.FLOAT;
const isScalarKind = (t: BtfType | undefined): boolean => !!t && (t.kind === BtfKind.INT || t.kind === BtfKind.ENUM || t.kind === BtfKind.ENUM64);
const isStructKind = (t: BtfType | undefined): boolean => !!t && (t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION);

/** btf_check_func_type_match: the first mismatch's log line, or undefined when they match. */
export function funcTypeMismatch(btf1: Btf, fn1: BtfType, btf2: Btf, fn2: BtfType): string | undefined {
  if ((fn1.linkage ?? fn1.vlen) !== 1) return `${fn1.name}() is not a global function`;
  if ((fn2.linkage ?? fn2.vlen) !== 1) return `${fn2.name}() is not a global function`;
  const p1 = btf1.type(fn1.sizeOrType);
  const p2 = btf2.type(fn2.sizeOrType);
  const a1 = p1.params ?? [];
  const a2 = p2.params ?? [];
  if (a1.length !== a2.length) return `${fn1.name}() has ${a1.length} args while ${fn2.name}() has ${a2.length} args`;
  const r1 = skipMods(btf1, p1.sizeOrType);
  const r2 = skipMods(btf2, p2.sizeOrType);
  if (!sameInfo(r1, r2)) return `Return type ${kindName(r1)} of ${fn1.name}() doesn't match type ${kindName(r2)} of ${fn2.name}()`;
  for (let i = 0; i < a1.length; i++) {
    let t1 = skipMods(btf1, a1[i]!.type);
    let t2 = skipMods(btf2, a2[i]!.type);
    if (!sameInfo(t1, t2)) return `arg${i} in ${fn1.name}() is ${kindName(t1)} while ${fn2.name}() has ${kindName(t2)}`;
    if (t1 && t2 && hasSize(t1) && t1.sizeOrType !== t2.sizeOrType) return `arg${i} in ${fn1.name}() has size ${t1.sizeOrType} while ${fn2.name}() has ${t2.sizeOrType}`;
    // Global functions take scalars and pointers (to the context) only.
    if (isScalarKind(t1)) continue;
    if (t1?.kind !== BtfKind.PTR) return `arg${i} in ${fn1.name}() has unrecognized type`;
    t1 = skipMods(btf1, t1.sizeOrType);
    t2 = skipMods(btf2, t2!.sizeOrType);
    if (!isStructKind(t1)) return `arg${i} in ${fn1.name}() is not a pointer to context`;
    if (!isStructKind(t2)) return `arg${i} in ${fn2.name}() is not a pointer to context`;
    if (t1!.name !== t2!.name) return `arg${i} ${fn1.name}(struct ${t1!.name} *) doesn't match ${fn2.name}(struct ${t2!.name} *)`;
  }
  return undefined;
}

/** Whether a pointer parameter points to the context struct of `progType` (btf_is_prog_ctx_type,
 *  by the names the kernel accepts for the types ebpfvm runs). */
function isCtxPointer(btf: Btf, t: BtfType | undefined, progType: number): boolean {
  if (t?.kind !== BtfKind.PTR || t.sizeOrType === 0) return false;
  // the kernel also accepts the typedef names (bpf_user_pt_regs_t for kprobes)
  let named = btf.type(t.sizeOrType);
  while (named.kind === BtfKind.CONST || named.kind === BtfKind.VOLATILE || named.kind === BtfKind.RESTRICT || named.kind === BtfKind.TYPE_TAG) named = btf.type(named.sizeOrType);
  const target = btf.resolve(named.id);
  if (!isStructKind(target)) return false;
  const ctx = progTypeInfo(progType)?.ctx?.struct;
  const names = [ctx, progType === ProgType.KPROBE ? 'pt_regs' : undefined, progType === ProgType.KPROBE ? 'bpf_user_pt_regs_t' : undefined].filter((n): n is string => !!n);
  return names.includes(target.name) || (named.kind === BtfKind.TYPEDEF && names.includes(named.name));
}

/** func_info_aux.unreliable of a target function: the main function when btf_prepare_func_args
 *  would not give it exactly one context argument; a static function whose prototype the verifier
 *  cannot use to check its calls (an argument neither a scalar nor the context, or a non-scalar
 *  return). */
function unreliable(btf: Btf, fn: BtfType, isMain: boolean, progType: number): boolean {
  const proto = btf.type(fn.sizeOrType);
  const params = proto.params ?? [];
  if (isMain && progType === ProgType.EXT) return false;
  if (!isScalarKind(skipMods(btf, proto.sizeOrType)) || params.length > 5) return true;
  // do_check_common marks the main function only of non-extension programs
  if (isMain) return progType !== ProgType.EXT && (params.length !== 1 || !isCtxPointer(btf, skipMods(btf, params[0]!.type), progType));
  if ((fn.linkage ?? fn.vlen) === 1) return false;
  return params.some((p) => {
    const t = skipMods(btf, p.type);
    return !isScalarKind(t) && !isCtxPointer(btf, t, progType);
  });
}

/** The helpers whose calls make a function "change packet data" (bpf_helper_changes_pkt_data):
 *  the verifier's packet-invalidating set, plus a tail call and bpf_store_hdr_opt, which 6.18
 *  counts too. */
function changesPktHelper(h: HelperEntry | undefined): boolean {
  return !!h && (CHANGES_PKT.has(h.name) || h.name === 'tail_call' || h.name === 'store_hdr_opt');
}

/** check_cfg's changes_pkt_data of the function at `entry` of a linked program: any call in it,
 *  or in a function it calls, to a helper that changes packet data. */
export function functionChangesPktData(prog: Program, entry: number, helper: (id: number) => HelperEntry | undefined): boolean {
  const starts = (prog.funcs ?? [{ pc: 0, name: prog.name }]).map((f) => f.pc).sort((a, b) => a - b);
  const endOf = (pc: number): number => starts.find((s) => s > pc) ?? prog.insns.length;
  const seen = new Set<number>();
  const walk = (start: number): boolean => {
    if (seen.has(start)) return false;
    seen.add(start);
    for (let pc = start; pc < endOf(start); pc++) {
      const x = prog.insns[pc]!;
      if (x.code !== (Cls.JMP | JmpOp.CALL)) continue;
      if (x.src === PseudoCall.HELPER && changesPktHelper(helper(x.imm))) return true;
      if (x.src === PseudoCall.LOCAL && walk(pc + x.imm + 1)) return true;
    }
    return false;
  };
  return walk(entry);
}

/** The function an extension program replaces, checked as libbpf and bpf_check_attach_target
 *  check it. `extMain` is the BTF FUNC id of the extension's main function (its func_info[0]). */
export function resolveExtTarget(p: ProgramSpec, extBtf: Btf | undefined, extMain: number | undefined, extProg: Program, given: AttachTarget | undefined, helper: (id: number) => HelperEntry | undefined): ExtTarget {
  const sec = `SEC("${p.section}")`;
  if (!given) {
    throw new UsageError(
      p.attachTo
        ? `program ${p.name}: ${sec} replaces ${p.attachTo}() of another loaded program: name that program (load option attachTargets: { ${p.name}: { program } }, CLI --replace)`
        : `program ${p.name}: no BTF-based attach target is specified for ${sec}: name the program and function it replaces (load option attachTargets: { ${p.name}: { program, func } }, CLI --replace EXT.o:${p.name}=FUNC)`,
    );
  }
  const func = given.func ?? p.attachTo;
  if (!func) throw new UsageError(`program ${p.name}: ${sec} names no function to replace: give func in attachTargets (CLI: run --replace EXT.o:${p.name}=FUNC, verify --target TARGET.o:PROG=FUNC)`);
  const target = given.program;
  const tgtBtf = target.btf;
  if (!tgtBtf) throw new LinkError(`target program ${target.name} has no BTF, so no function of it can be replaced`, `program ${p.name}`);
  const fn = tgtBtf.find(func, BtfKind.FUNC)[0];
  if (!fn) throw new LinkError(`no function ${func} in the BTF of target program ${target.name}'s object (libbpf: -ESRCH)`, `program ${p.name}`);
  // bpf_check_attach_target, in the kernel's order
  // A function the target's verification never reached is gone from its func_info: the kernel
  // removes dead code after verifying a privileged program (opt_remove_dead_code). An unverified
  // target keeps every function libbpf linked.
  const at = target.funcInfo.find((fi) => fi.typeId === fn.id);
  const facts = target.verified?.accepted ? target.verified.facts : undefined;
  if (!at || (facts && facts[at.pc]?.seen === false)) refuse(p, `Subprog ${func} doesn't exist`);
  if (target.program.exceptionCallback === at.pc) refuse(p, 'Extension programs cannot attach to exception callback');
  const tgtType = target.progType;
  if (unreliable(tgtBtf, fn, at.pc === 0, tgtType)) refuse(p, 'Cannot replace static functions');
  if (functionChangesPktData(extProg, 0, helper) && !functionChangesPktData(target.program, at.pc, helper)) refuse(p, 'Extension program changes packet data, while original does not');
  if (tgtType === ProgType.EXT) refuse(p, 'Cannot recursively attach');
  if (tgtType === ProgType.TRACING && (target.expectedAttachType === TRACE_FENTRY || target.expectedAttachType === TRACE_FEXIT)) refuse(p, 'Cannot extend fentry/fexit');
  // btf_check_type_match
  if (!extBtf || extMain === undefined) refuse(p, 'Program extension requires BTF');
  const mine = extBtf.type(extMain);
  const bad = funcTypeMismatch(extBtf, mine, tgtBtf, fn);
  if (bad !== undefined) refuse(p, bad);
  if (progTypeInfo(tgtType) === undefined) throw new UsageError(`program ${p.name}: its target ${target.name} is a ${progTypeName(tgtType)} program, which ebpfvm does not run`);
  return { program: target, func, btfId: fn.id, pc: at.pc };
}

/** What a target program runs with extensions attached (the kernel patches the replaced
 *  function's entry to jump to the extension, bpf_arch_text_poke): the target's code, each
 *  extension's code appended after it, and every call of a replaced function (and every callback
 *  address of one) sent to the extension's copy. The extension's code keeps its own maps and
 *  global data (its ld_imm64s already name them). A replaced main function leaves nothing of the
 *  target to run: the result is the extension, run as the target's type. `replaced` maps function
 *  names of `own` to the programs the extensions run (their verified rewrite, when accepted). */
export function withExtensions(own: Program, replaced: ReadonlyMap<string, Program>): Program {
  const funcs = own.funcs ?? [{ pc: 0, name: own.name }];
  const main = replaced.get(funcs.find((f) => f.pc === 0)?.name ?? own.name);
  const extendedFuncs = [...replaced.keys()];
  // Each part's gpl_only calls were judged by its own license (the kernel's verifier checks an
  // extension under its own, and bpf_check_attach_target compares no licenses); the loader put the
  // calls its license refuses in refusedCalls, which move with the code. So the joined program
  // runs as GPL when any part is: a non-GPL part's gpl_only calls still fault there.
  if (main) return { ...main, name: own.name, progType: own.progType, ...(own.expectedAttachType !== undefined ? { expectedAttachType: own.expectedAttachType } : {}), gpl: main.gpl, extendedFuncs };
  const insns = own.insns.map((x) => ({ ...x }));
  const outFuncs = [...funcs];
  const lineInfo = [...(own.lineInfo ?? [])];
  const coreFailures = new Map(own.coreFailures ?? []);
  const coreFailureSpecs = new Map(own.coreFailureSpecs ?? []);
  const kfuncNames = new Map(own.kfuncNames ?? []);
  // calls the verifier refuses (an unverified run faults at them): the extension's move with its code
  const refusedCalls = new Map(own.refusedCalls ?? []);
  const entryOf = new Map<number, number>();
  const boundaries = new Map<number, number | undefined>();
  for (const [name, ext] of replaced) {
    const at = funcs.find((f) => f.name === name);
    if (!at) throw new UsageError(`program ${own.name} has no function ${name} to replace`);
    const base = insns.length;
    entryOf.set(at.pc, base);
    boundaries.set(base, ext.exceptionCallback === undefined ? undefined : base + ext.exceptionCallback);
    insns.push(...ext.insns.map((x) => ({ ...x })));
    for (const f of ext.funcs ?? [{ pc: 0, name: ext.name }]) outFuncs.push({ pc: base + f.pc, name: f.name });
    for (const l of ext.lineInfo ?? []) lineInfo.push({ ...l, pc: base + l.pc });
    for (const [pc, m] of ext.coreFailures ?? []) coreFailures.set(base + pc, m);
    for (const [pc, m] of ext.coreFailureSpecs ?? []) coreFailureSpecs.set(base + pc, m);
    for (const [pc, m] of ext.kfuncNames ?? []) kfuncNames.set(base + pc, m);
    for (const [pc, m] of ext.refusedCalls ?? []) refusedCalls.set(base + pc, m);
  }
  // Only the target's own code refers to the replaced entries; the appended code's calls and
  // callback addresses are relative and stay inside its own copy.
  for (let pc = 0; pc < own.insns.length; pc++) {
    const x = insns[pc]!;
    const isCall = x.code === (Cls.JMP | JmpOp.CALL) && x.src === PseudoCall.LOCAL;
    const isFuncAddr = x.code === LD_IMM64 && x.src === PseudoLd.FUNC;
    if (!isCall && !isFuncAddr) continue;
    const to = entryOf.get(pc + x.imm + 1);
    if (to !== undefined) x.imm = to - pc - 1;
    if (isFuncAddr) pc++;
  }
  const out: Program = { ...own, insns, funcs: outFuncs, extendedFuncs, xlated: (own.xlated ?? false) || [...replaced.values()].some((e) => e.xlated === true) };
  if ([...replaced.values()].some((e) => e.gpl)) out.gpl = true;
  if (lineInfo.length) out.lineInfo = lineInfo.sort((a, b) => a.pc - b.pc);
  if (coreFailures.size) out.coreFailures = coreFailures;
  if (coreFailureSpecs.size) out.coreFailureSpecs = coreFailureSpecs;
  if (kfuncNames.size) out.kfuncNames = kfuncNames;
  if (refusedCalls.size) out.refusedCalls = refusedCalls;
  out.extensionBoundaries = boundaries;
  return out;
}
