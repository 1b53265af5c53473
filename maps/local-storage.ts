// The core of the local-storage maps (kernel/bpf/bpf_local_storage.c): BPF_MAP_TYPE_SK_STORAGE,
// TASK_STORAGE (and the kernel's INODE_STORAGE and CGRP_STORAGE, which ebpfvm does not model).
// Such a map holds at most one value per *owner* (a socket, a task); the owner is what the
// program passes to the get/delete helpers and what user space names with the int key (a socket
// fd, a pidfd). There is no iteration: get_next_key is -ENOTSUPP in the kernel, and here the
// key walk is empty.
//
// Kernel rules kept (6.12 bpf_local_storage_map_alloc_check, bpf_local_storage_update):
//   creation: map_flags only BPF_F_NO_PREALLOC (required) and BPF_F_CLONE, max_entries 0,
//     key_size 4, value_size > 0, BTF key and value types: -EINVAL; value_size above
//     BPF_LOCAL_STORAGE_MAX_VALUE_SIZE (65535 less the 128-byte element header): -E2BIG.
//   update: flags other than BPF_ANY/NOEXIST/EXIST (plus BPF_F_LOCK on a value holding a
//     bpf_spin_lock): -EINVAL; NOEXIST on an existing value -EEXIST, EXIST on a missing one
//     -ENOENT. Values are copied without the spin-lock word (copy_map_value).
//   delete: -ENOENT when the owner has no value here.
// Values are arena allocations, so the pointer a get helper returns is the value itself; a
// value is freed when it is deleted, when its owner goes away (a test run's socket at the end of
// the run) or with the map. Deviation: the kernel frees a deleted value after an RCU grace
// period, so a program may still read it through a pointer taken before the delete; here the
// memory goes at once and such a read faults (in unverified mode).

import { MapError } from '../src/errors.js';
import { allocElement, checkProgWritable, checkUserBytes, copyValueIn, copyValueOut, createError, isU32Flags, SPIN_LOCK_SIZE, valueMemFlags } from './common.js';
import { Errno, MapFlag, UpdateFlag, type BpfMap, type MapContext, type MapSpec } from './types.js';

/** BPF_F_CLONE (uapi): clone the socket's storage into a child socket. */
export const BPF_F_CLONE = 1 << 9;
/** bpf_sk_storage_get / bpf_task_storage_get flag: create the value when absent. */
export const BPF_LOCAL_STORAGE_GET_F_CREATE = 1;
/** sizeof(struct bpf_local_storage_elem) on x86-64: the data sits in its own cache line. */
export const LOCAL_STORAGE_ELEM_SIZE = 128;
/** offsetof(struct bpf_local_storage_elem, sdata.data): what an element costs beyond its value
 *  (smap->elem_size = this + value_size). */
export const LOCAL_STORAGE_ELEM_DATA_OFFSET = 72;
/** BPF_LOCAL_STORAGE_MAX_VALUE_SIZE: min(KMALLOC_MAX_SIZE - MAX_BPF_STACK - elem, U16_MAX - elem). */
export const LOCAL_STORAGE_MAX_VALUE_SIZE = 0xffff - LOCAL_STORAGE_ELEM_SIZE;

/** How one storage flavour finds owners: from the int key user space gives, and how much each
 *  owner may hold (sockets are charged against optmem_max). */
export interface OwnerModel<O> {
  /** What the owner kind is called in messages ('socket', 'task'). */
  readonly what: string;
  /** The owner the user-space key names, or a negative errno (bad fd: -EBADF). */
  ownerFromKey(key: number): O | number;
  /** Charge one element of `bytes` to the owner: 0, or a negative errno (the kernel's -ENOMEM). */
  charge?(owner: O, bytes: number): number;
  uncharge?(owner: O, bytes: number): void;
}

/** What a local-storage map keeps per owner. */
interface Elem {
  addr: number;
}

