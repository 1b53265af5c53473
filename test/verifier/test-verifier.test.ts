// A handful of the kernel's raw-instruction verifier tests (test_verifier's verifier/*.c, 6.12 and
// 6.1), recorded with the host kernel's verdicts by `scripts/test-verifier.mjs --cases 8`: ebpfvm
// must satisfy each test as test_verifier judges it (verdict, errstr in the log, retval), as the
// host did. The full run (every test, both trees) is `npm run test:test-verifier`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cmpStrSeq, judge, level4Log, runCase, testAsUnpriv, type Tree, type TvCase } from '../kernel/test-verifier/runner.js';

interface Recorded {
  tree: Tree;
  host: { p: { satisfied: boolean; loaded: boolean }; u?: { satisfied: boolean; loaded: boolean } };
  case: TvCase;
}

const ROOT = join(import.meta.dirname, '../..').replace(/\/dist$/, '');
const { cases } = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/test-verifier/cases.json'), 'utf8')) as { cases: Recorded[] };

describe('test_verifier cases recorded on the host kernel', () => {
  it('has cases from both trees, accepting and rejecting, privileged and unprivileged', () => {
    expect(cases.filter((c) => c.tree === '6.12').length).toBeGreaterThanOrEqual(5);
    expect(cases.filter((c) => c.tree === '6.1').length).toBeGreaterThanOrEqual(5);
    expect(cases.some((c) => !c.host.p.loaded)).toBe(true);
    expect(cases.some((c) => c.host.u)).toBe(true);
  });

  for (const r of cases) {
    const c = r.case;
    it(`${r.tree} ${c.file}#${c.index} ${c.descr}`, () => {
      const modes: boolean[] = testAsUnpriv(c) ? [false, true] : [false];
      expect(modes.length).toBe(r.host.u ? 2 : 1);
      for (const unpriv of modes) {
        const host = unpriv ? r.host.u! : r.host.p;
        expect(host.satisfied).toBe(true);
        const o = runCase(c, unpriv, r.tree);
        expect({ mode: unpriv ? 'u' : 'p', loaded: o.loaded }).toEqual({ mode: unpriv ? 'u' : 'p', loaded: host.loaded });
        expect(judge(c, unpriv, o)).toEqual({ status: 'PASS' });
      }
    });
  }
});

describe('test_verifier pass rules (judge)', () => {
  const base: TvCase = { file: 'x', index: 0, descr: 'x', insns: [[0xb7, 0, 0, 0, 7], [0x95, 0, 0, 0, 0]], progType: 1, expectedAttachType: 0, flags: 0, result: 'ACCEPT', resultUnpriv: null, errstr: null, errstrUnpriv: null, runs: [{ retval: 7, retvalUnpriv: 0, data: '' }], fixups: {} };

  it('errstr parts are found in order, tab-separated', () => {
    expect(cmpStrSeq('a b c', 'a\tc')).toBeUndefined();
    expect(cmpStrSeq('a b c', 'c\ta')).toMatch(/not found: 'a'/);
    expect(cmpStrSeq('anything', '')).toBeUndefined();
  });

  it('a run with the wrong retval fails, and a REJECT test that loads fails', () => {
    expect(judge(base, false, runCase(base, false, '6.12'))).toEqual({ status: 'PASS' });
    expect(judge({ ...base, runs: [{ retval: 8, retvalUnpriv: 0, data: '' }] }, false, runCase(base, false, '6.12')).reason).toMatch(/retval 7 != 8/);
    expect(judge({ ...base, result: 'REJECT', errstr: 'x' }, false, runCase(base, false, '6.12')).reason).toMatch(/expected load failure/);
  });

  it('the unprivileged expectation applies to the unprivileged run', () => {
    // r0 = r10: a pointer leak, refused only without capabilities
    const leak: TvCase = { ...base, insns: [[0xbf, 0, 10, 0, 0], [0x95, 0, 0, 0, 0]], resultUnpriv: 'REJECT', errstrUnpriv: 'R0 leaks addr', runs: [] };
    expect(judge(leak, false, runCase(leak, false, '6.12'))).toEqual({ status: 'PASS' });
    expect(judge(leak, true, runCase(leak, true, '6.12'))).toEqual({ status: 'PASS' });
  });

  it('the level-4 log keeps messages and drops the instruction dump', () => {
    expect(level4Log('0: (b7) r0 = 0\n0: R0=0\nR1 !read_ok\nfrom 1 to 3: R0=1\nprocessed 2 insns')).toBe('R1 !read_ok\nprocessed 2 insns');
  });
});

