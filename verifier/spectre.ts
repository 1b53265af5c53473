// Spectre v1/v4 sanitation for programs loaded without CAP_PERFMON (kernel bypass_spec_v1/v4 off):
// what changes verdicts, messages and the search, as Linux 6.18 does it.
//
//  - v1, pointer arithmetic (sanitize_ptr_alu, retrieve_ptr_limit, sanitize_check_bounds): a
//    pointer moved by a register must stay where the JIT's masking can bound it, every path that
//    reaches the insn must agree on the masking (the per-insn alu_state/alu_limit), and the
//    masked-to-zero outcome is verified too, as a speculative path;
//  - v1, branches (sanitize_speculative_path): the outcome a known comparison rules out is still
//    verified, as a speculative path with the compared registers unknown;
//  - v4 (sanitize_stack_spill, 6.18's nospec_result): a stack store that may overwrite a spilled
//    pointer or uninitialised bytes, or that spills a pointer, gets a barrier after it;
//  - 6.13+ (the "Mitigate Spectre v1 using barriers" series): an error EPERM/EACCES/EINVAL on a
//    speculative path puts a barrier before the failing insn and ends that path instead of
//    rejecting the program; a speculative path ends at an insn with a barrier before it or after
//    a store with one after it; a variable-offset stack access by a helper gets a barrier.
//
// The barriers and the masking are bookkeeping here: the VM does not speculate, so they change
// which programs are accepted and what the log says, not how a program runs.
import { AluOp, Cls, type Insn } from '../vm/isa.js';
import { formatTnum } from './tnum.js';
import { Reject } from './errors.js';
import { Reg, RegType, Slot, type Frame } from './state.js';
import { checkRegion } from './mem.js';
import type { Verifier } from './verifier.js';
import type { VerifierMap } from './env.js';

/** The kernel's BPF_ALU_* sanitation states (include/linux/bpf_verifier.h). */
export const AluState = {
  SANITIZE_SRC: 1,
  SANITIZE_DST: 2,
  NEG_VALUE: 4,
  NON_POINTER: 8,
  IMMEDIATE: 16,
} as const;

/** MAX_BPF_STACK. */
const MAX_STACK = 512;

/** Per-insn sanitation facts (the kernel's insn_aux_data fields), shared by every path. */
export class SpecAux {
  /** alu_state and alu_limit: how an ADD/SUB of a pointer and a register is masked. */
  readonly aluState: Uint8Array;
  readonly aluLimit: Uint32Array;
  /** nospec: a barrier before the insn (6.13+): speculative paths never execute it. */
  readonly nospec: Uint8Array;
  /** nospec_result (6.12's sanitize_stack_spill): a barrier after the insn. */
  readonly nospecResult: Uint8Array;
  /** explore_alu_limits: a masked pointer op with a register offset was seen, so pruning compares
   *  scalars exactly (masking differences from other paths must be explored). */
  exploreAluLimits = false;
  /** The prog array each bpf_tail_call site was reached with (aux map_ptr_state), and whether two
   *  paths brought different ones (poison). */
  readonly tailCallMaps = new Map<number, { map: VerifierMap; poison: boolean }>();
  constructor(n: number) {
    this.aluState = new Uint8Array(n);
    this.aluLimit = new Uint32Array(n);
    this.nospec = new Uint8Array(n);
    this.nospecResult = new Uint8Array(n);
  }
}

/** error_recoverable_with_nospec: errors a barrier before the insn can stand in for on a
 *  speculative path (EPERM, EACCES, EINVAL); others (E2BIG, ENOMEM, EFAULT, ...) stay fatal. */
export function recoverableWithNospec(errno: number): boolean {
  return errno === 1 || errno === 13 || errno === 22;
}

/** sanitize_speculative_path for a branch whose outcome is known: the impossible outcome (at
 *  `pc`) is verified as speculative, with the compared registers unknown. */
