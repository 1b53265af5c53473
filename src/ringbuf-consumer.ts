// User-space side of a BPF ring buffer, as libbpf's ring_buffer__consume/poll: read the records
// between consumer_pos and producer_pos in the ring's own memory (maps/ringbuf.ts keeps the
// kernel's layout), call back for every submitted record, skip discarded ones, stop at the first
// record still BUSY (reserved and not yet submitted: later records must wait, as in the kernel),
// and advance consumer_pos past what was read so producers get the room back.
//
//   const rb = new RingbufConsumer(obj.map('events'));           // or a RingbufMap
//   rb.consume((data, rec) => { ... });                            // -> number of records
//   rb.add(otherMap, cb); rb.poll();                                // several rings, one call
//
// A callback that returns a negative number stops consumption there (libbpf returns that value).
// Records are 8-byte aligned; each header is `u32 len | BUSY (bit 31) | DISCARD (bit 30)` and
// `u32 pg_off` (exported below as `RingbufRecord`).

import { BPF_RINGBUF_HDR_SZ, RingbufMap } from '../maps/ringbuf.js';
import type { BpfMap } from '../maps/types.js';
import { UsageError } from './errors.js';

export interface RingbufRecord {
  /** Free-running position of the record header (consumer_pos when it was read). */
  pos: number;
  /** Sample length without the header. */
  len: number;
  /** The header's page offset field. */
  pgOff: number;
  discarded: boolean;
}

export type RingbufCallback = (data: Uint8Array, record: RingbufRecord) => number | void;

function ringOf(m: BpfMap | { map: BpfMap } | RingbufMap): RingbufMap {
  const map = m instanceof RingbufMap ? m : 'map' in m && !('lookupElem' in m) ? m.map : (m as BpfMap);
  if (!(map instanceof RingbufMap)) throw new UsageError(`map ${map.name} is not a ring buffer`);
  return map;
}

/** Read every record of one ring that is ready; returns the number of callbacks made, or the
 *  callback's negative return value when it asked to stop. Headers come from the ring's own data
 *  area, which programs cannot address, so a length is always one the ring wrote. */
export function consumeRingbuf(rb: RingbufMap, cb: RingbufCallback, opts: { includeDiscarded?: boolean } = {}): number {
  let n = 0;
  while (rb.consumerPos < rb.producerPos) {
    const pos = rb.consumerPos;
    const hdr = rb.header(pos);
    if (hdr.busy) break;
    const rec: RingbufRecord = { pos, len: hdr.len, pgOff: hdr.pgOff, discarded: hdr.discarded };
    // libbpf moves consumer_pos before calling back, so a stopping callback keeps its record read
    rb.advanceConsumer(pos + ((hdr.len + BPF_RINGBUF_HDR_SZ + 7) & ~7));
    if (hdr.discarded && !opts.includeDiscarded) continue;
    const r = cb(rb.readData(pos + BPF_RINGBUF_HDR_SZ, hdr.len), rec);
    n++;
    if (typeof r === 'number' && r < 0) return r;
  }
  return n;
}

/** Several rings with a callback each (libbpf's struct ring_buffer). */
export class RingbufConsumer {
  private readonly rings: { rb: RingbufMap; cb: RingbufCallback | undefined }[] = [];

  constructor(map?: BpfMap | { map: BpfMap } | RingbufMap, cb?: RingbufCallback) {
    if (map) this.add(map, cb);
  }

  add(map: BpfMap | { map: BpfMap } | RingbufMap, cb?: RingbufCallback): this {
    this.rings.push({ rb: ringOf(map), cb });
    return this;
  }

  /** Consume every ring (with its own callback, or `cb`); total records, or a callback's
   *  negative stop value. */
  consume(cb?: RingbufCallback): number {
    let total = 0;
    for (const { rb, cb: own } of this.rings) {
      const f = own ?? cb;
      if (!f) throw new UsageError(`ring buffer ${rb.name} has no callback`);
      const r = consumeRingbuf(rb, f);
      if (r < 0) return r;
      total += r;
    }
    return total;
  }

  /** Same as consume: runs are synchronous, so records are either ready or never will be until
   *  the next run (libbpf's timeout has nothing to wait for). */
  poll(cb?: RingbufCallback): number {
    return this.consume(cb);
  }

  /** Bytes not yet consumed, per ring (BPF_RB_AVAIL_DATA). */
  available(): number[] {
    return this.rings.map(({ rb }) => rb.producerPos - rb.consumerPos);
  }
}
