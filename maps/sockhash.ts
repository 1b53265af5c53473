// BPF_MAP_TYPE_SOCKHASH (net/core/sock_map.c), map operations only: sockets by key of any size.
// Values, socket checks and what user space reads are as BPF_MAP_TYPE_SOCKMAP's
// (maps/sockmap.ts). Differences kept from the kernel:
//   creation: key_size > 0 (-EINVAL) and at most MAX_BPF_STACK, 512 (-E2BIG).
//   update: a new key beyond max_entries -E2BIG (replacing a key's socket always works).
//   delete: a missing key -ENOENT.
//   get_next_key: the kernel walks its hash buckets; ebpfvm walks keys in insertion order (a
//     missing key restarts at the first), a documented difference like the hash map's.

import { MapError } from '../src/errors.js';
import { checkUserBytes, createError, isU32Flags } from './common.js';
import { SOCK_CREATE_FLAGS, cookieBytes, sockInsertable, socketFromProgram, socketFromUserValue } from './sockmap.js';
import { Errno, UpdateFlag, type BpfMap, type MapContext, type MapFactory, type MapSpec } from './types.js';
import type { Socket, SocketStorageOwner, SocketTable } from '../vm/sockets.js';

const MAX_BPF_STACK = 512;
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export class SockHash implements BpfMap, SocketStorageOwner {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  frozen = false;
  private readonly entries = new Map<string, { key: Uint8Array; sock: Socket }>();
  private readonly arena: MapContext['arena'];

  constructor(
    spec: MapSpec,
    ctx: MapContext,
    private readonly sockets: SocketTable,
  ) {
    if (spec.maxEntries === 0 || spec.keySize === 0 || (spec.valueSize !== 4 && spec.valueSize !== 8) || (spec.flags & ~SOCK_CREATE_FLAGS) !== 0) {
      throw createError(spec, 'sockhashes need key_size > 0, value_size 4 or 8, max_entries > 0 and map_flags within NUMA_NODE|RDONLY|WRONLY', Errno.EINVAL);
    }
    if (spec.keySize > MAX_BPF_STACK) throw createError(spec, `key_size ${spec.keySize} above ${MAX_BPF_STACK}`, Errno.E2BIG);
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.keySize = spec.keySize;
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    this.arena = ctx.arena;
    sockets.watch(this);
  }

  socketClosed(sock: Socket): void {
    for (const [k, e] of this.entries) if (e.sock === sock) this.entries.delete(k);
  }

  /** sock_hash_update_common: the socket's psock first (-EBUSY, as sockmap's), then the key. */
  private put(key: Uint8Array, sock: Socket, flags: number): number {
    if (!isU32Flags(flags) || flags > UpdateFlag.EXIST) return -Errno.EINVAL;
    const busy = this.sockets.claimUserData(sock, 'psock');
    if (busy !== 0) return busy;
    const k = hex(key);
    const old = this.entries.get(k);
    const refused = old && flags === UpdateFlag.NOEXIST ? -Errno.EEXIST : !old && flags === UpdateFlag.EXIST ? -Errno.ENOENT : !old && this.entries.size >= this.maxEntries ? -Errno.E2BIG : 0;
    if (refused !== 0) {
      this.sockets.releaseUserData(sock, 'psock');
      return refused;
    }
    if (old) this.sockets.releaseUserData(old.sock, 'psock');
    this.entries.set(k, { key: key.slice(), sock });
    return 0;
  }

  private drop(k: string): boolean {
    const e = this.entries.get(k);
    if (!e) return false;
    this.sockets.releaseUserData(e.sock, 'psock');
    return this.entries.delete(k);
  }

  private keyAt(addr: number): Uint8Array {
    this.arena.check(addr, this.keySize, false);
    return this.arena.read(addr, this.keySize);
  }

  // ---- program side
  lookupElem(keyAddr: number): number {
    return this.entries.get(hex(this.keyAt(keyAddr)))?.sock.addr ?? 0;
  }
  updateElem(keyAddr: number, valueAddr: number, flags: number): number {
    const key = this.keyAt(keyAddr);
    const sock = socketFromProgram(this.sockets, valueAddr);
    if (typeof sock === 'number') return sock;
    const bad = sockInsertable(sock);
    return bad !== 0 ? bad : this.put(key, sock, flags);
  }
  deleteElem(keyAddr: number): number {
    return this.drop(hex(this.keyAt(keyAddr))) ? 0 : -Errno.ENOENT;
  }

  // ---- user side
  lookup(key: Uint8Array): Uint8Array | undefined {
    checkUserBytes(this.spec, 'key', key, this.keySize);
    if (this.valueSize !== 8) throw new MapError('a sockhash with value_size 4 cannot be read from user space (-ENOSPC): its values are fds', this.name, -Errno.ENOSPC);
    const e = this.entries.get(hex(key));
    return e ? cookieBytes(e.sock) : undefined;
  }
  update(key: Uint8Array, value: Uint8Array, flags: number = UpdateFlag.ANY): number {
    checkUserBytes(this.spec, 'key', key, this.keySize);
    checkUserBytes(this.spec, 'value', value, this.valueSize);
    if (this.frozen) return -Errno.EPERM;
    const sock = socketFromUserValue(this.sockets, value);
    if (typeof sock === 'number') return sock;
    const bad = sockInsertable(sock);
    return bad !== 0 ? bad : this.put(key, sock, flags);
  }
  delete(key: Uint8Array): number {
    checkUserBytes(this.spec, 'key', key, this.keySize);
    if (this.frozen) return -Errno.EPERM;
    return this.drop(hex(key)) ? 0 : -Errno.ENOENT;
  }
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    const keys = [...this.entries.values()];
    if (key !== undefined) checkUserBytes(this.spec, 'key', key, this.keySize);
    const i = key === undefined ? -1 : keys.findIndex((e) => hex(e.key) === hex(key));
    return keys[i + 1]?.key.slice();
  }
  destroy(): void {
    for (const e of this.entries.values()) this.sockets.releaseUserData(e.sock, 'psock');
    this.entries.clear();
    this.sockets.unwatch(this);
  }
}

export const createSockHash: MapFactory = (spec, ctx) => {
  if (!ctx.sockets) throw createError(spec, 'this runtime has no socket table', Errno.EINVAL);
  return new SockHash(spec, ctx, ctx.sockets);
};
