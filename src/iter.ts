// BPF iterator programs (SEC("iter/<target>")): the targets ebpfvm models and the run that reads
// an iterator the way reading a pinned iterator does on the host (`bpftool iter pin x.o
// /sys/fs/bpf/it; cat /sys/fs/bpf/it`). The kernel cannot test-run these programs
// (bpf_prog_test_run_tracing: -ENOTSUPP for BPF_TRACE_ITER); they only run inside read() on an
// iterator file, kernel/bpf/bpf_iter.c's bpf_seq_read:
//   - the program is called once per object, with ctx->meta->seq_num counting the objects shown
//     so far, and once more, after the last object, with the object NULL (the seq_ops' stop);
//   - its output goes into a seq_file of PAGE_SIZE << 3 bytes (helpers/seq.ts). When an object's
//     output overflows it, the output of that object is dropped and the read returns what came
//     before; the next read starts again at that object (same seq_num). If the object was alone
//     in the buffer, the read fails with E2BIG. A read also ends when the buffer holds at least
//     the size user space asked for; what does not fit the user's buffer comes in the next read;
//   - a program returning 1 (the only other value its verifier allows) makes show() -EAGAIN: the
//     read returns what it has, and the next one fails with EAGAIN at that object;
//   - the final NULL call happens once its output fits (done_stop).
// The objects are listed when the iterator starts (the kernel walks the live structures; a
// program that adds or deletes elements of the map it iterates may see another order there).
//
// Targets (the kernel's bpf_iter_reg tables: ctx_arg_info and BTF prototype of bpf_iter_<target>):
//   bpf_map       every map of the runtime, by id; ctx->map NULL at the end
//   bpf_map_elem  every element of one map (array, hash, lru_hash and their per-CPU types):
//                 ctx->key read-only, ctx->value writable (the element itself; for per-CPU maps a
//                 copy of all CPUs' values, each rounded up to 8 bytes); both NULL at the end.
//                 Attaching checks the program's furthest key and value accesses (verifier
//                 bufAccess) against the map's sizes: -EACCES, as bpf_iter_attach_map does
//   task          every task of the runtime's kernel model (src/btf/kernel-objects.ts), by pid
//   bpf_link, task_file, task_vma, netlink, ipv6_route  nothing: the runtime has no links, netlink
//                 sockets or IPv6 routes,
//                 and its task model no open files or address space (as bpf_find_vma finds no
//                 vma); only the final call
//   ksym          every function of the built-in kernel's text (src/btf/kallsyms.ts), by address:
//                 ctx->ksym a struct kallsym_iter as the kernel fills it for a core symbol (pos,
//                 value, type 'T', name, no module, show_value 1)
//   tcp, udp, unix, cgroup  verified only (their contexts are in the built-in BTF); ebpfvm has no
//                 socket tables or cgroup walk to read, so a read is refused naming the target
import { UsageError, UnsupportedError } from './errors.js';
import { SeqFile } from '../helpers/seq.js';
import type { RunOutput } from '../helpers/types.js';
import { MapType, type BpfMap } from '../maps/types.js';
import { MemFlag } from '../vm/memory.js';
import { MAP_STRUCT_BASE, MAP_STRUCT_STRIDE } from './btf/builtin-addrs.js';
import { kernelFuncs } from './btf/kallsyms.js';
import { KALLSYM_ITER } from './btf/builtin-iter.js';
import { iterTarget, type IterTarget } from './iter-targets.js';
import { runnableProgram } from './verify.js';
import type { LoadedObject } from './loader/load.js';
import type { LoadedMap, Runtime } from './runtime.js';

/** Attaching the iterator failed as the kernel's BPF_LINK_CREATE would (errno named). */
export class IterAttachError extends UsageError {
  constructor(
    readonly errno: 'EINVAL' | 'EACCES' | 'EBADF',
    message: string,
  ) {
    super(`iterator attach refused (-${errno}): ${message}`);
  }
}

export interface IterOptions {
  /** bpf_map_elem: the map to iterate, by name (`ebpfvm run --iter-map NAME`). */
  map?: string;
  /** Bytes each read() asks for (default 131072, what `cat` asks for). */
  readSize?: number;
  /** Run the program as verified (no instruction budget), as the CLI does after verifying. */
  verified?: boolean;
  maxInsns?: number;
  cpu?: number;
}

