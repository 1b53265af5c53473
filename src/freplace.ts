// Attaching extension (freplace) programs: the library's bpf_link_create(BPF_TRACE_FREPLACE).
// `load(runtime, spec, { attachTargets })` resolved and checked what an extension replaces
// (src/loader/freplace.ts); attaching makes every later run of the target (test runs, tail calls
// into it) run the extension in place of that function, until the link is detached. The target
// keeps its own maps and global data and the extension its own. An extension may also be
// attached to another program than the one it was loaded for (bpf_link_create's target_fd): the
// kernel checks that target again, and it must be of the same type and attach type.
import { UsageError, VerifierError } from './errors.js';
import { runnableProgram } from './verify.js';
import { ProgArrayMap } from '../maps/prog-array.js';
import { resolveExtTarget, type AttachTarget, type ExtTarget } from './loader/freplace.js';
import type { LoadedObject, LoadedProgram } from './loader/load.js';

/** An attached extension (a BPF_LINK_TYPE_TRACING link). */
export interface FreplaceLink {
  readonly extension: LoadedProgram;
  readonly target: LoadedProgram;
  /** The replaced function's name. */
  readonly func: string;
  /** Undo the replacement (closing the link). */
  detach(): void;
}

/** bpf_tracing_prog_attach with a target_fd: bpf_check_attach_target again (without a log: a
 *  refusal is -EINVAL), and the target's type and attach type must be those the extension was
 *  verified for. */
function newTarget(obj: LoadedObject, ext: LoadedProgram, to: AttachTarget): ExtTarget {
  const loadedFor = ext.extTarget!.program;
  let t: ExtTarget;
  try {
    t = resolveExtTarget(ext.spec, ext.btf, ext.funcInfo.find((fi) => fi.pc === 0)?.typeId, ext.program, to, (id) => obj.runtime.helper(id));
  } catch (e) {
    // (the kernel's bpf_link_create logs nothing: the refusal's line, without the verifier's statistics)
    if (e instanceof VerifierError) throw new UsageError(`cannot attach ${ext.name} to ${to.program.name}: ${e.log.trim().split('\n')[0]} (-EINVAL)`);
    throw e;
  }
  if (t.program.progType !== loadedFor.progType || t.program.expectedAttachType !== loadedFor.expectedAttachType)
    throw new UsageError(`cannot attach ${ext.name} to ${to.program.name}: it was verified for ${loadedFor.name}'s program type and attach type, which differ (-EINVAL)`);
  return t;
}

/** Attach extension program `name` of `obj` to the function its `attachTargets` entry named, or
 *  to `to` (another program, or another function). Refused as the kernel refuses it: a second
 *  extension of one function, or a target in a prog_array, is -EBUSY. */
export function attachFreplace(obj: LoadedObject, name: string, to?: AttachTarget): FreplaceLink {
  const ext = obj.program(name);
  if (!ext.extTarget) throw new UsageError(`program ${name} is not an extension (freplace) program, so it cannot replace a function`);
  const same = !to || (to.program === ext.extTarget.program && (to.func ?? ext.extTarget.func) === ext.extTarget.func);
  const t = same ? ext.extTarget : newTarget(obj, ext, to);
  const target = t.program;
  const runtime = obj.runtime;
  if (runtime.programById(target.id) === undefined) throw new UsageError(`the target of ${name}, ${target.name}, is not a program of this runtime`);
  const by = (target.replacedBy ??= new Map());
  const current = by.get(t.func);
  if (current === ext) throw new UsageError(`${name} is already attached to ${target.name}'s ${t.func}() (-EBUSY)`);
  if (current) throw new UsageError(`${target.name}'s ${t.func}() is already replaced by ${current.name} (-EBUSY)`);
  // bpf_freplace_check_tgt_prog: a tail-call target may not be extended (the extension could
  // tail-call back into it without end).
  for (const lm of runtime.allMaps()) {
    if (!(lm.map instanceof ProgArrayMap)) continue;
    for (let i = 0; i < lm.map.maxEntries; i++) {
      if (lm.map.program(i) === target.id) throw new UsageError(`${target.name} is in slot ${i} of prog_array ${lm.map.name}, so it cannot be extended (-EBUSY)`);
    }
  }
  by.set(t.func, ext);
  (ext.attachedTo ??= new Set()).add(target);
  runtime.replaceProgram(target.id, runnableProgram(target));
  let attached = true;
  return {
    extension: ext,
    target,
    func: t.func,
    detach(): void {
      if (!attached) return;
      attached = false;
      by.delete(t.func);
      if (![...by.values()].includes(ext)) ext.attachedTo?.delete(target);
      runtime.replaceProgram(target.id, runnableProgram(target));
    },
  };
}
