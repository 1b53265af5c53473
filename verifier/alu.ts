// ALU instructions (kernel check_alu_op, adjust_reg_min_max_vals, adjust_ptr_min_max_vals):
// operand checks, scalar arithmetic through the scalar domain (verifier/scalar.ts), and the
// pointer-arithmetic rules with the kernel's messages.
import { AluOp, Cls, type Insn } from '../vm/isa.js';
import { Scalar, scalarAlu } from './scalar.js';
import { Reg, RegType, regTypeName } from './state.js';
import type { Verifier } from './verifier.js';
import { assignScalarIdBeforeMov, clearScalarId, linkAfterScalarAlu } from './linked.js';
import { commitPtrAlu, sanitizeCheckBounds, sanitizePtrAlu, sanitizeValAlu } from './spectre.js';

/** The kernel's bpf_alu_string, by op >> 4. */
const ALU_STRING = ['+=', '-=', '*=', '/=', '|=', '&=', '<<=', '>>=', 'neg', '%=', '^=', '=', 's>>=', 'endian'];
const S64_MIN = -(1n << 63n);
const MAX_VAR_OFF = 1n << 29n;

export function checkAlu(v: Verifier, insn: Insn): void {
  const op = insn.code & 0xf0;
  const is64 = (insn.code & 7) === Cls.ALU64;
  const isX = (insn.code & 0x08) !== 0;
  const dstNo = insn.dst;
  if (op === AluOp.NEG || op === AluOp.END) {
    v.readReg(dstNo);
    // The pointer check comes between the operand's read and write checks (so `neg r10` is
    // pointer arithmetic unprivileged, a write to the frame pointer otherwise).
    if (v.regs[dstNo]!.type !== RegType.SCALAR && !v.allowPtrLeaks) v.reject(`R${dstNo} pointer arithmetic prohibited`);
    v.writable(dstNo);
    const dst = v.regs[dstNo]!;
    if (dst.type !== RegType.SCALAR) {
      v.setReg(dstNo, Reg.unknown());
      return;
    }
    const r = dst.clone();
    clearScalarId(r);
    scalarAlu(insn.code, insn.off, insn.imm, r.s, Scalar.known(0n));
    v.setReg(dstNo, r);
    return;
  }
  if (op === AluOp.MOV) {
    if (isX) v.readReg(insn.src);
    v.writable(dstNo);
    if (!isX) {
      v.setReg(dstNo, Reg.known(is64 ? BigInt(insn.imm) : BigInt(insn.imm >>> 0)));
      return;
    }
    const src = v.regs[insn.src]!;
    const newId = (): number => v.newId();
    if (is64 && insn.off === 1) {
      // addr_space_cast (cfg.ts checked imm and the arena): to address space 0 (imm 1) the
      // register becomes PTR_TO_ARENA, 32 bits; to address space 1 an unknown scalar.
      v.setReg(dstNo, insn.imm === 1 ? Reg.ptr(RegType.ARENA) : Reg.unknown());
      return;
    }
    if (is64 && insn.off === 0) {
      assignScalarIdBeforeMov(newId, src);
      v.setReg(dstNo, src.clone());
      return;
    }
    if (src.type !== RegType.SCALAR) {
      // movsx of a pointer, or w1 = w2: a pointer's bits become an unknown scalar.
      if (!v.allowPtrLeaks) v.reject(is64 ? `R${insn.src} sign-extension part of pointer` : `R${insn.src} partial copy of pointer`);
      v.setReg(dstNo, Reg.unknown());
      return;
    }
    // The copy keeps the source's link (its id) when the value is unchanged by the move: it fits
    // 32 bits (w1 = w2), or the bits a sign extension reads have the sign bit clear (movsx), so
    // bounds learned on either later reach the other (sync_linked_regs).
    const keeps = insn.off === 0 ? src.s.umax <= 0xffffffffn : src.s.umax < 1n << BigInt(insn.off - 1);
    if (keeps) assignScalarIdBeforeMov(newId, src);
    const r = src.clone();
    if (!keeps) clearScalarId(r);
    scalarAlu(insn.code, insn.off, insn.imm, r.s, src.s);
    v.setReg(dstNo, r);
    return;
  }
  // Binary operations.
  if (isX) v.readReg(insn.src);
  v.readReg(dstNo);
  if ((op === AluOp.DIV || op === AluOp.MOD) && !isX && insn.imm === 0) v.reject('div by zero', false, 22);
  if ((op === AluOp.LSH || op === AluOp.RSH || op === AluOp.ARSH) && !isX) {
    const size = is64 ? 64 : 32;
    if (insn.imm < 0 || insn.imm >= size) v.reject(`invalid shift ${insn.imm}`, false, 22);
  }
  v.writable(dstNo);
  const dst = v.regs[dstNo]!;
  const src = isX ? v.regs[insn.src]! : Reg.known(BigInt(insn.imm));
  if (dst.type === RegType.ARENA || src.type === RegType.ARENA) {
    // Any arithmetic on a BPF arena pointer is allowed and gives one (adjust_reg_min_max_vals);
    // a 64-bit operation runs as a 32-bit one (needs_zext).
    if (is64) v.arenaAlu32.add(v.pc);
    v.setReg(dstNo, Reg.ptr(RegType.ARENA));
    return;
  }
  if (isX && src.type !== RegType.SCALAR) {
    if (dst.type !== RegType.SCALAR) {
      if (op === AluOp.SUB && v.allowPtrLeaks) {
        v.setReg(dstNo, Reg.unknown());
        return;
      }
      v.reject(`R${dstNo} pointer ${ALU_STRING[op >> 4]} pointer prohibited`);
    }
    ptrArith(v, insn, dstNo, src, dst);
    return;
  }
  if (dst.type !== RegType.SCALAR) {
    ptrArith(v, insn, dstNo, dst, src);
    return;
  }
  sanitizeValAlu(v, insn);
  const r = dst.clone();
  scalarAlu(insn.code, insn.off, insn.imm, r.s, src.s);
  linkAfterScalarAlu(v.bpfCapable, insn, dst, src, r);
  v.setReg(dstNo, r);
}

