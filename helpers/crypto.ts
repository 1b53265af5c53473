// The BPF crypto kfuncs (kernel/bpf/crypto.c, Linux 6.10+) with the "skcipher" crypto type of
// crypto/bpf_crypto_skcipher.c, as Linux 6.18 runs them (checked against the host kernel by
// test/progs/kfunc/kf_crypto.c, scripts/record-seq.mjs):
//
//   bpf_crypto_ctx_create(params, params__sz, err)   KF_ACQUIRE | KF_RET_NULL | KF_SLEEPABLE
//     NULL with *err set: -EINVAL for params__sz != sizeof(struct bpf_crypto_params) (408) or a
//     nonzero reserved byte; -ENOENT for a type other than "skcipher"; -EOPNOTSUPP for an
//     algorithm the crypto API does not know as a symmetric cipher, and for a nonzero authsize
//     (skcipher has no setauthsize); -EINVAL for key_len 0 or over 256, for an algorithm known to
//     the crypto API that has no linear (lskcipher) form, and for a key length the cipher refuses
//     (setkey). Otherwise a context with one reference, *err = 0.
//   bpf_crypto_ctx_acquire(ctx)   KF_ACQUIRE | KF_RCU | KF_RET_NULL: one more reference (NULL once
//     the count has dropped to zero: refcount_inc_not_zero).
//   bpf_crypto_ctx_release(ctx)   KF_RELEASE: one reference less; the last frees the context. A
//     context stashed as a map value's kptr is released with its element or map (the dtor).
//   bpf_crypto_encrypt/decrypt(ctx, src, dst, siv__nullable)   KF_RCU, bpf_crypto_crypt: -EINVAL
//     for a read-only dst, an empty src or dst, src longer than dst, an IV dynptr whose size is not
//     the cipher's ivsize + statesize (a NULL siv counts 0), or data the dynptrs cannot give as
//     direct pointers; otherwise the cipher's result, on src_len bytes.
//
// Algorithms: the two lskciphers a stock kernel instantiates, "ecb(aes)" (no IV) and "cbc(aes)"
// (16-byte IV, updated in place to the last ciphertext block, as the kernel's cbc template does),
// with AES-128/192/256 (helpers/aes.ts). Both process whole blocks in order on live memory, like
// the kernel's ecb/cbc templates (so overlapping src and dst give the kernel's bytes), and answer
// -EINVAL after the whole blocks when src_len is not a multiple of 16 (CRYPTO_LSKCIPHER_FLAG_FINAL
// with a remainder). "ecb(cipher_null)" exists but its key size is 0, so every create fails with
// -EINVAL as on the host. "ctr(aes)", "xts(aes)" and "cts(cbc(aes))" exist in the crypto API only
// as (scatterlist) skciphers: the host answers -EINVAL for them, and so does ebpfvm. Any other
// name is -EOPNOTSUPP (names are case-sensitive, as in the kernel).
//
// Contexts live in a table per runtime (keyed by the helper environment), at fake kernel
// addresses: programs only pass them back to these kfuncs or stash them (the struct is opaque to
// them; a load through one reads zeros, as a probe read of unmapped kernel memory).

import { FaultSignal } from '../src/errors.js';
import { Errno } from '../maps/types.js';
import { AesKey } from './aes.js';
import { DynptrType, dataAddress, packetAddress, readDynptr, type Dynptr } from './dynptr.js';
import type { HelperCall, HelperEnv, HelperResult } from './types.js';

/** sizeof(struct bpf_crypto_params): char type[14]; u8 reserved[2]; char algo[128]; u8 key[256];
 *  u32 key_len; u32 authsize. */
export const CRYPTO_PARAMS_SIZE = 408;
const OFF_RESERVED = 14;
const OFF_ALGO = 16;
const OFF_KEY = 144;
const OFF_KEY_LEN = 400;
const OFF_AUTHSIZE = 404;
const KEY_MAX = 256;
const AES_BLOCK = 16;

type Mode = 'ecb' | 'cbc';

/** One bpf_crypto_ctx. */
export interface CryptoCtx {
  readonly addr: bigint;
  readonly algo: string;
  readonly mode: Mode;
  readonly key: AesKey;
  /** ivsize + statesize: what the siv dynptr's size must be. */
  readonly sivLen: number;
  refs: number;
}

