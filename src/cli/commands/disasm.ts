// `ebpfvm disasm prog.bin|HEX [--dialect llvm|kernel] [--raw] [--no-alu32]`: print instructions.
// Raw bytecode here; the loader adds ELF input by extending `loadDisasmInput` (return one unit per
// program with its symbols, map names and source lines as DisasmAnnotations) -- the formatting is
// `formatListing`, shared by both inputs.
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { rawInsns } from '../../../vm/isa.js';
import { readBytesArg } from './run-raw.js';
import { openObject, objectNameFromPath } from '../../loader/open.js';
import { formatListing, listingUnits, type DisasmCliOptions, type DisasmUnit } from '../../loader/listing.js';
import type { RegisterCommand } from './index.js';
import { writeOut } from '../output.js';

// The listing's text lives with the units in the loader (browser-safe: the playground prints it too).
export { formatListing, linuxHelperName, type DisasmUnit, type DisasmCliOptions } from '../../loader/listing.js';

/** Input files -> units. Raw bytecode (binary or hex text) today; ELF objects are the loader's. */
export function loadDisasmInput(path: string, _opts: DisasmCliOptions): DisasmUnit[] {
  const bytes = readBytesArg(path, 'program');
  if (bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) {
    return listingUnits(openObject(bytes, { name: objectNameFromPath(path) }), _opts.prog);
  }
  if (bytes.length === 0 || bytes.length % 8 !== 0) throw new UsageError(`${path}: ${bytes.length} bytes is not a non-empty multiple of 8`);
  return [{ insns: rawInsns(bytes) }];
}

export const registerDisasm: RegisterCommand = (program: Command, setExit) => {
  program
    .command('disasm')
    .description('disassemble raw bytecode (llvm-objdump or kernel verifier-log dialect)')
    .argument('<input>', 'a .bin file, a file of hex bytes, or hex bytes inline')
    .option('--dialect <dialect>', 'llvm (default) or kernel', 'llvm')
    .option('--raw', "llvm: exactly llvm-objdump's text, without annotations")
    .option('--no-alu32', 'llvm: spell 32-bit loads/stores with r registers (objdump without --mcpu=v3)')
    .option('--prog <name>', 'only this program (ELF input)')
    .option('--source', 'interleave source lines (ELF input with BTF line info)')
    .action((input: string, opts: DisasmCliOptions) => {
      if (opts.dialect !== 'llvm' && opts.dialect !== 'kernel') throw new UsageError(`--dialect must be llvm or kernel (got '${opts.dialect}')`);
      const units = loadDisasmInput(input, opts);
      writeOut(formatListing(units, opts));
      setExit(0);
    });
};
