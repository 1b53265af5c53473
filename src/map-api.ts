// The user-space map API, as libbpf's bpf_map_* calls but with values in TypeScript shapes:
//
//   const counters = mapApi(obj, 'counters');
//   counters.update(7, { packets: 1, bytes: 64n });
//   counters.lookup(7);              // { packets: 1, bytes: 64 }
//   [...counters.keys()], [...counters.entries()], counters.delete(7)
//
// Keys and values are encoded and decoded through the map's BTF types when the object has BTF:
// structs and unions are objects keyed by member name (bitfields included), integers and enums
// numbers (bigints beyond 2^53 on the way out; numbers or bigints on the way in), bool true/false,
// char arrays strings, other arrays JS arrays, pointers hex strings, global-data sections
// (.data/.bss/.rodata) objects keyed by variable name. Without BTF, a key or value of 1, 2, 4 or 8
// bytes is an integer and anything else a Uint8Array. A Uint8Array of the right size is always
// accepted as raw bytes. Fields left out of an object are zero, as in a C initializer.
//
// Per-CPU maps (percpu_array, percpu_hash, lru_percpu_hash) read as one value per CPU and take
// either one value per CPU or a single value written to every CPU.
//
// Errors: bad input (wrong size, a shape that does not fit the type, an unknown field) is a
// MapError before the map is touched; a failing operation is a MapError carrying the kernel's
// negative errno (`err.errno`), e.g. -EEXIST for BPF_NOEXIST on an existing key; delete() of a
// missing key returns false instead. Batch operations follow BPF_MAP_*_BATCH: elements are
// processed in order and processing stops at the first failure, which is reported with the
// number of elements already done.

import { BtfKind, type Btf, type BtfType } from './btf/btf.js';
import { MapError } from './errors.js';
import { Errno, MapType, UpdateFlag, type BpfMap } from '../maps/types.js';

export type BtfTypes = Pick<Btf, 'type' | 'resolve' | 'sizeof'>;

/** Turns bytes into a JS value and back for one BTF type (or raw bytes / integers without BTF). */
export interface Codec {
  readonly size: number;
  decode(bytes: Uint8Array): unknown;
  encode(value: unknown): Uint8Array;
}

export type UpdateMode = 'any' | 'noexist' | 'exist';

export interface UpdateOptions {
  /** BPF_ANY (default), BPF_NOEXIST or BPF_EXIST. */
  mode?: UpdateMode;
  /** BPF_F_LOCK: copy the value without its bpf_spin_lock field. */
  lock?: boolean;
}

const PERCPU = new Set<number>([MapType.PERCPU_ARRAY, MapType.PERCPU_HASH, MapType.LRU_PERCPU_HASH]);

const ERRNO_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Errno).map(([k, v]) => [v, k]));
const errnoName = (e: number) => ERRNO_NAMES[-e] ?? `errno ${-e}`;

/** Something that holds maps by name, like a LoadedObject. */
export interface MapSource {
  map(name: string): BpfMap;
  readonly spec?: { btf?: Btf };
  readonly runtime?: { options: { ncpus: number } };
}

/** The API for map `name` of a loaded object, with BTF from the object. */
export function mapApi(obj: MapSource, name: string): MapHandle {
  const map = obj.map(name);
  return new MapHandle(map, { btf: obj.spec?.btf, ncpus: obj.runtime?.options.ncpus });
}

export class MapHandle {
  readonly key: Codec;
  readonly value: Codec;
  readonly perCpu: boolean;
  readonly ncpus: number;
  private readonly stride: number;

  constructor(
    readonly map: BpfMap,
    opts: { btf?: BtfTypes | undefined; ncpus?: number | undefined; key?: Codec; value?: Codec } = {},
  ) {
    this.perCpu = PERCPU.has(map.type);
    this.ncpus = opts.ncpus ?? 1;
    this.stride = (map.valueSize + 7) & ~7;
    this.key = opts.key ?? codecFor(opts.btf, map.spec.btfKeyTypeId, map.keySize, `map ${map.name} key`);
    this.value = opts.value ?? codecFor(opts.btf, map.spec.btfValueTypeId, map.valueSize, `map ${map.name} value`);
  }

  get name(): string {
    return this.map.name;
  }

  // ---- single elements -------------------------------------------------------------------

