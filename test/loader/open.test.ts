// openObject: programs, maps, globals and externs as libbpf defines them.
import { describe, expect, it } from 'vitest';
import { LinkError } from '../../src/errors.js';
import { ProgType } from '../../vm/prog-types.js';
import { MapType, MapFlag } from '../../maps/types.js';
import { AttachType } from '../../src/loader/sections.js';
import { internalMapName } from '../../src/loader/globals.js';
import { isGplCompatible } from '../../src/loader/license.js';
import { encodeKconfig, kconfigImage } from '../../src/loader/externs.js';
import { open, objBytes } from './helpers.js';
import { openObject } from '../../src/loader/open.js';

describe('programs', () => {
  it('.text functions are subprograms, global functions in other sections are programs', () => {
    const s = open('ld_subprog');
    expect([...s.programs.keys()]).toEqual(['prog_a', 'prog_b', 'prog_c']);
    expect(s.functions.filter((f) => f.section === '.text').map((f) => f.name).sort()).toEqual(['add3', 'loop_cb', 'twice']);
    const a = s.programs.get('prog_a')!;
    expect(a.func.insns.length).toBe(3);
    expect(s.programs.get('prog_b')!.func.insns.length).toBe(12);
    expect(a.progType).toBe(ProgType.SYSCALL);
    expect(a.sleepable).toBe(true);
    expect(s.programs.get('prog_c')!.progType).toBe(ProgType.XDP);
    expect(s.programs.get('prog_c')!.expectedAttachType).toBe(AttachType.XDP);
  });

  it('instruction counts differ by ISA version where clang emits different code', () => {
    const v3 = open('ld_subprog'), v1 = open('ld_subprog_v1'), v4 = open('ld_subprog_v4');
    expect(v1.programs.get('prog_b')!.func.insns.length).toBe(12);
    expect(v3.programs.get('prog_b')!.func.insns.length).toBe(12);
    expect(v4.programs.get('prog_b')!.func.insns.length).toBe(11);
  });

  it('a static function in a program section is refused, naming it', () => {
    expect(() => open('ld_static_prog')).toThrow(LinkError);
    expect(() => open('ld_static_prog')).toThrow(/section syscall: program hidden_prog is static/);
  });

  it('SEC("?...") programs are not auto-loaded and the ? is dropped from the section', () => {
    const s = open('ld_autoload');
    expect([...s.programs.values()].map((p) => [p.name, p.section, p.autoload])).toEqual([
      ['loaded', 'syscall', true],
      ['optional', 'syscall', false],
      ['optional_xdp', 'xdp', false],
    ]);
  });

  it('program type, attach type and target from many section names', () => {
    const s = open('ld_sections');
    const t = (n: string) => {
      const p = s.programs.get(n)!;
      return [p.progType, p.expectedAttachType, p.attachTo];
    };
    expect(t('s_socket')).toEqual([ProgType.SOCKET_FILTER, 0, undefined]);
    expect(t('s_xdp_devmap')).toEqual([ProgType.XDP, AttachType.XDP_DEVMAP, 'devmap']);
    expect(t('s_tc')).toEqual([ProgType.SCHED_CLS, 0, undefined]);
    expect(t('s_kprobe')).toEqual([ProgType.KPROBE, 0, 'do_unlinkat']);
    expect(t('s_uprobe')).toEqual([ProgType.KPROBE, 0, '/bin/bash:readline']);
    expect(t('s_tracepoint')).toEqual([ProgType.TRACEPOINT, 0, 'syscalls/sys_enter_openat']);
    expect(t('s_tp')).toEqual([ProgType.TRACEPOINT, 0, 'sched/sched_switch']);
    expect(t('s_raw_tp')).toEqual([ProgType.RAW_TRACEPOINT, 0, 'sched_switch']);
    expect(t('s_tp_btf')).toEqual([ProgType.TRACING, AttachType.TRACE_RAW_TP, 'sched_switch']);
    expect(t('s_fentry')).toEqual([ProgType.TRACING, AttachType.TRACE_FENTRY, 'do_unlinkat']);
    expect(t('s_fexit')).toEqual([ProgType.TRACING, AttachType.TRACE_FEXIT, 'do_unlinkat']);
    expect(t('s_fmod_ret')).toEqual([ProgType.TRACING, AttachType.MODIFY_RETURN, 'bpf_modify_return_test']);
    expect(t('s_lsm')).toEqual([ProgType.LSM, AttachType.LSM_MAC, 'file_open']);
    expect(s.programs.get('s_lsm_s')!.sleepable).toBe(true);
    expect(t('s_iter')).toEqual([ProgType.TRACING, AttachType.TRACE_ITER, 'task']);
    expect(t('s_cgroup_skb_egress')).toEqual([ProgType.CGROUP_SKB, AttachType.CGROUP_INET_EGRESS, 'egress']);
    expect(t('s_connect4')).toEqual([ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_CONNECT, 'connect4']);
    expect(t('s_sk_msg')).toEqual([ProgType.SK_MSG, AttachType.SK_MSG_VERDICT, undefined]);
    expect(t('s_sk_skb_parser')).toEqual([ProgType.SK_SKB, AttachType.SK_SKB_STREAM_PARSER, 'stream_parser']);
    expect(t('s_flow_dissector')).toEqual([ProgType.FLOW_DISSECTOR, AttachType.FLOW_DISSECTOR, undefined]);
    expect(t('s_perf_event')).toEqual([ProgType.PERF_EVENT, 0, undefined]);
    expect(t('s_struct_ops')).toEqual([ProgType.STRUCT_OPS, 0, 'test_1']);
    expect(t('s_freplace')).toEqual([ProgType.EXT, 0, 'foo']);
    expect(t('s_kprobe_multi')).toEqual([ProgType.KPROBE, AttachType.TRACE_KPROBE_MULTI, 'do_*']);
  });
});

