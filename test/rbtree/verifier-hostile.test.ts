// Hostile rbtree programs against the verifier (issue 14's review): hand-assembled programs that
// try to break the ownership rules (use after free or unlock or remove, double add, adding or
// freeing a non-owning node, leaks), write rb_node's links (moved pointers, variable offsets,
// atomics), misuse less/cmp (tree helpers, locks, writes, return values), misuse the lock in
// strict mode (subprograms, callbacks, branches) and loop over the tree in ways that may never
// end (adding, stepping both ways, restarting, find forever). Each row gives the verdict in RFC
// mode and in strict mode: 'accept' or the error line. Accepted programs run twice on a tree of
// three nodes: strict-accepted ones never fault, RFC-accepted ones fault only on lock misuse, the
// tree passes its invariant checker and a run that ended normally leaks no node.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../vm/asm.js';
import { Runtime } from '../../src/runtime.js';
import { VmFault } from '../../src/errors.js';
import { type RbtreeMap, rbtreeSpec } from '../../maps/rbtree.js';
import { RbtreeApi } from '../../src/rbtree-api.js';
import { MapType } from '../../maps/types.js';
import { ProgType } from '../../vm/prog-types.js';
import { verify, type VerifierMap } from '../../verifier/index.js';

const LOCK = 'r1 = MAP / call 217 / r1 = r0 / call 218';
const UNLOCK = 'r1 = MAP / call 217 / r1 = r0 / call 219';
const LOCK2 = LOCK.replaceAll('MAP', 'MAP2');
const UNLOCK2 = UNLOCK.replaceAll('MAP', 'MAP2');
// less(a, b): a->key < b->key
const LESS = 'less: / r1 = *(u32 *)(r1 + 24) / r2 = *(u32 *)(r2 + 24) / r0 = 0 / if r1 >= r2 goto lo / r0 = 1 / lo: / exit';
const ALLOC = 'r1 = MAP / r2 = 32 / call 212 / if r0 == 0 goto out0 / r6 = r0';
const OUT0 = 'out0: / r0 = 0 / exit';

/** name, RFC-mode verdict, strict verdict, program (' / ' separates lines; MAP and MAP2 are two
 *  rbtree maps of a 32-byte node: rb_node, u32 key at 24, u32 value at 28). */
