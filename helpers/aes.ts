// AES (FIPS-197) for the BPF crypto kfuncs (helpers/crypto.ts): key expansion for 128/192/256-bit
// keys and single-block encryption and decryption, written from the standard (S-box generated
// from the GF(2^8) inverse and affine map, round functions as four 32-bit lookup tables).
// Browser-safe on purpose: the VM's helpers may not use node:crypto. Not constant-time: it runs
// programs' test vectors, not secrets.

const SBOX = new Uint8Array(256);
const INV_SBOX = new Uint8Array(256);
/** Encryption round tables (SubBytes+ShiftRows+MixColumns per byte position) and decryption's. */
const TE = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)] as const;
const TD = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)] as const;

const xtime = (b: number): number => ((b << 1) ^ (b & 0x80 ? 0x11b : 0)) & 0xff;

function mul(a: number, b: number): number {
  let r = 0;
  for (; b; b >>= 1, a = xtime(a)) if (b & 1) r ^= a;
  return r;
}

// Filled on the first key expansion rather than at load: every run loads this module with the
// helper table, few programs use the crypto kfuncs, and the loops cost ~1-2 ms of a CLI start
// (issue 15, start-up).
let tablesBuilt = false;

function buildTables(): void {
  tablesBuilt = true;
  // Multiplicative inverses by walking the generator 3: p runs over 3^i, q over 3^-i.
  let p = 1;
  let q = 1;
  do {
    p = p ^ xtime(p);
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    const rot = (x: number, s: number): number => ((x << s) | (x >> (8 - s))) & 0xff;
    const s = q ^ rot(q, 1) ^ rot(q, 2) ^ rot(q, 3) ^ rot(q, 4) ^ 0x63;
    SBOX[p] = s;
  } while (p !== 1);
  SBOX[0] = 0x63;
  for (let i = 0; i < 256; i++) INV_SBOX[SBOX[i]!] = i;
  for (let i = 0; i < 256; i++) {
    const s = SBOX[i]!;
    const e = ((mul(s, 2) << 24) | (s << 16) | (s << 8) | mul(s, 3)) >>> 0;
    const x = INV_SBOX[i]!;
    const d = ((mul(x, 14) << 24) | (mul(x, 9) << 16) | (mul(x, 13) << 8) | mul(x, 11)) >>> 0;
    for (let t = 0; t < 4; t++) {
      TE[t]![i] = ((e >>> (8 * t)) | (e << (32 - 8 * t))) >>> 0;
      TD[t]![i] = ((d >>> (8 * t)) | (d << (32 - 8 * t))) >>> 0;
    }
  }
}

/** An expanded AES key: encryption and decryption round keys. */
export class AesKey {
  readonly rounds: number;
  private readonly ek: Uint32Array;
  private readonly dk: Uint32Array;

  /** `key` must be 16, 24 or 32 bytes (the caller checks: the kernel answers -EINVAL). */
  constructor(key: Uint8Array) {
    if (!tablesBuilt) buildTables();
    const nk = key.length / 4;
    if (![4, 6, 8].includes(nk)) throw new RangeError(`AES key of ${key.length} bytes (16, 24 or 32 expected)`);
    this.rounds = nk + 6;
    const total = 4 * (this.rounds + 1);
    const ek = new Uint32Array(total);
    for (let i = 0; i < nk; i++) ek[i] = ((key[4 * i]! << 24) | (key[4 * i + 1]! << 16) | (key[4 * i + 2]! << 8) | key[4 * i + 3]!) >>> 0;
    let rcon = 1;
    for (let i = nk; i < total; i++) {
      let t = ek[i - 1]!;
      if (i % nk === 0) {
        t = ((t << 8) | (t >>> 24)) >>> 0;
        t = sub(t) ^ (rcon << 24);
        rcon = xtime(rcon);
      } else if (nk > 6 && i % nk === 4) t = sub(t);
      ek[i] = (ek[i - nk]! ^ t) >>> 0;
    }
    this.ek = ek;
    // Equivalent inverse cipher: round keys in reverse order, InvMixColumns on the middle ones.
    const dk = new Uint32Array(total);
    for (let r = 0; r <= this.rounds; r++) {
      for (let c = 0; c < 4; c++) {
        const w = ek[4 * (this.rounds - r) + c]!;
        dk[4 * r + c] = r === 0 || r === this.rounds ? w : (TD[0]![SBOX[w >>> 24]!]! ^ TD[1]![SBOX[(w >>> 16) & 0xff]!]! ^ TD[2]![SBOX[(w >>> 8) & 0xff]!]! ^ TD[3]![SBOX[w & 0xff]!]!) >>> 0;
      }
    }
    this.dk = dk;
  }

