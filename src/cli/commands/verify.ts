// `ebpfvm verify x.o [--prog P] [--log-level 0|1|2] [--strict] [--unpriv] [--json] [--xlated]`: the verifier's verdict
// and log. Each program is loaded on its own (program selection), so one rejected or unsupported
// program does not hide the verdicts of the others. One line per program on stdout; the log of a
// rejected program (or any log asked for with --log-level) on stderr; --json prints one object
// with the logs instead. Exit 0 when every program is accepted, 1 when one is rejected, 2 for bad
// input (unreadable object, unknown program, something ebpfvm does not support).
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { openObjectFile } from '../../node.js';
import { programVerdict, verdictLine, type ProgramVerdict } from '../../verdict.js';
import { xlatedListing } from '../../xlated.js';
import type { RegisterCommand } from './index.js';
import { loadTarget, parseExtArg } from '../freplace.js';
import { ProgType } from '../../../vm/prog-types.js';
import type { Runtime } from '../../runtime.js';
import type { ObjectSpec } from '../../loader/spec.js';
import { writeErr, writeOut } from '../output.js';

interface VerifyCliOptions {
  prog?: string;
  logLevel?: 0 | 1 | 2;
  strict?: boolean;
  unpriv?: boolean;
  json?: boolean;
  xlated?: boolean;
  target?: string;
}

const logLevel = (v: string): 0 | 1 | 2 => {
  if (v !== '0' && v !== '1' && v !== '2') throw new UsageError(`--log-level: '${v}' is not 0, 1 or 2`);
  return Number(v) as 0 | 1 | 2;
};

export const registerVerify: RegisterCommand = (program: Command, setExit) => {
  program
    .command('verify')
    .description("verify programs like the kernel's verifier: verdict and the kernel-format log")
    .argument('<object>', 'clang-built BPF object (.o)')
    .option('--prog <name>', 'only this program (default: every program, one line each)')
    .option('--log-level <n>', '0: the log only on rejection (as libbpf retries at 1), 1: the failing path, 2: every instruction with its state', logLevel)
    .option('--strict', "the rbtree verifier's strict mode")
    .option('--unpriv', 'load and verify as a user without CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN and CAP_SYS_ADMIN: only socket_filter and cgroup_skb programs and the unprivileged map types load (others: EPERM, no log), with the unprivileged verifier rules')
    .option('--json', 'print one JSON object with every verdict and log')
    .option('--xlated', "print each accepted program as it runs: with the verifier's rewrites, in the kernel test loader's `N: insn` form (its __xlated)")
    .option('--target <target.o:prog[=func]>', 'verify the extension (SEC("freplace/FUNC")) programs against program PROG of target.o (loaded and verified first), replacing FUNC (default: the one each section names)')
    .action((objPath: string, opts: VerifyCliOptions) => {
      setExit(verifyCommand(objPath, opts));
    });
};

function verifyOne(objPath: string, name: string, opts: VerifyCliOptions, notes: Set<string>): ProgramVerdict {
  const target = opts.target !== undefined ? parseExtArg('--target', opts.target, true) : undefined;
  // An extension program is verified against the target; the object's other programs as usual.
  const attach = target
    ? (runtime: Runtime, spec: ObjectSpec) => (spec.programs.get(name)?.progType === ProgType.EXT ? { [name]: { program: loadTarget(runtime, target), ...(target.func !== undefined ? { func: target.func } : {}) } } : undefined)
    : undefined;
  return programVerdict(() => openObjectFile(objPath), name, { logLevel: opts.logLevel ?? 0, ...(opts.strict ? { strict: true } : {}), ...(opts.unpriv ? { unpriv: true } : {}) }, notes, opts.xlated ? xlatedListing : undefined, attach);
}

function verifyCommand(objPath: string, opts: VerifyCliOptions): number {
  const spec = openObjectFile(objPath); // bad objects fail here, once, with exit 2
  const names = opts.prog !== undefined ? [opts.prog] : [...spec.programs.keys()];
  if (opts.prog !== undefined && !spec.programs.has(opts.prog)) throw new UsageError(`no program named ${opts.prog} (have: ${[...spec.programs.keys()].join(', ') || 'none'})`);
  const notes = new Set<string>();
  const verdicts = names.map((n) => verifyOne(objPath, n, opts, notes));
  for (const note of notes) writeErr(`ebpfvm: note: ${note}\n`);
  if (opts.json) {
    writeOut(JSON.stringify({ object: objPath, programs: verdicts }) + '\n');
  } else {
    for (const v of verdicts) {
      writeOut(verdictLine(v) + '\n');
      const showLog = v.log && (v.status === 'rejected' || (opts.logLevel ?? 0) > 0);
      if (showLog) writeErr(v.log!.endsWith('\n') ? v.log! : v.log! + '\n');
      if (v.xlated !== undefined) writeOut(v.xlated);
    }
  }
  if (verdicts.some((v) => v.status === 'error')) {
    if (opts.prog !== undefined && !opts.json) writeErr(`ebpfvm: ${verdicts[0]!.error}\n`);
    return 2;
  }
  return verdicts.some((v) => v.status === 'rejected') ? 1 : 0;
}