/** check_reg_sane_offset. */
function saneOffset(v: Verifier, r: Reg, ptr: Reg, isOffReg: boolean): void {
  const t = regTypeName(ptr);
  if (isOffReg && r.s.isConst()) {
    const val = BigInt.asIntN(64, r.s.constValue());
    if (val >= MAX_VAR_OFF || val <= -MAX_VAR_OFF) v.reject(`math between ${t} pointer and ${val} is not allowed`);
  }
  if (!isOffReg && (r.off >= Number(MAX_VAR_OFF) || r.off <= -Number(MAX_VAR_OFF))) v.reject(`${t} pointer offset ${r.off} is not allowed`);
  if (r.s.smin === S64_MIN) v.reject(`math between ${t} pointer and register with unbounded min value is not allowed`);
  if (r.s.smin >= MAX_VAR_OFF || r.s.smin <= -MAX_VAR_OFF) v.reject(`value ${r.s.smin} makes ${t} pointer be out of bounds`);
}

/** adjust_ptr_min_max_vals: pointer += / -= scalar; the result replaces register dstNo. */
function ptrArith(v: Verifier, insn: Insn, dstNo: number, ptr: Reg, off: Reg): void {
  // The pointer's bounds depend on the scalar's exact range (marked before any check, as
  // adjust_reg_min_max_vals does).
  const isX = (insn.code & 0x08) !== 0;
  if (isX && off.type === RegType.SCALAR) v.markPrecise(1 << (v.regs[insn.dst] === off ? insn.dst : insn.src));
  const op = insn.code & 0xf0;
  const is64 = (insn.code & 7) === Cls.ALU64;
  if (!is64) {
    if (op === AluOp.SUB && v.allowPtrLeaks) {
      v.setReg(dstNo, Reg.unknown());
      return;
    }
    v.reject(`R${dstNo} 32-bit pointer arithmetic prohibited`);
  }
  if (ptr.maybeNull) v.reject(`R${dstNo} pointer arithmetic on ${regTypeName(ptr)} prohibited, null-check it first`);
  const known = off.s.isConst();
  const kval = known ? BigInt.asIntN(64, off.s.constValue()) : 0n;
  switch (ptr.type) {
    case RegType.CTX:
    case RegType.MAP_VALUE:
    case RegType.MAP_KEY:
    case RegType.STACK:
    case RegType.PKT_META:
    case RegType.PKT:
    case RegType.BTF_ID:
    case RegType.MEM:
    case RegType.BUF:
    case RegType.TP_BUFFER:
    case RegType.FUNC:
    case RegType.DYNPTR: // refused where it is used (verifier/dynptr.ts)
      break;
    case RegType.FLOW_KEYS:
      if (known) break;
      v.reject(`R${dstNo} pointer arithmetic on ${regTypeName(ptr)} prohibited`);
      break;
    case RegType.MAP_PTR:
      if (known && kval === 0n && op === AluOp.ADD) break;
      v.reject(`R${dstNo} pointer arithmetic on ${regTypeName(ptr)} prohibited`);
      break;
    default:
      v.reject(`R${dstNo} pointer arithmetic on ${regTypeName(ptr)} prohibited`);
  }
  saneOffset(v, off, ptr, true);
  saneOffset(v, ptr, ptr, false);
  const dstIsOff = v.regs[dstNo] === off;
  // Spectre v1 (verifier/spectre.ts): the masking of this insn, and its masked outcome explored.
  const sanitize = sanitizePtrAlu(v, insn, ptr, off, !dstIsOff);
  const r = ptr.clone();
  switch (op) {
    case AluOp.ADD: {
      const sum = ptr.off + Number(kval);
      if (known && sum === (sum | 0)) {
        r.off = sum;
        break;
      }
      scalarAlu(Cls.ALU64 | AluOp.ADD | 0x08, 0, 0, r.s, off.s);
      if (ptr.isPkt()) {
        r.id = v.newId();
        r.range = 0;
      }
      break;
    }
    case AluOp.SUB: {
      if (dstIsOff) v.reject(`R${dstNo} tried to subtract pointer from scalar`);
      if (ptr.type === RegType.STACK) v.reject(`R${dstNo} subtraction from stack pointer prohibited`);
      const diff = ptr.off - Number(kval);
      if (known && diff === (diff | 0)) {
        r.off = diff;
        break;
      }
      scalarAlu(Cls.ALU64 | AluOp.SUB | 0x08, 0, 0, r.s, off.s);
      if (ptr.isPkt()) {
        r.id = v.newId();
        if (off.s.smin < 0n) r.range = 0;
      }
      break;
    }
    case AluOp.AND:
    case AluOp.OR:
    case AluOp.XOR:
      v.reject(`R${dstNo} bitwise operator ${ALU_STRING[op >> 4]} on pointer prohibited`);
      break;
    default:
      v.reject(`R${dstNo} pointer arithmetic with ${ALU_STRING[op >> 4]} operator prohibited`);
  }
  // "pointer types do not carry 32-bit bounds at the moment": the kernel drops them and
  // derives them again from the 64-bit ones (reg_bounds_sync), so a scalar's smax32 does not
  // follow it into the pointer
  r.s.mark32Unbounded();
  r.s.sync();
  saneOffset(v, r, ptr, false);
  sanitizeCheckBounds(v, dstNo, r);
  commitPtrAlu(v, insn, sanitize, r);
  v.setReg(dstNo, r);
}
