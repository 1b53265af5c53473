// What `run` and `bench` share: open an object and load the program asked for (program selection:
// even from a `?` section, with what it needs, without its siblings).
import { UsageError } from '../errors.js';
import { load, type LoadedObject, type LoadOptions } from '../loader/load.js';
import { openObjectFile } from '../node.js';
import type { Runtime } from '../runtime.js';

export interface ProgramForRun {
  obj: LoadedObject;
  progName: string;
  /** Whether the verifier accepted it (false until the verifier exists: every run is unverified). */
  verified: boolean;
}

export interface ProgramForRunOptions {
  prog?: string;
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
  return { obj, progName, verified: false };
}
