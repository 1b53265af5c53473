// bpf_fastcall and the helper inlining it rests on (verifier/fastcall.ts, verifier/fixups.ts): the
// rewritten program gives the same r0 as the program as written, on both engines and on every CPU
// (the inlined bpf_get_smp_processor_id reads the CPU's per-CPU area; the spills and fills that went
// restored registers the inlined code never touches; the inlined bpf_loop calls the callback as the
// helper does). test/progs/verifier/fastcall.c's annotations (the xlated listings and stack depths,
// recorded against the host kernel) say what is rewritten; this says the rewrite is harmless.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { UsageError } from '../../src/errors.js';
import { load, openObject } from '../../src/loader/index.js';
import { verifyProgram } from '../../src/verify.js';
import { xlateProgram } from '../../verifier/fixups.js';
import { assemble } from '../../vm/asm.js';
import { ENGINES } from '../../vm/interpreter.js';
import type { Program } from '../../vm/program.js';

const OBJ = new Uint8Array(readFileSync(new URL('../progs/verifier/fastcall.o', import.meta.url)));
const NCPUS = 4;

/** Program name -> r0 on CPU `cpu`. */
const EXPECTED: Record<string, (cpu: number) => bigint> = {
  fastcall_removed: (c) => BigInt(c + 3),
  fastcall_contract_broken: (c) => BigInt(c + 2),
  fastcall_jump_target: () => 3n,
  fastcall_not_inlined_kept: () => 5n,
  fastcall_callee_writes: () => 7n,
  fastcall_socket_raw_proto: (c) => BigInt(c + 3),
  fastcall_bpf_loop_inlined: () => 15n,
  bpf_loop_inlined_e2big: () => 0n,
  bpf_loop_flags_not_inlined: () => 0xffffffffn,
};

describe('bpf_fastcall rewrites run as the program as written', () => {
  for (const engine of ENGINES) {
    it(`same r0 before and after the rewrite, every CPU (${engine})`, () => {
      const rt = new Runtime({ engine, ncpus: NCPUS });
      const obj = load(rt, openObject(OBJ, { name: 'fastcall' }));
      for (const [name, want] of Object.entries(EXPECTED)) {
        const r = verifyProgram(obj, name, {});
        expect(r.accepted, name).toBe(true);
        const lp = obj.program(name);
        // all but the flagged bpf_loop call an inlined helper: the run below is of the rewrite
        expect(lp.xlated !== undefined && lp.xlated !== lp.program, name).toBe(name !== 'bpf_loop_flags_not_inlined');
        for (let cpu = 0; cpu < NCPUS; cpu++) {
          const after = rt.execute(lp.xlated!, { cpu, verified: true }).r0;
          const before = rt.execute(lp.program, { cpu }).r0;
          expect(BigInt.asUintN(64, after), `${name} on CPU ${cpu}`).toBe(want(cpu));
          expect(BigInt.asUintN(64, before), `${name} as written, CPU ${cpu}`).toBe(want(cpu));
        }
      }
    });
  }

  it('removes the spills and fills, and lowers the stack depth, only where the contract holds', () => {
    const obj = load(new Runtime(), openObject(OBJ, { name: 'fastcall' }));
    const depth = (name: string) => verifyProgram(obj, name, { stats: true, logLevel: 4 } as never).log.match(/stack depth (\S+)/)?.[1];
    expect(depth('fastcall_removed')).toBe('8');
    expect(depth('fastcall_contract_broken')).toBe('16');
    expect(depth('fastcall_jump_target')).toBe('16');
    expect(depth('fastcall_not_inlined_kept')).toBe('16');
    expect(depth('fastcall_socket_raw_proto')).toBe('24');
    expect(depth('fastcall_bpf_loop_inlined')).toBe('32+0');
    expect(verifyProgram(obj, 'fastcall_removed', {}).fastcallRemoved).toEqual([2, 3, 5, 6]);
    expect(verifyProgram(obj, 'fastcall_contract_broken', {}).fastcallRemoved).toBeUndefined();
    expect(verifyProgram(obj, 'fastcall_socket_raw_proto', {}).fastcallRemoved).toBeUndefined();
  });
});

describe('inlined bpf_get_smp_processor_id', () => {
  const prog = (text: string): Program => ({ name: 't', progType: 3, insns: assemble(text), gpl: true });
  for (const engine of ENGINES) {
    it(`reads the CPU number the helper gives (${engine})`, () => {
      const rt = new Runtime({ engine, ncpus: 64 });
      const p = prog('r1 = 7\ncall 8\nr0 <<= 8\nr0 |= r1\nexit');
      const x = xlateProgram(p);
      expect(x.insns).toHaveLength(p.insns.length + 2);
      for (const cpu of [0, 1, 17, 63]) {
        const want = BigInt((cpu << 8) | 7);
        expect(rt.execute(x, { cpu, verified: true }).r0, `CPU ${cpu}`).toBe(want);
        expect(rt.execute(p, { cpu }).r0, `CPU ${cpu}, the helper`).toBe(want);
      }
    });
  }

  it('the per-CPU address move is refused outside the verifier\'s rewrite', () => {
    const rt = new Runtime();
    const p: Program = { name: 't', progType: 3, gpl: true, insns: [{ code: 0xbf, dst: 0, src: 0, off: -1, imm: 0 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }] };
    expect(() => rt.execute(p)).toThrow(/invalid off -1|invalid movsx width/);
  });

  it('more CPUs than a kernel can have: a UsageError naming ncpus when the runtime is made (it was a FaultSignal of the arena at load and at run, then a UsageError there)', () => {
    expect(() => new Runtime({ ncpus: 20_000_000 })).toThrow(UsageError);
    for (const engine of ENGINES) expect(() => new Runtime({ engine, ncpus: 20_000_000 }), engine).toThrow(/ncpus 20000000 is more than the kernel's NR_CPUS allows \(8192\)/);
    // the most a kernel has still loads, verifies and runs
    const obj = load(new Runtime({ ncpus: 8192 }), openObject(OBJ, { name: 'fastcall' }));
    expect(verifyProgram(obj, 'fastcall_removed', {}).accepted).toBe(true);
    const rt = new Runtime({ ncpus: 8192 });
    const x = xlateProgram({ name: 't', progType: 3, insns: assemble('r1 = 7\ncall 8\nexit'), gpl: true });
    expect(rt.execute(x, { cpu: 5, verified: true }).r0).toBe(5n);
  });
});
