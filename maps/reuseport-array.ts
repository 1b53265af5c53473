// BPF_MAP_TYPE_REUSEPORT_SOCKARRAY (kernel/bpf/reuseport_array.c): slot i holds a socket of a
// reuseport group, for sk_reuseport programs to pick with bpf_sk_select_reuseport. User space
// stores a socket by fd (the runtime's socket table, vm/sockets.ts) and reads back its cookie;
// programs cannot look up, update or delete (check_map_func_compatibility allows only
// bpf_sk_select_reuseport, which the verifier checks in helpers/map-compat).
//
// Kernel rules kept:
//   creation (reuseport_array_alloc_check, array_map_alloc_check): key_size 4, value_size 4 or 8
//     (a fd; with 8 user space reads the cookie back), max_entries > 0, map_flags within
//     NUMA_NODE and the access bits (RDONLY/WRONLY, RDONLY_PROG/WRONLY_PROG, each pair
//     exclusive): -EINVAL.
//   update (bpf_fd_reuseport_array_update_elem): flags above BPF_EXIST -EINVAL, an index beyond
//     max_entries -E2BIG, a u64 fd above S32_MAX -EINVAL, a fd that names no socket -EBADF; then
//     (reuseport_array_update_check) NOEXIST on a taken slot -EEXIST, EXIST on an empty one
//     -ENOENT, a socket that is not in a reuseport group (SO_REUSEPORT on a listening TCP or a
//     bound UDP socket) -EINVAL, a socket already in a slot of any reuseport array, or in a
//     sockmap or sockhash, -EBUSY (its sk_user_data points at that slot, or at the sockmap's
//     psock; SocketTable.claimUserData). A replaced socket leaves its slot.
//   lookup from user space: value_size 4 -ENOSPC (MapError), else the socket's cookie; an empty
//     slot or an index beyond max_entries: not found.
//   delete: an index beyond max_entries -E2BIG, an empty slot -ENOENT.
//   get_next_key: every index in order (array semantics).
// A socket that goes away (SocketTable.close; the kernel's bpf_sk_reuseport_detach at unhash)
// leaves its slot.

import { MapError } from '../src/errors.js';
import { ACCESS_MASK, checkUserBytes, createError, isU32Flags } from './common.js';
import { cookieBytes } from './sockmap.js';
import { Errno, MapFlag, UpdateFlag, type BpfMap, type MapContext, type MapFactory, type MapSpec } from './types.js';
import { IPPROTO_TCP, IPPROTO_UDP, TcpState, type Socket, type SocketStorageOwner, type SocketTable } from '../vm/sockets.js';

const CREATE_FLAGS = MapFlag.NUMA_NODE | ACCESS_MASK;

/** sk_hashed and sk_reuseport_cb: SO_REUSEPORT on a listening TCP socket or a bound UDP one. */
function inReuseportGroup(sock: Socket): boolean {
  if (!sock.reuseport) return false;
  if (sock.protocol === IPPROTO_TCP) return sock.state === TcpState.listen;
  return sock.protocol === IPPROTO_UDP && sock.srcPort !== 0;
}

export class ReuseportArray implements BpfMap, SocketStorageOwner {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize = 4;
  readonly valueSize: number;
  readonly maxEntries: number;
  frozen = false;
  private readonly slots = new Map<number, Socket>();

  constructor(
    spec: MapSpec,
    private readonly sockets: SocketTable,
  ) {
    if (spec.keySize !== 4 || (spec.valueSize !== 4 && spec.valueSize !== 8) || spec.maxEntries === 0 || (spec.flags & ~CREATE_FLAGS) !== 0) {
      throw createError(spec, 'reuseport arrays need key_size 4, value_size 4 or 8, max_entries > 0 and map_flags within NUMA_NODE and the access flags', Errno.EINVAL);
    }
    const f = spec.flags;
    if ((f & MapFlag.RDONLY && f & MapFlag.WRONLY) || (f & MapFlag.RDONLY_PROG && f & MapFlag.WRONLY_PROG)) {
      throw createError(spec, 'BPF_F_RDONLY and BPF_F_WRONLY (or their _PROG forms) are mutually exclusive', Errno.EINVAL);
    }
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    sockets.watch(this);
  }

