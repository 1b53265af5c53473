#!/usr/bin/env node
// Records the host kernel's verdicts for the annotated verifier programs: for every object in
// test/progs/verifier/ and every program in it, runs our verifier harness (built by
// scripts/kernel-tree.mjs, pinned to CPU 0) and writes test/fixtures/verifier-kernel/<name>.json in
// the format of the verifier interfaces (§3): verdict, errno, log level, the full log, retval and
// data_out of the test run. The kernel is the oracle: a program whose annotations the kernel does
// not satisfy is reported and makes the script exit 1 (the annotation must be fixed).
//
//   node scripts/record-verifier.mjs [NAME...]          record these objects (default: all)
//   node scripts/record-verifier.mjs --check [NAME...]  only report unsatisfied annotations
//   --objects DIR --out DIR                             another corpus (e.g. the kernel's selftests)
//   --allow-unsatisfied                                 record without failing (facts about a foreign corpus)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, relative, resolve, basename } from 'node:path';
import { ensureHarness } from './kernel-tree.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); if (i < 0) return dflt; const v = args[i + 1]; args.splice(i, 2); return v; };
const flag = (name) => { const i = args.indexOf(name); if (i < 0) return false; args.splice(i, 1); return true; };
const objDir = resolve(root, opt('--objects', 'test/progs/verifier'));
const outDir = resolve(root, opt('--out', 'test/fixtures/verifier-kernel'));
const checkOnly = flag('--check');
const allowUnsatisfied = flag('--allow-unsatisfied');
const only = new Set(args);

// The kernel's C driver (prog_tests/verifier.c) seeds these maps before the test run.
const SEEDED = { verifier_array_access: 'map_array_ro', verifier_value_ptr_arith: 'map_array_48b' };

const harness = ensureHarness();
const kernel = execFileSync('uname', ['-r']).toString().trim();

/** Runs the harness on one program; returns its parsed JSON. */
function runHarness(objPath, prog, seedMap) {
  const extra = seedMap ? ['--seed-test-val', seedMap] : [];
  const out = execFileSync('taskset', ['-c', '0', harness, objPath, prog, ...extra], { maxBuffer: 64 << 20 });
  return JSON.parse(out.toString());
}

function listPrograms(objPath) {
  return JSON.parse(execFileSync(harness, [objPath, '--list']).toString());
}

// The privileged log prints the kernel address of each map loaded by ld_imm64
// (`4: (18) r1 = 0xffff8881b51bb800`), which changes with every load. A program whose record
// differs from the committed one only there keeps the committed record, so re-recording does not
// churn. (Programs that return a pointer, __retval(POINTER_VALUE), still get a new retval.)
const maskAddresses = (text) => text.replace(/0xffff[0-9a-f]{12}/g, '0xffff............');
function writeFixture(path, fixture) {
  if (existsSync(path)) {
    const old = JSON.parse(readFileSync(path, 'utf8'));
    for (const [prog, rec] of Object.entries(fixture.programs)) {
      const was = old.programs?.[prog];
      if (was && maskAddresses(JSON.stringify(was)) === maskAddresses(JSON.stringify(rec))) fixture.programs[prog] = was;
    }
  }
  writeFileSync(path, JSON.stringify(fixture, null, 2) + '\n');
}

const objects = readdirSync(objDir).filter((f) => f.endsWith('.o')).map((f) => f.slice(0, -2))
  .filter((n) => !only.size || only.has(n)).sort();
let programs = 0, unsatisfied = 0, loadedCount = 0;
if (!checkOnly) mkdirSync(outDir, { recursive: true });
for (const name of objects) {
  const objPath = join(objDir, `${name}.o`);
  const fixture = { kernel, object: relative(root, objPath), programs: {} };
  let progs;
  try {
    progs = listPrograms(objPath);
  } catch (e) {
    console.log(`OPEN-FAIL ${name}: ${e.stderr?.toString().trim() ?? e}`);
    unsatisfied++;
    continue;
  }
  for (const { name: prog } of progs) {
    const r = runHarness(objPath, prog, SEEDED[basename(name)]);
    programs++;
    if (r.loaded) loadedCount++;
    fixture.programs[prog] = { loaded: r.loaded, errno: r.errno, logLevel: r.logLevel, log: r.log, retval: r.retval, dataOut: r.dataOut };
    if (!r.satisfied) {
      unsatisfied++;
      console.log(`UNSATISFIED ${name}/${prog}: ${r.problems.replace(/\n/g, '; ')}`);
      if (process.env.VERBOSE) console.log(r.log.split('\n').slice(-12).join('\n'));
    }
  }
  if (!checkOnly) writeFixture(join(outDir, `${name}.json`), fixture);
}
console.log(`record-verifier: ${objects.length} objects, ${programs} programs (${loadedCount} loaded), ${unsatisfied} with annotations the kernel (${kernel}) does not satisfy`);
process.exit(unsatisfied && !allowUnsatisfied ? 1 : 0);
