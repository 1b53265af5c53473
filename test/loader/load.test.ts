// load(): maps created in a Runtime, programs linked (subprograms appended, calls and callbacks
// rebased, map and global references rewritten), run, and refusals that name what is missing.
import { describe, expect, it } from 'vitest';
import { LinkError, UnsupportedError, UsageError, BtfError } from '../../src/errors.js';
import { ProgType } from '../../vm/prog-types.js';
import { Runtime } from '../../src/runtime.js';
import { MAP_FACTORIES } from '../../maps/index.js';
import { MapType } from '../../maps/types.js';
import { load } from '../../src/loader/load.js';
import { runLoaded } from '../../src/test-run-api.js';
import { applyCoreRelocations } from '../../src/btf/core.js';
import { linkProgram } from '../../src/loader/link.js';
import { lineForPc } from '../../src/btf/ext.js';
import { PseudoLd, PseudoCall } from '../../vm/isa.js';
import { builtinBtf } from '../../src/btf/builtin.js';
import { open, linkOffline } from './helpers.js';

const run = (rt: Runtime, p: { program: Parameters<Runtime['execute']>[0] }) => rt.execute(p.program, { args: [0] }).r0;

describe('linking', () => {
  it('appends used subprograms once, transitively, and rewrites call offsets', () => {
    const s = open('ld_subprog');
    const a = linkOffline(s, 'prog_a');
    expect(a.program.funcs).toEqual([
      { pc: 0, name: 'prog_a' },
      { pc: 3, name: 'twice' },
      { pc: 6, name: 'add3' },
    ]);
    expect(a.program.insns.length).toBe(9);
    // prog_a's call (pc 1) lands on twice at pc 3; twice's call (pc 3) on add3 at pc 6.
    expect(a.program.insns[1]).toMatchObject({ code: 0x85, src: PseudoCall.LOCAL, imm: 1 });
    expect(a.program.insns[3]).toMatchObject({ code: 0x85, src: PseudoCall.LOCAL, imm: 2 });
    expect(a.notes.get(1)).toBe('twice');
  });

  it('callback addresses become BPF_PSEUDO_FUNC relative to the next slot', () => {
    const b = linkOffline(open('ld_subprog'), 'prog_b');
    expect(b.program.funcs!.map((f) => f.name)).toEqual(['prog_b', 'loop_cb', 'add3']);
    const ld = b.program.insns[5]!;
    expect(ld).toMatchObject({ code: 0x18, src: PseudoLd.FUNC, imm: 6 }); // 5 + 1 + 6 = 12 = loop_cb
    expect(b.program.funcs![1]!.pc).toBe(12);
    expect(b.notes.get(5)).toBe('func loop_cb');
  });

  it('rebases line info and func info of every appended function; any pc has a source line', () => {
    const b = linkOffline(open('ld_subprog'), 'prog_b');
    const li = b.program.lineInfo!;
    expect(b.funcInfo.map((f) => f.pc)).toEqual([0, 12, 17]);
    expect(lineForPc(li, 2)!.text).toBe('  int sum = 0;'); // pc 2 has no entry of its own
    expect(lineForPc(li, 19)!.text).toMatch(/add3/);
    expect(li[0]).toMatchObject({ pc: 0, line: 12, file: './test/progs/ld_subprog.c' });
    expect(li.find((l) => l.pc === 12)!.text).toMatch(/loop_cb/);
    expect(li.find((l) => l.pc === 17)!.text).toMatch(/add3/);
  });

  it('map references become MAP_FD and globals MAP_VALUE with the offset in the second slot', () => {
    const g = linkOffline(open('ld_globals'), 'read_globals');
    const bss = g.ids.get('ld_globa.bss')!;
    expect(g.program.insns[0]).toMatchObject({ code: 0x18, src: PseudoLd.MAP_VALUE, imm: bss });
    expect(g.program.insns[1]!.imm).toBe(8); // zeroed_arr at .bss+8
    expect(g.notes.get(9)).toBe('hidden (.data+20)');
    expect(g.program.insns[10]!.imm).toBe(20);
    const m = linkOffline(open('ld_maps_btf'), 'use_maps');
    const fd = m.program.insns.findIndex((i) => i.code === 0x18 && i.src === PseudoLd.MAP_FD);
    expect(m.notes.get(fd)).toBe('map hmap');
    expect(m.program.insns[fd]!.imm).toBe(m.ids.get('hmap'));
  });

  it('programs in the same section and from another section share .text subprograms', () => {
    const c = linkOffline(open('ld_callbacks'), 'run_loops');
    expect(c.program.funcs!.map((f) => f.name).sort()).toEqual(['each', 'finish', 'run_loops', 'step']);
    expect(c.program.insns.filter((i) => i.code === 0x18 && i.src === PseudoLd.FUNC).length).toBe(2);
  });

  it('CO-RE records are applied as identity relocations against the local BTF', () => {
    const s = open('ld_core');
    const f = s.programs.get('core')!.func;
    expect(f.coreRelos.length).toBe(15);
    const insns = f.insns.map((i) => ({ ...i }));
    const report = applyCoreRelocations(insns, f.coreRelos, s.btf!, s.btf!, 'syscall');
    expect(report.every((r) => r.target === r.local)).toBe(true);
    const kinds = new Set(report.map((r) => r.kind));
    for (const k of ['byte_off', 'byte_sz', 'field_exists', 'lshift_u64', 'rshift_u64', 'type_exists', 'type_size', 'enumval_exists', 'enumval_value', 'local_type_id']) expect(kinds).toContain(k);
    expect(report.find((r) => r.kind === 'byte_off' && r.access === '0:1:1')!.target).toBe(16n); // inner.b
    expect(report.find((r) => r.kind === 'type_size')!.target).toBe(48n);
    expect(report.find((r) => r.kind === 'enumval_value')!.target).toBe(2n);
    expect(report.find((r) => r.kind === 'lshift_u64')!.target).toBe(64n - 8n); // mode: bits 195..199 of a 4-byte load at 24
    // A record whose instruction disagrees with the BTF is caught.
    const bad = f.insns.map((i) => ({ ...i }));
    const off = f.coreRelos.find((r) => r.kind === 0)!;
    bad[off.insn]!.off += 8;
    bad[off.insn]!.imm += 8;
    expect(() => applyCoreRelocations(bad, [off], s.btf!, s.btf!, 'syscall')).toThrow(BtfError);
  });
});