  /** The decoded value (per-CPU maps: one per CPU), or undefined when the key is missing. */
  lookup(key: unknown): unknown {
    const v = this.map.lookup(this.encodeKey(key));
    return v === undefined ? undefined : this.decodeValue(v);
  }

  /** The raw value bytes, as the kernel returns them (per-CPU: every CPU, 8-byte aligned). */
  lookupBytes(key: unknown): Uint8Array | undefined {
    return this.map.lookup(this.encodeKey(key));
  }

  has(key: unknown): boolean {
    return this.map.lookup(this.encodeKey(key)) !== undefined;
  }

  /** Insert or replace; throws a MapError with the errno when the map refuses. */
  update(key: unknown, value: unknown, opts: UpdateOptions | UpdateMode = {}): void {
    const k = this.encodeKey(key);
    const v = this.encodeValue(value);
    const err = this.map.update(k, v, updateFlags(opts));
    if (err < 0) throw this.opError('update', err);
  }

  /** Delete; false when the key was not there. */
  delete(key: unknown): boolean {
    const err = this.map.delete(this.encodeKey(key));
    if (err === -Errno.ENOENT) return false;
    if (err < 0) throw this.opError('delete', err);
    return true;
  }

  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM for hash maps: the value, then the element is gone. */
  lookupAndDelete(key: unknown): unknown {
    const k = this.encodeKey(key);
    // queue and stack maps pop (their lookup only peeks and delete is -EINVAL)
    const pop = (this.map as { lookupAndDelete?: (k: Uint8Array) => Uint8Array | undefined }).lookupAndDelete;
    if (pop) {
      const p = pop.call(this.map, k);
      return p === undefined ? undefined : this.decodeValue(p);
    }
    const v = this.map.lookup(k);
    if (v === undefined) return undefined;
    const err = this.map.delete(k);
    if (err < 0) throw this.opError('lookup_and_delete', err);
    return this.decodeValue(v);
  }

  // ---- iteration -------------------------------------------------------------------------

  /** Keys in the map's get_next_key order. Deleting the current key while iterating is safe. */
  *keys(): IterableIterator<unknown> {
    for (const k of this.rawKeys()) yield this.key.decode(k);
  }

  *entries(): IterableIterator<[unknown, unknown]> {
    for (const k of this.rawKeys()) {
      const v = this.map.lookup(k);
      if (v !== undefined) yield [this.key.decode(k), this.decodeValue(v)];
    }
  }

  *values(): IterableIterator<unknown> {
    for (const [, v] of this.entries()) yield v;
  }

  /** Number of elements (walks the map). */
  count(): number {
    let n = 0;
    for (const _ of this.rawKeys()) n++;
    return n;
  }

  /** Delete every element (arrays cannot delete: -EINVAL). Returns how many were deleted. */
  clear(): number {
    let n = 0;
    for (const k of [...this.rawKeys()]) {
      const err = this.map.delete(k);
      if (err < 0 && err !== -Errno.ENOENT) throw this.opError('delete', err);
      if (err === 0) n++;
    }
    return n;
  }

  // ---- batches (BPF_MAP_*_BATCH) -----------------------------------------------------------

  /** Up to `count` entries starting after `cursor` (undefined: from the start). `cursor` in the
   *  result resumes the walk; `done` is true when the map has no more entries. */
  lookupBatch(count: number, cursor?: Uint8Array): { entries: [unknown, unknown][]; cursor: Uint8Array | undefined; done: boolean } {
    if (!Number.isInteger(count) || count <= 0) throw new MapError(`batch count must be a positive integer (got ${count})`, this.name, -Errno.EINVAL);
    const entries: [unknown, unknown][] = [];
    let k = cursor;
    let last: Uint8Array | undefined = cursor;
    while (entries.length < count) {
      k = this.map.nextKey(k);
      if (k === undefined) return { entries, cursor: last, done: true };
      const v = this.map.lookup(k);
      if (v !== undefined) entries.push([this.key.decode(k), this.decodeValue(v)]);
      last = k;
    }
    return { entries, cursor: last, done: this.map.nextKey(last) === undefined };
  }

  /** Update entries in order; stops at the first failure (MapError naming how many were done). */
  updateBatch(entries: Iterable<readonly [unknown, unknown]>, opts: UpdateOptions | UpdateMode = {}): number {
    const flags = updateFlags(opts);
    // Encode everything first so bad input leaves the map unchanged.
    const encoded = [...entries].map(([k, v]) => [this.encodeKey(k), this.encodeValue(v)] as const);
    let done = 0;
    for (const [k, v] of encoded) {
      const err = this.map.update(k, v, flags);
      if (err < 0) throw this.opError(`update_batch (after ${done} of ${encoded.length} elements)`, err);
      done++;
    }
    return done;
  }

