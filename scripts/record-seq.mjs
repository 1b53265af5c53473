#!/usr/bin/env node
// The host kernel's results for programs that keep state between runs (issue 13): builds
// test/kernel/harness/seq-harness.c against the 6.12 tree's libbpf (scripts/kernel-tree.mjs) and
// runs each scenario below as user space would drive a skeleton: the object loaded once, then its
// programs test-run in order (with pauses for kernel workers), pinned to CPU 0. Recorded twice
// (they must agree) into test/fixtures/seq/<object>.json, which the tests replay:
//  - test/progs/kfunc/kf_crypto.c (the BPF crypto kfuncs, test/kfunc/crypto.test.ts): setup
//    creates and stashes a crypto context from the params its ctx carries, encrypt/decrypt work
//    on regions of the packet named by its header, and the packet comes back in data_out. The
//    vectors are FIPS-197 appendix C and NIST SP 800-38A F.1/F.2.
//  - test/progs/kfunc/kf_wq.c (bpf_wq, test/kfunc/wq.test.ts): programs queue work items, a pause
//    of 100 ms lets the kernel's worker run them, read programs return what they did.
// Needs root and the kernel tree; not part of npm test.
//
//   node scripts/record-seq.mjs [kf_crypto|kf_wq]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { release } from 'node:os';
import { buildHarness } from './kernel-tree.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);

// ---- inputs -------------------------------------------------------------------------------

const enc = (s) => Buffer.from(s, 'latin1');
const u32 = (...v) => Buffer.concat(v.map((x) => { const b = Buffer.alloc(4); b.writeUInt32LE(x >>> 0); return b; }));
const pad = (b, n) => Buffer.concat([b, Buffer.alloc(n - b.length)]);

/** setup's ctx: struct bpf_crypto_params (408 bytes) then the params__sz to pass. */
function params({ type = 'skcipher', algo = 'ecb(aes)', key, keyLen, authsize = 0, reserved = [0, 0], size = 408 }) {
  const k = Buffer.from(key, 'hex');
  return Buffer.concat([pad(enc(type), 14), Buffer.from(reserved), pad(enc(algo), 128), pad(k, 256), u32(keyLen ?? k.length, authsize, size)]).toString('hex');
}

/** encrypt/decrypt's packet: struct crypt_req (regions of the packet), then the payload at 24. */
const HDR = 24;
function packet(payloadHex, { src = [HDR, payloadHex.length / 2], dst = src, siv = [0, 0], tail = 8 } = {}) {
  return Buffer.concat([u32(src[0], src[1], dst[0], dst[1], siv[0], siv[1]), Buffer.from(payloadHex, 'hex'), Buffer.alloc(tail)]).toString('hex');
}

const setup = (p) => ({ prog: 'setup', ctx: params(p) });
const run = (prog, payload, regions) => ({ prog, data: packet(payload, regions) });

// FIPS-197 appendix C: the plaintext 00112233..ff under keys 000102.., 16/24/32 bytes.
const FIPS_PT = '00112233445566778899aabbccddeeff';
const KEY = (n) => Buffer.from([...Array(n).keys()]).toString('hex');
const FIPS_CT = { 16: '69c4e0d86a7b0430d8cdb78070b4c55a', 24: 'dda97ca4864cdfe06eaf70a0ec0d7191', 32: '8ea2b7ca516745bfeafc49904b496089' };
// NIST SP 800-38A F.1.1 / F.2.1 (AES-128, four blocks; CBC with IV 000102..0f).
const SP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const SP_PT = '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710';
const SP_ECB = '3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4';
const SP_CBC = '7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7';
const SP_IV = '000102030405060708090a0b0c0d0e0f';

