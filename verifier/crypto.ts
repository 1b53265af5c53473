// The BPF crypto kfuncs (helpers/crypto.ts) as Linux 6.18's check_kfunc_args checks them:
//  - bpf_crypto_ctx_create(params, params__sz, err): params and its size are a memory/size pair
//    (KF_ARG_PTR_TO_MEM_SIZE, check_kfunc_mem_size_reg: the bytes readable and writable, refused
//    with `arg#0 arg#1 memory, len pair leads to invalid memory access`), err is 4 bytes of
//    memory read and written (check_mem_reg; NULL passes); the result is an acquired
//    bpf_crypto_ctx pointer, maybe NULL.
//  - bpf_crypto_ctx_acquire/release: a kernel-object argument (verifier/kobj.ts: trusted or rcu,
//    not NULL; the release ends a reference).
//  - bpf_crypto_encrypt/decrypt(ctx, src, dst, siv__nullable): ctx as above (KF_RCU); src and dst
//    initialised dynptrs (process_dynptr_func), not NULL (`Possibly NULL pointer passed to trusted
//    argN`, as for any KF_RCU kfunc's pointer), siv a dynptr or NULL (__nullable); a scalar return.
// Registration per program type, KF_SLEEPABLE and the rcu region are verifier/kfuncs.ts's.
import type { KfuncEntry } from '../helpers/kfuncs.js';
import { checkKfuncDynptrArg, kfuncMemSize } from './dynptr.js';
import { checkKobjArgs, finishKobjCall } from './kobj.js';
import { checkHelperMem } from './mem.js';
import { Reg, RegType } from './state.js';
import type { Verifier } from './verifier.js';

const CRYPTO_KFUNCS = new Set(['bpf_crypto_ctx_create', 'bpf_crypto_ctx_acquire', 'bpf_crypto_ctx_release', 'bpf_crypto_encrypt', 'bpf_crypto_decrypt']);
export const isCryptoKfunc = (name: string): boolean => CRYPTO_KFUNCS.has(name);

export function checkCryptoKfunc(v: Verifier, k: KfuncEntry): void {
  if (k.name === 'bpf_crypto_ctx_create') {
    for (let r = 1; r <= 3; r++) v.readReg(r);
    if (v.regs[2]!.type !== RegType.SCALAR) v.reject('R2 is not a scalar', false, 22);
    kfuncMemSize(v, 1, 2);
    // check_mem_reg: NULL passes; else 4 bytes read, then written.
    if (!v.regs[3]!.isNullConst()) {
      checkHelperMem(v, 3, 4, 4, false, false, false);
      checkHelperMem(v, 3, 4, 4, true, false, false);
    }
    finishKobjCall(v, k, 0);
    return;
  }
  if (k.name === 'bpf_crypto_ctx_acquire' || k.name === 'bpf_crypto_ctx_release') {
    const { releaseRef } = checkKobjArgs(v, k);
    finishKobjCall(v, k, releaseRef);
    return;
  }
  // encrypt / decrypt: the context, then the dynptrs.
  checkKobjArgs(v, { ...k, params: [k.params[0]!] });
  for (let i = 1; i < k.params.length; i++) {
    const regno = i + 1;
    v.readReg(regno);
    const r = v.regs[regno]!;
    const nullable = k.params[i]![1].endsWith('__nullable');
    if (r.isNullConst() && nullable) {
      // a NULL for a __nullable argument stays exact (6.18 marks it precise)
      v.markPrecise(1 << regno);
      continue;
    }
    if (r.isNullConst() || r.maybeNull) v.reject(`Possibly NULL pointer passed to trusted arg${i}`, false, 13);
    checkKfuncDynptrArg(v, regno);
  }
  for (let r = 1; r <= 5; r++) v.setReg(r, new Reg());
  v.setReg(0, Reg.unknown());
}