  /** Delete keys in order; stops at the first failure, -ENOENT included, as the kernel does. */
  deleteBatch(keys: Iterable<unknown>): number {
    const encoded = [...keys].map((k) => this.encodeKey(k));
    let done = 0;
    for (const k of encoded) {
      const err = this.map.delete(k);
      if (err < 0) throw this.opError(`delete_batch (after ${done} of ${encoded.length} elements)`, err);
      done++;
    }
    return done;
  }

  /** Look up and delete up to `count` entries from the start of the map. */
  lookupAndDeleteBatch(count: number): [unknown, unknown][] {
    const { entries } = this.lookupBatch(count);
    for (const [k] of entries) this.map.delete(this.encodeKey(k));
    return entries;
  }

  /** BPF_MAP_FREEZE: user space can no longer write the map. */
  freeze(): void {
    this.map.frozen = true;
  }

  // ---- encoding ----------------------------------------------------------------------------

  encodeKey(key: unknown): Uint8Array {
    return this.key.encode(key);
  }

  /** One value (written to every CPU for per-CPU maps) or, for per-CPU maps, an array of ncpus
   *  values, into the bytes BpfMap.update expects. */
  encodeValue(value: unknown): Uint8Array {
    if (!this.perCpu) return this.value.encode(value);
    const out = new Uint8Array(this.stride * this.ncpus);
    if (value instanceof Uint8Array && value.length === out.length) return value;
    const perCpu = Array.isArray(value) && value.length === this.ncpus && !isScalarArrayValue(this.value, value) ? value : undefined;
    for (let c = 0; c < this.ncpus; c++) out.set(this.value.encode(perCpu ? perCpu[c] : value), c * this.stride);
    return out;
  }

  decodeValue(bytes: Uint8Array): unknown {
    if (!this.perCpu) return this.value.decode(bytes);
    return Array.from({ length: this.ncpus }, (_, c) => this.value.decode(bytes.subarray(c * this.stride, c * this.stride + this.map.valueSize)));
  }

  private *rawKeys(): IterableIterator<Uint8Array> {
    // Fetch the next key before handing out the current one, so callers may delete it.
    let k = this.map.nextKey(undefined);
    while (k !== undefined) {
      const next = this.map.nextKey(k);
      yield k;
      k = next;
    }
  }

  private opError(op: string, err: number): MapError {
    return new MapError(`${op} failed: ${errnoName(err)}`, this.name, err);
  }
}

function isScalarArrayValue(codec: Codec, value: unknown[]): boolean {
  // A value that is itself an array type (e.g. __u64 v[2]) must not be mistaken for per-CPU values.
  return codec instanceof BtfCodec && codec.isArray && value.every((x) => typeof x !== 'object' || x === null);
}

function updateFlags(opts: UpdateOptions | UpdateMode): number {
  const o: UpdateOptions = typeof opts === 'string' ? { mode: opts } : opts;
  const mode = o.mode ?? 'any';
  const base = mode === 'any' ? UpdateFlag.ANY : mode === 'noexist' ? UpdateFlag.NOEXIST : mode === 'exist' ? UpdateFlag.EXIST : -1;
  if (base < 0) throw new MapError(`unknown update mode ${String(mode)} (any, noexist, exist)`, undefined, -Errno.EINVAL);
  return base | (o.lock ? UpdateFlag.F_LOCK : 0);
}

// ---- codecs ----------------------------------------------------------------------------------

/** The codec for a key or value: through BTF when the type is known, else integers or bytes. */
export function codecFor(btf: BtfTypes | undefined, typeId: number | undefined, size: number, what: string): Codec {
  if (btf && typeId) {
    try {
      if (btf.sizeof(typeId) === size || btf.resolve(typeId).kind === BtfKind.DATASEC) return new BtfCodec(btf, typeId, size, what);
    } catch {
      // fall through to raw bytes when the type cannot be sized
    }
  }
  return rawCodec(size, what);
}

