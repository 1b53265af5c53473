// `ebpfvm inspect x.o [--json]`: what the loader sees in an object, without loading it.
import type { Command } from 'commander';
import { openObjectFile } from '../../node.js';
import { summarize, formatSummary } from '../../loader/describe.js';
import { readBytes } from '../../node.js';
import { parseBtf, type Btf } from '../../btf/btf.js';
import { builtinBtf } from '../../btf/builtin.js';
import { applyCoreRelocations } from '../../btf/core.js';
import type { ObjectSpec } from '../../loader/spec.js';
import type { RegisterCommand } from './index.js';
import { writeOut } from '../output.js';

export const registerInspect: RegisterCommand = (program: Command, setExit) => {
  program
    .command('inspect')
    .description('sections, programs, maps, globals, externs and BTF summary of a BPF object')
    .argument('<object>', 'clang -target bpf object file')
    .option('--json', 'print JSON')
    .option('--btf-types', 'with --json: every BTF type in raw form')
    .option('--core', 'list every CO-RE relocation as it resolves against the built-in kernel BTF (or --btf)')
    .option('--btf <file>', 'with --core: the kernel BTF to relocate against (e.g. /sys/kernel/btf/vmlinux)')
    .action((file: string, opts: { json?: boolean; btfTypes?: boolean; core?: boolean; btf?: string }) => {
      const spec = openObjectFile(file);
      const s = summarize(spec, { btfTypes: !!opts.btfTypes });
      const core = opts.core || opts.btf !== undefined ? coreRows(spec, opts.btf !== undefined ? parseBtf(readBytes(opts.btf)) : builtinBtf()) : undefined;
      if (opts.json) writeOut(JSON.stringify(core ? { ...s, core } : s, null, 2) + '\n');
      else writeOut(formatSummary(s) + (core ? formatCore(core, opts.btf ?? 'the built-in kernel BTF') : ''));
      setExit(0);
    });
};

interface CoreRow {
  program: string;
  function: string;
  insn: number;
  kind: string;
  spec: string;
  local: string;
  target: string | null;
  failure?: string;
}

/** Every CO-RE record of every function, resolved against `target` (what load would patch). */
function coreRows(spec: ObjectSpec, target: Btf): CoreRow[] {
  const rows: CoreRow[] = [];
  const seen = new Set<unknown>();
  for (const p of spec.programs.values()) {
    for (const f of [p.func, ...spec.functions.filter((x) => x !== p.func)]) {
      if (seen.has(f) || !f.coreRelos.length || !spec.btf) continue;
      seen.add(f);
      const rep = applyCoreRelocations(f.insns.map((i) => ({ ...i })), f.coreRelos, spec.btf, target, `${f.section} ${f.name}`);
      for (const r of rep)
        rows.push({ program: p.name, function: f.name, insn: r.insn, kind: r.kind, spec: r.spec, local: r.local.toString(), target: r.target === undefined ? null : r.target.toString(), ...(r.failure ? { failure: r.failure } : {}) });
    }
  }
  return rows;
}

function formatCore(rows: CoreRow[], target: string): string {
  const L = [`CO-RE relocations against ${target}: ${rows.length}`];
  for (const r of rows) L.push(`  ${r.function} insn ${r.insn}: ${r.kind} ${r.spec}: ${r.local} -> ${r.target ?? `poisoned (${r.failure})`}`);
  return L.join('\n') + '\n';
}
