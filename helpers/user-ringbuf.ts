// bpf_user_ringbuf_drain (209)(map, callback_fn, ctx, flags) (kernel/bpf/ringbuf.c): consume the
// samples user space produced into a BPF_MAP_TYPE_USER_RINGBUF (maps/user-ringbuf.ts), calling
// `long callback_fn(struct bpf_dynptr *dynptr, void *ctx)` once per sample, oldest first, until
// the ring is empty, a sample is still BUSY (reserved, not yet submitted), the callback returns
// 1, or BPF_MAX_USER_RINGBUF_SAMPLES (128 Ki) went by. Discarded samples are skipped and not
// counted. Returns the number of samples the callback was given (the one that stopped the drain
// included); -EINVAL for flags other than BPF_RB_NO_WAKEUP / BPF_RB_FORCE_WAKEUP, -EBUSY when a
// drain of the same ring is already running (a drain from inside the callback), and a corrupt
// header's errno (-EINVAL, -E2BIG) when it is met.
//
// The dynptr is a LOCAL dynptr over the sample, as the kernel builds it; it and the sample are
// arena memory of their own, readable by the callback and not writable (the kernel's verifier
// refuses writes through it), released after the callback returns.

import { FaultSignal } from '../src/errors.js';
import { BPF_RB_FORCE_WAKEUP, BPF_RB_NO_WAKEUP } from '../maps/ringbuf.js';
import { Errno } from '../maps/types.js';
import { ENODATA, UserRingbufMap } from '../maps/user-ringbuf.js';
import { MemFlag } from '../vm/memory.js';
import { DYNPTR_SIZE, DynptrType, encodeDynptr } from './dynptr.js';
import type { HelperEntry } from './types.js';

export const BPF_MAX_USER_RINGBUF_SAMPLES = 128 * 1024;

export const USER_RINGBUF_HELPERS: readonly HelperEntry[] = [
  {
    id: 209,
    name: 'user_ringbuf_drain',
    proto: {
      args: [{ type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_PTR_TO_FUNC' }, { type: 'ARG_PTR_TO_STACK', flags: ['PTR_MAYBE_NULL'] }, { type: 'ARG_ANYTHING' }],
      ret: { type: 'RET_INTEGER' },
      callbackRet: { 2: [0n, 1n] },
    },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const map = call.map(1);
      if (!(map instanceof UserRingbufMap)) throw new FaultSignal(`user_ringbuf_drain: map ${map.name} is not a user ring buffer`);
      const ctx = call.u64(3);
      const flags = call.u64(4);
      if ((flags & ~BigInt(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) !== 0n) return -Errno.EINVAL;
      if (map.draining) return -Errno.EBUSY;
      map.draining = true;
      const arena = call.arena;
      let samples = 0;
      let discarded = 0;
      try {
        let ret = 0n;
        for (samples = 0; samples < BPF_MAX_USER_RINGBUF_SAMPLES && ret === 0n; samples++) {
          const p = map.peek();
          if ('err' in p) {
            if (p.err === -ENODATA) break;
            if (p.err === -Errno.EAGAIN) {
              discarded++;
              continue;
            }
            return p.err;
          }
          const len = p.sample.length;
          const data = arena.alloc(Math.max(1, len), { kind: 'map', name: `${map.name} sample`, flags: MemFlag.READ });
          let dyn = 0;
          try {
            arena.write(data, p.sample);
            dyn = arena.alloc(DYNPTR_SIZE, { kind: 'other', name: `${map.name} dynptr`, flags: MemFlag.READ });
            arena.write(dyn, encodeDynptr({ data: BigInt(data), size: len, offset: 0, type: DynptrType.LOCAL }));
            ret = call.callback(2, [dyn, ctx, 0, 0, 0]);
          } finally {
            if (dyn !== 0) arena.free(dyn);
            arena.free(data);
          }
          map.release(len);
        }
        return samples - discarded;
      } finally {
        map.draining = false;
        if ((flags & BigInt(BPF_RB_FORCE_WAKEUP)) !== 0n || ((flags & BigInt(BPF_RB_NO_WAKEUP)) === 0n && samples > 0)) map.wakeups++;
      }
    },
  },
];