/** Integers for 1/2/4/8-byte keys and values, raw bytes otherwise. */
export function rawCodec(size: number, what: string): Codec {
  const intSized = size === 1 || size === 2 || size === 4 || size === 8;
  return {
    size,
    decode: (bytes) => (intSized ? readInt(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, size, false) : bytes.slice()),
    encode: (value) => {
      if (value instanceof Uint8Array) return checkedBytes(value, size, what);
      const out = new Uint8Array(size);
      if (typeof value === 'number' || typeof value === 'bigint') {
        if (!intSized) throw new MapError(`${what}: an integer needs a 1, 2, 4 or 8-byte type (this one is ${size} bytes)`, undefined, -Errno.EINVAL);
        writeInt(new DataView(out.buffer), 0, size, value, what);
        return out;
      }
      if (typeof value === 'string') return encodeString(value, size, what);
      throw new MapError(`${what}: expected ${intSized ? 'an integer or ' : ''}a Uint8Array of ${size} bytes, got ${describe(value)}`, undefined, -Errno.EINVAL);
    },
  };
}

/** Encodes and decodes one BTF type. */
export class BtfCodec implements Codec {
  constructor(
    private readonly btf: BtfTypes,
    private readonly typeId: number,
    readonly size: number,
    private readonly what: string,
  ) {}

  get isArray(): boolean {
    return this.btf.resolve(this.typeId).kind === BtfKind.ARRAY;
  }

  /** Whether a `t` at byte `off` lies within the value. */
  private fits(t: BtfType, dv: DataView, off: number): boolean {
    let size: number;
    try {
      size = this.btf.sizeof(t.id);
    } catch {
      // an array whose size overflows does not fit; kinds without a size (void, a function) are
      // refused by the decoder and encoder themselves
      return t.kind !== BtfKind.ARRAY;
    }
    return off >= 0 && off + size <= dv.byteLength;
  }

  decode(bytes: Uint8Array): unknown {
    return this.dec(this.typeId, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, 0);
  }

  encode(value: unknown): Uint8Array {
    if (value instanceof Uint8Array) return checkedBytes(value, this.size, this.what);
    const out = new Uint8Array(this.size);
    this.enc(this.typeId, new DataView(out.buffer), 0, value, this.what, 0);
    return out;
  }

  private dec(id: number, dv: DataView, off: number, depth: number): unknown {
    const t = this.btf.resolve(id);
    if (depth > 32) return undefined;
    // An object's BTF may place a member or element past the value's bytes (the kernel refuses
    // such BTF, "Member exceeds struct_size"): that part decodes as undefined.
    if (!this.fits(t, dv, off)) return undefined;
    switch (t.kind) {
      case BtfKind.INT:
        if ((t.intEncoding ?? 0) & 4) return dv.getUint8(off) !== 0;
        return readInt(dv, off, t.sizeOrType, ((t.intEncoding ?? 0) & 1) !== 0);
      case BtfKind.ENUM:
      case BtfKind.ENUM64:
        return readInt(dv, off, t.sizeOrType, t.kindFlag);
      case BtfKind.PTR:
        return '0x' + dv.getBigUint64(off, true).toString(16);
      case BtfKind.FLOAT:
        return t.sizeOrType === 4 ? dv.getFloat32(off, true) : t.sizeOrType === 8 ? dv.getFloat64(off, true) : undefined;
      case BtfKind.ARRAY: {
        const elem = this.btf.resolve(t.elemType!);
        const n = t.nelems ?? 0;
        if (isChar(elem)) {
          let s = '';
          for (let i = 0; i < n && dv.getUint8(off + i) !== 0; i++) s += String.fromCharCode(dv.getUint8(off + i));
          return s;
        }
        const es = this.btf.sizeof(elem.id);
        // zero-sized elements hold nothing (and their count is unbounded by the bytes)
        if (es === 0) return [];
        return Array.from({ length: n }, (_, i) => this.dec(elem.id, dv, off + i * es, depth + 1));
      }
      case BtfKind.STRUCT:
      case BtfKind.UNION: {
        const o: Record<string, unknown> = {};
        for (const m of t.members ?? []) {
          const name = m.name || `@${m.bitOffset / 8}`;
          if (m.bitfieldSize) o[name] = off + ((m.bitOffset + m.bitfieldSize + 7) >> 3) <= dv.byteLength ? readBits(dv, off, m.bitOffset, m.bitfieldSize, this.btf.resolve(m.type)) : undefined;
          else o[name] = this.dec(m.type, dv, off + m.bitOffset / 8, depth + 1);
        }
        return o;
      }
      case BtfKind.DATASEC: {
        const o: Record<string, unknown> = {};
        for (const v of t.vars ?? []) {
          const vt = this.btf.type(v.type);
          if (v.offset + v.size <= dv.byteLength) o[vt.name] = this.dec(vt.sizeOrType, dv, off + v.offset, depth + 1);
        }
        return o;
      }
      default:
        return undefined;
    }
  }

