// The kernel's graph selftests (rbtree_fail.c, linked_list_fail.c, refcounted_kptr_fail.c,
// rbtree_btf_fail__*.c, rbtree.c, linked_list.c, refcounted_kptr.c) against the host kernel's
// recorded verdicts (test/fixtures/kernel-selftests/graph, scripts/graph-selftests.mjs): every
// program the host rejects is rejected with its error line, every one it loads is accepted, and
// linked_list_fail.c's programs log the messages of the kernel's C driver table. The objects are
// compiled from the kernel tree into the cache (never committed): without them this skips.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { FIXTURES, GRAPH_FILES, OBJS, compareFile, ebpfvmVerdicts } from '../../scripts/graph-selftests.mjs';

interface Row { prog: string; host: { kind: string; line?: string }; ebpfvm: string; ok: boolean; driverMsg?: string; driverOk?: boolean; hostDriverOk?: boolean }
type Compare = (name: string, fixture: unknown, verdicts: unknown, expected?: unknown) => Row[];

const ROOT = join(import.meta.dirname, '../..');
const files = Object.keys(GRAPH_FILES as Record<string, string>);
const have = files.every((f) => existsSync(join(OBJS as string, `${f}.o`))) && existsSync(join(ROOT, 'dist/src/cli/main.js'));
/** Where ebpfvm cannot agree, and why (no verifier question); none today. */
const KNOWN_MISSES: Record<string, RegExp> = {};

describe.skipIf(!have)('the kernel graph selftests against the host kernel', () => {
  const expected = JSON.parse(readFileSync(join(FIXTURES as string, 'linked_list_fail.expected.json'), 'utf8')).tests as { program: string; message: string }[];

  for (const name of files) {
    it(`${name}.c: ebpfvm's verdicts and error lines are the host's`, () => {
      const fixture = JSON.parse(readFileSync(join(FIXTURES as string, `${name}.json`), 'utf8'));
      const rows = (compareFile as Compare)(name, fixture, ebpfvmVerdicts(join(OBJS as string, `${name}.o`)), name === 'linked_list_fail' ? expected : undefined);
      expect(rows.length).toBe(Object.keys(fixture.programs).length);
      for (const r of rows) {
        const known = KNOWN_MISSES[`${name}/${r.prog}`];
        if (r.host.kind === 'none') continue;
        if (known) {
          expect(r.ok, `${r.prog} is a known miss that now agrees: drop it from KNOWN_MISSES`).toBe(false);
          expect(r.ebpfvm).toMatch(known);
          continue;
        }
        expect(r.ebpfvm, `${name}/${r.prog}`).toBe(r.host.kind === 'accepted' ? 'accepted' : r.host.line);
        // The driver's message is in ebpfvm's log exactly when it is in the host's (6.18 words
        // ptr_walk_scalar's differently from the 6.12 table).
        if (r.driverMsg !== undefined) expect(r.driverOk, `${r.prog}: the driver's message '${r.driverMsg}' (in the host's log: ${r.hostDriverOk})`).toBe(r.hostDriverOk);
      }
    }, 120_000);
  }

  it('the driver table names every program of linked_list_fail.c once', () => {
    const fixture = JSON.parse(readFileSync(join(FIXTURES as string, 'linked_list_fail.json'), 'utf8'));
    expect(expected.map((e) => e.program).sort()).toEqual(Object.keys(fixture.programs).sort());
  });
});
