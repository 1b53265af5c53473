// The kernel test loader's annotations (src/selftest/annotations.ts): both tag encodings from
// clang-built objects, the order of numbered tags (strverscmp on "comment:<N>:"), spec fields and
// test_loader's message matching.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BtfKind, parseBtf, type BtfType } from '../../src/btf/btf.js';
import { encodeBtf } from '../../src/btf/builtin-writer.js';
import { openObject } from '../../src/loader/open.js';
import { AnnotationError, checkDisasm, checkMessages, isAuxiliary, parseTestSpec, POINTER_VALUE, PROG_FLAGS, programTags, strverscmp, type MsgPattern } from '../../src/selftest/annotations.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const btfOf = (name: string) => openObject(new Uint8Array(readFileSync(join(ROOT, 'test/progs', `${name}.o`))), { name }).btf!;

/** A BTF with one FUNC `f` and these decl tags on it, in this (BTF) order. */
function btfWithTags(tags: string[]): ReturnType<typeof parseBtf> {
  const types: Omit<BtfType, 'id'>[] = [
    { kind: BtfKind.INT, name: 'int', kindFlag: false, vlen: 0, sizeOrType: 4, intEncoding: 1, intOffset: 0, intBits: 32 },
    { kind: BtfKind.FUNC_PROTO, name: '', kindFlag: false, vlen: 0, sizeOrType: 1, params: [] },
    { kind: BtfKind.FUNC, name: 'f', kindFlag: false, vlen: 1, sizeOrType: 2, linkage: 1 },
    ...tags.map((t) => ({ kind: BtfKind.DECL_TAG, name: t, kindFlag: false, vlen: 0, sizeOrType: 3, componentIdx: -1 })),
    // a tag on a parameter and one that is no annotation: both ignored
    { kind: BtfKind.DECL_TAG, name: 'comment:99:test_expect_failure', kindFlag: false, vlen: 0, sizeOrType: 3, componentIdx: 0 },
    { kind: BtfKind.DECL_TAG, name: 'ctx_arg', kindFlag: false, vlen: 0, sizeOrType: 3, componentIdx: -1 },
  ];
  return parseBtf(encodeBtf(types));
}

const msg = (text: string, negative = false): MsgPattern => parseTestSpec(btfWithTags([`comment:0:test_expect_${negative ? 'not_' : ''}msg=${text}`]), 'f').priv!.msgs[0]!;

describe('strverscmp', () => {
  it("orders like glibc's (the man page's example and counters past 9)", () => {
    const glibcOrder = ['000', '00', '01', '010', '09', '0', '1', '9', '10'];
    expect([...glibcOrder].reverse().sort(strverscmp)).toEqual(glibcOrder);
    expect(strverscmp('comment:9:a', 'comment:10:a')).toBeLessThan(0);
    expect(strverscmp('comment:100:a', 'comment:20:a')).toBeGreaterThan(0);
    expect(strverscmp('abc', 'abc')).toBe(0);
    expect(Math.sign(strverscmp('a', 'b'))).toBe(-1);
  });
});