// Verifier fixes test_verifier found (verifier/cfg.ts): resolve_pseudo_ldimm64's encoding checks,
// in the kernel's order after the function-boundary checks.
describe('encoding checks in the kernel\'s order', () => {
  const exit: [number, number, number, number, number] = [0x95, 0, 0, 0, 0];
  const mk = (insns: TvCase['insns'], fixups: Record<string, number[]> = {}): TvCase => ({ file: 'x', index: 0, descr: 'x', insns, progType: 1, expectedAttachType: 0, flags: 0, result: 'REJECT', resultUnpriv: null, errstr: null, errstrUnpriv: null, runs: [], fixups });
  const reason = (c: TvCase) => {
    const o = runCase(c, false, '6.12');
    expect(o.loaded).toBe(false);
    return o.log;
  };
  it('an LD_IMM64 with a non-zero off is refused (it loaded before)', () => {
    expect(reason(mk([[0x18, 0, 0, 1, 1], [0, 0, 0, 0, 1], exit]))).toContain('BPF_LD_IMM64 uses reserved fields');
  });
  it('a map-fd LD_IMM64 with a non-zero second imm is unrecognized (it loaded before)', () => {
    expect(reason(mk([[0xb7, 0, 0, 0, 0], [0x18, 1, 1, 0, 0], [0, 0, 0, 0, 0xfefefe], exit], { map_hash_48b: [1] }))).toContain('unrecognized bpf_ld_imm64 insn');
  });
  it('a direct value offset from 2^29 up is refused before the value size', () => {
    expect(reason(mk([[0x18, 1, 2, 0, 0], [0, 0, 0, 0, 1 << 29], [0xb7, 0, 0, 0, 0], exit], { map_array_48b: [0] }))).toContain('direct value offset of 536870912 is not allowed');
    expect(reason(mk([[0x18, 1, 2, 0, 0], [0, 0, 0, 0, 48], [0xb7, 0, 0, 0, 0], exit], { map_array_48b: [0] }))).toContain('invalid access to map value pointer, value_size=48 off=48');
  });
  it('an exit swallowed as an LD_IMM64\'s second half is an invalid LD_IMM64, not a missing exit', () => {
    expect(reason(mk([[0x18, 0, 0, 0, 0], exit]))).toContain('invalid bpf_ld_imm64 insn');
  });
  it('a program of one zero insn fails the last-insn check first', () => {
    expect(reason(mk([[0, 0, 0, 0, 0]]))).toContain('last insn is not an exit or jmp');
  });
  it('LDX reserved fields, and opcodes outside the kernel table, before other field checks', () => {
    expect(reason(mk([[0x61, 0, 1, 0, 1], [0xb7, 0, 0, 0, 0], exit]))).toContain('BPF_LDX uses reserved fields');
    expect(reason(mk([[0x8d, 0, 0, 0, 1], [0xb7, 0, 0, 0, 0], exit]))).toContain('unknown opcode 8d');
    expect(reason(mk([[0x7f, 0, 0, 1, 1], [0xb7, 0, 0, 0, 0], exit]))).toContain('BPF_ALU uses reserved fields');
  });
});