export class LocalStorageMap<O> implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize = 4;
  readonly valueSize: number;
  readonly maxEntries = 0;
  frozen = false;
  protected readonly arena: MapContext['arena'];
  private readonly values = new Map<O, Elem>();
  private destroyed = false;

  constructor(
    spec: MapSpec,
    ctx: MapContext,
    protected readonly owners: OwnerModel<O>,
  ) {
    const allowed = MapFlag.NO_PREALLOC | BPF_F_CLONE;
    if ((spec.flags & ~allowed) !== 0) throw createError(spec, `unsupported map_flags 0x${(spec.flags & ~allowed).toString(16)} (local storage takes BPF_F_NO_PREALLOC and BPF_F_CLONE)`, Errno.EINVAL);
    if ((spec.flags & MapFlag.NO_PREALLOC) === 0) throw createError(spec, 'local storage maps need BPF_F_NO_PREALLOC', Errno.EINVAL);
    if (spec.maxEntries !== 0) throw createError(spec, `max_entries must be 0 (got ${spec.maxEntries})`, Errno.EINVAL);
    if (spec.keySize !== 4) throw createError(spec, `key_size must be 4, an int fd (got ${spec.keySize})`, Errno.EINVAL);
    if (spec.valueSize === 0) throw createError(spec, 'value_size must not be 0', Errno.EINVAL);
    if (!spec.btfKeyTypeId || !spec.btfValueTypeId) throw createError(spec, 'local storage maps need BTF key and value types', Errno.EINVAL);
    if (spec.valueSize > LOCAL_STORAGE_MAX_VALUE_SIZE) throw createError(spec, `value_size ${spec.valueSize} too large (max ${LOCAL_STORAGE_MAX_VALUE_SIZE})`, Errno.E2BIG);
    const lk = spec.spinLockOffset;
    if (lk !== undefined && (lk % 4 !== 0 || lk + SPIN_LOCK_SIZE > spec.valueSize)) throw createError(spec, `bpf_spin_lock at offset ${lk} does not fit the value`, Errno.EINVAL);
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.valueSize = spec.valueSize;
    this.arena = ctx.arena;
  }

  /** Number of owners holding a value (for tests and dumps). */
  get size(): number {
    return this.values.size;
  }

  // ---- the operations the helpers use (owner already resolved) ----

  /** The value's arena address for this owner, or 0. */
  lookupOwner(owner: O): number {
    return this.values.get(owner)?.addr ?? 0;
  }

  /** bpf_local_storage_update: the value's address, or a negative errno. `src` is the source
   *  value (arena address or bytes), undefined for a zeroed one. */
  updateOwner(owner: O, src: number | Uint8Array | undefined, flags: number): number {
    if (!isU32Flags(flags)) return -Errno.EINVAL;
    const lock = (flags & UpdateFlag.F_LOCK) !== 0;
    const base = flags & ~UpdateFlag.F_LOCK;
    if (base > UpdateFlag.EXIST || (lock && this.spec.spinLockOffset === undefined)) return -Errno.EINVAL;
    const old = this.values.get(owner);
    if (old && base === UpdateFlag.NOEXIST) return -Errno.EEXIST;
    if (!old && base === UpdateFlag.EXIST) return -Errno.ENOENT;
    if (old) {
      // the kernel links a fresh element in place of the old one; the value a program sees is
      // the same either way, and keeping the address keeps its lock word protected
      this.copyIn(old.addr, src);
      return old.addr;
    }
    const bytes = LOCAL_STORAGE_ELEM_DATA_OFFSET + this.valueSize;
    const charged = this.owners.charge?.(owner, bytes) ?? 0;
    if (charged !== 0) return charged;
    const addr = allocElement(this.arena, this.valueSize, `${this.name} value`, valueMemFlags(this.spec.flags));
    if (addr === 0) {
      this.owners.uncharge?.(owner, bytes);
      return -Errno.ENOMEM;
    }
    this.arena.zero(addr, this.valueSize);
    this.copyIn(addr, src);
    const lk = this.spec.spinLockOffset;
    if (lk !== undefined) this.arena.protect(addr + lk, SPIN_LOCK_SIZE);
    this.values.set(owner, { addr });
    return addr;
  }

  /** Drop the owner's value: 0 or -ENOENT. */
  deleteOwner(owner: O): number {
    const e = this.values.get(owner);
    if (!e) return -Errno.ENOENT;
    this.values.delete(owner);
    this.release(owner, e);
    return 0;
  }

  /** The owner goes away (socket closed): its value with it. */
  ownerGone(owner: O): void {
    this.deleteOwner(owner);
  }

  spinLockAt(addr: number): boolean {
    const lk = this.spec.spinLockOffset;
    if (lk === undefined || this.destroyed) return false;
    for (const e of this.values.values()) if (e.addr + lk === addr) return true;
    return false;
  }

  // ---- program side: the generic map helpers are refused for these maps by the verifier
  // (check_map_func_compatibility); an unverified call gets what the kernel's map ops give
  // (lookup by fd makes no sense from a program: NULL; update/delete -EOPNOTSUPP).

  lookupElem(_keyAddr: number, _cpu: number): number {
    return 0;
  }
  updateElem(): number {
    checkProgWritable(this.spec);
    return -Errno.EOPNOTSUPP;
  }
  deleteElem(): number {
    return -Errno.EOPNOTSUPP;
  }

  // ---- user side: the key is an int naming the owner ----

  lookup(key: Uint8Array): Uint8Array | undefined {
    const owner = this.userOwner(key);
    const e = this.values.get(owner);
    if (!e) return undefined;
    const out = new Uint8Array(this.valueSize);
    copyValueOut(this.arena.u8, e.addr, out, 0, this.valueSize, this.spec.spinLockOffset);
    return out;
  }

  update(key: Uint8Array, value: Uint8Array, flags: number = UpdateFlag.ANY): number {
    const owner = this.userOwner(key);
    checkUserBytes(this.spec, 'value', value, this.valueSize);
    if (this.frozen) return -Errno.EPERM;
    const r = this.updateOwner(owner, value, flags);
    return r < 0 ? r : 0;
  }

  delete(key: Uint8Array): number {
    const owner = this.userOwner(key);
    if (this.frozen) return -Errno.EPERM;
    return this.deleteOwner(owner);
  }

  /** The kernel answers -ENOTSUPP (there is no key order); the walk here is empty. */
  nextKey(_key: Uint8Array | undefined): Uint8Array | undefined {
    return undefined;
  }

  destroy(): void {
    if (this.destroyed) return;
    for (const [owner, e] of this.values) this.release(owner, e);
    this.values.clear();
    this.destroyed = true;
  }

  private release(owner: O, e: Elem): void {
    const lk = this.spec.spinLockOffset;
    if (lk !== undefined) this.arena.unprotect(e.addr + lk, SPIN_LOCK_SIZE);
    this.arena.free(e.addr);
    this.owners.uncharge?.(owner, LOCAL_STORAGE_ELEM_DATA_OFFSET + this.valueSize);
  }

  private copyIn(dst: number, src: number | Uint8Array | undefined): void {
    if (src === undefined) return;
    if (typeof src === 'number') copyValueIn(this.arena.u8, dst, this.arena.u8, src, this.valueSize, this.spec.spinLockOffset);
    else copyValueIn(this.arena.u8, dst, src, 0, this.valueSize, this.spec.spinLockOffset);
  }

  private userOwner(key: Uint8Array): O {
    checkUserBytes(this.spec, 'key', key, 4);
    const k = new DataView(key.buffer, key.byteOffset, 4).getInt32(0, true);
    const owner = this.owners.ownerFromKey(k);
    if (typeof owner === 'number') throw new MapError(`no ${this.owners.what} ${k} (key names a ${this.owners.what} by fd)`, this.name, owner);
    return owner;
  }
}
