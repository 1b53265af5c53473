#!/usr/bin/env node
// Records the host kernel's verdicts on test/verifier/unpriv-cases.ts (the unprivileged verifier
// rules, issue 17) into test/fixtures/unpriv-rules.json: every case is loaded with
// BPF_PROG_LOAD at log level 1 once as root and once without CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN
// and CAP_SYS_ADMIN (capsh drops them from a child's bounding set; kernel.unprivileged_bpf_disabled
// is lowered to 0 meanwhile, under the verifier harness's lock, and put back). The loads go
// through scripts/fuzz-verifier-kernel.py (raw instructions, maps created per program). Needs
// root and `npx tsc -p .` first (it reads the compiled cases).
//   node scripts/record-unpriv-rules.mjs
import { execFileSync } from 'node:child_process';
import { openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { release } from 'node:os';

const root = resolve(new URL('..', import.meta.url).pathname);
const { UNPRIV_CASES, UNPRIV_MAPS } = await import(join(root, 'dist/test/verifier/unpriv-cases.js'));
const { assemble } = await import(join(root, 'dist/vm/asm.js'));
const { encodeInsns } = await import(join(root, 'dist/vm/isa.js'));

const SYSCTL = '/proc/sys/kernel/unprivileged_bpf_disabled';
const LOCK = '/run/ebpfvm-verifier-harness-unpriv.lock';
const PY = join(root, 'scripts/fuzz-verifier-kernel.py');
const maps = UNPRIV_MAPS.map((m) => ({ type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries }));
const input = UNPRIV_CASES.map(([name, progType, text], id) => {
  const bytes = encodeInsns(assemble(text));
  return JSON.stringify({ id, name, progType, maps, insns: Buffer.from(bytes).toString('hex') });
}).join('\n') + '\n';

const parse = (out) => new Map(out.trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.id, r]));
const priv = parse(execFileSync('python3', [PY], { input, encoding: 'utf8' }));
// The sysctl is shared with the harness's @unpriv recordings: take its lock (flock(1)) around it.
const script = `old=$(cat ${SYSCTL}); [ "$old" = 0 ] || echo 0 > ${SYSCTL}; ` +
  `capsh --drop=cap_bpf,cap_perfmon,cap_net_admin,cap_sys_admin -- -c 'exec python3 ${PY}'; rc=$?; ` +
  `[ "$old" = 0 ] || echo "$old" > ${SYSCTL}; exit $rc`;
closeSync(openSync(LOCK, 'a'));
const unpriv = parse(execFileSync('flock', [LOCK, 'sh', '-c', script], { input, encoding: 'utf8' }));
if (readFileSync(SYSCTL, 'utf8').trim() === '0') console.warn('note: kernel.unprivileged_bpf_disabled is 0 (was it so before?)');

const verdict = (r) => ({ loaded: r.loaded, ...(r.loaded ? {} : { errno: r.errno, error: r.error }) });
const cases = UNPRIV_CASES.map(([name], id) => ({ name, priv: verdict(priv.get(id)), unpriv: verdict(unpriv.get(id)) }));
writeFileSync(join(root, 'test/fixtures/unpriv-rules.json'), JSON.stringify({ kernel: release(), cases }, null, 2) + '\n');
for (const c of cases) console.log(`${c.name}: priv ${c.priv.loaded ? 'ok' : c.priv.error} | unpriv ${c.unpriv.loaded ? 'ok' : `${c.unpriv.errno} ${c.unpriv.error}`}`);
