// One program's verdict as `ebpfvm verify` and the playground report it: open, load (program
// selection) into a fresh Runtime, verify. Above both stages it strings together, so the verifier's
// library entry (src/verify.ts), which the loader calls, does not import the loader back.
import { EbpfvmError, PermissionError, VerifierError } from './errors.js';
import { load, type LoadOptions, type LoadedProgram } from './loader/load.js';
import type { ObjectSpec } from './loader/spec.js';
import { Runtime } from './runtime.js';
import { verifyProgram } from './verify.js';
import type { VerifyOptions, VerifyResult } from '../verifier/index.js';

/** One program's verdict as `ebpfvm verify` reports it (and the playground shows it). */
export interface ProgramVerdict {
  program: string;
  /** accepted / rejected by the verifier, or error: it could not be loaded (exit 2). */
  status: 'accepted' | 'rejected' | 'error';
  error?: string;
  errorPc?: number;
  processed?: number;
  log?: string;
  /** The xlated program (src/xlated.ts) of an accepted program, when asked for. */
  xlated?: string;
}

/** Load program `name` alone (program selection) into a fresh Runtime and verify it. `open` gives
 *  a fresh spec (loading consumes it); loader notes are added to `notes`. */
export function programVerdict(open: () => ObjectSpec, name: string, opts: VerifyOptions, notes?: Set<string>, listXlated?: (lp: LoadedProgram) => string, attachTargets?: (runtime: Runtime, spec: ObjectSpec) => LoadOptions['attachTargets']): ProgramVerdict {
  let r: VerifyResult;
  let xlated: string | undefined;
  try {
    const runtime = new Runtime();
    const spec = open();
    const targets = attachTargets?.(runtime, spec);
    const obj = load(runtime, spec, { programs: [name], ...(opts.unpriv ? { unpriv: true } : {}), ...(targets ? { attachTargets: targets } : {}) });
    for (const note of obj.notes) notes?.add(note);
    r = verifyProgram(obj, name, opts);
    if (listXlated && r.accepted) xlated = listXlated(obj.program(name));
  } catch (e) {
    // The syscall refused the unprivileged caller (EPERM, no verifier log): refused, not bad input.
    if (e instanceof PermissionError) {
      const own = `program ${name}: `;
      return { program: name, status: 'rejected', error: e.message.startsWith(own) ? e.message.slice(own.length) : e.message, log: '' };
    }
    // Load-time refusals the kernel's verifier makes too (GPL-only helpers, helpers the program
    // type may not call) are rejections; anything else the loader refuses is bad input.
    if (e instanceof VerifierError) {
      const error = e.log.trim().split('\n').filter((l) => !l.startsWith('processed ')).at(-1) ?? e.message;
      return { program: name, status: 'rejected', error, ...(e.insn !== undefined ? { errorPc: e.insn } : {}), log: e.log };
    }
    if (e instanceof EbpfvmError) return { program: name, status: 'error', error: e.message };
    throw e;
  }
  const v: ProgramVerdict = { program: name, status: r.accepted ? 'accepted' : 'rejected', processed: r.processed, log: r.log };
  if (r.error !== undefined) v.error = r.error;
  if (r.errorPc !== undefined) v.errorPc = r.errorPc;
  if (xlated !== undefined) v.xlated = xlated;
  return v;
}

/** The verdict line `ebpfvm verify` prints for a program. */
export function verdictLine(v: ProgramVerdict): string {
  return v.status === 'accepted'
    ? `${v.program}: accepted (${v.processed} insns processed)`
    : v.status === 'rejected'
      ? `${v.program}: rejected${v.errorPc !== undefined ? ` at insn ${v.errorPc}` : ''}: ${v.error ?? ''}`
      : `${v.program}: error: ${v.error}`;
}
