// A runtime full of memory no helper may write (issue 11): a frozen .rodata constant, a
// BPF_F_RDONLY_PROG map, rbtree nodes whose rb_node links are write-protected, the rbtree map's lock
// and a hash value's bpf_spin_lock word; beside them ordinary writable maps, a queue and a ring
// buffer. `callHelper` runs a one-helper-call program with chosen registers (hand-assembled, in a
// test run of a type that may call it, so context arguments are a real context), and `check`
// proves afterwards that nothing changed except through a permitted write. Shared by
// writes.test.ts (every writable-pointer argument against every protected target) and
// fuzz-hostile.test.ts (random hostile arguments for every helper in helpers/table.ts).
import { LINUX_HELPERS } from '../../helpers/table.js';
import type { HelperArg, HelperEntry } from '../../helpers/types.js';
import { RbtreeMap, rbtreeSpec } from '../../maps/rbtree.js';
import { MapFlag, MapType, type BpfMap } from '../../maps/types.js';
import { FaultSignal, VmFault } from '../../src/errors.js';
import { RbtreeApi } from '../../src/rbtree-api.js';
import { Runtime } from '../../src/runtime.js';
import { dumpMapRaw, testRun } from '../../src/test-run-api.js';
import { MemFlag } from '../../vm/memory.js';
import { ProgType } from '../../vm/prog-types.js';
import type { Insn } from '../../vm/isa.js';
import { ADD, DW, I, W, alu64k, call, exit, lddw, mov64, movr, prog, st } from '../vm/enc.js';

export const RODATA_BYTE = 7;

/** One protected thing and its bytes (checked unchanged after every run). */
export interface Target {
  name: string;
  addr: number;
  len: number;
}

export interface HostileWorld {
  rt: Runtime;
  maps: Record<'rodata' | 'rdonly' | 'locked' | 'alock' | 'arr' | 'queue' | 'ringbuf' | 'tree' | 'prog_array', { map: BpfMap; handle: bigint }>;
  /** Read-only and write-protected memory no helper may change. */
  targets: Target[];
  /** A writable map value (writes there are permitted). */
  writable: number;
  /** Tree nodes (their first 24 bytes are the protected rb_node). */
  nodes: number[];
  /** A read-only "%d" format string (ARG_PTR_TO_CONST_STR). */
  constStr: number;
}

export function hostileWorld(): HostileWorld {
  const rt = new Runtime({ arena: { maxBytes: 1 << 28 } });
  const mk = (name: string, type: number, keySize: number, valueSize: number, maxEntries: number, extra: object = {}) => {
    const m = rt.createMap({ name, type, keySize, valueSize, maxEntries, flags: 0, ...extra });
    return { map: m.map, handle: m.handle };
  };
  const rodata = mk('.rodata', MapType.ARRAY, 4, 16, 1, { flags: MapFlag.RDONLY_PROG, contents: [{ key: new Uint8Array(4), value: new Uint8Array(16).fill(RODATA_BYTE) }] });
  rodata.map.frozen = true;
  const rdonly = mk('rdonly', MapType.ARRAY, 4, 32, 2, { flags: MapFlag.RDONLY_PROG, contents: [{ key: new Uint8Array(4), value: new Uint8Array(32).fill(0x5a) }] });
  const locked = mk('locked', MapType.HASH, 4, 16, 4, { spinLockOffset: 0 });
  locked.map.update(new Uint8Array(4), new Uint8Array(16).fill(0x33));
  const alock = mk('alock', MapType.ARRAY, 4, 16, 2, { spinLockOffset: 8 });
  const arr = mk('arr', MapType.ARRAY, 4, 64, 4);
  const queue = mk('queue', MapType.QUEUE, 0, 8, 4);
  queue.map.update(new Uint8Array(0), new Uint8Array(8).fill(0x44));
  const ringbuf = mk('ringbuf', MapType.RINGBUF, 0, 0, 4096);
  const tree = (() => {
    const m = rt.createMap(rbtreeSpec('tree', 40));
    return { map: m.map, handle: m.handle };
  })();
  const api = new RbtreeApi(tree.map);
  for (const k of [5, 1, 9]) api.insert(Uint8Array.from({ length: 40 }, (_, i) => (i === 24 ? k : 0)), { offset: 24, size: 1 });
  const progArray = mk('prog_array', MapType.PROG_ARRAY, 4, 4, 2);
  const fmt = mk('fmt', MapType.ARRAY, 4, 8, 1, { flags: MapFlag.RDONLY_PROG, contents: [{ key: new Uint8Array(4), value: new TextEncoder().encode('%d\0\0\0\0\0\0') }] });
  fmt.map.frozen = true;

  const valueOf = (m: BpfMap, key = new Uint8Array(m.keySize)) => {
    const k = rt.arena.alloc(Math.max(1, m.keySize), { kind: 'other', name: 'key' });
    rt.arena.write(k, key);
    const a = m.lookupElem(k, 0);
    rt.arena.free(k);
    return a;
  };
  const nodes = api.addresses();
  const treeMap = tree.map as RbtreeMap;
  const lockedValue = valueOf(locked.map);
  const targets: Target[] = [
    { name: '.rodata constant (frozen)', addr: valueOf(rodata.map), len: 16 },
    { name: 'BPF_F_RDONLY_PROG map value', addr: valueOf(rdonly.map), len: 32 },
    { name: "hash value's bpf_spin_lock word", addr: lockedValue, len: 4 },
    { name: "rbtree map's lock", addr: treeMap.lockAddr, len: 4 },
    { name: "array element 1's bpf_spin_lock word", addr: valueOf(alock.map, Uint8Array.of(1, 0, 0, 0)) + 8, len: 4 },
    ...nodes.flatMap((n, i) => [
      { name: `rb_node links of node ${i}`, addr: n, len: 24 },
      { name: `rb_node link word 2 of node ${i}`, addr: n + 16, len: 8 },
    ]),
  ];
  return {
    rt,
    maps: { rodata, rdonly, locked, alock, arr, queue, ringbuf, tree, prog_array: progArray },
    targets,
    writable: valueOf(arr.map),
    nodes,
    constStr: valueOf(fmt.map),
  };
}

