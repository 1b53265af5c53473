#!/usr/bin/env node
// Records the host kernel's verifier verdict for every program in test/progs/*.o and
// examples/*.o into test/fixtures/verifier-corpus.json (test/verifier/corpus.test.ts checks
// ebpfvm's verifier against it). Each program is loaded alone at log level 1 by
// scripts/kernel-verdicts.c, built here against the system libbpf; the fixture keeps the verdict,
// errno and the log's error line (the last line before `processed ...`), or "" when the load
// failed before the verifier ran (libbpf could not create a map, resolve an attach target, ...).
//
//   node scripts/record-verifier-corpus.mjs      needs root, gcc and libbpf-dev
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir, release } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'verdicts-'));
const bin = join(dir, 'kernel-verdicts');
execFileSync('gcc', ['-O1', join(root, 'scripts/kernel-verdicts.c'), '-o', bin, '-lbpf']);
const objects = [
  ...readdirSync(join(root, 'test/progs')).filter((f) => f.endsWith('.o')).map((f) => `test/progs/${f}`),
  ...readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.o')).map((f) => `examples/${f}`),
].sort();
const out = { kernel: release(), programs: {} };
for (const object of objects) {
  const text = execFileSync(bin, [object], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  for (const line of text.split('\n').filter(Boolean)) {
    const d = JSON.parse(line);
    if (d.openError !== undefined) {
      out.programs[object] = { openError: d.openError };
      continue;
    }
    const lines = d.log.split('\n').filter((l) => l && !l.startsWith('processed '));
    (out.programs[object] ??= {})[d.prog] = { loaded: d.loaded, errno: d.errno, error: d.loaded ? '' : (lines.at(-1) ?? '') };
  }
}
writeFileSync(join(root, 'test/fixtures/verifier-corpus.json'), JSON.stringify(out, null, 1) + '\n');
console.log(`recorded ${Object.keys(out.programs).length} objects`);
