// Unprivileged mode (issue 17) end to end: `verify`, `run` and `test` with `--unpriv` on the
// annotated programs test/progs/verifier/unpriv_load.c and unpriv_map.c, against the host kernel's
// records of the same loads (test/fixtures/verifier-kernel/, "PROG @unpriv" recorded with
// CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN and CAP_SYS_ADMIN dropped), and the selftest runner's
// @unpriv runs, which are executed, not skipped.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../cli/capture.js';
import { runObjectTests } from '../../src/selftest/runner.js';
import { PermissionError, Runtime, load, openObject, verifierInput } from '../../src/index.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const prog = (name: string) => join(ROOT, 'test/progs/verifier', name);
const dir = mkdtempSync(join(tmpdir(), 'ebpfvm-unpriv-'));
const pkt = join(dir, 'pkt.bin');
writeFileSync(pkt, new Uint8Array(64));

interface KernelRecord {
  loaded: boolean;
  errno: number;
  log: string;
  retval: number | null;
}
const kernel = (obj: string) => (JSON.parse(readFileSync(join(ROOT, 'test/fixtures/verifier-kernel', `${obj}.json`), 'utf8')) as { programs: Record<string, KernelRecord> }).programs;
/** The kernel's error line: the last line before `processed N insns`. */
const kernelError = (log: string) => log.split('\n').filter((l) => l && !l.startsWith('processed ')).at(-1) ?? '';

afterEach(() => vi.restoreAllMocks());

describe('ebpfvm verify --unpriv', () => {
  it('refuses program types other than socket_filter and cgroup_skb with EPERM and no log, as the host did', async () => {
    const host = kernel('unpriv_load');
    const r = await cli('verify', prog('unpriv_load.o'), '--unpriv');
    expect(r.code).toBe(1);
    expect(r.out.split('\n')).toEqual([
      expect.stringMatching(/^sock_ok: accepted \(\d+ insns processed\)$/),
      expect.stringMatching(/^leak_ptr_into_map: rejected at insn \d+: R\d leaks addr into map$/),
      expect.stringMatching(/^cgroup_skb_ok: accepted \(\d+ insns processed\)$/),
      'kprobe_needs_caps: rejected: unpriv: program type kprobe needs CAP_BPF+CAP_PERFMON: EPERM',
      'tc_needs_caps: rejected: unpriv: program type sched_cls needs CAP_BPF+CAP_NET_ADMIN: EPERM',
      '',
    ]);
    // The host: EPERM (errno 1) and an empty log for both; the two others as ebpfvm says.
    for (const p of ['kprobe_needs_caps', 'tc_needs_caps']) expect(host[`${p} @unpriv`]).toMatchObject({ loaded: false, errno: 1, log: '' });
    expect(host['sock_ok @unpriv']!.loaded).toBe(true);
    expect(host['cgroup_skb_ok @unpriv']!.loaded).toBe(true);
    // Only the leak's log is printed (the EPERM refusals have none).
    expect(r.err).not.toContain('kprobe');
    expect(r.err).toContain(kernelError(host['leak_ptr_into_map @unpriv']!.log));
  });

  it('the pointer leak into a map value: refused unprivileged with the kernel error line, accepted privileged', async () => {
    const host = kernel('unpriv_load');
    const un = await cli('verify', prog('unpriv_load.o'), '--prog', 'leak_ptr_into_map', '--unpriv');
    expect(un.code).toBe(1);
    expect(host['leak_ptr_into_map @unpriv']!.loaded).toBe(false);
    expect(un.out).toContain(`: ${kernelError(host['leak_ptr_into_map @unpriv']!.log)}\n`);
    // the unprivileged log hides map addresses (allow_ptr_leaks off): `r1 = 0x0`
    expect(un.err).toMatch(/\(18\) r1 = 0x0 /);
    const priv = await cli('verify', prog('unpriv_load.o'), '--prog', 'leak_ptr_into_map');
    expect(priv.code).toBe(0);
    expect(host['leak_ptr_into_map']!.loaded).toBe(true);
  });

  it("without CAP_BPF the object's BTF is not loaded: no source lines in the log, as in the host's unprivileged logs", async () => {
    const source = (log: string) => log.split('\n').filter((l) => l.startsWith('; '));
    const priv = await cli('verify', prog('unpriv_load.o'), '--prog', 'sock_ok', '--log-level', '2');
    expect(source(priv.err).length).toBeGreaterThan(0);
    const un = await cli('verify', prog('unpriv_load.o'), '--prog', 'sock_ok', '--log-level', '2', '--unpriv');
    expect(un.code).toBe(0);
    expect(un.err).toContain('processed ');
    expect(source(un.err)).toEqual([]);
    const hostLogs = Object.entries(kernel('unpriv_load')).filter(([k, r]) => k.endsWith(' @unpriv') && r.log !== '');
    expect(hostLogs.length).toBeGreaterThan(0);
    for (const [k, r] of hostLogs) expect(source(r.log), k).toEqual([]);
  });

  it('an object with a map type an unprivileged user may not create fails for every program (map_create EPERM)', async () => {
    const un = await cli('verify', prog('unpriv_map.o'), '--unpriv');
    expect(un).toMatchObject({ code: 1, out: 'uses_lru_map: rejected: map lru: unpriv: map type lru_hash needs CAP_BPF: EPERM\n' });
    expect((await cli('verify', prog('unpriv_map.o'))).code).toBe(0);
    // the library: PermissionError from load, naming the map
    expect(() => load(new Runtime(), openObject(new Uint8Array(readFileSync(prog('unpriv_map.o')))), { unpriv: true })).toThrow(PermissionError);
  });
});

