// BPF exceptions: bpf_throw and the exception callback, as Linux 6.18 verifies them.
//  - The main function may name an exception callback with one `exception_callback:NAME` BTF decl
//    tag (bpf_find_exception_callback_insn_off); the loader appends it, the CFG treats it as a
//    root (it is presumed called), and it is verified on its own like a global function, with one
//    scalar argument (the cookie) and the program's return-value rules at its exit.
//  - bpf_throw ends the path like an exit (do_check's exception_exit): nothing may be held
//    (references, a spin lock, the rcu read-side region), frames are simply dropped, and with the
//    default callback the cookie becomes the program's return value (check_return_code on R1).
//  - After the search, a walk of the call graph from the main program and the exception callback
//    (check_max_stack_depth_subprog) refuses bpf_throw in a callback or anything a callback calls
//    (the interpreter could not unwind through the helper that runs it), and direct calls of the
//    exception callback.
import { Cls, JmpOp, LD_IMM64, PseudoCall, PseudoLd } from '../vm/isa.js';
import { subprogOf } from './cfg.js';
import { Reject } from './errors.js';
import { checkReferenceLeak } from './refs.js';
import { RegType, regTypeName } from './state.js';
import { checkReturnCode } from './calls.js';
import type { Verifier } from './verifier.js';
import type { VerifyInput } from './env.js';

export const THROW_KFUNC = 'bpf_throw';
/** MAX_CALL_FRAMES: deeper chains are the stack-depth check's to refuse. */
const MAX_FRAMES = 8;

/** Before the search: more than one tag is the kernel's EEXIST. */
export function checkExceptionTags(input: VerifyInput): void {
  if ((input.exceptionCallbackTags ?? 0) > 1) throw new Reject('multiple exception callback tags for main subprog', 0, 17);
}

/** The state being verified runs the exception callback (kernel in_exception_callback_fn). */
export function inExceptionCallback(v: Verifier): boolean {
  return v.input.exceptionCallback !== undefined && v.st.frames[0]!.subprog === v.input.exceptionCallback;
}

/** check_kfunc_call for bpf_throw, before R0-R5 are clobbered: with the default callback the
 *  cookie is what the program returns, so R1 must pass the exit's return-code check (only
 *  "is a scalar" when the state is rooted in a global function). */
export function checkThrowCookie(v: Verifier): void {
  if (v.input.exceptionCallback !== undefined) return;
  if (v.st.frames[0]!.subprog !== 0) {
    v.readReg(1);
    const r1 = v.regs[1]!;
    if (r1.type !== RegType.SCALAR) v.reject(`At subprogram exit the register R1 is not a scalar value (${regTypeName(r1)})`, false, 22);
    return;
  }
  checkReturnCode(v, 1);
}

/** The exception exit after a bpf_throw call (check_resource_leak with exception_exit): the
 *  path ends; nothing acquired may outlive it, whatever frame throws. */
export function throwExit(v: Verifier): void {
  if (v.st.lock) v.reject('bpf_throw cannot be used inside bpf_spin_lock-ed region', false, 22);
  checkReferenceLeak(v, 'bpf_throw');
  if (v.st.rcuLock) v.reject('bpf_throw cannot be used inside bpf_rcu_read_lock-ed region', false, 22);
  if (v.st.preemptLocks) v.reject('bpf_throw cannot be used inside bpf_preempt_disable-ed region', false, 22);
}

/** do_check_common for the exception callback: one scalar argument, a scalar return type. */
export function checkExceptionCallbackSignature(v: Verifier, pc: number): void {
  const g = v.input.globalFuncs?.get(pc);
  if (!g) throw new Reject('exception callback type id not found in func_info', pc, 22);
  if (!g.retScalar) throw new Reject(`Global function ${g.name}() doesn't return scalar. Only those are supported.`, pc, 22);
  if (g.args.length !== 1 || g.args[0]!.kind !== 'scalar') throw new Reject('exception cb only supports single integer argument', pc, 22);
}

/** check_max_stack_depth_subprog's checks on bpf_throw: the call graph from the main program and
 *  from the exception callback (an async callback root, walked first as the last subprogram),
 *  following calls and function addresses (callbacks) in insn order. A subprogram whose address
 *  is taken runs as a callback (kernel is_cb); so does the exception callback. */
export function checkThrowSites(v: Verifier): void {
  const { insns, cfg, input } = v;
  const subs = cfg.subprogs;
  const exc = input.exceptionCallback !== undefined ? subprogOf(cfg, input.exceptionCallback) : -1;
  const isCb = new Set<number>();
  if (exc >= 0) isCb.add(exc);
  let throws = false;
  for (let pc = 0; pc < insns.length; pc++) {
    const x = insns[pc]!;
    if (x.code === LD_IMM64) {
      if (x.src === PseudoLd.FUNC) isCb.add(subprogOf(cfg, pc + x.imm + 1));
      pc++;
    } else if (isThrowCall(v, pc)) throws = true;
  }
  if (!throws && exc < 0) return;
  const walk = (idx: number, chain: number[]): void => {
    const end = subs[idx + 1] ?? insns.length;
    for (let pc = subs[idx]!; pc < end; pc++) {
      const x = insns[pc]!;
      if (isThrowCall(v, pc) && (isCb.has(idx) || chain.some((c) => isCb.has(c)))) throw new Reject(`bpf_throw kfunc (insn ${pc}) cannot be called from callback subprog ${idx}`, pc, 22);
      const call = x.code === (Cls.JMP | JmpOp.CALL) && x.src === PseudoCall.LOCAL;
      const addr = x.code === LD_IMM64 && x.src === PseudoLd.FUNC;
      if (call || addr) {
        const sidx = subprogOf(cfg, pc + x.imm + 1);
        if (sidx === exc) {
          // 6.18 logs this one without a newline.
          if (call) throw new Reject(`insn ${pc} cannot call exception cb directly`, pc, 22, true);
        } else if (chain.length + 2 < MAX_FRAMES) walk(sidx, [...chain, idx]);
      }
      if (x.code === LD_IMM64) pc++;
    }
  };
  if (exc >= 0) walk(exc, []);
  walk(0, []);
}

function isThrowCall(v: Verifier, pc: number): boolean {
  const x = v.insns[pc]!;
  return x.code === (Cls.JMP | JmpOp.CALL) && x.src === PseudoCall.KFUNC && x.off === 0 && v.input.kfunc?.(x.imm)?.name === THROW_KFUNC;
}
