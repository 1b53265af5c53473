// The verifier's one entry: verify(input, options) -> verdict, kernel-format log, facts.
// Threads the stages the way the kernel's bpf_check does: structure checks (cfg.ts), the search
// over every path from the main program (verifier.ts), then the global functions it calls, each
// verified once from its BTF prototype, then the combined stack depth.
import { checkStructure, formatLiveness, subprogOf } from './cfg.js';
import { Reject } from './errors.js';
import { VLog } from './log.js';
import { Frame, Reg, RegType, VState } from './state.js';
import { INSN_LIMIT, Verifier } from './verifier.js';
import { checkTailCallSites, tailCallBounds } from './spectre.js';
import { checkExceptionCallbackSignature, checkExceptionTags, checkThrowSites } from './exceptions.js';
import { extensionEntryState, globalArgReg } from './extension.js';
import { Cls, JmpOp, LD_IMM64, PseudoCall, PseudoLd } from '../vm/isa.js';
import { verifierCaps, type VerifyInput, type VerifyOptions, type VerifyResult } from './env.js';
import { asyncCallbacks } from './timer.js';
import { fastcallRemovals } from './fastcall.js';
import { nowMs } from '../vm/now.js';
import { loadAttachType } from '../vm/prog-types.js';

export type { VerifyInput, VerifyOptions, VerifyResult, VerifierMap, InsnFacts, GlobalArg, VerifierCaps } from './env.js';
export { verifierCaps } from './env.js';

export function verify(input: VerifyInput, opts: VerifyOptions = {}): VerifyResult {
  const level = opts.logLevel ?? 0;
  // BPF_F_SLEEPABLE from the caller's flags counts as much as a `.s` section.
  if ((opts.progFlags ?? 0) & 16 && !input.sleepable) input = { ...input, sleepable: true };
  const attach = loadAttachType(input.progType, input.expectedAttachType ?? 0);
  if (attach !== (input.expectedAttachType ?? 0)) input = { ...input, expectedAttachType: attach };
  // bpf_prog_load refuses a program longer than BPF_COMPLEXITY_LIMIT_INSNS before the verifier
  // runs (E2BIG, no log); walking it would take seconds only to stop at the processed limit.
  if (input.insns.length > INSN_LIMIT) {
    const error = `program too large: ${input.insns.length} insns, more than BPF_COMPLEXITY_LIMIT_INSNS (${INSN_LIMIT}): E2BIG`;
    return { accepted: false, log: '', error, processed: 0, stats: { maxStatesPerInsn: 0, totalStates: 0, peakStates: 0, stackDepth: [], mayGoto: [] } };
  }
  const result = runOnce(input, opts, level);
  // Level 0 on rejection: the log libbpf's retry at level 1 gives (libbpf retries only when no log
  // was asked for, so not with the statistics).
  if (!result.accepted && level === 0 && !opts.stats) return { ...result, log: runOnce(input, opts, 1).log };
  return result;
}