// check_map_func_compatibility in the verifier is helpers/map-compat.ts's whole table (it had a
// subset: these loaded here and not on the host, 6.1's cgroup_storage#1 and prevent_map_lookup#0).
describe('map and helper compatibility at the call', () => {
  const exit: [number, number, number, number, number] = [0x95, 0, 0, 0, 0];
  const mk = (progType: number, insns: TvCase['insns'], fixups: Record<string, number[]>): TvCase => ({ file: 'x', index: 0, descr: 'x', insns, progType, expectedAttachType: 0, flags: 0, result: 'REJECT', resultUnpriv: null, errstr: null, errstrUnpriv: null, runs: [], fixups });
  it('bpf_get_local_storage takes only cgroup storage', () => {
    const c = mk(8, [[0xb7, 2, 0, 0, 0], [0x18, 1, 1, 0, 0], [0, 0, 0, 0, 0], [0x85, 0, 0, 0, 81], [0xb7, 0, 0, 0, 0], exit], { map_hash_8b: [1] });
    const o = runCase(c, false, '6.1');
    expect(o.loaded).toBe(false);
    expect(o.log).toContain('cannot pass map_type 1 into func bpf_get_local_storage#81');
    expect(runCase({ ...c, fixups: { cgroup_storage: [1] } }, false, '6.1').loaded).toBe(true);
  });
  it('a stack trace map has no lookup', () => {
    const c = mk(7, [[0x7a, 10, 0, -8, 0], [0xbf, 2, 10, 0, 0], [0x07, 2, 0, 0, -8], [0x18, 1, 1, 0, 0], [0, 0, 0, 0, 0], [0x85, 0, 0, 0, 1], [0xb7, 0, 0, 0, 0], exit], { map_stacktrace: [3] });
    const o = runCase(c, false, '6.1');
    expect(o.loaded).toBe(false);
    expect(o.log).toContain('cannot pass map_type 7 into func bpf_map_lookup_elem#1');
  });
});

// check_max_stack_depth walks every call in the code, reached or not (dead code is removed only
// after it): test_verifier's "calls: stack depth check in dead code", which loaded here.
describe('call depth through dead code', () => {
  it('a chain of 8 frames behind a never-taken branch is too deep', () => {
    const call = (imm: number): [number, number, number, number, number] => [0x85, 0, 1, 0, imm];
    const exit: [number, number, number, number, number] = [0x95, 0, 0, 0, 0];
    const insns: TvCase['insns'] = [[0xb7, 1, 0, 0, 0], call(1), exit, [0x15, 1, 0, 1, 0], call(2), [0xb7, 0, 0, 0, 0], exit];
    for (let i = 0; i < 6; i++) insns.push(call(1), exit);
    insns.push([0xb7, 0, 0, 0, 0], exit);
    const c: TvCase = { file: 'x', index: 0, descr: 'x', insns, progType: 6, expectedAttachType: 0, flags: 0, result: 'REJECT', resultUnpriv: null, errstr: 'call stack', errstrUnpriv: null, runs: [], fixups: {} };
    const o = runCase(c, false, '6.12');
    expect(o.loaded).toBe(false);
    expect(o.log).toContain('the call stack of 8 frames is too deep !');
    // one frame fewer (a call/exit pair of the chain left out) loads
    expect(runCase({ ...c, insns: [...insns.slice(0, 15), ...insns.slice(17)] }, false, '6.12').loaded).toBe(true);
  });
});

// bpf_prog_load_fixup_attach_type: a cgroup/sock program loaded without an expected attach type
// gets the socket-creation hook, whose context has bound_dev_if (6.1 cgroup_inv_retcode "test2").
describe('a load\'s default attach type', () => {
  it('cgroup/sock without one is BPF_CGROUP_INET_SOCK_CREATE: bound_dev_if is readable', () => {
    const insns: TvCase['insns'] = [[0x61, 0, 1, 0, 0], [0x57, 0, 0, 0, 1], [0x95, 0, 0, 0, 0]];
    const c: TvCase = { file: 'x', index: 0, descr: 'x', insns, progType: 9, expectedAttachType: 0, flags: 0, result: 'ACCEPT', resultUnpriv: null, errstr: null, errstrUnpriv: null, runs: [], fixups: {} };
    expect(runCase(c, false, '6.1').loaded).toBe(true);
    // at an explicit hook without it (post_bind), the field is refused
    const o = runCase({ ...c, expectedAttachType: 12 }, false, '6.1');
    expect([o.loaded, o.log.includes('invalid bpf_context access off=0 size=4')]).toEqual([false, true]);
  });
});

// check_kfunc_call skips a call of kfunc id 0; do_misc_fixups refuses it if the walk reached it
// (calls "invalid kfunc call not eliminated" / "unreachable").
describe('a call of kfunc id 0', () => {
  const kcall: [number, number, number, number, number] = [0x85, 0, 2, 0, 0];
  const mk = (insns: TvCase['insns']): TvCase => ({ file: 'x', index: 0, descr: 'x', insns, progType: 5, expectedAttachType: 0, flags: 0, result: 'REJECT', resultUnpriv: null, errstr: null, errstrUnpriv: null, runs: [], fixups: {} });
  it('reached: refused after the walk', () => {
    const o = runCase(mk([kcall, [0xb7, 0, 0, 0, 1], [0x95, 0, 0, 0, 0]]), false, '6.12');
    expect(o.loaded).toBe(false);
    expect(o.log).toContain('invalid kernel function call not eliminated in verifier pass');
  });
  it('behind a branch never taken: dead code, loaded', () => {
    expect(runCase(mk([[0xb7, 0, 0, 0, 1], [0x25, 0, 0, 2, 0], kcall, [0xb7, 0, 0, 0, 1], [0x95, 0, 0, 0, 0]]), false, '6.12').loaded).toBe(true);
  });
});