describe('tag collection', () => {
  it('numbered tags sort by their counter, not by BTF order or as plain strings', () => {
    const btf = btfWithTags(['comment:10:test_expect_msg=third', 'comment:2:test_expect_msg=second', 'comment:1:test_expect_failure', 'comment:0:test_expect_msg=first']);
    expect(programTags(btf, 'f')).toEqual(['test_expect_msg=first', 'test_expect_failure', 'test_expect_msg=second', 'test_expect_msg=third']);
    expect(parseTestSpec(btf, 'f').priv!.msgs.map((m) => m.text)).toEqual(['first', 'second', 'third']);
  });

  it('reads the numbered form clang writes from include/bpf_misc.h', () => {
    const btf = btfOf('sel_annotations');
    expect(programTags(btf, 'no_r0')).toEqual(['test_expect_failure', 'test_expect_msg=0: (95) exit', 'test_expect_msg=R0 {{!read_ok|not initialized}}', 'test_expect_not_msg=processed 0 insns']);
    const s = parseTestSpec(btf, 'no_r0');
    expect(s.priv).toMatchObject({ name: 'no_r0', expectFailure: true, execute: false });
    expect(s.priv!.msgs.map((m) => [m.text, m.negative, !!m.regex])).toEqual([
      ['0: (95) exit', false, false],
      ['R0 {{!read_ok|not initialized}}', false, true],
      ['processed 0 insns', true, false],
    ]);
    expect(s.unpriv).toBeUndefined();
  });

  it("reads Linux 6.12's form (plain tags, __msg numbered inside its payload)", () => {
    const btf = btfOf('sel_tags_612');
    const tags = programTags(btf, 'old_no_r0');
    expect(tags[0]).toBe('test_expect_failure');
    expect(tags.slice(1).map((t) => t.replace(/=\d+=/, '=N='))).toEqual(['test_expect_msg=N=0: (95) exit', 'test_expect_msg=N=R0 {{!read_ok|not initialized}}']);
    const s = parseTestSpec(btf, 'old_no_r0');
    expect(s.priv!.msgs.map((m) => m.text)).toEqual(['0: (95) exit', 'R0 {{!read_ok|not initialized}}']);
    expect(parseTestSpec(btf, 'old_ret_seven')).toMatchObject({ description: 'six twelve: returns seven', priv: { name: 'six twelve: returns seven', execute: true, retval: 7 } });
    expect(parseTestSpec(btf, 'old_ret_any').priv!.retval).toBe(POINTER_VALUE);
    expect(isAuxiliary(btf, 'old_aux')).toBe(true);
    expect(isAuxiliary(btf, 'old_ret_any')).toBe(false);
  });

  it('reads the oldest form (no counter anywhere); a message may contain "="', () => {
    const s = parseTestSpec(btfWithTags(['comment:test_expect_failure', 'comment:test_expect_msg=R1=ctx() R10=fp0']), 'f');
    expect(s.priv!.msgs.map((m) => m.text)).toEqual(['R1=ctx() R10=fp0']);
  });
});

