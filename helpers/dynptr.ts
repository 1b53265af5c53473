// Dynamic pointers (kernel/bpf/helpers.c, ringbuf.c): one model for the dynptr helpers here and
// the dynptr kfuncs (helpers/kfuncs.ts). A `struct bpf_dynptr` is 16 program-visible bytes laid
// out as the kernel's struct bpf_dynptr_kern: the data address (u64) at 0, then a u32 whose low 24
// bits are the size, bits 28-30 the type and bit 31 read-only, then the u32 offset into data. A
// NULL dynptr is all zeros. LOCAL (bpf_dynptr_from_mem) and RINGBUF dynptrs point at arena
// memory; SKB and XDP ones (kfuncs bpf_dynptr_from_skb/xdp) at the program's context, through
// which the packet is found at each access. Every access is checked like the program's own.
//   dynptr_from_mem (197)(data, size, flags, ptr): size over 2^24-1 -E2BIG, flags -EINVAL (both
//     leave ptr NULL); else a LOCAL dynptr over [data, data+size).
//   ringbuf_reserve_dynptr (198)(ringbuf, size, flags, ptr): flags -EINVAL, size -E2BIG, no room
//     -EINVAL (all leave ptr NULL); else a RINGBUF dynptr over the reserved sample.
//   ringbuf_submit_dynptr (199) / ringbuf_discard_dynptr (200)(ptr, flags): commit the sample (a
//     NULL dynptr does nothing), then set ptr NULL.
//   dynptr_read (201)(dst, len, src, offset, flags): NULL src or flags -EINVAL; offset/len out of
//     the dynptr -E2BIG; else copy (memmove: the two may overlap).
//   dynptr_write (202)(dst, offset, src, len, flags): NULL or read-only dst -EINVAL, out of range
//     -E2BIG, flags -EINVAL; else copy.
//   dynptr_data (203)(ptr, offset, len): a pointer into the data, or NULL (NULL or read-only ptr,
//     out of range).

import { FaultSignal } from '../src/errors.js';
import { Errno } from '../maps/types.js';
import { commitSample, reserveSample } from './ringbuf.js';
import { skbBounds } from './skb.js';
import type { ArgIndex, HelperArg, HelperCall, HelperEntry } from './types.js';

export const DYNPTR_SIZE = 16;
export const DYNPTR_MAX_SIZE = 0xffffff;
const TYPE_SHIFT = 28;
const RDONLY_BIT = 0x80000000;
export const DynptrType = { INVALID: 0, LOCAL: 1, RINGBUF: 2, SKB: 3, XDP: 4 } as const;

export interface Dynptr {
  /** Address of the dynptr itself (in program memory). */
  at: number;
  /** 0 for a NULL dynptr. */
  data: bigint;
  size: number;
  offset: number;
  type: number;
  rdonly: boolean;
}

/** Read the dynptr whose address is in argument `arg`. */
export function readDynptr(call: HelperCall, arg: ArgIndex, what: string): Dynptr {
  const at = call.ptr(arg);
  if (!call.arena.canAccess(at, DYNPTR_SIZE, false)) throw new FaultSignal(`${what}: dynptr ${call.arena.explain(at, DYNPTR_SIZE, false)}`);
  const dv = call.arena.dv;
  const word = dv.getUint32(at + 8, true);
  return { at, data: dv.getBigUint64(at, true), size: word & DYNPTR_MAX_SIZE, offset: dv.getUint32(at + 12, true), type: ((word & ~RDONLY_BIT) >>> TYPE_SHIFT) & 7, rdonly: (word & RDONLY_BIT) !== 0 };
}

/** Write a dynptr (bpf_dynptr_init), or NULL with data 0 (bpf_dynptr_set_null). */
export function writeDynptr(call: HelperCall, at: number, d: { data: bigint; size: number; offset: number; type: number; rdonly?: boolean } | null): void {
  call.arena.writeChecked(at, DYNPTR_SIZE, encodeDynptr(d));
}

/** The 16 bytes of a dynptr (all zeros for NULL), for a helper that builds one in memory of its
 *  own (bpf_user_ringbuf_drain's callback argument). */
export function encodeDynptr(d: { data: bigint; size: number; offset: number; type: number; rdonly?: boolean } | null): Uint8Array {
  const buf = new Uint8Array(DYNPTR_SIZE);
  if (d) {
    const dv = new DataView(buf.buffer);
    dv.setBigUint64(0, BigInt.asUintN(64, d.data), true);
    dv.setUint32(8, ((d.size & DYNPTR_MAX_SIZE) | (d.type << TYPE_SHIFT) | (d.rdonly ? RDONLY_BIT : 0)) >>> 0, true);
    dv.setUint32(12, d.offset >>> 0, true);
  }
  return buf;
}