/** The lskciphers ebpfvm implements, with their IV sizes. */
const LSKCIPHERS: Readonly<Record<string, { mode: Mode; ivsize: number } | 'null'>> = {
  'ecb(aes)': { mode: 'ecb', ivsize: 0 },
  'cbc(aes)': { mode: 'cbc', ivsize: AES_BLOCK },
  // cipher_null: min and max key size 0, and key_len 0 is refused before: never created.
  'ecb(cipher_null)': 'null',
};
/** Algorithms the crypto API knows as skciphers without a linear form: allocation fails. */
const SKCIPHER_ONLY: ReadonlySet<string> = new Set(['ctr(aes)', 'xts(aes)', 'cts(cbc(aes))']);

/** Where contexts' fake kernel addresses start (kernel half of the address space). */
const CTX_BASE = 0xffff_8882_0000_0000n;
/** sizeof(struct bpf_crypto_ctx) on x86-64: the address stride. */
const CTX_SIZE = 48n;

export class CryptoTable {
  private readonly byAddr = new Map<bigint, CryptoCtx>();
  private next = CTX_BASE;

  create(algo: string, mode: Mode, key: AesKey, sivLen: number): CryptoCtx {
    const c: CryptoCtx = { addr: this.next, algo, mode, key, sivLen, refs: 1 };
    this.next += CTX_SIZE;
    this.byAddr.set(c.addr, c);
    return c;
  }

  get(addr: bigint): CryptoCtx | undefined {
    return this.byAddr.get(addr);
  }

  /** Live contexts (tests: a leak shows here). */
  live(): CryptoCtx[] {
    return [...this.byAddr.values()];
  }

  /** refcount_dec_and_test: the last reference frees the context. */
  release(c: CryptoCtx): void {
    if (--c.refs === 0) this.byAddr.delete(c.addr);
  }
}

const tables = new WeakMap<HelperEnv, CryptoTable>();

/** The runtime's crypto contexts (one table per helper environment, made on first use). */
export function cryptoTable(env: HelperEnv): CryptoTable {
  let t = tables.get(env);
  if (!t) tables.set(env, (t = new CryptoTable()));
  return t;
}

/** The dtor of a bpf_crypto_ctx kptr freed with its map value (bpf_crypto_ctx_release_dtor).
 *  False when `addr` is not a context. */
export function releaseCryptoKptr(env: HelperEnv, addr: bigint): boolean {
  const t = tables.get(env);
  const c = t?.get(addr);
  if (!t || !c) return false;
  t.release(c);
  return true;
}

const hex = (a: bigint): string => `0x${a.toString(16)}`;

function ctxArg(call: HelperCall, what: string): CryptoCtx {
  const a = call.u64(1);
  const c = cryptoTable(call.env).get(a);
  // The verifier lets only referenced or rcu-protected contexts through; unverified runs can pass
  // anything, which must not reach the table.
  if (!c) throw new FaultSignal(`${what}: ${a === 0n ? 'NULL' : hex(a)} is not a live bpf_crypto_ctx`);
  return c;
}

/** A NUL-terminated string starting at `off` of `b` (strcmp may read past a full array into the
 *  next member, as the kernel's does). */
function cString(b: Uint8Array, off: number): string {
  let end = off;
  while (end < b.length && b[end] !== 0) end++;
  return String.fromCharCode(...b.subarray(off, end));
}

