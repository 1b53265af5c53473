// Runs every case in test/conformance/data through the real plugin binary, exactly as the
// bpf_conformance runner does: assemble the `-- asm` section (vm/asm-ubpf.ts), spawn
// `node dist/src/cli/conformance.js [MEMHEX]` with the program's hex bytes on stdin, and compare
// r0 (hex on stdout) or, for `-- error` cases, a non-zero exit. The expected values were computed
// by an independent reference model (make_cases.py), not by ebpfvm. Needs `tsc` first (npm test
// runs it).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../vm/asm-ubpf.js';
import { encodeInsns } from '../../vm/isa.js';
import { parseDataFile } from './data-file.js';
import { PLUGIN as plugin, runPlugin } from './spawn.js';

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = join(here, 'data');

/** Space-separated hex bytes with the runner's spacing (two spaces after each byte). */
const hexArg = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0') + '  ').join('');

function programBytes(asm: string | undefined, raw: bigint[] | undefined): Uint8Array {
  if (raw) {
    const out = new Uint8Array(raw.length * 8);
    const dv = new DataView(out.buffer);
    raw.forEach((w, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, w), true));
    return out;
  }
  return encodeInsns(assembleUbpf(asm ?? ''));
}

const files = readdirSync(dataDir).filter((f) => f.endsWith('.data')).sort();

describe.skipIf(!existsSync(plugin))('conformance cases through ebpfvm-conformance', () => {
  it('has cases for every instruction class', () => {
    expect(files.length).toBeGreaterThan(200);
  });
  describe.concurrent('data', () => {
    for (const f of files) {
      it(f, async () => {
        const t = parseDataFile(readFileSync(join(dataDir, f), 'utf8'));
        expect(t.skip).toBeUndefined();
        const prog = programBytes(t.asm, t.raw);
        const args = t.mem ? [hexArg(t.mem)] : [];
        const r = await runPlugin(args, hexArg(prog));
        if (t.error !== undefined) {
          expect(r.code, r.stdout).not.toBe(0);
          const text = (r.stdout || r.stderr).replace(/\r.*$/s, '').replace(/\s+$/, '');
          if (t.error !== '*') expect(text).toBe(t.error);
          else expect(text.length).toBeGreaterThan(0);
        } else {
          expect(r.stderr).toBe('');
          expect(r.code).toBe(0);
          expect(r.stdout).toMatch(/^[0-9a-f]+\n$/);
          expect(BigInt.asUintN(64, BigInt('0x' + r.stdout.trim())).toString(16)).toBe(t.result!.toString(16));
        }
      });
    }
  });
});