const CRYPTO = [
  {
    name: 'bpf_crypto_ctx_create errors and algorithms',
    steps: [
      setup({ key: KEY(16) }),
      setup({ key: KEY(16), size: 407 }),
      setup({ key: KEY(16), reserved: [1, 0] }),
      setup({ key: KEY(16), reserved: [0, 1] }),
      setup({ type: 'hash', key: KEY(16) }),
      setup({ type: '', key: KEY(16) }),
      setup({ algo: 'nonsense(aes)', key: KEY(16) }),
      setup({ algo: '', key: KEY(16) }),
      setup({ key: KEY(16), authsize: 16 }),
      setup({ key: KEY(16), keyLen: 0 }),
      setup({ key: KEY(16), keyLen: 257 }),
      setup({ key: KEY(20) }),
      setup({ key: KEY(24) }),
      setup({ key: KEY(32) }),
      setup({ key: KEY(64) }),
      setup({ algo: 'cbc(aes)', key: KEY(16) }),
      setup({ algo: 'cbc(aes)', key: KEY(15) }),
      setup({ algo: 'ctr(aes)', key: KEY(16) }),
      setup({ algo: 'xts(aes)', key: KEY(32) }),
      setup({ algo: 'cts(cbc(aes))', key: KEY(16) }),
      setup({ algo: 'aes', key: KEY(16) }),
      setup({ algo: 'ecb(cipher_null)', key: KEY(16) }),
      setup({ algo: 'ecb(des)', key: KEY(8) }),
      setup({ algo: 'ECB(AES)', key: KEY(16) }),
    ],
  },
  {
    name: 'stash, acquire and release',
    steps: [
      { prog: 'acquire_release' },
      { prog: 'teardown' },
      setup({ key: KEY(16) }),
      { prog: 'acquire_release' },
      setup({ key: KEY(32) }),
      { prog: 'acquire_release' },
      { prog: 'teardown' },
      { prog: 'teardown' },
      { prog: 'acquire_release' },
      run('encrypt', FIPS_PT),
    ],
  },
  ...[16, 24, 32].map((n) => ({
    name: `ecb(aes) AES-${n * 8}: FIPS-197 C`,
    steps: [setup({ key: KEY(n) }), run('encrypt', FIPS_PT), run('decrypt', FIPS_CT[n])],
  })),
  {
    name: 'ecb(aes): SP 800-38A F.1.1/F.1.2',
    steps: [setup({ key: SP_KEY }), run('encrypt', SP_PT), run('decrypt', SP_ECB)],
  },
  {
    name: 'ecb(aes): the kernel crypto_sanity test (key testtest12345678, stringtoencrypt0)',
    steps: [setup({ key: Buffer.from('testtest12345678').toString('hex') }), run('encrypt', Buffer.from('stringtoencrypt0').toString('hex'))],
  },
  {
    name: 'cbc(aes): SP 800-38A F.2.1/F.2.2, the IV in the packet updated in place',
    steps: [
      setup({ algo: 'cbc(aes)', key: SP_KEY }),
      run('encrypt', SP_IV + SP_PT, { src: [HDR + 16, 64], siv: [HDR, 16] }),
      run('decrypt', SP_IV + SP_CBC, { src: [HDR + 16, 64], siv: [HDR, 16] }),
      // out of place: the result lands after the source
      run('encrypt', SP_IV + SP_PT + '00'.repeat(64), { src: [HDR + 16, 64], dst: [HDR + 80, 64], siv: [HDR, 16] }),
      run('decrypt', SP_IV + SP_CBC + '00'.repeat(64), { src: [HDR + 16, 64], dst: [HDR + 80, 64], siv: [HDR, 16] }),
      // no IV, a short IV: -EINVAL
      run('encrypt', SP_IV + SP_PT, { src: [HDR + 16, 64] }),
      run('encrypt', SP_IV + SP_PT, { src: [HDR + 16, 64], siv: [HDR, 8] }),
      // a partial block
      run('encrypt', SP_IV + SP_PT, { src: [HDR + 16, 40], siv: [HDR, 16] }),
    ],
  },
  {
    name: 'ecb(aes): length, region and IV errors',
    steps: [
      setup({ key: SP_KEY }),
      run('encrypt', SP_PT, { src: [HDR, 0] }),
      run('encrypt', SP_PT, { src: [HDR, 32], dst: [HDR, 16] }),
      run('encrypt', SP_PT, { src: [HDR, 16], dst: [HDR, 64] }),
      run('encrypt', SP_PT, { src: [HDR, 16], dst: [HDR + 16, 0] }),
      run('encrypt', SP_PT, { src: [HDR, 16], siv: [HDR + 32, 16] }),
      run('encrypt', SP_PT, { src: [HDR, 20] }),
      run('decrypt', SP_ECB, { src: [HDR, 40] }),
      run('encrypt', SP_PT, { src: [HDR, 200] }),
      // overlapping regions, out of place: the blocks are processed in order on live memory
      run('encrypt', SP_PT, { src: [HDR, 48], dst: [HDR + 16, 48] }),
      run('encrypt', SP_PT, { src: [HDR + 16, 48], dst: [HDR, 48] }),
      run('decrypt', SP_ECB, { src: [HDR, 48], dst: [HDR + 8, 48] }),
      { prog: 'teardown' },
      run('encrypt', SP_PT),
    ],
  },
  {
    name: 'cbc(aes): overlapping regions',
    steps: [
      setup({ algo: 'cbc(aes)', key: SP_KEY }),
      run('encrypt', SP_IV + SP_PT, { src: [HDR + 16, 48], dst: [HDR + 32, 48], siv: [HDR, 16] }),
      run('decrypt', SP_IV + SP_CBC, { src: [HDR + 16, 48], dst: [HDR + 32, 48], siv: [HDR, 16] }),
      run('decrypt', SP_IV + SP_CBC, { src: [HDR + 32, 48], dst: [HDR + 16, 48], siv: [HDR, 16] }),
      run('encrypt', SP_IV + SP_PT, { src: [HDR + 16, 48], siv: [HDR + 24, 16] }),
    ],
  },
];