describe('the verifier input of an unprivileged load', () => {
  it('maps without BTF, array maps marked as created unprivileged (index-masked), no line info', () => {
    const open = () => openObject(new Uint8Array(readFileSync(prog('unpriv_load.o'))));
    const un = load(new Runtime(), open(), { unpriv: true, programs: ['sock_ok'] });
    const priv = load(new Runtime(), open());
    const unIn = verifierInput(un, un.program('sock_ok'));
    const privIn = verifierInput(priv, priv.program('sock_ok'));
    expect(unIn.map(un.mapId('map_array_48b'))).toMatchObject({ unprivArray: true });
    expect(unIn.map(un.mapId('map_array_48b'))!.hasBtf).toBeUndefined();
    expect(unIn.map(un.mapId('map_hash_8b'))!.unprivArray).toBeUndefined();
    expect(privIn.map(priv.mapId('map_array_48b'))).toMatchObject({ hasBtf: true });
    expect(privIn.map(priv.mapId('map_array_48b'))!.unprivArray).toBeUndefined();
    expect(unIn.sourceLine?.(0)).toBeUndefined();
    expect(privIn.sourceLine?.(0)).toMatch(/@ unpriv_load\.c:\d+$/);
    expect(unIn.progBtf).toBeUndefined();
  });
});

describe('ebpfvm run --unpriv', () => {
  it('loads unprivileged, then test-runs with capabilities restored; refused types exit 1 naming EPERM', async () => {
    const host = kernel('unpriv_load');
    const ok = await cli('run', prog('unpriv_load.o'), '--prog', 'sock_ok', '--unpriv', '--data', pkt, '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ verified: true, retval: host['sock_ok @unpriv']!.retval });
    const kp = await cli('run', prog('unpriv_load.o'), '--prog', 'kprobe_needs_caps', '--unpriv');
    expect(kp).toMatchObject({ code: 1, out: '' });
    expect(kp.err).toBe('ebpfvm: program kprobe_needs_caps: unpriv: program type kprobe needs CAP_BPF+CAP_PERFMON: EPERM\n');
    const leak = await cli('run', prog('unpriv_load.o'), '--prog', 'leak_ptr_into_map', '--unpriv', '--data', pkt);
    expect(leak.code).toBe(1);
    expect(leak.err).toMatch(/program leak_ptr_into_map rejected by the verifier at insn \d+: R\d leaks addr into map/);
    expect((await cli('run', prog('unpriv_load.o'), '--prog', 'leak_ptr_into_map', '--data', pkt)).code).toBe(0);
  });
});

describe('ebpfvm test and the selftest runner: @unpriv runs', () => {
  it('are executed (not skipped) and agree with the host kernel run by run', () => {
    for (const obj of ['unpriv_load', 'unpriv_map']) {
      const host = kernel(obj);
      const results = runObjectTests(new Uint8Array(readFileSync(prog(`${obj}.o`))), obj, { keepLogs: true });
      const unpriv = results.filter((r) => r.mode === 'unpriv');
      expect(unpriv.length).toBe(Object.keys(host).filter((k) => k.endsWith(' @unpriv')).length);
      for (const r of unpriv) {
        expect(r.status, `${r.name}: ${r.reason}`).toBe('PASS');
        expect(r.name.endsWith(' @unpriv')).toBe(true);
        const rec = host[`${r.program} @unpriv`]!;
        // same verdict; a rejection with the same error line, an EPERM refusal with no log at all
        expect(r.log === '' || r.log!.includes('processed ')).toBe(true);
        if (!rec.loaded) expect(kernelError(r.log!)).toBe(kernelError(rec.log));
      }
    }
  });

  it('--unpriv runs only the @unpriv runs', async () => {
    const r = await cli('test', prog('unpriv_load.o'), prog('unpriv_map.o'), '--unpriv');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('6 passed, 0 failed, 0 skipped');
    expect(lines.slice(0, -1).every((l) => l.startsWith('PASS ') && l.endsWith(' @unpriv'))).toBe(true);
    expect(lines).toContain("PASS unpriv_map/unpriv: an lru_hash map is not created for an unprivileged user: its load is poisoned @unpriv");
  });
});
