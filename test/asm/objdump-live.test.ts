// Every instruction of every clang-built object in test/progs against llvm-objdump-19, run live
// (these objects are rebuilt by `npm run progs`, so their text is not frozen into goldens). Skipped
// when llvm-objdump-19 is not installed (.ci/run installs it). Same comparison as the goldens:
//   llvm-objdump-19 -d --no-show-raw-insn --mcpu=v4 X.o
// per section, the text after `<pc>:\t` minus objdump's ` <sym+off>` branch suffix.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/elf/file.js';
import { formatInsn } from '../../vm/disasm.js';
import { rawInsns } from '../../vm/isa.js';

const progs = join(dirname(fileURLToPath(import.meta.url)), '../progs');
const haveObjdump = spawnSync('llvm-objdump-19', ['--version']).status === 0;

/** objdump's listing split by section: section name -> (pc -> text). */
function objdump(path: string): Map<string, Map<number, string>> {
  const out = execFileSync('llvm-objdump-19', ['-d', '--no-show-raw-insn', '--mcpu=v4', path], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const sections = new Map<string, Map<number, string>>();
  let cur: Map<number, string> | undefined;
  for (const line of out.split('\n')) {
    const sec = /^Disassembly of section (.*):$/.exec(line);
    if (sec) sections.set(sec[1]!, (cur = new Map()));
    const g = /^\s*(\d+):\t(.*)$/.exec(line);
    if (g && cur) cur.set(Number(g[1]), g[2]!.replace(/ <[^<>]*>$/, ''));
  }
  return sections;
}

describe.skipIf(!haveObjdump)('llvm dialect, raw, equals llvm-objdump-19 on test/progs objects', () => {
  const objects = readdirSync(progs).filter((f) => f.endsWith('.o'));
  let total = 0; // some objects (BTF-only CO-RE targets) have no code
  for (const f of objects) {
    it(f, () => {
      const path = join(progs, f);
      const elf = parseElf(new Uint8Array(readFileSync(path)));
      let compared = 0;
      const bad: string[] = [];
      for (const [name, lines] of objdump(path)) {
        const sec = elf.sections.find((s) => s.name === name);
        expect(sec, name).toBeDefined();
        const insns = rawInsns(sec!.data);
        for (const [pc, text] of lines) {
          const got = formatInsn(insns, pc, { raw: true });
          if (got !== text) bad.push(`${name}+${pc}: want ${JSON.stringify(text)} got ${JSON.stringify(got)}`);
          compared++;
        }
      }
      if (bad.length) throw new Error(bad.slice(0, 20).join('\n'));
      total += compared;
    });
  }
  it('compared thousands of instructions in all', () => expect(total).toBeGreaterThan(1000));
});
