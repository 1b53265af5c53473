// User space's view of a BPF arena map (BPF_MAP_TYPE_ARENA), as a libbpf program sees it through
// the map's mmap: bytes by offset, pointers the programs stored (user addresses), the allocated
// pages, and the object's global `__arena` variables (the `.addr_space.1` section, what a
// skeleton's `skel->arena->x` names). Arena programs are normally checked this way.
import { UsageError } from './errors.js';
import { isBpfArenaMap, type BpfArenaMap } from '../maps/arena.js';
import { ARENA_SEC } from './loader/globals.js';
import { BtfKind } from './btf/btf.js';
import type { LoadedObject } from './loader/load.js';

export interface ArenaVariable {
  readonly name: string;
  /** Byte offset in the BPF arena (= in `.addr_space.1`). */
  readonly offset: number;
  readonly size: number;
}

export class ArenaView {
  constructor(
    readonly map: BpfArenaMap,
    private readonly vars: ReadonlyMap<string, ArenaVariable> = new Map(),
  ) {}

  /** Where user space sees the BPF arena's first byte (the kernel's user_vm_start). */
  get userVmStart(): bigint {
    return this.map.userVmStart;
  }

  /** Allocated pages by page offset, ascending. */
  pages(): number[] {
    return this.map.allocatedPages();
  }

  /** `len` bytes at byte offset `off` (unallocated pages read as zeros). */
  read(off: number, len: number): Uint8Array {
    return this.map.readBytes(off, len);
  }

  /** Write at byte offset `off`; pages not allocated yet are allocated, as a page fault does. */
  write(off: number, bytes: Uint8Array): void {
    this.map.writeBytes(off, bytes);
  }

  /** Byte offset of a pointer a program stored (a user address), or an error naming it. */
  offsetOf(addr: bigint): number {
    const off = addr === 0n ? undefined : this.map.offsetOf(addr);
    if (off === undefined || addr >> 32n !== this.map.userVmStart >> 32n) {
      throw new UsageError(`0x${addr.toString(16)} is not an address of BPF arena ${this.map.name} (0x${this.map.userVmStart.toString(16)}-0x${this.map.userVmEnd.toString(16)})`);
    }
    return off;
  }

  /** `len` bytes at user address `addr`. */
  readAt(addr: bigint, len: number): Uint8Array {
    return this.read(this.offsetOf(addr), len);
  }

  /** Little-endian unsigned integer of `size` bytes at user address `addr` (or byte offset). */
  uint(at: bigint | number, size: 1 | 2 | 4 | 8): bigint {
    const b = typeof at === 'bigint' ? this.readAt(at, size) : this.read(at, size);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    return v;
  }

  /** The object's global `__arena` variables. */
  variables(): ArenaVariable[] {
    return [...this.vars.values()];
  }

  /** A global `__arena` variable's bytes. */
  variable(name: string): Uint8Array {
    const v = this.vars.get(name);
    if (!v) throw new UsageError(`no __arena variable ${name} (have: ${[...this.vars.keys()].join(', ') || 'none'})`);
    return this.read(v.offset, v.size);
  }

  /** A global `__arena` integer variable, signed as its size. */
  int(name: string): bigint {
    const v = this.vars.get(name);
    if (!v || v.size > 8) throw new UsageError(`no __arena integer variable ${name}`);
    return BigInt.asIntN(v.size * 8, this.uint(v.offset, v.size as 1 | 2 | 4 | 8));
  }
}

/** The BPF arena of a loaded object (its one arena map, or the one named). */
export function arenaApi(obj: LoadedObject, name?: string): ArenaView {
  const candidates = [...obj.maps.entries()].filter(([n, m]) => (name === undefined || n === name) && isBpfArenaMap(m.map));
  if (candidates.length === 0) throw new UsageError(name ? `map ${name} is not a BPF arena (BPF_MAP_TYPE_ARENA)` : 'the object has no BPF arena map');
  const map = candidates[0]![1].map as BpfArenaMap;
  const vars = new Map<string, ArenaVariable>();
  const btf = obj.spec.btf;
  const ds = btf?.datasec(ARENA_SEC);
  if (btf && ds) {
    for (const vi of ds.vars!) {
      const vt = btf.type(vi.type);
      if (vt.kind === BtfKind.VAR) vars.set(vt.name, { name: vt.name, offset: vi.offset, size: vi.size });
    }
  } else {
    const elf = obj.spec.elf;
    const sec = elf.sections.find((s) => s.name === ARENA_SEC);
    if (sec) for (const s of elf.symbols) if (s.shndx === sec.index && s.name && s.size > 0) vars.set(s.name, { name: s.name, offset: s.value, size: s.size });
  }
  return new ArenaView(map, vars);
}

/** What `run --dump-maps` shows of a BPF arena: where user space sees it, its allocated pages
 *  (each page's bytes in hex), and the global `__arena` variables (integers up to 8 bytes as
 *  decimal strings, others as hex). */
export interface ArenaDump {
  type: 'arena';
  max_entries: number;
  user_vm_start: string;
  pages: { page: number; addr: string; data: string }[];
  variables: Record<string, string>;
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export function dumpArena(view: ArenaView): ArenaDump {
  const variables: Record<string, string> = {};
  for (const v of view.variables()) variables[v.name] = v.size === 1 || v.size === 2 || v.size === 4 || v.size === 8 ? view.int(v.name).toString() : hex(view.variable(v.name));
  return {
    type: 'arena',
    max_entries: view.map.maxEntries,
    user_vm_start: `0x${view.userVmStart.toString(16)}`,
    pages: view.pages().map((p) => ({ page: p, addr: `0x${(view.userVmStart + BigInt(p * 4096)).toString(16)}`, data: hex(view.read(p * 4096, 4096)) })),
    variables,
  };
}

/** The dump as text: a header line, the variables, then each allocated page's non-zero 16-byte
 *  rows (`+off: bytes`), as a hex dump that skips zeros. */
export function formatArenaDump(name: string, d: ArenaDump): string {
  let t = `${name}: arena, ${d.pages.length} of ${d.max_entries} pages allocated, user_vm_start ${d.user_vm_start}\n`;
  const vars = Object.entries(d.variables);
  if (vars.length) t += `  __arena: ${vars.map(([k, v]) => `${k}=${v}`).join(' ')}\n`;
  for (const p of d.pages) {
    const rows: string[] = [];
    for (let off = 0; off < 4096; off += 16) {
      const row = p.data.slice(off * 2, off * 2 + 32);
      if (/^0+$/.test(row)) continue;
      rows.push(`    +0x${off.toString(16).padStart(3, '0')}: ${row.match(/../g)!.join(' ')}`);
    }
    t += `  page ${p.page} (${p.addr}): ${rows.length ? '' : 'all zero'}\n${rows.length ? rows.join('\n') + '\n' : ''}`;
  }
  return t;
}