export interface IterResult {
  /** What the reads returned, concatenated (the file's contents). */
  output: Uint8Array;
  /** The read that failed, if one did (reading stops there, as `cat` does). */
  error?: { errno: 'E2BIG' | 'EAGAIN'; message: string };
  /** What each read() returned, as the syscall returns it: the bytes it gave (0 at the end), or a
   *  negative errno for the one that failed. */
  reads: number[];
  /** Program runs, the final NULL-object calls included. */
  calls: number;
  /** Objects the iterator visited. */
  objects: number;
  insnCount: number;
  printk: string[];
}

/** PAGE_SIZE << 3: the seq_file buffer of a BPF iterator. */
export const ITER_SEQ_SIZE = 4096 << 3;
/** Kernel addresses of the iterator's own objects (kernel memory, read-only to programs). */
const SEQ_ADDR = 0xffff888001000000n;
const META_ADDR = 0xffff888001000100n;
/** The ksym iterator's struct kallsym_iter. */
const KSYM_ITER_ADDR = 0xffff888001000400n;
/** The kernel's MAX_ITER_OBJECTS: one read visits at most this many objects. */
const MAX_ITER_OBJECTS = 1_000_000;

let sessions = 0n;

/** One object the iterator visits: the ctx slots after meta, and what to do after its call. */
interface IterObject {
  /** The slots, made ready for one call. */
  enter(): bigint[];
  /** Undo what enter made (scratch copies). */
  leave?(): void;
}

/** Read the iterator of program `name` of `obj` to its end. */
export function runIterator(obj: LoadedObject, name: string, opts: IterOptions = {}): IterResult {
  const lp = obj.program(name);
  const target = iterTarget(lp.section);
  if (!target) throw new UsageError(`program ${name} (section ${lp.section}) is not an iterator program`);
  if (target.verifyOnly) throw new UnsupportedError(`iterator target ${target.name}: ebpfvm verifies these programs but has no ${target.name} objects to iterate`);
  const runtime = obj.runtime;
  const readSize = opts.readSize ?? 131072;
  if (!Number.isInteger(readSize) || readSize < 1) throw new UsageError(`iterator read size must be a positive integer (got ${readSize})`);
  const program = runnableProgram(lp);
  const { list, stopSlots } = objectsOf(obj, target, lp.verified?.bufAccess, opts.map);

  const arena = runtime.arena;
  const ctxSize = 8 * target.args.length;
  const ctx = arena.allocRegion(ctxSize, MemFlag.READ, 'ctx', `iter/${target.name} ctx`);
  const output: RunOutput = { printk: [], ringbuf: [], perf: [] };
  const session = ++sessions;
  let seqNum = 0n;
  let index = 0; // seq->index: the next object start() returns
  let doneStop = false;
  let calls = 0;
  let insnCount = 0;
  let seq = new SeqFile(SEQ_ADDR, ITER_SEQ_SIZE);
  let from = 0;
  const out: Uint8Array[] = [];
  const reads: number[] = [];
  let error: IterResult['error'];

  const meta = new Uint8Array(24);
  const mdv = new DataView(meta.buffer);
  mdv.setBigUint64(0, SEQ_ADDR, true);
  mdv.setBigUint64(8, session, true);
  const seqImage = new Uint8Array(32);
  const sdv = new DataView(seqImage.buffer);
  sdv.setBigUint64(8, BigInt(ITER_SEQ_SIZE), true);
  runtime.kmem.map(SEQ_ADDR, seqImage);

  /** seq_ops->show (or stop with NULL): run the program; 0, or -EAGAIN for a non-zero return. */
  const show = (o: IterObject | undefined): number => {
    mdv.setBigUint64(16, seqNum, true);
    runtime.kmem.map(META_ADDR, meta);
    const slots = [META_ADDR, ...(o ? o.enter() : stopSlots)];
    for (let i = 0; i < slots.length; i++) arena.dv.setBigUint64(ctx + 8 * i, BigInt.asUintN(64, slots[i]!), true);
    output.seq = seq;
    try {
      const r = runtime.execute(program, {
        args: [ctx],
        ...(opts.cpu !== undefined ? { cpu: opts.cpu } : {}),
        ...(opts.maxInsns !== undefined ? { maxInsns: opts.maxInsns } : {}),
        ...(opts.verified ? { verified: true } : {}),
        output,
        probeMem: true,
      });
      calls++;
      insnCount += r.insnCount;
      return r.r0 === 0n ? 0 : -11;
    } finally {
      o?.leave?.();
    }
  };
  const stop = (p: IterObject | undefined): void => {
    // bpf_iter_get_info(meta, in_stop): no call once the final call's output fitted.
    if (!p && !doneStop) show(undefined);
  };

  /** One bpf_seq_read of `size` bytes: the bytes returned, or a negative errno. */
  const read = (size: number): Uint8Array | number => {
    if (seq.count) {
      const n = Math.min(seq.count, size);
      const bytes = seq.buf.slice(from, from + n);
      seq.count -= n;
      from += n;
      return bytes;
    }
    from = 0;
    seq = new SeqFile(SEQ_ADDR, ITER_SEQ_SIZE);
    let p: IterObject | undefined = list[index];
    let err = 0;
    let offs = 0;
    if (p) {
      err = show(p);
      if (err < 0 || seq.overflowed) {
        stop(p);
        return err < 0 ? err : -7;
      }
      let objs = 0;
      for (;;) {
        objs++;
        offs = seq.count;
        index++;
        p = list[index];
        if (!p) break;
        seqNum++;
        if (seq.count >= size) break;
        if (objs >= MAX_ITER_OBJECTS) {
          if (offs === 0) {
            stop(p);
            return -11;
          }
          break;
        }
        err = show(p);
        if (err < 0 || seq.overflowed) {
          seq.count = offs;
          if (offs === 0) {
            stop(p);
            return err < 0 ? err : -7;
          }
          break;
        }
      }
    }
    offs = seq.count;
    stop(p);
    if (!p) {
      if (!seq.overflowed) doneStop = true;
      else {
        seq.count = offs;
        if (offs === 0) return -7;
      }
    }
    const n = Math.min(seq.count, size);
    const bytes = seq.buf.slice(0, n);
    seq.count -= n;
    from = n;
    return bytes;
  };

  try {
    for (;;) {
      const r = read(readSize);
      reads.push(typeof r === 'number' ? r : r.length);
      if (typeof r === 'number') {
        error =
          r === -7
            ? { errno: 'E2BIG', message: `the output of one object (seq_num ${seqNum}) does not fit the ${ITER_SEQ_SIZE}-byte seq_file buffer` }
            : { errno: 'EAGAIN', message: `the program returned 1 (retry) for the object at seq_num ${seqNum}` };
        break;
      }
      if (r.length === 0) break;
      out.push(r);
    }
  } finally {
    arena.free(ctx);
    output.seq = undefined;
  }
  const total = out.reduce((n, b) => n + b.length, 0);
  const output8 = new Uint8Array(total);
  let at = 0;
  for (const b of out) {
    output8.set(b, at);
    at += b.length;
  }
  return { output: output8, ...(error ? { error } : {}), reads, calls, objects: list.length, insnCount, printk: output.printk };
}