// test_verifier loads at log level 4 (messages, no instruction trace); its log is derived here
// from ebpfvm's level-1 log, where a message written after a branch was popped follows the jump
// that pushed it on one line, as on the host (test/progs/verifier/loop_after_pop.c).
describe('level-4 logs from level-1 logs', () => {
  it('keeps an infinite loop found on a popped branch (calls "conditional call 6")', () => {
    const insns: TvCase['insns'] = [[0xbf, 6, 1, 0, 0], [0xbf, 1, 6, 0, 0], [0x85, 0, 1, 0, 2], [0x15, 0, 0, -3, 0], [0x95, 0, 0, 0, 0], [0x61, 0, 1, 8, 0], [0x95, 0, 0, 0, 0]];
    const c: TvCase = { file: 'x', index: 0, descr: 'x', insns, progType: 3, expectedAttachType: 0, flags: 0, result: 'REJECT', resultUnpriv: null, errstr: 'infinite loop detected', errstrUnpriv: null, runs: [], fixups: {} };
    const o = runCase(c, false, '6.12');
    expect(o.loaded).toBe(false);
    const lines = o.log.split('\n');
    const at = lines.indexOf('infinite loop detected at insn 1');
    expect(at).toBeGreaterThanOrEqual(0);
    expect(lines.slice(at + 1, at + 3)).toEqual(['cur state: R0=0 R6=ctx() R10=fp0', 'old state: R0=0 R6=ctx() R10=fp0']);
  });
});

