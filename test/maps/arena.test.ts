// BPF arena maps (BPF_MAP_TYPE_ARENA, maps/arena.ts): creation checks with arena_map_alloc's
// errnos, the kfuncs, `.addr_space.1` globals, addr_space_cast, faults on unallocated pages, and
// the kernel's own arena selftests with the values their prog_tests assert. The 6.18 host refuses
// BPF_MAP_CREATE of type 33 with EPERM even as root (docs/arena.md), so there is no host
// recording: the oracle is the kernel source and the selftests' assertions. Every run is made on
// both engines.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load, openObject, type LoadedObject } from '../../src/loader/index.js';
import { testRun } from '../../src/test-run-api.js';
import { arenaApi } from '../../src/arena-api.js';
import { MapError } from '../../src/errors.js';
import { ARENA_MAP_MAX_PAGES, BPF_F_NO_USER_CONV, BPF_F_SEGV_ON_FAULT, isBpfArenaMap } from '../../maps/arena.js';
import { Errno, MapFlag, MapType, type MapSpec } from '../../maps/types.js';
import { assemble } from '../../vm/asm.js';
import { ProgType } from '../../vm/prog-types.js';
import type { Engine } from '../../vm/interpreter.js';
import { runnableProgram, verifyForRun } from '../../src/verify.js';
import type { TestResult } from '../../src/selftest/runner.js';
import { cli } from '../cli/capture.js';

const ENGINES: Engine[] = ['interpreter', 'compiled'];
const MODES = ENGINES.flatMap((engine) => [false, true].map((verified) => ({ engine, verified, name: `${engine}, ${verified ? 'verified' : 'unverified'}` })));
const KPROGS = '/root/.cache/ebpfvm/build/progs';

function open(path: string, runtime: Runtime, programs?: string[], edit?: (o: ReturnType<typeof openObject>) => void): LoadedObject {
  const spec = openObject(new Uint8Array(readFileSync(path)));
  edit?.(spec);
  return load(runtime, spec, programs ? { programs } : {});
}

/** A test run of program `p`, verified first (then run as the kernel runs it: the verifier's
 *  rewrite, no instruction budget) when `verified`. */
function runAs(o: LoadedObject, p: string, verified: boolean, input: { args?: bigint[] } = {}): number {
  if (!verified) return testRun(o.runtime, o.program(p).program, input).retval | 0;
  verifyForRun(o, p);
  return testRun(o.runtime, runnableProgram(o.program(p)), { ...input, maxInsns: 0 }).retval | 0;
}

