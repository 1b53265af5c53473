// Attaching extension (freplace) programs: the library's bpf_link_create(BPF_TRACE_FREPLACE).
// `load(runtime, spec, { attachTargets })` resolved and checked what an extension replaces
// (src/loader/freplace.ts); attaching makes every later run of the target (test runs, tail calls
// into it) run the extension in place of that function, until the link is detached. The target
// keeps its own maps and global data and the extension its own.
import { UsageError } from './errors.js';
import { runnableProgram } from './verify.js';
import { ProgArrayMap } from '../maps/prog-array.js';
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

/** Attach extension program `name` of `obj` to the function its `attachTargets` entry named.
 *  Refused as the kernel refuses it: a second extension of the same function is -EBUSY. */
export function attachFreplace(obj: LoadedObject, name: string): FreplaceLink {
  const ext = obj.program(name);
  const t = ext.extTarget;
  if (!t) throw new UsageError(`program ${name} is not an extension (freplace) program, so it cannot replace a function`);
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
      runtime.replaceProgram(target.id, runnableProgram(target));
    },
  };
}
