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
// Programs never see the ring itself (DESIGN section 2, "one checked write path"): the data area
// is a plain byte array outside the arena, so every header and every length submit, discard, the
// query and the consumer rely on is out of the program's reach. A reservation is an arena
// allocation of its own: an 8-byte copy of the header, write-protected (a program reading
// `p[-2]` sees what the kernel's would, a store there faults), then exactly the reserved bytes,
// so a store past them faults like any bad store. Submit and discard copy the sample into the
// ring (wrapping at its end, where the kernel maps the data pages twice) and free the allocation.
// The reserved bytes start as whatever the ring held there, as in the kernel (it does not clear
// them).
//
// Not implemented: BPF_F_RB_OVERWRITE (newer kernels); user space cannot look up, update or
// delete (-ENOTSUPP in the kernel); consumption goes through src/ringbuf-consumer.ts.

import { FaultSignal, MapError } from '../src/errors.js';
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

/** A record header as the consumer reads it (from the ring, which programs cannot reach). */
export interface RingbufHeader {
  /** Sample length without the header. */
  len: number;
  busy: boolean;
  discarded: boolean;
  /** The header's page offset field. */
  pgOff: number;
}

/** One open reservation: where its record starts in the ring and what the program was given. */
interface Reservation {
  /** Free-running producer position of the record header. */
  pos: number;
  /** Reserved sample length (kept here, never re-read from memory a program can write). */
  len: number;
  /** Arena address of the allocation (the header copy; the sample starts 8 bytes in). */
  addr: number;
}

