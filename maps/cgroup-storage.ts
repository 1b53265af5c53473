// BPF_MAP_TYPE_CGROUP_STORAGE and PERCPU_CGROUP_STORAGE (kernel/bpf/local_storage.c): storage a
// program gets with bpf_get_local_storage (helpers/storage.ts) for the cgroup attachment it runs
// under. In the kernel each attachment of the program to a cgroup links one storage into the
// map (keyed by cgroup inode id and attach type); a test run instead allocates a fresh, zeroed,
// unlinked storage for the run (net/bpf/test_run.c bpf_test_run: bpf_cgroup_storage_alloc), kept
// over its repeats and freed afterwards. ebpfvm has no attachments, so it does exactly what a
// test run does: the storage appears at the run's first bpf_get_local_storage, is shared by the
// repeats of that run and goes when the run ends (Runtime.testRunEnded). A plain execution
// outside a test run keeps using the same storage until the next test run ends.
//
// User space therefore sees what the kernel's map shows with no attachment: nothing. Lookup
// finds no key, update is -ENOENT (flags other than BPF_ANY/BPF_EXIST/BPF_F_LOCK -EINVAL first),
// delete is -EINVAL (never supported), and the key walk is empty.
//
// Creation (cgroup_storage_map_alloc): key_size 16 (struct bpf_cgroup_storage_key, padded) or 8 (the
// cgroup inode id alone), value_size > 0, max_entries 0, map_flags NUMA_NODE and the access
// flags: -EINVAL otherwise; value_size above 65407 (per-CPU: 32 KiB, PCPU_MIN_UNIT_SIZE): -E2BIG.

import { ACCESS_MASK, MAX_PERCPU_VALUE_SIZE, SPIN_LOCK_SIZE, allocElement, checkUserBytes, createError, isU32Flags, roundUp8, valueMemFlags } from './common.js';
import { LOCAL_STORAGE_MAX_VALUE_SIZE } from './local-storage.js';
import { Errno, MapFlag, MapType, UpdateFlag, type BpfMap, type MapContext, type MapFactory, type MapSpec } from './types.js';

