#!/usr/bin/env node
// Processed-insn and log parity with the host kernel for any compiled object (the kernel's
// selftests under the cache, the large scale programs): each program is loaded through the
// verifier harness (its annotations' flags, HARNESS_LOG_LEVEL) and through ebpfvm's verifier with
// the same flags and level; prints per program the two `processed N insns` figures, whether the
// logs are identical (after masking addresses and times), the first differing line, and totals.
//
//   node scripts/compare-processed.mjs [--level 0|1|2] [--show] [--prog NAME] OBJ.o...
//   (after npx tsc -p .; root: the harness loads into the host kernel). HARNESS_BIN=PATH uses another
//   build of the harness (one with a larger log buffer than its 2 MiB, for the level-2 logs of
//   large programs, which the kernel otherwise truncates to their last 2 MiB).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ensureHarness as buildHarness } from './kernel-tree.mjs';

const ensureHarness = () => process.env.HARNESS_BIN ?? buildHarness();

const root = resolve(new URL('..', import.meta.url).pathname);
const { Runtime, load, openObject, verifyProgram } = await import(join(root, 'dist/src/index.js'));
const { parseTestSpec } = await import(join(root, 'dist/src/selftest/annotations.js'));

const args = process.argv.slice(2);
const opt = (k, d) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const level = Number(opt('--level', 2));
const show = args.includes('--show');
const onlyProg = opt('--prog', undefined);
const objects = args.filter((a, i) => a.endsWith('.o') && !['--level', '--prog'].includes(args[i - 1]));

// The host's nr_cpu_ids (the possible CPUs): bpf_get_smp_processor_id's range depends on it, and
// with it ids, states and pruning, so ebpfvm's runtime gets as many CPUs.
const nrCpuIds = (() => {
  try {
    const m = /(\d+)\s*$/.exec(readFileSync('/sys/devices/system/cpu/possible', 'utf8'));
    return m ? Number(m[1]) + 1 : 1;
  } catch {
    return 1;
  }
})();

const mask = (log) =>
  log
    .replace(/0xffff[0-9a-f]{12}/g, 'ADDR')
    .split('\n')
    .filter((l) => !l.startsWith('verification time') && !l.startsWith('stack depth'))
    .map((l) => l.replace(/(\(18\) r\d+ = )(?:0x[0-9a-f]+|ADDR)( *;)?/, (_m, a, semi) => `${a}ADDR${semi ? ' ;' : ''}`))
    .map((l) => l.replace(/(\(85\) call \w+)#\d+( *;)?/, (_m, a, semi) => `${a}#ID${semi ? ' ;' : ''}`));
const processed = (log) => /processed (\d+) insns/.exec(log)?.[1] ?? '-';

let total = 0, sameLog = 0, sameProcessed = 0;
for (const path of objects) {
  const progs = JSON.parse(execFileSync(ensureHarness(), [path, '--list']).toString()).programs;
  const bytes = new Uint8Array(readFileSync(path));
  for (const { name } of progs) {
    if (onlyProg && name !== onlyProg) continue;
    let k;
    try {
      k = JSON.parse(execFileSync('taskset', ['-c', '0', ensureHarness(), path, name], { env: { ...process.env, HARNESS_LOG_LEVEL: String(level) }, maxBuffer: 256 << 20 }).toString());
    } catch {
      continue;
    }
    let ours;
    let ms = 0;
    try {
      const spec = openObject(bytes, { name: basename(path, '.o') });
      let flags = 0;
      try {
        flags = parseTestSpec(spec.btf, name).progFlags;
      } catch {}
      const obj = load(new Runtime({ ncpus: nrCpuIds }), spec, { programs: [name] });
      const t0 = process.hrtime.bigint();
      ours = verifyProgram(obj, name, { logLevel: level, progFlags: flags }).log;
      ms = Number(process.hrtime.bigint() - t0) / 1e6;
    } catch (e) {
      ours = `load: ${e.message}`;
    }
    total++;
    const a = mask(k.log);
    const b = mask(ours);
    const pk = processed(k.log), po = processed(ours);
    if (pk === po) sameProcessed++;
    const i = a.findIndex((l, n) => l !== b[n]);
    const same = i < 0 && a.length === b.length;
    if (same) sameLog++;
    const at = i < 0 ? Math.min(a.length, b.length) : i;
    console.log(`${pk === po ? 'same' : 'DIFF'} ${basename(path, '.o')}/${name} processed host ${pk} ebpfvm ${po} (${ms.toFixed(0)} ms)${same ? ' log identical' : level ? ` log line ${at + 1}\n  kernel: ${a[at] ?? '(end)'}\n  ebpfvm: ${b[at] ?? '(end)'}` : ''}`);
    if (show) console.log(`--- kernel\n${k.log}--- ebpfvm\n${ours}`);
  }
}
console.log(`level ${level}: processed equal ${sameProcessed} of ${total}, logs identical ${sameLog} of ${total}`);