function runOnce(input: VerifyInput, opts: VerifyOptions, level: 0 | 1 | 2): VerifyResult {
  const started = nowMs();
  const log = new VLog(level);
  let v: Verifier | undefined;
  let error: string | undefined;
  let errorPc: number | undefined;
  let noNewline = false;
  let fastcallRemoved: number[] | undefined;
  let loops: { pc: number; callback: number; stackBase: number }[] = [];
  try {
    checkExceptionTags(input);
    const cfg = checkStructure(input, (s) => log.write(s), level, verifierCaps(opts).bpfCapable);
    v = new Verifier(input, opts, cfg, log);
    if (level >= 2) log.write(formatLiveness(cfg, input.insns, (pc) => v!.insnText(pc)));
    if (input.mainSignatureNote !== undefined) log.write(input.mainSignatureNote);
    v.run(input.extension ? extensionEntryState(v, input.extension) : Verifier.entryState(), 0);
    // do_check_common: a function verified at level 1 leaves nothing in the log.
    if (level === 1) log.restore(0);
    // The exception callback is presumed called (do_check_subprogs).
    if (input.exceptionCallback !== undefined) v.requireGlobal(input.exceptionCallback);
    verifyGlobals(v, input);
    checkThrowSites(v);
    // remove_fastcall_spills_fills: before the combined depth is checked (it may lower it).
    const fc = fastcallRemovals(v.fastcall, v.cfg, v.stackDepth);
    fc.stackDepth.forEach((d, i) => (v!.stackDepth[i] = d));
    if (fc.removed.length) fastcallRemoved = fc.removed;
    checkStackDepth(v, input);
    loops = inlinedLoops(v);
    checkTailCallSites(v);
    // do_misc_fixups' fixup_kfunc_call: a kfunc call of id 0 the walk reached is still there
    if (v.kfuncZeroReached) v.reject('invalid kernel function call not eliminated in verifier pass', false, 22);
  } catch (e) {
    if (e instanceof Reject) {
      error = e.message;
      errorPc = e.pc;
      noNewline = e.noNewline;
    } else {
      // A bug or an input the checks above did not foresee: never a raw JS error.
      const pc = v?.pc ?? -1;
      error = `verifier internal error at insn ${pc}: ${e instanceof Error ? e.message : String(e)}`;
      errorPc = pc;
    }
    log.write(error + (noNewline ? '' : '\n'));
  }
  const accepted = error === undefined;
  // Level 1 keeps only what was logged after the last function verified (kernel do_check_common).
  const stats = v?.stats ?? { maxStatesPerInsn: 0, totalStates: 0, peakStates: 0, curStates: 0 };
  const processed = v?.processed ?? 0;
  // BPF_LOG_STATS (log_level 4), print_verification_stats: the time and each function's stack
  // depth as the kernel reports it after its fixups (8-byte slots, plus the hidden slot of a
  // function with a reachable may_goto: 16 bytes with the x86-64 JIT's timed may_goto, the host's).
  const statsText = opts.stats
    ? `verification time ${Math.round((nowMs() - started) * 1000)} usec\nstack depth ${(v?.stackDepth ?? [0]).map((d, i) => Math.ceil(d / 8) * 8 + (v?.mayGotoFuncs.has(i) ? 16 : 0)).join('+')}\n`
    : '';
  const closing = `processed ${processed} insns (limit 1000000) max_states_per_insn ${stats.maxStatesPerInsn} total_states ${stats.totalStates} peak_states ${stats.peakStates} mark_read 0\n`;
  log.write(statsText + closing);
  // At level 0 with the statistics the kernel's log holds only the error line and these lines.
  const level0Text = opts.stats ? (error !== undefined ? error + '\n' : '') + statsText + closing : '';
  const out: VerifyResult = {
    accepted,
    ...(accepted && opts.strict ? { rbtreeLockProven: true } : {}),
    log: level > 0 ? log.text() : opts.stats ? level0Text : !accepted ? log.text() : '',
    processed,
    stats: { maxStatesPerInsn: stats.maxStatesPerInsn, totalStates: stats.totalStates, peakStates: stats.peakStates, stackDepth: v?.stackDepth ?? [], mayGoto: v ? [...v.mayGotoFuncs].sort((a, b) => a - b) : [] },
  };
  if (error !== undefined) {
    out.error = error.split('\n').filter((l) => l && !l.startsWith(';')).pop() ?? error;
    out.errorPc = errorPc!;
  }
  if (v && accepted) {
    for (const f of v.facts) f.safeAccess = f.seen && (f.ptrTypes?.length ?? 0) > 0;
    out.facts = v.facts;
    const bounds = tailCallBounds(v);
    if (bounds) out.tailCallBounds = bounds;
    if (fastcallRemoved) out.fastcallRemoved = fastcallRemoved;
    if (loops.length) out.inlinedLoops = loops;
    if (v.arenaAlu32.size > 0) out.arenaAlu32 = [...v.arenaAlu32].sort((a, b) => a - b);
    if (v.maxRdonlyAccess || v.maxRdwrAccess) out.bufAccess = { rdonly: v.maxRdonlyAccess, rdwr: v.maxRdwrAccess };
    if (v.maxTpAccess) out.maxTpAccess = v.maxTpAccess;
  }
  return out;
}

