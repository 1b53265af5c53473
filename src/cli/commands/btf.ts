// `ebpfvm btf dump x.o [--format c|raw]`: an object's BTF as bpftool prints it (raw: the blob as
// clang wrote it; c: a header). --builtin: the runtime's built-in kernel BTF (src/btf/builtin.ts);
// --format btf writes that BTF as a binary .btf blob (what `bpftool btf dump file` and libbpf read).
import type { Command } from 'commander';
import { UnsupportedError, UsageError, BtfError } from '../../errors.js';
import { readBytes } from '../../node.js';
import { parseElf } from '../../elf/file.js';
import { parseBtf } from '../../btf/btf.js';
import { formatBtfC } from '../../btf/format.js';
import { formatBtfRaw } from '../../btf/format-raw.js';
import { builtinBtf, builtinBtfBytes } from '../../btf/builtin.js';
import { vmlinuxHeader } from '../../btf/vmlinux-header.js';
import type { RegisterCommand } from './index.js';
import { writeOut } from '../output.js';

export const registerBtf: RegisterCommand = (program: Command, setExit) => {
  const btf = program.command('btf').description('BTF of an object');
  btf
    .command('dump')
    .description('print the BTF of an object (like bpftool btf dump file)')
    .argument('[object]', 'clang -target bpf object file')
    .option('--builtin', "the runtime's built-in kernel BTF")
    .option('--format <format>', 'raw (default), c, or btf (the binary blob; --builtin only)', 'raw')
    .action((file: string | undefined, opts: { builtin?: boolean; format: string }) => {
      if (opts.format !== 'raw' && opts.format !== 'c' && opts.format !== 'btf') throw new UsageError(`--format must be raw, c or btf (got '${opts.format}')`);
      if (opts.builtin) {
        if (file) throw new UsageError('give either an object file or --builtin, not both');
        if (opts.format === 'btf') writeOut(builtinBtfBytes());
        else writeOut(opts.format === 'c' ? vmlinuxHeader() : formatBtfRaw(builtinBtf()));
        setExit(0);
        return;
      }
      if (opts.format === 'btf') throw new UnsupportedError('--format btf writes the built-in BTF only (an object\'s .BTF is already a blob)');
      if (!file) throw new UsageError('btf dump needs an object file (or --builtin)');
      // As bpftool: the .BTF blob as compiled, without libbpf's load-time fixups.
      const sec = parseElf(readBytes(file)).section('.BTF');
      if (!sec) throw new BtfError('object has no .BTF section (compile with -g)', file);
      const parsed = parseBtf(sec.data);
      writeOut(opts.format === 'c' ? formatBtfC(parsed) : formatBtfRaw(parsed));
      setExit(0);
    });
};