describe('CO-RE against another BTF', () => {
  it('relocates field offsets, sizes, bitfield shifts, type sizes and enum values by name', () => {
    const a = open('ld_core');
    const target = open('ld_core_target').btf!;
    const f = a.programs.get('core')!.func;
    const insns = f.insns.map((i) => ({ ...i }));
    const r = applyCoreRelocations(insns, f.coreRelos, a.btf!, target, 'syscall');
    const get = (kind: string, access: string) => r.find((x) => x.kind === kind && x.access === access)!;
    expect(get('byte_off', '0:1:1')).toMatchObject({ local: 16n, target: 32n }); // inner.b
    expect(get('byte_off', '0:4:2')).toMatchObject({ local: 36n, target: 16n }); // arr[2]
    expect(get('byte_sz', '0:1')).toMatchObject({ local: 16n, target: 24n }); // sizeof(inner)
    expect(get('byte_off', '0:3')).toMatchObject({ target: 28n }); // mode's 4-byte load unit
    expect(get('lshift_u64', '0:3')).toMatchObject({ local: 56n, target: 49n });
    expect(get('type_size', '0')).toMatchObject({ local: 48n, target: 56n });
    expect(get('enumval_value', '1')).toMatchObject({ local: 2n, target: 20n });
    expect(insns[0]!.imm).toBe(32); // the instruction itself was patched
    // Linking with a target BTF applies the same relocation to the program.
    const linked = linkProgram(a, a.programs.get('core')!, { mapId: () => 0, targetBtf: target });
    expect(linked.program.insns[0]!.imm).toBe(32);
  });
});

