// struct_ops types ebpfvm models: their kernel structs in the built-in BTF (function-pointer
// members typed as the kernel declares them) and the rules the kernel's bpf_struct_ops for each
// type adds (net/bpf/bpf_dummy_struct_ops.c for bpf_dummy_ops, the one type the kernel can
// test-run: BPF_PROG_TEST_RUN of its programs calls the member with the u64 arguments of ctx_in).
// Used by the verifier's input (src/verify.ts), the STRUCT_OPS map (maps/struct-ops.ts) and the
// test run (vm/test-run.ts).
import type { Builder } from './builtin.js';

export interface StructOpsType {
  /** Members whose pointer arguments may be NULL: the kernel's cfi stub names them `__nullable`
   *  (member -> argument indexes). */
  nullable: Readonly<Record<string, readonly number[]>>;
  /** Members a sleepable (struct_ops.s) program may implement; others refuse it (check_member:
   *  `attach to unsupported member NAME of struct TYPE`). */
  sleepable: readonly string[];
  /** The struct programs may write through their BTF pointers (btf_struct_access), if any. */
  writable?: string;
  /** BPF_PROG_TEST_RUN runs its programs (bpf_struct_ops_test_run). */
  testRun: boolean;
  /** BPF_MAP_UPDATE_ELEM of a map of this type fails with this errno (init_member). */
  updateErrno?: number;
}

export const STRUCT_OPS_TYPES: Readonly<Record<string, StructOpsType>> = {
  // bpf_dummy_ops__test_1(struct bpf_dummy_ops_state *cb__nullable); init_member is -EOPNOTSUPP.
  bpf_dummy_ops: { nullable: { test_1: [0] }, sleepable: ['test_sleepable'], writable: 'bpf_dummy_ops_state', testRun: true, updateErrno: 95 },
};

export function declareStructOpsStructs(b: Builder): void {
  b.struct('bpf_dummy_ops_state', [['int', 'val']]);
  b.struct('bpf_dummy_ops', [
    ['int (*)(struct bpf_dummy_ops_state *)', 'test_1'],
    ['int (*)(struct bpf_dummy_ops_state *, int, unsigned short, char, unsigned long)', 'test_2'],
    ['int (*)(struct bpf_dummy_ops_state *)', 'test_sleepable'],
  ]);
}