  /** Encrypt the 16 bytes at `src[si]` into `dst[di]` (the two may be the same buffer). */
  encryptBlock(src: Uint8Array, si: number, dst: Uint8Array, di: number): void {
    crypt(this.ek, this.rounds, TE, SBOX, false, src, si, dst, di);
  }

  decryptBlock(src: Uint8Array, si: number, dst: Uint8Array, di: number): void {
    crypt(this.dk, this.rounds, TD, INV_SBOX, true, src, si, dst, di);
  }
}

function sub(w: number): number {
  return ((SBOX[w >>> 24]! << 24) | (SBOX[(w >>> 16) & 0xff]! << 16) | (SBOX[(w >>> 8) & 0xff]! << 8) | SBOX[w & 0xff]!) >>> 0;
}

function crypt(k: Uint32Array, rounds: number, T: readonly [Uint32Array, Uint32Array, Uint32Array, Uint32Array], box: Uint8Array, inv: boolean, src: Uint8Array, si: number, dst: Uint8Array, di: number): void {
  const word = (o: number): number => ((src[si + o]! << 24) | (src[si + o + 1]! << 16) | (src[si + o + 2]! << 8) | src[si + o + 3]!) >>> 0;
  let s0 = word(0) ^ k[0]!;
  let s1 = word(4) ^ k[1]!;
  let s2 = word(8) ^ k[2]!;
  let s3 = word(12) ^ k[3]!;
  const [T0, T1, T2, T3] = T;
  // ShiftRows picks column c+1, c+2, c+3 for rows 1-3 when encrypting, c-1, c-2, c-3 decrypting.
  for (let r = 1; r < rounds; r++) {
    const o = 4 * r;
    let t0: number, t1: number, t2: number, t3: number;
    if (!inv) {
      t0 = T0[s0 >>> 24]! ^ T1[(s1 >>> 16) & 0xff]! ^ T2[(s2 >>> 8) & 0xff]! ^ T3[s3 & 0xff]! ^ k[o]!;
      t1 = T0[s1 >>> 24]! ^ T1[(s2 >>> 16) & 0xff]! ^ T2[(s3 >>> 8) & 0xff]! ^ T3[s0 & 0xff]! ^ k[o + 1]!;
      t2 = T0[s2 >>> 24]! ^ T1[(s3 >>> 16) & 0xff]! ^ T2[(s0 >>> 8) & 0xff]! ^ T3[s1 & 0xff]! ^ k[o + 2]!;
      t3 = T0[s3 >>> 24]! ^ T1[(s0 >>> 16) & 0xff]! ^ T2[(s1 >>> 8) & 0xff]! ^ T3[s2 & 0xff]! ^ k[o + 3]!;
    } else {
      t0 = T0[s0 >>> 24]! ^ T1[(s3 >>> 16) & 0xff]! ^ T2[(s2 >>> 8) & 0xff]! ^ T3[s1 & 0xff]! ^ k[o]!;
      t1 = T0[s1 >>> 24]! ^ T1[(s0 >>> 16) & 0xff]! ^ T2[(s3 >>> 8) & 0xff]! ^ T3[s2 & 0xff]! ^ k[o + 1]!;
      t2 = T0[s2 >>> 24]! ^ T1[(s1 >>> 16) & 0xff]! ^ T2[(s0 >>> 8) & 0xff]! ^ T3[s3 & 0xff]! ^ k[o + 2]!;
      t3 = T0[s3 >>> 24]! ^ T1[(s2 >>> 16) & 0xff]! ^ T2[(s1 >>> 8) & 0xff]! ^ T3[s0 & 0xff]! ^ k[o + 3]!;
    }
    s0 = t0 >>> 0;
    s1 = t1 >>> 0;
    s2 = t2 >>> 0;
    s3 = t3 >>> 0;
  }
  const o = 4 * rounds;
  const st = [s0, s1, s2, s3];
  for (let c = 0; c < 4; c++) {
    const a = st[c]!;
    const b = st[(c + (inv ? 3 : 1)) & 3]!;
    const cc = st[(c + 2) & 3]!;
    const d = st[(c + (inv ? 1 : 3)) & 3]!;
    const w = (((box[a >>> 24]! << 24) | (box[(b >>> 16) & 0xff]! << 16) | (box[(cc >>> 8) & 0xff]! << 8) | box[d & 0xff]!) ^ k[o + c]!) >>> 0;
    dst[di + 4 * c] = w >>> 24;
    dst[di + 4 * c + 1] = (w >>> 16) & 0xff;
    dst[di + 4 * c + 2] = (w >>> 8) & 0xff;
    dst[di + 4 * c + 3] = w & 0xff;
  }
}