const pause = { prog: '@sleep', data: '100' };
const WQ = [
  { name: 'return codes around init, callback and start; a start while queued runs once', steps: [{ prog: 'errors_init' }, { prog: 'errors_start' }, pause, { prog: 'read_arr' }] },
  { name: 'a callback that queues itself again runs three times', steps: [{ prog: 'arm_again' }, pause, { prog: 'read_arr' }] },
  { name: 'an overwritten array element cancels its queued work', steps: [{ prog: 'arm_then_update' }, pause, { prog: 'read_arr' }] },
  { name: 'a deleted hash element cancels its queued work, a kept one runs', steps: [{ prog: 'arm_hash' }, pause, { prog: 'read_hash' }] },
  // Not recorded: whether work runs between two test runs. The host's worker runs as soon as the
  // CPU is free (often between two syscalls); ebpfvm runs it when user space advances the clock.
];
const OBJECTS = { kf_crypto: CRYPTO, kf_wq: WQ };

// ---- recording ----------------------------------------------------------------------------

const BIN = buildHarness('seq-harness');

function record(obj, scenarios) {
  return scenarios.map((s) => {
    const r = spawnSync('taskset', ['-c', '0', BIN, join(root, `test/progs/kfunc/${obj}.o`), ...s.steps.map((st) => `${st.prog}:${st.data ?? '-'}:${st.ctx ?? '-'}`)], { encoding: 'utf8' });
    const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    if (r.status !== 0 || lines.length !== s.steps.length) throw new Error(`${s.name}: ${r.stderr}${r.stdout}`);
    return { name: s.name, steps: s.steps.map((st, i) => { const { prog, ...result } = lines[i]; if (prog !== st.prog) throw new Error(`${s.name}: step ${i} ran ${prog}`); return { ...st, result }; }) };
  });
}
const only = process.argv.slice(2);
for (const [obj, scenarios] of Object.entries(OBJECTS)) {
  if (only.length && !only.includes(obj)) continue;
  const a = record(obj, scenarios);
  const b = record(obj, scenarios);
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${obj}: two recordings differ:\n${JSON.stringify(a)}\n${JSON.stringify(b)}`);
  mkdirSync(join(root, 'test/fixtures/seq'), { recursive: true });
  const out = { kernel: release(), source: `test/progs/kfunc/${obj}.c`, scenarios: a };
  writeFileSync(join(root, `test/fixtures/seq/${obj}.json`), JSON.stringify(out, null, 1) + '\n');
  console.log(`record-seq: ${obj}: ${a.length} scenarios, ${a.reduce((n, s) => n + s.steps.length, 0)} steps recorded`);
}
