// BPF_MAP_TYPE_RINGBUF (kernel/bpf/ringbuf.c): one multi-producer ring shared by all CPUs.
//
// Layout as the kernel keeps it: a data area of max_entries bytes (a power of two, page-aligned),
// two free-running 64-bit positions (consumer_pos, producer_pos) and records at
// `pos & mask`, each an 8-byte header then the sample, 8-byte aligned in total:
//   u32 len     sample length; bit 31 BUSY while reserved, bit 30 DISCARD when discarded
//   u32 pg_off  page offset of the header from the start of struct bpf_ringbuf (the data area
//               begins 3 pages in: RINGBUF_PGOFF = 1 plus the consumer and producer pages)
// A reservation fails when the producer would get more than size - 1 bytes ahead of the consumer
// or of the oldest record still BUSY (pending_pos), so a ring never fills completely.
//
// The kernel maps the data pages twice so a record that wraps is contiguous. ebpfvm allocates
// twice the data area instead: reserve hands out the contiguous address, and submit/discard fold
// the bytes past the end back to the start, so the ring as the consumer reads it (offsets mod
// size) is always the kernel's. Programs only ever touch the record they reserved.
//
// Not implemented: BPF_F_RB_OVERWRITE (newer kernels); user space cannot look up, update or
// delete (-ENOTSUPP in the kernel); consumption goes through src/ringbuf-consumer.ts.

import { MapError } from '../src/errors.js';
import { MemFlag } from '../vm/memory.js';
import { createError } from './common.js';
import { Errno, MapFlag, type BpfMap, type MapContext, type MapSpec } from './types.js';

export const BPF_RINGBUF_BUSY_BIT = 0x80000000;
export const BPF_RINGBUF_DISCARD_BIT = 0x40000000;
export const BPF_RINGBUF_HDR_SZ = 8;
/** Pages of struct bpf_ringbuf before the data area. */
export const RINGBUF_DATA_PGOFF = 3;
/** bpf_ringbuf_query flags. */
export const RingbufQuery = { AVAIL_DATA: 0, RING_SIZE: 1, CONS_POS: 2, PROD_POS: 3 } as const;
/** Wakeup flags of output/submit/discard. */
export const BPF_RB_NO_WAKEUP = 1;
export const BPF_RB_FORCE_WAKEUP = 2;
const RINGBUF_MAX_RECORD_SZ = Math.floor(0xffffffff / 4);
const PAGE = 4096;