export class CgroupStorageMap implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries = 0;
  readonly percpu: boolean;
  frozen = false;
  private readonly arena: MapContext['arena'];
  private readonly ncpus: number;
  /** The current run's storage (per-CPU: ncpus copies of round_up(value_size, 8)), 0 when none. */
  private storage = 0;

  constructor(spec: MapSpec, ctx: MapContext) {
    this.percpu = spec.type === MapType.PERCPU_CGROUP_STORAGE;
    const max = this.percpu ? Math.min(LOCAL_STORAGE_MAX_VALUE_SIZE, MAX_PERCPU_VALUE_SIZE) : LOCAL_STORAGE_MAX_VALUE_SIZE;
    if (spec.keySize !== 16 && spec.keySize !== 8) throw createError(spec, `key_size must be 16 (struct bpf_cgroup_storage_key) or 8 (got ${spec.keySize})`, Errno.EINVAL);
    if (spec.valueSize === 0) throw createError(spec, 'value_size must not be 0', Errno.EINVAL);
    if (spec.valueSize > max) throw createError(spec, `value_size ${spec.valueSize} too large (max ${max})`, Errno.E2BIG);
    const allowed = MapFlag.NUMA_NODE | ACCESS_MASK;
    if ((spec.flags & ~allowed) !== 0) throw createError(spec, `unsupported map_flags 0x${(spec.flags & ~allowed).toString(16)}`, Errno.EINVAL);
    if ((spec.flags & MapFlag.RDONLY) !== 0 && (spec.flags & MapFlag.WRONLY) !== 0) throw createError(spec, 'BPF_F_RDONLY and BPF_F_WRONLY are mutually exclusive', Errno.EINVAL);
    if ((spec.flags & MapFlag.RDONLY_PROG) !== 0 && (spec.flags & MapFlag.WRONLY_PROG) !== 0) throw createError(spec, 'BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG are mutually exclusive', Errno.EINVAL);
    if (spec.maxEntries !== 0) throw createError(spec, `max_entries must be 0 (got ${spec.maxEntries})`, Errno.EINVAL);
    const lk = spec.spinLockOffset;
    if (lk !== undefined && (lk % 4 !== 0 || lk + SPIN_LOCK_SIZE > spec.valueSize)) throw createError(spec, `bpf_spin_lock at offset ${lk} does not fit the value`, Errno.EINVAL);
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.keySize = spec.keySize;
    this.valueSize = spec.valueSize;
    this.arena = ctx.arena;
    this.ncpus = ctx.ncpus;
  }

  private get stride(): number {
    return this.percpu ? roundUp8(this.valueSize) : this.valueSize;
  }

  /** bpf_get_local_storage: this CPU's copy of the run's storage (allocated zeroed at the run's
   *  first call), or 0 when the arena cannot hold it. */
  runStorage(cpu: number): number {
    if (this.storage === 0) {
      const total = this.stride * (this.percpu ? this.ncpus : 1);
      const addr = allocElement(this.arena, total, `${this.name} storage`, valueMemFlags(this.spec.flags));
      if (addr === 0) return 0;
      this.arena.zero(addr, total);
      const lk = this.spec.spinLockOffset;
      if (lk !== undefined && !this.percpu) this.arena.protect(addr + lk, SPIN_LOCK_SIZE);
      this.storage = addr;
    }
    return this.percpu ? this.storage + cpu * this.stride : this.storage;
  }

  /** The test run ended: its storage goes (bpf_cgroup_storage_free). */
  testRunEnded(): void {
    this.freeStorage();
  }

  spinLockAt(addr: number): boolean {
    const lk = this.spec.spinLockOffset;
    return lk !== undefined && !this.percpu && this.storage !== 0 && addr === this.storage + lk;
  }

  // ---- program side: only bpf_get_local_storage takes these maps (check_map_func_compatibility)
  lookupElem(): number {
    return 0;
  }
  updateElem(): number {
    return -Errno.EINVAL;
  }
  deleteElem(): number {
    return -Errno.EINVAL;
  }

  // ---- user side: no attachment, so no storage in the map
  lookup(key: Uint8Array): Uint8Array | undefined {
    checkUserBytes(this.spec, 'key', key, this.keySize);
    return undefined;
  }
  update(key: Uint8Array, value: Uint8Array, flags: number = UpdateFlag.ANY): number {
    checkUserBytes(this.spec, 'key', key, this.keySize);
    checkUserBytes(this.spec, 'value', value, this.percpu ? roundUp8(this.valueSize) * this.ncpus : this.valueSize);
    if (!isU32Flags(flags) || (flags & ~(UpdateFlag.F_LOCK | UpdateFlag.EXIST)) !== 0) return -Errno.EINVAL;
    if ((flags & UpdateFlag.F_LOCK) !== 0 && this.spec.spinLockOffset === undefined) return -Errno.EINVAL;
    if (this.frozen) return -Errno.EPERM;
    return -Errno.ENOENT;
  }
  delete(key: Uint8Array): number {
    checkUserBytes(this.spec, 'key', key, this.keySize);
    return -Errno.EINVAL;
  }
  nextKey(_key: Uint8Array | undefined): Uint8Array | undefined {
    return undefined;
  }
  destroy(): void {
    this.freeStorage();
  }

  private freeStorage(): void {
    if (this.storage === 0) return;
    const lk = this.spec.spinLockOffset;
    if (lk !== undefined && !this.percpu) this.arena.unprotect(this.storage + lk, SPIN_LOCK_SIZE);
    this.arena.free(this.storage);
    this.storage = 0;
  }
}

export const createCgroupStorageMap: MapFactory = (spec, ctx) => new CgroupStorageMap(spec, ctx);
