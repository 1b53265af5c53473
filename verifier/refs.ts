// References (kernel acquire_reference_state / release_reference / check_reference_leak): what
// a program acquired (ringbuf records, sockets, rbtree nodes) must be released on every path;
// releasing kills every copy of the pointer, so a use after release is an invalid access.
import { Reg, type VState } from './state.js';
import type { Verifier } from './verifier.js';

/** mark_reg_invalid: what a released or otherwise dead pointer becomes: an unknown scalar when
 *  pointers may leak (privileged), else an unreadable register (`R8 !read_ok` on its next use). */
export function invalidatedReg(v: Pick<Verifier, 'allowPtrLeaks'>): Reg {
  return v.allowPtrLeaks ? Reg.unknown() : new Reg();
}

export function acquireReference(v: Verifier, id: number, kind: string): void {
  v.st.refs.push({ id, insn: v.pc, kind });
}

/** Release reference `id` in state `s` (the current one by default). */
export function releaseReference(v: Verifier, id: number, s: VState = v.st): void {
  const i = s.refs.findIndex((r) => r.id === id);
  if (i < 0) v.reject(`verifier internal error: reference ${id} not acquired`, false, 14);
  s.refs.splice(i, 1);
  for (const f of s.frames) {
    for (let r = 0; r < 11; r++) if (f.regs[r]!.refId === id) f.regs[r] = invalidatedReg(v);
    for (let k = 0; k < f.spills.length; k++) if (f.spills[k]?.refId === id) f.spills[k] = invalidatedReg(v);
  }
  // Pointers whose release depended on this one (rbtree_add results) are settled too.
  for (const [res, ref] of s.condRelease) if (ref === id) s.condRelease.delete(res);
}

/** At the main program's exit (or a bpf_throw, `prefix` then names it): every acquired
 *  reference must have been released. */
export function checkReferenceLeak(v: Verifier, prefix = 'BPF_EXIT instruction in main prog'): void {
  if (!v.st.refs.length) return;
  v.reject([...v.st.refs.map((r) => `Unreleased reference id=${r.id} alloc_insn=${r.insn}`), `${prefix} would lead to reference leak`].join('\n'), false, 22);
}