/** A register value: a number, the context, a callback, or a stack address (r10 + off). */
export type Reg = bigint | { ctx: true } | { func: true } | { stack: number };

/** The program type a helper is called from: a test-runnable type it allows (skb, else xdp). */
export function progTypeFor(h: HelperEntry): number {
  if (h.progTypes === 'all' || h.progTypes.includes(ProgType.SCHED_CLS)) return ProgType.SCHED_CLS;
  if (h.progTypes.includes(ProgType.XDP)) return ProgType.XDP;
  if (h.progTypes.includes(ProgType.SOCKET_FILTER)) return ProgType.SOCKET_FILTER;
  if (h.progTypes.includes(ProgType.RAW_TRACEPOINT)) return ProgType.RAW_TRACEPOINT;
  if (h.progTypes.includes(ProgType.CGROUP_SKB)) return ProgType.CGROUP_SKB;
  throw new Error(`no test-runnable program type for ${h.name}`);
}

/** The test-run input for a program of `progType`: the packet, or raw_tp's u64 arguments. */
export function runInput(progType: number, maxInsns: number): { data?: Uint8Array; args?: number[]; maxInsns: number } {
  return progType === ProgType.RAW_TRACEPOINT ? { args: [0, 0], maxInsns } : { data: packet(), maxInsns };
}

/** The program: r6 = ctx; stack bytes 0x41 ('A') at r10-64..r10-1 with a NUL at r10-1; set r1..r5;
 *  call; exit; then a callback that returns 0. */
export function helperProgram(h: HelperEntry, regs: readonly Reg[], wrap: { before?: Insn[]; after?: Insn[] } = {}): Insn[] {
  const body: Insn[] = [movr(6, 1)];
  for (let off = -64; off < 0; off += 4) body.push(st(W, 10, off, off === -4 ? 0x00414141 : 0x41414141));
  body.push(st(DW, 10, -72, 0x32)); // "2\0" for strtol buffers
  body.push(...(wrap.before ?? []));
  const funcFixups: number[] = [];
  regs.forEach((r, i) => {
    const reg = i + 1;
    if (typeof r === 'bigint') body.push(...lddw(reg, BigInt.asUintN(64, r)));
    else if ('ctx' in r) body.push(movr(reg, 6));
    else if ('stack' in r) body.push(movr(reg, 10), alu64k(ADD, reg, r.stack));
    else {
      funcFixups.push(body.length);
      body.push(...lddw(reg, 0n, 4));
    }
  });
  body.push(call(h.id), ...(wrap.after ?? []), exit());
  const cb = body.length;
  body.push(mov64(0, 0), exit());
  for (const at of funcFixups) body[at] = I(0x18, body[at]!.dst, 4, 0, cb - (at + 1));
  return body;
}

export type Outcome = { kind: 'ok'; r0: bigint } | { kind: 'fault'; fault: VmFault };

/** Run one helper call with `regs`; a VmFault is an outcome, anything else thrown is a test failure. */
export function callHelper(w: HostileWorld, h: HelperEntry, regs: readonly Reg[], maxInsns = 20_000): Outcome {
  const progType = progTypeFor(h);
  const p = prog(helperProgram(h, regs), { name: `call_${h.name}`, progType });
  try {
    const r = testRun(w.rt, p, runInput(progType, maxInsns));
    return { kind: 'ok', r0: BigInt.asIntN(64, r.r0 ?? BigInt(r.retval)) };
  } catch (e) {
    if (e instanceof VmFault) return { kind: 'fault', fault: e };
    if (e instanceof FaultSignal) throw new Error(`${h.name}: a FaultSignal escaped the VM: ${e.reason}`);
    throw e;
  }
}

