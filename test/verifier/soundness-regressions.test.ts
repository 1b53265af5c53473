// Regression tests from the verifier soundness fuzz (test/verifier/soundness/, `npm run
// fuzz:verifier`, issue 17): minimised programs, hand-assembled, with the verdict the host kernel
// (Linux 6.18) gives them, checked with scripts/fuzz-verifier-kernel.py. Accepted programs are
// also run unverified on packets and map contents at their edges and must not fault.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../vm/asm.js';
import { verify, type VerifierMap } from '../../verifier/index.js';
import { Runtime } from '../../src/runtime.js';
import { testRun } from '../../vm/test-run.js';
import { ProgType } from '../../vm/prog-types.js';

interface Case {
  name: string;
  /** How the fuzz found it. */
  found: string;
  progType: number;
  text: string;
  /** The map `map_by_fd(1)` names: an array of this value size. */
  valueSize: number;
  /** null: accepted; otherwise the kernel's error line. */
  error: string | null;
}

const LOOKUP = ['*(u32 *)(r10 - 4) = 0', 'r1 = map_by_fd(1) ll', 'r2 = r10', 'r2 += -4', 'call 1', 'if r0 == 0 goto out', 'r7 = r0'];

const CASES: Case[] = [
  {
    name: 'narrow fill of a spilled bounded scalar keeps its bounds (map value)',
    found: 'kernel diff, seed 1 #224: ebpfvm refused (R7 unbounded memory access), the kernel accepts',
    progType: ProgType.SCHED_CLS,
    valueSize: 64,
    text: [...LOOKUP, 'r8 = *(u8 *)(r7 + 0)', 'r8 *= 2', 'r8 |= 1', 'if r8 >= 0x39 goto out', '*(u32 *)(r10 - 24) = r8', 'r8 = *(u32 *)(r10 - 24)', 'r7 += r8', '*(u64 *)(r7 + 0) = 97', 'out:', 'r0 = 0', 'exit'].join('\n'),
    error: null,
  },
  {
    name: 'narrow fill of a spilled bounded scalar keeps its bounds (packet offset)',
    found: 'kernel diff, seed 1 #108: ebpfvm refused (R2 offset is outside of the packet), the kernel accepts',
    progType: ProgType.SCHED_CLS,
    valueSize: 8,
    text: ['r2 = *(u32 *)(r1 + 76)', 'r3 = *(u32 *)(r1 + 80)', 'r4 = r2', 'r4 += 2', 'if r4 > r3 goto out', 'r8 = *(u8 *)(r2 + 0)', '*(u32 *)(r10 - 48) = r8', 'r8 = *(u32 *)(r10 - 48)', 'r2 += r8', 'r4 = r2', 'r4 += 5', 'if r3 < r4 goto out', '*(u16 *)(r2 + 3) = 7', 'out:', 'r0 = 0', 'exit'].join('\n'),
    error: null,
  },
  {
    name: 'narrow fill of a spilled scalar wider than the fill loses its bounds',
    found: 'counterpart of the two above: a 32-bit fill of a value up to 2^33 is any u32',
    progType: ProgType.SCHED_CLS,
    valueSize: 64,
    text: [...LOOKUP, 'r8 = *(u32 *)(r7 + 0)', 'r8 <<= 1', '*(u64 *)(r10 - 24) = r8', 'r8 = *(u32 *)(r10 - 24)', 'r7 += r8', '*(u8 *)(r7 + 0) = 1', 'out:', 'r0 = 0', 'exit'].join('\n'),
    error: 'R7 unbounded memory access, make sure to bounds check any such access',
  },
  {
    name: 'a narrow fill of a wider spilled scalar keeps its known low half',
    found: 'kernel diff, seed 4 #159: ebpfvm refused (R2 offset is outside of the packet), the kernel accepts (copy_register_state, then coerce_reg_to_size)',
    progType: ProgType.XDP,
    valueSize: 8,
    text: ['r2 = *(u32 *)(r1 + 0)', 'r3 = *(u32 *)(r1 + 4)', 'r4 = r2', 'r4 += 2', 'if r4 > r3 goto out', 'r8 = *(u16 *)(r2 + 0)', 'r8 = -r8', 'if w8 s> 0xff goto out', 'if w8 s< 0 goto out', '*(u32 *)(r10 - 40) = r8', 'r8 = *(u32 *)(r10 - 40)', 'r2 += r8', 'r4 = r2', 'r4 += 2', 'if r4 > r3 goto out', 'r5 = *(u16 *)(r2 + 0)', 'out:', 'r0 = 1', 'exit'].join('\n'),
    error: null,
  },
  {
    name: 'a variable-offset stack write over a spilled pointer destroys the spill (privileged)',
    found: 'kernel diff, seed 3 #836 and 5 others: ebpfvm refused (spilled ptr in range of var-offset stack write), which the kernel says only without allow_ptr_leaks',
    progType: ProgType.SCHED_CLS,
    valueSize: 8,
    text: [...LOOKUP, '*(u64 *)(r10 - 24) = r7', 'call 7', 'r8 = r0', 'if r8 > 32 goto out', 'r5 = r10', 'r5 += -40', 'r5 += r8', '*(u8 *)(r5 + 0) = 0', 'out:', 'r0 = 0', 'exit'].join('\n'),
    error: null,
  },
  {
    name: 'a pointer spill a variable-offset write may have hit fills as a scalar',
    found: 'counterpart of the one above: the spill is gone, the fill is not a pointer',
    progType: ProgType.SCHED_CLS,
    valueSize: 8,
    text: [...LOOKUP, '*(u64 *)(r10 - 24) = r7', 'call 7', 'r8 = r0', 'if r8 > 32 goto out', 'r5 = r10', 'r5 += -40', 'r5 += r8', '*(u8 *)(r5 + 0) = 0', 'r7 = *(u64 *)(r10 - 24)', '*(u8 *)(r7 + 0) = 1', 'out:', 'r0 = 0', 'exit'].join('\n'),
    error: "R7 invalid mem access 'scalar'",
  },
];

describe('soundness fuzz regressions', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const insns = assemble(c.text);
      const m: VerifierMap = { id: 1, name: 'm', type: 2, keySize: 4, valueSize: c.valueSize, maxEntries: 1, flags: 0, frozen: false };
      const rt = new Runtime({ engine: 'interpreter' });
      expect(rt.createMap({ name: 'm', type: 2, keySize: 4, valueSize: c.valueSize, maxEntries: 1, flags: 0 }).id).toBe(1);
      const v = verify({ name: 'r', insns, progType: c.progType, gpl: true, map: (id) => (id === 1 ? m : undefined), helper: (id) => rt.helper(id) });
      if (c.error !== null) {
        expect(v.accepted).toBe(false);
        expect(v.error).toBe(c.error);
        return;
      }
      expect(v.error).toBeUndefined();
      expect(v.accepted).toBe(true);
      // Unverified runs at the edges: the largest value each byte can hold, packets of 14..64 bytes.
      for (const fill of [0, 0x1c, 0xff]) {
        for (const len of [14, 20, 40, 64]) {
          const value = new Uint8Array(c.valueSize).fill(fill);
          rt.mapById(1)!.map.update(new Uint8Array(4), value, 0);
          testRun(rt, { name: 'r', progType: c.progType, insns, gpl: true }, { data: new Uint8Array(len).fill(fill), maxInsns: 10_000 });
        }
      }
    });
  }
});
