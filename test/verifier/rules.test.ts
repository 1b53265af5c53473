// The verifier's rules on hand-assembled programs, each with the host kernel's verdict and error
// line (recorded with bpf_prog_load at log level 1 on Linux 6.18, root: CAP_BPF/CAP_PERFMON, so
// pointer leaks and uninitialised stack reads are allowed). Maps: m = array (key 4, value 8, 4
// entries), h = hash (key 8, value 16), rb = ring buffer; program types 6 xdp, 1 socket filter,
// 3 sched_cls, 8 cgroup_skb.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../vm/asm.js';
import { helperById } from '../../helpers/table.js';
import { kfuncByName } from '../../helpers/kfuncs.js';
import { verify, type VerifierMap } from '../../verifier/index.js';
import { INSN_LIMIT } from '../../verifier/verifier.js';

const MAPS: Record<number, VerifierMap> = {
  1: { id: 1, name: 'm', type: 2, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, frozen: false },
  2: { id: 2, name: 'h', type: 1, keySize: 8, valueSize: 16, maxEntries: 4, flags: 0, frozen: false },
  3: { id: 3, name: 'rb', type: 27, keySize: 0, valueSize: 0, maxEntries: 4096, flags: 0, frozen: false },
};

export function run(text: string, progType = 6, logLevel: 0 | 1 | 2 = 0) {
  return verify({ name: 't', insns: assemble(text), progType, gpl: true, map: (id) => MAPS[id], helper: helperById }, { logLevel });
}

