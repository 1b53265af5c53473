// The rbtree map from user space. The RFC gave user space nothing (every syscall op returned
// -ENOTSUPP); ebpfvm lets TypeScript walk the tree in order, read and decode nodes, insert and
// remove nodes, and print the tree's shape -- the functions `ebpfvm run --dump-maps[=tree]` calls.
//
// User space is not a program run: it does not take the tree's lock (nothing else runs while it
// executes), but it refuses to touch a tree that is mid-operation inside a program's callback.
//
// Ordering from user space must agree with the programs' `less`, or finds from BPF will miss. Give
// either a key field (offset, size, signedness inside the value) or a comparator on decoded nodes;
// ties go after their equals, as bpf_rbtree_add does.

import type { Btf, BtfType } from './btf/btf.js';
import { MapError } from './errors.js';
import { Errno, type BpfMap } from '../maps/types.js';
import type { Arena } from '../vm/memory.js';
import { RB_NODE_SIZE, RbtreeMap } from '../maps/rbtree.js';

/** Turns a node's bytes (the whole allocation, rb_node included) into something printable. */
export type NodeDecoder = (bytes: Uint8Array, addr: number) => unknown;

/** A key inside the value: byte offset from the node's start (so >= 24), size, signedness. */
export interface KeyField {
  offset: number;
  size: 1 | 2 | 4 | 8;
  signed?: boolean;
  bigEndian?: boolean;
}

/** Orders two decoded nodes (or their bytes when there is no decoder): <0, 0, >0. */
export type NodeComparator = (a: unknown, b: unknown) => number;

export interface RbtreeNode {
  addr: number;
  /** The node's bytes: max(size asked, value_size), rb_node included. */
  bytes: Uint8Array;
  color: 'red' | 'black';
}

/** The tree's shape for printing: one entry per node with its children. */
export interface RbtreeShape {
  addr: number;
  color: 'red' | 'black';
  value: unknown;
  left: RbtreeShape | null;
  right: RbtreeShape | null;
}

export function isRbtreeMap(m: BpfMap): m is RbtreeMap {
  return m instanceof RbtreeMap;
}

export class RbtreeApi {
  readonly map: RbtreeMap;
  /** How nodes are shown and compared; defaults to the payload bytes after rb_node as hex. */
  decode: NodeDecoder;
  /** Per key field object, what was read from it when its comparator was made: the comparator
   *  and addByKey's arguments (word index, -1 when not a word key; size; signedness). */
  private readonly lessCache = new WeakMap<KeyField, { less: (a: number, b: number) => boolean; word: number; size: 4 | 8; signed: boolean }>();
  private lastOrder: KeyField | undefined = undefined;
  private lastLess: ((a: number, b: number) => boolean) | undefined = undefined;
  /** lastOrder as RbTree.addByKey takes it: the key's word index (-1: not a word key), size and
   *  signedness. */
  private lastKeyWord = -1;
  private lastKeySize: 4 | 8 = 8;
  private lastKeySigned = false;

  constructor(map: BpfMap, opts: { decode?: NodeDecoder } = {}) {
    if (!(map instanceof RbtreeMap)) throw new MapError('not an rbtree map', (map as BpfMap | null | undefined)?.name);
    this.map = map;
    this.decode = opts.decode ?? hexPayload;
  }

  get size(): number {
    return this.map.size;
  }

  /** Node addresses in tree order. */
  addresses(): number[] {
    return this.map.inOrder();
  }

  /** Nodes in tree order. */
  nodes(): RbtreeNode[] {
    return this.addresses().map((a) => this.node(a));
  }

  node(addr: number): RbtreeNode {
    if (typeof addr !== 'number' || !this.map.ownsNode(addr)) throw new MapError(`${describeAddr(addr)} is not a node of this map`, this.map.name);
    const arena = this.arenaOf();
    return { addr, bytes: arena.read(addr, this.map.nodeLength(addr)), color: this.map.tree.isRed(addr) ? 'red' : 'black' };
  }

  /** Decoded nodes in tree order. */
  values(): unknown[] {
    return this.nodes().map((n) => this.decode(n.bytes, n.addr));
  }