const CASES: readonly (readonly [string, string, string, string])[] = [
  ['uaf_copy', "R7 invalid mem access 'scalar'", "R7 invalid mem access 'scalar'", `${ALLOC} / r7 = r6 / r1 = MAP / r2 = r6 / call 216 / r0 = *(u32 *)(r7 + 24) / exit / ${OUT0}`],
  ['uaf_spill', "R7 invalid mem access 'scalar'", "R7 invalid mem access 'scalar'", `${ALLOC} / *(u64 *)(r10 - 8) = r6 / r1 = MAP / r2 = r6 / call 216 / r7 = *(u64 *)(r10 - 8) / r0 = *(u32 *)(r7 + 24) / exit / ${OUT0}`],
  ['double_free', "R2 type=scalar expected=ptr_", "R2 type=scalar expected=ptr_", `${ALLOC} / r7 = r6 / r1 = MAP / r2 = r6 / call 216 / r1 = MAP / r2 = r7 / call 216 / r0 = 0 / exit / ${OUT0}`],
  ['nonown_spill_unlock', "R7 invalid mem access 'scalar'", "R7 invalid mem access 'scalar'", `${LOCK} / r1 = MAP / call 220 / if r0 == 0 goto u / *(u64 *)(r10 - 8) = r0 / ${UNLOCK} / r7 = *(u64 *)(r10 - 8) / r0 = *(u32 *)(r7 + 24) / exit / u: / ${UNLOCK} / r0 = 0 / exit`],
  ['nonown_write_after_unlock', "R6 invalid mem access 'scalar'", "R6 invalid mem access 'scalar'", `${LOCK} / r1 = MAP / call 220 / r6 = r0 / ${UNLOCK} / if r6 == 0 goto o / *(u32 *)(r6 + 28) = 5 / o: / r0 = 0 / exit`],
  ['add_again_after_ok', "R2 type=scalar expected=ptr_", "R2 type=scalar expected=ptr_", `${ALLOC} / ${LOCK} / r1 = MAP / r2 = r6 / r3 = code_addr(less) ll / call 213 / if r0 != 0 goto ok / r1 = MAP / r2 = r6 / call 216 / ok: / r1 = MAP / r2 = r6 / r3 = code_addr(less) ll / call 213 / ${UNLOCK} / r0 = 0 / exit / ${OUT0} / ${LESS}`],
  ['free_add_result', "R2 must be referenced when passed to release function", "R2 must be referenced when passed to release function", `${ALLOC} / ${LOCK} / r1 = MAP / r2 = r6 / r3 = code_addr(less) ll / call 213 / if r0 != 0 goto ok / r1 = MAP / r2 = r6 / call 216 / ${UNLOCK} / r0 = 0 / exit / ok: / r1 = MAP / r2 = r0 / call 216 / ${UNLOCK} / r0 = 0 / exit / ${OUT0} / ${LESS}`],
  ['remove_twice', "rbtree_remove node input must be non-owning ref", "rbtree_remove node input must be non-owning ref", `${LOCK} / r1 = MAP / call 220 / if r0 == 0 goto u / r7 = r0 / r1 = MAP / r2 = r7 / call 215 / if r0 == 0 goto u / r6 = r0 / r1 = MAP / r2 = r6 / call 215 / ${UNLOCK} / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit / u: / ${UNLOCK} / r0 = 0 / exit`],
  ['rb_write_arith', "only read is supported", "only read is supported", `${ALLOC} / r6 += 8 / *(u64 *)(r6 + 0) = 0 / r6 += -8 / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit / ${OUT0}`],
  ['rb_write_negoff', "only read is supported", "only read is supported", `${ALLOC} / r6 += 32 / *(u64 *)(r6 - 24) = 0 / r6 += -32 / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit / ${OUT0}`],
  ['rb_write_varoff', "R7 is ptr_node invalid variable offset: off=0, var_off=(0x0; 0x8)", "R7 is ptr_node invalid variable offset: off=0, var_off=(0x0; 0x8)", `${ALLOC} / call 7 / r0 &= 8 / r7 = r6 / r7 += r0 / *(u64 *)(r7 + 0) = 0 / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit / ${OUT0}`],
  ['rb_atomic', "only read is supported", "only read is supported", `${ALLOC} / r1 = 1 / lock *(u64 *)(r6 + 8) += r1 / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit / ${OUT0}`],
  ['rb_xchg', "only read is supported", "only read is supported", `${ALLOC} / r1 = 0 / r1 = xchg_64(r6 + 16, r1) / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit / ${OUT0}`],
  ['payload_atomic', "accept", "accept", `${ALLOC} / r1 = 1 / lock *(u32 *)(r6 + 24) += r1 / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit / ${OUT0}`],
  ['rb_write_straddle', "only read is supported", "only read is supported", `${ALLOC} / *(u64 *)(r6 + 20) = 0 / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit / ${OUT0}`],
  ['rb_write_byte', "only read is supported", "only read is supported", `${ALLOC} / *(u8 *)(r6 + 23) = 1 / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit / ${OUT0}`],
  ['oob_write', "access beyond struct node at off 32 size 4", "access beyond struct node at off 32 size 4", `${ALLOC} / *(u32 *)(r6 + 32) = 1 / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit / ${OUT0}`],
  ['nonown_rb_write', "only read is supported", "only read is supported", `${LOCK} / r1 = MAP / call 220 / if r0 == 0 goto u / *(u64 *)(r0 + 0) = 0 / u: / ${UNLOCK} / r0 = 0 / exit`],
  ['free_modified', "dereference of modified alloc_ptr_ ptr R2 off=24 disallowed", "dereference of modified alloc_ptr_ ptr R2 off=24 disallowed", `${ALLOC} / r6 += 24 / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit / ${OUT0}`],
  ['probe_read_into_node', "R1 type=alloc_ptr_ expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", "R1 type=alloc_ptr_ expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", `${ALLOC} / r1 = r6 / r2 = 24 / r3 = 0 / call 113 / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit / ${OUT0}`],
  ['comm_into_node', "R1 type=alloc_ptr_ expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", "R1 type=alloc_ptr_ expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", `${ALLOC} / r1 = r6 / r2 = 16 / call 16 / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit / ${OUT0}`],
  ['spill_overwrite', "R2 type=scalar expected=ptr_", "R2 type=scalar expected=ptr_", `${ALLOC} / *(u64 *)(r10 - 8) = r6 / *(u32 *)(r10 - 8) = 0 / r7 = *(u64 *)(r10 - 8) / r1 = MAP / r2 = r7 / call 216 / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit / ${OUT0}`],
  ['forged', "R2 type=scalar expected=ptr_", "R2 type=scalar expected=ptr_", `r6 = 4096 / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit`],
  ['alloc_0', "accept", "rbtree: R2 size 0 is smaller than node (32 bytes)", `r1 = MAP / r2 = 0 / call 212 / if r0 == 0 goto out0 / r6 = r0 / *(u32 *)(r6 + 28) = 1 / r1 = MAP / r2 = r6 / call 216 / ${OUT0}`],
  ['alloc_var', "R2 is not a known constant'", "R2 is not a known constant'", `call 7 / r2 = r0 / r2 &= 63 / r1 = MAP / call 212 / if r0 == 0 goto out0 / r6 = r0 / r1 = MAP / r2 = r6 / call 216 / ${OUT0}`],
  ['alloc_huge', "accept", "accept", `r1 = MAP / r2 = -1 / call 212 / if r0 == 0 goto out0 / r6 = r0 / r1 = MAP / r2 = r6 / call 216 / ${OUT0}`],
  ['alloc_leak_null_path_only', "BPF_EXIT instruction in main prog would lead to reference leak", "BPF_EXIT instruction in main prog would lead to reference leak", `r1 = MAP / r2 = 32 / call 212 / r6 = r0 / r0 = 0 / exit`],
  ['sub_unlock', "R6 invalid mem access 'scalar'", "R6 invalid mem access 'scalar'", `${LOCK} / r1 = MAP / call 220 / if r0 == 0 goto u / r6 = r0 / call sub / r0 = *(u32 *)(r6 + 24) / exit / u: / ${UNLOCK} / r0 = 0 / exit / sub: / ${UNLOCK} / r0 = 0 / exit`],
  ['sub_arg_after_unlock', "R6 invalid mem access 'scalar'", "R6 invalid mem access 'scalar'", `${LOCK} / r1 = MAP / call 220 / if r0 == 0 goto u / r1 = r0 / call sub / r0 = 0 / exit / u: / ${UNLOCK} / r0 = 0 / exit / sub: / r6 = r1 / ${UNLOCK} / r0 = *(u32 *)(r6 + 24) / exit`],
  ['loop_cb_unlock', "R3 type=ptr_ expected=fp", "R3 type=ptr_ expected=fp", `${LOCK} / r1 = MAP / call 220 / if r0 == 0 goto u / r6 = r0 / r1 = 1 / r2 = code_addr(cb) ll / r3 = r6 / r4 = 0 / call 181 / r0 = *(u32 *)(r6 + 24) / r0 = 0 / ${UNLOCK} / r0 = 0 / exit / u: / ${UNLOCK} / r0 = 0 / exit / cb: / ${UNLOCK} / r0 = 0 / exit`],
  ['loop_cb_remove', "R3 type=ptr_ expected=fp", "R3 type=ptr_ expected=fp", `${LOCK} / r1 = MAP / call 220 / if r0 == 0 goto u / r6 = r0 / r1 = 1 / r2 = code_addr(cb) ll / r3 = r6 / r4 = 0 / call 181 / r0 = *(u32 *)(r6 + 24) / ${UNLOCK} / r0 = 0 / exit / u: / ${UNLOCK} / r0 = 0 / exit / cb: / r1 = MAP / call 215 / if r0 == 0 goto cbo / r1 = MAP / r2 = r0 / call 216 / cbo: / r0 = 0 / exit`],
  ['loop_cb_free_owned', "R3 type=alloc_ptr_ expected=fp", "R3 type=alloc_ptr_ expected=fp", `${ALLOC} / r1 = 1 / r2 = code_addr(cb) ll / r3 = r6 / r4 = 0 / call 181 / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit / ${OUT0} / cb: / r1 = MAP / call 216 / r0 = 0 / exit`],
  ['remove_alias_remove', "accept", "accept", `${LOCK} / r1 = MAP / call 220 / if r0 == 0 goto u / r7 = r0 / r1 = MAP / call 220 / if r0 == 0 goto u / r8 = r0 / r1 = MAP / r2 = r7 / call 215 / if r0 == 0 goto u / r6 = r0 / r1 = MAP / r2 = r8 / call 215 / if r0 == 0 goto a / r1 = MAP / r2 = r0 / call 216 / a: / ${UNLOCK} / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit / u: / ${UNLOCK} / r0 = 0 / exit`],
  ['free_in_sub_alias', "R8 invalid mem access 'scalar'", "R8 invalid mem access 'scalar'", `${LOCK} / r1 = MAP / call 220 / if r0 == 0 goto u / r7 = r0 / r1 = MAP / call 220 / if r0 == 0 goto u / r8 = r0 / r1 = MAP / r2 = r7 / call 215 / if r0 == 0 goto u / r1 = r0 / call sub / r0 = *(u32 *)(r8 + 24) / ${UNLOCK} / r0 = 0 / exit / u: / ${UNLOCK} / r0 = 0 / exit / sub: / r2 = r1 / r1 = MAP / call 216 / r0 = 0 / exit`],
  ['readd_fail_free_alias', "R8 invalid mem access 'scalar'", "R8 invalid mem access 'scalar'", `${LOCK} / r1 = MAP / call 220 / if r0 == 0 goto u / r7 = r0 / r1 = MAP / call 221 / if r0 == 0 goto u / r8 = r0 / r1 = MAP / r2 = r7 / call 215 / if r0 == 0 goto u / r6 = r0 / r1 = MAP / r2 = r6 / r3 = code_addr(less) ll / call 213 / if r0 != 0 goto ok / r1 = MAP / r2 = r6 / call 216 / ok: / r0 = *(u32 *)(r8 + 24) / ${UNLOCK} / r0 = 0 / exit / u: / ${UNLOCK} / r0 = 0 / exit / ${LESS}`],
  ['free_alias_spilled', "R8 invalid mem access 'scalar'", "R8 invalid mem access 'scalar'", `${LOCK} / r1 = MAP / call 220 / if r0 == 0 goto u / r7 = r0 / r1 = MAP / call 221 / if r0 == 0 goto u / *(u64 *)(r10 - 8) = r0 / r1 = MAP / r2 = r7 / call 215 / if r0 == 0 goto u / r1 = MAP / r2 = r0 / call 216 / r8 = *(u64 *)(r10 - 8) / r0 = *(u32 *)(r8 + 24) / ${UNLOCK} / r0 = 0 / exit / u: / ${UNLOCK} / r0 = 0 / exit`],
  ['sub_remove_free_caller_alias', "R8 invalid mem access 'scalar'", "R8 invalid mem access 'scalar'", `${LOCK} / r1 = MAP / call 220 / if r0 == 0 goto u / r7 = r0 / r1 = MAP / call 221 / if r0 == 0 goto u / r8 = r0 / r1 = r7 / call sub / r0 = *(u32 *)(r8 + 24) / ${UNLOCK} / r0 = 0 / exit / u: / ${UNLOCK} / r0 = 0 / exit / sub: / r2 = r1 / r1 = MAP / call 215 / if r0 == 0 goto so / r1 = MAP / r2 = r0 / call 216 / so: / r0 = 0 / exit`],
  ['next_other_map', "rbtree: R2 is a node of map 'tree' but rbtree_next is called on map 'tree2'", "Locking two bpf_spin_locks are not allowed", `${LOCK} / ${LOCK2} / r1 = MAP / call 220 / if r0 == 0 goto u / r1 = MAP2 / r2 = r0 / call 222 / u: / ${UNLOCK2} / ${UNLOCK} / r0 = 0 / exit`],
  ['less_locks', "accept", "can't spin_{lock,unlock} in rbtree cb", `${ALLOC} / ${LOCK} / r1 = MAP / r2 = r6 / r3 = code_addr(less) ll / call 213 / if r0 != 0 goto ok / r1 = MAP / r2 = r6 / call 216 / ok: / ${UNLOCK} / r0 = 0 / exit / ${OUT0} / less: / ${LOCK2} / ${UNLOCK2} / r0 = 0 / exit`],
  ['less_ret_var', "At callback return the register R0 has smin=0 smax=4294967295 should have been in [0, 1]", "At callback return the register R0 has smin=0 smax=4294967295 should have been in [0, 1]", `${ALLOC} / ${LOCK} / r1 = MAP / r2 = r6 / r3 = code_addr(less) ll / call 213 / if r0 != 0 goto ok / r1 = MAP / r2 = r6 / call 216 / ok: / ${UNLOCK} / r0 = 0 / exit / ${OUT0} / less: / r0 = *(u32 *)(r1 + 24) / exit`],
  ['less_write_via_spill', "R3 is a node of an rbtree callback: only read is supported", "R3 is a node of an rbtree callback: only read is supported", `${ALLOC} / ${LOCK} / r1 = MAP / r2 = r6 / r3 = code_addr(less) ll / call 213 / if r0 != 0 goto ok / r1 = MAP / r2 = r6 / call 216 / ok: / ${UNLOCK} / r0 = 0 / exit / ${OUT0} / less: / *(u64 *)(r10 - 8) = r1 / r3 = *(u64 *)(r10 - 8) / *(u32 *)(r3 + 28) = 1 / r0 = 0 / exit`],
  ['less_sub_write', "R1 is a node of an rbtree callback: only read is supported", "R1 is a node of an rbtree callback: only read is supported", `${ALLOC} / ${LOCK} / r1 = MAP / r2 = r6 / r3 = code_addr(less) ll / call 213 / if r0 != 0 goto ok / r1 = MAP / r2 = r6 / call 216 / ok: / ${UNLOCK} / r0 = 0 / exit / ${OUT0} / less: / call w / r0 = 0 / exit / w: / *(u32 *)(r1 + 28) = 1 / r0 = 0 / exit`],
  ['less_loop_helper', "rbtree_first not allowed in rbtree cb", "rbtree_first not allowed in rbtree cb", `${ALLOC} / ${LOCK} / r1 = MAP / r2 = r6 / r3 = code_addr(less) ll / call 213 / if r0 != 0 goto ok / r1 = MAP / r2 = r6 / call 216 / ok: / ${UNLOCK} / r0 = 0 / exit / ${OUT0} / less: / r1 = 1 / r2 = code_addr(lcb) ll / r3 = 0 / r4 = 0 / call 181 / r0 = 0 / exit / lcb: / r1 = MAP / call 220 / r0 = 0 / exit`],
  ['cmp_writes_owned_key', "R1 is a node of an rbtree callback: only read is supported", "R1 is a node of an rbtree callback: only read is supported", `${ALLOC} / ${LOCK} / r1 = MAP / r2 = r6 / r3 = code_addr(cmp) ll / call 214 / ${UNLOCK} / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit / ${OUT0} / cmp: / *(u64 *)(r1 + 8) = 0 / r0 = 0 / exit`],
  ['cmp_frees_key', "rbtree_free_node not allowed in rbtree cb", "rbtree_free_node not allowed in rbtree cb", `${ALLOC} / ${LOCK} / r1 = MAP / r2 = r6 / r3 = code_addr(cmp) ll / call 214 / ${UNLOCK} / r1 = MAP / r2 = r6 / call 216 / r0 = 0 / exit / ${OUT0} / cmp: / r2 = r1 / r1 = MAP / call 216 / r0 = 0 / exit`],
  ['cmp_key_stack_write', "accept", "accept", `*(u64 *)(r10 - 8) = 0 / ${LOCK} / r1 = MAP / r2 = r10 / r2 += -8 / r3 = code_addr(cmp) ll / call 214 / ${UNLOCK} / r0 = 0 / exit / cmp: / *(u64 *)(r1 + 0) = 5 / r0 = 0 / exit`],
  ['cmp_key_nonown', "R1 is a node of an rbtree callback: only read is supported", "R1 is a node of an rbtree callback: only read is supported", `${LOCK} / r1 = MAP / call 220 / if r0 == 0 goto u / r1 = MAP / r2 = r0 / r3 = code_addr(cmp) ll / call 214 / u: / ${UNLOCK} / r0 = 0 / exit / cmp: / *(u32 *)(r1 + 28) = 0 / r0 = 0 / exit`],
  ['sub_lock', "accept", "accept", `call sub / r1 = MAP / call 220 / ${UNLOCK} / r0 = 0 / exit / sub: / ${LOCK} / r0 = 0 / exit`],
  ['cond_lock', "accept", "bpf_spin_lock at off=0 must be held for rbtree 'tree' (bpf_rbtree_first)", `call 7 / r6 = r0 / if r6 == 0 goto n / ${LOCK} / n: / r1 = MAP / call 220 / if r6 == 0 goto e / ${UNLOCK} / e: / r0 = 0 / exit`],
  ['loopcb_lock', "accept", "bpf_spin_lock at off=0 must be held for rbtree 'tree' (bpf_rbtree_first)", `r1 = 1 / r2 = code_addr(cb) ll / r3 = 0 / r4 = 0 / call 181 / r1 = MAP / call 220 / ${UNLOCK} / r0 = 0 / exit / cb: / ${LOCK} / r0 = 0 / exit`],
  ['loopcb_unlock', "accept", "bpf_spin_lock at off=0 must be held for rbtree 'tree' (bpf_rbtree_first)", `${LOCK} / r1 = 1 / r2 = code_addr(cb) ll / r3 = 0 / r4 = 0 / call 181 / r1 = MAP / call 220 / ${UNLOCK} / r0 = 0 / exit / cb: / ${UNLOCK} / r0 = 0 / exit`],
  ['loopcb_relock', "accept", "accept", `${LOCK} / r1 = 4 / r2 = code_addr(cb) ll / r3 = 0 / r4 = 0 / call 181 / r1 = MAP / call 220 / ${UNLOCK} / r0 = 0 / exit / cb: / ${UNLOCK} / ${LOCK} / r0 = 0 / exit`],
  ['lock_spill', "accept", "accept", `r1 = MAP / call 217 / *(u64 *)(r10 - 8) = r0 / r1 = r0 / call 218 / r1 = MAP / call 220 / r1 = *(u64 *)(r10 - 8) / call 219 / r0 = 0 / exit`],
  ['lock_via_branch', "accept", "bpf_spin_lock at off=0 must be held for rbtree 'tree' (bpf_rbtree_first)", `call 7 / r1 = MAP / if r0 == 0 goto a / r1 = MAP2 / a: / call 217 / r1 = r0 / call 218 / r1 = MAP / call 220 / ${UNLOCK} / r0 = 0 / exit`],
  ['sub_exit_locked', "accept", "BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region", `call sub / r0 = 0 / exit / sub: / ${LOCK} / r0 = 0 / exit`],
  ['loopcb_lock_caller_unlock', "accept", "bpf_spin_unlock without taking a lock", `r1 = 1 / r2 = code_addr(cb) ll / r3 = 0 / r4 = 0 / call 181 / ${UNLOCK} / r0 = 0 / exit / cb: / ${LOCK} / r0 = 0 / exit`],
  ['free_nolock', "accept", "accept", `r1 = MAP / r2 = 32 / call 212 / if r0 == 0 goto o / r1 = MAP / r2 = r0 / call 216 / o: / r0 = 0 / exit`],
  ['next_wrong_lock', "R2 type=scalar expected=ptr_", "R2 type=scalar expected=ptr_", `${LOCK} / r1 = MAP / call 220 / r6 = r0 / ${UNLOCK} / ${LOCK2} / if r6 == 0 goto o / r1 = MAP / r2 = r6 / call 222 / o: / ${UNLOCK2} / r0 = 0 / exit`],
  ['plain_next', "accept", "accept", `${LOCK} / r1 = MAP / call 220 / r7 = r0 / h: / if r7 == 0 goto e / r1 = MAP / r2 = r7 / call 222 / r7 = r0 / goto h / e: / ${UNLOCK} / r0 = 0 / exit`],
  ['grow_next', "infinite loop detected", "infinite loop detected", `${LOCK} / r1 = MAP / call 220 / r7 = r0 / h: / if r7 == 0 goto e / r1 = MAP / r2 = 32 / call 212 / if r0 == 0 goto st / r6 = r0 / r1 = 100 / *(u32 *)(r6 + 24) = r1 / r1 = MAP / r2 = r6 / r3 = code_addr(less) ll / call 213 / if r0 != 0 goto st / r1 = MAP / r2 = r6 / call 216 / st: / r1 = MAP / r2 = r7 / call 222 / r7 = r0 / goto h / e: / ${UNLOCK} / r0 = 0 / exit / ${LESS}`],
  ['remove_readd', "infinite loop detected", "infinite loop detected", `${LOCK} / r1 = MAP / call 220 / r7 = r0 / h: / if r7 == 0 goto e / r1 = MAP / r2 = r7 / call 222 / r8 = r0 / r1 = MAP / r2 = r7 / call 215 / if r0 == 0 goto st / r6 = r0 / r1 = MAP / r2 = r6 / r3 = code_addr(less) ll / call 213 / if r0 != 0 goto st / r1 = MAP / r2 = r6 / call 216 / st: / r7 = r8 / goto h / e: / ${UNLOCK} / r0 = 0 / exit / ${LESS}`],
  ['remove_iter_free_later', "accept", "accept", `${LOCK} / r1 = MAP / call 220 / r7 = r0 / h: / if r7 == 0 goto e / r1 = MAP / r2 = r7 / call 222 / r8 = r0 / r1 = MAP / r2 = r7 / call 215 / if r0 == 0 goto st / r1 = MAP / r2 = r0 / call 216 / st: / r7 = r8 / goto h / e: / ${UNLOCK} / r0 = 0 / exit`],
  ['two_ends', "infinite loop detected", "infinite loop detected", `${LOCK} / r1 = MAP / call 220 / r7 = r0 / r1 = MAP / call 221 / r8 = r0 / h: / if r7 == 0 goto e / if r8 == 0 goto e / if r7 == r8 goto e / r1 = MAP / r2 = r7 / call 222 / r7 = r0 / if r7 == 0 goto e / if r7 == r8 goto e / r1 = MAP / r2 = r8 / call 223 / r8 = r0 / goto h / e: / ${UNLOCK} / r0 = 0 / exit`],
  ['nested', "accept", "accept", `${LOCK} / r1 = MAP / call 220 / r7 = r0 / h: / if r7 == 0 goto e / r1 = MAP / call 220 / r8 = r0 / ih: / if r8 == 0 goto ie / r1 = MAP / r2 = r8 / call 222 / r8 = r0 / goto ih / ie: / r1 = MAP / r2 = r7 / call 222 / r7 = r0 / goto h / e: / ${UNLOCK} / r0 = 0 / exit`],
  ['first_in_body', "accept", "accept", `${LOCK} / r1 = MAP / call 220 / r7 = r0 / h: / if r7 == 0 goto e / r1 = MAP / call 221 / r8 = r0 / r1 = MAP / r2 = r7 / call 222 / r7 = r0 / goto h / e: / ${UNLOCK} / r0 = 0 / exit`],
  ['pos_trap', "infinite loop detected", "infinite loop detected", `${LOCK} / r1 = MAP / call 220 / if r0 == 0 goto e / r6 = r0 / r1 = MAP / r2 = r6 / call 222 / r7 = r0 / h: / if r7 == 0 goto e / r1 = MAP / r2 = r7 / call 222 / r1 = MAP / r2 = r6 / call 222 / if r0 == 0 goto e / r1 = MAP / r2 = r0 / call 222 / r7 = r0 / goto h / e: / ${UNLOCK} / r0 = 0 / exit`],
  ['swap_chains', "infinite loop detected", "infinite loop detected", `${LOCK} / r1 = MAP / call 220 / r7 = r0 / r1 = MAP / call 220 / r8 = r0 / h: / if r7 == 0 goto e / r1 = MAP / r2 = r7 / call 222 / r7 = r8 / r8 = r0 / goto h / e: / ${UNLOCK} / r0 = 0 / exit`],
  ['relock_restart', "infinite loop detected", "infinite loop detected", `${LOCK} / r1 = MAP / call 220 / r7 = r0 / h: / if r7 == 0 goto e / ${UNLOCK} / ${LOCK} / r1 = MAP / call 220 / r7 = r0 / if r7 == 0 goto e / r1 = MAP / r2 = r7 / call 222 / r7 = r0 / goto h / e: / ${UNLOCK} / r0 = 0 / exit`],
  ['find_in_body', "accept", "accept", `*(u32 *)(r10 - 4) = 1 / ${LOCK} / r1 = MAP / call 220 / r7 = r0 / h: / if r7 == 0 goto e / r1 = MAP / r2 = r10 / r2 += -4 / r3 = code_addr(cmp) ll / call 214 / r1 = MAP / r2 = r7 / call 222 / r7 = r0 / goto h / e: / ${UNLOCK} / r0 = 0 / exit / cmp: / r0 = 0 / exit`],
  ['remove_neighbour', "infinite loop detected", "infinite loop detected", `${LOCK} / r1 = MAP / call 221 / r7 = r0 / h: / if r7 == 0 goto e / r1 = MAP / r2 = r7 / call 223 / r7 = r0 / if r7 == 0 goto e / r1 = MAP / r2 = r7 / call 223 / if r0 == 0 goto h / r1 = MAP / r2 = r0 / call 215 / if r0 == 0 goto h / r6 = r0 / r1 = MAP / r2 = r6 / r3 = code_addr(less) ll / call 213 / if r0 != 0 goto h / r1 = MAP / r2 = r6 / call 216 / goto h / e: / ${UNLOCK} / r0 = 0 / exit / ${LESS}`],
  ['loop_cb_iter', "accept", "accept", `${LOCK} / r1 = 4 / r2 = code_addr(cb) ll / r3 = 0 / r4 = 0 / call 181 / ${UNLOCK} / r0 = 0 / exit / cb: / r1 = MAP / call 220 / r7 = r0 / ch: / if r7 == 0 goto ce / r1 = MAP / r2 = r7 / call 222 / r7 = r0 / goto ch / ce: / r0 = 0 / exit`],
  ['inf_find', "infinite loop detected", "infinite loop detected", `*(u32 *)(r10 - 4) = 1 / ${LOCK} / h: / r1 = MAP / r2 = r10 / r2 += -4 / r3 = code_addr(cmp) ll / call 214 / goto h / cmp: / r0 = 0 / exit`],
  ['inf_find_cond', "infinite loop detected", "infinite loop detected", `*(u32 *)(r10 - 4) = 1 / ${LOCK} / h: / r1 = MAP / r2 = r10 / r2 += -4 / r3 = code_addr(cmp) ll / call 214 / if r0 != 0 goto h / ${UNLOCK} / r0 = 0 / exit / cmp: / r0 = 0 / exit`],
  ['inner_back', "infinite loop detected", "infinite loop detected", `${LOCK} / r1 = MAP / call 220 / r7 = r0 / r9 = 0 / h: / if r7 == 0 goto e / r9 += 1 / r1 = MAP / r2 = r7 / call 222 / r7 = r0 / in: / if r7 == 0 goto e / r1 = *(u32 *)(r7 + 24) / if r1 != 3 goto h / r1 = MAP / r2 = r7 / call 223 / r7 = r0 / goto in / e: / ${UNLOCK} / r0 = 0 / exit`],
  ['alt_dir', "infinite loop detected", "infinite loop detected", `${LOCK} / r1 = MAP / call 220 / r7 = r0 / h: / if r7 == 0 goto e / r1 = *(u32 *)(r7 + 24) / if r1 == 3 goto back / r1 = MAP / r2 = r7 / call 222 / r7 = r0 / goto h / back: / r1 = MAP / r2 = r7 / call 223 / r7 = r0 / goto h / e: / ${UNLOCK} / r0 = 0 / exit`],
  // A bpf_loop call prunes (as the kernel's callback call sites do) only when the nodes are the
  // same ones: a lap that restarts with first does not converge there.
  ['bpfloop_restart', 'infinite loop detected', 'infinite loop detected', `${LOCK} / r1 = MAP / call 220 / r7 = r0 / h: / if r7 == 0 goto e / r1 = *(u32 *)(r7 + 24) / if r1 == 2 goto rs / r1 = MAP / r2 = r7 / call 222 / r7 = r0 / goto j / rs: / r1 = MAP / call 220 / r7 = r0 / j: / r1 = 1 / r2 = code_addr(cb) ll / r3 = 0 / r4 = 0 / call 181 / goto h / e: / ${UNLOCK} / r0 = 0 / exit / cb: / r0 = 0 / exit`],
  ['bpfloop_in_iteration', 'accept', 'accept', `${LOCK} / r1 = MAP / call 220 / r7 = r0 / h: / if r7 == 0 goto e / r1 = 1 / r2 = code_addr(cb) ll / r3 = 0 / r4 = 0 / call 181 / r1 = MAP / r2 = r7 / call 222 / r7 = r0 / goto h / e: / ${UNLOCK} / r0 = 0 / exit / cb: / r0 = 0 / exit`],
];