// check_map_kptr_access / check_map_access on kptr fields (test_verifier's map_kptr tests on the
// map of struct btf_ptr: an untrusted kptr at 0, referenced ones at 8 and 16). All loaded here.
describe('kptr fields of a map value', () => {
  const exit: [number, number, number, number, number] = [0x95, 0, 0, 0, 0];
  // r0 = bpf_map_lookup_elem(map, &(u32)0); if r0 == 0 exit
  const lookup: NonNullable<TvCase['insns']> = [[0xbf, 2, 10, 0, 0], [0x18, 6, 1, 0, 0], [0, 0, 0, 0, 0], [0xbf, 1, 6, 0, 0], [0x07, 2, 0, 0, -4], [0xb7, 0, 0, 0, 0], [0x62, 2, 0, 0, 0], [0x85, 0, 0, 0, 1], [0x55, 0, 0, 1, 0], exit];
  const mk = (tail: NonNullable<TvCase['insns']>): TvCase => ({ file: 'x', index: 0, descr: 'x', insns: [...lookup, ...tail], progType: 3, expectedAttachType: 0, flags: 0, result: 'REJECT', resultUnpriv: null, errstr: null, errstrUnpriv: null, runs: [], fixups: { map_kptr: [1] } });
  const log = (c: TvCase) => {
    const o = runCase(c, false, '6.12');
    expect(o.loaded).toBe(false);
    return o.log;
  };
  it('no store of any kind to a referenced kptr, not even NULL', () => {
    expect(log(mk([[0x7a, 0, 0, 8, 0], exit]))).toContain('store to referenced kptr disallowed');
    expect(log(mk([[0xb7, 1, 0, 0, 0], [0x7b, 0, 1, 8, 0], exit]))).toContain('store to referenced kptr disallowed');
    // NULL into the untrusted one is fine
    expect(runCase(mk([[0x7a, 0, 0, 0, 0], [0xb7, 0, 0, 0, 0], exit]), false, '6.12').loaded).toBe(true);
  });
  it('an untrusted kptr takes only a pointer of its type at offset 0', () => {
    // r1 = *(u64 *)(r0 + 0); if r1 == 0 exit; r1 += 4; *(u64 *)(r0 + 0) = r1
    expect(log(mk([[0x79, 1, 0, 0, 0], [0x55, 1, 0, 1, 0], exit, [0x07, 1, 0, 0, 4], [0x7b, 0, 1, 0, 0], exit]))).toContain('invalid kptr access, R1 type=untrusted_ptr_prog_test_ref_kfunc expected=ptr_prog_test_ref_kfunc or untrusted_ptr_prog_test_ref_kfunc');
    expect(runCase(mk([[0x79, 1, 0, 0, 0], [0x55, 1, 0, 1, 0], exit, [0x7b, 0, 1, 0, 0], [0xb7, 0, 0, 0, 0], exit]), false, '6.12').loaded).toBe(true);
  });
  it('bpf_kptr_xchg matches the object\'s type at offset 0 before its release checks: a member of a referenced object is the wrong type, not a wrong offset', () => {
    // r0 += 8; r7 = r0; old = bpf_kptr_xchg(r0, NULL): a referenced prog_test_ref_kfunc; then
    // bpf_kptr_xchg(r7 + 8, old + 8): the kptr at 16 wants a prog_test_member, which old + 8 is
    // as a member (map_kptr_match_type matches a referenced kptr strictly)
    const xchg: [number, number, number, number, number] = [0x85, 0, 0, 0, 194];
    const tail: NonNullable<TvCase['insns']> = [[0x07, 0, 0, 0, 8], [0xbf, 7, 0, 0, 0], [0xbf, 1, 0, 0, 0], [0xb7, 2, 0, 0, 0], xchg, [0x55, 0, 0, 1, 0], exit, [0xbf, 1, 7, 0, 0], [0x07, 1, 0, 0, 8], [0x07, 0, 0, 0, 8], [0xbf, 2, 0, 0, 0], xchg, exit];
    expect(log(mk(tail))).toContain('invalid kptr access, R2 type=ptr_prog_test_ref_kfunc expected=ptr_prog_test_member');
  });
  it('a helper may not touch a kptr through a map value pointer', () => {
    // bpf_map_delete_elem(map, r0 + 2): the key overlaps the kptr at 0
    expect(log(mk([[0xbf, 1, 6, 0, 0], [0x07, 0, 0, 0, 2], [0xbf, 2, 0, 0, 0], [0x85, 0, 0, 0, 3], exit]))).toContain('kptr cannot be accessed indirectly by helper');
  });
});

// ARG_PTR_TO_LONG/INT are MEM_ALIGNED (check_func_arg: check_ptr_alignment, strict): 6.1's
// int_ptr "ARG_PTR_TO_LONG misaligned" loaded here; the host refuses it (its 6.1 errstr prints
// the tnum differently, so the test itself does not qualify).
describe('aligned helper arguments', () => {
  it('bpf_strtoul\'s result pointer must be 8-byte aligned', () => {
    const insns: TvCase['insns'] = [[0xbf, 7, 10, 0, 0], [0x07, 7, 0, 0, -8], [0xb7, 0, 0, 0, 3158070], [0x7b, 7, 0, 0, 0], [0xbf, 1, 7, 0, 0], [0xb7, 2, 0, 0, 4], [0xb7, 3, 0, 0, 0], [0x07, 7, 0, 0, -12], [0xb7, 0, 0, 0, 0], [0x63, 7, 0, 0, 0], [0x7b, 7, 0, 4, 0], [0xbf, 4, 7, 0, 0], [0x85, 0, 0, 0, 106], [0xb7, 0, 0, 0, 1], [0x95, 0, 0, 0, 0]];
    const c: TvCase = { file: 'x', index: 0, descr: 'x', insns, progType: 23, expectedAttachType: 0, flags: 0, result: 'REJECT', resultUnpriv: null, errstr: null, errstrUnpriv: null, runs: [], fixups: {} };
    const o = runCase(c, false, '6.1');
    expect(o.loaded).toBe(false);
    expect(o.log).toContain('misaligned stack access off 0+-20+0 size 8');
  });
});