describe('spec fields', () => {
  const spec = (...tags: string[]) => parseTestSpec(btfWithTags(tags.map((t, i) => `comment:${i}:${t}`)), 'f');

  it('a program without tags is a privileged test expecting success', () => {
    expect(spec()).toMatchObject({ priv: { name: 'f', expectFailure: false, msgs: [], execute: false }, auxiliary: false, logLevel: 0, progFlags: 0 });
  });

  it('__retval: decimal, hex, INT_MIN, _INT_MIN, POINTER_VALUE as a name or as 0xcafe4all, signed 32-bit', () => {
    expect(spec('test_retval=-1').priv!.retval).toBe(-1);
    expect(spec('test_retval=0xffffffff').priv!.retval).toBe(-1);
    expect(spec('test_retval=INT_MIN').priv!.retval).toBe(-2147483648);
    expect(spec('test_retval=_INT_MIN').priv!.retval).toBe(-2147483648);
    expect(spec('test_retval=TEST_DATA_LEN').priv!.retval).toBe(64);
    expect(spec('test_retval=POINTER_VALUE').priv!.retval).toBe(POINTER_VALUE);
    expect(spec('test_retval=0xcafe4all').priv!.retval).toBe(POINTER_VALUE);
    expect(POINTER_VALUE).toBe(0xcafe4a);
    expect(() => spec('test_retval=seven')).toThrow(AnnotationError);
    // the include/bpf_misc.h spelling, as clang expands it
    expect(parseTestSpec(btfOf('sel_annotations'), 'ret_any').priv!.retval).toBe(POINTER_VALUE);
  });

  it('__flag by name, by number and cleared with "!"; __log_level; __description', () => {
    expect(spec('test_prog_flags=BPF_F_STRICT_ALIGNMENT', 'test_prog_flags=BPF_F_TEST_RND_HI32', 'test_prog_flags=!BPF_F_STRICT_ALIGNMENT', 'test_prog_flags=16').progFlags).toBe(PROG_FLAGS.BPF_F_TEST_RND_HI32! | 16);
    expect(PROG_FLAGS.BPF_F_TEST_REG_INVARIANTS).toBe(1 << 7);
    expect(spec('test_log_level=2').logLevel).toBe(2);
    expect(spec('test_description=nice name', 'test_expect_success').priv!.name).toBe('nice name');
  });

  it('_unpriv twins add an "@unpriv" run that inherits what it does not set', () => {
    const s = spec('test_expect_failure', 'test_expect_msg=boom', 'test_retval=3', 'test_expect_success_unpriv');
    expect(s.priv).toMatchObject({ expectFailure: true, retval: 3, execute: true });
    expect(s.unpriv).toMatchObject({ name: 'f @unpriv', expectFailure: false, retval: 3, execute: true });
    expect(s.unpriv!.msgs.map((m) => m.text)).toEqual(['boom']);
    expect(spec('test_expect_msg_unpriv=only unpriv').priv).toBeUndefined();
    expect(spec('test_auxiliary')).toMatchObject({ auxiliary: true, auxiliaryModes: { priv: true, unpriv: false } });
  });

  it('__arch of another machine, __skip and unchecked annotations are reported', () => {
    expect(spec('test_arch=ARM64').archMismatch).toBe(true);
    expect(spec('test_arch=ARM64', 'test_arch=X86_64').archMismatch).toBe(false);
    expect(() => spec('test_arch=PDP11')).toThrow(/bad arch spec/);
    expect(spec('test_skip=flaky').skip).toBe('flaky');
    expect(spec('test_jited=0: nop').unchecked).toEqual(['test_jited']);
    expect(spec('test_expect_xlated=0: r0 = 1').unchecked).toEqual([]);
  });

  it('__xlated patterns: each on the line after the previous one, unless a `...` came between', () => {
    const s = spec('test_expect_xlated=0: r0 = 1', 'test_expect_xlated=1: exit', 'test_expect_xlated=...', 'test_expect_xlated=5: exit');
    expect(s.priv!.xlated.map((p) => [p.text, p.onNextLine])).toEqual([['0: r0 = 1', true], ['1: exit', true], ['5: exit', false]]);
    expect(s.unpriv).toBeUndefined();
    const text = '0: r0 = 1\n1: exit\n2: r0 = 2\n5: exit\n';
    expect(checkDisasm(text, s.priv!.xlated).ok).toBe(true);
    const tight = spec('test_expect_xlated=0: r0 = 1', 'test_expect_xlated=5: exit').priv!.xlated;
    expect(checkDisasm(text, tight)).toMatchObject({ ok: false, problem: 'wrong line', index: 1 });
    expect(checkDisasm(text, spec('test_expect_xlated=7: exit').priv!.xlated)).toMatchObject({ ok: false, problem: 'missing' });
  });

  it('an unclosed {{ is a parse error, as in the kernel', () => {
    expect(() => spec('test_expect_msg=R0 {{[0-9]+')).toThrow(/no closing '}}'/);
  });
});