function packet(): Uint8Array {
  // Ethernet + IPv4 + UDP, 64 bytes.
  const p = new Uint8Array(64);
  p.set([0x08, 0x00], 12);
  p.set([0x45, 0, 0, 50, 0, 0, 0, 0, 64, 17], 14);
  return p;
}

/** Everything that must not change: arena bytes, each map's contents, the rbtree's order. */
export interface Snapshot {
  arena: Uint8Array;
  dumps: Map<string, string>;
  treeOrder: string;
}

export function snapshot(w: HostileWorld): Snapshot {
  const dumps = new Map<string, string>();
  for (const [name, m] of Object.entries(w.maps)) if (name !== 'tree' && name !== 'ringbuf') dumps.set(name, JSON.stringify(dumpMapRaw(m.map, 1)));
  return { arena: w.rt.arena.u8.slice(), dumps, treeOrder: (w.maps.tree.map as RbtreeMap).inOrder().join(',') };
}

/** The maps a call may change: those whose handle or memory its registers name. */
export function namedMaps(w: HostileWorld, regs: readonly Reg[]): Set<string> {
  const named = new Set<string>();
  for (const r of regs) {
    if (typeof r !== 'bigint') continue;
    for (const [name, m] of Object.entries(w.maps)) {
      if (r === m.handle) named.add(name);
    }
    if (r >> 32n === 0n) {
      const info = w.rt.arena.describe(Number(r));
      if (info?.kind === 'map' || info?.kind === 'node') {
        for (const [name, m] of Object.entries(w.maps)) {
          // Region-backed maps carry their name; a hash value is a slab object named 'map', found
          // through its lock word (the hash here holds a bpf_spin_lock at offset 0 of each value).
          if (info.name === m.map.name || m.map.spinLockAt?.(info.start + (m.map.spec.spinLockOffset ?? 0))) named.add(name);
        }
      }
    }
  }
  return named;
}

/** Problems found: protected or read-only bytes changed, bytes of memory nobody named changed,
 *  maps that were not named changed, the rbtree's order changed. Empty when all is well. */
export function check(w: HostileWorld, before: Snapshot, regs: readonly Reg[], opts: { treeMayChange?: boolean } = {}): string[] {
  const out: string[] = [];
  const a = w.rt.arena;
  const tree = w.maps.tree.map as RbtreeMap;
  // Under the tree's lock, add/remove rewrite links they own: then the tree must be sound and hold
  // only its own nodes instead of unchanged.
  const treeOwned = (kind: string) => opts.treeMayChange === true && kind === 'node';
  for (const t of w.targets) {
    if (opts.treeMayChange && t.name.startsWith('rb_node')) continue;
    for (let i = 0; i < t.len; i++) {
      if (a.u8[t.addr + i] !== before.arena[t.addr + i]) {
        out.push(`${t.name} changed at +${i}: ${before.arena[t.addr + i]} -> ${a.u8[t.addr + i]}`);
        break;
      }
    }
  }
  const named = namedMaps(w, regs);
  const argRegions = new Set<number>();
  for (const r of regs) if (typeof r === 'bigint' && r >> 32n === 0n && r > 0n) {
    const info = a.describe(Number(r));
    if (info) argRegions.add(info.start);
  }
  const n = Math.min(before.arena.length, a.u8.length);
  const PAGE = 4096;
  let reported = 0;
  for (let i = 0; i < n && reported < 3; i++) {
    // Whole unchanged pages are skipped with one native compare.
    if (i % PAGE === 0) {
      const len = Math.min(PAGE, n - i);
      if (Buffer.from(a.u8.buffer, i, len).equals(Buffer.from(before.arena.buffer, i, len))) {
        i += len - 1;
        continue;
      }
    }
    if (a.u8[i] === before.arena[i]) continue;
    const info = a.describe(i);
    // Free memory (a run's context and packet), stacks, contexts and packets are the run's own.
    if (!info || info.kind === 'stack' || info.kind === 'ctx' || info.kind === 'packet' || treeOwned(info.kind)) continue;
    const protectedByte = a.isProtected(i, 1);
    const readOnly = (info.flags & MemFlag.WRITE) === 0;
    // Memory of a map the call named may change (its helpers keep their own protected bookkeeping
    // there, e.g. a ring-buffer record header); the protected bytes a program must never reach
    // through a helper are the targets, checked above byte for byte.
    const permitted = !readOnly && ((argRegions.has(info.start) && !protectedByte) || ((info.kind === 'map' || info.kind === 'node') && named.size > 0));
    if (!permitted) {
      out.push(`byte 0x${i.toString(16)} of ${info.kind} '${info.name}'${protectedByte ? ' (write-protected)' : ''}${readOnly ? ' (read-only)' : ''} changed: ${before.arena[i]} -> ${a.u8[i]}`);
      reported++;
    }
  }
  for (const [name, m] of Object.entries(w.maps)) {
    if (!before.dumps.has(name) || named.has(name)) continue;
    if (JSON.stringify(dumpMapRaw(m.map, 1)) !== before.dumps.get(name)) out.push(`map ${name} changed though the call named neither it nor its memory`);
  }
  const order = tree.inOrder();
  if (!opts.treeMayChange && order.join(',') !== before.treeOrder) out.push(`rbtree order changed: ${before.treeOrder} -> ${order.join(',')}`);
  out.push(...tree.tree.check().map((p) => `rbtree unsound: ${p}`));
  for (const n of order) if (!tree.ownsNode(n)) out.push(`rbtree links 0x${n.toString(16)}, which is not a node it allocated`);
  return out;
}

