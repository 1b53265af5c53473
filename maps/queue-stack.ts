// The core of BPF_MAP_TYPE_QUEUE and BPF_MAP_TYPE_STACK (kernel/bpf/queue_stack_maps.c): a ring of
// max_entries + 1 slots, values only (key_size 0). Queue pops the oldest value, stack the newest.
// Push with BPF_EXIST on a full map drops the oldest value (for a stack too: the bottom one);
// without it a full map is -E2BIG. Pop/peek on an empty map are -ENOENT. User space reaches the
// same operations through the syscall commands: lookup = peek, update = push,
// lookup_and_delete = pop; delete and get_next_key are -EINVAL, as in the kernel.
//
// Values never need arena addresses (programs get copies), so they live in one JS byte array.

import { MapError } from '../src/errors.js';
import { ACCESS_MASK, createError, isU32Flags } from './common.js';
import { Errno, MapFlag, UpdateFlag, type BpfMap, type MapContext, type MapSpec } from './types.js';

/** KMALLOC_MAX_SIZE on x86-64 with 4 KiB pages. */
const KMALLOC_MAX_SIZE = 1 << 22;

export class QueueStackMap implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize = 0;
  readonly valueSize: number;
  readonly maxEntries: number;
  frozen = false;
  private readonly ring: Uint8Array;
  /** Slots in the ring: max_entries + 1, so head === tail means empty. */
  private readonly size: number;
  private head = 0; // next slot to write
  private tail = 0; // oldest value
  private readonly arena: MapContext['arena'];

  constructor(
    spec: MapSpec,
    ctx: MapContext,
    private readonly lifo: boolean,
  ) {
    if (spec.maxEntries === 0 || spec.keySize !== 0 || spec.valueSize === 0) {
      throw createError(spec, 'needs key_size 0, value_size > 0 and max_entries > 0', Errno.EINVAL);
    }
    const bad = spec.flags & ~(MapFlag.NUMA_NODE | ACCESS_MASK);
    if (bad !== 0) throw createError(spec, `unsupported map_flags 0x${bad.toString(16)}`, Errno.EINVAL);
    if (spec.valueSize > KMALLOC_MAX_SIZE) throw createError(spec, `value_size ${spec.valueSize} too large`, Errno.E2BIG);
    const bytes = (spec.maxEntries + 1) * spec.valueSize;
    if (bytes > 1 << 30) throw createError(spec, `queue of ${bytes} bytes is too large`, Errno.ENOMEM);
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    this.size = spec.maxEntries + 1;
    this.ring = new Uint8Array(bytes);
    this.arena = ctx.arena;
  }

  /** Number of values held. */
  get length(): number {
    return (this.head - this.tail + this.size) % this.size;
  }

  // ---- the three operations (bytes in/out) ----

  /** Append a value; 0, -E2BIG when full without BPF_EXIST, -EINVAL for bad flags. */
  push(value: Uint8Array, flags: number = UpdateFlag.ANY): number {
    if (!isU32Flags(flags) || (flags & UpdateFlag.NOEXIST) !== 0 || flags > UpdateFlag.EXIST) return -Errno.EINVAL;
    if (this.length === this.maxEntries) {
      if ((flags & UpdateFlag.EXIST) === 0) return -Errno.E2BIG;
      this.tail = (this.tail + 1) % this.size; // overwrite the oldest
    }
    this.ring.set(value.subarray(0, this.valueSize), this.head * this.valueSize);
    this.head = (this.head + 1) % this.size;
    return 0;
  }

  /** The value pop would return, without removing it; undefined when empty. */
  peek(): Uint8Array | undefined {
    if (this.head === this.tail) return undefined;
    const slot = this.lifo ? (this.head - 1 + this.size) % this.size : this.tail;
    return this.ring.slice(slot * this.valueSize, (slot + 1) * this.valueSize);
  }

  /** Remove and return the next value (queue: oldest, stack: newest); undefined when empty. */
  pop(): Uint8Array | undefined {
    const v = this.peek();
    if (v === undefined) return undefined;
    if (this.lifo) this.head = (this.head - 1 + this.size) % this.size;
    else this.tail = (this.tail + 1) % this.size;
    return v;
  }

  // ---- program side: push/pop/peek come through helpers/queue.ts; the generic ops are refused
  // (the kernel's verifier does not let programs call them on these maps).

  lookupElem(): number {
    return 0;
  }
  updateElem(): number {
    return -Errno.EINVAL;
  }
  deleteElem(): number {
    return -Errno.EINVAL;
  }

  /** Program-side push from arena memory. */
  pushFrom(valueAddr: number, flags: number): number {
    this.arena.check(valueAddr, this.valueSize, false);
    return this.push(this.arena.u8.subarray(valueAddr, valueAddr + this.valueSize), flags);
  }

  /** Program-side pop/peek into arena memory: 0 or -ENOENT with the buffer zeroed (Linux 6.18
   *  zeroes the uninitialised value argument on failure; recorded in x_queue's fixture). */
  popInto(valueAddr: number, remove: boolean): number {
    // A buffer the program could not store to faults before an element is taken.
    this.arena.check(valueAddr, this.valueSize, true);
    const v = remove ? this.pop() : this.peek();
    this.arena.writeChecked(valueAddr, this.valueSize, v); // zeroed when there is none
    return v === undefined ? -Errno.ENOENT : 0;
  }

  // ---- user side (syscall semantics) ----

  lookup(key: Uint8Array): Uint8Array | undefined {
    this.checkKey(key);
    return this.peek();
  }
  update(key: Uint8Array, value: Uint8Array, flags: number = UpdateFlag.ANY): number {
    this.checkKey(key);
    if (!(value instanceof Uint8Array) || value.length !== this.valueSize) {
      throw new MapError(`value is ${value?.length} bytes, value_size is ${this.valueSize}`, this.name, -Errno.EINVAL);
    }
    if (this.frozen) return -Errno.EPERM;
    return this.push(value, flags);
  }
  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM: the popped value, undefined when empty; a frozen map
   *  refuses (the pop writes the map) with a MapError carrying -EPERM. */
  lookupAndDelete(key: Uint8Array = new Uint8Array(0)): Uint8Array | undefined {
    this.checkKey(key);
    if (this.frozen) throw new MapError('the map is frozen: pops are writes', this.name, -Errno.EPERM);
    return this.pop();
  }
  delete(key: Uint8Array): number {
    this.checkKey(key);
    return -Errno.EINVAL;
  }
  nextKey(_key?: Uint8Array): Uint8Array | undefined {
    return undefined;
  }
  destroy(): void {}

  private checkKey(key: Uint8Array): void {
    if (key !== undefined && key !== null && key.length !== 0) {
      throw new MapError(`${this.lifo ? 'stack' : 'queue'} maps have no keys (key_size 0), got ${key.length} bytes`, this.name, -Errno.EINVAL);
    }
  }
}
