// BPF_MAP_TYPE_USER_RINGBUF (kernel/bpf/ringbuf.c): the ring buffer in the other direction. User
// space produces samples (libbpf's user_ring_buffer__reserve/submit/discard: `reserve`,
// `submit`, `discard`, or `produce` for all three at once); a program consumes them with
// bpf_user_ringbuf_drain (helpers/ringbuf.ts), which calls its callback once per sample with a
// dynptr over it.
//
// Layout as the kernel's: a data area of max_entries bytes (a power of two and page-aligned),
// free-running producer and consumer positions, records at `pos & mask` of an 8-byte header
// (u32 length with bit 31 BUSY while reserved and bit 30 DISCARD, u32 unused) and the sample,
// 8-byte aligned in total. Reserving moves the producer position at once (libbpf), so a sample
// still BUSY stops the drain; a DISCARDed one is skipped.
//
// Creation as BPF_MAP_TYPE_RINGBUF: key_size 0, value_size 0, max_entries a power of two and a
// multiple of 4096, map_flags only BPF_F_NUMA_NODE (-EINVAL); ebpfvm caps the ring at 256 MiB
// (-E2BIG). User space cannot look up, update or delete (-ENOTSUPP in the kernel).
// Reservations fail as libbpf's do: a sample that cannot fit the ring at all is -E2BIG, one that
// does not fit the free space now is -ENOSPC.

import { MapError } from '../src/errors.js';
import { createError } from './common.js';
import { BPF_RINGBUF_BUSY_BIT, BPF_RINGBUF_DISCARD_BIT, BPF_RINGBUF_HDR_SZ } from './ringbuf.js';
import { Errno, MapFlag, type BpfMap, type MapContext, type MapSpec } from './types.js';

const PAGE = 4096;
/** The largest sample a dynptr can describe (DYNPTR_MAX_SIZE, 2^24 - 1). */
const DYNPTR_MAX_SIZE = 0xffffff;
/** ENODATA: the drain's "no sample". */
export const ENODATA = 61;

/** A reservation user space holds: write the sample into `data`, then submit or discard it. */
export interface UserRingbufSample {
  /** The sample bytes (a copy; submit puts them into the ring). */
  readonly data: Uint8Array;
  /** Producer position of its header. */
  readonly pos: number;
}

/** One sample the drain found: its bytes, or why it stopped (a negative errno: -ENODATA nothing
 *  (more) to read, -EAGAIN a discarded sample was skipped, -EINVAL/-E2BIG a corrupt header). */
export type PeekResult = { sample: Uint8Array } | { err: number };