// check_ptr_alignment covers the context too: with BPF_F_STRICT_ALIGNMENT (test_verifier's
// F_LOAD_WITH_STRICT_ALIGNMENT) a misaligned __sk_buff access is refused before the ctx checks.
describe('strict alignment of context accesses', () => {
  const c: TvCase = { file: 'x', index: 0, descr: 'x', insns: [[0xb7, 0, 0, 0, 0], [0x6b, 1, 0, 49, 0], [0x95, 0, 0, 0, 0]], progType: 1, expectedAttachType: 0, flags: 2, result: 'REJECT', resultUnpriv: null, errstr: 'misaligned context access', errstrUnpriv: null, runs: [], fixups: {} };
  it('a 2-byte store at cb+1 is misaligned, as the host logs it', () => {
    const o = runCase(c, false, '6.12');
    expect(o.loaded).toBe(false);
    expect(o.log).toContain('misaligned context access off 0+0+49 size 2');
  });
  it('without the flag the access is the ctx checks\' to judge', () => {
    expect(runCase({ ...c, flags: 0 }, false, '6.12').log).toContain('invalid bpf_context access off=49 size=2');
  });
  it('BPF_F_ANY_ALIGNMENT overrides BPF_F_STRICT_ALIGNMENT (a test with F_NEEDS_EFFICIENT_UNALIGNED_ACCESS and a flag above bit 1 passes both)', () => {
    // flags 9: F_NEEDS_EFFICIENT_UNALIGNED_ACCESS | BPF_F_TEST_STATE_FREQ, which test_verifier also
    // ORs in whole, bit 0 (BPF_F_STRICT_ALIGNMENT) included (precise "ARG_CONST_ALLOC_SIZE_OR_ZERO")
    const o = runCase({ ...c, flags: 9 }, false, '6.12');
    expect(o.log).not.toContain('misaligned');
    expect(o.log).toContain('invalid bpf_context access off=49 size=2');
  });
});

// check_atomic_rmw fills the fetch register as a load from the slot would (test_verifier's
// atomic_cmpxchg "Dest pointer in r0 - succeed" and atomic_bounds "mem->reg"), then writes an
// unknown value: both were refused here.
describe('atomic fetch fills its register like a load', () => {
  const exit: [number, number, number, number, number] = [0x95, 0, 0, 0, 0];
  const mk = (insns: TvCase['insns']): TvCase => ({ file: 'x', index: 0, descr: 'x', insns, progType: 1, expectedAttachType: 0, flags: 0, result: 'ACCEPT', resultUnpriv: null, errstr: null, errstrUnpriv: null, runs: [], fixups: {} });
  it('cmpxchg of a spilled stack pointer gives the pointer back in r0', () => {
    // r0 = r10; *(u64 *)(r10 - 8) = r0; r1 = 0; r0 = cmpxchg(r10 - 8, r0, r1); r1 = *(u64 *)(r0 - 8)
    const c = mk([[0xbf, 0, 10, 0, 0], [0x7b, 10, 0, -8, 0], [0xb7, 1, 0, 0, 0], [0xdb, 10, 1, -8, 0xf1], [0x79, 1, 0, -8, 0], [0xb7, 0, 0, 0, 0], exit]);
    expect(runCase(c, false, '6.12').loaded).toBe(true);
    // and the slot now holds an unknown value: reading it back as a pointer fails
    const after = mk([[0xbf, 0, 10, 0, 0], [0x7b, 10, 0, -8, 0], [0xb7, 1, 0, 0, 0], [0xdb, 10, 1, -8, 0xf1], [0x79, 2, 10, -8, 0], [0x79, 1, 2, -8, 0], [0xb7, 0, 0, 0, 0], exit]);
    expect(runCase(after, false, '6.12').log).toContain("R2 invalid mem access 'scalar'");
  });
});

// A tc test run without ctx_in leaves the qdisc cb's pkt_len 0, so __sk_buff->wire_len reads 0
// (test_verifier's ctx_skb "check wire_len is readable by tc classifier" returned 64 here).
describe('wire_len of a test run without a context', () => {
  it('reads 0', () => {
    const c: TvCase = { file: 'x', index: 0, descr: 'x', insns: [[0x61, 0, 1, 160, 0], [0x95, 0, 0, 0, 0]], progType: 3, expectedAttachType: 0, flags: 0, result: 'ACCEPT', resultUnpriv: null, errstr: null, errstrUnpriv: null, runs: [{ retval: 0, retvalUnpriv: 0, data: '' }], fixups: {} };
    expect(judge(c, false, runCase(c, false, '6.12'))).toEqual({ status: 'PASS' });
  });
});