/** Global functions called on some path, each verified once with arguments from its prototype. */
function verifyGlobals(v: Verifier, input: VerifyInput): void {
  const done = new Set<number>();
  for (;;) {
    const next = [...v.globalsNeeded].find((pc) => !done.has(pc));
    if (next === undefined) return;
    done.add(next);
    const g = input.globalFuncs?.get(next);
    if (!g) {
      checkExceptionCallbackSignature(v, next);
      continue;
    }
    if (v.log.enabled) v.log.write(`Validating ${g.name}() func#${subprogOf(v.cfg, next)}...\n`);
    if (next === input.exceptionCallback) checkExceptionCallbackSignature(v, next);
    const st = new VState();
    const f = new Frame(0, -1, next);
    f.regs[10] = Reg.ptr(RegType.STACK);
    g.args.forEach((a, i) => {
      f.regs[i + 1] = globalArgReg(v, a);
    });
    st.frames.push(f);
    v.run(st, next, true);
    if (v.log.level === 1) v.log.restore(0);
    if (v.log.enabled) v.log.write(`Func#${subprogOf(v.cfg, next)} ('${g.name}') is safe for any args that match its prototype\n`);
  }
}

/** optimize_bpf_loop: the bpf_loop calls every visit of which had zero flags and one callback
 *  are inlined (verifier/fixups.ts), after the combined stack depth was checked. Their function
 *  gets three slots more below its depth, where the loop keeps r6-r8 (`stackBase`). A loop whose
 *  slots would not fit in the VM's 512-byte frame stays a call (the kernel's JIT has room). */
function inlinedLoops(v: Verifier): { pc: number; callback: number; stackBase: number }[] {
  const out: { pc: number; callback: number; stackBase: number }[] = [];
  const extra = new Map<number, number>();
  for (const [pc, st] of [...v.loopInline].sort((a, b) => a[0] - b[0])) {
    if (!st.fit) continue;
    const sp = subprogOf(v.cfg, pc);
    const depth = v.stackDepth[sp]!;
    const add = 24 + (Math.ceil(depth / 8) * 8 - depth);
    if (depth + add > 512) continue;
    out.push({ pc, callback: st.callback, stackBase: -(depth + add) });
    extra.set(sp, add);
  }
  for (const [sp, add] of extra) v.stackDepth[sp] = v.stackDepth[sp]! + add;
  return out;
}

const MAX_CALL_FRAMES = 8;

/** check_max_stack_depth: every chain of bpf-to-bpf calls fits in 512 bytes (32-byte rounding). */
function checkStackDepth(v: Verifier, input: VerifyInput): void {
  const subs = v.cfg.subprogs;
  // round_up_stack_depth with the JIT on (as on the host): 16-byte granularity.
  const round = (d: number): number => Math.ceil(d / 16) * 16;
  // The kernel walks every bpf-to-bpf call and every function address (a callback runs a frame
  // deeper) in the code, reached or not (dead code is removed after this check); a function
  // address of an async callback adds nothing (its own stack, walked as a root below).
  const async = asyncCallbacks(v);
  const callees = subs.map((start, i) => {
    const end = subs[i + 1] ?? input.insns.length;
    const out: number[] = [];
    for (let pc = start; pc < end; pc++) {
      const x = input.insns[pc]!;
      if (v.cfg.second[pc]) continue;
      const call = x.code === (Cls.JMP | JmpOp.CALL) && x.src === PseudoCall.LOCAL;
      const func = x.code === LD_IMM64 && x.src === PseudoLd.FUNC;
      if (!call && !func) continue;
      const callee = subprogOf(v.cfg, pc + x.imm + 1);
      if (func && async.has(callee)) continue;
      out.push(callee);
    }
    return out;
  });
  // A recursive chain (bounded by values, so the search got through it) is walked call by call
  // until the frame limit, as the kernel's walk does: 'the call stack of 8 frames is too deep !'.
  const walk = (sp: number, depth: number, frames: number): void => {
    const d = depth + round(v.stackDepth[sp]!);
    if (d > 512) throw new Reject(`combined stack size of ${frames} calls is ${d}. Too large`, subs[sp]!);
    for (const c of callees[sp]!) {
      if (frames >= MAX_CALL_FRAMES) throw new Reject(`the call stack of ${frames} frames is too deep !`, subs[sp]!, 7);
      walk(c, d, frames + 1);
    }
  };
  // Async (timer) callbacks run on a stack of their own: each is a root, walked before the main
  // program and in descending order as the kernel does (the first failure is the one reported).
  for (const sp of [...async].sort((a, b) => b - a)) walk(sp, 0, 1);
  walk(0, 0, 1);
}
