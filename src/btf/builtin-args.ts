// Arguments of BTF-typed tracing programs (fentry/fexit/fmod_ret/tp_btf/lsm), typed by the
// target's prototype in the built-in kernel BTF. The kernel's trampoline hands such programs a
// u64 array: one slot per argument, then (fexit, fmod_ret) the return value; a void function has
// no return slot. LSM programs (lsm/<hook>) are typed by bpf_lsm_<hook> and, like fmod_ret, see
// the return value so far in the last slot. A test run gives ebpfvm the values (an extension:
// the kernel can only trigger the attach point, DESIGN section 5), so here each value is checked
// against the count and cast to its parameter's C type: truncated to its width, then sign- or
// zero-extended to 64 bits as the type's signedness says (an `int` of -1 is 0xffffffffffffffff,
// a `u8` of 257 is 1).
import { UsageError } from '../errors.js';
import { BtfKind, IntEnc, type Btf } from './btf.js';
import { builtinBtf } from './builtin.js';

/** Attach kinds whose context ends with the traced function's return value. */
const WITH_RETURN = new Set(['fexit', 'fmod_ret', 'lsm']);

/** The attach point of a BTF-typed section name: `fentry/do_exit` -> { kind: 'fentry', target }. */
export function btfAttachTarget(section: string | undefined): { kind: string; target: string } | undefined {
  const m = /^(fentry|fexit|fmod_ret|tp_btf|lsm)(?:\.s)?\/(.+)$/.exec(section ?? '');
  if (!m) return undefined;
  // An LSM program attaches to the hook's BPF stub, bpf_lsm_<hook>.
  return { kind: m[1]!, target: m[1] === 'lsm' ? `bpf_lsm_${m[2]}` : m[2]! };
}

/** Parameters (and return type) of an attach target: a FUNC, or for tp_btf the
 *  `btf_trace_<tp>` typedef's prototype without its leading `void *` (the kernel's __data). */
function targetProto(btf: Btf, kind: string, target: string): { params: { name: string; type: number }[]; ret: number } | undefined {
  if (kind === 'tp_btf') {
    const td = btf.find(`btf_trace_${target}`, BtfKind.TYPEDEF)[0];
    if (!td) return undefined;
    const proto = btf.resolve(btf.resolve(td.id).sizeOrType);
    if (proto.kind !== BtfKind.FUNC_PROTO) return undefined;
    return { params: proto.params!.slice(1), ret: 0 };
  }
  const fn = btf.find(target, BtfKind.FUNC)[0];
  if (!fn) return undefined;
  const proto = btf.type(fn.sizeOrType);
  return { params: proto.params!, ret: proto.sizeOrType };
}

/** Cast one value to a BTF type, as the u64 slot the trampoline stores. */
function castTo(btf: Btf, typeId: number, v: bigint): bigint {
  const t = btf.resolve(typeId);
  if (t.kind === BtfKind.INT || t.kind === BtfKind.ENUM || t.kind === BtfKind.ENUM64) {
    const bits = btf.sizeof(t.id) * 8;
    const signed = t.kind === BtfKind.INT ? (t.intEncoding! & IntEnc.SIGNED) !== 0 : t.kindFlag;
    return BigInt.asUintN(64, signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v));
  }
  return BigInt.asUintN(64, v);
}

/**
 * The u64 context of a fentry/fexit/fmod_ret test run from the user's values, typed by the
 * target's prototype. Undefined when the section does not name a function of `btf` (the values
 * are then used as given).
 */
export function typedTracingArgs(section: string | undefined, args: readonly (bigint | number)[], btf: Btf = builtinBtf()): bigint[] | undefined {
  const at = btfAttachTarget(section);
  if (!at) return undefined;
  const proto = targetProto(btf, at.kind, at.target);
  if (!proto) return undefined;
  const params = proto.params;
  const ret = WITH_RETURN.has(at.kind) && proto.ret !== 0 ? proto.ret : undefined;
  const want = params.length + (ret !== undefined ? 1 : 0);
  if (args.length !== want) {
    const names = params.map((p) => (p.name ? `${p.name} (${btf.typeName(p.type)})` : btf.typeName(p.type)));
    if (ret !== undefined) names.push(`the return value (${btf.typeName(ret)})`);
    throw new UsageError(`${at.kind}/${at.target} takes ${want} argument${want === 1 ? '' : 's'}: ${names.join(', ') || 'none'}; got ${args.length}`);
  }
  return args.map((a, i) => castTo(btf, i < params.length ? params[i]!.type : ret!, BigInt(a)));
}