export function pushSpeculativeBranch(v: Verifier, insn: Insn, pc: number): void {
  const st = v.st.clone();
  const regs = st.cur.regs;
  const unknown = (): Reg => {
    const r = Reg.unknown();
    // __mark_reg_unknown: without CAP_BPF every unknown scalar is precise.
    r.precise = !v.bpfCapable;
    return r;
  };
  regs[insn.dst] = unknown();
  if ((insn.code & 0x08) !== 0) regs[insn.src] = unknown();
  v.pushSpeculative(st, pc);
}

const REASON_BOUNDS = -1;
const REASON_TYPE = -2;
const REASON_PATHS = -3;
const REASON_LIMIT = -4;

/** What the first (simulation) window of sanitize_ptr_alu hands to the commit window. */
export interface SanitizeInfo {
  aluState: number;
  aluLimit: number;
  maskToLeft: boolean;
}

/** can_skip_alu_sanitation (6.18: also behind a barrier). */
function canSkip(v: Verifier, insn: Insn): boolean {
  return v.bypassSpecV1 || (insn.code & 0x08) === 0 || v.spec.nospec[v.pc] !== 0;
}

/** retrieve_ptr_limit: how far the pointer may move in the masked direction (u32), or a reason. */
function ptrLimit(ptr: Reg, maskToLeft: boolean): number {
  let max: number;
  let limit: bigint;
  switch (ptr.type) {
    case RegType.STACK:
      // Offset 0 is out of bounds but a valid start for moving left (the frame pointer itself).
      max = MAX_STACK + (maskToLeft ? 1 : 0);
      limit = -(ptr.s.varOff.value + BigInt(ptr.off));
      break;
    case RegType.MAP_VALUE:
      max = ptr.map!.valueSize;
      limit = (maskToLeft ? ptr.s.smin : ptr.s.umax) + BigInt(ptr.off);
      break;
    default:
      return REASON_TYPE;
  }
  const u32 = Number(BigInt.asUintN(32, limit));
  return u32 >= max ? REASON_LIMIT : u32;
}

/** update_alu_sanitation_state: every path must mask the insn the same way. */
function updateAluState(aux: { aluState: number; aluLimit: number }, state: number, limit: number): number {
  if (aux.aluState && (aux.aluState !== state || aux.aluLimit !== limit)) return REASON_PATHS;
  aux.aluState = state;
  aux.aluLimit = limit;
  return 0;
}

/** The per-insn aux of the current insn as the object updateAluState writes. */
function insnAux(v: Verifier): { aluState: number; aluLimit: number } {
  const pc = v.pc;
  const spec = v.spec;
  return {
    get aluState() {
      return spec.aluState[pc]!;
    },
    set aluState(x: number) {
      spec.aluState[pc] = x;
    },
    get aluLimit() {
      return spec.aluLimit[pc]!;
    },
    set aluLimit(x: number) {
      spec.aluLimit[pc] = x;
    },
  };
}

/** sanitize_err: the kernel's wording for each reason (EACCES). */
function sanitizeErr(v: Verifier, insn: Insn, reason: number): never {
  const err = 'pointer arithmetic with it prohibited for !root';
  const op = (insn.code & 0xf0) === AluOp.ADD ? 'add' : 'sub';
  switch (reason) {
    case REASON_BOUNDS:
      // The kernel compares its offset register with dst_reg, which never holds the offset by
      // then (scalar += pointer works on a copy), so it always names the source register.
      return v.reject(`R${insn.src} has unknown scalar with mixed signed bounds, ${err}`);
    case REASON_TYPE:
      return v.reject(`R${insn.dst} has pointer with unsupported alu operation, ${err}`);
    case REASON_PATHS:
      return v.reject(`R${insn.dst} tried to ${op} from different maps, paths or scalars, ${err}`);
    case REASON_LIMIT:
      return v.reject(`R${insn.dst} tried to ${op} beyond pointer bounds, ${err}`);
    default:
      return v.reject(`verifier internal error: unknown reason (${reason})`, false, 14);
  }
}

/** sanitize_ptr_alu, first window (before the arithmetic): checks the offset register, records
 *  the masking, and verifies the masked outcome (the pointer unmoved: `ptr` in dst) as a
 *  speculative path from the next insn. Returns what the commit window needs. */