/** The objects of an iteration, in the kernel's order. */
function objectsOf(obj: LoadedObject, target: IterTarget, bufAccess: { rdonly: number; rdwr: number } | undefined, mapName: string | undefined): { list: IterObject[]; stopSlots: bigint[] } {
  const none = target.args.slice(1).map(() => 0n);
  const runtime = obj.runtime;
  if (!target.needsMap && mapName !== undefined) throw new IterAttachError('EINVAL', `iter/${target.name} takes no map (--iter-map is for iter/bpf_map_elem)`);
  switch (target.name) {
    case 'bpf_map':
      return {
        list: runtime
          .allMaps()
          .sort((a, b) => a.id - b.id)
          .map((m): IterObject => {
            const addr = mapStructAddr(runtime, m);
            return { enter: () => [addr] };
          }),
        stopSlots: none,
      };
    case 'task':
      return { list: [...runtime.kernel.tasks].sort((a, b) => a.pid - b.pid).map((t): IterObject => ({ enter: () => [t.addr] })), stopSlots: none };
    case 'ksym': {
      // kallsyms' core symbols in address order, each shown from the iterator's struct
      // kallsym_iter: type 'T', no module, its value shown (root's view); the pos_*_end marks stay
      // 0, as the kernel leaves them while it walks the core symbols.
      return {
        list: kernelFuncs().map(({ name, addr }, pos): IterObject => ({
          enter: () => {
            const img = new Uint8Array(KALLSYM_ITER.size);
            const dv = new DataView(img.buffer);
            dv.setBigInt64(KALLSYM_ITER.pos, BigInt(pos), true);
            dv.setBigUint64(KALLSYM_ITER.value, addr, true);
            img[KALLSYM_ITER.type] = 0x54; // 'T'
            img.set(new TextEncoder().encode(name).subarray(0, 511), KALLSYM_ITER.name);
            dv.setInt32(KALLSYM_ITER.showValue, 1, true);
            runtime.kmem.map(KSYM_ITER_ADDR, img);
            return [KSYM_ITER_ADDR];
          },
        })),
        stopSlots: none,
      };
    }
    case 'bpf_link':
    case 'task_file':
    case 'task_vma':
    case 'netlink':
    case 'ipv6_route':
      // no links (the runtime makes none), no open files or address spaces in the task model
      return { list: [], stopSlots: none };
    case 'bpf_map_elem': {
      if (mapName === undefined) throw new IterAttachError('EBADF', `iter/bpf_map_elem iterates one map: name it (ebpfvm run --iter-map NAME; maps: ${[...obj.maps.keys()].join(', ') || 'none'})`);
      const lm = obj.maps.get(mapName);
      if (!lm) throw new UsageError(`--iter-map ${mapName}: no map named ${mapName} (maps: ${[...obj.maps.keys()].join(', ') || 'none'})`);
      // The final call keeps the map (bpf_map_elem's stop: key and value NULL).
      return { list: mapElems(runtime, lm, bufAccess ?? { rdonly: 0, rdwr: 0 }), stopSlots: [mapStructAddr(runtime, lm), 0n, 0n] };
    }
  }
  throw new UnsupportedError(`iterator target ${target.name} has no object model`);
}

