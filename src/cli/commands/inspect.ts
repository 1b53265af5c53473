// `ebpfvm inspect x.o [--json]`: what the loader sees in an object, without loading it.
import type { Command } from 'commander';
import { openObjectFile } from '../../node.js';
import { summarize, formatSummary } from '../../loader/describe.js';
import type { RegisterCommand } from './index.js';

export const registerInspect: RegisterCommand = (program: Command, setExit) => {
  program
    .command('inspect')
    .description('sections, programs, maps, globals, externs and BTF summary of a BPF object')
    .argument('<object>', 'clang -target bpf object file')
    .option('--json', 'print JSON')
    .option('--btf-types', 'with --json: every BTF type in raw form')
    .action((file: string, opts: { json?: boolean; btfTypes?: boolean }) => {
      const s = summarize(openObjectFile(file), { btfTypes: !!opts.btfTypes });
      process.stdout.write(opts.json ? JSON.stringify(s, null, 2) + '\n' : formatSummary(s));
      setExit(0);
    });
};
