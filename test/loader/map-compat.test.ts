// The kernel's map refusals (helpers/map-compat.ts): a map the program type may not use is refused
// at load (src/loader/load.ts, as resolve_pseudo_ldimm64 does before the walk), a map a helper may
// not take where the verifier's walk reaches the call (verifier/calls.ts). Each x_compat_* object
// is refused with the line the host kernel logged for it (test/fixtures/kernel/x_compat_*.json,
// recorded by scripts/record-kernel.mjs), as a VerifierError (CLI exit 1); x_compat_ok, which the
// kernel loads, still loads and runs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAP_COMPAT_HELPER_IDS, mapFuncRefusal, mapProgRefusal } from '../../helpers/map-compat.js';
import { MapType } from '../../maps/types.js';
import { cli } from '../cli/capture.js';
import { VerifierError } from '../../src/errors.js';
import { linuxHelperName } from '../../src/loader/helper-names.js';
import { ProgType } from '../../vm/prog-types.js';
import { FIXTURES, readCases, type Recorded } from '../agreement/harness.js';
import { ROOT, loadProg } from '../run/helpers.js';

const refusals = readCases().cases.filter((c) => c.name.startsWith('x_compat_') && c.name !== 'x_compat_ok');
/** The cases refused for the map alone, before any call is looked at; the rest are refused at the
 *  helper call by the verifier's walk. */
const MAP_PROG_REFUSED = new Set(['x_compat_sleepable', 'x_compat_spin_lock']);


