// Memory access by pointer type (kernel check_mem_access and its per-type checks): stack (spill,
// fill, misc/zero/invalid bytes), map key/value with fixed and variable offsets, context from the
// program-type table (vm/contexts.ts), packet with proven ranges, helper-returned memory, flow
// keys, sockets and BTF-typed pointers. Helper argument memory goes through checkHelperMem.
import { bpfSockAccess, bpfSockCommonAccess, bpfTcpSockAccess, checkCtxAccess, fieldAt, MAX_BPF_FUNC_ARGS, progTypeInfo } from '../vm/contexts.js';
import { AttachType, ProgType } from '../vm/prog-types.js';
import { walkedPointerFlags } from './kobj.js';
import { formatTnum } from './tnum.js';
import { Frame, MAX_STACK, Reg, RegFlag, RegType, Slot, regTypeName } from './state.js';
import type { Verifier } from './verifier.js';
import { allocAccess, mapFieldAccess, mapFieldHelperAccess } from './graph.js';
import { checkUninitOverDynptr, destroyIfDynptr } from './dynptr.js';
import { markStackSpill, markVarOffStackAccess } from './spectre.js';
import { assignScalarIdBeforeMov, clearScalarId } from './linked.js';

const S64_MIN = -(1n << 63n);
/** BPF_MAX_VAR_OFF: variable offsets must stay below 2^29. */
const MAX_VAR_OFF = 1n << 29n;

export type Access = 'read' | 'write';

/** One load or store through register `regno` at insn offset `off`. For reads, `dst` receives the
 *  loaded value; for writes `val` is the stored register (undefined for BPF_ST, with `imm`). */
export function checkMemAccess(v: Verifier, regno: number, off: number, size: number, t: Access, val: Reg | undefined, dst: number, opts: { imm?: number; ldsx?: boolean; strictAlignment?: boolean } = {}): void {
  const reg = v.regs[regno]!;
  checkAlignment(v, reg, off, size, opts.strictAlignment === true);
  off += reg.off;
  let result: Reg | undefined;
  // Storing a pointer is a leak only without allow_ptr_leaks (unprivileged).
  const leak = (what: string) => {
    if (t === 'write' && val && val.isPointer && !v.allowPtrLeaks) v.reject(`R${v.insn.src} leaks addr into ${what}`);
  };
  switch (reg.type) {
    case RegType.MAP_KEY:
      if (t === 'write') v.reject(`write to change key R${regno} not allowed`);
      checkRegion(v, regno, off, size, reg.map!.keySize, false);
      result = Reg.unknown();
      break;
    case RegType.MAP_VALUE: {
      if (reg.maybeNull) v.reject(`R${regno} invalid mem access '${regTypeName(reg)}'`);
      leak('map');
      const map = reg.map!;
      if (t === 'write' && (map.flags & 0x80) !== 0) v.reject(`write into map forbidden, value_size=${map.valueSize} off=${off} size=${size}`);
      if (t === 'read' && mapWriteOnly(map.flags)) v.reject(`read from map forbidden, value_size=${map.valueSize} off=${off} size=${size}`);
      checkRegion(v, regno, off, size, map.valueSize, false);
      // Special fields from the map's record (locks, graph roots, kptrs: verifier/graph.ts).
      const kptr = map.record ? mapFieldAccess(v, reg, regno, off, size, t === 'write', val, opts.imm) : checkSpecialFields(v, reg, off, size);
      if (kptr) {
        result = kptr;
        break;
      }
      if (t === 'read') {
        result = Reg.unknown();
        if (reg.s.isConst() && map.frozen && map.readonlyValue) {
          const at = off + Number(reg.s.constValue());
          const bytes = map.readonlyValue.subarray(at, at + size);
          if (bytes.length === size) {
            let x = 0n;
            for (let i = size - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]!);
            if (opts.ldsx) x = BigInt.asIntN(size * 8, x);
            result = Reg.known(x);
          }
        }
      }
      break;
    }
    case RegType.BUF:
      // PTR_TO_BUF (an iterator's key or value): bounds are checked when the iterator is attached.
      if (reg.maybeNull) v.reject(`R${regno} invalid mem access '${regTypeName(reg)}'`);
      if (t === 'write' && reg.flags & RegFlag.RDONLY) v.reject(`R${regno} cannot write into ${regTypeName(reg)}`);
      leak('mem');
      checkBufferAccess(v, reg, regno, off, size);
      result = Reg.unknown();
      break;
    case RegType.TP_BUFFER:
      // check_tp_buffer_access: no leak check (a pointer may be stored there); the furthest byte
      // is held against the tracepoint's writable size at attach time
      checkBufferAccess(v, reg, regno, off, size, 'tracepoint');
      result = Reg.unknown();
      break;
    case RegType.MEM: {
      if (reg.maybeNull) v.reject(`R${regno} invalid mem access '${regTypeName(reg)}'`);
      if (t === 'write' && reg.flags & RegFlag.RDONLY) v.reject(`R${regno} cannot write into ${regTypeName(reg)}`);
      leak('mem');
      // Read-only untrusted memory (bpf_rdonly_cast to void) is read by probing loads: no bounds.
      const probed = (reg.flags & (RegFlag.RDONLY | RegFlag.UNTRUSTED)) === (RegFlag.RDONLY | RegFlag.UNTRUSTED);
      if (!probed) checkRegion(v, regno, off, size, reg.memSize, false);
      result = Reg.unknown();
      break;
    }
    case RegType.CTX:
      result = ctxAccess(v, reg, regno, off, size, t, val, opts.ldsx === true);
      break;
    case RegType.STACK:
      stackBounds(v, regno, off, size, t);
      if (t === 'read') result = stackRead(v, reg, regno, off, size, dst);
      else stackWrite(v, reg, off, size, val, opts.imm);
      break;
    case RegType.PKT:
    case RegType.PKT_META:
      if (t === 'write' && !mayWritePacket(v.input.progType)) v.reject('cannot write into packet');
      leak('packet');
      checkPacket(v, regno, off, size);
      result = Reg.unknown();
      break;
    case RegType.FLOW_KEYS:
      leak('flow keys');
      if (off < 0 || off + size > 56) v.reject(`invalid access to flow keys off=${off} size=${size}`);
      result = Reg.unknown();
      break;
    case RegType.SOCKET:
    case RegType.SOCK_COMMON:
    case RegType.TCP_SOCK:
      if (reg.maybeNull) v.reject(`R${regno} invalid mem access '${regTypeName(reg)}'`);
      if (t === 'write') v.reject(`R${regno} cannot write into ${regTypeName(reg)}`);
      // check_sock_access: the uapi struct's field rules (vm/contexts)
      if (reg.s.smin < 0n) v.reject(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
      {
        const ok = reg.type === RegType.TCP_SOCK ? bpfTcpSockAccess(off, size) : reg.type === RegType.SOCKET ? bpfSockAccess(off, size) : bpfSockCommonAccess(off, size);
        if (!ok.ok) v.reject(`R${regno} invalid ${regTypeName(reg)} access off=${off} size=${size}`);
      }
      result = Reg.unknown();
      break;
    case RegType.XDP_SOCK:
      // bpf_xdp_sock_is_valid_access: struct bpf_xdp_sock is one __u32, queue_id, read whole.
      if (reg.maybeNull) v.reject(`R${regno} invalid mem access '${regTypeName(reg)}'`);
      if (t === 'write') v.reject(`R${regno} cannot write into ${regTypeName(reg)}`);
      if (off !== 0 || size !== 4) v.reject(`R${regno} invalid ${regTypeName(reg)} access off=${off} size=${size}`);
      result = Reg.unknown();
      break;
    case RegType.BTF_ID:
      if (reg.maybeNull) v.reject(`R${regno} invalid mem access '${regTypeName(reg)}'`);
      result = reg.flags & RegFlag.MEM_ALLOC ? allocAccess(v, reg, regno, off, size) : btfAccess(v, reg, regno, off, size, t);
      break;
    case RegType.ARENA:
      // BPF arena memory (PROBE_MEM32): any offset, no bounds; the JIT's exception table reads
      // 0 from and drops writes to pages nothing allocated. Sign-extending loads are refused
      // (convert_ctx_accesses, -EOPNOTSUPP).
      if (opts.ldsx) v.reject('sign extending loads from arena are not supported yet', false, 95);
      result = Reg.unknown();
      break;
    case RegType.MAP_PTR: {
      // check_ptr_to_map_access: struct bpf_map's fields, read-only, through the map type's struct.
      const struct = mapStruct(reg.map?.type ?? 0);
      // Reading the kernel's struct bpf_map is reading kernel memory: not unprivileged.
      if (!v.allowPtrLeaks) v.reject(`'struct ${struct}' access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN`, false, 1);
      if (off < 0) v.reject(`R${regno} is ${struct} invalid negative access: off=${off}`);
      if (t === 'write') v.reject(`only read from ${struct} is supported`);
      result = Reg.unknown();
      break;
    }
    default:
      v.reject(`R${regno} invalid mem access '${regTypeName(reg)}'`);
  }
  v.noteAccess(reg);
  if (t === 'read' && dst >= 0) {
    let r = result ?? Reg.unknown();
    // coerce_reg_to_size(_sx): a narrow fill of a spilled scalar keeps the bounds that fit.
    if (r.type === RegType.SCALAR && size < 8 && !r.s.isConst()) {
      r = r.clone();
      if (opts.ldsx) r.s.coerceToSizeSx(size);
      else r.s.coerceToSize(size);
    }
    else if (r.type === RegType.SCALAR && size < 8) {
      const c = r.s.constValue();
      r = Reg.known(opts.ldsx ? BigInt.asIntN(size * 8, c) : BigInt.asUintN(size * 8, c));
    }
    v.setReg(dst, r);
  }
}