/** bpf_dynptr_check_off_len. */
export function inRange(d: Dynptr, offset: number, len: number): boolean {
  return !(len > d.size || offset > d.size - len);
}

/** The arena address of byte `offset` of a LOCAL or RINGBUF dynptr's data. */
export function dataAddress(d: Dynptr, offset: number, what: string): number {
  if (d.type !== DynptrType.LOCAL && d.type !== DynptrType.RINGBUF) throw new FaultSignal(`${what}: dynptr type ${d.type} is not a local or ring buffer dynptr`);
  const a = d.data + BigInt(d.offset) + BigInt(offset);
  if (a >> 32n !== 0n) throw new FaultSignal(`${what}: dynptr data 0x${a.toString(16)} is not arena memory`);
  return Number(a);
}

/** The packet address of byte `offset` of an SKB or XDP dynptr (whose data is the program's
 *  context: __sk_buff or xdp_md, as the kernel's holds its sk_buff or xdp_buff), or -1 when
 *  [offset, offset+len) is not in the packet now (the kernel's skb_header_pointer failing).
 *  ebpfvm's packets are linear, so every in-range slice is a direct pointer. */
export function packetAddress(call: HelperCall, d: Dynptr, offset: number, len: number, what: string): number {
  if (d.data >> 32n !== 0n) throw new FaultSignal(`${what}: dynptr context 0x${d.data.toString(16)} is not arena memory`);
  const ctx = Number(d.data);
  let data: number;
  let end: number;
  if (d.type === DynptrType.SKB) {
    const b = skbBounds(call, ctx);
    data = b.data;
    end = b.tail;
  } else if (d.type === DynptrType.XDP) {
    call.arena.check(ctx, 8, false);
    data = call.arena.dv.getUint32(ctx, true);
    end = call.arena.dv.getUint32(ctx + 4, true);
    if (call.arena.describe(data === end ? Math.max(data - 1, 0) : data)?.kind !== 'packet') throw new FaultSignal(`${what}: dynptr context 0x${ctx.toString(16)} is not an xdp_md`);
  } else throw new FaultSignal(`${what}: dynptr type ${d.type} is not an skb or xdp dynptr`);
  const at = d.offset + offset;
  return at + len > end - data ? -1 : data + at;
}

/** Where `len` bytes at `offset` of a dynptr's data are, for reading or writing: -1 for a packet
 *  range the packet does not hold. */
function rangeAddress(call: HelperCall, d: Dynptr, offset: number, len: number, what: string): number {
  return d.type === DynptrType.SKB || d.type === DynptrType.XDP ? packetAddress(call, d, offset, len, what) : dataAddress(d, offset, what);
}

/** memmove within the arena, both ranges checked (read, then write). */
function move(call: HelperCall, dst: number, src: number, len: number, what: string): void {
  if (len === 0) return;
  if (!call.arena.canAccess(src, len, false)) throw new FaultSignal(`${what}: ${call.arena.explain(src, len, false)}`);
  call.arena.writeChecked(dst, len, call.arena.read(src, len));
}

const ANY: HelperArg = { type: 'ARG_ANYTHING' };
const INT = { type: 'RET_INTEGER' } as const;

