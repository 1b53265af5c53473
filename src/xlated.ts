// The xlated program as text: what `bpftool prog dump xlated` and the kernel's test loader print
// for a loaded program (`__xlated`), here for ebpfvm's rewrite of an accepted one
// (verifier/fixups.ts). Its own module so `run` does not load the disassembler.
import { UsageError } from './errors.js';
import { disassemble } from '../vm/disasm.js';
import type { LoadedProgram } from './loader/load.js';

/** The xlated program of an accepted `lp` as the kernel's test loader prints it (`N: insn`, the
 *  kernel disassembler's text without its `(code) ` prefix, calls without their `#id`), for
 *  `__xlated` and `ebpfvm verify --xlated`. A helper call prints as `call unknown` and a kfunc
 *  call as `call kernel-function`, as there: after the kernel's fixups their imm is the function's
 *  address, which the printer cannot name. */
export function xlatedListing(lp: LoadedProgram): string {
  if (!lp.xlated) throw new UsageError(`program ${lp.name} has no xlated form: it was not accepted by the verifier`);
  const prog = lp.xlated;
  const text = disassemble(prog.insns, { dialect: 'kernel', xlated: prog.xlated === true, helperName: () => 'unknown', kfuncName: () => 'kernel-function' });
  return text
    .split('\n')
    .map((l) => l.replace(/^(\d+: )\([0-9a-f]{2}\) /, '$1').replace(/^(\d+: call [^#\s]+)#-?\d+$/, '$1'))
    .join('\n');
}