  private enc(id: number, dv: DataView, off: number, value: unknown, path: string, depth: number): void {
    const t = this.btf.resolve(id);
    if (depth > 32) throw new MapError(`${path}: type nesting too deep`, undefined, -Errno.EINVAL);
    if (!this.fits(t, dv, off)) throw new MapError(`${path}: its BTF type places it at byte ${off}, past the ${dv.byteLength} bytes of the value; pass a Uint8Array`, undefined, -Errno.EINVAL);
    const fail = (expected: string): never => {
      throw new MapError(`${path}: expected ${expected}, got ${describe(value)}`, undefined, -Errno.EINVAL);
    };
    switch (t.kind) {
      case BtfKind.INT:
        if ((t.intEncoding ?? 0) & 4 && typeof value === 'boolean') {
          dv.setUint8(off, value ? 1 : 0);
          return;
        }
        if (typeof value !== 'number' && typeof value !== 'bigint') fail(`an integer (${this.btf.resolve(id).name || 'int'})`);
        writeInt(dv, off, t.sizeOrType, value as number | bigint, path, ((t.intEncoding ?? 0) & 1) !== 0);
        return;
      case BtfKind.ENUM:
      case BtfKind.ENUM64: {
        let v = value;
        if (typeof v === 'string') {
          const e = t.values?.find((x) => x.name === v);
          if (!e) fail(`an enumerator of ${t.name || 'the enum'}`);
          v = e!.value;
        }
        if (typeof v !== 'number' && typeof v !== 'bigint') fail('an integer or enumerator name');
        writeInt(dv, off, t.sizeOrType, v as number | bigint, path, t.kindFlag);
        return;
      }
      case BtfKind.PTR: {
        const v = typeof value === 'string' && /^0x[0-9a-f]+$/i.test(value) ? BigInt(value) : value;
        if (typeof v !== 'number' && typeof v !== 'bigint') fail('a pointer value (integer or 0x string)');
        writeInt(dv, off, 8, v as number | bigint, path);
        return;
      }
      case BtfKind.FLOAT:
        if (typeof value !== 'number') fail('a number');
        if (t.sizeOrType === 4) dv.setFloat32(off, value as number, true);
        else if (t.sizeOrType === 8) dv.setFloat64(off, value as number, true);
        else fail(`a supported float size (${t.sizeOrType})`);
        return;
      case BtfKind.ARRAY: {
        const elem = this.btf.resolve(t.elemType!);
        const n = t.nelems ?? 0;
        if (isChar(elem) && typeof value === 'string') {
          const b = encodeString(value, n, path);
          for (let i = 0; i < n; i++) dv.setUint8(off + i, b[i]!);
          return;
        }
        if (!Array.isArray(value)) fail(isChar(elem) ? `a string of at most ${n - 1} characters or an array` : `an array of ${n} elements`);
        const arr = value as unknown[];
        if (arr.length > n) fail(`at most ${n} elements`);
        const es = this.btf.sizeof(elem.id);
        arr.forEach((x, i) => this.enc(elem.id, dv, off + i * es, x, `${path}[${i}]`, depth + 1));
        return;
      }
      case BtfKind.STRUCT:
      case BtfKind.UNION: {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`an object for ${t.kind === BtfKind.STRUCT ? 'struct' : 'union'} ${t.name}`);
        const members = new Map((t.members ?? []).map((m) => [m.name || `@${m.bitOffset / 8}`, m]));
        for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
          const m = members.get(name);
          if (!m) throw new MapError(`${path}: ${t.name || 'the struct'} has no member ${name} (members: ${[...members.keys()].join(', ')})`, undefined, -Errno.EINVAL);
          if (v === undefined) continue;
          if (m.bitfieldSize && off + ((m.bitOffset + m.bitfieldSize + 7) >> 3) > dv.byteLength) throw new MapError(`${path}.${name}: its BTF bitfield lies past the ${dv.byteLength} bytes of the value; pass a Uint8Array`, undefined, -Errno.EINVAL);
          if (m.bitfieldSize) writeBits(dv, off, m.bitOffset, m.bitfieldSize, v, `${path}.${name}`);
          else this.enc(m.type, dv, off + m.bitOffset / 8, v, `${path}.${name}`, depth + 1);
        }
        return;
      }
      case BtfKind.DATASEC: {
        if (typeof value !== 'object' || value === null) fail(`an object of ${t.name} variables`);
        const vars = new Map((t.vars ?? []).map((v) => [this.btf.type(v.type).name, v]));
        for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
          const sv = vars.get(name);
          if (!sv) throw new MapError(`${path}: ${t.name} has no variable ${name}`, undefined, -Errno.EINVAL);
          this.enc(this.btf.type(sv.type).sizeOrType, dv, off + sv.offset, v, `${path}.${name}`, depth + 1);
        }
        return;
      }
      default:
        throw new MapError(`${path}: cannot encode BTF kind ${t.kind}; pass a Uint8Array`, undefined, -Errno.EINVAL);
    }
  }
}

