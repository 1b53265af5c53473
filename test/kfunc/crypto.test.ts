// The BPF crypto kfuncs (helpers/crypto.ts, verifier/crypto.ts) against the host kernel: every
// scenario of test/fixtures/seq/kf_crypto.json (recorded by scripts/record-seq.mjs from
// test/progs/kfunc/kf_crypto.c: a syscall program creates and stashes a context, tc programs
// encrypt and decrypt packet regions in place) replayed step by step on one loaded object, under
// both engines, verified and not: the same retvals, packets and errnos. Then the ciphers on their
// own against FIPS-197 and SP 800-38A, and against node:crypto (the test may use it; the VM may not).
import { createCipheriv } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load } from '../../src/loader/load.js';
import { openObject } from '../../src/loader/open.js';
import { runLoaded } from '../../src/test-run-api.js';
import { AesKey } from '../../helpers/aes.js';
import { CRYPTO_PARAMS_SIZE, cryptoKfuncImpls, cryptoTable } from '../../helpers/crypto.js';
import { FakeWorld } from '../helpers/fake-call.js';
import { PROGS, runCli } from '../loader/helpers.js';

interface Step {
  prog: string;
  data?: string;
  ctx?: string;
  result: { retval?: number; data_out?: string | null; errno?: string };
}
const FX = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/seq/kf_crypto.json'), 'utf8')) as { scenarios: { name: string; steps: Step[] }[] };
const OBJ = new Uint8Array(readFileSync(join(PROGS, 'kfunc', 'kf_crypto.o')));
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const unhex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function replay(steps: Step[], engine: 'compiled' | 'interpreter', verify: boolean) {
  const runtime = new Runtime({ ncpus: 1, cpu: 0, engine });
  const obj = load(runtime, openObject(OBJ));
  const got = steps.map((st) => {
    const r = runLoaded(obj, st.prog, { ...(st.data ? { data: hex(st.data) } : {}), ...(st.ctx ? { ctx: hex(st.ctx) } : {}) }, { verify });
    return { retval: r.retval, data_out: r.dataOut ? unhex(r.dataOut) : null };
  });
  return { got, runtime };
}

describe('bpf crypto kfuncs: the host kernel scenarios (kf_crypto.c)', () => {
  expect(FX.scenarios.length).toBeGreaterThan(5);
  for (const s of FX.scenarios) {
    for (const engine of ['compiled', 'interpreter'] as const) {
      for (const verify of [true, false]) {
        it(`${s.name} (${engine}${verify ? ', verified' : ''})`, () => {
          const { got } = replay(s.steps, engine, verify);
          s.steps.forEach((st, i) => expect(got[i], `step ${i}: ${st.prog}`).toEqual(st.result));
        });
      }
    }
  }

  it('a context stashed in a map is released with the map element (no leak), references count', () => {
    const runtime = new Runtime({ ncpus: 1, cpu: 0 });
    const obj = load(runtime, openObject(OBJ));
    const setup = FX.scenarios[2]!.steps[0]!;
    expect(runLoaded(obj, 'setup', { ctx: hex(setup.ctx!) }, { verify: true }).retval).toBe(0);
    const table = cryptoTable(runtime.helperEnv);
    expect(table.live().map((c) => [c.algo, c.refs])).toEqual([['ecb(aes)', 1]]);
    // a second setup replaces the stashed context: the first is freed
    expect(runLoaded(obj, 'setup', { ctx: hex(setup.ctx!) }, { verify: true }).retval).toBe(0);
    expect(table.live()).toHaveLength(1);
    // overwriting the element from user space frees the kptr (bpf_obj_free_fields -> dtor)
    obj.map('ctxs').update(new Uint8Array(4), new Uint8Array(8));
    expect(table.live()).toHaveLength(0);
    expect(runLoaded(obj, 'acquire_release', {}, { verify: true }).retval).toBe(1);
  });
});

