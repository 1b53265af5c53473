// What `run` and `bench` share: open an object, load the program asked for (program selection:
// even from a `?` section, with what it needs, without its siblings) and verify it when asked
// (--verify; the default is VERIFY_BY_DEFAULT). A rejection is a VerifierError (exit 1) carrying
// the verifier's log, never a fault.
import { UsageError, VerifierError } from '../errors.js';
import { load, type LoadedObject, type LoadOptions } from '../loader/load.js';
import { openObjectFile } from '../node.js';
import type { Runtime } from '../runtime.js';
import { verifyProgram, type VerifyResult } from '../verify.js';

/** Whether `run` and `bench` verify without --verify. Off: the verifier as landed still rejects
 *  programs the kernel accepts among the existing tests and examples (the scheduler example:
 *  `only read is supported` for a store past the rb_node; the bench loops: the 1M-instruction
 *  limit and `dereference of modified ctx ptr`; core_kernel: poisoned CO-RE calls), so turning it
 *  on would break them. Switch it on once `ebpfvm verify` accepts all of them. */
export const VERIFY_BY_DEFAULT = false;

export interface ProgramForRun {
  obj: LoadedObject;
  progName: string;
  /** The verifier's result; undefined with --no-verify. */
  verdict?: VerifyResult;
}

export interface ProgramForRunOptions {
  prog?: string;
  /** --verify (true) / --no-verify (false); undefined: VERIFY_BY_DEFAULT. */
  verify?: boolean;
  strict?: boolean;
  load?: Omit<LoadOptions, 'programs'>;
}

export function loadProgramForRun(runtime: Runtime, objPath: string, opts: ProgramForRunOptions): ProgramForRun {
  const spec = openObjectFile(objPath);
  const obj = load(runtime, spec, { ...opts.load, ...(opts.prog !== undefined ? { programs: [opts.prog] } : {}) });
  for (const note of obj.notes) process.stderr.write(`ebpfvm: note: ${note}\n`);
  let progName = opts.prog;
  if (progName === undefined) {
    const names = [...obj.programs.keys()];
    if (names.length !== 1) throw new UsageError(`${objPath} has ${names.length} programs; choose one with --prog (${names.join(', ') || 'none'})`);
    progName = names[0]!;
  }
  if (!(opts.verify ?? VERIFY_BY_DEFAULT)) return { obj, progName };
  const verdict = verifyProgram(obj, progName, { logLevel: 0, ...(opts.strict ? { strict: true } : {}) });
  if (!verdict.accepted) {
    process.stderr.write(verdict.log.endsWith('\n') || verdict.log === '' ? verdict.log : verdict.log + '\n');
    const where = verdict.errorPc !== undefined ? ` at insn ${verdict.errorPc}` : '';
    throw new VerifierError(`program ${progName} rejected by the verifier${where}: ${verdict.error ?? 'see the log'} (without --verify it runs unverified)`, verdict.log, verdict.errorPc);
  }
  return { obj, progName, verdict };
}
