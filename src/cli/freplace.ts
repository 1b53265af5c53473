// Extension (freplace) programs on the command line: `run TARGET.o --prog P --replace EXT.o[:PROG][=FUNC]`
// loads each extension against P (libbpf's bpf_program__set_attach_target), verifies it unless
// --no-verify, and attaches it (bpf_link_create with BPF_TRACE_FREPLACE) before the run;
// `verify EXT.o --target TARGET.o:P[=FUNC]` verifies extensions against a target.
import { UsageError, VerifierError } from '../errors.js';
import { load, type LoadedObject, type LoadedProgram } from '../loader/load.js';
import { openObjectFile } from '../node.js';
import { ProgType } from '../../vm/prog-types.js';
import { verifyForRun, type VerifyResult } from '../verify.js';
import { attachFreplace, type FreplaceLink } from '../freplace.js';
import type { Runtime } from '../runtime.js';
import { writeErr } from './output.js';

export interface ExtArg {
  path: string;
  prog?: string;
  func?: string;
}

/** `FILE[:PROG][=FUNC]`: a ':' or '=' inside a directory name is left to the path. */
export function parseExtArg(flag: string, arg: string, progRequired: boolean): ExtArg {
  let rest = arg;
  let func: string | undefined;
  const eq = rest.lastIndexOf('=');
  if (eq > rest.lastIndexOf('/')) {
    func = rest.slice(eq + 1);
    rest = rest.slice(0, eq);
  }
  let prog: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    prog = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const form = progRequired ? 'FILE.o:PROG[=FUNC]' : 'FILE.o[:PROG][=FUNC]';
  if (!rest || prog === '' || func === '' || (progRequired && prog === undefined)) throw new UsageError(`${flag}: '${arg}' is not ${form}`);
  return { path: rest, ...(prog !== undefined ? { prog } : {}), ...(func !== undefined ? { func } : {}) };
}

/** The extension programs of an object a --replace names: PROG, or its only freplace program. */
function extensionName(obj: { spec: LoadedObject['spec'] }, a: ExtArg): string {
  const exts = [...obj.spec.programs.values()].filter((p) => p.progType === ProgType.EXT);
  if (a.prog !== undefined) {
    const p = obj.spec.programs.get(a.prog);
    if (!p) throw new UsageError(`--replace: ${a.path} has no program named ${a.prog} (freplace programs: ${exts.map((e) => e.name).join(', ') || 'none'})`);
    if (p.progType !== ProgType.EXT) throw new UsageError(`--replace: ${a.prog} in ${a.path} is SEC("${p.section}"), not an extension (SEC("freplace/...")) program`);
    return a.prog;
  }
  if (exts.length !== 1) throw new UsageError(`--replace: ${a.path} has ${exts.length} freplace programs; choose one with ${a.path}:PROG (${exts.map((e) => e.name).join(', ') || 'none'})`);
  return exts[0]!.name;
}

export interface LoadedExtension {
  obj: LoadedObject;
  name: string;
  verdict?: VerifyResult;
  link: FreplaceLink;
}

/** Load, verify (unless `verify` is false) and attach the --replace extensions to `target`. The
 *  programs of one object are loaded together, as libbpf loads an object, so they share its maps
 *  and global data. A rejection is a VerifierError whose log has been written to stderr, as `run`
 *  does for the program run. */
export function attachExtensions(runtime: Runtime, target: LoadedProgram, args: readonly ExtArg[], verify: boolean): LoadedExtension[] {
  const byPath = new Map<string, ExtArg[]>();
  for (const a of args) byPath.set(a.path, [...(byPath.get(a.path) ?? []), a]);
  const out: LoadedExtension[] = [];
  for (const [path, group] of byPath) {
    const spec = openObjectFile(path);
    const names = group.map((a) => extensionName({ spec }, a));
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new UsageError(`--replace: ${dup} of ${path} is named twice`);
    const attachTargets = Object.fromEntries(group.map((a, i) => [names[i]!, { program: target, ...(a.func !== undefined ? { func: a.func } : {}) }]));
    const obj = load(runtime, spec, { programs: names, attachTargets });
    for (const note of obj.notes) writeErr(`ebpfvm: note: ${note}\n`);
    for (const name of names) {
      let verdict: VerifyResult | undefined;
      if (verify) {
        try {
          verdict = verifyForRun(obj, name);
        } catch (e) {
          if (e instanceof VerifierError) writeErr(e.log.endsWith('\n') || e.log === '' ? e.log : e.log + '\n');
          throw e;
        }
      }
      out.push({ obj, name, link: attachFreplace(obj, name), ...(verdict ? { verdict } : {}) });
    }
  }
  return out;
}

/** `verify --target TARGET.o:P[=FUNC]`: P loaded (and verified, as the kernel verifies every
 *  program it loads: dead functions are gone from it) in `runtime`. */
export function loadTarget(runtime: Runtime, t: ExtArg): LoadedProgram {
  const obj = load(runtime, openObjectFile(t.path), { programs: [t.prog!] });
  const lp = obj.program(t.prog!);
  const r = lp.verify();
  if (!r.accepted) throw new UsageError(`--target: ${t.prog} in ${t.path} is rejected by the verifier: ${r.error ?? ''}`);
  return lp;
}
