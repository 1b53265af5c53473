// BPF_MAP_TYPE_SOCKMAP (net/core/sock_map.c), map operations only: an array of sockets. User
// space stores a socket by fd (the runtime's socket table, vm/sockets.ts) and reads back its
// cookie; programs look a socket up (its pointer) and may store one they hold. The redirect
// helpers (sk_redirect_map, msg_redirect_map, sock_map_update) and the sk_skb/sk_msg program
// types that use them are not implemented.
//
// Kernel rules kept:
//   creation: key_size 4, value_size 4 or 8 (a fd, or a fd read back as a u64 cookie),
//     0 < max_entries <= INT_MAX, map_flags only NUMA_NODE, RDONLY, WRONLY: -EINVAL.
//   update (sock_map_update_elem_sys / sock_map_update_elem): a fd above S32_MAX -EINVAL, a fd
//     that names no socket -EBADF; a program's value must be a full socket (-EINVAL); the socket
//     must be a TCP one in ESTABLISHED or LISTEN, or a bound (non-zero local port) UDP one:
//     -EOPNOTSUPP; flags above BPF_EXIST -EINVAL; an index beyond max_entries -E2BIG;
//     NOEXIST on a taken slot -EEXIST, EXIST on an empty one -ENOENT.
//   lookup from user space: -ENOSPC with value_size 4 (MapError), the socket's cookie with 8;
//     an empty slot: not found. From a program: the socket's pointer or NULL.
//   delete: an index beyond max_entries or an empty slot: -EINVAL (not -ENOENT).
//   a socket in a reuseport array cannot be added (-EBUSY before the slot checks: its
//     sk_user_data is taken; SocketTable.claimUserData), nor the other way round.
//   get_next_key: every index in order, empty or not (array semantics).
// A socket that goes away (SocketTable.close) leaves every map it was in.

import { MapError } from '../src/errors.js';
import { checkUserBytes, createError, isU32Flags } from './common.js';
import { Errno, MapFlag, UpdateFlag, type BpfMap, type MapContext, type MapFactory, type MapSpec } from './types.js';
import { IPPROTO_TCP, IPPROTO_UDP, TcpState, type Socket, type SocketStorageOwner, type SocketTable } from '../vm/sockets.js';

export const SOCK_CREATE_FLAGS = MapFlag.NUMA_NODE | MapFlag.RDONLY | MapFlag.WRONLY;

/** sock_map_sk_state_allowed (and sk_fullsock for a program's socket): 0 or a negative errno. */
export function sockInsertable(sock: Socket): number {
  if (sock.protocol === IPPROTO_TCP) return sock.state === TcpState.established || sock.state === TcpState.listen ? 0 : -Errno.EOPNOTSUPP;
  if (sock.protocol === IPPROTO_UDP) return sock.srcPort !== 0 ? 0 : -Errno.EOPNOTSUPP;
  return -Errno.EOPNOTSUPP;
}

/** The socket a user-space value (a fd, u32 or u64) names, or a negative errno. */
export function socketFromUserValue(sockets: SocketTable, value: Uint8Array): Socket | number {
  const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const fd = value.length === 8 ? dv.getBigUint64(0, true) : BigInt(dv.getUint32(0, true));
  if (fd > 0x7fffffffn) return -Errno.EINVAL;
  return sockets.byFd(Number(fd)) ?? -Errno.EBADF;
}

/** The socket at a program's value pointer (struct sock *), or a negative errno (sk_fullsock). */
export function socketFromProgram(sockets: SocketTable, addr: number): Socket | number {
  const s = addr === 0 ? undefined : sockets.byAddress(addr);
  if (!s || s.state === TcpState.time_wait || s.state === TcpState.new_syn_recv) return -Errno.EINVAL;
  return s;
}

/** A cookie as user space reads it (u64). */
export function cookieBytes(sock: Socket): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, sock.cookie, true);
  return out;
}

export class SockMap implements BpfMap, SocketStorageOwner {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize = 4;
  readonly valueSize: number;
  readonly maxEntries: number;
  frozen = false;
  private readonly slots = new Map<number, Socket>();
  private readonly arena: MapContext['arena'];