/** Loads and stores through a BTF-typed pointer (check_ptr_to_btf_access). An rbtree node the
 *  program owns or reaches through the tree is its map's value: any field but the struct rb_node
 *  links may be written (DESIGN section 7). Kernel structs are read-only; a pointer member reads
 *  as a pointer of its type. */
function btfAccess(v: Verifier, reg: Reg, regno: number, off: number, size: number, t: Access): Reg {
  if (!v.allowPtrLeaks) v.reject(`'struct ${reg.btfName}' access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN`, false, 1);
  if (!reg.s.isConst()) v.reject(`R${regno} is ptr_${reg.btfName} invalid variable offset: off=${off}, var_off=${formatTnum(reg.s.varOff)}`);
  off += Number(BigInt.asIntN(64, reg.s.constValue()));
  if (off < 0) v.reject(`R${regno} is ptr_${reg.btfName} invalid negative access: off=${off}`);
  if (reg.map) {
    // A less/cmp callback's nodes are mid-operation in the tree: read only (verifier/rbtree.ts).
    if (t === 'write' && reg.flags & RegFlag.RDONLY) v.reject(`R${regno} is a node of an rbtree callback: only read is supported`);
    if (off + size > reg.map.valueSize) v.reject(`access beyond struct ${reg.btfName} at off ${off} size ${size}`);
    const rb = reg.map.rbNodeOffset ?? 0;
    if (t === 'write' && off < rb + 24 && off + size > rb) v.reject('only read is supported');
    return Reg.unknown();
  }
  if (t === 'write') {
    // the program type's btf_struct_access (bpf_dummy_ops', bpf_tcp_ca's), else read only
    const refusal = v.input.btfWrite ? v.input.btfWrite(reg.btfName, off, size, reg.btfSize) : 'only read is supported';
    if (refusal !== undefined) v.reject(refusal);
    return Reg.unknown();
  }
  const field = v.input.btfField?.(reg.btfName, off, size);
  // past the struct's size only into a flexible array member that ends it (kernelField)
  if (reg.btfSize && off + size > reg.btfSize && field?.flex !== true) v.reject(`access beyond struct ${reg.btfName} at off ${off} size ${size}`);
  if (field?.kind === 'ptr') {
    // A pointer read from kernel memory: loads through it never fault (PROBE_MEM). Its trust
    // follows the kernel's allow lists (verifier/kobj.ts): untrusted unless listed.
    const r = Reg.ptr(RegType.BTF_ID, walkedPointerFlags(v, reg, field.member));
    if (r.flags & RegFlag.MAYBE_NULL) r.id = v.newId();
    r.btfName = field.name;
    r.btfSize = field.size;
    return r;
  }
  return Reg.unknown();
}

