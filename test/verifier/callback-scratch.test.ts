// The line after a callback-calling call (bpf_loop, bpf_rbtree_add's less, ...):
// init_func_state scratches the whole verifier state, so the host prints every live register and
// stack slot of the caller there ('call bpf_loop#181 ; R0=scalar() R10=fp0'). Whole level-1 logs
// against the host's (test/fixtures/verifier-kernel/, the verifier harness on 6.18).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime, load, openObject } from '../../src/index.js';
import { verifyProgram } from '../../src/verify.js';

const ROOT = join(import.meta.dirname, '../..');
// As scripts/compare-verifier-logs.mjs masks: kernel addresses, map addresses in ld_imm64, kfunc ids.
const mask = (log: string): string[] =>
  log
    .replace(/0xffff[0-9a-f]{12}/g, 'ADDR')
    .split('\n')
    .filter((l) => !l.startsWith('verification time') && !l.startsWith('stack depth'))
    .map((l) => l.replace(/(\(18\) r\d+ = )(?:0x[0-9a-f]+|ADDR)( *;)?/, (_m, a: string, semi?: string) => `${a}ADDR${semi ? ' ;' : ''}`))
    .map((l) => l.replace(/(\(85\) call \w+)#\d+( *;)?/, (_m, a: string, semi?: string) => `${a}#ID${semi ? ' ;' : ''}`));

describe('the state printed after a callback-calling call', () => {
  for (const [object, prog, line] of [
    ['kfuncs', 'rcu_loop_callback', 'call bpf_loop#ID ; R0=scalar() R10=fp0'],
    ['graph_kfuncs', 'use_after_unlock', 'R6=ptr_node_data(non_own_ref) R10=fp0'],
  ] as const) {
    it(`${object}/${prog}: the host's log line for line`, () => {
      const fx = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/verifier-kernel', `${object}.json`), 'utf8')) as { programs: Record<string, { log: string; logLevel: number }> };
      const k = fx.programs[prog]!;
      const obj = load(new Runtime(), openObject(new Uint8Array(readFileSync(join(ROOT, 'test/progs/verifier', `${object}.o`))), { name: object }), { programs: [prog] });
      const ours = verifyProgram(obj, prog, { logLevel: k.logLevel as 1 }).log;
      expect(mask(k.log).join('\n')).toContain(line);
      expect(mask(ours)).toEqual(mask(k.log));
    });
  }
});