  socketClosed(sock: Socket): void {
    for (const [i, s] of this.slots) if (s === sock) this.drop(i);
  }

  /** The socket in slot `i` (bpf_sk_select_reuseport's lookup), if any. */
  socketAt(i: number): Socket | undefined {
    return this.slots.get(i);
  }

  private drop(i: number): void {
    const s = this.slots.get(i);
    if (s) this.sockets.releaseUserData(s, 'reuseport');
    this.slots.delete(i);
  }

  // ---- program side: check_map_func_compatibility lets no program reach these
  lookupElem(): number {
    return 0;
  }
  updateElem(): number {
    return -Errno.EINVAL;
  }
  deleteElem(): number {
    return -Errno.EINVAL;
  }

  // ---- user side
  lookup(key: Uint8Array): Uint8Array | undefined {
    const idx = this.userKey(key);
    if (this.valueSize !== 8) throw new MapError('a reuseport array with value_size 4 cannot be read from user space (-ENOSPC): its values are fds', this.name, -Errno.ENOSPC);
    const s = this.slots.get(idx);
    return s ? cookieBytes(s) : undefined;
  }

  update(key: Uint8Array, value: Uint8Array, flags: number = UpdateFlag.ANY): number {
    const idx = this.userKey(key);
    checkUserBytes(this.spec, 'value', value, this.valueSize);
    if (this.frozen) return -Errno.EPERM;
    if (!isU32Flags(flags) || flags > UpdateFlag.EXIST) return -Errno.EINVAL;
    if (idx >= this.maxEntries) return -Errno.E2BIG;
    const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
    let fd: number;
    if (this.valueSize === 8) {
      const fd64 = dv.getBigUint64(0, true);
      if (fd64 > 0x7fffffffn) return -Errno.EINVAL;
      fd = Number(fd64);
    } else {
      fd = dv.getInt32(0, true); // an int: a negative fd names no file (-EBADF)
    }
    const sock = fd < 0 ? undefined : this.sockets.byFd(fd);
    if (!sock) return -Errno.EBADF;
    const old = this.slots.get(idx);
    if (old && flags === UpdateFlag.NOEXIST) return -Errno.EEXIST;
    if (!old && flags === UpdateFlag.EXIST) return -Errno.ENOENT;
    // every socket of the table is an AF_INET/AF_INET6 TCP or UDP one (no -ENOTSUPP case)
    if (!inReuseportGroup(sock)) return -Errno.EINVAL;
    const busy = this.sockets.claimUserData(sock, 'reuseport');
    if (busy !== 0) return busy;
    if (old) this.drop(idx);
    this.slots.set(idx, sock);
    return 0;
  }

  delete(key: Uint8Array): number {
    const idx = this.userKey(key);
    if (this.frozen) return -Errno.EPERM;
    if (idx >= this.maxEntries) return -Errno.E2BIG;
    if (!this.slots.has(idx)) return -Errno.ENOENT;
    this.drop(idx);
    return 0;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    const i = key === undefined ? 0xffffffff : this.userKey(key);
    if (i === this.maxEntries - 1) return undefined;
    const next = i >= this.maxEntries ? 0 : i + 1;
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, next, true);
    return out;
  }

  destroy(): void {
    for (const i of [...this.slots.keys()]) this.drop(i);
    this.sockets.unwatch(this);
  }

  private userKey(key: Uint8Array): number {
    checkUserBytes(this.spec, 'key', key, 4);
    return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  }
}

export const createReuseportArray: MapFactory = (spec, ctx: MapContext) => {
  if (!ctx.sockets) throw createError(spec, 'this runtime has no socket table', Errno.EINVAL);
  return new ReuseportArray(spec, ctx.sockets);
};
