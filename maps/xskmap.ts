// BPF_MAP_TYPE_XSKMAP (net/xdp/xskmap.c): slot i holds an AF_XDP socket, the target of
// bpf_redirect_map for packets that go to user space through that socket's rings. ebpfvm has no
// AF_XDP sockets (its socket table, vm/sockets.ts, holds TCP and UDP ones), so no slot can be
// filled and every slot stays empty: lookups from programs give NULL and bpf_redirect_map takes
// its fallback action (helpers/redirect.ts), which is what the kernel does for an empty slot.
//
// Kernel rules kept:
//   creation: key_size 4, value_size 4 (a socket fd), max_entries > 0, map_flags only NUMA_NODE,
//     RDONLY, WRONLY: -EINVAL.
//   update from user space (xsk_map_update_elem): flags above BPF_EXIST -EINVAL, an index beyond
//     max_entries -E2BIG, a fd that names no socket -EBADF, a socket that is not AF_XDP (every
//     socket ebpfvm has) -EOPNOTSUPP.
//   lookup from user space: -EOPNOTSUPP (xsk_map_lookup_elem_sys_only). From a program: the
//     socket (PTR_TO_XDP_SOCK) or NULL; here always NULL.
//   delete: an index beyond max_entries -EINVAL, else 0.
//   get_next_key: every index in order (array semantics).
//   programs may not update or delete (check_map_func_compatibility: only lookup and redirect).

import { MapError } from '../src/errors.js';
import { DEV_CREATE_FLAGS } from './common.js';
import { checkFdArraySpec, checkUserValue, nextIndex, u32Of, userIndex } from './fd-array.js';
import { Errno, UpdateFlag, type BpfMap, type MapContext, type MapSpec } from './types.js';
import type { SocketTable } from '../vm/sockets.js';

export class XskMap implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize = 4;
  readonly valueSize = 4;
  readonly maxEntries: number;
  frozen = false;
  private readonly sockets: SocketTable | undefined;

  constructor(spec: MapSpec, ctx: MapContext) {
    checkFdArraySpec(spec, [4], DEV_CREATE_FLAGS);
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.maxEntries = spec.maxEntries;
    this.sockets = ctx.sockets;
  }

  /** Whether bpf_redirect_map finds a socket at `key`: never, as no AF_XDP socket exists here. */
  hasTarget(key: number): boolean {
    void key;
    return false;
  }

  lookupElem(keyAddr: number): number {
    void keyAddr;
    return 0;
  }
  updateElem(): number {
    return -Errno.EINVAL;
  }
  deleteElem(): number {
    return -Errno.EINVAL;
  }

  lookup(key: Uint8Array): Uint8Array | undefined {
    userIndex(this.name, key);
    throw new MapError('an xskmap cannot be read from user space (-EOPNOTSUPP)', this.name, -Errno.EOPNOTSUPP);
  }
  update(key: Uint8Array, value: Uint8Array, flags = 0): number {
    const i = userIndex(this.name, key);
    checkUserValue(this.name, value, this.valueSize);
    if (this.frozen) return -Errno.EPERM;
    if (!Number.isInteger(flags) || flags > UpdateFlag.EXIST || flags < 0) return -Errno.EINVAL;
    if (i >= this.maxEntries) return -Errno.E2BIG;
    // sockfd_lookup takes the value as an int fd
    const fd = u32Of(value) | 0;
    if (fd < 0 || this.sockets?.byFd(fd) === undefined) return -Errno.EBADF;
    return -Errno.EOPNOTSUPP; // not a PF_XDP socket
  }
  delete(key: Uint8Array): number {
    const i = userIndex(this.name, key);
    if (this.frozen) return -Errno.EPERM;
    return i >= this.maxEntries ? -Errno.EINVAL : 0;
  }
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return nextIndex(this.name, key, this.maxEntries);
  }
  destroy(): void {}
}

export const createXskMap = (spec: MapSpec, ctx: MapContext): BpfMap => new XskMap(spec, ctx);