function cryptoCtxCreate(call: HelperCall): HelperResult {
  const what = 'bpf_crypto_ctx_create';
  const p = call.ptr(1);
  const size = call.u32(2);
  const errAt = call.ptr(3);
  const setErr = (e: number): void => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, e, true);
    call.arena.writeChecked(errAt, 4, b);
  };
  if (p === 0 || size !== CRYPTO_PARAMS_SIZE) {
    setErr(-Errno.EINVAL);
    return 0;
  }
  if (!call.arena.canAccess(p, CRYPTO_PARAMS_SIZE, false)) throw new FaultSignal(`${what}: params: ${call.arena.explain(p, CRYPTO_PARAMS_SIZE, false)}`);
  const b = call.arena.read(p, CRYPTO_PARAMS_SIZE);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b[OFF_RESERVED] || b[OFF_RESERVED + 1]) {
    setErr(-Errno.EINVAL);
    return 0;
  }
  if (cString(b, 0) !== 'skcipher') {
    setErr(-Errno.ENOENT);
    return 0;
  }
  const algo = cString(b, OFF_ALGO);
  const alg = LSKCIPHERS[algo];
  if (!alg && !SKCIPHER_ONLY.has(algo)) {
    setErr(-Errno.EOPNOTSUPP);
    return 0;
  }
  // skcipher has no setauthsize: !!authsize ^ !!setauthsize
  if (dv.getUint32(OFF_AUTHSIZE, true) !== 0) {
    setErr(-Errno.EOPNOTSUPP);
    return 0;
  }
  const keyLen = dv.getUint32(OFF_KEY_LEN, true);
  if (keyLen === 0 || keyLen > KEY_MAX) {
    setErr(-Errno.EINVAL);
    return 0;
  }
  // alloc_tfm (no linear form), then setkey (the cipher's key sizes).
  if (!alg || alg === 'null' || (keyLen !== 16 && keyLen !== 24 && keyLen !== 32)) {
    setErr(-Errno.EINVAL);
    return 0;
  }
  const c = cryptoTable(call.env).create(algo, alg.mode, new AesKey(b.slice(OFF_KEY, OFF_KEY + keyLen)), alg.ivsize);
  setErr(0);
  return c.addr;
}

function cryptoCtxAcquire(call: HelperCall): HelperResult {
  const c = ctxArg(call, 'bpf_crypto_ctx_acquire');
  if (c.refs === 0) return 0;
  c.refs++;
  return c.addr;
}

function cryptoCtxRelease(call: HelperCall): HelperResult {
  const c = ctxArg(call, 'bpf_crypto_ctx_release');
  cryptoTable(call.env).release(c);
  return 0;
}

/** __bpf_dynptr_data(_rw)(d, len): the address of the dynptr's first `len` bytes when it can give
 *  them directly (bpf_dynptr_slice with no buffer), else undefined. */
function dynptrData(call: HelperCall, d: Dynptr, len: number, rw: boolean, what: string): number | undefined {
  if (d.data === 0n || (rw && d.rdonly) || len > d.size) return undefined;
  if (d.type === DynptrType.SKB || d.type === DynptrType.XDP) {
    const a = packetAddress(call, d, 0, len, what);
    return a < 0 ? undefined : a;
  }
  if (d.type !== DynptrType.LOCAL && d.type !== DynptrType.RINGBUF) return undefined;
  return dataAddress(d, 0, what);
}

const dynptrSize = (d: Dynptr): number => (d.data === 0n ? 0 : d.size);

function cryptoCrypt(decrypt: boolean) {
  const what = decrypt ? 'bpf_crypto_decrypt' : 'bpf_crypto_encrypt';
  return (call: HelperCall): HelperResult => {
    const c = ctxArg(call, what);
    const src = readDynptr(call, 2, what);
    const dst = readDynptr(call, 3, what);
    const siv = call.u64(4) !== 0n ? readDynptr(call, 4, what) : undefined;
    if (dst.data !== 0n && dst.rdonly) return -Errno.EINVAL;
    const sivLen = siv ? dynptrSize(siv) : 0;
    const srcLen = dynptrSize(src);
    const dstLen = dynptrSize(dst);
    if (!srcLen || !dstLen || srcLen > dstLen) return -Errno.EINVAL;
    if (sivLen !== c.sivLen) return -Errno.EINVAL;
    const ps = dynptrData(call, src, srcLen, false, what);
    if (ps === undefined) return -Errno.EINVAL;
    const pd = dynptrData(call, dst, dstLen, true, what);
    if (pd === undefined) return -Errno.EINVAL;
    const piv = siv && sivLen ? dynptrData(call, siv, sivLen, true, what) : undefined;
    if (sivLen && piv === undefined) return -Errno.EINVAL;
    const rem = c.mode === 'ecb' ? ecb(call, c.key, decrypt, ps, pd, srcLen) : cbc(call, c.key, decrypt, ps, pd, srcLen, piv!);
    return rem ? -Errno.EINVAL : 0;
  };
}

