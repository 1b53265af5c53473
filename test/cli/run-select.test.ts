// `run --prog P` and `bench --prog P` use program selection: P loads even from a `?` section, with
// the prog_array targets it tail-calls, and a sibling that cannot load no longer sinks it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from './capture.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const obj = join(ROOT, 'test/progs/sel_programs.o');
const pkt = join(mkdtempSync(join(tmpdir(), 'ebpfvm-sel-')), 'pkt.bin');
writeFileSync(pkt, new Uint8Array(64));


afterEach(() => vi.restoreAllMocks());

describe('program selection in the CLI', () => {
  it('run: a `?` program runs by name, its tail call reaches the `values` target; the skipped map is noted', async () => {
    const r = await cli('run', obj, '--prog', 'wanted', '--data', pkt, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ program: 'wanted', retval: 42 });
    expect(r.err).toBe('ebpfvm: note: map cgroups: unsupported map type cgroup_array: skipped, no loaded program uses it\n');
  });

  it('run: the program that uses the map ebpfvm cannot create fails with exit 2, naming it', async () => {
    const r = await cli('run', obj, '--prog', 'uses_cgroups', '--data', pkt);
    expect(r.code).toBe(2);
    expect(r.err).toContain('map cgroups: unsupported map type cgroup_array');
  });

  it('bench: the same selection', async () => {
    const r = await cli('bench', obj, '--prog', 'wanted', '--data', pkt, '--time', '20ms', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ program: 'wanted', retval: 42 });
  });
});