  /** Insert a node built from `value` (value_size bytes; its first 24 bytes, the rb_node, are
   *  ignored). Returns the new node's address. */
  insert(value: Uint8Array, order: KeyField | NodeComparator): number {
    const map = this.map;
    // The hot case first: the same word key field as last time (a loop of inserts; see lessFor)
    // into an idle, writable map, with a value that fits. It passes every check insertChecked
    // makes, and anything else goes there, so refusals (and their order) are the same.
    if (order === this.lastOrder && this.lastKeyWord >= 0 && map.writableIdle() && value instanceof Uint8Array && value.length <= map.valueSize) {
      const node = map.insertValue(value, this.lastKeyWord, this.lastKeySize, this.lastKeySigned);
      if (node === 0) throw new MapError('out of memory allocating a node', map.name, -Errno.ENOMEM);
      return node;
    }
    return this.insertChecked(value, order);
  }

  private insertChecked(value: Uint8Array, order: KeyField | NodeComparator): number {
    this.map.assertIdle('insert');
    if (!(value instanceof Uint8Array)) throw new MapError('value must be a Uint8Array', this.map.name, -Errno.EINVAL);
    if (value.length > this.map.valueSize) {
      throw new MapError(`value of ${value.length} bytes is larger than value_size ${this.map.valueSize}`, this.map.name, -Errno.EINVAL);
    }
    this.checkWritable();
    // Everything that can refuse runs before the node is allocated, so a refusal leaks nothing.
    const less = this.lessFor(order);
    // An aligned little-endian key field (keyLess's fast case): the tree's own keyed walk, which
    // reads the new node's key once instead of calling less at every level, with the node made
    // and linked in one place (RbtreeMap.insertValue).
    if (order === this.lastOrder && this.lastKeyWord >= 0) {
      const node = this.map.insertValue(value, this.lastKeyWord, this.lastKeySize, this.lastKeySigned);
      if (node === 0) throw new MapError('out of memory allocating a node', this.map.name, -Errno.ENOMEM);
      return node;
    }
    const addr = this.map.allocNode(this.map.valueSize);
    if (addr === 0) throw new MapError('out of memory allocating a node', this.map.name, -Errno.ENOMEM);
    copyPayload(this.arenaOf(), addr, value);
    // A comparator or decoder is the caller's code and runs mid-walk: the tree is busy meanwhile
    // (an insert or remove from it would relink nodes under the walk: MapError, EBUSY), and one
    // that throws stopped the walk before linking, so the node is freed again and the tree is
    // as it was. (A non-word key field's comparator, keyLess, throws nothing.)
    this.map.busy = true;
    try {
      this.map.tree.add(addr, less);
    } catch (e) {
      this.map.busy = false;
      this.map.freeNode(addr);
      throw e;
    } finally {
      this.map.busy = false;
    }
    return addr;
  }

  /** Unlink and free a node. False when `addr` is not a linked node of this map. */
  remove(addr: number): boolean {
    // Only a number can be a node address (a bigint or string would reach the tree's word
    // arithmetic: a TypeError, or a coerced string acting on a node): anything else is none.
    if (typeof addr !== 'number') return false;
    const map = this.map;
    if (map.writableIdle()) return map.removeLinked(addr);
    map.assertIdle('remove');
    // frozen: -EPERM for a linked node of this map; anything else is not one (false), as when
    // writable
    if (!map.ownsNode(addr) || !map.isLinked(addr)) return false;
    this.checkWritable();
    return map.removeLinked(addr);
  }

  /** Remove and return the first node's bytes (the scheduler's "pop"), or undefined when empty. */
  shift(): Uint8Array | undefined {
    const first = this.map.tree.first();
    if (first === 0) return undefined;
    const bytes = this.node(first).bytes;
    this.remove(first);
    return bytes;
  }

  /** A node whose key field equals `key` (binary search; the tree must be ordered by that field). */
  findByKey(field: KeyField, key: number | bigint): number {
    this.checkKeyField(field, 'field must be a key field { offset, size: 1, 2, 4 or 8 }');
    if (typeof key !== 'bigint' && !Number.isInteger(key)) throw new MapError(`key ${String(key)} is not an integer`, this.map.name, -Errno.EINVAL);
    const want = BigInt(key);
    const dv = this.arenaOf().dv;
    return this.map.tree.find((n) => {
      const k = readKey(dv, n, field);
      return want < k ? -1 : want > k ? 1 : 0;
    });
  }

