// `ebpfvm asm file.s [-o out.bin] [--syntax llvm|ubpf]`: assemble text into raw bytecode. Without
// -o the bytes are printed as hex, one 8-byte instruction slot per line, which `run-raw` and
// `disasm` read back. The llvm syntax is the default (what `disasm` prints); `ubpf` is the
// bpf_conformance / uBPF syntax of `-- asm` sections.
import { readBytes, writeBytes } from '../../node.js';
import type { Command } from 'commander';
import { helperByName } from '../../../helpers/table.js';
import { UsageError } from '../../errors.js';
import { assemble } from '../../../vm/asm.js';
import { assembleUbpf } from '../../../vm/asm-ubpf.js';
import { encodeInsns } from '../../../vm/isa.js';
import type { RegisterCommand } from './index.js';
import { writeOut } from '../output.js';

/** Hex text of bytecode: one instruction slot per line, bytes separated by spaces. */
export function bytecodeHex(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let o = 0; o < bytes.length; o += 8) lines.push(Array.from(bytes.subarray(o, o + 8), (b) => b.toString(16).padStart(2, '0')).join(' '));
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/** `call bpf_map_lookup_elem` / `call map_lookup_elem` resolve through the Linux helper table. */
export function linuxHelperId(name: string): number | undefined {
  return helperByName(name.replace(/^bpf_/, ''))?.id ?? helperByName(name)?.id;
}

export const registerAsm: RegisterCommand = (program: Command, setExit) => {
  program
    .command('asm')
    .description('assemble llvm-dialect (or uBPF-syntax) text into raw bytecode')
    .argument('<file>', 'assembly source ("-" for stdin)')
    .option('-o, --output <file>', 'write the bytecode here instead of printing hex')
    .option('--syntax <syntax>', 'llvm (default) or ubpf', 'llvm')
    .action((file: string, opts: { output?: string; syntax: string }) => {
      const text = new TextDecoder().decode(readBytes(file === '-' ? 0 : file));
      if (opts.syntax !== 'llvm' && opts.syntax !== 'ubpf') throw new UsageError(`--syntax must be llvm or ubpf (got '${opts.syntax}')`);
      const insns = opts.syntax === 'ubpf' ? assembleUbpf(text) : assemble(text, { helperId: linuxHelperId });
      const bytes = encodeInsns(insns);
      if (opts.output) writeBytes(opts.output, bytes, '-o');
      else writeOut(bytecodeHex(bytes));
      setExit(0);
    });
};