/** [rule, program type, program, the kernel's error line ('' = accepted)] */
const CASES: [string, number, string, string][] = [
  ["uninit r2", 6, "r0 = r2\nexit", "R2 !read_ok"],
  ["r0 uninit at exit", 6, "exit", "R0 !read_ok"],
  ["fp write", 6, "r10 = 0\nr0 = 0\nexit", "frame pointer is read only"],
  ["jump out of range", 6, "r0 = 0\nif r0 == 0 goto +5\nexit", "jump out of range from insn 1 to 7"],
  ["unreachable", 6, "r0 = 0\nexit\nr0 = 1\nexit", "unreachable insn 2"],
  ["last insn", 6, "r0 = 0\nr0 += 1", "last insn is not an exit or jmp"],
  ["ldimm64 middle", 6, "r0 = 0\nif r0 == 1 goto +1\nr1 = 0x100000000 ll\nexit", "jump into the middle of ldimm64 insn 2"],
  ["scalar deref", 6, "r0 = 0\nr0 = *(u64 *)(r0 + 0)\nexit", "R0 invalid mem access 'scalar'"],
  ["div by zero", 6, "r0 = 1\nr0 /= 0\nexit", "div by zero"],
  ["invalid shift", 6, "r0 = 1\nr0 <<= 64\nexit", "invalid shift 64"],
  ["ctx bad off", 6, "r0 = *(u32 *)(r1 + 24)\nr0 = 0\nexit", "invalid bpf_context access off=24 size=4"],
  ["ctx write xdp", 6, "r2 = 0\n*(u32 *)(r1 + 0) = r2\nr0 = 0\nexit", "invalid bpf_context access off=0 size=4"],
  ["ctx modified", 6, "r1 += 4\nr0 = *(u32 *)(r1 + 0)\nexit", "dereference of modified ctx ptr R1 off=4 disallowed"],
  ["ctx narrow ok", 3, "r0 = *(u8 *)(r1 + 0)\nr0 = 0\nexit", ""],
  ["map ptr arith", 6, "r1 = map_by_fd(1) ll\nr1 += 8\nr0 = 0\nexit", "R1 pointer arithmetic on map_ptr prohibited"],
  ["map value oob", 6, "r1 = map_by_fd(1) ll\nr2 = r10\nr2 += -4\n*(u32 *)(r10 - 4) = 0\ncall 1\nif r0 == 0 goto +1\nr0 = *(u8 *)(r0 + 8)\nr0 = 0\nexit", "R0 min value is outside of the allowed memory range"],
  ["map value or null", 6, "r1 = map_by_fd(1) ll\nr2 = r10\nr2 += -4\n*(u32 *)(r10 - 4) = 0\ncall 1\nr0 = *(u64 *)(r0 + 0)\nr0 = 0\nexit", ""],
  ["map value ok", 6, "r1 = map_by_fd(1) ll\nr2 = r10\nr2 += -4\n*(u32 *)(r10 - 4) = 0\ncall 1\nif r0 == 0 goto +1\nr0 = *(u64 *)(r0 + 0)\nr0 = 0\nexit", ""],
  ["map null arith", 6, "r1 = map_by_fd(1) ll\nr2 = r10\nr2 += -4\n*(u32 *)(r10 - 4) = 0\ncall 1\nr0 += 1\nr0 = 0\nexit", ""],
  ["map key uninit stack ok", 6, "r1 = map_by_fd(1) ll\nr2 = r10\nr2 += -4\ncall 1\nr0 = 0\nexit", ""],
  ["map key out of frame", 6, "r1 = map_by_fd(1) ll\nr2 = r10\nr2 += -2\ncall 1\nr0 = 0\nexit", "invalid read from stack R2 off=-2 size=4"],
  ["map value var off", 6, "r1 = map_by_fd(1) ll\nr2 = r10\nr2 += -4\n*(u32 *)(r10 - 4) = 0\ncall 1\nif r0 == 0 goto +5\nr1 = *(u32 *)(r0 + 0)\nr1 &= 7\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\nr0 = 0\nexit", ""],
  ["map value var off bad", 6, "r1 = map_by_fd(1) ll\nr2 = r10\nr2 += -4\n*(u32 *)(r10 - 4) = 0\ncall 1\nif r0 == 0 goto +5\nr1 = *(u32 *)(r0 + 0)\nr1 &= 15\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\nr0 = 0\nexit", "R0 max value is outside of the allowed memory range"],
  ["map value unbounded", 6, "r1 = map_by_fd(1) ll\nr2 = r10\nr2 += -4\n*(u32 *)(r10 - 4) = 0\ncall 1\nif r0 == 0 goto +4\nr1 = *(u64 *)(r0 + 0)\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\nr0 = 0\nexit", "math between map_value pointer and register with unbounded min value is not allowed"],
  ["pkt no check", 6, "r2 = *(u32 *)(r1 + 0)\nr0 = *(u8 *)(r2 + 0)\nexit", "R2 offset is outside of the packet"],
  ["pkt ok", 6, "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 14\nif r4 > r3 goto +1\nr0 = *(u8 *)(r2 + 13)\nr0 = 0\nexit", ""],
  ["pkt off by one", 6, "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 14\nif r4 > r3 goto +1\nr0 = *(u8 *)(r2 + 14)\nr0 = 0\nexit", "R2 offset is outside of the packet"],
  ["pkt reversed", 6, "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 14\nif r3 >= r4 goto +2\nr0 = 0\nexit\nr0 = *(u8 *)(r2 + 13)\nr0 = 0\nexit", ""],
  ["pkt unbounded", 6, "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr5 = *(u32 *)(r1 + 12)\nr4 = r2\nr4 += r5\nr0 = 0\nexit", ""],
  ["pkt unbounded min", 6, "r2 = *(u32 *)(r1 + 0)\nr5 = *(u64 *)(r10 - 8)\nr2 += r5\nr0 = 0\nexit", "math between pkt pointer and register with unbounded min value is not allowed"],
  ["pkt_end deref", 6, "r3 = *(u32 *)(r1 + 4)\nr0 = *(u8 *)(r3 + 0)\nexit", "R3 invalid mem access 'pkt_end'"],
  ["stack oob", 6, "r0 = 0\n*(u64 *)(r10 - 520) = r0\nexit", "invalid write to stack R10 off=-520 size=8"],
  ["stack positive", 6, "r0 = 0\n*(u64 *)(r10 + 0) = r0\nexit", "invalid write to stack R10 off=0 size=8"],
  ["stack misaligned", 6, "r0 = 0\n*(u64 *)(r10 - 4) = r0\nexit", "misaligned stack access off 0+0+-4 size 8"],
  ["spill fill ptr", 6, "*(u64 *)(r10 - 8) = r1\nr2 = *(u64 *)(r10 - 8)\nr0 = *(u32 *)(r2 + 0)\nr0 = 0\nexit", ""],
  ["spill ptr partial", 6, "*(u32 *)(r10 - 8) = r1\nr0 = 0\nexit", "invalid size of register spill"],
  ["fill ptr partial", 6, "*(u64 *)(r10 - 8) = r1\nr2 = *(u32 *)(r10 - 8)\nr0 = 0\nexit", "invalid size of register fill"],
  ["spill keeps bounds", 6, "r1 = map_by_fd(1) ll\nr2 = r10\nr2 += -4\n*(u32 *)(r10 - 4) = 0\ncall 1\nif r0 == 0 goto +6\nr1 = 7\n*(u64 *)(r10 - 16) = r1\nr1 = *(u64 *)(r10 - 16)\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\nr0 = 0\nexit", ""],
  ["ptr sub stack", 6, "r2 = r10\nr3 = 8\nr2 -= r3\nr0 = 0\nexit", "R2 subtraction from stack pointer prohibited"],
  ["ptr and", 6, "r2 = r10\nr2 &= 8\nr0 = 0\nexit", "R2 bitwise operator &= on pointer prohibited"],
  ["ptr mul", 6, "r2 = r10\nr2 *= 8\nr0 = 0\nexit", "R2 pointer arithmetic with *= operator prohibited"],
  ["ptr32", 6, "r2 = r10\nw2 += 8\nr0 = 0\nexit", "R2 32-bit pointer arithmetic prohibited"],
  ["scalar minus ptr", 6, "r2 = 8\nr2 -= r10\nr0 = 0\nexit", "R2 tried to subtract pointer from scalar"],
  ["helper bad arg type", 6, "r1 = 0\nr2 = 0\ncall 1\nr0 = 0\nexit", "R1 type=scalar expected=map_ptr"],
  ["helper size negative", 6, "r1 = r10\nr1 += -8\nr2 = *(u64 *)(r10 - 16)\ncall 16\nr0 = 0\nexit", "R2 min value is negative, either use unsigned or 'var &= const'"],
  ["helper size zero", 6, "r1 = r10\nr1 += -8\nr2 = 0\ncall 16\nr0 = 0\nexit", "R2 invalid zero-sized read: u64=[0,0]"],
  ["helper size ok", 6, "r1 = r10\nr1 += -8\nr2 = 8\ncall 16\nr0 = 0\nexit", ""],
  ["helper clobbers r1", 6, "call 5\nr0 = r1\nexit", "R1 !read_ok"],
  ["unknown helper", 6, "call 10000\nr0 = 0\nexit", "invalid func unknown#10000"],
  ["ringbuf leak", 6, "r1 = map_by_fd(3) ll\nr2 = 8\nr3 = 0\ncall 131\nr0 = 0\nexit", "BPF_EXIT instruction in main prog would lead to reference leak"],
  ["ringbuf ok", 6, "r1 = map_by_fd(3) ll\nr2 = 8\nr3 = 0\ncall 131\nif r0 == 0 goto +3\nr1 = r0\nr2 = 0\ncall 132\nr0 = 0\nexit", ""],
  ["ringbuf use after submit", 6, "r1 = map_by_fd(3) ll\nr2 = 8\nr3 = 0\ncall 131\nif r0 == 0 goto +5\nr6 = r0\nr1 = r0\nr2 = 0\ncall 132\nr0 = *(u64 *)(r6 + 0)\nr0 = 0\nexit", "R6 invalid mem access 'scalar'"],
  ["ringbuf submit non-ref", 6, "r1 = r10\nr1 += -8\nr2 = 0\ncall 132\nr0 = 0\nexit", "R1 type=fp expected=ringbuf_mem"],
  ["bounded loop", 6, "r0 = 0\nr1 = 0\nr0 += r1\nr1 += 1\nif r1 < 100 goto -3\nr0 = 0\nexit", ""],
  ["infinite loop", 6, "r0 = 0\nr1 = 0\nr1 |= 0\nif r1 == 0 goto -2\nexit", "old state: R0=0 R1=P0 R10=fp0"],
  ["bpf2bpf ok", 6, "r1 = 1\ncall +2\nr0 = 0\nexit\nr0 = r1\nexit", "unreachable insn 4"],
  ["bpf2bpf stack ptr ret", 6, "call +2\nr0 = 0\nexit\nr0 = r10\nr0 += -8\nexit", "unreachable insn 3"],
  ["callee r1 uninit", 6, "call +2\nr0 = 0\nexit\nr0 = r1\nexit", "unreachable insn 3"],
  ["jmp32 refine", 6, "r1 = map_by_fd(1) ll\nr2 = r10\nr2 += -4\n*(u32 *)(r10 - 4) = 0\ncall 1\nif r0 == 0 goto +5\nr1 = *(u32 *)(r0 + 0)\nif w1 > 7 goto +3\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\nr0 = 0\nexit", ""],
  ["signed refine", 6, "r1 = map_by_fd(1) ll\nr2 = r10\nr2 += -4\n*(u32 *)(r10 - 4) = 0\ncall 1\nif r0 == 0 goto +5\nr1 = *(u64 *)(r0 + 0)\nif r1 s> 7 goto +3\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\nr0 = 0\nexit", "math between map_value pointer and register with unbounded min value is not allowed"],
  ["null check copies", 6, "r1 = map_by_fd(1) ll\nr2 = r10\nr2 += -4\n*(u32 *)(r10 - 4) = 0\ncall 1\nr6 = r0\nif r0 == 0 goto +1\nr0 = *(u64 *)(r6 + 0)\nr0 = 0\nexit", ""],
  ["dead branch", 6, "r1 = 5\nif r1 > 10 goto +1\nr0 = 0\nexit", ""],
  ["dead branch unexplored", 6, "r1 = 5\nif r1 < 10 goto +2\nr0 = *(u64 *)(r1 + 0)\nexit\nr0 = 0\nexit", ""],
  ["frame pointer read only ldx", 6, "r10 = *(u64 *)(r10 - 8)\nr0 = 0\nexit", "frame pointer is read only"],
  ["return range cgroup skb", 8, "r0 = 5\nexit", "At program exit the register R0 has smin=5 smax=5 should have been in [0, 1]"],
  ["spin lock missing btf", 6, "r1 = map_by_fd(1) ll\nr2 = r10\nr2 += -4\n*(u32 *)(r10 - 4) = 0\ncall 1\nif r0 == 0 goto +2\nr1 = r0\ncall 93\nr0 = 0\nexit", "map 'm' has to have BTF in order to use bpf_spin_lock"],
  ["ld_abs in xdp", 6, "r6 = r1\nr0 = *(u8 *)skb[0]\nexit", "BPF_LD_[ABS|IND] instructions not allowed for this program type"],
  ["ld_abs ok", 1, "r6 = r1\nr0 = *(u8 *)skb[0]\nexit", ""],
  ["call kfunc-free tail call bad map", 6, "r2 = map_by_fd(1) ll\nr3 = 0\ncall 12\nr0 = 0\nexit", "expected prog array map for tail call"],
  ["pointer comparison ok", 6, "r2 = r10\nif r2 > r1 goto +0\nr0 = 0\nexit", ""],
  ["atomic on ctx", 6, "r2 = 1\nlock *(u32 *)(r1 + 0) += w2\nr0 = 0\nexit", "BPF_ATOMIC stores into R1 ctx is not allowed"],
  ["atomic stack ok", 6, "r2 = 1\n*(u64 *)(r10 - 8) = r2\nlock *(u64 *)(r10 - 8) += r2\nr0 = 0\nexit", ""],
  ["neg pointer", 6, "r2 = r10\nr2 = -r2\nr0 = 0\nexit", ""],
  ["stack var off read", 6, "r1 = *(u32 *)(r1 + 12)\nr1 &= 7\nr2 = r10\nr2 += -16\nr2 += r1\nr0 = *(u8 *)(r2 + 0)\nr0 = 0\nexit", ""],
];

