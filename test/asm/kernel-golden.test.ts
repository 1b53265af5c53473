// Kernel dialect against a real kernel's verifier log. test/fixtures/objdump/kernel/forms.c (every
// form the verifier accepts, in BPF assembly) was loaded with `bpftool -d prog load` on Linux 6.18;
// forms.txt keeps the log's `N: (code) insn` lines without the `; register state` comments (see
// gen.sh). Compared: every logged pc of the program section, except the two instructions libbpf
// rewrites before loading (the map LD_IMM64, which the log shows as a kernel pointer, and the
// bpf-to-bpf call, whose target libbpf relocates) and the appended subprogram.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatInsn } from '../../vm/disasm.js';
import { rawInsns } from '../../vm/isa.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/objdump/kernel');

describe('kernel dialect equals the verifier log', () => {
  it('every instruction form of forms.o', () => {
    const insns = rawInsns(new Uint8Array(readFileSync(join(dir, 'forms.bin'))));
    const helperName = (id: number): string | undefined => (id === 1 ? 'bpf_map_lookup_elem' : undefined);
    let compared = 0;
    const bad: string[] = [];
    for (const line of readFileSync(join(dir, 'forms.txt'), 'utf8').split('\n')) {
      const m = /^(\d+): (.*)$/.exec(line);
      if (!m) continue;
      const pc = Number(m[1]);
      if (pc >= insns.length) continue;
      const insn = insns[pc]!;
      // map reference: clang leaves imm 0 + a relocation; the log shows the kernel's map pointer
      if (insn.code === 0x18 && insn.imm === 0 && /= 0xffff[0-9a-f]{12}$/.test(m[2]!)) continue;
      if (insn.code === 0x85 && insn.src === 1) continue;
      const got = formatInsn(insns, pc, { dialect: 'kernel', helperName });
      if (got !== m[2]) bad.push(`${pc}: want ${JSON.stringify(m[2])} got ${JSON.stringify(got)}`);
      compared++;
    }
    if (bad.length) throw new Error(bad.join('\n'));
    expect(compared).toBeGreaterThan(160);
  });
});
