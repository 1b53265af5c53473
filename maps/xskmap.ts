// BPF_MAP_TYPE_XSKMAP (net/xdp/xskmap.c): slot i holds an AF_XDP socket, the target of
// bpf_redirect_map for packets that go to user space through that socket's rings. The sockets are
// the runtime's described 'xdp' sockets (vm/sockets.ts: `{"proto": "xdp", "queueId": N}`), which
// user space puts in slots by fd as it would an AF_XDP socket's fd.
//
// Kernel rules kept (checked against the 6.18 host with unbound AF_XDP sockets:
// test/fixtures/xskmap/m_xskmap.json, scripts/record-xskmap.py):
//   creation: key_size 4, value_size 4 (a socket fd), max_entries > 0, map_flags only NUMA_NODE,
//     RDONLY, WRONLY: -EINVAL.
//   update from user space (xsk_map_update_elem): flags above BPF_EXIST -EINVAL, an index beyond
//     max_entries -E2BIG, a fd that names no socket -EBADF, a socket that is not AF_XDP
//     -EOPNOTSUPP; the socket already in the slot is 0 whatever the flags, another one with
//     BPF_NOEXIST -EEXIST, an empty slot with BPF_EXIST -ENOENT. The kernel does not ask for a
//     bound socket, and neither does this.
//   lookup from user space: -EOPNOTSUPP (xsk_map_lookup_elem_sys_only). From a program: the
//     socket's struct bpf_xdp_sock (PTR_TO_XDP_SOCK: queue_id) or NULL (empty, or beyond).
//   delete: an index beyond max_entries -EINVAL, else 0 (empty or not).
//   get_next_key: every index in order (array semantics).
//   programs may not update or delete (check_map_func_compatibility: only lookup and redirect).
//   a socket that goes away leaves every slot it was in (xsk_delete_from_maps).
// Not modelled: the socket's rings. A test run without BPF_F_TEST_XDP_LIVE_FRAMES (the only kind
// ebpfvm has) ends at the program's verdict, so XDP_REDIRECT into a socket delivers nothing, as
// on the host; docs/test-runs.md says why live delivery is out of scope.

import { MapError } from '../src/errors.js';
import { DEV_CREATE_FLAGS } from './common.js';
import { checkFdArraySpec, checkUserValue, nextIndex, u32Of, userIndex } from './fd-array.js';
import { Errno, UpdateFlag, type BpfMap, type MapContext, type MapSpec } from './types.js';
import { AF_XDP, type Socket, type SocketStorageOwner, type SocketTable } from '../vm/sockets.js';
import type { Arena } from '../vm/memory.js';

export class XskMap implements BpfMap, SocketStorageOwner {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize = 4;
  readonly valueSize = 4;
  readonly maxEntries: number;
  frozen = false;
  private readonly sockets: SocketTable | undefined;
  private readonly arena: Arena;
  private readonly slots = new Map<number, Socket>();

  constructor(spec: MapSpec, ctx: MapContext) {
    checkFdArraySpec(spec, [4], DEV_CREATE_FLAGS);
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.maxEntries = spec.maxEntries;
    this.sockets = ctx.sockets;
    this.arena = ctx.arena;
    this.sockets?.watch(this);
  }

  /** Whether bpf_redirect_map finds a socket at `key` (the u32 key __xsk_map_lookup_elem takes). */
  hasTarget(key: number): boolean {
    return this.slots.has(key);
  }

  /** The socket in slot `key`, if any (for tests and --dump-maps). */
  socketAt(key: number): Socket | undefined {
    return this.slots.get(key);
  }

  /** A program's lookup: the socket's struct bpf_xdp_sock, or NULL. */
  lookupElem(keyAddr: number): number {
    this.arena.check(keyAddr, 4, false);
    return this.slots.get(this.arena.dv.getUint32(keyAddr, true))?.addr ?? 0;
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
    const sock = fd < 0 ? undefined : this.sockets?.byFd(fd);
    if (sock === undefined) return -Errno.EBADF;
    if (sock.family !== AF_XDP) return -Errno.EOPNOTSUPP;
    const old = this.slots.get(i);
    if (old === sock) return 0;
    if (old !== undefined && flags === UpdateFlag.NOEXIST) return -Errno.EEXIST;
    if (old === undefined && flags === UpdateFlag.EXIST) return -Errno.ENOENT;
    this.slots.set(i, sock);
    return 0;
  }
  delete(key: Uint8Array): number {
    const i = userIndex(this.name, key);
    if (this.frozen) return -Errno.EPERM;
    if (i >= this.maxEntries) return -Errno.EINVAL;
    this.slots.delete(i);
    return 0;
  }
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return nextIndex(this.name, key, this.maxEntries);
  }
  socketClosed(sock: Socket): void {
    for (const [i, s] of this.slots) if (s === sock) this.slots.delete(i);
  }
  destroy(): void {
    this.slots.clear();
    this.sockets?.unwatch(this);
  }
}

export const createXskMap = (spec: MapSpec, ctx: MapContext): BpfMap => new XskMap(spec, ctx);