describe('verifier rules against the kernel', () => {
  for (const [name, type, text, kernelError] of CASES) {
    it(`${name}: ${kernelError || 'accepted'}`, () => {
      const r = run(text, type);
      expect(r.accepted ? '' : r.error).toBe(kernelError);
      if (kernelError) {
        // Level 0 on rejection: the level-1 log, closing with the kernel's statistics line.
        expect(r.log).toContain(kernelError);
        expect(r.log).toMatch(/processed \d+ insns \(limit 1000000\) max_states_per_insn \d+ total_states \d+ peak_states \d+ mark_read 0\n$/);
      }
    });
  }
  it('reads frozen .rodata as constants, so branches on them are decided', () => {
    const rodata: VerifierMap = { id: 4, name: '.rodata', type: 2, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0x80, frozen: true, readonlyValue: new Uint8Array([5, 0, 0, 0, 0, 0, 0, 0]) };
    const text = 'r1 = map_val(map_by_fd(0x4)) + 0 ll\nr0 = *(u32 *)(r1 + 0)\nif r0 == 5 goto +1\nr0 = *(u64 *)(r0 + 0)\nr0 = 0\nexit';
    const withMap = (frozen: boolean) =>
      verify({ name: 't', insns: assemble(text), progType: 6, gpl: true, map: (id) => (id === 4 ? { ...rodata, frozen } : undefined), helper: helperById }, {});
    expect(withMap(true).accepted).toBe(true);
    // Not frozen: the value is unknown, the dereference of a scalar is reachable.
    expect(withMap(false).error).toBe("R0 invalid mem access 'scalar'");
  });
  it('reports the infinite loop with both states', () => {
    const r = run('r0 = 0\nr1 = 0\nr1 |= 0\nif r1 == 0 goto -2\nexit');
    expect(r.log).toContain('infinite loop detected at insn 3\ncur state: R0=0 R1=0 R10=fp0\nold state: R0=0 R1=P0 R10=fp0\n');
  });
  it('refuses the 8193rd pending branch as the kernel does, counting the branch being pushed', () => {
    // skb->len is unknown, so each `if r2 == K goto +0` pushes a branch that is only popped at the
    // end. The host kernel (6.18, E2BIG) loads 8192 such branches and refuses 8193.
    const branches = (n: number) =>
      ['r2 = *(u32 *)(r1 + 0)', ...Array.from({ length: n }, (_, i) => `if r2 == ${i + 1} goto +0`), 'r0 = 0', 'exit'].join('\n');
    expect(run(branches(8192), 1).accepted).toBe(true);
    const r = run(branches(8193), 1);
    expect(r.error).toBe('The sequence of 8193 jumps is too complex.');
  });
  it('the complexity limits: 1M processed insns (the kernel\'s message), and a program longer than 1M insns refused before any walk (E2BIG)', () => {
    expect(INSN_LIMIT).toBe(1_000_000);
    // an unbounded counter: the walk goes on until the processed limit (here a smaller one)
    const loop = { name: 't', insns: assemble('r0 = 0\nr1 = 0\nr1 += 1\nif r1 < 1000000000 goto -2\nexit'), progType: 6, gpl: true, map: (id: number) => MAPS[id], helper: helperById };
    const r = verify(loop, { insnLimit: 5000 });
    expect(r.error).toBe('BPF program is too large. Processed 5001 insn');
    expect(r.log).toMatch(/BPF program is too large\. Processed 5001 insn\nprocessed 5001 insns \(limit 1000000\)/);
    // bpf_prog_load's E2BIG: 1,000,001 insns are not walked (this took seconds, to stop at the limit)
    const long = Array.from({ length: 1_000_001 }, () => ({ code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 }));
    long.push({ code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
    const e = verify({ ...loop, insns: long }, { logLevel: 1 });
    expect(e).toMatchObject({ accepted: false, processed: 0, log: '', error: 'program too large: 1000002 insns, more than BPF_COMPLEXITY_LIMIT_INSNS (1000000): E2BIG' });
  });
  it('refuses a tail call and LD_ABS with preemption disabled (check_resource_leak\'s preempt check, 6.10+)', () => {
    // Not host-recorded (no prog array in this harness's host runs): the kernel's
    // check_resource_leak(env, false, true, prefix) refuses both after its rcu check, in any frame.
    const progArray: VerifierMap = { id: 4, name: 'pa', type: 3, keySize: 4, valueSize: 4, maxEntries: 4, flags: 0, frozen: false };
    const kf = (id: number) => (id === 1 ? kfuncByName('bpf_preempt_disable') : id === 2 ? kfuncByName('bpf_preempt_enable') : undefined);
    const go = (text: string) => verify({ name: 't', insns: assemble(text), progType: 3, gpl: true, map: (id) => (id === 4 ? progArray : MAPS[id]), helper: helperById, kfunc: kf }, {});
    const tail = (body: string) => `r6 = r1\ncall kfunc#1\n${body}\ncall kfunc#2\nr0 = 0\nexit`;
    expect(go(tail('r1 = r6\nr2 = map_by_fd(4) ll\nr3 = 0\ncall 12')).error).toBe('tail_call cannot be used inside bpf_preempt_disable-ed region');
    expect(go(tail('r0 = *(u8 *)skb[0]')).error).toBe('BPF_LD_[ABS|IND] cannot be used inside bpf_preempt_disable-ed region');
    // in a subprogram too (its references are not checked, its locks are)
    expect(go(`r6 = r1\ncall kfunc#1\nr1 = r6\ncall sub\ncall kfunc#2\nr0 = 0\nexit\nsub:\nr2 = map_by_fd(4) ll\nr3 = 0\ncall 12\nr0 = 0\nexit`).error).toBe('tail_call cannot be used inside bpf_preempt_disable-ed region');
    // enabled again: both are fine
    expect(go('r6 = r1\ncall kfunc#1\ncall kfunc#2\nr1 = r6\nr2 = map_by_fd(4) ll\nr3 = 0\ncall 12\nr0 = *(u8 *)skb[0]\nr0 = 0\nexit').accepted).toBe(true);
  });
});
