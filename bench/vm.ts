// Interpreter throughput (DESIGN section 10): instructions per second on a 64-bit ALU loop and on a
// memory loop (load, add, store over an array), unverified (every access checked) with the
// default budget, as `ebpfvm run-raw --engine interpreter` runs them. The compiling tier's figures
// for the same loops are bench/engines.ts's.
import { Runtime } from '../src/runtime.js';
import { MemFlag } from '../vm/memory.js';
import { I, aluLoop, aluLoopExpected, memLoop } from './programs.js';
import { registerSuite } from './registry.js';

registerSuite({
  name: 'vm/alu64-loop (9004 insns)',
  tags: ['vm', 'quick'],
  mode: 'unverified',
  setup: () => ({ rt: new Runtime({ engine: 'interpreter' }), prog: aluLoop(1000) }),
  fn: (s) => void s.rt.execute(s.prog),
  check: (s) => {
    const r = s.rt.execute(s.prog);
    if (r.r0 !== aluLoopExpected(1000) || r.insnCount !== 9004) throw new Error(`alu loop: r0 0x${r.r0.toString(16)}, ${r.insnCount} insns`);
  },
  units: 9004,
  unit: 'insn',
});

const MEM_N = 1000;
registerSuite({
  name: 'vm/mem-loop (6003 insns)',
  tags: ['vm', 'quick'],
  mode: 'unverified',
  setup: () => {
    const rt = new Runtime({ engine: 'interpreter' });
    const mem = rt.arena.allocRegion(MEM_N * 8, MemFlag.READ | MemFlag.WRITE, 'input', 'mem');
    return { rt, mem, prog: memLoop(MEM_N) };
  },
  fn: (s) => void s.rt.execute(s.prog, { args: [s.mem] }),
  check: (s) => {
    s.rt.arena.zero(s.mem, MEM_N * 8);
    s.rt.arena.dv.setBigUint64(s.mem, 5n, true);
    const r = s.rt.execute(s.prog, { args: [s.mem] });
    // every element becomes the running sum, which stays 5 after the first
    if (r.r0 !== 5n || r.insnCount !== 2 + MEM_N * 6 + 1) throw new Error(`mem loop: r0 ${r.r0}, ${r.insnCount} insns`);
  },
  units: 2 + MEM_N * 6 + 1,
  unit: 'insn',
});

// Re-entrant callbacks: a helper calls a 3-instruction BPF callback 1000 times (bpf_loop's shape),
// so this is the cost of entering and leaving a callback frame.
registerSuite({
  name: 'vm/callback-loop (1000 callbacks)',
  tags: ['vm'],
  mode: 'unverified',
  setup: () => {
    const rt = new Runtime({
      engine: 'interpreter',
      helpers: [
        {
          id: 1,
          name: 'test_loop',
          proto: { args: [{ type: 'ARG_ANYTHING' }, { type: 'ARG_PTR_TO_FUNC' }], ret: { type: 'RET_INTEGER' } },
          gplOnly: false,
          progTypes: 'all',
          impl: (c) => {
            const n = c.u32(1);
            let sum = 0n;
            for (let i = 0; i < n; i++) sum += c.callback(2, [i]);
            return sum;
          },
        },
      ],
    });
    // r1 = 1000; r2 = &cb; call 1; exit; cb: r0 = r1; r0 += 1; exit
    const prog = { name: 'cb_loop', progType: 0, gpl: true, insns: [I(0xb7, 1, 0, 0, 1000), I(0x18, 2, 4, 0, 3), I(0, 0, 0, 0, 0), I(0x85, 0, 0, 0, 1), I(0x95), I(0xbf, 0, 1), I(0x07, 0, 0, 0, 1), I(0x95)] };
    return { rt, prog };
  },
  fn: (s) => void s.rt.execute(s.prog),
  check: (s) => {
    const r = s.rt.execute(s.prog).r0;
    if (r !== 500500n) throw new Error(`callback loop: r0 ${r}`);
  },
  units: 1000,
  unit: 'call',
});
