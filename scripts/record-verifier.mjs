#!/usr/bin/env node
// Records the host kernel's verdicts for the annotated verifier programs: for every object in
// test/progs/verifier/ and every program in it, runs our verifier harness (built by
// scripts/kernel-tree.mjs, pinned to CPU 0) and writes test/fixtures/verifier-kernel/<name>.json in
// the format of the verifier interfaces (§3): verdict, errno, log level, the full log, retval and
// data_out of the test run. Programs with unprivileged annotations also get their `@unpriv` run
// (the harness's --unpriv: capabilities dropped for the load, kernel.unprivileged_bpf_disabled
// lowered to 0 meanwhile), recorded under "PROG @unpriv". The kernel is the oracle: a program whose
// annotations the kernel does not satisfy is reported and makes the script exit 1 (the annotation
// must be fixed).
//
//   node scripts/record-verifier.mjs [NAME...]          record these objects (default: all)
//   node scripts/record-verifier.mjs --check [NAME...]  only report unsatisfied annotations
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ensureHarness } from './kernel-tree.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);

// The kernel's C driver (prog_tests/verifier.c) seeds these maps before the test run.
const SEEDED = { verifier_array_access: 'map_array_ro', verifier_value_ptr_arith: 'map_array_48b' };

export const hostKernel = () => execFileSync('uname', ['-r']).toString().trim();

/** Programs (name, section, type, unpriv: whether the test loader makes an @unpriv run of it) and
 *  maps (name, type, internal) of an object, as libbpf sees them. */
export function listObject(objPath) {
  return JSON.parse(execFileSync(ensureHarness(), [objPath, '--list']).toString());
}

/** One program through the harness: the kernel's verdict, log and run, plus the annotation check. */
export function runHarness(objPath, prog, seedMap, unpriv = false) {
  const extra = [...(seedMap ? ['--seed-test-val', seedMap] : []), ...(unpriv ? ['--unpriv'] : [])];
  const out = execFileSync('taskset', ['-c', '0', ensureHarness(), objPath, prog, ...extra], { maxBuffer: 64 << 20 });
  return JSON.parse(out.toString());
}

/** The fixture record of one harness run. */
export const fixtureRecord = (r) => ({ loaded: r.loaded, errno: r.errno, logLevel: r.logLevel, log: r.log, retval: r.retval, dataOut: r.dataOut });

/** Every program of one object: the §3 fixture and, per program, whether the kernel satisfied its
 *  annotations; the @unpriv runs apart (`unprivSatisfied`, keyed by program name; in the fixture
 *  under "PROG @unpriv"), so the privileged figures are computed as before. */
export function recordObject(objPath, name, objectLabel) {
  const fixture = { kernel: hostKernel(), object: objectLabel, programs: {} };
  const satisfied = {}, problems = {}, unprivSatisfied = {}, unprivProblems = {};
  const programs = listObject(objPath).programs;
  for (const { name: prog } of programs) {
    const r = runHarness(objPath, prog, SEEDED[name]);
    fixture.programs[prog] = fixtureRecord(r);
    satisfied[prog] = r.satisfied;
    if (!r.satisfied) problems[prog] = r.problems;
  }
  for (const { name: prog, unpriv } of programs) {
    if (!unpriv) continue;
    const r = runHarness(objPath, prog, SEEDED[name], true);
    fixture.programs[`${prog} @unpriv`] = fixtureRecord(r);
    unprivSatisfied[prog] = r.satisfied;
    if (!r.satisfied) unprivProblems[prog] = r.problems;
  }
  return { fixture, satisfied, problems, unprivSatisfied, unprivProblems };
}

// The privileged log prints the kernel address of each map loaded by ld_imm64
// (`4: (18) r1 = 0xffff8881b51bb800`), which changes with every load. A program whose record
// differs from the committed one only there (or in the verification time) keeps the committed record, so re-recording does not
// churn. (Programs that return a pointer, __retval(POINTER_VALUE), still get a new retval.)
// The statistics' `verification time N usec` changes with every load too.
const maskAddresses = (text) => text.replace(/0xffff[0-9a-f]{12}/g, '0xffff............').replace(/verification time \d+ usec/g, 'verification time N usec');
export function writeFixture(path, fixture) {
  if (existsSync(path)) {
    const old = JSON.parse(readFileSync(path, 'utf8'));
    for (const [prog, rec] of Object.entries(fixture.programs)) {
      const was = old.programs?.[prog];
      if (was && maskAddresses(JSON.stringify(was)) === maskAddresses(JSON.stringify(rec))) fixture.programs[prog] = was;
    }
  }
  writeFileSync(path, JSON.stringify(fixture, null, 2) + '\n');
}

function main() {
  const args = process.argv.slice(2);
  const checkOnly = args.includes('--check');
  const only = new Set(args.filter((a) => !a.startsWith('--')));
  const objDir = join(root, 'test/progs/verifier');
  const outDir = join(root, 'test/fixtures/verifier-kernel');
  const objects = readdirSync(objDir).filter((f) => f.endsWith('.o')).map((f) => f.slice(0, -2))
    .filter((n) => !only.size || only.has(n)).sort();
  let programs = 0, unsatisfied = 0, loaded = 0;
  if (!checkOnly) mkdirSync(outDir, { recursive: true });
  for (const name of objects) {
    const objPath = join(objDir, `${name}.o`);
    const { fixture, satisfied, problems, unprivSatisfied, unprivProblems } = recordObject(objPath, name, relative(root, objPath));
    for (const [key, rec] of Object.entries(fixture.programs)) {
      programs++;
      if (rec.loaded) loaded++;
      const prog = key.replace(/ @unpriv$/, '');
      const [ok, why] = key === prog ? [satisfied[prog], problems[prog]] : [unprivSatisfied[prog], unprivProblems[prog]];
      if (!ok) {
        unsatisfied++;
        console.log(`UNSATISFIED ${name}/${key}: ${why.replace(/\n/g, '; ')}`);
      }
    }
    if (!checkOnly) writeFixture(join(outDir, `${name}.json`), fixture);
  }
  console.log(`record-verifier: ${objects.length} objects, ${programs} program runs incl. @unpriv (${loaded} loaded), ${unsatisfied} with annotations the kernel (${hostKernel()}) does not satisfy`);
  process.exit(unsatisfied ? 1 : 0);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) main();