// ---- the modes, block by block on live memory (crypto/ecb.c, crypto/cbc.c) --------------------

function readBlock(call: HelperCall, at: number): Uint8Array {
  call.arena.check(at, AES_BLOCK, false);
  return call.arena.read(at, AES_BLOCK);
}

function writeBlock(call: HelperCall, at: number, b: Uint8Array): void {
  call.arena.writeChecked(at, AES_BLOCK, b);
}

function xorInto(a: Uint8Array, b: Uint8Array): void {
  for (let i = 0; i < AES_BLOCK; i++) a[i]! ^= b[i]!;
}

/** crypto_ecb_crypt: whole blocks in order; returns the remainder. */
function ecb(call: HelperCall, key: AesKey, decrypt: boolean, src: number, dst: number, n: number): number {
  const out = new Uint8Array(AES_BLOCK);
  for (; n >= AES_BLOCK; n -= AES_BLOCK, src += AES_BLOCK, dst += AES_BLOCK) {
    const b = readBlock(call, src);
    if (decrypt) key.decryptBlock(b, 0, out, 0);
    else key.encryptBlock(b, 0, out, 0);
    writeBlock(call, dst, out);
  }
  return n;
}

/** crypto_cbc_encrypt/decrypt, their in-place (src == dst) and segment forms; returns the
 *  remainder. The IV at `iv` ends as the last ciphertext block processed. */
function cbc(call: HelperCall, key: AesKey, decrypt: boolean, src: number, dst: number, n: number, iv: number): number {
  const bs = AES_BLOCK;
  if (n < bs) return n;
  const out = new Uint8Array(bs);
  if (!decrypt && src !== dst) {
    // encrypt_segment: the IV buffer itself is the chain (iv ^= src; dst = E(iv); iv = dst)
    for (; n >= bs; n -= bs, src += bs, dst += bs) {
      const b = readBlock(call, iv);
      xorInto(b, readBlock(call, src));
      writeBlock(call, iv, b);
      key.encryptBlock(readBlock(call, iv), 0, out, 0);
      writeBlock(call, dst, out);
      writeBlock(call, iv, readBlock(call, dst));
    }
    return n;
  }
  if (!decrypt) {
    // encrypt_inplace: src ^= iv; src = E(src); iv points at that block
    let ivAt = iv;
    for (; n >= bs; n -= bs, src += bs) {
      const b = readBlock(call, src);
      xorInto(b, readBlock(call, ivAt));
      writeBlock(call, src, b);
      key.encryptBlock(readBlock(call, src), 0, out, 0);
      writeBlock(call, src, out);
      ivAt = src;
    }
    writeBlock(call, iv, readBlock(call, ivAt));
    return n;
  }
  if (src !== dst) {
    // decrypt_segment: iv points at the previous source block (live)
    let ivAt = iv;
    for (; n >= bs; n -= bs, src += bs, dst += bs) {
      key.decryptBlock(readBlock(call, src), 0, out, 0);
      writeBlock(call, dst, out);
      const d = readBlock(call, dst);
      xorInto(d, readBlock(call, ivAt));
      writeBlock(call, dst, d);
      ivAt = src;
    }
    writeBlock(call, iv, readBlock(call, ivAt));
    return n;
  }
  // decrypt_inplace: from the last whole block back to the first
  const rem = n & (bs - 1);
  let at = src + n - rem - bs;
  const lastIv = readBlock(call, at);
  for (;;) {
    key.decryptBlock(readBlock(call, at), 0, out, 0);
    writeBlock(call, at, out);
    if ((n -= bs) < bs) break;
    const d = readBlock(call, at);
    xorInto(d, readBlock(call, at - bs));
    writeBlock(call, at, d);
    at -= bs;
  }
  const d = readBlock(call, at);
  xorInto(d, readBlock(call, iv));
  writeBlock(call, at, d);
  writeBlock(call, iv, lastIv);
  return n;
}

export const cryptoKfuncImpls = {
  create: cryptoCtxCreate,
  acquire: cryptoCtxAcquire,
  release: cryptoCtxRelease,
  encrypt: cryptoCrypt(false),
  decrypt: cryptoCrypt(true),
};