export const DYNPTR_HELPERS: readonly HelperEntry[] = [
  {
    id: 197,
    name: 'dynptr_from_mem',
    proto: { args: [{ type: 'ARG_PTR_TO_MEM', flags: ['MEM_UNINIT'] }, { type: 'ARG_CONST_SIZE_OR_ZERO' }, ANY, { type: 'ARG_PTR_TO_DYNPTR', flags: ['MEM_UNINIT'] }], ret: INT },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const at = call.ptr(4);
      const size = call.u32(2);
      const err = size > DYNPTR_MAX_SIZE ? -Errno.E2BIG : call.u64(3) !== 0n ? -Errno.EINVAL : 0;
      if (err) {
        writeDynptr(call, at, null);
        return err;
      }
      const data = call.ptr(1);
      if (size > 0 && !call.arena.canAccess(data, size, false)) throw new FaultSignal(`dynptr_from_mem: ${call.arena.explain(data, size, false)}`);
      writeDynptr(call, at, { data: BigInt(data), size, offset: 0, type: DynptrType.LOCAL });
      return 0;
    },
  },
  {
    id: 198,
    name: 'ringbuf_reserve_dynptr',
    proto: { args: [{ type: 'ARG_CONST_MAP_PTR' }, ANY, ANY, { type: 'ARG_PTR_TO_DYNPTR', flags: ['MEM_UNINIT'] }], ret: INT },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const at = call.ptr(4);
      const size = call.u32(2);
      const err = call.u64(3) !== 0n ? -Errno.EINVAL : size > DYNPTR_MAX_SIZE ? -Errno.E2BIG : 0;
      const rec = err ? 0 : reserveSample(call, size, 'ringbuf_reserve_dynptr');
      if (rec === 0) {
        writeDynptr(call, at, null);
        return err || -Errno.EINVAL;
      }
      writeDynptr(call, at, { data: BigInt(rec), size, offset: 0, type: DynptrType.RINGBUF });
      return 0;
    },
  },
  ...([199, 200] as const).map(
    (id): HelperEntry => ({
      id,
      name: id === 199 ? 'ringbuf_submit_dynptr' : 'ringbuf_discard_dynptr',
      proto: { args: [{ type: 'ARG_PTR_TO_DYNPTR', flags: ['OBJ_RELEASE'] }, ANY], ret: { type: 'RET_VOID' } },
      gplOnly: false,
      progTypes: 'all',
      impl: (call) => {
        const what = id === 199 ? 'ringbuf_submit_dynptr' : 'ringbuf_discard_dynptr';
        const d = readDynptr(call, 1, what);
        if (d.data === 0n) return 0;
        if (d.type !== DynptrType.RINGBUF || d.data >> 32n !== 0n) throw new FaultSignal(`${what}: the dynptr is not a ring buffer reservation`);
        commitSample(call, Number(d.data), id === 200, call.u64(2), what);
        writeDynptr(call, d.at, null);
        return 0;
      },
    }),
  ),
  {
    id: 201,
    name: 'dynptr_read',
    proto: { args: [{ type: 'ARG_PTR_TO_MEM', flags: ['MEM_UNINIT'] }, { type: 'ARG_CONST_SIZE_OR_ZERO' }, { type: 'ARG_PTR_TO_DYNPTR', flags: ['MEM_RDONLY'] }, ANY, ANY], ret: INT },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const src = readDynptr(call, 3, 'dynptr_read');
      if (src.data === 0n || call.u64(5) !== 0n) return -Errno.EINVAL;
      const len = call.u32(2);
      const offset = call.u32(4);
      if (!inRange(src, offset, len)) return -Errno.E2BIG;
      const dst = call.ptr(1);
      const from = rangeAddress(call, src, offset, len, 'dynptr_read');
      if (from < 0) {
        call.arena.writeChecked(dst, len); // __bpf_skb_load_bytes clears the buffer
        return -Errno.EFAULT;
      }
      move(call, dst, from, len, 'dynptr_read');
      return 0;
    },
  },
  {
    id: 202,
    name: 'dynptr_write',
    proto: { args: [{ type: 'ARG_PTR_TO_DYNPTR', flags: ['MEM_RDONLY'] }, ANY, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] }, { type: 'ARG_CONST_SIZE_OR_ZERO' }, ANY], ret: INT },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const dst = readDynptr(call, 1, 'dynptr_write');
      if (dst.data === 0n || dst.rdonly) return -Errno.EINVAL;
      const offset = call.u32(2);
      const len = call.u32(4);
      if (!inRange(dst, offset, len)) return -Errno.E2BIG;
      const flags = call.u64(5);
      // skb dynptrs take skb_store_bytes' BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH (no effect
      // on the test run's CHECKSUM_NONE skb, as skb_store_bytes here); the others no flags
      if (dst.type === DynptrType.SKB ? (flags & ~3n) !== 0n : flags !== 0n) return -Errno.EINVAL;
      const to = rangeAddress(call, dst, offset, len, 'dynptr_write');
      if (to < 0) return -Errno.EFAULT;
      move(call, to, call.ptr(3), len, 'dynptr_write');
      return 0;
    },
  },
  {
    id: 203,
    name: 'dynptr_data',
    proto: { args: [{ type: 'ARG_PTR_TO_DYNPTR', flags: ['MEM_RDONLY'] }, ANY, { type: 'ARG_CONST_ALLOC_SIZE_OR_ZERO' }], ret: { type: 'RET_PTR_TO_DYNPTR_MEM', flags: ['PTR_MAYBE_NULL'] } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const d = readDynptr(call, 1, 'dynptr_data');
      const offset = call.u32(2);
      if (d.data === 0n || !inRange(d, offset, call.u32(3)) || d.rdonly) return 0;
      return d.type === DynptrType.LOCAL || d.type === DynptrType.RINGBUF ? dataAddress(d, offset, 'dynptr_data') : 0;
    },
  },
];