describe('load-time map refusals agree with the kernel', () => {
  it('has the refusal cases and their recordings', () => {
    expect(refusals.length).toBe(6);
    for (const c of refusals) expect(existsSync(join(FIXTURES, `${c.name}.json`)), c.name).toBe(true);
  });
  for (const c of refusals) {
    it(`${c.name}: refused with the kernel's line`, () => {
      const rec = JSON.parse(readFileSync(join(FIXTURES, `${c.name}.json`), 'utf8')) as Recorded;
      // "prog NAME: <verifier line> (<strerror>)"
      const line = /^prog [^:]+: (.*) \([^)]*\)$/.exec(rec.load_error ?? '')?.[1];
      expect(line, rec.load_error).toBeDefined();
      let err: unknown;
      let obj: ReturnType<typeof loadProg> | undefined;
      try {
        obj = loadProg(c.object.replace('test/progs/', ''));
      } catch (e) {
        err = e;
      }
      if (obj !== undefined) {
        // A helper's map argument: check_helper_call refuses it where the walk reaches the call.
        expect(MAP_PROG_REFUSED.has(c.name), `${c.name} loaded`).toBe(false);
        const r = obj.program(c.prog).verify({ logLevel: 1 });
        expect(r.accepted).toBe(false);
        expect(r.error).toBe(line);
        return;
      }
      // A map the program type may not use: refused before the walk (resolve_pseudo_ldimm64).
      expect(MAP_PROG_REFUSED.has(c.name), `${c.name} refused at load`).toBe(true);
      expect(err).toBeInstanceOf(VerifierError);
      expect((err as VerifierError).message).toMatch(new RegExp(`^program ${c.prog} insn \\d+: `));
      // bpf_check prints its statistics however it ends
      expect((err as VerifierError).log).toBe(`${line}\nprocessed 0 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n`);
    });
  }
  it('ebpfvm run exits 1 with the kernel line', async () => {
    const r = await cli('run', join(ROOT, 'test/progs/x_compat_pop_bloom.o'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('cannot pass map_type 30 into func bpf_map_pop_elem#88');
  });
  it('x_compat_ok loads: matching helpers, map constants moved between registers and through branches', () => {
    expect(() => loadProg('x_compat_ok.o')).not.toThrow();
  });
});

describe('map-compat tables', () => {
  const tc = { progType: ProgType.SCHED_CLS, expectedAttachType: 0, sleepable: false };
  it('name the helpers by their uapi ids', () => {
    for (const [name, id] of Object.entries(MAP_COMPAT_HELPER_IDS)) expect(linuxHelperName(id), name).toBe(`bpf_${name}`);
  });
  it('check both ways: the map side and the helper side', () => {
    const f = (map: number, id: number) => mapFuncRefusal(map, id, linuxHelperName(id), tc);
    expect(f(MapType.BLOOM_FILTER, 88)).toBe('cannot pass map_type 30 into func bpf_map_pop_elem#88');
    expect(f(MapType.BLOOM_FILTER, 87)).toBeUndefined();
    expect(f(MapType.QUEUE, 1)).toBe('cannot pass map_type 22 into func bpf_map_lookup_elem#1');
    expect(f(MapType.HASH, 1)).toBeUndefined();
    expect(f(MapType.HASH, 131)).toBe('cannot pass map_type 1 into func bpf_ringbuf_reserve#131');
    expect(f(MapType.DEVMAP, 1)).toBeUndefined();
    expect(f(MapType.HASH, 51)).toBe('cannot pass map_type 1 into func bpf_redirect_map#51');
    expect(f(MapType.ARRAY, 12)).toBe('expected prog array map for tail call');
    expect(f(MapType.PERCPU_HASH, 195)).toBeUndefined();
    expect(f(MapType.HASH, 195)).toBe('cannot pass map_type 1 into func bpf_map_lookup_percpu_elem#195');
  });
  it('sockmap updates depend on the program type (may_update_sockmap)', () => {
    expect(mapFuncRefusal(MapType.SOCKMAP, 2, 'bpf_map_update_elem', tc)).toBeUndefined();
    expect(mapFuncRefusal(MapType.SOCKMAP, 2, 'bpf_map_update_elem', { ...tc, progType: ProgType.KPROBE })).toBe('cannot update sockmap in this context\ncannot pass map_type 15 into func bpf_map_update_elem#2');
    expect(mapFuncRefusal(MapType.SOCKHASH, 3, 'bpf_map_delete_elem', { ...tc, progType: ProgType.SOCK_OPS })).toBeUndefined();
    // sock_ops may delete but not update (through bpf_sock_map_update only); a lookup of another
    // kind is refused without may_update_sockmap's line
    expect(mapFuncRefusal(MapType.SOCKHASH, 2, 'bpf_map_update_elem', { ...tc, progType: ProgType.SOCK_OPS })).toBe('cannot update sockmap in this context\ncannot pass map_type 18 into func bpf_map_update_elem#2');
    expect(mapFuncRefusal(MapType.SOCKMAP, 12, 'bpf_tail_call', tc)).toBe('expected prog array map for tail call');
    expect(mapFuncRefusal(MapType.SOCKMAP, 87, 'bpf_map_push_elem', tc)).toBe('cannot pass map_type 15 into func bpf_map_push_elem#87');
  });
  it('program side: sleepable programs, spin locks, struct_ops maps', () => {
    const sleepable = { ...tc, progType: ProgType.SYSCALL, sleepable: true };
    const map = (type: number, hasSpinLock = false) => ({ type, hasSpinLock });
    expect(mapProgRefusal(map(MapType.LPM_TRIE), sleepable)).toBe('Sleepable programs can only use array, hash, ringbuf and local storage maps');
    expect(mapProgRefusal(map(MapType.LPM_TRIE), tc)).toBeUndefined();
    for (const t of [MapType.ARRAY, MapType.HASH, MapType.RINGBUF, MapType.QUEUE, MapType.TASK_STORAGE]) expect(mapProgRefusal(map(t), sleepable)).toBeUndefined();
    expect(mapProgRefusal(map(MapType.ARRAY, true), { ...tc, progType: ProgType.SOCKET_FILTER })).toBe('socket filter progs cannot use bpf_spin_lock yet');
    expect(mapProgRefusal(map(MapType.HASH, true), { ...tc, progType: ProgType.KPROBE })).toBe('tracing progs cannot use bpf_spin_lock yet');
    expect(mapProgRefusal(map(MapType.HASH, true), tc)).toBeUndefined();
    expect(mapProgRefusal(map(MapType.STRUCT_OPS), tc)).toBe('bpf_struct_ops map cannot be used in prog');
  });
});