  /** The tree's shape from the root (null when empty). */
  shape(): RbtreeShape | null {
    const t = this.map.tree;
    const arena = this.arenaOf();
    const build = (n: number): RbtreeShape | null => {
      if (n === 0) return null;
      const bytes = arena.read(n, this.map.nodeLength(n));
      return { addr: n, color: t.isRed(n) ? 'red' : 'black', value: this.decode(bytes, n), left: build(t.left(n)), right: build(t.right(n)) };
    };
    return build(t.root);
  }

  /** Red-black invariants (root black, no red-red, equal black heights, parent links, caches);
   *  with `order`, also that the in-order walk is sorted. Empty when sound. */
  check(order?: KeyField | NodeComparator): string[] {
    const less = order ? this.lessFor(order) : undefined;
    this.map.busy = true; // (a comparator that inserts or removes would change the tree under the walk)
    try {
      return this.map.tree.check(less);
    } finally {
      this.map.busy = false;
    }
  }

  private lessFor(order: KeyField | NodeComparator): (a: number, b: number) => boolean {
    // The same key field object as last time (a loop of inserts): its comparator, unchecked again.
    // A KeyField is read when its comparator is made, so the cache is per object, as lessCache.
    if (order === this.lastOrder && this.lastLess !== undefined) return this.lastLess;
    const arena = this.arenaOf();
    if (typeof order === 'function') {
      return (a, b) => order(this.decode(arena.read(a, this.map.nodeLength(a)), a), this.decode(arena.read(b, this.map.nodeLength(b)), b)) < 0;
    }
    this.checkKeyField(order, 'order must be a comparator or a key field { offset, size: 1, 2, 4 or 8 }');
    let made = this.lessCache.get(order);
    if (!made) {
      made = { less: keyLess(arena, order), word: isWordKey(order) ? order.offset >>> 2 : -1, size: order.size === 8 ? 8 : 4, signed: order.signed === true };
      this.lessCache.set(order, made);
    }
    this.lastOrder = order;
    this.lastLess = made.less;
    // as read when the comparator was made, so a field mutated since cannot order inserts by one
    // key and the comparator (check, non-word keys) by another
    this.lastKeyWord = made.word;
    this.lastKeySize = made.size;
    this.lastKeySigned = made.signed;
    return made.less;
  }

  /** A key field inside the value after the rb_node (what every read of it relies on): else
   *  -EINVAL with `what`, not a RangeError from the arena's views. */
  private checkKeyField(field: KeyField, what: string): void {
    if (typeof field !== 'object' || field === null || ![1, 2, 4, 8].includes(field.size)) throw new MapError(what, this.map.name, -Errno.EINVAL);
    if (!Number.isInteger(field.offset) || field.offset < RB_NODE_SIZE || field.offset + field.size > this.map.valueSize) {
      throw new MapError(`key field [${field.offset}, +${field.size}) must lie in the value after its rb_node`, this.map.name, -Errno.EINVAL);
    }
  }

  /** A frozen map (BPF_MAP_FREEZE) takes no writes from user space: -EPERM, as its delete. */
  private checkWritable(): void {
    if (this.map.frozen) throw new MapError('the map is frozen', this.map.name, -Errno.EPERM);
  }

  private arenaOf(): Arena {
    return this.map.arena;
  }
}

/** `less` on a key field without BigInt: 8-byte keys compare as (high word, low word). Aligned
 *  little-endian fields read through the arena's word view (a DataView read costs several times
 *  a typed-array read in Node 20). The views are read per call: the arena replaces them when it
 *  grows, and a comparator is cached across inserts that allocate. */
