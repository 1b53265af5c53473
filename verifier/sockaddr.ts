// bpf_sock_addr_set_sun_path(sa_kern, sun_path, sun_path__sz) (helpers/sock.ts) as 6.12's
// check_kfunc_args checks it: sa_kern a PTR_TO_BTF_ID of struct bpf_sock_addr_kern at offset 0
// (what bpf_cast_to_kern_ctx gives a cgroup sock_addr program; the kfunc has no KF_TRUSTED_ARGS,
// so any such pointer that is not untrusted), sun_path and its size a memory/size pair
// (KF_ARG_PTR_TO_MEM_SIZE: the bytes readable and writable, refused with `arg#1 arg#2 memory, len
// pair leads to invalid memory access`); an int back. Registration is verifier/kfuncs.ts's.
import type { KfuncEntry } from '../helpers/kfuncs.js';
import { kfuncMemSize } from './dynptr.js';
import { checkKobjArgs, finishKobjCall } from './kobj.js';
import type { Verifier } from './verifier.js';

export const isSockAddrKfunc = (name: string): boolean => name === 'bpf_sock_addr_set_sun_path';

export function checkSockAddrKfunc(v: Verifier, k: KfuncEntry): void {
  checkKobjArgs(v, { ...k, params: [k.params[0]!] });
  v.readReg(2);
  v.readReg(3);
  kfuncMemSize(v, 2, 3);
  finishKobjCall(v, k, 0);
}
