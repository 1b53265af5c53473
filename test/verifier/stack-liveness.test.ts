// Stack slot liveness and the pruning it allows (verifier/liveness.ts, 6.18's liveness.c). Each
// program is hand-assembled; the expected counts and log lines are the host kernel's (Linux 6.18,
// root), recorded by loading the same instructions written as naked BPF asm through the verifier
// harness at log level 2 (scripts/compare-processed.mjs compares whole logs). Two paths reach a
// join point with different contents in fp-8 (a ctx pointer on one, a scalar on the other): the
// second path is pruned only if fp-8 is dead there.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../vm/asm.js';
import { helperById } from '../../helpers/table.js';
import { verify } from '../../verifier/index.js';

function run(text: string, logLevel: 0 | 1 | 2 = 2) {
  return verify({ name: 't', insns: assemble(text), progType: 1, gpl: true, map: () => undefined, helper: helperById }, { logLevel });
}
const processed = (log: string): number => Number(/processed (\d+) insns/.exec(log)?.[1]);
/** The lines of the log the liveness analysis wrote. */
const livenessLines = (log: string): string[] => log.split('\n').filter((l) => /^\([\d,]+\) (frame \d+ insn|live stack update)/.test(l));

// 0-7: fp-8 = ctx (fall-through) or scalar (the jump), then a call with r1 = fp-8.
const PROLOGUE = `
  r6 = r1
  call 7
  if r0 == 0 goto +2
  *(u64 *)(r10 - 8) = r6
  goto +1
  *(u64 *)(r10 - 8) = r0
  r1 = r10
  r1 += -8`;

describe('stack slot liveness (6.18 liveness.c)', () => {
  it('a callee that surely overwrites the caller slot makes it dead before the call: the second path is pruned at the call', () => {
    const r = run(`${PROLOGUE}
  call sub
  r0 = *(u64 *)(r10 - 8)
  r0 = 0
  exit
sub:
  r2 = 0
  *(u64 *)(r1 + 0) = r2
  r0 = 0
  exit`);
    expect(r.accepted).toBe(true);
    expect(processed(r.log)).toBe(19);
    expect(r.log).toContain('\n8: safe\n');
    expect(livenessLines(r.log)).toEqual([
      '(8,12) frame 0 insn 13 +written -8 ',
      '(8,12) frame 0 insn 12 +written -8 ',
      '(8,12) live stack update done in 2 iterations',
      '(0) frame 0 insn 8 +written -8 ',
      '(0) frame 0 insn 6 +written -8 ',
      '(0) frame 0 insn 5 +written -8 ',
      '(0) frame 0 insn 3 +written -8 ',
      '(0) frame 0 insn 2 +written -8 ',
      '(0) frame 0 insn 0 +written -8 ',
      '(0) live stack update done in 2 iterations',
      '(0) frame 0 insn 9 +live -8 ',
      '(0) live stack update done in 2 iterations',
      '(0) live stack update done in 1 iterations',
    ]);
  });

  it('a callee that reads the caller slot keeps it live: no pruning at the call', () => {
    const r = run(`${PROLOGUE}
  call sub
  r0 = 0
  exit
sub:
  r0 = *(u64 *)(r1 + 0)
  r0 = 0
  exit`);
    expect(r.accepted).toBe(true);
    expect(processed(r.log)).toBe(22);
    expect(r.log).not.toContain(': safe');
  });

  it('a full 8-byte write kills the slot, a 4-byte one does not', () => {
    const body = (size: string) => `
  r6 = r1
  call 7
  if r0 == 0 goto +2
  *(u64 *)(r10 - 8) = r6
  goto +1
  *(u64 *)(r10 - 8) = r0
  r1 = 0
  *(${size} *)(r10 - 8) = r1
  r0 = *(u64 *)(r10 - 8)
  r0 = 0
  exit`;
    const full = run(body('u64'));
    const partial = run(body('u32'));
    // The host processes 16 insns for both (the join at 6 is not a checkpoint by the insn and
    // jump counts); only the full write at 7 is a sure write, so only there fp-8 is dead before 7.
    expect(processed(full.log)).toBe(16);
    expect(processed(partial.log)).toBe(16);
    expect(livenessLines(full.log)).toEqual([
      '(0) frame 0 insn 8 +live -8 ',
      '(0) frame 0 insn 7 +written -8 ',
      '(0) frame 0 insn 6 +written -8 ',
      '(0) frame 0 insn 5 +written -8 ',
      '(0) frame 0 insn 3 +written -8 ',
      '(0) frame 0 insn 2 +written -8 ',
      '(0) frame 0 insn 0 +written -8 ',
      '(0) live stack update done in 2 iterations',
      '(0) live stack update done in 1 iterations',
    ]);
    // The second path's spill at 5 (a sure write it had not seen before) takes fp-8 out of the
    // slots live before 5, 2 and 0.
    expect(livenessLines(partial.log)).toEqual([
      '(0) frame 0 insn 8 +live -8 ',
      '(0) frame 0 insn 6 +live -8 ',
      '(0) frame 0 insn 5 +live -8 ',
      '(0) frame 0 insn 3 +written -8 ',
      '(0) frame 0 insn 2 +live -8 ',
      '(0) frame 0 insn 0 +live -8 ',
      '(0) live stack update done in 2 iterations',
      '(0) frame 0 insn 5 -live -8',
      '(0) frame 0 insn 5 +written -8 ',
      '(0) frame 0 insn 2 -live -8',
      '(0) frame 0 insn 2 +written -8 ',
      '(0) frame 0 insn 0 -live -8',
      '(0) frame 0 insn 0 +written -8 ',
      '(0) live stack update done in 2 iterations',
    ]);
  });

  it('states of a function reached from another call site are another list (explored_state hashes insn ^ callsite)', () => {
    // mix is called three times; the checkpoint at its entry from an earlier call is still being
    // explored when a later call arrives. In one list per insn it looks like a loop still being
    // explored, which stops new checkpoints there (96 insns processed); the host lists states per
    // insn and call site and processes 78.
    const r = run(`
  r6 = r1
  call 7
  r7 = r0
  r1 = r0
  call mix
  r8 = r0
  if r7 > 1000 goto l1
  r8 += 1
l1:
  r1 = r7
  r1 += 1
  r2 = 0
  r9 = 0
  if r8 > 50 goto l2
  r9 = 1
l2:
  call mix
  r0 += r9
  r1 = r7
  r1 += 2
  if r0 > 7 goto l3
  r0 = 1
l3:
  call mix
  r0 = 0
  exit
mix:
  r0 = r1
  if r1 > 100 goto m1
  r0 += 1
m1:
  r0 += 2
  r0 *= 3
  r0 ^= 5
  r0 += 7
  r0 &= 0xff
  exit`, 1);
    expect(r.accepted).toBe(true);
    expect(r.log.trim().split('\n').pop()).toBe('processed 78 insns (limit 1000000) max_states_per_insn 1 total_states 8 peak_states 8 mark_read 0');
  });
});