describe('message matching (validate_msgs)', () => {
  const log = '0: R1=ctx() R10=fp0\n0: (b7) r0 = 5 ; R0=5\n1: (95) exit\nprocessed 2 insns (limit 1000000)\n';

  it('substrings in order, each after the previous match', () => {
    expect(checkMessages(log, [msg('r0 = 5'), msg('exit')]).ok).toBe(true);
    expect(checkMessages(log, [msg('exit'), msg('r0 = 5')])).toMatchObject({ ok: false, problem: 'missing', index: 1 });
    // the same text twice needs two occurrences
    expect(checkMessages(log, [msg('R0'), msg('R0')]).ok).toBe(false);
  });

  it('{{regex}} parts are POSIX ERE, verbatim parts literal ("." "(" "*"), lines are REG_NEWLINE', () => {
    expect(checkMessages(log, [msg('processed {{[0-9]+}} insns')]).ok).toBe(true);
    expect(checkMessages(log, [msg('{{[[:digit:]]+}}: (95) exit')]).ok).toBe(true);
    expect(checkMessages(log, [msg('(b7) r0 = {{5|6}} ;')]).ok).toBe(true);
    expect(checkMessages(log, [msg('(b7{{.}} r0')]).ok).toBe(true);
    expect(checkMessages(log, [msg('(b7{{.}}r0')]).ok).toBe(false);
    expect(checkMessages(log, [msg('r0 = 5{{.*}}exit')]).ok).toBe(false); // '.' never crosses a newline
    expect(checkMessages(log, [msg('{{^1: }}')]).ok).toBe(true); // ^ at a line start
    expect(checkMessages('a.c', [msg('a.c')]).ok).toBe(true);
    expect(checkMessages('abc', [msg('a.c')]).ok).toBe(false);
  });

  it('{{regex}} parts never backtrack exponentially (src/selftest/ere.ts), and a bad one is an error saying where', () => {
    const t0 = process.cpuUsage();
    // RegExp took 5.7 s on this 26-character line, twice as long per character more.
    expect(checkMessages('abcdefghijklmnopqrstuvwxyz\n'.repeat(100), [msg('{{(.*)*Q}}')]).ok).toBe(false);
    expect(checkMessages(log, [msg('r0{{( |=|[0-9]*)*}};'), msg('{{(a|a)*(.*.*)*}}exit')]).ok).toBe(true);
    const { user, system } = process.cpuUsage(t0);
    expect((user + system) / 1000).toBeLessThan(500);
    expect(() => msg('R{{[0-9}} type')).toThrow("Regexp compilation error in 'R[0-9 type': 'unmatched '[' at offset 1'");
    expect(() => msg('a{{(b{300}){300}c}}')).toThrow(/Regexp compilation error in 'a\(b\{300\}\)\{300\}c': 'pattern too large .* at offset 9'/);
  });

  it('__not_msg must be absent between its neighbouring matches only', () => {
    expect(checkMessages(log, [msg('r0 = 5'), msg('insn', true), msg('processed')]).ok).toBe(true); // "insns" is after "processed"
    expect(checkMessages(log, [msg('r0 = 5'), msg('exit', true), msg('processed')])).toMatchObject({ ok: false, problem: 'unexpected', index: 1 });
    expect(checkMessages(log, [msg('exit', true)]).ok).toBe(false);
    expect(checkMessages(log, [msg('processed'), msg('exit', true)]).ok).toBe(true);
  });
});

describe("ebpfvm's _strict twins (rbtree strict mode)", () => {
  it('give the @strict run its own verdict and messages', () => {
    const s = parseTestSpec(btfWithTags(['comment:0:test_expect_success', 'comment:1:test_retval=1', 'comment:2:test_expect_failure_strict', 'comment:3:test_expect_msg_strict=must be held']), 'f');
    expect(s.strictTagged).toBe(true);
    expect(s.priv).toMatchObject({ name: 'f', expectFailure: false, execute: true, retval: 1, msgs: [] });
    expect(s.strict).toMatchObject({ name: 'f @strict', expectFailure: true, execute: true, retval: 1 });
    expect(s.strict!.msgs.map((m) => m.text)).toEqual(['must be held']);
    expect(s.unpriv).toBeUndefined();
  });
  it('inherit the default expectations where not given, without an extra run', () => {
    const s = parseTestSpec(btfWithTags(['comment:0:test_expect_failure', 'comment:1:test_expect_msg=only read']), 'f');
    expect(s.strictTagged).toBe(false);
    expect(s.strict).toMatchObject({ name: 'f @strict', expectFailure: true, execute: false });
    expect(s.strict!.msgs.map((m) => m.text)).toEqual(['only read']);
    const r = parseTestSpec(btfWithTags(['comment:0:test_expect_success', 'comment:1:test_retval_strict=3']), 'f');
    expect(r.strict).toMatchObject({ expectFailure: false, execute: true, retval: 3 });
    expect(r.priv).toMatchObject({ execute: false });
  });
});
