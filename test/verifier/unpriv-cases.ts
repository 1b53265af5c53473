// Hand-assembled programs for the unprivileged verifier rules (issue 17), one or more per rule
// family. The host kernel's verdict and error line for each, loaded once as root and once without
// CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN and CAP_SYS_ADMIN, are in test/fixtures/unpriv-rules.json
// (scripts/record-unpriv-rules.mjs). Maps, by LD_IMM64 map_by_fd index: 1 array (key 4, value 8,
// 4 entries), 2 hash (key 8, value 16, 4 entries). Program types: 1 socket filter, 8 cgroup skb.
import type { VerifierMap } from '../../verifier/index.js';

export const UNPRIV_MAPS: readonly VerifierMap[] = [
  { id: 1, name: 'm', type: 2, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, frozen: false },
  { id: 2, name: 'h', type: 1, keySize: 8, valueSize: 16, maxEntries: 4, flags: 0, frozen: false },
];

const LOOKUP = 'r1 = map_by_fd(1) ll\nr2 = r10\nr2 += -4\n*(u32 *)(r10 - 4) = 0\ncall 1\n';

/** [family: rule, program type, program] */
export const UNPRIV_CASES: readonly [string, number, string][] = [
  // add_subprog_and_kfunc
  ['calls: bpf-to-bpf call', 1, 'r1 = 1\ncall pc+2\nr0 = 0\nexit\nr0 = r1\nexit'],
  // check_cfg
  ['cfg: bounded loop', 1, 'r0 = 0\nr1 = 0\nr0 += r1\nr1 += 1\nif r1 < 100 goto -3\nr0 = 0\nexit'],
  ['cfg: jump to itself', 1, 'r0 = 0\ngoto -1\nexit'],
  ['cfg: back-edge found before the unreachable insn', 1, 'r0 = 0\nif r0 == 0 goto +2\ngoto -2\nr0 = 1\nexit'],
  ['cfg: backward jump that is no loop', 1, 'r0 = 0\ngoto +1\nexit\ngoto -2'],
  // check_cond_jmp_op
  ['cmp: pointer with a constant', 1, 'r1 = r10\nif r1 == 1 goto +0\nr0 = 0\nexit'],
  ['cmp: pointer as source operand', 1, 'r1 = 1\nif r1 == r10 goto +0\nr0 = 0\nexit'],
  ['cmp: null check of a lookup', 1, `${LOOKUP}if r0 == 0 goto +1\nr0 = 0\nr0 = 0\nexit`],
  ['cmp: lookup against a non-zero constant', 1, `${LOOKUP}if r0 == 1 goto +0\nr0 = 0\nexit`],
  ['cmp: jmp32 null check', 1, `${LOOKUP}if w0 == 0 goto +0\nr0 = 0\nexit`],
  // pointer leaks
  ['leak: return value', 1, 'r0 = r10\nexit'],
  ['leak: into a map value', 1, `${LOOKUP}if r0 == 0 goto +1\n*(u64 *)(r0 + 0) = r10\nr0 = 0\nexit`],
  ['leak: into the context', 1, '*(u32 *)(r1 + 48) = r10\nr0 = 0\nexit'],
  ['leak: into a helper argument', 1, 'r1 = map_by_fd(1) ll\nr2 = r10\nr2 += -4\n*(u32 *)(r10 - 4) = 0\nr3 = r10\nr3 += -16\n*(u64 *)(r10 - 16) = 0\nr4 = r10\ncall 2\nr0 = 0\nexit'],
  ['leak: partial copy', 1, 'w0 = w10\nexit'],
  ['leak: neg of a pointer', 1, 'r1 = r10\nr1 = -r1\nr0 = 0\nexit'],
  ['leak: neg of the frame pointer', 1, 'r10 = -r10\nr0 = 0\nexit'],
  ['leak: atomic add on a spilled pointer', 1, '*(u64 *)(r10 - 8) = r1\nr2 = 1\nlock *(u64 *)(r10 - 8) += r2\nr0 = 0\nexit'],
  ['leak: atomic add of a pointer', 1, '*(u64 *)(r10 - 8) = 0\nlock *(u64 *)(r10 - 8) += r10\nr0 = 0\nexit'],
  // stack
  ['stack: read below the used stack', 1, 'r0 = *(u64 *)(r10 - 8)\nexit'],
  ['stack: uninitialised bytes', 1, '*(u32 *)(r10 - 4) = 0\nr0 = *(u64 *)(r10 - 8)\nexit'],
  ['stack: initialised', 1, '*(u64 *)(r10 - 8) = 0\nr0 = *(u64 *)(r10 - 8)\nexit'],
  ['stack: uninitialised map key', 1, 'r1 = map_by_fd(1) ll\nr2 = r10\nr2 += -4\ncall 1\nr0 = 0\nexit'],
  ['stack: narrow write into a spilled pointer', 1, '*(u64 *)(r10 - 8) = r1\nr0 = 0\n*(u32 *)(r10 - 8) = r0\nexit'],
  ['stack: narrow fill of a spilled scalar over uninit bytes', 1, 'r1 = 7\n*(u32 *)(r10 - 8) = r1\nr0 = *(u64 *)(r10 - 8)\nexit'],
  ['stack: whole write over a spilled pointer', 1, '*(u64 *)(r10 - 8) = r1\nr0 = 0\n*(u64 *)(r10 - 8) = r0\nexit'],
  // stacksafe: the fall-through fills fp-8 with bpf_skb_load_bytes (misc bytes) and saves a
  // checkpoint at insn 11; the jump reaches it with fp-8 uninitialised. Privileged the old misc
  // bytes accept that (`11: safe`); unprivileged they do not, and the read then fails.
  ['prune: misc bytes against uninitialised ones', 1, 'r9 = r1\ncall 7\nr6 = r0\ncall 7\nif r0 > r6 goto +6\nr1 = r9\nr2 = 0\nr3 = r10\nr3 += -8\nr4 = 8\ncall 26\nr1 = 42\n*(u8 *)(r10 - 8) = r1\nr2 = *(u64 *)(r10 - 8)\nr0 = 0\nexit'],
  // helpers
  ['helper: bpf_jiffies64 (CAP_BPF tier)', 1, 'call 118\nr0 = 0\nexit'],
  ['helper: bpf_trace_printk (CAP_PERFMON tier)', 1, 'r1 = r10\nr1 += -8\n*(u64 *)(r10 - 8) = 0\nr2 = 8\ncall 6\nr0 = 0\nexit'],
  ['helper: bpf_ktime_get_ns (unprivileged)', 1, 'call 5\nr0 = 0\nexit'],
  ['helper: bpf_skb_load_bytes (unprivileged)', 1, 'r2 = 0\nr3 = r10\nr3 += -8\nr4 = 8\ncall 26\nr0 = 0\nexit'],
  // released references (mark_reg_invalid)
  ['ref: use after bpf_sk_release', 8, '*(u64 *)(r10 - 8) = 0\n*(u64 *)(r10 - 16) = 0\n*(u64 *)(r10 - 24) = 0\n*(u64 *)(r10 - 32) = 0\n*(u64 *)(r10 - 40) = 0\nr2 = r10\nr2 += -40\nr3 = 36\nr4 = 0\nr5 = 0\ncall 84\nif r0 == 0 goto +4\nr6 = r0\nr1 = r0\ncall 86\nr0 = *(u32 *)(r6 + 0)\nr0 = 1\nexit'],
  // context
  ['ctx: cgroup_skb data', 8, 'r2 = *(u32 *)(r1 + 76)\nr0 = 1\nexit'],
  ['ctx: cgroup_skb data_end', 8, 'r2 = *(u32 *)(r1 + 80)\nr0 = 1\nexit'],
  ['ctx: cgroup_skb tstamp write', 8, 'r2 = 0\n*(u64 *)(r1 + 152) = r2\nr0 = 1\nexit'],
  ['ctx: cgroup_skb tstamp read', 8, 'r2 = *(u64 *)(r1 + 152)\nr0 = 1\nexit'],
  ['ctx: socket filter mark', 1, 'r0 = *(u32 *)(r1 + 8)\nexit'],
  // struct bpf_map
  ['map_ptr: negative offset', 1, 'r1 = map_by_fd(1) ll\nr0 = *(u64 *)(r1 - 8)\nr0 = 0\nexit'],
  ['map_ptr: write', 1, 'r1 = map_by_fd(1) ll\nr0 = 0\n*(u64 *)(r1 + 0) = r0\nexit'],
];
