// What a program loaded without CAP_BPF may not contain, checked before the search as the
// kernel's bpf_check does: no calls to other BPF functions or to kfuncs and no function addresses
// (add_subprog_and_kfunc), and no loops (check_cfg's depth-first search refuses the first
// back-edge it meets). The rules the search applies unprivileged (pointer leaks, uninitialised
// stack, pointer comparisons, the helper set) sit where each access is checked, keyed on the
// Verifier's capability fields.
import { Cls, JmpOp, LD_IMM64, PseudoCall, PseudoLd, type Insn } from '../vm/isa.js';
import { Reject } from './errors.js';

/** add_subprog_and_kfunc without bpf_capable: the first BPF-to-BPF call, kfunc call or
 *  LD_IMM64 of a function address is refused (EPERM). */
export function checkNoCalls(insns: readonly Insn[]): void {
  for (let pc = 0; pc < insns.length; pc++) {
    const x = insns[pc]!;
    const pseudoFunc = x.code === LD_IMM64 && x.src === PseudoLd.FUNC;
    const call = x.code === (Cls.JMP | JmpOp.CALL) && (x.src === PseudoCall.LOCAL || x.src === PseudoCall.KFUNC);
    if (pseudoFunc || call) throw new Reject('loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN', pc, 1);
  }
}

const DISCOVERED = 0x10;
const EXPLORED = 0x20;
const FALLTHROUGH = 1;
const BRANCH = 2;

/** check_cfg without bpf_capable: the kernel's iterative depth-first search over the control flow
 *  (fall-through edges before branch edges), refusing the first edge back to an insn still on the
 *  stack. `sourceLine` gives the `N: line @ file:L` lines verbose_linfo prints before the error
 *  (the second only when it names a different line). Runs before the reachability check, as the
 *  search itself comes before check_cfg's `unreachable insn` loop. */
export function checkNoBackEdges(insns: readonly Insn[], sourceLine?: (pc: number) => string | undefined): void {
  const n = insns.length;
  const state = new Uint8Array(n);
  const stack: number[] = [0];
  state[0] = DISCOVERED;
  // push_insn: 0 done with this edge, 1 a new insn was pushed.
  const push = (t: number, w: number, e: number): 0 | 1 => {
    if (e === FALLTHROUGH && state[t]! >= (DISCOVERED | FALLTHROUGH)) return 0;
    if (e === BRANCH && state[t]! >= (DISCOVERED | BRANCH)) return 0;
    if (w < 0 || w >= n) throw new Reject(`jump out of range from insn ${t} to ${w}`, t, 22);
    if (state[w] === 0) {
      state[t] = DISCOVERED | e;
      state[w] = DISCOVERED;
      stack.push(w);
      return 1;
    }
    if ((state[w]! & 0xf0) === DISCOVERED) {
      const lt = sourceLine?.(t);
      const lw = sourceLine?.(w);
      const lines = (lt !== undefined ? `${t}: ${lt}\n` : '') + (lw !== undefined && lw !== lt ? `${w}: ${lw}\n` : '');
      throw new Reject(`${lines}back-edge from insn ${t} to ${w}`, t, 22);
    }
    if (state[w] === EXPLORED) state[t] = DISCOVERED | e;
    return 0;
  };
  // visit_insn for a program without function calls or function addresses.
  const visit = (t: number): 0 | 1 => {
    const x = insns[t]!;
    const cls = x.code & 7;
    if (cls !== Cls.JMP && cls !== Cls.JMP32) return push(t, t + (x.code === LD_IMM64 ? 2 : 1), FALLTHROUGH);
    const op = x.code & 0xf0;
    if (op === JmpOp.EXIT) return 0;
    if (op === JmpOp.CALL) return push(t, t + 1, FALLTHROUGH);
    if (op === JmpOp.JA) return push(t, t + (cls === Cls.JMP ? x.off : x.imm) + 1, FALLTHROUGH);
    if (push(t, t + 1, FALLTHROUGH)) return 1;
    return push(t, t + x.off + 1, BRANCH);
  };
  while (stack.length) {
    const t = stack[stack.length - 1]!;
    if (visit(t) === 0) {
      state[t] = EXPLORED;
      stack.pop();
    }
  }
}