export function sanitizePtrAlu(v: Verifier, insn: Insn, ptr: Reg, off: Reg, ptrIsDst: boolean): SanitizeInfo | undefined {
  const op = insn.code & 0xf0;
  if ((op !== AluOp.ADD && op !== AluOp.SUB) || canSkip(v, insn)) return undefined;
  const offImm = off.s.isConst();
  const offNeg = off.s.smin < 0n;
  const info: SanitizeInfo = { aluState: 0, aluLimit: 0, maskToLeft: false };
  if (!v.st.speculative) {
    if (!offImm && off.s.smin < 0n !== off.s.smax < 0n) sanitizeErr(v, insn, REASON_BOUNDS);
    info.maskToLeft = (op === AluOp.ADD && offNeg) || (op === AluOp.SUB && !offNeg);
    const limit = ptrLimit(ptr, info.maskToLeft);
    if (limit < 0) sanitizeErr(v, insn, limit);
    const state = (offNeg ? AluState.NEG_VALUE : 0) | (offImm ? AluState.IMMEDIATE : 0) | (ptrIsDst ? AluState.SANITIZE_SRC : AluState.SANITIZE_DST);
    // Pruning must not hide a path that would mask differently.
    if (!offImm) v.spec.exploreAluLimits = true;
    const r = updateAluState(info, state, limit);
    if (r < 0) sanitizeErr(v, insn, r);
  }
  // A constant offset is rewritten to an immediate: nothing is masked, nothing to simulate.
  if (offImm) return info;
  const st = v.st.clone();
  st.cur.regs[insn.dst] = ptr.clone();
  v.pushSpeculative(st, v.pc + 1);
  return info;
}

/** sanitize_ptr_alu, commit window (after the arithmetic, `result` is the moved pointer): the
 *  masking window narrows to the observed move; every path must agree on it. */
export function commitPtrAlu(v: Verifier, insn: Insn, info: SanitizeInfo | undefined, result: Reg): void {
  if (!info || v.st.speculative || canSkip(v, insn)) return;
  const limit = ptrLimit(result, info.maskToLeft);
  if (limit < 0) sanitizeErr(v, insn, limit);
  const d = (info.aluLimit - limit) | 0;
  const r = updateAluState(insnAux(v), info.aluState, Math.abs(d) >>> 0);
  if (r < 0) sanitizeErr(v, insn, r);
}

/** sanitize_val_alu: a scalar ADD/SUB by a register is masked as a non-pointer op, which a path
 *  that did pointer arithmetic at the same insn contradicts. */
export function sanitizeValAlu(v: Verifier, insn: Insn): void {
  const op = insn.code & 0xf0;
  if ((op !== AluOp.ADD && op !== AluOp.SUB) || canSkip(v, insn)) return;
  const r = updateAluState(insnAux(v), AluState.NON_POINTER, 0);
  if (r < 0) sanitizeErr(v, insn, r);
}

/** sanitize_check_bounds: without bypass_spec_v1 the moved pointer must stay in bounds, so the
 *  masking can keep it there: a stack pointer at a constant offset inside the frame, a map value
 *  pointer inside the value. */
export function sanitizeCheckBounds(v: Verifier, dstNo: number, r: Reg): void {
  if (v.bypassSpecV1) return;
  if (r.type === RegType.STACK) {
    const off = Number(BigInt.asIntN(32, BigInt(r.off) + r.s.varOff.value));
    if (!r.s.isConst()) v.reject(`R${dstNo} variable stack access prohibited for !root, var_off=${formatTnum(r.s.varOff)} off=${off}`);
    if (off >= 0 || off < -MAX_STACK) v.reject(`R${dstNo} stack pointer arithmetic goes out of range, prohibited for !root; off=${off}`);
  } else if (r.type === RegType.MAP_VALUE) {
    // check_map_access(dst, off, 1, ACCESS_HELPER): its own message comes first.
    const regs = v.regs;
    const saved = regs[dstNo]!;
    regs[dstNo] = r;
    try {
      checkRegion(v, dstNo, r.off, 1, r.map!.valueSize, false);
    } catch (e) {
      if (!(e instanceof Reject)) throw e;
      v.reject(`${e.message}\nR${dstNo} pointer arithmetic of map value goes out of range, prohibited for !root`);
    } finally {
      regs[dstNo] = saved;
    }
  }
}