/** The map's kernel struct mapped into kernel memory; its address. */
function mapStructAddr(runtime: Runtime, m: LoadedMap): bigint {
  const addr = MAP_STRUCT_BASE + BigInt(m.id) * MAP_STRUCT_STRIDE;
  const bytes = runtime.mapStruct(m.id);
  if (bytes) runtime.kmem.map(addr, bytes);
  return addr;
}

const PERCPU = new Set<number>([MapType.PERCPU_HASH, MapType.LRU_PERCPU_HASH, MapType.PERCPU_ARRAY]);
const PLAIN = new Set<number>([MapType.HASH, MapType.LRU_HASH, MapType.ARRAY]);

/** bpf_iter_attach_map's checks, then the map's elements: key copies (read-only), values in
 *  place (a copy of every CPU's value for per-CPU maps). */
function mapElems(runtime: Runtime, lm: LoadedMap, acc: { rdonly: number; rdwr: number }): IterObject[] {
  const map: BpfMap = lm.map;
  const percpu = PERCPU.has(map.type);
  if (!percpu && !PLAIN.has(map.type)) throw new IterAttachError('EINVAL', `map ${map.name}: iter/bpf_map_elem iterates hash, lru_hash, array and their per-CPU maps only`);
  const valueSize = percpu ? ((map.valueSize + 7) & ~7) * runtime.options.ncpus : map.valueSize;
  if (acc.rdonly > map.keySize || acc.rdwr > valueSize)
    throw new IterAttachError('EACCES', `map ${map.name}: the program reads ${acc.rdonly} key bytes and accesses ${acc.rdwr} value bytes; the map has ${map.keySize}-byte keys and ${valueSize}-byte values`);
  const arena = runtime.arena;
  const mapAddr = mapStructAddr(runtime, lm);
  const keys: Uint8Array[] = [];
  for (let k = map.nextKey(undefined); k !== undefined && keys.length <= map.maxEntries; k = map.nextKey(k)) keys.push(k);
  return keys.map((key): IterObject => {
    let keyAddr = 0;
    let valAddr = 0;
    return {
      enter: () => {
        keyAddr = arena.allocRegion(map.keySize, MemFlag.READ | MemFlag.WRITE, 'other', `${map.name} iterator key`);
        arena.write(keyAddr, key);
        arena.setFlags(keyAddr, MemFlag.READ);
        if (percpu) {
          const v = map.lookup(key) ?? new Uint8Array(valueSize);
          valAddr = arena.allocRegion(valueSize, MemFlag.READ | MemFlag.WRITE, 'other', `${map.name} iterator per-CPU values`);
          arena.write(valAddr, v);
        } else valAddr = map.lookupElem(keyAddr, 0);
        return [mapAddr, BigInt(keyAddr), BigInt(valAddr)];
      },
      leave: () => {
        arena.free(keyAddr);
        if (percpu && valAddr) arena.free(valAddr);
      },
    };
  });
}