describe('maps', () => {
  it('BTF-defined maps with every attribute', () => {
    const m = open('ld_maps_btf').maps;
    expect(m.get('hmap')).toMatchObject({ type: MapType.HASH, keySize: 4, valueSize: 16, maxEntries: 128, flags: MapFlag.NO_PREALLOC, keyType: '__u32', valueType: 'struct val', spinLockOffset: 12 });
    expect(m.get('sized')).toMatchObject({ type: MapType.ARRAY, keySize: 4, valueSize: 16, maxEntries: 4 });
    expect(m.get('sized')!.btfKeyTypeId).toBeUndefined();
    expect(m.get('pcpu')).toMatchObject({ type: MapType.PERCPU_ARRAY, numaNode: 1, flags: MapFlag.NUMA_NODE, valueSize: 8 });
    expect(m.get('lru')).toMatchObject({ type: MapType.LRU_HASH, pinning: 1, keySize: 8 });
    expect(m.get('rb')).toMatchObject({ type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 });
    expect(m.get('bloom')).toMatchObject({ type: MapType.BLOOM_FILTER, keySize: 0, valueSize: 4, mapExtra: 3n });
  });

  it('map-in-map: inner template and values initialisers', () => {
    const m = open('ld_map_in_map').maps;
    const outer = m.get('outer')!;
    expect(outer).toMatchObject({ type: MapType.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 4 });
    expect(outer.innerMap).toMatchObject({ type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    expect(outer.initSlots).toEqual([
      { index: 0, kind: 'map', target: 'in0' },
      { index: 2, kind: 'map', target: 'in1' },
    ]);
    expect(m.get('outer_hash')!.innerMap).toMatchObject({ type: MapType.HASH, keySize: 8, valueSize: 8, maxEntries: 2 });
  });

  it('prog_array values point at programs', () => {
    const m = open('ld_prog_array').maps.get('jmp')!;
    expect(m).toMatchObject({ type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 3 });
    expect(m.initSlots).toEqual([
      { index: 0, kind: 'prog', target: 'callee0' },
      { index: 2, kind: 'prog', target: 'callee1' },
    ]);
  });

  it('.struct_ops variables become STRUCT_OPS maps; programs attach to their member index', () => {
    const s = open('ld_struct_ops');
    expect(s.maps.get('ops')).toMatchObject({ type: MapType.STRUCT_OPS, keySize: 4, valueSize: 40, maxEntries: 1, flags: 0, valueType: 'struct demo_ops' });
    expect(s.maps.get('ops')!.initSlots).toEqual([
      { index: 0, kind: 'prog', target: 'demo_init' },
      { index: 1, kind: 'prog', target: 'demo_run' },
    ]);
    expect(s.programs.get('demo_run')).toMatchObject({ progType: ProgType.STRUCT_OPS, expectedAttachType: 1 });
    const image = s.maps.get('ops')!.contents![0]!.value;
    expect(new TextDecoder().decode(image.subarray(16, 20))).toBe('demo');
  });

  it('the legacy maps section is accepted with a deprecation note', () => {
    const s = open('ld_legacy_maps');
    expect(s.maps.get('counters')).toMatchObject({ origin: 'legacy', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 8, flags: 0 });
    expect(s.maps.get('table')).toMatchObject({ type: MapType.HASH, keySize: 8, valueSize: 4, maxEntries: 32, flags: 1 });
    expect(s.notes.join()).toMatch(/legacy struct bpf_map_def/);
  });
});

describe('global data', () => {
  it('one array map per section, named like libbpf, .rodata read-only for programs', () => {
    const s = open('ld_globals');
    const maps = [...s.maps.values()].map((m) => [m.name, m.section, m.valueSize, m.flags]);
    expect(maps).toEqual([
      ['ld_globa.data', '.data', 24, MapFlag.MMAPABLE],
      ['ld_globa.rodata', '.rodata', 16, MapFlag.MMAPABLE | MapFlag.RDONLY_PROG],
      ['.data.custom', '.data.custom', 4, MapFlag.MMAPABLE],
      ['.rodata.custom', '.rodata.custom', 4, MapFlag.MMAPABLE | MapFlag.RDONLY_PROG],
      ['ld_globa.bss', '.bss', 24, MapFlag.MMAPABLE],
    ]);
    expect(internalMapName('a_very_long_object_name', '.kconfig')).toBe('a_very_.kconfig');
    expect(internalMapName('x-y', '.data')).toBe('x_y.data');
    expect(internalMapName('obj', '.rodata.str1.1')).toBe('.rodata.str1.1');
  });

  it('string literals: .rodata.str1.1 becomes its own read-only map, referenced by offset', () => {
    const s = open('ld_rodata_str');
    expect(s.maps.get('.rodata.str1.1')).toMatchObject({ valueSize: 11, flags: MapFlag.RDONLY_PROG, origin: 'data' });
    expect(new TextDecoder().decode(s.maps.get('.rodata.str1.1')!.contents![0]!.value)).toBe('abcdef\0xyz\0');
  });

  it('variable layouts from BTF, including statics', () => {
    const g = open('ld_globals').globals;
    const row = (n: string) => {
      const v = g.get(n)!;
      return [v.section, v.offset, v.size, v.type, v.linkage];
    };
    expect(row('counter')).toEqual(['.data', 0, 4, 'int', 'global']);
    expect(row('msg')).toEqual(['.data', 4, 16, 'char[16]', 'global']);
    expect(row('hidden')).toEqual(['.data', 20, 4, 'volatile int', 'static']);
    expect(row('limit')).toEqual(['.rodata', 0, 8, 'const volatile __u64', 'global']);
    expect(row('config')).toEqual(['.rodata', 8, 8, 'const volatile struct cfg', 'global']);
    expect(row('zeroed_arr')).toEqual(['.bss', 8, 16, '__u32[4]', 'global']);
    expect(row('custom_val')).toEqual(['.data.custom', 0, 4, 'int', 'global']);
  });

  it('variables read and set by name before load', () => {
    const s = open('ld_globals');
    const limit = s.globals.get('limit')!;
    expect(new DataView(limit.get().buffer, limit.get().byteOffset).getBigUint64(0, true)).toBe(1000n);
    limit.set(5n);
    s.globals.get('counter')!.set(-2);
    s.globals.get('msg')!.set(new TextEncoder().encode('abcdefghijklmnop'));
    const rodata = s.maps.get('ld_globa.rodata')!.contents![0]!.value;
    expect([...rodata.subarray(0, 8)]).toEqual([5, 0, 0, 0, 0, 0, 0, 0]);
    expect([...s.maps.get('ld_globa.data')!.contents![0]!.value.subarray(0, 5)]).toEqual([0xfe, 0xff, 0xff, 0xff, 0x61]);
    expect(() => s.globals.get('counter')!.set(1n << 40n)).toThrow(/does not fit in 4 bytes/);
    expect(() => s.globals.get('counter')!.set(new Uint8Array(3))).toThrow(/expected 4 bytes/);
  });
});

describe('externs', () => {
  it('.kconfig laid out as libbpf (alignment desc, size asc, name) and .ksyms recorded', () => {
    const s = open('ld_kconfig');
    const k = s.externs.filter((e) => e.kind === 'kconfig').map((e) => [e.name, e.kconfigType, e.offset, e.size, e.weak]);
    expect(k).toEqual([
      ['CONFIG_MISSING_WEAK', 'uint', 0, 8, true],
      ['CONFIG_HZ', 'int', 8, 4, false],
      ['CONFIG_NF_CONNTRACK', 'tristate', 12, 4, true],
      ['LINUX_KERNEL_VERSION', 'uint', 16, 4, false],
      ['CONFIG_BPF_SYSCALL', 'bool', 20, 1, true],
      ['LINUX_HAS_SYSCALL_WRAPPER', 'bool', 21, 1, false],
      ['CONFIG_DEFAULT_HOSTNAME', 'char_array', 22, 8, true],
    ]);
    expect(s.externs.filter((e) => e.kind === 'ksym').map((e) => [e.name, e.weak])).toEqual([
      ['bpf_prog_active', true],
      ['bpf_nonexistent_var', true],
    ]);
    expect(s.maps.get('ld_kcon.kconfig')).toMatchObject({ valueSize: 30, flags: MapFlag.RDONLY_PROG | MapFlag.MMAPABLE, origin: 'kconfig' });
  });

  it('encodes values with libbpf rules and refuses a strong extern without a value', () => {
    const s = open('ld_kconfig');
    expect(() => kconfigImage(s, {})).toThrow(/CONFIG_HZ: no value for strong .kconfig extern/);
    // the built-in kernel's config (the host's: HZ 250, BPF_SYSCALL y) when the user sets none
    const builtin = kconfigImage(s)!;
    expect(new DataView(builtin.buffer).getInt32(8, true)).toBe(250);
    expect(builtin[20]).toBe(1);
    expect(new DataView(builtin.buffer).getUint32(12, true)).toBe(0); // weak CONFIG_NF_CONNTRACK: not set
    s.kconfig.set('CONFIG_HZ', 1000);
    s.kconfig.set('CONFIG_NF_CONNTRACK', 'm');
    s.kconfig.set('CONFIG_BPF_SYSCALL', 'y');
    s.kconfig.set('CONFIG_DEFAULT_HOSTNAME', 'toolonghostname');
    const img = kconfigImage(s)!;
    const dv = new DataView(img.buffer);
    expect(dv.getInt32(8, true)).toBe(1000);
    expect(dv.getUint32(12, true)).toBe(2); // tristate m
    expect(dv.getUint32(16, true)).toBe((6 << 16) | (8 << 8)); // LINUX_KERNEL_VERSION default
    expect(img[20]).toBe(1);
    expect(img[21]).toBe(1); // LINUX_HAS_SYSCALL_WRAPPER
    expect(new TextDecoder().decode(img.subarray(22, 29))).toBe('toolong');
    expect(img[29]).toBe(0);
    const bool = s.externs.find((e) => e.name === 'CONFIG_BPF_SYSCALL')!;
    expect(() => encodeKconfig(bool, 'm')).toThrow(/not valid for a bool/);
    const tri = s.externs.find((e) => e.name === 'CONFIG_NF_CONNTRACK')!;
    expect([...encodeKconfig(tri, 'y')]).toEqual([1, 0, 0, 0]);
    expect([...encodeKconfig(tri, 'n')]).toEqual([0, 0, 0, 0]);
  });
});

describe('license and version', () => {
  it('GPL compatibility follows the kernel list', () => {
    expect(open('ld_license_bsd')).toMatchObject({ license: 'BSD', gpl: false, kernVersion: 0x060800 });
    expect(open('ld_license_dual')).toMatchObject({ license: 'Dual MIT/GPL', gpl: true });
    expect(open('ld_legacy_maps')).toMatchObject({ license: 'Dual BSD/GPL', gpl: true });
    for (const l of ['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL']) expect(isGplCompatible(l)).toBe(true);
    for (const l of ['gpl', 'GPLv2', 'MIT', 'Proprietary', '']) expect(isGplCompatible(l)).toBe(false);
  });

  it('the object name defaults to "obj" for bytes', () => {
    expect(openObject(objBytes('ld_globals')).maps.has('obj.data')).toBe(true);
  });
});