/** is_spillable_regtype: pointer types a stack slot can hold. */
function spillable(r: Reg): boolean {
  return r.isPointer && r.type !== RegType.DYNPTR;
}

/** check_stack_write_fixed_off's v4 sanitation: a store of `size` bytes at `at` in frame `f`
 *  that spills a pointer (`val`, STX only) or overwrites anything but misc or zero bytes (a
 *  spill, uninitialised bytes) gets a barrier after it. */
export function markStackSpill(v: Verifier, f: Frame, at: number, size: number, val: Reg | undefined): void {
  if (v.bypassSpecV4) return;
  // the value register of a plain STX or a store-release (check_store_reg passes it; an atomic
  // read-modify-write passes none)
  const stx = (v.insn.code & 7) === Cls.STX && ((v.insn.code & 0xe0) === 0x60 || ((v.insn.code & 0xe0) === 0xc0 && v.insn.imm === 0x110));
  let sanitize = stx && val !== undefined && spillable(val);
  for (let i = 0; i < size && !sanitize; i++) {
    const t = f.slotType(-(at + i) - 1);
    if (t !== Slot.MISC && t !== Slot.ZERO) sanitize = true;
  }
  if (sanitize) v.spec.nospecResult[v.pc] = 1;
}

/** check_stack_range_initialized (6.18): a helper's variable-offset stack access is allowed
 *  unprivileged behind a barrier, so a speculative offset cannot reach another slot. */
export function markVarOffStackAccess(v: Verifier): void {
  if (!v.bypassSpecV1) v.spec.nospec[v.pc] = 1;
}

/** BPF_FUNC_tail_call. */
const TAIL_CALL = 12;

/** record_func_map for bpf_tail_call: the prog array each call site was reached with; a site
 *  reached with two different maps is poisoned. Call before the helper's checks clobber R2;
 *  `commit` records it once they passed. */
export function tailCallSite(v: Verifier, insn: Insn): (() => void) | undefined {
  if (insn.imm !== TAIL_CALL) return undefined;
  const map = v.regs[2]?.type === RegType.MAP_PTR ? v.regs[2].map : undefined;
  if (!map) return undefined;
  const pc = v.pc;
  return () => {
    const seen = v.spec.tailCallMaps.get(pc);
    if (!seen) v.spec.tailCallMaps.set(pc, { map, poison: false });
    else if (seen.map !== map) v.spec.tailCallMaps.set(pc, { map, poison: true });
  };
}

/** do_misc_fixups: a tail call site of an unprivileged program gets an index bound check and
 *  mask for its prog array, which needs the one map; a site poisoned by two maps is refused
 *  (EINVAL) after verification. */
export function checkTailCallSites(v: Verifier): void {
  if (v.bypassSpecV1) return;
  for (const [pc, site] of [...v.spec.tailCallMaps].sort((a, b) => a[0] - b[0])) {
    if (site.poison && v.facts[pc]?.seen) throw new Reject('tail_call abusing map_ptr', pc, 22);
  }
}

/** The sites checkTailCallSites let through, for the fixup: each gets `if r3 >= max_entries goto
 *  +2; w3 &= index_mask` before it, so an index the helper would truncate to 32 bits never calls. */
export function tailCallBounds(v: Verifier): { pc: number; maxEntries: number }[] | undefined {
  if (v.bypassSpecV1) return undefined;
  const out = [...v.spec.tailCallMaps].filter(([pc]) => v.facts[pc]?.seen).map(([pc, s]) => ({ pc, maxEntries: s.map.maxEntries }));
  return out.length ? out.sort((a, b) => a.pc - b.pc) : undefined;
}