/** Whether an argument is one a helper writes through (the kernel's vocabulary in the proto). */
export function isWritablePointer(arg: HelperArg): boolean {
  const flags = arg.flags ?? [];
  switch (arg.type) {
    case 'ARG_PTR_TO_MEM':
      return !flags.includes('MEM_RDONLY');
    case 'ARG_PTR_TO_MAP_VALUE':
      return flags.includes('MEM_UNINIT');
    case 'ARG_PTR_TO_LONG':
    case 'ARG_PTR_TO_INT':
    case 'ARG_PTR_TO_SPIN_LOCK':
    case 'ARG_PTR_TO_TIMER':
    case 'ARG_PTR_TO_DYNPTR':
    case 'ARG_PTR_TO_ALLOC_MEM':
      return true;
    case 'ARG_PTR_TO_BTF_ID':
      return arg.btfType === 'rb_node'; // the rbtree helpers write a node's links
    default:
      return false;
  }
}

/** A plausible register for each argument, so a call reaches the code that writes. */
export function plausibleArgs(w: HostileWorld, h: HelperEntry): Reg[] {
  const mapFor = (): bigint => {
    if (h.name.startsWith('rbtree_')) return w.maps.tree.handle;
    if (h.name.startsWith('ringbuf_')) return w.maps.ringbuf.handle;
    if (/push|pop|peek/.test(h.name)) return w.maps.queue.handle;
    if (h.name === 'tail_call') return w.maps.prog_array.handle;
    return w.maps.arr.handle;
  };
  return h.proto.args.map((arg, i): Reg => {
    switch (arg.type) {
      case 'ARG_PTR_TO_CTX':
        return { ctx: true };
      case 'ARG_CONST_MAP_PTR':
        return mapFor();
      case 'ARG_PTR_TO_FUNC':
        return { func: true };
      case 'ARG_CONST_SIZE':
      case 'ARG_CONST_SIZE_OR_ZERO':
      case 'ARG_CONST_ALLOC_SIZE_OR_ZERO':
        return 8n;
      case 'ARG_PTR_TO_CONST_STR':
        return BigInt(w.constStr);
      case 'ARG_PTR_TO_MAP_KEY':
        return { stack: -72 };
      case 'ARG_PTR_TO_BTF_ID':
        return arg.btfType === 'rb_node' ? BigInt(w.nodes[0]!) : 0n;
      case 'ARG_PTR_TO_SPIN_LOCK':
        return BigInt(h.name.startsWith('rbtree_') ? (w.maps.tree.map as RbtreeMap).lockAddr : w.targets[2]!.addr);
      case 'ARG_PTR_TO_MEM':
      case 'ARG_PTR_TO_MAP_VALUE':
      case 'ARG_PTR_TO_STACK':
      case 'ARG_PTR_TO_LONG':
      case 'ARG_PTR_TO_INT':
        return i === 0 && h.name === 'strtol' ? { stack: -72 } : { stack: -64 };
      default:
        // probe_read*'s source: readable arena memory, so the copy happens
        return h.name.startsWith('probe_read') && i === 2 ? BigInt(w.writable) : 0n;
    }
  });
}

/** Every helper a test-runnable program type may call: the socket hooks' own helpers (bind,
 *  setsockopt, the sock_ops ones) are only callable from program types whose runs bpf(2)
 *  refuses, so no run can reach them (test/run checks the refusal). */
export const HELPERS: readonly HelperEntry[] = LINUX_HELPERS.filter((h) => {
  try {
    progTypeFor(h);
    return true;
  } catch {
    return false;
  }
});