function bss(o: LoadedObject, name: string): bigint {
  const g = o.spec.globals.get(name)!;
  const b = o.map(g.map).lookup(new Uint8Array(4))!.subarray(g.offset, g.offset + g.size);
  let v = 0n;
  for (let i = g.size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

function createErrno(spec: Partial<MapSpec>): number | 'ok' {
  const runtime = new Runtime();
  try {
    runtime.createMap({ name: 'a', type: MapType.ARENA, keySize: 0, valueSize: 0, maxEntries: 10, flags: MapFlag.MMAPABLE, ...spec });
    return 'ok';
  } catch (e) {
    if (e instanceof MapError) return -(e.errno ?? 0);
    throw e;
  }
}

describe('BPF_MAP_TYPE_ARENA creation', () => {
  it("applies arena_map_alloc's checks with its errnos", () => {
    expect(createErrno({})).toBe('ok');
    expect(createErrno({ keySize: 4 })).toBe(Errno.EINVAL);
    expect(createErrno({ valueSize: 8 })).toBe(Errno.EINVAL);
    expect(createErrno({ maxEntries: 0 })).toBe(Errno.EINVAL);
    expect(createErrno({ flags: 0 })).toBe(Errno.EINVAL); // BPF_F_MMAPABLE required
    expect(createErrno({ flags: MapFlag.MMAPABLE | MapFlag.RDONLY_PROG })).toBe(Errno.EINVAL);
    expect(createErrno({ flags: MapFlag.MMAPABLE | BPF_F_SEGV_ON_FAULT | BPF_F_NO_USER_CONV })).toBe('ok');
    expect(createErrno({ mapExtra: 0x1000_0000_0800n })).toBe(Errno.EINVAL); // not page-aligned
    expect(createErrno({ mapExtra: 1n << 44n })).toBe('ok');
    // the user range may not cross a 4 GiB boundary
    expect(createErrno({ mapExtra: (1n << 44n) | 0xffff_f000n, maxEntries: 2 })).toBe(Errno.ERANGE);
    expect(createErrno({ mapExtra: (1n << 44n) | 0xffff_e000n, maxEntries: 2 })).toBe('ok');
    expect(createErrno({ maxEntries: (1 << 20) + 1 })).toBe(Errno.E2BIG); // > 4 GiB
    // ebpfvm's cap: 256 MiB of the VM's 32-bit address space
    expect(createErrno({ maxEntries: ARENA_MAP_MAX_PAGES + 1 })).toBe(Errno.ENOMEM);
    expect(createErrno({ maxEntries: 1 << 20 })).toBe(Errno.ENOMEM);
  });

  it('keeps map_extra\'s upper half as the user address and places the window in the VM', () => {
    const runtime = new Runtime();
    const m = runtime.createMap({ name: 'a', type: MapType.ARENA, keySize: 0, valueSize: 0, maxEntries: 3, flags: MapFlag.MMAPABLE, mapExtra: 1n << 44n }).map;
    if (!isBpfArenaMap(m)) throw new Error('not an arena');
    expect(m.userVmStart >> 32n).toBe(1n << 12n);
    expect(Number(m.userVmStart & 0xffffffffn)).toBe(m.windowStart);
    expect(m.userVmEnd - m.userVmStart).toBe(3n * 4096n);
    // no elements: the kernel's arena_map_ops
    expect(m.update(new Uint8Array(0), new Uint8Array(0))).toBe(-Errno.EOPNOTSUPP);
    expect(m.lookup(new Uint8Array(0))).toBeUndefined();
    // user-space writes fault pages in; BPF_F_SEGV_ON_FAULT refuses that
    expect(m.allocatedPages()).toEqual([]);
    m.writeBytes(4096 + 10, new Uint8Array([1, 2, 3]));
    expect(m.allocatedPages()).toEqual([1]);
    expect([...m.readBytes(4096 + 9, 5)]).toEqual([0, 1, 2, 3, 0]);
    expect(() => m.readBytes(3 * 4096 - 2, 4)).toThrow(/outside the BPF arena/);
    const s = runtime.createMap({ name: 's', type: MapType.ARENA, keySize: 0, valueSize: 0, maxEntries: 1, flags: MapFlag.MMAPABLE | BPF_F_SEGV_ON_FAULT }).map;
    if (!isBpfArenaMap(s)) throw new Error('not an arena');
    expect(() => s.writeBytes(0, new Uint8Array(1))).toThrow(/BPF_F_SEGV_ON_FAULT/);
    // destroying gives the window back: a new arena of the same size reuses it
    const start = m.windowStart;
    runtime.destroyMap(runtime.allMaps().find((x) => x.map === m)!.id);
    const again = runtime.createMap({ name: 'b', type: MapType.ARENA, keySize: 0, valueSize: 0, maxEntries: 3, flags: MapFlag.MMAPABLE }).map;
    expect(isBpfArenaMap(again) && again.windowStart).toBe(start);
    expect(isBpfArenaMap(again) && again.allocatedPages()).toEqual([]);
  });
});

describe.each(MODES)('BPF arena programs ($name)', ({ engine, verified }) => {
  const prog = new URL('../progs/maps/m_arena.o', import.meta.url).pathname;
  const run = (o: LoadedObject, p: string) => runAs(o, p, verified);

  it('global __arena variables live in the first page; alloc_pages hands out the next', () => {
    const runtime = new Runtime({ engine });
    const o = open(prog, runtime);
    const view = arenaApi(o);
    expect(view.pages()).toEqual([0]); // .addr_space.1 copied in at load
    expect(view.int('counter')).toBe(5n);
    expect(run(o, 'am_alloc')).toBe(0);
    expect(view.int('counter')).toBe(15n);
    expect(view.uint(view.variables().find((v) => v.name === 'table')!.offset + 24, 8)).toBe(7n); // 4 + 1 + 2
    const saved = bss(o, 'saved');
    expect(saved).toBe(view.userVmStart + 4096n); // page 1, a user address
    expect(view.uint(saved, 8)).toBe(0x1122334455667788n);
    expect(view.uint(saved + 4088n, 8)).toBe(7n);
    expect(view.pages()).toEqual([0, 1]);
  });

  it('refuses bad arguments with NULL and fills the arena page by page', () => {
    const runtime = new Runtime({ engine });
    const o = open(prog, runtime);
    expect(run(o, 'am_bad_args')).toBe(0x3f);
    expect(arenaApi(o).pages()).toEqual([0]);
    expect(run(o, 'am_fill')).toBe(31); // 3 pages, then nothing left
    expect(arenaApi(o).pages()).toEqual([0, 1, 2, 3]);
  });

  it('a freed page reads 0 and drops stores and atomics; double and stray frees are no-ops', () => {
    const runtime = new Runtime({ engine });
    const o = open(prog, runtime);
    expect(run(o, 'am_uaf')).toBe(0);
    expect(arenaApi(o).pages()).toEqual([0, 1]);
  });

  it('bpf_arena_reserve_pages keeps pages from alloc_pages until they are freed', () => {
    const runtime = new Runtime({ engine });
    const o = open(prog, runtime);
    expect(run(o, 'am_reserve')).toBe(0);
    expect(arenaApi(o).pages()).toEqual([0, 1, 3]); // page 2 reserved, never populated
  });

  it('atomics work on arena memory', () => {
    const runtime = new Runtime({ engine });
    const o = open(prog, runtime);
    expect(run(o, 'am_atomics')).toBe(6);
    expect(arenaApi(o).int('counter')).toBe(8n);
    expect(arenaApi(o).uint(arenaApi(o).variables().find((v) => v.name === 'table')!.offset, 8)).toBe(9n);
  });

  it('a forged arena pointer outside every BPF arena faults with the reason, never a JS error', () => {
    const runtime = new Runtime({ engine });
    open(prog, runtime);
    const insns = assemble(['r1 = 0x7f0000000010 ll', 'r1 = addr_space_cast(r1, 0x0, 0x1)', 'r2 = 1', '*(u64 *)(r1 + 0x0) = r2', 'r0 = 0', 'exit'].join('\n'));
    const r = () => testRun(runtime, { name: 'forged', progType: ProgType.SYSCALL, insns, gpl: true }, {});
    expect(r).toThrow(/write of 8 bytes at 0x10: not in any region/);
    // addr_space_cast to the user view needs the program's arena
    const up = assemble(['r1 = 0x10', 'r1 = addr_space_cast(r1, 0x1, 0x0)', 'r0 = r1', 'exit'].join('\n'));
    expect(() => testRun(runtime, { name: 'nocast', progType: ProgType.SYSCALL, insns: up, gpl: true }, {})).toThrow(/no BPF arena map/);
  });
});

describe.each(MODES)("the kernel's arena selftests ($name)", ({ engine, verified }) => {
  const run = (o: LoadedObject, p: string) => runAs(o, p, verified);
  // prog_tests/arena_htab.c: the program builds a hash table in the arena; user space walks its
  // buckets through the pointers the program stored and finds value == key for keys 0, 4, 8, 12.
  it.skipIf(!existsSync(`${KPROGS}/arena_htab.o`))('arena_htab.c: arena_htab_llvm', () => {
    const runtime = new Runtime({ engine });
    const o = open(`${KPROGS}/arena_htab.o`, runtime, ['arena_htab_llvm']);
    const view = arenaApi(o);
    view.write(0, new Uint8Array([0xaa, 0x55, 0, 0])); // the prog_test's fault-in of page 0
    expect(run(o, 'arena_htab_llvm')).toBe(0);
    expect(bss(o, 'skip')).toBe(0n);
    const htab = bss(o, 'htab_for_user');
    const buckets = view.uint(htab, 8);
    const nBuckets = Number(view.uint(htab + 8n, 4));
    expect(buckets).not.toBe(0n);
    expect(nBuckets).toBe(1024); // 2 pages of 8-byte buckets
    const lookup = (key: number): number => {
      // struct hashtab_elem { int hash, key, value; struct arena_list_node hash_node; }
      for (let n = view.uint(buckets + BigInt((key & (nBuckets - 1)) * 8), 8); n !== 0n; n = view.uint(n, 8)) {
        const elem = n - 16n;
        if (Number(view.uint(elem, 4)) === key && Number(view.uint(elem + 4n, 4)) === key) return Number(view.uint(elem + 8n, 4));
      }
      return 0;
    };
    for (let i = 0; i < 16; i += 4) expect(lookup(i), `key ${i}`).toBe(i);
  });

  // prog_tests/arena_list.c with cnt 1 and 1000.
  it.skipIf(!existsSync(`${KPROGS}/arena_list.o`))('arena_list.c: add and del', () => {
    for (const cnt of [1, 1000]) {
      const runtime = new Runtime({ engine });
      const o = open(`${KPROGS}/arena_list.o`, runtime, ['arena_list_add', 'arena_list_del'], (s) => s.globals.get('cnt')!.set(cnt));
      const view = arenaApi(o);
      const expected = BigInt((cnt * (cnt - 1)) / 2);
      const listSum = (): bigint => {
        // struct elem { struct arena_list_node node; __u64 value; }
        let sum = 0n;
        for (let n = view.uint(bss(o, 'list_head'), 8); n !== 0n; n = view.uint(n, 8)) sum += view.uint(n + 16n, 8);
        return sum;
      };
      expect(run(o, 'arena_list_add')).toBe(0);
      expect(bss(o, 'skip')).toBe(0n);
      expect(listSum()).toBe(expected);
      expect(view.int('arena_sum')).toBe(expected);
      expect(view.int('test_val')).toBe(BigInt(cnt + 1));
      expect(run(o, 'arena_list_del')).toBe(0);
      expect(listSum()).toBe(0n);
      expect(BigInt.asIntN(32, bss(o, 'list_sum'))).toBe(BigInt.asIntN(32, expected));
      expect(view.int('arena_sum')).toBe(expected);
    }
  });

  // prog_tests/arena_atomics.c: every subtest's assertions (uaf is compiled out on x86).
  it.skipIf(!existsSync(`${KPROGS}/arena_atomics.o`))('arena_atomics.c', () => {
    const runtime = new Runtime({ engine });
    const progs = ['add', 'sub', 'and', 'or', 'xor', 'cmpxchg', 'xchg', 'uaf'];
    const o = open(`${KPROGS}/arena_atomics.o`, runtime, progs);
    expect(bss(o, 'skip_tests')).toBe(0n);
    const g = o.spec.globals.get('pid')!;
    const bssMap = o.map(g.map);
    const img = bssMap.lookup(new Uint8Array(4))!;
    new DataView(img.buffer, img.byteOffset).setUint32(g.offset, 1000, true); // the runtime task's tgid
    bssMap.update(new Uint8Array(4), img);
    for (const p of progs) expect(runAs(o, p, verified, p === 'uaf' ? {} : { args: new Array(12).fill(0n) }), p).toBe(0);
    const v = arenaApi(o);
    const want: Record<string, bigint> = {
      add64_value: 3n, add64_result: 1n, add32_value: 3n, add32_result: 1n, add_stack_value_copy: 3n, add_stack_result: 1n, add_noreturn_value: 3n,
      sub64_value: -1n, sub64_result: 1n, sub32_value: -1n, sub32_result: 1n, sub_stack_value_copy: -1n, sub_stack_result: 1n, sub_noreturn_value: -1n,
      and64_value: 0x010n << 32n, and32_value: 0x010n, or64_value: 0x111n << 32n, or32_value: 0x111n, xor64_value: 0x101n << 32n, xor32_value: 0x101n,
      cmpxchg64_value: 2n, cmpxchg64_result_fail: 1n, cmpxchg64_result_succeed: 1n, cmpxchg32_value: 2n, cmpxchg32_result_fail: 1n, cmpxchg32_result_succeed: 1n,
      xchg64_value: 2n, xchg64_result: 1n, xchg32_value: 2n, xchg32_result: 1n, uaf_recovery_fails: 0n,
    };
    for (const [name, value] of Object.entries(want)) expect(v.int(name), name).toBe(value);
  });
});

describe('run --dump-maps shows a BPF arena', () => {
  it('lists the allocated pages with their bytes and the __arena variables, text and JSON', async () => {
    const { main } = await import('../../src/cli/main.js');
    const { vi } = await import('vitest');
    const prog = new URL('../progs/maps/m_arena.o', import.meta.url).pathname;
    const capture = async (args: string[]) => {
      let out = '';
      const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
      const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        return { code: await main(args), out };
      } finally {
        o.mockRestore();
        e.mockRestore();
      }
    };
    const j = await capture(['run', prog, '--prog', 'am_alloc', '--dump-maps', '--json']);
    expect(j.code).toBe(0);
    const a = (JSON.parse(j.out) as { maps: Record<string, { type: string; pages: { page: number; addr: string; data: string }[]; variables: Record<string, string> }> }).maps['arena']!;
    expect(a.type).toBe('arena');
    expect(a.pages.map((p) => p.page)).toEqual([0, 1]);
    expect(a.variables['counter']).toBe('15');
    expect(a.pages[1]!.data.slice(0, 16)).toBe('8877665544332211');
    expect(BigInt(a.pages[1]!.addr) - BigInt(a.pages[0]!.addr)).toBe(4096n);
    const t = await capture(['run', prog, '--prog', 'am_alloc', '--dump-maps']);
    expect(t.out).toMatch(/arena: arena, 2 of 4 pages allocated, user_vm_start 0x7f00[0-9a-f]{8}\n  __arena: counter=15 /);
    expect(t.out).toContain('+0x000: 88 77 66 55 44 33 22 11');
  });
});

// The verifier's arena rules, annotated with the kernel's messages (test/progs/maps/arena_rules.c).
// They sit outside test/progs/verifier because the host cannot create an arena (EPERM, see
// docs/arena.md), so no host fixture can back them; `ebpfvm test` checks verdicts, messages and
// retvals against the annotations on both engines.
describe('arena verifier rules (ebpfvm test test/progs/maps/arena_rules.o)', () => {
  for (const engine of ENGINES) {
    it(`every annotated program passes (${engine})`, async () => {
      const { out, code } = await cli('test', new URL('../progs/maps/arena_rules.o', import.meta.url).pathname, '--json', '--engine', engine);
      const results = (JSON.parse(out) as { results: TestResult[] }).results;
      expect(results.filter((r) => r.status !== 'PASS').map((r) => `${r.status} ${r.name}: ${r.reason}`)).toEqual([]);
      expect(results.length).toBeGreaterThanOrEqual(9);
      expect(code).toBe(0);
    });
  }
});

// An arena's struct bpf_map through CO-RE and bpf_map's inner_map_meta (test/progs/maps/arena_core.c,
// as 6.12's verifier_arena.c basic_alloc3 / iter_maps3): the built-in BTF has struct bpf_arena and
// the member, so the relocations resolve instead of poisoning the calls.
describe('arena through CO-RE (ebpfvm test test/progs/maps/arena_core.o)', () => {
  it('every annotated program passes', async () => {
    const { out, code } = await cli('test', new URL('../progs/maps/arena_core.o', import.meta.url).pathname, '--json');
    const results = (JSON.parse(out) as { results: TestResult[] }).results;
    expect(results.map((r) => `${r.status} ${r.name}${r.reason ? `: ${r.reason}` : ''}`)).toEqual([
      'PASS arena: every page through the arena struct\'s map (CO-RE)',
      'PASS arena: a map\'s inner_map_meta is untrusted',
    ]);
    expect(code).toBe(0);
  });
});