function keyLess(arena: Arena, f: KeyField): (a: number, b: number) => boolean {
  const o = f.offset;
  const le = !f.bigEndian;
  if (le && o % 4 === 0 && (f.size === 4 || f.size === 8)) {
    const wi = o >>> 2;
    if (f.size === 4) {
      if (!f.signed) return (a, b) => arena.u32[(a >>> 2) + wi]! < arena.u32[(b >>> 2) + wi]!;
      return (a, b) => (arena.u32[(a >>> 2) + wi]! | 0) < (arena.u32[(b >>> 2) + wi]! | 0);
    }
    return f.signed
      ? (a, b) => {
          const w = arena.u32;
          const ha = w[(a >>> 2) + wi + 1]! | 0;
          const hb = w[(b >>> 2) + wi + 1]! | 0;
          return ha < hb || (ha === hb && w[(a >>> 2) + wi]! < w[(b >>> 2) + wi]!);
        }
      : (a, b) => {
          const w = arena.u32;
          const ha = w[(a >>> 2) + wi + 1]!;
          const hb = w[(b >>> 2) + wi + 1]!;
          return ha < hb || (ha === hb && w[(a >>> 2) + wi]! < w[(b >>> 2) + wi]!);
        };
  }
  switch (f.size) {
    case 1:
      return f.signed ? (a, b) => arena.dv.getInt8(a + o) < arena.dv.getInt8(b + o) : (a, b) => arena.dv.getUint8(a + o) < arena.dv.getUint8(b + o);
    case 2:
      return f.signed
        ? (a, b) => arena.dv.getInt16(a + o, le) < arena.dv.getInt16(b + o, le)
        : (a, b) => arena.dv.getUint16(a + o, le) < arena.dv.getUint16(b + o, le);
    case 4:
      return f.signed
        ? (a, b) => arena.dv.getInt32(a + o, le) < arena.dv.getInt32(b + o, le)
        : (a, b) => arena.dv.getUint32(a + o, le) < arena.dv.getUint32(b + o, le);
    default: {
      const hiOff = le ? o + 4 : o;
      const loOff = le ? o : o + 4;
      const hi = f.signed ? (n: number) => arena.dv.getInt32(n + hiOff, le) : (n: number) => arena.dv.getUint32(n + hiOff, le);
      return (a, b) => {
        const ha = hi(a);
        const hb = hi(b);
        return ha < hb || (ha === hb && arena.dv.getUint32(a + loOff, le) < arena.dv.getUint32(b + loOff, le));
      };
    }
  }
}

/** A key field keyLess reads as whole little-endian words (4 or 8 bytes, 4-aligned): the ones
 *  RbTree.addByKey orders the same way. */
function isWordKey(f: KeyField): boolean {
  return !f.bigEndian && f.offset % 4 === 0 && (f.size === 4 || f.size === 8);
}

/** A value's bytes after the rb_node into a fresh node at `addr` (8-aligned). Whole 4-byte words
 *  go through the arena's Int32Array: 4 stores beat 16. */
/** An address argument as an error message names it, whatever the caller passed. */
function describeAddr(addr: unknown): string {
  return typeof addr === 'number' && Number.isInteger(addr) && addr >= 0 ? `0x${addr.toString(16)}` : `${typeof addr === 'bigint' ? `${addr}n` : String(addr)}`;
}

function copyPayload(arena: Arena, addr: number, value: Uint8Array): void {
  const i32 = arena.i32;
  const n = value.length;
  let i = RB_NODE_SIZE;
  for (; i + 4 <= n; i += 4) i32[(addr + i) >>> 2] = value[i]! | (value[i + 1]! << 8) | (value[i + 2]! << 16) | (value[i + 3]! << 24);
  const u8 = arena.u8;
  for (; i < n; i++) u8[addr + i] = value[i]!;
}

function readKey(dv: DataView, node: number, f: KeyField): bigint {
  const o = node + f.offset;
  const le = !f.bigEndian;
  switch (f.size) {
    case 1:
      return BigInt(f.signed ? dv.getInt8(o) : dv.getUint8(o));
    case 2:
      return BigInt(f.signed ? dv.getInt16(o, le) : dv.getUint16(o, le));
    case 4:
      return BigInt(f.signed ? dv.getInt32(o, le) : dv.getUint32(o, le));
    default:
      return f.signed ? dv.getBigInt64(o, le) : dv.getBigUint64(o, le);
  }
}

