#!/usr/bin/env node
// The verifier soundness fuzz, long form (issue 17): `npm run fuzz:verifier [-- options]`.
//   --seeds 1,2,3      seeds (default: EBPFVM_FUZZ_SEEDS or 1)
//   --count N          programs per seed (default: EBPFVM_FUZZ_COUNT or 2000)
//   --corpus PCT       share of programs mutated from test/progs/verifier (default 20)
//   --inputs N         inputs each accepted program runs on (at least 8)
//   --kernel N         differential form: N generated programs (first seed), ebpfvm's verdict
//                      against the host kernel's (root; scripts/fuzz-verifier-kernel.py), every
//                      disagreement listed; no unverified runs
//   --verbose          with --kernel: print each disagreeing program
// Prints the accepted share and the feature histogram (test/verifier/soundness/fuzz.ts); exits 1
// when an accepted program faulted, the verifier threw, or (with --kernel) ebpfvm accepted a
// program the kernel refused.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const dist = join(root, 'dist/test/verifier/soundness/fuzz.js');
if (!existsSync(dist)) {
  console.error('fuzz-verifier: dist/ is missing; run `npx tsc -p .` first (npm run fuzz:verifier does)');
  process.exit(2);
}
const { runFuzz, formatStats } = await import(dist);
const { encodeInsns } = await import(join(root, 'dist/vm/isa.js'));
const { disassemble } = await import(join(root, 'dist/vm/disasm.js'));

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) {
    console.error(`fuzz-verifier: ${name} needs a value`);
    process.exit(2);
  }
  return v;
};
const known = new Set(['--seeds', '--count', '--corpus', '--inputs', '--kernel', '--verbose']);
for (let i = 0; i < args.length; i++) {
  if (!args[i].startsWith('--')) continue;
  if (!known.has(args[i])) {
    console.error(`fuzz-verifier: unknown option ${args[i]} (known: ${[...known].join(' ')})`);
    process.exit(2);
  }
}
const int = (name, s) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`fuzz-verifier: ${name} must be a non-negative integer (got '${s}')`);
    process.exit(2);
  }
  return n;
};
const seeds = String(opt('--seeds', process.env.EBPFVM_FUZZ_SEEDS ?? '1')).split(',').map((s) => int('--seeds', s));
const count = int('--count', opt('--count', process.env.EBPFVM_FUZZ_COUNT ?? '2000'));
const corpusPct = int('--corpus', opt('--corpus', '20'));
const inputs = int('--inputs', opt('--inputs', '8'));
const kernelN = opt('--kernel', undefined);
const verbose = args.includes('--verbose');

if (kernelN !== undefined) {
  process.exit(kernelDiff(int('--kernel', kernelN)));
}

let bad = 0;
const totals = { programs: 0, accepted: 0 };
for (const seed of seeds) {
  const t0 = Date.now();
  const s = runFuzz({ seed, count, corpusPct, inputs });
  console.log(`== seed ${seed}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(formatStats(s));
  totals.programs += s.programs;
  totals.accepted += s.accepted;
  for (const f of s.findings) {
    bad++;
    console.log(`\nSOUNDNESS BUG (${f.origin}, prog type ${f.progType}): ${f.fault}\n  input: ${f.input}\n  minimised:\n${f.minimised}\n  original:\n${f.original}`);
  }
  for (const e of s.verifierErrors) {
    bad++;
    console.log(`\nVERIFIER ERROR ${e}`);
  }
  for (const e of s.inputErrors.slice(0, 5)) console.log(`refused input: ${e}`);
}
if (seeds.length > 1) console.log(`\ntotal: ${totals.programs} programs, ${totals.accepted} accepted (${((100 * totals.accepted) / Math.max(1, totals.programs)).toFixed(1)} %)`);
process.exit(bad ? 1 : 0);

/** ebpfvm's verdicts against the host kernel's on N generated programs. */
function kernelDiff(n) {
  const s = runFuzz({ seed: seeds[0], count: n, corpusPct: 0, inputs, keep: true });
  const lines = s.kept.map((k, id) => JSON.stringify({ id, progType: k.prog.progType, maps: k.prog.maps, insns: Buffer.from(encodeInsns(k.prog.insns)).toString('hex') }));
  const py = spawnSync('python3', [join(root, 'scripts/fuzz-verifier-kernel.py')], { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 30 });
  if (py.status !== 0) {
    console.error(`fuzz-verifier: scripts/fuzz-verifier-kernel.py failed (exit ${py.status}): ${py.stderr.trim()}`);
    return 2;
  }
  const answers = py.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const setup = answers.filter((a) => a.setup);
  if (setup.length) {
    console.error(`fuzz-verifier: the kernel refused to create maps or load (${setup[0].errno}: ${setup[0].error}); --kernel needs root and BPF`);
    return 2;
  }
  let agree = 0;
  const classes = new Map();
  const norm = (e) => (e ?? '').replace(/\bR\d+\b/g, 'Rn').replace(/-?\d+/g, 'N').replace(/\(N[xX][0-9a-fA-F]+; N[xX][0-9a-fA-F]+\)/g, '(tnum)').slice(0, 120);
  const list = [];
  for (const a of answers) {
    const k = s.kept[a.id];
    const ours = k.verdict.accepted;
    if (ours === a.loaded) {
      agree++;
      continue;
    }
    const dir = ours ? 'ebpfvm accepts, kernel refuses' : 'ebpfvm refuses, kernel accepts';
    const key = `${dir}: ${norm(ours ? a.error : k.verdict.error)}`;
    const c = classes.get(key) ?? { n: 0, example: a.id };
    c.n++;
    classes.set(key, c);
    list.push({ id: a.id, dir, ebpfvm: ours ? 'accepted' : `${k.verdict.error} (insn ${k.verdict.errorPc})`, kernel: a.loaded ? 'accepted' : `${a.errno}: ${a.error}`, origin: k.prog.origin, kind: k.prog.kind, text: disassemble(k.prog.insns), log: a.log });
  }
  const pct = (x) => ((100 * x) / Math.max(1, answers.length)).toFixed(1);
  const kacc = answers.filter((a) => a.loaded).length;
  console.log(`host kernel diff (seed ${seeds[0]}): ${answers.length} programs, ebpfvm accepted ${s.accepted}, kernel accepted ${kacc}; verdicts agree on ${agree} (${pct(agree)} %), disagree on ${answers.length - agree}`);
  for (const [k, c] of [...classes].sort((a, b) => b[1].n - a[1].n)) console.log(`  ${String(c.n).padStart(5)}  ${k}  (e.g. #${c.example})`);
  for (const d of list) {
    console.log(`\n#${d.id} ${d.kind} ${d.origin}: ${d.dir}\n  ebpfvm: ${d.ebpfvm}\n  kernel: ${d.kernel}`);
    if (verbose) console.log(d.text + (d.log ? `\n  kernel log (tail):\n${d.log.split('\n').slice(-12).join('\n')}` : ''));
  }
  return list.some((d) => d.dir.startsWith('ebpfvm accepts')) ? 1 : 0;
}
