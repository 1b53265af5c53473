#!/usr/bin/env node
// Log parity with the host kernel: loads every program of the annotated verifier objects through
// our harness (scripts/kernel-tree.mjs builds it; HARNESS_LOG_LEVEL sets the level) and through
// ebpfvm's verifier at the same level, and compares the two logs line for line after masking what
// differs by nature (the kernel addresses of maps, the verification time). Prints one line per
// program that differs (with the first differing line of each side) and the count that match.
//
//   node scripts/compare-verifier-logs.mjs [--level 1|2] [--show] [NAME...]   (root; after npm run build)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureHarness } from './kernel-tree.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const { Runtime, load, openObject, verifyProgram, VerifierError } = await import(join(root, 'dist/src/index.js'));
const { parseTestSpec } = await import(join(root, 'dist/src/selftest/annotations.js'));

const args = process.argv.slice(2);
const level = Number(args.includes('--level') ? args[args.indexOf('--level') + 1] : 2);
const show = args.includes('--show');
const names = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--level');
const dir = join(root, 'test/progs/verifier');
// The host's possible CPUs (nr_cpu_ids): the range the verifier gives bpf_get_smp_processor_id
const ncpus = (() => {
  const m = /(\d+)\s*$/.exec(readFileSync('/sys/devices/system/cpu/possible', 'utf8'));
  return m ? Number(m[1]) + 1 : 1;
})();
const objects = readdirSync(dir).filter((f) => f.endsWith('.o') && (names.length === 0 || names.includes(f.slice(0, -2)))).sort();

const mask = (log) =>
  log
    .replace(/0xffff[0-9a-f]{12}/g, 'ADDR')
    .split('\n')
    .filter((l) => !l.startsWith('verification time') && !l.startsWith('stack depth'))
    // our map ldimm64 prints the map's runtime id where the kernel prints its address (in the
    // instruction lines and in the level-2 liveness listing); the state after it is aligned on
    // that text, so the padding before `;` goes with it
    .map((l) => l.replace(/(\(18\) r\d+ = )(?:0x[0-9a-f]+|ADDR)( *;)?/, (_m, a, semi) => `${a}ADDR${semi ? ' ;' : ''}`))
    // a kfunc call prints the kfunc's BTF id: the running kernel's there, the built-in BTF's here
    // (helper ids are the same on both sides, so masking every call id hides nothing)
    .map((l) => l.replace(/(\(85\) call \w+)#\d+( *;)?/, (_m, a, semi) => `${a}#ID${semi ? ' ;' : ''}`))
    // btf_ctx_access names the argument's struct by its BTF id: the running kernel's there, the
    // built-in BTF's here
    .map((l) => l.replace(/^(func '\w+' arg\d+ has btf_id )\d+/, '$1ID'));

let same = 0;
let total = 0;
for (const f of objects) {
  const path = join(dir, f);
  const progs = JSON.parse(execFileSync(ensureHarness(), [path, '--list']).toString()).programs;
  for (const { name } of progs) {
    let k;
    try {
      k = JSON.parse(execFileSync('taskset', ['-c', '0', ensureHarness(), path, name], { env: { ...process.env, HARNESS_LOG_LEVEL: String(level) }, maxBuffer: 64 << 20 }).toString());
    } catch {
      continue;
    }
    if (k.log.length > 1 << 20) continue; // the 1M-insn programs
    let ours;
    try {
      const spec = openObject(new Uint8Array(readFileSync(path)), { name: f.slice(0, -2) });
      // the harness loads with the program's __flag bits (BPF_F_TEST_STATE_FREQ, ...): so here
      let progFlags = 0;
      try { if (spec.btf) progFlags = parseTestSpec(spec.btf, name).progFlags; } catch { /* unparsable annotations: no flags */ }
      const obj = load(new Runtime({ ncpus }), spec, { programs: [name] });
      ours = verifyProgram(obj, name, { logLevel: level, ...(progFlags ? { progFlags } : {}) }).log;
    } catch (e) {
      // A program the loader hands to the verifier early (malformed code the decoder refuses) has
      // the verifier's log on its VerifierError, as `ebpfvm verify` prints it; other load errors
      // are compared as their message.
      ours = e instanceof VerifierError && e.log ? e.log : `load: ${e.message}`;
    }
    total++;
    const a = mask(k.log);
    const b = mask(ours);
    const i = a.findIndex((l, n) => l !== b[n]);
    if (i < 0 && a.length === b.length) {
      same++;
      continue;
    }
    const at = i < 0 ? Math.min(a.length, b.length) : i;
    console.log(`DIFF ${f.slice(0, -2)}/${name} line ${at + 1}\n  kernel: ${a[at] ?? '(end)'}\n  ebpfvm: ${b[at] ?? '(end)'}`);
    if (show) console.log(`--- kernel\n${k.log}--- ebpfvm\n${ours}`);
  }
}
console.log(`level ${level}: ${same} of ${total} logs identical`);
