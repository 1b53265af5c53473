// The bpf() syscall's gates for an unprivileged loader (src/loader/unpriv.ts) against the host:
// map_create's answers for each map type, created once privileged and once without CAP_BPF,
// CAP_PERFMON, CAP_NET_ADMIN and CAP_SYS_ADMIN (test/fixtures/unpriv-map-create.json, recorded by
// scripts/record-unpriv-maps.py); program types as bpf_prog_load checks them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkUnprivProgram, mapTypeCaps, progTypeCaps, UNPRIV_MAX_INSNS } from '../../src/loader/unpriv.js';
import { PermissionError } from '../../src/errors.js';
import { ProgType } from '../../vm/prog-types.js';

const ROOT = join(import.meta.dirname, '../..');
const host = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/unpriv-map-create.json'), 'utf8')) as {
  types: Record<string, { type: number; flags: number; priv: string; unpriv: string }>;
};

describe('unprivileged map_create', () => {
  it('ebpfvm refuses exactly the map types the host refuses an unprivileged user', () => {
    const rows = Object.entries(host.types).filter(([, t]) => t.priv === 'ok');
    expect(rows.length).toBeGreaterThan(20);
    for (const [name, t] of rows) expect(mapTypeCaps(t.type, t.flags) === '' ? 'ok' : 'Operation not permitted', name).toBe(t.unpriv);
  });
});

describe('unprivileged bpf_prog_load', () => {
  it('only socket_filter and cgroup_skb load; the others name what they need', () => {
    expect(progTypeCaps(ProgType.SOCKET_FILTER)).toBe('');
    expect(progTypeCaps(ProgType.CGROUP_SKB)).toBe('');
    expect(progTypeCaps(ProgType.SK_REUSEPORT)).toBe('CAP_BPF');
    expect(progTypeCaps(ProgType.XDP)).toBe('CAP_BPF+CAP_NET_ADMIN');
    expect(progTypeCaps(ProgType.TRACING)).toBe('CAP_BPF+CAP_PERFMON');
    expect(progTypeCaps(ProgType.EXT)).toBe('CAP_BPF+CAP_NET_ADMIN+CAP_PERFMON');
    expect(() => checkUnprivProgram('p', ProgType.KPROBE, 2)).toThrow(new PermissionError('program p: unpriv: program type kprobe needs CAP_BPF+CAP_PERFMON: EPERM'));
    expect(() => checkUnprivProgram('p', ProgType.SOCKET_FILTER, UNPRIV_MAX_INSNS)).not.toThrow();
    let err: unknown;
    try {
      checkUnprivProgram('p', ProgType.SOCKET_FILTER, UNPRIV_MAX_INSNS + 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PermissionError);
    expect(err).toMatchObject({ errno: 7, message: 'program p: unpriv: 4097 instructions, more than BPF_MAXINSNS (4096) without CAP_BPF: E2BIG' });
  });
});