export class RingbufMap implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize = 0;
  readonly valueSize = 0;
  readonly maxEntries: number;
  frozen = false;
  readonly mask: number;
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
  /** The data area, headers included: out of band, never an arena address. */
  private readonly ring: Uint8Array;
  private readonly ringView: DataView;
  /** Open reservations, oldest first. */
  private readonly busy: Reservation[] = [];
  private consPos = 0;
  private prodPos = 0;

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
    this.ring = new Uint8Array(n);
    this.ringView = new DataView(this.ring.buffer);
  }

  get size(): number {
    return this.mask + 1;
  }

  /** consumer_pos: only the consumer moves it, and never past producer_pos (advanceConsumer). */
  get consumerPos(): number {
    return this.consPos;
  }

  /** producer_pos: moved only by reserve and output. */
  get producerPos(): number {
    return this.prodPos;
  }

  /** Reserve `size` bytes: the sample's arena address, or 0 (NULL) when it does not fit. */
  reserve(size: number): number {
    const pos = this.claim(size);
    if (pos < 0) return 0;
    let addr: number;
    try {
      addr = this.arena.alloc(BPF_RINGBUF_HDR_SZ + size, { kind: 'map', name: `${this.name} record` });
    } catch (e) {
      // the arena cannot hold the reservation: NULL, as when the ring has no room
      if (e instanceof FaultSignal) return 0;
      throw e;
    }
    const off = pos & this.mask;
    this.writeHeader(off, (size | BPF_RINGBUF_BUSY_BIT) >>> 0);
    this.copyOut(off, addr, BPF_RINGBUF_HDR_SZ + size);
    this.arena.protect(addr, BPF_RINGBUF_HDR_SZ);
    if (this.busy.length === 0) this.pendingPos = pos;
    this.busy.push({ pos, len: size, addr });
    this.prodPos = pos + recordBytes(size);
    return addr + BPF_RINGBUF_HDR_SZ;
  }

  /** Submit (or discard) the record whose sample is at `sample`; false if it is not an open
   *  reservation of this ring (the verifier would have refused the program). */
  commit(sample: number, discard: boolean, flags: number): boolean {
    const i = this.busy.findIndex((r) => r.addr + BPF_RINGBUF_HDR_SZ === sample);
    if (i < 0) return false;
    const { pos, len, addr } = this.busy[i]!;
    this.busy.splice(i, 1);
    const off = pos & this.mask;
    this.copyIn(off + BPF_RINGBUF_HDR_SZ, this.arena.u8.subarray(sample, sample + len));
    this.arena.free(addr);
    this.finish(pos, len, discard, flags);
    return true;
  }

  /** bpf_ringbuf_output: reserve, copy `data` in and submit in one step; false when it does not
   *  fit. The bytes go straight into the ring (no arena memory is written). */
  output(data: Uint8Array, flags: number): boolean {
    const pos = this.claim(data.length);
    if (pos < 0) return false;
    const off = pos & this.mask;
    this.writeHeader(off, (data.length | BPF_RINGBUF_BUSY_BIT) >>> 0);
    this.copyIn(off + BPF_RINGBUF_HDR_SZ, data);
    if (this.busy.length === 0) this.pendingPos = pos;
    this.prodPos = pos + recordBytes(data.length);
    this.finish(pos, data.length, false, flags);
    return true;
  }

  /** bpf_ringbuf_query. */
  query(flag: number): bigint {
    switch (flag) {
      case RingbufQuery.AVAIL_DATA:
        return BigInt(this.prodPos - this.consPos);
      case RingbufQuery.RING_SIZE:
        return BigInt(this.size);
      case RingbufQuery.CONS_POS:
        return BigInt(this.consPos);
      case RingbufQuery.PROD_POS:
        return BigInt(this.prodPos);
    }
    return 0n;
  }

  /** Number of records reserved and neither submitted nor discarded. */
  get pendingReservations(): number {
    return this.busy.length;
  }

  /** The header of the record at free-running position `pos` (the consumer's view). */
  header(pos: number): RingbufHeader {
    const off = pos & this.mask;
    const word = this.ringView.getUint32(off, true);
    return {
      len: word & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT),
      busy: (word & BPF_RINGBUF_BUSY_BIT) !== 0,
      discarded: (word & BPF_RINGBUF_DISCARD_BIT) !== 0,
      pgOff: this.ringView.getUint32(off + 4, true),
    };
  }

  /** Move consumer_pos forward to `pos` (the user-space consumer, after reading records). */
  advanceConsumer(pos: number): void {
    if (!Number.isSafeInteger(pos) || pos < this.consPos || pos > this.prodPos || (pos & 7) !== 0) {
      throw new MapError(`consumer position ${pos} outside [${this.consPos}, ${this.prodPos}] or not 8-byte aligned`, this.name, -Errno.EINVAL);
    }
    this.consPos = pos;
  }

  /** Bytes of the ring at data offset `off` (taken mod size), `len` long (a copy). */
  readData(off: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    const start = off & this.mask;
    const first = Math.min(len, this.size - start);
    out.set(this.ring.subarray(start, start + first));
    if (first < len) out.set(this.ring.subarray(0, len - first), first);
    return out;
  }

  /** u32 at data offset `off` (mod size). */
  readU32(off: number): number {
    const b = this.readData(off, 4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  /** The producer position of a new record of `size` bytes, or -1 when it does not fit. */
  private claim(size: number): number {
    if (!Number.isInteger(size) || size < 0 || size > RINGBUF_MAX_RECORD_SZ) return -1;
    const len = recordBytes(size);
    if (len > this.size) return -1;
    const newProd = this.prodPos + len;
    if (newProd - this.consPos > this.mask) return -1;
    if (this.busy.length > 0 && newProd - this.pendingPos > this.mask) return -1;
    return this.prodPos;
  }

  /** Write the header word (and page offset) of the record at data offset `off`. */
  private writeHeader(off: number, word: number): void {
    this.ringView.setUint32(off, word, true);
    this.ringView.setUint32(off + 4, RINGBUF_DATA_PGOFF + Math.floor(off / PAGE), true);
  }

  /** Release a record: clear BUSY (set DISCARD), advance pending_pos, count wakeups and record
   *  the sample for the run's output. */
  private finish(pos: number, len: number, discard: boolean, flags: number): void {
    const off = pos & this.mask;
    this.ringView.setUint32(off, (len | (discard ? BPF_RINGBUF_DISCARD_BIT : 0)) >>> 0, true);
    if (pos === this.pendingPos) this.pendingPos = this.busy.length > 0 ? this.busy[0]!.pos : this.prodPos;
    if ((flags & BPF_RB_FORCE_WAKEUP) !== 0 || ((flags & BPF_RB_NO_WAKEUP) === 0 && this.consPos === pos)) this.wakeups++;
    if (!discard) {
      this.submitted++;
      this.lastSample = this.readData(off + BPF_RINGBUF_HDR_SZ, len);
      this.onSubmit?.(this.lastSample);
    }
  }

  /** Copy `bytes` into the ring at data offset `off`, wrapping at the end. */
  private copyIn(off: number, bytes: Uint8Array): void {
    const start = off & this.mask;
    const first = Math.min(bytes.length, this.size - start);
    this.ring.set(bytes.subarray(0, first), start);
    if (first < bytes.length) this.ring.set(bytes.subarray(first), 0);
  }

  /** Copy `len` ring bytes from data offset `off` (wrapping) to arena address `addr`. */
  private copyOut(off: number, addr: number, len: number): void {
    this.arena.u8.set(this.readData(off, len), addr);
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
    for (const r of this.busy.splice(0)) this.arena.free(r.addr);
  }
}

/** Bytes a record of `size` sample bytes takes in the ring (header included, 8-byte aligned). */
function recordBytes(size: number): number {
  return Math.ceil((size + BPF_RINGBUF_HDR_SZ) / 8) * 8;
}

export function asRingbuf(map: BpfMap): RingbufMap {
  if (!(map instanceof RingbufMap)) throw new MapError('not a ring buffer map', map.name, -Errno.EINVAL);
  return map;
}

export const createRingbufMap = (spec: MapSpec, ctx: MapContext): BpfMap => new RingbufMap(spec, ctx);
