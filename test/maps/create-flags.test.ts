// Map creation flags against the host kernel: every map type ebpfvm implements, created with a
// valid definition plus one BPF_F_* bit at a time, must be accepted or refused (with the same
// errno) exactly as `bpftool map create` did on Linux 6.18 (test/fixtures/map-flags, recorded by
// scripts/record-map-flags.mjs).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { MapError } from '../../src/errors.js';
import { Errno, MapType } from '../../maps/types.js';

interface Row {
  type: string;
  typeId: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  result: 0 | keyof typeof Errno;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/map-flags/map_create_flags.json', import.meta.url), 'utf8')) as { source: string; rows: Row[] };

function ours(row: Row): 0 | string {
  const rt = new Runtime({ arena: { maxBytes: 1 << 24 } });
  const innerMap = row.typeId === MapType.ARRAY_OF_MAPS || row.typeId === MapType.HASH_OF_MAPS ? { name: 'inner', type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: 0 } : undefined;
  try {
    rt.createMap({ name: 'probe', type: row.typeId, keySize: row.keySize, valueSize: row.valueSize, maxEntries: row.maxEntries, flags: row.flags, ...(innerMap ? { innerMap } : {}) });
    return 0;
  } catch (e) {
    if (!(e instanceof MapError) || e.errno === undefined) throw e;
    return Object.entries(Errno).find(([, v]) => v === -e.errno!)?.[0] ?? `errno ${-e.errno}`;
  }
}

describe('map_flags at creation agree with the kernel', () => {
  it('covers every implemented kernel map type and flag bit', () => {
    expect(fixture.rows.length).toBe(18 * 14);
  });

  it('every (type, flags) row gives the kernel answer', () => {
    const disagree = fixture.rows
      .map((r) => ({ row: `${r.type} flags 0x${r.flags.toString(16)}`, kernel: r.result, ebpfvm: ours(r) }))
      .filter((d) => d.kernel !== d.ebpfvm);
    expect(disagree).toEqual([]);
  });
});