/** check_buffer_access: a constant offset, not negative; the furthest byte is recorded for the
 *  attach-time check (prog->aux->max_rdonly_access / max_rdwr_access). */
/** __check_buffer_access, for PTR_TO_BUF (`info` rdonly/rdwr by its flags) and PTR_TO_TP_BUFFER
 *  ('tracepoint'): a constant, non-negative offset; the furthest byte is recorded for the attach. */
function checkBufferAccess(v: Verifier, reg: Reg, regno: number, off: number, size: number, kind?: 'tracepoint'): void {
  const info = kind ?? (reg.flags & RegFlag.RDONLY ? 'rdonly' : 'rdwr');
  if (off < 0) v.reject(`R${regno} invalid ${info} buffer access: off=${off}, size=${size}`);
  if (!reg.s.isConst() || reg.s.constValue() !== 0n) v.reject(`R${regno} invalid variable buffer offset: off=${off}, var_off=${formatTnum(reg.s.varOff)}`);
  if (info === 'rdonly') v.maxRdonlyAccess = Math.max(v.maxRdonlyAccess, off + size);
  else if (info === 'rdwr') v.maxRdwrAccess = Math.max(v.maxRdwrAccess, off + size);
  else v.maxTpAccess = Math.max(v.maxTpAccess, off + size);
}

/** The kernel struct behind a map pointer (the map type's map_btf_id). */
function mapStruct(type: number): string {
  if (type === 2 || type === 6 || type === 3 || type === 4 || type === 8 || type === 12) return 'bpf_array';
  if (type === 1 || type === 5 || type === 9 || type === 10 || type === 13) return 'bpf_htab';
  if (type === 27) return 'bpf_ringbuf_map';
  return 'bpf_map';
}

/** check_ptr_alignment: stack accesses are always strictly aligned (spill tracking relies on
 *  it); everything else only with BPF_F_STRICT_ALIGNMENT. */
/** check_ptr_alignment's pointer_desc by register type (the context too, with
 *  BPF_F_STRICT_ALIGNMENT: "misaligned context access"). */
const ALIGN_DESC: ReadonlyMap<number, string> = new Map([
  [RegType.STACK, 'stack '], [RegType.MAP_VALUE, 'value '], [RegType.MAP_KEY, 'key '], [RegType.CTX, 'context '], [RegType.FLOW_KEYS, 'flow keys '],
  [RegType.SOCKET, 'sock '], [RegType.SOCK_COMMON, 'sock_common '], [RegType.TCP_SOCK, 'tcp_sock '], [RegType.XDP_SOCK, 'xdp_sock '],
]);

export function checkAlignment(v: Verifier, reg: Reg, off: number, size: number, strictOnce: boolean): void {
  // strict_alignment_once: atomics are aligned whatever the program's flags say; otherwise
  // BPF_F_STRICT_ALIGNMENT (1) asks for it and BPF_F_ANY_ALIGNMENT (2) overrides that (bpf_check)
  const flags = v.opts.progFlags ?? 0;
  const strict = reg.type === RegType.STACK || strictOnce || (flags & 3) === 1;
  if (!strict || size === 1) return;
  if (reg.type === RegType.NOT_INIT || reg.type === RegType.SCALAR || reg.type === RegType.ARENA) return;
  const desc = ALIGN_DESC.get(reg.type) ?? (reg.isPkt() ? 'packet ' : '');
  const ip = reg.isPkt() ? 2 : 0;
  const known = reg.s.isConst() ? BigInt.asIntN(64, reg.s.constValue()) : undefined;
  const mask = reg.s.varOff.mask;
  const low = (BigInt(ip + reg.off + off) + (known ?? reg.s.varOff.value)) & BigInt(size - 1);
  if (low !== 0n || (mask & BigInt(size - 1)) !== 0n) {
    const tn = known !== undefined ? (known < 0n ? '0x' + BigInt.asUintN(64, known).toString(16) : known.toString()) : formatTnum(reg.s.varOff);
    // check_pkt_ptr_alignment also prints NET_IP_ALIGN (2) in front
    v.reject(`misaligned ${desc}access off ${reg.isPkt() ? `${ip}+` : ''}${tn}+${reg.off}+${off} size ${size}`);
  }
}

/** __check_mem_access's message for the region type of register `regno`. */
function regionMessage(v: Verifier, regno: number, off: bigint, size: number, memSize: number): string {
  const reg = v.regs[regno]!;
  switch (reg.type) {
    case RegType.MAP_KEY:
      return `invalid access to map key, key_size=${memSize} off=${off} size=${size}`;
    case RegType.MAP_VALUE:
      return `invalid access to map value, value_size=${memSize} off=${off} size=${size}`;
    case RegType.PKT:
    case RegType.PKT_META:
    case RegType.PKT_END:
      return `invalid access to packet, off=${off} size=${size}, R${regno}(id=${reg.id},off=${off},r=${memSize})`;
    default:
      return `invalid access to memory, mem_size=${memSize} off=${off} size=${size}`;
  }
}

const inRegion = (off: bigint, size: number, memSize: number, zeroOk: boolean): boolean => off >= 0n && (size > 0 || (size === 0 && zeroOk)) && off + BigInt(size) <= BigInt(memSize);

