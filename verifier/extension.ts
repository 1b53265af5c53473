// Extension (freplace, BPF_PROG_TYPE_EXT) programs, as Linux 6.18 verifies them: the loader has
// already matched the extension against the function it replaces (bpf_check_attach_target,
// src/loader/freplace.ts) and gives the verifier the target program's type and attach type
// (resolve_prog_type: context access, helpers and the exit's return range are the target's).
// What differs here is the entry: do_check_common treats the extension's main function like a
// global function, `Validating NAME() func#0...`, its registers typed from its own BTF prototype
// (btf_prepare_func_args: scalars, the context, sized memory, dynptrs) instead of R1 = ctx, and a
// prototype btf_prepare_func_args cannot type ends the load.
import { Reject } from './errors.js';
import { Frame, Reg, RegFlag, RegType, VState } from './state.js';
import { callbackDynptr } from './dynptr.js';
import type { Verifier } from './verifier.js';
import type { GlobalArg, VerifyInput } from './env.js';

/** The register a global function (or an extension's main function) starts with for `a`. */
export function globalArgReg(v: Verifier, a: GlobalArg): Reg {
  if (a.kind === 'ctx') return Reg.ptr(RegType.CTX);
  if (a.kind === 'mem') {
    const r = Reg.ptr(RegType.MEM, a.nullable ? RegFlag.MAYBE_NULL : 0);
    r.memSize = a.size;
    if (a.nullable) r.id = v.newId();
    return r;
  }
  if (a.kind === 'dynptr') return callbackDynptr(v);
  if (a.kind === 'trusted') {
    // arg:trusted (ARG_PTR_TO_BTF_ID | PTR_TRUSTED), with arg:nullable maybe NULL; an id either
    // way, as do_check_common gives one.
    const r = Reg.ptr(RegType.BTF_ID, RegFlag.TRUSTED | (a.nullable ? RegFlag.MAYBE_NULL : 0));
    r.btfName = a.name;
    r.btfSize = a.size;
    r.id = v.newId();
    return r;
  }
  return Reg.unknown();
}

/** The initial state of an extension's main function (do_check_common with subprog 0 of an EXT
 *  program), after btf_prepare_func_args has accepted its prototype. */
export function extensionEntryState(v: Verifier, ext: NonNullable<VerifyInput['extension']>): VState {
  if (v.log.enabled) v.log.write(`Validating ${ext.name}() func#0...\n`);
  if (!ext.retScalar) throw new Reject(`Global function ${ext.name}() doesn't return scalar. Only those are supported.`, 0, 22);
  if (ext.args.length > 5) throw new Reject(`Global function ${ext.name}() with ${ext.args.length} > 5 args. Buggy compiler.`, 0, 22);
  ext.args.forEach((a, i) => {
    if (a.kind === 'unknown') throw new Reject(`Arg#${i} type ${a.what} in ${ext.name}() is not supported yet.`, 0, 22);
  });
  const st = new VState();
  const f = new Frame(0, -1, 0);
  f.regs[10] = Reg.ptr(RegType.STACK);
  ext.args.forEach((a, i) => {
    f.regs[i + 1] = globalArgReg(v, a);
  });
  st.frames.push(f);
  return st;
}
