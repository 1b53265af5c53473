// Interpreter throughput (DESIGN section 10): instructions per second on a 64-bit ALU loop and on a
// memory loop (load, add, store over an array), unverified (every access checked) with the
// default budget, as `ebpfvm run-raw` runs them.
import { Runtime } from '../src/runtime.js';
import { MemFlag } from '../vm/memory.js';
import { aluLoop, aluLoopExpected, memLoop } from './programs.js';
import { registerSuite } from './registry.js';

registerSuite({
  name: 'vm/alu64-loop (9004 insns)',
  tags: ['vm', 'quick'],
  setup: () => ({ rt: new Runtime(), prog: aluLoop(1000) }),
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
  setup: () => {
    const rt = new Runtime();
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
