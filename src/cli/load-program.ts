// What `run` and `bench` share: open an object, load the program asked for (program selection:
// even from a `?` section, with what it needs, without its siblings) and verify it unless told not
// to (--no-verify; the default is VERIFY_BY_DEFAULT). A rejection is a VerifierError (exit 1) carrying
// the verifier's log, never a fault.
import { UsageError, VerifierError } from '../errors.js';
import { load, type LoadedObject, type LoadOptions } from '../loader/load.js';
import { openObjectFile } from '../node.js';
import type { Runtime } from '../runtime.js';
import { verifyForRun, type VerifyResult } from '../verify.js';
import { writeErr } from './output.js';

/** Whether `run` and `bench` verify without a flag: yes, as the kernel verifies every program it
 *  loads. `--no-verify` runs a program unverified (every memory access checked at run time, an
 *  instruction budget), which the tests that misuse memory on purpose for the run-time checks use. */
export const VERIFY_BY_DEFAULT = true;

export interface ProgramForRun {
  obj: LoadedObject;
  progName: string;
  /** The verifier's result; undefined with --no-verify. */
  verdict?: VerifyResult;
}

export interface ProgramForRunOptions {
  prog?: string;
  /** More programs of the object to load beside `prog` (run --before). */
  also?: readonly string[];
  /** --verify (true) / --no-verify (false); undefined: VERIFY_BY_DEFAULT (verify). */
  verify?: boolean;
  strict?: boolean;
  load?: Omit<LoadOptions, 'programs'>;
}

export function loadProgramForRun(runtime: Runtime, objPath: string, opts: ProgramForRunOptions): ProgramForRun {
  const spec = openObjectFile(objPath);
  const obj = load(runtime, spec, { ...opts.load, ...(opts.prog !== undefined ? { programs: [opts.prog, ...(opts.also ?? []).filter((p) => p !== opts.prog)] } : {}) });
  for (const note of obj.notes) writeErr(`ebpfvm: note: ${note}\n`);
  let progName = opts.prog;
  if (progName === undefined) {
    const names = [...obj.programs.keys()];
    if (names.length !== 1) throw new UsageError(`${objPath} has ${names.length} programs; choose one with --prog (${names.join(', ') || 'none'})`);
    progName = names[0]!;
  }
  if (!(opts.verify ?? VERIFY_BY_DEFAULT)) return { obj, progName };
  try {
    return { obj, progName, verdict: verifyForRun(obj, progName, opts.strict ? { strict: true } : {}) };
  } catch (e) {
    // The kernel-format log first, as bpftool prints the verifier log before its own error.
    if (e instanceof VerifierError) writeErr(e.log.endsWith('\n') || e.log === '' ? e.log : e.log + '\n');
    throw e;
  }
}