/** Default decoder: the payload after rb_node, as hex. */
export function hexPayload(bytes: Uint8Array): string {
  let s = '';
  for (let i = RB_NODE_SIZE; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

// ---- decoding through BTF ------------------------------------------------------------------

/** The subset of src/btf's Btf the decoder needs. */
export type BtfLike = Pick<Btf, 'type' | 'resolve' | 'sizeof'>;

/** A decoder that reads a node as the value type `typeId` of `btf`: structs become objects keyed by
 *  member name, integers numbers (bigints beyond 2^53), char arrays strings, pointers hex strings.
 *  The leading `struct rb_node` member is left out (its colour is shown separately). */
export function btfDecoder(btf: BtfLike, typeId: number, opts: { includeRbNode?: boolean } = {}): NodeDecoder {
  return (bytes) => {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return decodeType(btf, typeId, dv, 0, opts.includeRbNode ?? false, 0);
  };
}

function decodeType(btf: BtfLike, id: number, dv: DataView, off: number, includeRbNode: boolean, depth: number): unknown {
  if (depth > 16) return '...';
  const t: BtfType = btf.resolve(id);
  const size = t.kind === 2 ? 8 : safeSizeof(btf, t.id);
  if (off + size > dv.byteLength) return undefined;
  switch (t.kind) {
    case 1: {
      // INT
      const signed = ((t.intEncoding ?? 0) & 1) !== 0;
      if ((t.intEncoding ?? 0) & 4) return dv.getUint8(off) !== 0;
      return readInt(dv, off, t.sizeOrType, signed);
    }
    case 2: // PTR
      return '0x' + dv.getBigUint64(off, true).toString(16);
    case 3: {
      // ARRAY
      const elem = btf.resolve(t.elemType!);
      const n = t.nelems ?? 0;
      if (elem.kind === 1 && elem.sizeOrType === 1) {
        let s = '';
        for (let i = 0; i < n; i++) {
          const c = dv.getUint8(off + i);
          if (c === 0) break;
          s += String.fromCharCode(c);
        }
        return s;
      }
      const es = safeSizeof(btf, elem.id);
      const out: unknown[] = [];
      for (let i = 0; i < Math.min(n, 256); i++) out.push(decodeType(btf, elem.id, dv, off + i * es, includeRbNode, depth + 1));
      return out;
    }
    case 4:
    case 5: {
      // STRUCT / UNION
      const o: Record<string, unknown> = {};
      for (const m of t.members ?? []) {
        const mt = btf.resolve(m.type);
        if (!includeRbNode && mt.kind === 4 && mt.name === 'rb_node') continue;
        if (m.bitfieldSize) {
          const word = readInt(dv, off + Math.floor(m.bitOffset / 8), 8, false, true);
          o[m.name] = Number((BigInt(word) >> BigInt(m.bitOffset % 8)) & ((1n << BigInt(m.bitfieldSize)) - 1n));
        } else o[m.name || `@${m.bitOffset / 8}`] = decodeType(btf, m.type, dv, off + m.bitOffset / 8, includeRbNode, depth + 1);
      }
      return o;
    }
    case 6:
    case 19: // ENUM / ENUM64
      return readInt(dv, off, t.sizeOrType, t.kindFlag);
    default:
      return undefined;
  }
}

function safeSizeof(btf: BtfLike, id: number): number {
  try {
    return btf.sizeof(id);
  } catch {
    return 0;
  }
}

function readInt(dv: DataView, off: number, size: number, signed: boolean, clamp = false): number | bigint {
  if (clamp) size = Math.min(size, dv.byteLength - off);
  switch (size) {
    case 1:
      return signed ? dv.getInt8(off) : dv.getUint8(off);
    case 2:
      return signed ? dv.getInt16(off, true) : dv.getUint16(off, true);
    case 4:
      return signed ? dv.getInt32(off, true) : dv.getUint32(off, true);
    case 8: {
      const v = signed ? dv.getBigInt64(off, true) : dv.getBigUint64(off, true);
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    default: {
      let v = 0n;
      for (let i = Math.max(0, size) - 1; i >= 0; i--) v = (v << 8n) | BigInt(dv.getUint8(off + i));
      return v;
    }
  }
}

// ---- formatting for --dump-maps ------------------------------------------------------------

export interface FormatOptions {
  /** 'inorder' (default): one node per line in tree order; 'tree': the shape with colours. */
  mode?: 'inorder' | 'tree';
  decode?: NodeDecoder;
  /** ANSI colours for red nodes (tree mode). */
  ansi?: boolean;
  /** Print at most this many nodes (default 1000). */
  limit?: number;
  /** Keep a decoded `struct rb_node` member in the output (default: drop it; the colour and the
   *  address are printed anyway, and the links are noise). */
  showRbNode?: boolean;
}

const RB_NODE_FIELDS = '__rb_parent_color,rb_right,rb_left';

/** Wraps a decoder so that an object member holding a decoded struct rb_node (exactly its three
 *  fields) is left out, whichever decoder the caller brings. */
function withoutRbNode(decode: NodeDecoder, keep = false): NodeDecoder {
  if (keep) return decode;
  return (bytes, addr) => {
    const v = decode(bytes, addr);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x !== null && typeof x === 'object' && Object.keys(x).join(',') === RB_NODE_FIELDS) continue;
      out[k] = x;
    }
    return out;
  };
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
}

/** Text for `--dump-maps` (in order) and `--dump-maps=tree` (shape, R/B colours). */
export function formatRbtree(map: BpfMap, opts: FormatOptions = {}): string {
  const api = new RbtreeApi(map, opts.decode ? { decode: withoutRbNode(opts.decode, opts.showRbNode) } : {});
  const limit = opts.limit ?? 1000;
  const head = `${map.name}: rbtree, ${api.size} node${api.size === 1 ? '' : 's'}`;
  if (api.size === 0) return `${head} (empty)`;
  const lines = [head];
  if ((opts.mode ?? 'inorder') === 'inorder') {
    const addrs = api.addresses();
    addrs.slice(0, limit).forEach((a, i) => {
      const n = api.node(a);
      lines.push(`  [${i}] 0x${a.toString(16)} ${show(api.decode(n.bytes, a))}`);
    });
    if (addrs.length > limit) lines.push(`  ... ${addrs.length - limit} more`);
    return lines.join('\n');
  }
  let printed = 0;
  const red = (s: string): string => (opts.ansi ? `\x1b[31m${s}\x1b[0m` : s);
  const walk = (s: RbtreeShape | null, prefix: string, tag: string, last: boolean): void => {
    if (!s || printed >= limit) return;
    printed++;
    const label = `${s.color === 'red' ? red('R') : 'B'} 0x${s.addr.toString(16)} ${show(s.value)}`;
    lines.push(`${prefix}${tag === '' ? '' : last ? '└─' : '├─'}${tag}${label}`);
    const childPrefix = tag === '' ? prefix + '  ' : prefix + (last ? '   ' : '│  ');
    const kids = [
      ['L ', s.left],
      ['R ', s.right],
    ] as const;
    const present = kids.filter(([, k]) => k !== null);
    present.forEach(([t, k], i) => walk(k, childPrefix, t, i === present.length - 1));
  };
  walk(api.shape(), '  ', '', true);
  if (printed < api.size) lines.push(`  ... ${api.size - printed} more`);
  return lines.join('\n');
}

/** JSON for `run --json --dump-maps`: nodes in order (and the shape with `tree`). */
export function dumpRbtree(map: BpfMap, opts: { decode?: NodeDecoder; tree?: boolean; showRbNode?: boolean } = {}): {
  type: 'rbtree';
  size: number;
  nodesAlive: number;
  bytesInUse: number;
  nodes: { addr: string; color: 'red' | 'black'; value: unknown }[];
  tree?: RbtreeShape | null;
} {
  const api = new RbtreeApi(map, opts.decode ? { decode: withoutRbNode(opts.decode, opts.showRbNode) } : {});
  const out = {
    type: 'rbtree' as const,
    size: api.size,
    nodesAlive: api.map.nodesAlive,
    bytesInUse: api.map.bytesInUse,
    nodes: api.nodes().map((n) => ({ addr: '0x' + n.addr.toString(16), color: n.color, value: api.decode(n.bytes, n.addr) })),
  };
  return opts.tree ? { ...out, tree: api.shape() } : out;
}