describe('load into a Runtime', () => {
  it('runs linked programs: subprograms and bpf_loop callbacks', () => {
    const rt = new Runtime();
    const obj = load(rt, open('ld_subprog'));
    expect(run(rt, obj.program('prog_a'))).toBe(8n);
    expect(run(rt, obj.program('prog_b'))).toBe(9n);
    expect(obj.program('prog_c').section).toBe('xdp');
  });

  it('instructions edited in the spec before load are what gets linked', () => {
    const spec = open('ld_subprog');
    const first = spec.programs.get('prog_a')!.func.insns[0]!;
    expect(first).toMatchObject({ code: 0xb4, imm: 1 }); // w1 = 1
    first.imm = 5;
    const rt = new Runtime();
    expect(run(rt, load(rt, spec).program('prog_a'))).toBe(16n); // (5 + 3) * 2
  });

  it('bpf_loop and bpf_for_each_map_elem callbacks see the map', () => {
    const rt = new Runtime();
    const obj = load(rt, open('ld_callbacks'));
    expect(run(rt, obj.program('run_loops'))).toBe(34n);
    const v = new Uint8Array(8);
    v[0] = 100;
    obj.map('arr').update(new Uint8Array([1, 0, 0, 0]), v);
    expect(run(rt, obj.program('run_loops'))).toBe(134n);
    expect(run(rt, obj.program('just_finish'))).toBe(42n);
  });

  it('global data: contents written, edits before load visible, .rodata frozen', () => {
    const rt = new Runtime();
    const spec = open('ld_globals');
    expect(() => load(rt, spec)).not.toThrow();
    const rt2 = new Runtime();
    spec.globals.get('limit')!.set(2000);
    const obj = load(rt2, spec);
    expect(run(rt2, obj.program('read_globals'))).toBe(2247n);
    expect(run(rt2, obj.program('read_globals'))).toBe(2256n); // counter += hidden persists
    expect(obj.map('ld_globa.rodata').frozen).toBe(true);
    expect(obj.map('ld_globa.data').frozen).toBe(false);
    expect(obj.map('ld_globa.rodata').update(new Uint8Array(4), new Uint8Array(16))).toBeLessThan(0);
    const bss = obj.map('ld_globa.bss').lookup(new Uint8Array(4))!;
    expect(bss[0]).toBe(2); // zeroed incremented twice
  });

  it('string literals in .rodata.str1.1 are read through MAP_VALUE with their offset', () => {
    const rt = new Runtime();
    const obj = load(rt, open('ld_rodata_str'));
    expect(run(rt, obj.program('strs'))).toBe(220n);
    const refs = obj.program('strs').program.insns.filter((i) => i.code === 0x18 && i.src === PseudoLd.MAP_VALUE);
    expect(refs.length).toBe(3);
    expect(obj.map('.rodata.str1.1').frozen).toBe(true);
  });

  it('kconfig values and weak ksyms', () => {
    const spec = open('ld_kconfig');
    expect(() => load(new Runtime(), spec, { kconfigDefaults: {} })).toThrow(LinkError);
    // the built-in kernel's config gives CONFIG_HZ 250 and CONFIG_BPF_SYSCALL y (+ 1, beside
    // LINUX_HAS_SYSCALL_WRAPPER's 1)
    const rt0 = new Runtime();
    expect(run(rt0, load(rt0, spec).program('read_kconfig'))).toBe(BigInt((6 << 16) + (8 << 8) + 250 + 2));
    spec.kconfig.set('CONFIG_HZ', 1000);
    const rt1 = new Runtime();
    expect(run(rt1, load(rt1, spec).program('read_kconfig'))).toBe(BigInt((6 << 16) + (8 << 8) + 1000 + 2));
    spec.kconfig.set('CONFIG_HZ', 250);
    const rt = new Runtime();
    const obj = load(rt, spec);
    expect(run(rt, obj.program('read_kconfig'))).toBe(BigInt((6 << 16) + (8 << 8) + 250 + 2));
    expect(obj.map('ld_kcon.kconfig').frozen).toBe(true);
    const rt2 = new Runtime();
    const obj2 = load(rt2, spec, { ksyms: { bpf_prog_active: 0xffff_8000_0000_1000n } });
    expect(run(rt2, obj2.program('read_kconfig'))).toBe(BigInt((6 << 16) + (8 << 8) + 250 + 2 + 1000));
  });

  it('kfuncs: a strong one the runtime lacks is refused by name; a weak one reads as 0 and faults by name if called', () => {
    const spec = open('ld_kfunc');
    expect(spec.externs.map((e) => [e.name, e.kind, e.weak]).sort()).toEqual([
      ['bpf_get_task_exe_file', 'kfunc', false],
      ['bpf_made_up_kfunc', 'kfunc', true],
      ['bpf_put_file', 'kfunc', false],
      ['bpf_rcu_read_lock', 'kfunc', false],
      ['bpf_rcu_read_unlock', 'kfunc', false],
      ['bpf_task_from_pid', 'kfunc', false],
      ['bpf_task_release', 'kfunc', false],
    ]);
    expect(() => load(new Runtime(), spec)).toThrow(UnsupportedError);
    expect(() => load(new Runtime(), spec)).toThrow(/program missing: .*unsupported kfunc bpf_get_task_exe_file/);
    spec.programs.get('missing')!.autoload = false;
    const rt = new Runtime();
    const obj = load(rt, spec);
    const insns = obj.program('weak').program.insns;
    expect(insns.find((i) => i.code === 0x85)).toMatchObject({ src: PseudoCall.KFUNC, imm: 0 });
    expect(run(rt, obj.program('weak'))).toBe(7n);
    // bpf_task_from_pid(1): no task has pid 1 in the default task model (only the current task, 1000).
    expect(run(rt, obj.program('strong'))).toBe(0n);
    // An implemented kfunc carries its id in the built-in kernel BTF.
    const rcu = obj.program('rcu').program.insns.find((i) => i.code === 0x85)!;
    expect(rcu.src).toBe(PseudoCall.KFUNC);
    expect(builtinBtf().type(rcu.imm).name).toBe('bpf_rcu_read_lock');
    expect(run(rt, obj.program('rcu'))).toBe(3n);
    expect(() => run(rt, obj.program('weak_called'))).toThrow(/call to kfunc bpf_made_up_kfunc, a weak extern this runtime does not implement/);
  });

  it('autoload off: not loaded, and asking for it says so', () => {
    const spec = open('ld_autoload');
    const obj = load(new Runtime(), spec);
    expect([...obj.programs.keys()]).toEqual(['loaded']);
    expect(() => obj.program('optional')).toThrow(UsageError);
    expect(() => obj.program('optional')).toThrow(/autoload is off/);
    spec.programs.get('optional')!.autoload = true;
    const rt = new Runtime();
    expect(run(rt, load(rt, spec).program('optional'))).toBe(2n);
  });

  it.skipIf(!MAP_FACTORIES.has(MapType.ARRAY_OF_MAPS) || !MAP_FACTORIES.has(MapType.HASH_OF_MAPS))('map-in-map: values initialisers fill the outer slots with inner map ids', () => {
    const rt = new Runtime();
    const obj = load(rt, open('ld_map_in_map'));
    const slot = (i: number) => obj.map('outer').lookup(new Uint8Array([i, 0, 0, 0]));
    const id = (b: Uint8Array | undefined) => (b ? new DataView(b.buffer, b.byteOffset).getUint32(0, true) : undefined);
    expect(id(slot(0))).toBe(obj.mapId('in0'));
    expect(id(slot(2))).toBe(obj.mapId('in1'));
    expect(slot(1)).toBeUndefined();
    const v = new Uint8Array([42, 0, 0, 0]);
    obj.map('in0').update(new Uint8Array(4), v);
    expect(run(rt, obj.program('lookup'))).toBe(42n);
  });

  it.skipIf(!MAP_FACTORIES.has(MapType.PROG_ARRAY) || !new Runtime().helper(12))('prog_array: values initialisers hold program ids; the tail call lands', () => {
    const rt = new Runtime();
    const obj = load(rt, open('ld_prog_array'));
    const slot = obj.map('jmp').lookup(new Uint8Array([2, 0, 0, 0]));
    expect(slot && new DataView(slot.buffer, slot.byteOffset).getUint32(0, true)).toBe(obj.program('callee1').id);
    expect(run(rt, obj.program('entry'))).toBe(101n);
  });

  it('an object without BTF: globals from the symbol table, settable, and it runs', () => {
    const spec = open('ld_nobtf');
    expect(spec.btf).toBeUndefined();
    expect([...spec.globals.values()].map((g) => [g.name, g.section, g.offset, g.size])).toEqual([
      ['counter', '.data', 0, 4],
      ['factor', '.rodata', 0, 4],
    ]);
    spec.globals.get('factor')!.set(10);
    const rt = new Runtime();
    expect(run(rt, load(rt, spec).program('nobtf'))).toBe(40n);
  });

  it('maps pinned by name are shared by objects in one runtime; reuseMaps reuses by id', () => {
    const rt = new Runtime();
    const a = load(rt, open('ld_pinned'));
    const b = load(rt, open('ld_pinned'));
    expect(b.mapId('shared_count')).toBe(a.mapId('shared_count'));
    expect(b.mapId('own_count')).not.toBe(a.mapId('own_count'));
    expect(run(rt, a.program('bump'))).toBe(101n);
    expect(run(rt, b.program('bump'))).toBe(201n);
    const c = load(rt, open('ld_pinned'), { reuseMaps: { own_count: a.mapId('own_count') } });
    expect(run(rt, c.program('bump'))).toBe(302n);
    const bad = open('ld_pinned');
    bad.maps.get('shared_count')!.maxEntries = 2;
    expect(() => load(rt, bad)).toThrow(/map shared_count: cannot reuse map id \d+/);
    expect(() => load(rt, open('ld_pinned'), { reuseMaps: { own_count: 999 } })).toThrow(/map own_count: reuseMaps names map id 999/);
  });

  it.skipIf(!MAP_FACTORIES.has(MapType.PERF_EVENT_ARRAY))('a perf event array without sizes is completed like libbpf: u32 key/value, ncpus slots', () => {
    const spec = open('ld_perf');
    expect(spec.maps.get('events')).toMatchObject({ keySize: 0, valueSize: 0, maxEntries: 0 });
    const obj = load(new Runtime({ ncpus: 3 }), spec);
    expect([obj.map('events').keySize, obj.map('events').valueSize, obj.map('events').maxEntries]).toEqual([4, 4, 3]);
  });

  it('legacy maps load and work', () => {
    const rt = new Runtime();
    const obj = load(rt, open('ld_legacy_maps'));
    expect(obj.map('counters').maxEntries).toBe(8);
    expect(obj.map('table').type).toBe(1);
  });

  it('refuses what the runtime lacks, naming it', () => {
    // A runtime without helpers: the first helper call is named with its Linux name and id.
    expect(() => load(new Runtime({ helpers: [] }), open('ld_unsupported'))).toThrow(UnsupportedError);
    expect(() => load(new Runtime({ helpers: [] }), open('ld_unsupported'))).toThrow(/program uses_odd_helper insn \d+: unsupported helper bpf_get_(numa_node_id#42|current_cgroup_id#80)/);
    expect(() => load(new Runtime({ helpers: [] }), open('ld_license_dual'))).toThrow(/unsupported helper bpf_trace_printk#6/);
    const sections = open('ld_sections');
    for (const p of sections.programs.values()) p.autoload = p.name === 's_unknown';
    expect(sections.programs.get('s_unknown')).toMatchObject({ progType: 0, known: false, section: 'weird/section' });
    expect(() => load(new Runtime(), sections)).toThrow(/program s_unknown: section "weird\/section" does not name a program type libbpf knows/);
    const weird = open('ld_subprog');
    weird.programs.get('prog_c')!.progType = 9999;
    expect(() => load(new Runtime(), weird)).toThrow(/program prog_c: unsupported program type prog_type#9999 \(section xdp\)/);
    const rt = new Runtime();
    const before = rt.allMaps().length;
    const mm = open('ld_map_in_map');
    mm.maps.get('outer_hash')!.type = 9999;
    expect(() => load(rt, mm)).toThrow(/map outer_hash: unsupported map type map_type#9999|unsupported map type array_of_maps/);
    expect(rt.allMaps().length).toBe(before); // maps of a failed load are destroyed
  });

  it('a map turned off by the user but still referenced is poisoned as libbpf does (a call the verifier refuses where reachable)', () => {
    const spec = open('ld_maps_btf');
    spec.maps.get('rb')!.autocreate = false;
    spec.maps.get('bloom')!.autocreate = false;
    // the kernel refuses pcpu's NUMA node for a per-CPU map; this test is about the disabled maps
    spec.maps.get('pcpu')!.flags = 0;
    const index = [...spec.maps.keys()].indexOf('bloom');
    const obj = load(new Runtime(), spec);
    expect(obj.maps.has('bloom')).toBe(false);
    const lp = obj.program('use_maps');
    const pc = [...lp.notes].find(([, n]) => n === 'map bloom (not created: poisoned)')![0];
    for (const insn of lp.program.insns.slice(pc, pc + 2)) expect(insn).toMatchObject({ code: 0x85, src: 0, imm: 2001000000 + index });
  });
});

describe('helper calls the kernel verifier refuses where its walk reaches them', () => {
  it('a gpl_only helper in a non-GPL program: loads, the verifier refuses it with the kernel message, an unverified run faults at the call', () => {
    const spec = open('h_printk');
    spec.gpl = false;
    const runtime = new Runtime();
    const obj = load(runtime, spec);
    const [name, lp] = [...obj.programs][0]!;
    const r = obj.program(name).verify({ logLevel: 1 });
    expect(r.accepted).toBe(false);
    expect(r.error).toBe('cannot call GPL-restricted function from non-GPL compatible program');
    // The log shows the walk up to the call, as the kernel's does.
    expect(r.log).toMatch(/call bpf_trace_printk#6\ncannot call GPL-restricted function from non-GPL compatible program\n/);
    expect(() => runtime.execute(lp.program, { args: [0n] })).toThrow(/cannot call GPL-restricted function from non-GPL compatible program \(the kernel's verifier refuses this call; this run is unverified\)/);
  });

  it('a helper the program type may not use: "program of this type cannot use helper" from the verifier', () => {
    const spec = open('h_skb');
    for (const p of spec.programs.values()) p.progType = ProgType.KPROBE; // no skb helpers for kprobes
    const obj = load(new Runtime(), spec);
    const refused = [...obj.programs.keys()].map((n) => obj.program(n).verify({ logLevel: 1 })).filter((r) => !r.accepted);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.error).toMatch(/^program of this type cannot use helper bpf_(skb_\w+|csum_diff)#\d+$/);
    // the same object as written (socket filter / tc programs) verifies
    const asWritten = load(new Runtime(), open('h_skb'));
    for (const n of asWritten.programs.keys()) expect(asWritten.program(n).verify().accepted, n).toBe(true);
  });

  it('the same refused call in code the verifier proves dead loads and runs, as the kernel accepts it (verifier/dead_helper_calls.c)', () => {
    const spec = open('verifier/dead_helper_calls');
    const obj = load(new Runtime(), spec);
    const pkt = new Uint8Array(64);
    // bpf_skb_store_bytes behind a read-only 0: accepted, and the run returns 7 (the host's retval).
    expect(runLoaded(obj, 'dead_store', { data: pkt }, { verify: true }).retval).toBe(7);
    // Reached: refused after the walk up to the call; unverified, the run faults at the call.
    const r = obj.program('live_store').verify({ logLevel: 1 });
    expect(r.accepted).toBe(false);
    expect(r.log).toMatch(/call bpf_skb_store_bytes#9\nprogram of this type cannot use helper bpf_skb_store_bytes#9\n/);
    expect(() => runLoaded(obj, 'live_store', { data: new Uint8Array(2000) })).toThrow(/program of this type cannot use helper bpf_skb_store_bytes#9 \(the kernel's verifier refuses this call; this run is unverified\)/);
    // A short packet does not reach the call: the unverified run returns 7.
    expect(runLoaded(obj, 'live_store', { data: pkt }).retval).toBe(7);
  });

  it('a kfunc the program type may not call is refused where the walk reaches it, not at load (verifier/crypto.c create_in_tc)', () => {
    // 6.18's check_kfunc_call: the log shows the insns walked up to the call, as the host's does
    // (test/fixtures/verifier-kernel/crypto.json); unverified, the run faults at the call.
    const obj = load(new Runtime(), open('verifier/crypto'), { programs: ['create_in_tc'] });
    const r = obj.program('create_in_tc').verify({ logLevel: 1 });
    expect(r.accepted).toBe(false);
    expect(r.log).toMatch(/\(85\) call bpf_crypto_ctx_create#\d+\ncalling kernel function bpf_crypto_ctx_create is not allowed\nprocessed 7 insns/);
    expect(() => runLoaded(obj, 'create_in_tc', { data: new Uint8Array(64) })).toThrow(/calling kernel function bpf_crypto_ctx_create is not allowed \(the kernel's verifier refuses this call; this run is unverified\)/);
  });
});