describe('run --before: the setup program first, then the program run (crypto_sanity.c as its prog_test drives it)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebpfvm-crypto-'));
  const fips = FX.scenarios.find((s) => s.name.includes('AES-128'))!.steps;
  writeFileSync(join(dir, 'params.bin'), hex(fips[0]!.ctx!));
  writeFileSync(join(dir, 'pkt.bin'), hex(fips[1]!.data!));
  const OBJ_PATH = join(PROGS, 'kfunc', 'kf_crypto.o');

  it('encrypts with the context the setup program stashed (the host kernel data_out)', async () => {
    const r = await runCli(['run', OBJ_PATH, '--prog', 'encrypt', '--before', `setup=${join(dir, 'params.bin')}`, '--data', join(dir, 'pkt.bin'), '--data-out', join(dir, 'out.bin')]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/Before: setup retval 0/);
    expect(r.out).toMatch(/Return value: 0,/);
    expect(unhex(new Uint8Array(readFileSync(join(dir, 'out.bin'))))).toBe(fips[1]!.result.data_out);
  });

  it('without it there is no context (-1002, the program\'s own code)', async () => {
    const r = await runCli(['run', OBJ_PATH, '--prog', 'encrypt', '--data', join(dir, 'pkt.bin')]);
    expect(r.out).toMatch(/Return value: 4294966294,/);
  });

  it('an unknown program is a usage error naming the programs', async () => {
    const r = await runCli(['run', OBJ_PATH, '--prog', 'encrypt', '--before', 'nosuch', '--data', join(dir, 'pkt.bin')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no program named nosuch \(have: setup, acquire_release, teardown, encrypt, decrypt\)/);
  });
});

describe('bpf crypto kfuncs: hostile arguments of unverified runs', () => {
  it('a forged or released context faults naming the kfunc, never reaches the table', () => {
    const w = new FakeWorld();
    const dp = w.mem(new Uint8Array(16));
    expect(() => cryptoKfuncImpls.encrypt(w.call([0x1234, dp, dp, 0]))).toThrow(/bpf_crypto_encrypt: 0x1234 is not a live bpf_crypto_ctx/);
    expect(() => cryptoKfuncImpls.release(w.call([0]))).toThrow(/bpf_crypto_ctx_release: NULL is not a live bpf_crypto_ctx/);
    // a real one, released twice
    const params = new Uint8Array(CRYPTO_PARAMS_SIZE);
    params.set(Buffer.from('skcipher'), 0);
    params.set(Buffer.from('ecb(aes)'), 16);
    new DataView(params.buffer).setUint32(400, 16, true);
    const p = w.mem(params);
    const err = w.mem(new Uint8Array(4));
    const c = BigInt(cryptoKfuncImpls.create(w.call([p, CRYPTO_PARAMS_SIZE, err])));
    expect(c).not.toBe(0n);
    cryptoKfuncImpls.release(w.call([c]));
    expect(() => cryptoKfuncImpls.acquire(w.call([c]))).toThrow(/is not a live bpf_crypto_ctx/);
  });

  it('params that are not readable fault naming them', () => {
    const w = new FakeWorld();
    const err = w.mem(new Uint8Array(4));
    expect(() => cryptoKfuncImpls.create(w.call([0x7000_0000, CRYPTO_PARAMS_SIZE, err]))).toThrow(/bpf_crypto_ctx_create: params: /);
  });
});

describe('AES (helpers/aes.ts)', () => {
  const KEY = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);
  it.each([
    [16, '69c4e0d86a7b0430d8cdb78070b4c55a'],
    [24, 'dda97ca4864cdfe06eaf70a0ec0d7191'],
    [32, '8ea2b7ca516745bfeafc49904b496089'],
  ])('FIPS-197 appendix C, %i-byte key', (n, ct) => {
    const k = new AesKey(KEY(n));
    const out = new Uint8Array(16);
    k.encryptBlock(hex('00112233445566778899aabbccddeeff'), 0, out, 0);
    expect(unhex(out)).toBe(ct);
    k.decryptBlock(out, 0, out, 0);
    expect(unhex(out)).toBe('00112233445566778899aabbccddeeff');
  });

  it('agrees with node:crypto on 200 random keys and blocks', () => {
    let seed = 12345;
    const rnd = (n: number) => Uint8Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff);
    for (let i = 0; i < 200; i++) {
      const n = [16, 24, 32][i % 3]!;
      const key = rnd(n);
      const block = rnd(16);
      const c = createCipheriv(`aes-${n * 8}-ecb`, key, null).setAutoPadding(false);
      const want = Buffer.concat([c.update(block), c.final()]);
      const out = new Uint8Array(16);
      new AesKey(key).encryptBlock(block, 0, out, 0);
      expect(unhex(out)).toBe(want.toString('hex'));
    }
  });

  it('refuses a key of another size', () => {
    expect(() => new AesKey(new Uint8Array(20))).toThrow(/20 bytes/);
  });
});