export class UserRingbufMap implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize = 0;
  readonly valueSize = 0;
  readonly maxEntries: number;
  frozen = false;
  /** A drain is running (the kernel's rb->busy): a nested drain is -EBUSY. */
  draining = false;
  /** Wakeups the kernel would send to a waiting producer. */
  wakeups = 0;
  private readonly mask: number;
  private readonly ring: Uint8Array;
  private readonly view: DataView;
  private consPos = 0;
  private prodPos = 0;
  private readonly open = new Map<number, UserRingbufSample>();

  constructor(spec: MapSpec, _ctx: MapContext) {
    const n = spec.maxEntries;
    if (spec.keySize !== 0 || spec.valueSize !== 0) throw createError(spec, 'user ring buffers need key_size 0 and value_size 0', Errno.EINVAL);
    if (n === 0 || (n & (n - 1)) !== 0 || n % PAGE !== 0) throw createError(spec, `max_entries ${n} must be a power of 2 and a multiple of the page size (4096)`, Errno.EINVAL);
    if ((spec.flags & ~MapFlag.NUMA_NODE) !== 0) throw createError(spec, `unsupported map_flags 0x${spec.flags.toString(16)}`, Errno.EINVAL);
    if (n > 1 << 28) throw createError(spec, `max_entries ${n} too large for ebpfvm (max 256 MiB)`, Errno.E2BIG);
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.maxEntries = n;
    this.mask = n - 1;
    this.ring = new Uint8Array(n);
    this.view = new DataView(this.ring.buffer);
  }

  get consumerPos(): number {
    return this.consPos;
  }
  get producerPos(): number {
    return this.prodPos;
  }
  /** Bytes free for the producer. */
  get available(): number {
    return this.maxEntries - (this.prodPos - this.consPos);
  }

  // ---- producer (user space) ----

  /** user_ring_buffer__reserve: a sample of `size` bytes, or a negative errno (-E2BIG larger
   *  than the ring can ever hold, -ENOSPC no room now). */
  reserve(size: number): UserRingbufSample | number {
    if (!Number.isInteger(size) || size < 0 || size > DYNPTR_MAX_SIZE) return -Errno.E2BIG;
    const total = roundUp8(size + BPF_RINGBUF_HDR_SZ);
    if (total > this.maxEntries) return -Errno.E2BIG;
    if (this.available < total) return -Errno.ENOSPC;
    const pos = this.prodPos;
    this.view.setUint32(pos & this.mask, (size | BPF_RINGBUF_BUSY_BIT) >>> 0, true);
    this.view.setUint32((pos + 4) & this.mask, 0, true);
    this.prodPos = pos + total;
    const s: UserRingbufSample = { data: new Uint8Array(size), pos };
    this.open.set(pos, s);
    return s;
  }

  /** user_ring_buffer__submit: the sample becomes visible to the drain. */
  submit(sample: UserRingbufSample): void {
    this.commit(sample, false);
  }

  /** user_ring_buffer__discard: the drain skips it. */
  discard(sample: UserRingbufSample): void {
    this.commit(sample, true);
  }

  /** Reserve, fill and submit: 0 or the reservation's negative errno. */
  produce(bytes: Uint8Array): number {
    const s = this.reserve(bytes.length);
    if (typeof s === 'number') return s;
    s.data.set(bytes);
    this.submit(s);
    return 0;
  }

  private commit(sample: UserRingbufSample, discard: boolean): void {
    if (this.open.get(sample.pos) !== sample) throw new MapError('not an open reservation of this user ring buffer (already submitted or discarded?)', this.name, -Errno.EINVAL);
    this.open.delete(sample.pos);
    const len = sample.data.length;
    for (let i = 0; i < len; i++) this.ring[(sample.pos + BPF_RINGBUF_HDR_SZ + i) & this.mask] = sample.data[i]!;
    this.view.setUint32(sample.pos & this.mask, (len | (discard ? BPF_RINGBUF_DISCARD_BIT : 0)) >>> 0, true);
  }

  // ---- consumer (the drain helper) ----

  /** __bpf_user_ringbuf_peek: the next sample, or why there is none. A DISCARDed sample is
   *  consumed here (-EAGAIN). */
  peek(): PeekResult {
    const prod = this.prodPos;
    if (prod % 8 !== 0) return { err: -Errno.EINVAL };
    const cons = this.consPos;
    if (cons >= prod) return { err: -ENODATA };
    const hdr = this.view.getUint32(cons & this.mask, true);
    const flags = hdr & (BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
    const len = (hdr & ~flags) >>> 0;
    const total = roundUp8(len + BPF_RINGBUF_HDR_SZ);
    if (total > prod - cons) return { err: -Errno.EINVAL };
    if (total > this.maxEntries) return { err: -Errno.E2BIG };
    if (len > DYNPTR_MAX_SIZE) return { err: -Errno.E2BIG };
    if (flags & BPF_RINGBUF_DISCARD_BIT) {
      this.consPos = cons + total;
      return { err: -Errno.EAGAIN };
    }
    if (flags & BPF_RINGBUF_BUSY_BIT) return { err: -ENODATA };
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = this.ring[(cons + BPF_RINGBUF_HDR_SZ + i) & this.mask]!;
    return { sample: out };
  }

  /** __bpf_user_ringbuf_sample_release: consume the sample peek returned. */
  release(len: number): void {
    this.consPos += roundUp8(len + BPF_RINGBUF_HDR_SZ);
  }

  // ---- map operations: none from user space or programs
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
    this.open.clear();
  }
}

const roundUp8 = (n: number): number => Math.ceil(n / 8) * 8;

export const createUserRingbufMap = (spec: MapSpec, ctx: MapContext): UserRingbufMap => new UserRingbufMap(spec, ctx);