/** check_mem_region_access: fixed offset plus the variable part's smin and umax. */
export function checkRegion(v: Verifier, regno: number, off: number, size: number, memSize: number, zeroOk: boolean): void {
  const reg = v.regs[regno]!;
  const s = reg.s;
  const o = BigInt(off);
  if (s.smin < 0n && (s.smin === S64_MIN || BigInt.asIntN(32, o + s.smin) !== o + s.smin || s.smin + o < 0n))
    v.reject(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  if (!inRegion(s.smin + o, size, memSize, zeroOk)) v.reject(`${regionMessage(v, regno, s.smin + o, size, memSize)}\nR${regno} min value is outside of the allowed memory range`);
  if (s.umax >= MAX_VAR_OFF) v.reject(`R${regno} unbounded memory access, make sure to bounds check any such access`);
  if (!inRegion(s.umax + o, size, memSize, zeroOk)) v.reject(`${regionMessage(v, regno, s.umax + o, size, memSize)}\nR${regno} max value is outside of the allowed memory range`);
}

/** bpf_spin_lock / rb_node bytes of a map value are not for loads and stores. */
function checkSpecialFields(v: Verifier, reg: Reg, off: number, size: number): void {
  const map = reg.map!;
  const lo = off + Number(reg.s.smin < 0n ? 0n : reg.s.smin);
  const hi = off + Number(reg.s.umax > 1n << 30n ? 1n << 30n : reg.s.umax) + size;
  const lock = map.spinLockOffset;
  if (lock !== undefined && lo < lock + 4 && hi > lock) v.reject('bpf_spin_lock cannot be accessed directly by load/store');
}

export function mayWritePacket(progType: number): boolean {
  return progType === ProgType.SCHED_CLS || progType === ProgType.SCHED_ACT || progType === ProgType.XDP || progType === ProgType.LWT_XMIT || progType === ProgType.SK_SKB || progType === ProgType.SK_MSG || progType === ProgType.CGROUP_SOCKOPT || progType === ProgType.LWT_SEG6LOCAL;
}

/** check_packet_access: the access must lie inside the range proven by a comparison with
 *  pkt_end; the variable offset must not be negative. */
export function checkPacket(v: Verifier, regno: number, off: number, size: number, zeroOk = false): void {
  const reg = v.regs[regno]!;
  if (reg.s.smin < 0n) v.reject(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  if (!inRegion(BigInt(off), size, reg.range, zeroOk) || reg.range < 0) v.reject(`${regionMessage(v, regno, BigInt(off), size, reg.range)}\nR${regno} offset is outside of the packet`);
}

/** The function btf_ctx_access names in its log lines, when it is reached: a BTF-typed program's
 *  read that bpf_tracing_ctx_access lets through (within the argument slots, aligned to its
 *  size). */
function btfCtx(v: Verifier, type: number, off: number, size: number, t: Access): string | undefined {
  if (type !== ProgType.TRACING && type !== ProgType.LSM && type !== ProgType.STRUCT_OPS) return undefined;
  if (!v.input.ctxArgs || t !== 'read' || off < 0 || off >= 8 * MAX_BPF_FUNC_ARGS || off % size) return undefined;
  return v.input.ctxFunc;
}

function ctxAccess(v: Verifier, reg: Reg, regno: number, off: number, size: number, t: Access, val: Reg | undefined, ldsx: boolean): Reg | undefined {
  if (t === 'write' && val && val.isPointer && !v.allowPtrLeaks) v.reject(`R${v.insn.src} leaks addr into ctx`);
  if (reg.off < 0) v.reject(`negative offset ctx ptr R${regno} off=${reg.off} disallowed`);
  if (reg.off) v.reject(`dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`);
  if (!reg.s.isConst() || reg.s.constValue() !== 0n) v.reject(`variable ctx access var_off=${formatTnum(reg.s.varOff)} disallowed`);
  const type = v.input.progType;
  // btf_ctx_access: an integer argument may be read narrower than its u64 slot, at an offset
  // that is a multiple of 8 (and of the size, tracing_prog_is_valid_access); a pointer only whole.
  if ((type === ProgType.TRACING || type === ProgType.LSM) && t === 'read' && !ldsx && size < 8 && off % 8 === 0) {
    const a = v.input.ctxArgs?.[off >> 3];
    if (a?.kind === 'scalar' && a.int) return Reg.unknown();
  }
  const fn = btfCtx(v, type, off, size, t);
  if (fn !== undefined && off % 8) v.log.write(`func '${fn}' offset ${off} is not multiple of 8\n`);
  else if (fn !== undefined && v.input.ctxArgs![off >> 3]?.kind === 'btf' && size !== 8) v.log.write(`func '${fn}' size ${size} must be 8\n`);
  const verdict = checkCtxAccess(type, off, size, t === 'write', v.input.expectedAttachType ?? 0);
  // cg_skb_is_valid_access: direct packet access and writing tstamp need CAP_BPF.
  const cgSkbCapBpf = type === ProgType.CGROUP_SKB && !v.bpfCapable && ((off >= 76 && off < 84) || (t === 'write' && off >= 152 && off < 160));
  // A sign-extending load (BPF_MEMSX) of a field that gives a pointer: the packet bounds of
  // __sk_buff and xdp_md (the is_valid_access callbacks' info->is_ldsx); the wider pointer
  // fields cannot be read by the 1-, 2- and 4-byte ldsx anyway.
  const ptrField = ldsx && verdict.ok && verdict.field?.pointer === true;
  // raw_tp_writable_prog_is_valid_access: args[0] is the tracepoint's writable buffer, read whole
  const tpBuffer = type === ProgType.RAW_TRACEPOINT_WRITABLE && off === 0;
  if (!verdict.ok || cgSkbCapBpf || ptrField || (tpBuffer && size !== 8)) v.reject(`invalid bpf_context access off=${off} size=${size}`, true);
  if (t === 'write') return undefined;
  if (tpBuffer) return Reg.ptr(RegType.TP_BUFFER);
  // Tracing programs: argument slots typed by the attach target's BTF.
  if ((type === ProgType.TRACING || type === ProgType.LSM || type === ProgType.STRUCT_OPS) && v.input.ctxArgs) {
    const a = v.input.ctxArgs[off >> 3];
    if (a?.kind === 'btf') {
      if (a.typed && fn !== undefined) v.log.write(`func '${fn}' arg${off >> 3} has btf_id ${a.typed.id} type ${a.typed.type}\n`);
      const r = Reg.ptr(RegType.BTF_ID, (v.input.ctxArgsUntrusted || a.untrusted ? 0 : RegFlag.TRUSTED) | (a.nullable ? RegFlag.MAYBE_NULL : 0));
      if (a.nullable) r.id = v.newId();
      r.btfName = a.name;
      r.btfSize = a.size;
      return r;
    }
    if (a?.kind === 'buf') {
      const r = Reg.ptr(RegType.BUF, (a.rdonly ? RegFlag.RDONLY : 0) | (a.nullable ? RegFlag.MAYBE_NULL : 0));
      if (a.nullable) r.id = v.newId();
      return r;
    }
    // A BPF_LSM_MAC program reading the hook's return value so far: within the hook's range
    // (check_mem_access: is_retval, __mark_reg_s32_range).
    const ret = v.input.lsmReturn;
    if (type === ProgType.LSM && ret && !ret.void && ret.slot === off >> 3 && (v.input.expectedAttachType ?? 0) === AttachType.LSM_MAC) {
      const r = Reg.unknown();
      const [lo, hi] = ret.range;
      const s = r.s;
      s.s32min = Math.max(s.s32min, Number(lo));
      s.s32max = Math.min(s.s32max, Number(hi));
      s.smin = s.smin > lo ? s.smin : lo;
      s.smax = s.smax < hi ? s.smax : hi;
      s.sync();
      return r;
    }
    return Reg.unknown();
  }
  const info = progTypeInfo(type);
  const field = info?.ctx ? fieldAt(info.ctx, off) : undefined;
  if (field?.pointer) {
    switch (field.name) {
      case 'data':
      case 'optval': // cg_sockopt: the option buffer is packet-like
      case 'skb_data': // sock_ops: the segment of the header-option callbacks
        return Reg.ptr(RegType.PKT);
      case 'data_end':
      case 'optval_end':
      case 'skb_data_end':
        return Reg.ptr(RegType.PKT_END);
      case 'data_meta':
        return Reg.ptr(RegType.PKT_META);
      case 'flow_keys':
        return Reg.ptr(RegType.FLOW_KEYS);
      case 'skb':
      case 'state': {
        // netfilter (nf_ptr_to_btf_id): trusted pointers to the kernel's sk_buff / nf_hook_state.
        const struct = /struct (\w+) \*$/.exec(field.ctype)![1]!;
        const t = v.input.kernelType?.(struct);
        const r = Reg.ptr(RegType.BTF_ID, RegFlag.TRUSTED);
        r.btfName = struct;
        if (t?.kind === 'struct') r.btfSize = t.size;
        return r;
      }
      case 'sk': {
        // sock_addr_is_valid_access: the hook always has a socket (PTR_TO_SOCKET, not null).
        // cg_sockopt_is_valid_access, sk_msg_is_valid_access and sk_reuseport_is_valid_access too;
        // sock_ops: PTR_TO_SOCKET_OR_NULL (NULL unless full); sk_lookup_is_valid_access too (the
        // socket selected so far, NULL before bpf_sk_assign); skb types: PTR_TO_SOCK_COMMON_OR_NULL.
        if (type === ProgType.CGROUP_SOCK_ADDR || type === ProgType.CGROUP_SOCKOPT || type === ProgType.SK_MSG || type === ProgType.SK_REUSEPORT) return Reg.ptr(RegType.SOCKET);
        const r = Reg.ptr(type === ProgType.SOCK_OPS || type === ProgType.SK_LOOKUP ? RegType.SOCKET : RegType.SOCK_COMMON, RegFlag.MAYBE_NULL);
        r.id = v.newId();
        return r;
      }
      case 'migrating_sk': {
        // sk_reuseport: PTR_TO_SOCK_COMMON_OR_NULL (NULL unless a listener's requests migrate)
        const r = Reg.ptr(RegType.SOCK_COMMON, RegFlag.MAYBE_NULL);
        r.id = v.newId();
        return r;
      }
    }
  }
  return Reg.unknown();
}

// ---- stack ------------------------------------------------------------------------------------

/** The frame a stack pointer points into. */
function stackFrame(v: Verifier, reg: Reg): Frame {
  return v.st.frames[reg.frameno]!;
}

/** check_stack_access_within_bounds. */
function stackBounds(v: Verifier, regno: number, off: number, size: number, t: Access | 'helper'): void {
  const reg = v.regs[regno]!;
  // 6.18 names helper accesses as reads or writes too.
  const extra = t === 'read' || t === 'helper' ? ' read from' : ' write to';
  let min: bigint;
  let max: bigint;
  if (reg.s.isConst()) {
    min = BigInt.asIntN(64, reg.s.constValue()) + BigInt(off);
    max = min + BigInt(size);
  } else {
    if (reg.s.smax >= MAX_VAR_OFF || reg.s.smin <= -MAX_VAR_OFF) v.reject(`invalid unbounded variable-offset${extra} stack R${regno}`);
    min = reg.s.smin + BigInt(off);
    max = reg.s.smax + BigInt(off) + BigInt(size);
  }
  // check_stack_slot_within_bounds: without allow_uninit_stack a load may not reach below the
  // bytes already in use (they could only be uninitialised); 6.18 bounds helper reads so too.
  const floor = t === 'write' || v.allowUninitStack ? MAX_STACK : stackFrame(v, reg).allocated;
  if (min < -BigInt(floor) || min > -1n || max > 0n || size < 0) {
    if (reg.s.isConst()) v.reject(`invalid${extra} stack R${regno} off=${off} size=${size}`);
    v.reject(`invalid variable-offset${extra} stack R${regno} var_off=${formatTnum(reg.s.varOff)} off=${off} size=${size}`);
  }
  const f = stackFrame(v, reg);
  f.grow(Number(-min));
  v.noteStackDepth(f, Number(-min));
}

function stackWrite(v: Verifier, reg: Reg, off: number, size: number, val: Reg | undefined, imm: number | undefined): void {
  const f = stackFrame(v, reg);
  if (!reg.s.isConst()) {
    // Variable-offset write: every byte it may touch becomes misc (zero stays zero only for 0).
    const lo = Number(reg.s.smin) + off;
    const hi = Number(reg.s.smax) + off + size;
    v.noteStackAccess(f, lo);
    // A write that may touch a dynptr destroys it (refused for a referenced one).
    for (let o = lo; o < hi; o++) destroyIfDynptr(v, f, (-o - 1) >> 3);
    for (let o = lo; o < hi; o++) {
      const k = -o - 1;
      const spi = k >> 3;
      // Unprivileged, every byte the write may touch must already be a plain one (misc or zero):
      // it may leave a spilled register or an uninitialised byte as it was.
      const st = f.slotType(k);
      if (!v.allowPtrLeaks && st !== Slot.MISC && st !== Slot.ZERO) v.reject(`spilled ptr in range of var-offset stack write; insn ${v.pc}, ptr off: ${o}`, false, 22, true);
      if (f.isSpilled(spi)) {
        for (let j = 0; j < 8; j++) f.stack[(spi << 3) + j] = Slot.MISC;
        f.spills[spi] = undefined;
      }
      const zero = (val && val.isNullConst()) || (!val && imm === 0);
      if (!(zero && f.stack[k] === Slot.ZERO)) f.stack[k] = Slot.MISC;
      v.scratchSlot(spi);
    }
    return;
  }
  const at = Number(BigInt.asIntN(64, reg.s.constValue())) + off;
  const k0 = -at - 1;
  const spi = k0 >> 3;
  v.noteStackAccess(f, at);
  // Only a write of the whole slot is a sure write for the liveness analysis (a partial one
  // leaves bytes a later read may still need).
  if (at % 8 === 0 && size === 8) v.markStackWrite(reg.frameno, spi);
  // Unprivileged, part of a spilled pointer may not be overwritten (its other bytes would then
  // be readable as a number).
  if (!v.allowPtrLeaks && size !== 8 && f.isSpilled(spi) && f.spills[spi]?.type !== RegType.SCALAR) v.reject('attempt to corrupt spilled pointer on stack');
  markStackSpill(v, f, at, size, val);
  // Writing into either slot of a dynptr destroys it (refused for a referenced one).
  destroyIfDynptr(v, f, spi);
  v.scratchSlot(spi);
  v.noteStackSlot(reg.frameno, spi);
  // Writes into part of a spilled pointer corrupt it.
  if (size !== 8 && f.isSpilled(spi) && f.spills[spi]?.isPointer) {
    for (let j = 0; j < 8; j++) f.stack[(spi << 3) + j] = Slot.MISC;
    f.spills[spi] = undefined;
  }
  const aligned = at % 8 === 0;
  // Scalars are spilled as registers (bounds and ids kept) only with CAP_BPF; unprivileged the
  // bytes just become misc (or zero).
  if (val && aligned && val.type === RegType.SCALAR && v.bpfCapable) {
    // check_stack_write_fixed_off: a value that fits the slot stays linked to its register (an id
    // given now if it has none), so bounds learned on either reach the other; a narrowing spill
    // breaks the link.
    const fits = val.s.umax.toString(2).length <= size * 8 || val.s.umax === 0n;
    if (fits) assignScalarIdBeforeMov(() => v.newId(), val);
    const copy = val.clone();
    if (!fits) clearScalarId(copy);
    saveSpill(f, spi, copy, size);
  } else if (!val && aligned && imm !== undefined && imm !== 0 && v.bpfCapable) {
    saveSpill(f, spi, Reg.known(BigInt(imm)), size);
  } else if (val && val.isPointer) {
    if (size !== 8) v.reject('invalid size of register spill');
    if (f !== v.frame && val.type === RegType.STACK) v.reject('cannot spill pointers to stack into stack frame of the caller');
    saveSpill(f, spi, val.clone(), 8);
  } else {
    const zero = (val && val.isNullConst()) || (!val && imm === 0);
    // Not a register spill: nothing for backtracking to follow (kernel insn_flags = 0).
    v.noteStackSlot(-1, 0);
    // STACK_ZERO is exact knowledge: the stored register must be precise.
    if (zero && val && v.insn.src < 10 && v.regs[v.insn.src] === val) v.markPrecise(1 << v.insn.src);
    if (f.isSpilled(spi)) {
      for (let j = 0; j < 8; j++) if (f.stack[(spi << 3) + j] === Slot.SPILL) f.stack[(spi << 3) + j] = Slot.MISC;
    }
    scrubIterSlot(f, spi);
    f.spills[spi] = undefined;
    for (let i = 0; i < size; i++) {
      const k = -(at + i) - 1;
      f.stack[k] = zero ? Slot.ZERO : Slot.MISC;
    }
  }
}

/** scrub_special_slot: a plain write into an iterator's slot turns its bytes into misc bytes
 *  (the iterator is broken, its reference still held). True when the slot was an iterator's. */
function scrubIterSlot(f: Frame, spi: number): boolean {
  if (f.slotType((spi << 3) + 7) !== Slot.ITER) return false;
  for (let j = 0; j < 8; j++) if (f.stack[(spi << 3) + j] !== Slot.INVALID) f.stack[(spi << 3) + j] = Slot.MISC;
  return true;
}

function saveSpill(f: Frame, spi: number, r: Reg, size: number): void {
  f.spills[spi] = r;
  for (let j = 7; j > 7 - size; j--) f.stack[(spi << 3) + j] = Slot.SPILL;
  for (let j = 7 - size; j >= 0; j--) {
    const t = f.stack[(spi << 3) + j]!;
    if (t !== Slot.ZERO && t !== Slot.INVALID) f.stack[(spi << 3) + j] = Slot.MISC;
  }
}

function stackRead(v: Verifier, reg: Reg, regno: number, off: number, size: number, dst: number): Reg {
  const f = stackFrame(v, reg);
  if (!reg.s.isConst()) {
    // check_stack_read_var_off: every byte must be initialised (uninit allowed when privileged).
    const lo = Number(reg.s.smin) + off;
    const hi = Number(reg.s.smax) + off + size;
    v.noteStackAccess(f, lo);
    let zeros = true;
    for (let o = lo; o < hi; o++) {
      const k = -o - 1;
      const t = f.slotType(k);
      v.markStackRead(reg.frameno, k >> 3);
      if (t !== Slot.ZERO) zeros = false;
      if (t === Slot.DYNPTR || t === Slot.ITER || (t === Slot.SPILL && f.spills[k >> 3]?.isPointer && !v.allowPtrLeaks)) v.reject(`invalid read from stack R${regno} var_off ${formatTnum(reg.s.varOff)}+${o - lo} size ${size}`);
      v.scratchSlot(k >> 3);
    }
    return zeros ? Reg.known(0n) : Reg.unknown();
  }
  const at = Number(BigInt.asIntN(64, reg.s.constValue())) + off;
  const k0 = -at - 1;
  const spi = k0 >> 3;
  v.noteStackAccess(f, at);
  v.scratchSlot(spi);
  v.markStackRead(reg.frameno, spi);
  if (f.isSpilled(spi)) {
    // A fill restores the spilled register: backtracking follows it into the slot.
    v.noteStackSlot(reg.frameno, spi);
    const spilled = f.spills[spi]!;
    let spillSize = 1;
    for (let j = 7; j > 0 && f.stack[(spi << 3) + j - 1] === Slot.SPILL; j--) spillSize++;
    if (size === 8 && spillSize === 8) {
      // An atomic op reads the slot as a number: not a spilled pointer, unprivileged.
      if (dst < 0 && spilled.isPointer && !v.allowPtrLeaks) v.reject(`leaking pointer from stack off ${at}`);
      return spilled.clone();
    }
    if (spilled.type !== RegType.SCALAR) v.reject('invalid size of register fill');
    if (dst < 0) return Reg.unknown();
    // Narrow fill of a spilled scalar: the low bytes of a spill at the slot's start.
    if (size <= spillSize && (at & 7) === 0 && spilled.s.isConst()) return Reg.known(BigInt.asUintN(size * 8, spilled.s.constValue()));
    if (size <= spillSize && (at & 7) === 0) {
      // copy_register_state; the load's coerce_reg_to_size (checkMemAccess) narrows the bounds,
      // so a value wider than the fill keeps what its low half is known to be. The relation to
      // other registers holds only when the value fits.
      const r = spilled.clone();
      if (size < 8 && r.s.umax >= 1n << BigInt(size * 8)) clearScalarId(r);
      return r;
    }
    let zero = 0;
    let spills = 0;
    for (let i = 0; i < size; i++) {
      const t = f.slotType(-(at + i) - 1);
      if (t === Slot.SPILL) spills++;
      if (t === Slot.ZERO || (t === Slot.SPILL && spilled.isNullConst())) zero++;
      if (t !== Slot.SPILL && t !== Slot.MISC && t !== Slot.ZERO && !(t === Slot.INVALID && v.allowUninitStack)) v.reject(`invalid read from stack off ${at}+${i} size ${size}`);
    }
    // Only a fill of spilled zero bytes restores the register (kernel keeps insn_flags).
    if (!(spills === size && spilled.isNullConst())) v.noteStackSlot(-1, 0);
    return zero === size ? Reg.known(0n) : Reg.unknown();
  }
  let zeros = 0;
  for (let i = 0; i < size; i++) {
    const t = f.slotType(-(at + i) - 1);
    if (t === Slot.ZERO) zeros++;
    else if (t === Slot.DYNPTR || t === Slot.ITER || (t === Slot.INVALID && !v.allowUninitStack)) v.reject(`invalid read from stack off ${at}+${i} size ${size}`);
  }
  return zeros === size ? Reg.known(0n) : Reg.unknown();
}

/** The constant a map key on the stack holds, if known (6.18's get_constant_map_key: a spilled
 *  constant of the key's size at the slot's start, or zero bytes; privileged only). */
export function constStackKey(v: Verifier, reg: Reg, keySize: number): bigint | undefined {
  // Only with CAP_BPF (get_constant_map_key's -EOPNOTSUPP otherwise): an unprivileged array
  // lookup keeps its NULL check.
  if (!v.bpfCapable) return undefined;
  if (reg.type !== RegType.STACK || !reg.s.isConst() || keySize > 8 || keySize === 0) return undefined;
  const f = stackFrame(v, reg);
  const at = Number(BigInt.asIntN(64, reg.s.constValue())) + reg.off;
  const k = -at - 1;
  const spi = k >> 3;
  if (f.isSpilled(spi) && (at & 7) === 0) {
    const sp = f.spills[spi]!;
    let spillSize = 1;
    for (let j = 7; j > 0 && f.stack[(spi << 3) + j - 1] === Slot.SPILL; j--) spillSize++;
    if (sp.type !== RegType.SCALAR || !sp.s.isConst() || spillSize !== keySize) return undefined;
    // The lookup relies on the spilled constant: its slot is precise, so pruning keeps it apart.
    v.markPreciseSlot(reg.frameno, spi);
    return BigInt.asUintN(keySize * 8, sp.s.constValue());
  }
  // Zero bytes count from the key's first byte to the end of its 8-byte slot only.
  if ((k & 7) + 1 < keySize) return undefined;
  for (let i = 0; i < keySize; i++) if (f.slotType(-(at + i) - 1) !== Slot.ZERO) return undefined;
  return 0n;
}

/** Program types whose verifier ops have no convert_ctx_access. */
const NO_CTX_CONVERT: ReadonlySet<number> = new Set([ProgType.KPROBE, ProgType.TRACEPOINT, ProgType.RAW_TRACEPOINT, ProgType.RAW_TRACEPOINT_WRITABLE, ProgType.TRACING, ProgType.LSM, ProgType.STRUCT_OPS, ProgType.SYSCALL, ProgType.NETFILTER, ProgType.CGROUP_DEVICE, ProgType.LIRC_MODE2]);

/** Memory a helper reads or writes through an argument (check_helper_mem_access): `size` bytes
 *  (min and max of a variable size), `uninit` for arguments the helper fills. */
export function checkHelperMem(v: Verifier, regno: number, sizeMin: number, sizeMax: number, write: boolean, uninit: boolean, zeroOk: boolean): void {
  const reg = v.regs[regno]!;
  switch (reg.type) {
    case RegType.PKT:
    case RegType.PKT_META:
      if (write && !mayWritePacket(v.input.progType)) v.reject('helper access to the packet is not allowed');
      checkPacket(v, regno, reg.off, sizeMax, zeroOk);
      return;
    case RegType.MAP_KEY:
    case RegType.MAP_VALUE: {
      if (write && reg.type === RegType.MAP_KEY) v.reject(`write to change key R${regno} not allowed`);
      const map = reg.map!;
      if (reg.type === RegType.MAP_VALUE) {
        if (write && (map.flags & 0x80) !== 0) v.reject(`write into map forbidden, value_size=${map.valueSize} off=${reg.off} size=${sizeMax}`);
        if (!write && mapWriteOnly(map.flags)) v.reject(`read from map forbidden, value_size=${map.valueSize} off=${reg.off} size=${sizeMax}`);
      }
      checkRegion(v, regno, reg.off, sizeMax, reg.type === RegType.MAP_KEY ? map.keySize : map.valueSize, zeroOk);
      if (reg.type === RegType.MAP_VALUE) mapFieldHelperAccess(v, reg, reg.off, sizeMax);
      return;
    }
    case RegType.MEM:
      if (write && reg.flags & RegFlag.RDONLY) v.reject(`R${regno} cannot write into ${regTypeName(reg)}`);
      checkRegion(v, regno, reg.off, sizeMax, reg.memSize, zeroOk);
      return;
    case RegType.BUF:
      if (write && reg.flags & RegFlag.RDONLY) v.reject(`R${regno} cannot write into ${regTypeName(reg)}`);
      checkBufferAccess(v, reg, regno, reg.off, sizeMax);
      return;
    case RegType.BTF_ID: {
      // check_ptr_to_btf_access over the whole size: within the struct and within the member.
      if (reg.flags & RegFlag.MEM_ALLOC) {
        allocAccess(v, reg, regno, reg.off, sizeMax);
        return;
      }
      const off = reg.off + Number(reg.s.isConst() ? BigInt.asIntN(64, reg.s.constValue()) : 0n);
      if (reg.btfSize && off + sizeMax > reg.btfSize) v.reject(`access beyond struct ${reg.btfName} at off ${off} size ${sizeMax}`);
      const f = v.input.btfField?.(reg.btfName, off, sizeMax);
      if (f?.kind === 'scalar' && f.end !== undefined && off + sizeMax > f.end && !(reg.flags & RegFlag.UNTRUSTED))
        v.reject(`access beyond the end of member ${f.member} (mend:${f.end}) in struct ${reg.btfName} with off ${off} size ${sizeMax}`, false, 13);
      return;
    }
    case RegType.CTX: {
      // A context the kernel does not rewrite accesses to (no convert_ctx_access: syscall and the
      // tracing types) is checked where the access ends, one byte at size - 1, as a load (and a
      // store when the helper writes) of the program's context would be; the others are refused.
      if (!NO_CTX_CONVERT.has(v.input.progType)) break;
      if (sizeMax === 0) {
        if (zeroOk) return;
        break;
      }
      checkMemAccess(v, regno, sizeMax - 1, 1, 'read', undefined, -1);
      if (write) checkMemAccess(v, regno, sizeMax - 1, 1, 'write', undefined, -1);
      return;
    }
    case RegType.STACK: {
      // A zero-sized access is still bounded (check_stack_access_within_bounds): it may not
      // start at or above the frame pointer nor reach past it anywhere in its variable range.
      stackBounds(v, regno, reg.off, sizeMax, uninit ? 'write' : 'helper');
      if (sizeMax === 0 && zeroOk) return;
      const f = stackFrame(v, reg);
      if (!reg.s.isConst()) {
        markVarOffStackAccess(v);
        if (!uninit && !v.allowUninitStack) v.reject(`variable offset stack pointer cannot be passed into helper function; var_off=${formatTnum(reg.s.varOff)} off=${reg.off} size=${sizeMax}`);
      }
      const base = reg.s.isConst() ? Number(BigInt.asIntN(64, reg.s.constValue())) + reg.off : Number(reg.s.smin) + reg.off;
      const span = reg.s.isConst() ? sizeMax : Number(reg.s.smax - reg.s.smin) + sizeMax;
      if (uninit) checkUninitOverDynptr(v, f, base, base + span);
      // The helper's writes are stores of the call insn (check_mem_access per byte); its reads
      // are not checked against the bpf_fastcall contract (check_stack_range_initialized).
      if (uninit) v.noteStackAccess(f, base);
      for (let i = 0; i < span; i++) {
        const k = -(base + i) - 1;
        const spi = k >> 3;
        const t = f.slotType(k);
        if (uninit) {
          v.scratchSlot(spi);
          if (f.isSpilled(spi)) {
            for (let j = 0; j < 8; j++) if (f.stack[(spi << 3) + j] === Slot.SPILL) f.stack[(spi << 3) + j] = Slot.MISC;
            f.spills[spi] = undefined;
          }
          // The helper's byte writes break an iterator there (the kernel's scrub_special_slot).
          if (scrubIterSlot(f, spi)) f.spills[spi] = undefined;
          f.stack[k] = Slot.MISC;
          continue;
        }
        // check_stack_range_initialized: reading any byte reads the whole slot.
        v.markStackRead(reg.frameno, spi);
        // 6.18 words a read of dynptr or iterator bytes without "indirect".
        if (t === Slot.DYNPTR || t === Slot.ITER) v.reject(`invalid read from stack R${regno} off ${base}+${i} size ${sizeMax}`);
        if (t === Slot.INVALID && !v.allowUninitStack) v.reject(`invalid indirect read from stack R${regno} off ${base}+${i} size ${sizeMax}`);
        if (t === Slot.SPILL && f.spills[spi]?.isPointer && !v.allowPtrLeaks) v.reject(`invalid indirect read from stack R${regno} off ${base}+${i} size ${sizeMax}`);
        // A write access (MEM_WRITE: the helper, kfunc or global function may store anything
        // there; 6.18's clobber in check_stack_range_initialized): zero bytes become misc, and a
        // spilled register becomes an unknown scalar whose slot is misc -- the value the program
        // stored is no longer known after the call.
        if (write) {
          if (t === Slot.ZERO || t === Slot.INVALID) f.stack[k] = Slot.MISC;
          else if (t === Slot.SPILL && f.isSpilled(spi)) {
            for (let j = 0; j < 8; j++) if (f.stack[(spi << 3) + j] !== Slot.INVALID) f.stack[(spi << 3) + j] = Slot.MISC;
            f.spills[spi] = undefined;
          }
          // (not scratched: the kernel's log shows the slot at its next use, not at the call)
        }
      }
      return;
    }
    default:
      break;
  }
  if (reg.type === RegType.SCALAR && reg.isNullConst()) v.reject(`R${regno} type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_`);
  v.reject(`R${regno} type=${regTypeName(reg)} expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_`);
}


/** bpf_map_flags_to_cap: BPF_F_WRONLY_PROG without BPF_F_RDONLY_PROG (which wins) takes the
 *  program's read access away. */
function mapWriteOnly(flags: number): boolean {
  return (flags & 0x100) !== 0 && (flags & 0x80) === 0;
}
