// `disasm --dialect llvm --raw` must equal llvm-objdump-19's text byte for byte. The goldens in
// test/fixtures/objdump were produced by the real tool (see gen.mjs for the exact commands):
//   llvm-objdump-19 -d --no-show-raw-insn --mcpu=v4 X.o   (forms.v4.txt, progs.vN.txt)
//   llvm-objdump-19 -d --no-show-raw-insn X.o             (forms.default.txt: alu32 off)
// What is compared: for every `<pc>:\t<text>` line, <text> with objdump's branch-target suffix
// ` <sym+off>` removed (that suffix depends on ELF symbols, which raw bytecode does not have).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rawInsns } from '../../vm/isa.js';
import { formatInsn } from '../../vm/disasm.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/objdump');

function golden(txt: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const line of readFileSync(join(dir, txt), 'utf8').split('\n')) {
    const g = /^\s*(\d+):\t(.*)$/.exec(line);
    if (g) m.set(Number(g[1]), g[2]!.replace(/ <[^<>]*>$/, ''));
  }
  return m;
}

function check(bin: string, txt: string, alu32: boolean): number {
  const insns = rawInsns(new Uint8Array(readFileSync(join(dir, bin))));
  const want = golden(txt);
  const mismatches: string[] = [];
  for (const [pc, text] of want) {
    const got = formatInsn(insns, pc, { raw: true, alu32 });
    if (got !== text) mismatches.push(`${pc}: want ${JSON.stringify(text)} got ${JSON.stringify(got)}`);
  }
  if (mismatches.length) throw new Error(`${mismatches.length} mismatches:\n` + mismatches.slice(0, 25).join("\n"));
  return want.size;
}

describe('llvm dialect, raw, equals llvm-objdump-19', () => {
  it('every opcode form with corner operands (--mcpu=v4)', () => {
    expect(check('forms.bin', 'forms.v4.txt', true)).toBeGreaterThan(900);
  });
  it('every opcode form with the default cpu (no alu32 spelling)', () => {
    expect(check('forms.bin', 'forms.default.txt', false)).toBeGreaterThan(900);
  });
  for (const cpu of ['v1', 'v2', 'v3', 'v4']) {
    it(`clang -O2 -mcpu=${cpu} program`, () => {
      expect(check(`progs.${cpu}.bin`, `progs.${cpu}.txt`, true)).toBeGreaterThan(100);
    });
  }
});