  constructor(
    spec: MapSpec,
    ctx: MapContext,
    private readonly sockets: SocketTable,
  ) {
    if (spec.maxEntries === 0 || spec.maxEntries > 0x7fffffff || spec.keySize !== 4 || (spec.valueSize !== 4 && spec.valueSize !== 8) || (spec.flags & ~SOCK_CREATE_FLAGS) !== 0) {
      throw createError(spec, 'sockmaps need key_size 4, value_size 4 or 8, 0 < max_entries <= INT_MAX and map_flags within NUMA_NODE|RDONLY|WRONLY', Errno.EINVAL);
    }
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    this.arena = ctx.arena;
    sockets.watch(this);
  }

  socketClosed(sock: Socket): void {
    for (const [i, s] of this.slots) if (s === sock) this.slots.delete(i);
  }

  /** sock_map_update_common: the socket's psock first (sock_map_link: -EBUSY when its
   *  sk_user_data is a reuseport array's), then the slot. */
  private put(idx: number, sock: Socket, flags: number): number {
    if (!isU32Flags(flags) || flags > UpdateFlag.EXIST) return -Errno.EINVAL;
    if (idx >= this.maxEntries) return -Errno.E2BIG;
    const busy = this.sockets.claimUserData(sock, 'psock');
    if (busy !== 0) return busy;
    const old = this.slots.get(idx);
    const refused = old && flags === UpdateFlag.NOEXIST ? -Errno.EEXIST : !old && flags === UpdateFlag.EXIST ? -Errno.ENOENT : 0;
    if (refused !== 0) {
      this.sockets.releaseUserData(sock, 'psock');
      return refused;
    }
    if (old) this.sockets.releaseUserData(old, 'psock');
    this.slots.set(idx, sock);
    return 0;
  }

  private remove(idx: number): number {
    const old = this.slots.get(idx);
    if (idx >= this.maxEntries || !old) return -Errno.EINVAL;
    this.sockets.releaseUserData(old, 'psock');
    this.slots.delete(idx);
    return 0;
  }

  // ---- program side
  lookupElem(keyAddr: number): number {
    this.arena.check(keyAddr, 4, false);
    return this.slots.get(this.arena.dv.getUint32(keyAddr, true))?.addr ?? 0;
  }
  updateElem(keyAddr: number, valueAddr: number, flags: number): number {
    this.arena.check(keyAddr, 4, false);
    const sock = socketFromProgram(this.sockets, valueAddr);
    if (typeof sock === 'number') return sock;
    const bad = sockInsertable(sock);
    return bad !== 0 ? bad : this.put(this.arena.dv.getUint32(keyAddr, true), sock, flags);
  }
  deleteElem(keyAddr: number): number {
    this.arena.check(keyAddr, 4, false);
    return this.remove(this.arena.dv.getUint32(keyAddr, true));
  }

  // ---- user side
  lookup(key: Uint8Array): Uint8Array | undefined {
    const idx = this.userKey(key);
    if (this.valueSize !== 8) throw new MapError('a sockmap with value_size 4 cannot be read from user space (-ENOSPC): its values are fds', this.name, -Errno.ENOSPC);
    const s = this.slots.get(idx);
    return s ? cookieBytes(s) : undefined;
  }
  update(key: Uint8Array, value: Uint8Array, flags: number = UpdateFlag.ANY): number {
    const idx = this.userKey(key);
    checkUserBytes(this.spec, 'value', value, this.valueSize);
    if (this.frozen) return -Errno.EPERM;
    const sock = socketFromUserValue(this.sockets, value);
    if (typeof sock === 'number') return sock;
    const bad = sockInsertable(sock);
    return bad !== 0 ? bad : this.put(idx, sock, flags);
  }
  delete(key: Uint8Array): number {
    const idx = this.userKey(key);
    if (this.frozen) return -Errno.EPERM;
    return this.remove(idx);
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
    for (const sock of this.slots.values()) this.sockets.releaseUserData(sock, 'psock');
    this.slots.clear();
    this.sockets.unwatch(this);
  }

  private userKey(key: Uint8Array): number {
    checkUserBytes(this.spec, 'key', key, 4);
    return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  }
}

export const createSockMap: MapFactory = (spec, ctx) => {
  if (!ctx.sockets) throw createError(spec, 'this runtime has no socket table', Errno.EINVAL);
  return new SockMap(spec, ctx, ctx.sockets);
};