export class RingbufMap implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize = 0;
  readonly valueSize = 0;
  readonly maxEntries: number;
  frozen = false;
  readonly mask: number;
  /** Arena address of the data area (2 * size bytes; see the header comment). */
  readonly data: number;
  consumerPos = 0;
  producerPos = 0;
  /** Oldest record still BUSY (the kernel's pending_pos). */
  pendingPos = 0;
  /** Records submitted since creation (for tests and the CLI). */
  submitted = 0;
  /** Called for every submitted record (the CLI and `RunOutput.ringbuf` use it). */
  onSubmit: ((sample: Uint8Array) => void) | undefined = undefined;
  /** Wakeups the kernel would send (FORCE_WAKEUP, or the consumer caught up; NO_WAKEUP none). */
  wakeups = 0;
  /** Copy of the sample most recently submitted. */
  lastSample: Uint8Array | undefined = undefined;
  private readonly arena: MapContext['arena'];
  /** Data offsets of BUSY records, oldest first. */
  private readonly busy: number[] = [];

  constructor(spec: MapSpec, ctx: MapContext) {
    const n = spec.maxEntries;
    if (spec.keySize !== 0 || spec.valueSize !== 0) throw createError(spec, 'ring buffers need key_size 0 and value_size 0', Errno.EINVAL);
    if (n === 0 || (n & (n - 1)) !== 0 || n % PAGE !== 0) throw createError(spec, `max_entries ${n} must be a power of 2 and a multiple of the page size (4096)`, Errno.EINVAL);
    if ((spec.flags & ~MapFlag.NUMA_NODE) !== 0) throw createError(spec, `unsupported map_flags 0x${spec.flags.toString(16)}`, Errno.EINVAL);
    if (n > 1 << 28) throw createError(spec, `max_entries ${n} too large for ebpfvm (max 256 MiB)`, Errno.E2BIG);
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.maxEntries = n;
    this.mask = n - 1;
    this.arena = ctx.arena;
    this.data = this.arena.allocRegion(2 * n, MemFlag.READ | MemFlag.WRITE, 'map', `${spec.name} ringbuf`);
  }

  get size(): number {
    return this.mask + 1;
  }

  /** Reserve `size` bytes: the sample's arena address, or 0 (NULL) when it does not fit. */
  reserve(size: number): number {
    if (size > RINGBUF_MAX_RECORD_SZ) return 0;
    const len = (size + BPF_RINGBUF_HDR_SZ + 7) & ~7;
    if (len > this.size) return 0;
    const newProd = this.producerPos + len;
    if (newProd - this.consumerPos > this.mask) return 0;
    if (this.busy.length > 0 && newProd - this.pendingPos > this.mask) return 0;
    const off = this.producerPos & this.mask;
    const hdr = this.data + off;
    const dv = this.arena.dv;
    dv.setUint32(hdr, (size | BPF_RINGBUF_BUSY_BIT) >>> 0, true);
    dv.setUint32(hdr + 4, RINGBUF_DATA_PGOFF + Math.floor(off / PAGE), true);
    this.foldBack(off, BPF_RINGBUF_HDR_SZ);
    if (this.busy.length === 0) this.pendingPos = this.producerPos;
    this.busy.push(this.producerPos);
    this.producerPos = newProd;
    return hdr + BPF_RINGBUF_HDR_SZ;
  }

  /** Submit (or discard) the record whose sample is at `sample`; false if it is not a BUSY
   *  record of this ring (the verifier would have refused the program). */
  commit(sample: number, discard: boolean, flags: number): boolean {
    const off = sample - BPF_RINGBUF_HDR_SZ - this.data;
    if (off < 0 || off >= this.size) return false;
    const i = this.busy.findIndex((p) => (p & this.mask) === off);
    if (i < 0) return false;
    const pos = this.busy[i]!;
    this.busy.splice(i, 1);
    const dv = this.arena.dv;
    const hdr = this.data + off;
    const len = dv.getUint32(hdr, true) & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
    this.foldBack(off, BPF_RINGBUF_HDR_SZ + len);
    // clear BUSY last, as the kernel's xchg does, so a consumer never sees a half-written record
    dv.setUint32(hdr, (len | (discard ? BPF_RINGBUF_DISCARD_BIT : 0)) >>> 0, true);
    if (pos === this.pendingPos) this.pendingPos = this.busy.length > 0 ? Math.min(...this.busy) : this.producerPos;
    if ((flags & BPF_RB_FORCE_WAKEUP) !== 0 || ((flags & BPF_RB_NO_WAKEUP) === 0 && this.consumerPos === pos)) this.wakeups++;
    if (!discard) {
      this.submitted++;
      this.lastSample = this.readData(off + BPF_RINGBUF_HDR_SZ, len);
      this.onSubmit?.(this.lastSample);
    }
    return true;
  }

  /** bpf_ringbuf_query. */
  query(flag: number): bigint {
    switch (flag) {
      case RingbufQuery.AVAIL_DATA:
        return BigInt(this.producerPos - this.consumerPos);
      case RingbufQuery.RING_SIZE:
        return BigInt(this.size);
      case RingbufQuery.CONS_POS:
        return BigInt(this.consumerPos);
      case RingbufQuery.PROD_POS:
        return BigInt(this.producerPos);
    }
    return 0n;
  }

  /** Number of records reserved and neither submitted nor discarded. */
  get pendingReservations(): number {
    return this.busy.length;
  }

  /** Bytes of the ring at data offset `off` (taken mod size), `len` long. */
  readData(off: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = this.arena.u8[this.data + ((off + i) & this.mask)]!;
    return out;
  }

  /** u32 at data offset `off` (mod size). */
  readU32(off: number): number {
    const b = this.readData(off, 4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  /** Copy bytes that a contiguous record wrote past the end of the ring back to its start. */
  private foldBack(off: number, len: number): void {
    const over = off + len - this.size;
    if (over > 0) this.arena.u8.copyWithin(this.data, this.data + this.size, this.data + this.size + over);
  }

  // generic map operations: not for ring buffers (the kernel answers -ENOTSUPP)
  lookupElem(): number {
    return 0;
  }
  updateElem(): number {
    return -Errno.ENOTSUPP;
  }
  deleteElem(): number {
    return -Errno.ENOTSUPP;
  }
  lookup(): Uint8Array | undefined {
    return undefined;
  }
  update(): number {
    return -Errno.ENOTSUPP;
  }
  delete(): number {
    return -Errno.ENOTSUPP;
  }
  nextKey(_key?: Uint8Array): Uint8Array | undefined {
    return undefined;
  }
  destroy(): void {
    this.arena.free(this.data);
  }
}

export function asRingbuf(map: BpfMap): RingbufMap {
  if (!(map instanceof RingbufMap)) throw new MapError('not a ring buffer map', map.name, -Errno.EINVAL);
  return map;
}

export const createRingbufMap = (spec: MapSpec, ctx: MapContext): BpfMap => new RingbufMap(spec, ctx);