const NODE = 32;
const LOCK_MISUSE = /already held by this run \(deadlock\)|is not held|exited holding/;

function mapsOf(rt: Runtime): [number, number, RbtreeMap] {
  const a = rt.createMap(rbtreeSpec('tree', NODE));
  return [a.id, rt.createMap(rbtreeSpec('tree2', NODE)).id, a.map as RbtreeMap];
}

describe('hostile rbtree programs: the verdict in each mode, and accepted ones run safely', () => {
  const rt0 = new Runtime();
  const [m1, m2] = mapsOf(rt0);
  const vmap = (id: number, name: string): VerifierMap => ({ id, name, type: MapType.RBTREE, keySize: 8, valueSize: NODE, maxEntries: 0, flags: 0, frozen: false, hasBtf: true, rbNodeOffset: 0, valueType: 'node' });
  const maps = new Map([
    [m1, vmap(m1, 'tree')],
    [m2, vmap(m2, 'tree2')],
  ]);
  it('covers each hostile family once at least', () => {
    expect(new Set(CASES.map((c) => c[0])).size).toBe(CASES.length);
    expect(CASES.length).toBeGreaterThan(60);
  });
  for (const [name, rfcWant, strictWant, text] of CASES) {
    it(name, () => {
      const insns = assemble(text.replaceAll('MAP2', `map_by_fd(${m2}) ll`).replaceAll('MAP', `map_by_fd(${m1}) ll`).split(' / ').join('\n'));
      const input = { name, insns, progType: ProgType.SYSCALL, gpl: true, map: (id: number) => maps.get(id), helper: (id: number) => rt0.helper(id) };
      for (const [strict, want] of [
        [false, rfcWant],
        [true, strictWant],
      ] as const) {
        const r = verify(input, { strict, insnLimit: 200_000 });
        const got = r.accepted ? 'accept' : /^old state:/.test(r.error ?? '') ? 'infinite loop detected' : (r.error ?? '');
        expect(got, `${strict ? 'strict' : 'RFC'} mode`).toBe(want);
        if (!r.accepted) continue;
        // Run what was accepted, on a fresh runtime whose maps get the same ids.
        const rt = new Runtime();
        const [a, , map] = mapsOf(rt);
        expect(a).toBe(m1);
        const api = new RbtreeApi(map);
        for (const key of [1, 3, 2]) {
          const v = new Uint8Array(NODE);
          v[24] = key;
          api.insert(v, { offset: 24, size: 4 });
        }
        const prog = { name, progType: ProgType.SYSCALL, insns, gpl: true, rbtreeLockProven: r.rbtreeLockProven === true };
        for (let run = 0; run < 2; run++) {
          let faulted = false;
          try {
            rt.execute(prog, { maxInsns: 200_000 });
          } catch (e) {
            if (!(e instanceof VmFault)) throw e;
            faulted = true;
            if (strict) expect.fail(`strict-accepted ${name} faulted: ${e.message}`);
            expect(e.message).toMatch(LOCK_MISUSE);
          }
          expect(map.tree.check()).toEqual([]);
          if (!faulted) expect(map.nodesAlive).toBe(map.size);
        }
      }
    });
  }
});