// ---- primitives ---------------------------------------------------------------------------------

const isChar = (t: BtfType) => t.kind === BtfKind.INT && t.sizeOrType === 1 && ((t.intEncoding ?? 0) & 4) === 0;

function checkedBytes(b: Uint8Array, size: number, what: string): Uint8Array {
  if (b.length !== size) throw new MapError(`${what}: ${b.length} bytes given, the type is ${size} bytes`, undefined, -Errno.EINVAL);
  return b;
}

function encodeString(s: string, size: number, what: string): Uint8Array {
  const b = new TextEncoder().encode(s);
  if (b.length >= size) throw new MapError(`${what}: string of ${b.length} bytes does not fit ${size} bytes with its NUL`, undefined, -Errno.EINVAL);
  const out = new Uint8Array(size);
  out.set(b);
  return out;
}

function describe(v: unknown): string {
  if (v instanceof Uint8Array) return `a Uint8Array of ${v.length} bytes`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function readInt(dv: DataView, off: number, size: number, signed: boolean): number | bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(dv.getUint8(off + i));
  if (signed) v = BigInt.asIntN(size * 8, v);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function writeInt(dv: DataView, off: number, size: number, value: number | bigint, what: string, signed?: boolean): void {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new MapError(`${what}: ${value} is not an integer`, undefined, -Errno.EINVAL);
  const v = BigInt(value);
  const bits = BigInt(size * 8);
  const min = signed === false ? 0n : -(1n << (bits - 1n));
  const max = signed === true ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if (v < min || v > max) throw new MapError(`${what}: ${v} does not fit ${size * 8} bits`, undefined, -Errno.ERANGE);
  let u = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) {
    dv.setUint8(off + i, Number(u & 0xffn));
    u >>= 8n;
  }
}

function readBits(dv: DataView, base: number, bitOff: number, width: number, t: BtfType): number | bigint {
  let v = 0n;
  for (let b = 0; b < width; b++) {
    const bit = bitOff + b;
    if ((dv.getUint8(base + (bit >> 3)) >> (bit & 7)) & 1) v |= 1n << BigInt(b);
  }
  if (t.kind === BtfKind.INT && (t.intEncoding ?? 0) & 1) v = BigInt.asIntN(width, v);
  return Number.isSafeInteger(Number(v)) ? Number(v) : v;
}

function writeBits(dv: DataView, base: number, bitOff: number, width: number, value: unknown, what: string): void {
  if (typeof value !== 'number' && typeof value !== 'bigint' && typeof value !== 'boolean') {
    throw new MapError(`${what}: expected an integer for a ${width}-bit field, got ${describe(value)}`, undefined, -Errno.EINVAL);
  }
  const v = BigInt(typeof value === 'boolean' ? (value ? 1 : 0) : value);
  if (v < -(1n << BigInt(width - 1)) || v >= 1n << BigInt(width)) throw new MapError(`${what}: ${v} does not fit ${width} bits`, undefined, -Errno.ERANGE);
  const u = BigInt.asUintN(width, v);
  for (let b = 0; b < width; b++) {
    const bit = bitOff + b;
    const at = base + (bit >> 3);
    const mask = 1 << (bit & 7);
    const cur = dv.getUint8(at);
    dv.setUint8(at, (u >> BigInt(b)) & 1n ? cur | mask : cur & ~mask);
  }
}
