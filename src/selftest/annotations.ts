// The kernel's selftest annotations (tools/testing/selftests/bpf/progs/bpf_misc.h, read by
// test_loader.c): BTF decl tags on a program's FUNC that say what loading it must give. This is
// the one home of their vocabulary, their parsing and the log matching; `ebpfvm test`
// (src/selftest/runner.ts), the loader's program selection (`__auxiliary`) and the kernel-fixture
// test all read annotations through here. No node: imports (the loader uses it).
//
// Three encodings exist and all are accepted:
//   newest trees:  "comment:<N>:test_expect_msg=foo"   (every tag numbered by __COUNTER__; the
//                  loader sorts the tags with strverscmp to recover source order)
//   6.12:          "comment:test_expect_msg=<N>=foo"   (only msg/xlated/jited numbered, in the
//                  payload; order is BTF order, which clang emits in source order)
//   older:         "comment:test_expect_msg=foo"
import { BtfKind, type Btf } from '../btf/btf.js';
import { Ere, EreError } from './ere.js';

/** BPF_F_* program flags `__flag` may name (include/uapi/linux/bpf.h). */
export const PROG_FLAGS: Readonly<Record<string, number>> = {
  BPF_F_STRICT_ALIGNMENT: 1 << 0,
  BPF_F_ANY_ALIGNMENT: 1 << 1,
  BPF_F_TEST_RND_HI32: 1 << 2,
  BPF_F_TEST_STATE_FREQ: 1 << 3,
  BPF_F_SLEEPABLE: 1 << 4,
  BPF_F_XDP_HAS_FRAGS: 1 << 5,
  BPF_F_TEST_REG_INVARIANTS: 1 << 7,
};

/** The kernel's POINTER_VALUE (`0xcafe4all`): an expected retval that disables the comparison. */
export const POINTER_VALUE = 0xcafe4a;
/** test_loader's TEST_DATA_LEN: the data_in size of a `__retval` run (data_out is 4x). */
export const TEST_DATA_LEN = 64;

const NAMED_RETVALS: Readonly<Record<string, number>> = {
  INT_MIN: -0x80000000,
  _INT_MIN: -0x80000000,
  POINTER_VALUE,
  TEST_DATA_LEN,
};

/** glibc's strverscmp: strings compared as strcmp, except that digit runs compare as numbers
 *  ("comment:9:" < "comment:10:"), runs with leading zeros as fractional parts ("09" < "0"). */
export function strverscmp(a: string, b: string): number {
  // Character classes: 0 other, 1 digit 1-9, 2 the digit 0.
  const cls = (c: number) => (c === 0x30 ? 2 : c > 0x30 && c <= 0x39 ? 1 : 0);
  const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
  const at = (s: string, i: number) => (i < s.length ? s.charCodeAt(i) : 0);
  // States: 0 normal, 1 in an integral digit run, 2 in a fractional run, 3 in leading zeros.
  // NEXT[state][class of the character just passed]
  const NEXT = [
    [0, 1, 3],
    [0, 1, 1],
    [0, 2, 2],
    [0, 2, 3],
  ];
  const CMP = 2, LEN = 3;
  // RESULT[state][class of a's char * 3 + class of b's char] at the first difference.
  const RESULT = [
    [CMP, CMP, CMP, CMP, LEN, CMP, CMP, CMP, CMP],
    [CMP, -1, -1, +1, LEN, LEN, +1, LEN, LEN],
    [CMP, CMP, CMP, CMP, CMP, CMP, CMP, CMP, CMP],
    [CMP, +1, +1, -1, CMP, CMP, -1, CMP, CMP],
  ];
  let i = 0;
  let state = 0;
  let c1 = at(a, 0);
  let c2 = at(b, 0);
  while (c1 === c2) {
    if (c1 === 0) return 0;
    state = NEXT[state]![cls(c1)]!;
    i++;
    c1 = at(a, i);
    c2 = at(b, i);
  }
  const r = RESULT[state]![cls(c1) * 3 + cls(c2)]!;
  if (r === CMP) return c1 - c2;
  if (r !== LEN) return r;
  // Both inside an integral run: the longer run is the bigger number, else the first difference.
  let j = i;
  while (isDigit(at(a, j))) {
    if (!isDigit(at(b, j))) return 1;
    j++;
  }
  return isDigit(at(b, j)) ? -1 : c1 - c2;
}

/** Tag payloads of program `funcName` in the kernel's order, with "comment:" and any
 *  "<N>:" counter removed. Tags without "comment:" are not annotations and are left out. */
export function programTags(btf: Btf, funcName: string): string[] {
  const func = btf.find(funcName, BtfKind.FUNC)[0];
  if (!func) return [];
  const raw: string[] = [];
  for (const t of btf.types) {
    if (t.kind === BtfKind.DECL_TAG && t.sizeOrType === func.id && t.componentIdx === -1 && t.name.startsWith('comment:')) raw.push(t.name);
  }
  const numbered = /^comment:\d+:/;
  // Numbered tags sort by their counter (strverscmp, as test_loader); others keep BTF order after them.
  const withCounter = raw.filter((s) => numbered.test(s)).sort(strverscmp);
  const plain = raw.filter((s) => !numbered.test(s));
  return [...withCounter.map((s) => s.replace(numbered, '')), ...plain.map((s) => s.slice('comment:'.length))];
}

/** One `__msg` / `__not_msg` pattern: verbatim text with `{{POSIX ERE}}` parts. */
export interface MsgPattern {
  text: string;
  negative: boolean;
  /** Set when the text has `{{...}}`: the whole pattern as test_loader compiles it (ere.ts). */
  regex?: Ere;
  /** Disassembly patterns (`__xlated`): must match on the line after the previous pattern's
   *  (unless a `...` pattern came between them). */
  onNextLine?: boolean;
}

/** Expectations of one mode (privileged, or the `@unpriv` run). */
export interface SubSpec {
  /** Display name: the description (or program name), plus " @unpriv" for the unprivileged run. */
  name: string;
  expectFailure: boolean;
  msgs: MsgPattern[];
  /** `__xlated`: patterns for the verifier's rewrite of the program, as test_loader prints it
   *  (`N: insn` lines, verifier/fixups.ts makes the program). */
  xlated: MsgPattern[];
  /** Run the program after a successful load and compare r0 (`__retval`). */
  execute: boolean;
  retval: number;
}

export interface TestSpec {
  progName: string;
  description?: string;
  priv?: SubSpec;
  unpriv?: SubSpec;
  /** Expectations of the rbtree strict-mode run (ebpfvm's `_strict` twins: `__success_strict`,
   *  `__failure_strict`, `__msg_strict`, `__not_msg_strict`, `__retval_strict`); like `@unpriv`,
   *  inherited from the privileged ones where not given. Set whenever `priv` is. */
  strict?: SubSpec;
  /** The program has `_strict` tags: its verdict or messages differ in strict mode, so a default
   *  `ebpfvm test` adds an `@strict` run. */
  strictTagged: boolean;
  logLevel: number;
  progFlags: number;
  auxiliary: boolean;
  /** Load as auxiliary in privileged / unprivileged runs of the object's other tests. */
  auxiliaryModes: { priv: boolean; unpriv: boolean };
  /** `__arch_*` given and none is this machine's (x86_64): the kernel loader skips such tests. */
  archMismatch: boolean;
  /** `__skip(reason)`. */
  skip?: string;
  /** Annotations ebpfvm does not check (xlated, jited, stdout/stderr): recorded, so a report can say so. */
  unchecked: string[];
}

/** An annotation the kernel's loader could not parse either (bad number, bad regex, bad flag). */
export class AnnotationError extends Error {}

function parseInt32(s: string, what: string): number {
  // C literals as XSTR() expands them may carry integer suffixes (0xcafe4all).
  const m = /^(-?)(0x[0-9a-fA-F]+|\d+)(?:[uU]?[lL]{0,2}|[lL]{1,2}[uU])$/.exec(s.trim());
  if (!m) throw new AnnotationError(`failed to parse ${what} from '${s}'`);
  const v = BigInt(m[1] + m[2]!);
  // strtol then a cast to int, as test_loader does.
  return Number(BigInt.asIntN(32, v));
}

function parseRetval(s: string): number {
  return Object.hasOwn(NAMED_RETVALS, s) ? NAMED_RETVALS[s]! : parseInt32(s, '__retval');
}

const ERE_SPECIAL = new Set('.[]\\()*+?{}|^$'.split(''));

/** test_loader's compile_regex: the verbatim parts escaped, the `{{...}}` parts as they are. */
function compilePattern(text: string): Ere | undefined {
  if (!text.includes('{{')) return undefined;
  let out = '';
  let i = 0;
  let inRegex = false;
  while (i < text.length) {
    if (!inRegex && text.startsWith('{{', i)) {
      inRegex = true;
      i += 2;
      continue;
    }
    if (inRegex && text.startsWith('}}', i)) {
      inRegex = false;
      i += 2;
      continue;
    }
    const c = text[i]!;
    if (inRegex) {
      // the regex part up to the closing braces goes in as it is
      const end = text.indexOf('}}', i);
      if (end < 0) break;
      out += text.slice(i, end);
      i = end;
      continue;
    }
    out += ERE_SPECIAL.has(c) ? `\\${c}` : c;
    i++;
  }
  if (inRegex) throw new AnnotationError(`Regexp has open '{{' but no closing '}}': '${text}'`);
  try {
    return new Ere(out);
  } catch (e) {
    if (!(e instanceof EreError)) throw e;
    throw new AnnotationError(`Regexp compilation error in '${out}': '${e.message}'`);
  }
}

function msgPattern(text: string, negative: boolean): MsgPattern {
  const regex = compilePattern(text);
  return regex ? { text, negative, regex } : { text, negative };
}

/** The payload after a msg-like prefix: 6.12 put a "<N>=" counter there, others did not. */
function msgPayload(s: string, prefix: string, numberedForm: boolean): string {
  const rest = s.slice(prefix.length);
  if (numberedForm) return rest;
  const m = /^\d+=/.exec(rest);
  return m ? rest.slice(m[0].length) : rest;
}

/** The test spec of one program, as test_loader's parse_test_spec builds it. */
export function parseTestSpec(btf: Btf, progName: string): TestSpec {
  const func = btf.find(progName, BtfKind.FUNC)[0];
  const numberedForm = func
    ? btf.types.some((t) => t.kind === BtfKind.DECL_TAG && t.sizeOrType === func.id && /^comment:\d+:/.test(t.name))
    : false;
  const tags = programTags(btf, progName);
  const PRIV = 1, UNPRIV = 2;
  let mode = 0;
  let description: string | undefined;
  const priv = { expectFailure: false, msgs: [] as MsgPattern[], xlated: [] as MsgPattern[], execute: false, retval: 0 };
  const unpriv = { expectFailure: false, msgs: [] as MsgPattern[], xlated: [] as MsgPattern[], execute: false, retval: 0 };
  const strict = { expectFailure: false, msgs: [] as MsgPattern[], xlated: [] as MsgPattern[], execute: false, retval: 0 };
  let hasStrictResult = false;
  let hasStrictRetval = false;
  let strictTagged = false;
  let hasUnprivResult = false;
  let hasUnprivRetval = false;
  let logLevel = 0;
  let progFlags = 0;
  let auxiliary = false;
  const auxiliaryModes = { priv: false, unpriv: false };
  let archMask = 0;
  let skip: string | undefined;
  const unchecked: string[] = [];
  const valueOf = (s: string, prefix: string) => (s.startsWith(prefix) ? s.slice(prefix.length) : undefined);
  // push_disasm_msg: each disassembly pattern is on the line after the previous one, except
  // after a `...` (which is not a pattern itself).
  const nextLine = { priv: true, unpriv: true };
  const pushDisasm = (text: string, which: 'priv' | 'unpriv') => {
    if (text === '...') {
      nextLine[which] = false;
      return;
    }
    (which === 'priv' ? priv : unpriv).xlated.push({ ...msgPattern(text, false), onNextLine: nextLine[which] });
    nextLine[which] = true;
  };

  for (const s of tags) {
    let v: string | undefined;
    if ((v = valueOf(s, 'test_description=')) !== undefined) description = v;
    else if (s === 'test_expect_failure') (priv.expectFailure = true), (mode |= PRIV);
    else if (s === 'test_expect_success') (priv.expectFailure = false), (mode |= PRIV);
    else if (s === 'test_expect_failure_unpriv') (unpriv.expectFailure = true), (mode |= UNPRIV), (hasUnprivResult = true);
    else if (s === 'test_expect_success_unpriv') (unpriv.expectFailure = false), (mode |= UNPRIV), (hasUnprivResult = true);
    else if (s === 'test_expect_failure_strict') (strict.expectFailure = true), (hasStrictResult = strictTagged = true);
    else if (s === 'test_expect_success_strict') (strict.expectFailure = false), (hasStrictResult = strictTagged = true);
    else if (s.startsWith('test_expect_msg_strict=')) strict.msgs.push(msgPattern(msgPayload(s, 'test_expect_msg_strict=', numberedForm), false)), (strictTagged = true);
    else if (s.startsWith('test_expect_not_msg_strict=')) strict.msgs.push(msgPattern(msgPayload(s, 'test_expect_not_msg_strict=', numberedForm), true)), (strictTagged = true);
    else if ((v = valueOf(s, 'test_retval_strict=')) !== undefined) (strict.retval = parseRetval(v)), (strict.execute = true), (hasStrictRetval = strictTagged = true);
    else if (s === 'test_auxiliary') (auxiliary = true), (auxiliaryModes.priv = true), (mode |= PRIV);
    else if (s === 'test_auxiliary_unpriv') (auxiliary = true), (auxiliaryModes.unpriv = true), (mode |= UNPRIV);
    else if (s.startsWith('test_expect_msg_unpriv=')) unpriv.msgs.push(msgPattern(msgPayload(s, 'test_expect_msg_unpriv=', numberedForm), false)), (mode |= UNPRIV);
    else if (s.startsWith('test_expect_msg=')) priv.msgs.push(msgPattern(msgPayload(s, 'test_expect_msg=', numberedForm), false)), (mode |= PRIV);
    else if (s.startsWith('test_expect_not_msg_unpriv=')) unpriv.msgs.push(msgPattern(msgPayload(s, 'test_expect_not_msg_unpriv=', numberedForm), true)), (mode |= UNPRIV);
    else if (s.startsWith('test_expect_not_msg=')) priv.msgs.push(msgPattern(msgPayload(s, 'test_expect_not_msg=', numberedForm), true)), (mode |= PRIV);
    else if ((v = valueOf(s, 'test_retval_unpriv=')) !== undefined) (unpriv.retval = parseRetval(v)), (unpriv.execute = true), (hasUnprivRetval = true), (mode |= UNPRIV);
    else if ((v = valueOf(s, 'test_retval=')) !== undefined) (priv.retval = parseRetval(v)), (priv.execute = true), (mode |= PRIV);
    else if ((v = valueOf(s, 'test_log_level=')) !== undefined) logLevel = parseInt32(v, 'test log level');
    else if ((v = valueOf(s, 'test_prog_flags=')) !== undefined) {
      const clear = v.startsWith('!');
      const name = clear ? v.slice(1) : v;
      const flag = Object.hasOwn(PROG_FLAGS, name) ? PROG_FLAGS[name]! : parseInt32(name, 'test prog flags');
      progFlags = clear ? progFlags & ~flag : progFlags | flag;
    } else if ((v = valueOf(s, 'test_arch=')) !== undefined) {
      const arches: Record<string, number> = { X86_64: 2, ARM64: 4, RISCV64: 8, s390x: 16, LOONGARCH: 32 };
      if (!Object.hasOwn(arches, v)) throw new AnnotationError(`bad arch spec: '${v}'`);
      archMask |= arches[v]!;
    } else if ((v = valueOf(s, 'test_skip=')) !== undefined) skip = v;
    else if (s.startsWith('test_expect_xlated_unpriv=')) pushDisasm(msgPayload(s, 'test_expect_xlated_unpriv=', numberedForm), 'unpriv'), (mode |= UNPRIV);
    else if (s.startsWith('test_expect_xlated=')) pushDisasm(msgPayload(s, 'test_expect_xlated=', numberedForm), 'priv'), (mode |= PRIV);
    else if (/^(test_jited|test_expect_stderr|test_expect_stdout)(_unpriv)?=/.test(s)) {
      unchecked.push(s.slice(0, s.indexOf('=')));
      mode |= s.includes('_unpriv=') ? UNPRIV : PRIV;
    }
    // test_btf_path, test_caps_unpriv, load_mode, test_linear_size, test_log_always: no effect here
  }
  if (mode === 0) mode = PRIV;
  // Without its own expectations the unprivileged run inherits the privileged ones.
  if (!hasUnprivResult) unpriv.expectFailure = priv.expectFailure;
  if (!hasUnprivRetval) (unpriv.retval = priv.retval), (unpriv.execute = priv.execute);
  if (unpriv.msgs.length === 0) unpriv.msgs = priv.msgs.slice();
  if (unpriv.xlated.length === 0) unpriv.xlated = priv.xlated.slice();
  // The strict run inherits the same way.
  if (!hasStrictResult) strict.expectFailure = priv.expectFailure;
  if (!hasStrictRetval) (strict.retval = priv.retval), (strict.execute = priv.execute);
  if (strict.msgs.length === 0) strict.msgs = priv.msgs.slice();
  if (strict.xlated.length === 0) strict.xlated = priv.xlated.slice();
  const display = description ?? progName;
  const spec: TestSpec = {
    progName,
    logLevel,
    progFlags,
    auxiliary,
    auxiliaryModes,
    archMismatch: archMask !== 0 && (archMask & 2) === 0,
    unchecked,
    strictTagged,
  };
  if (description !== undefined) spec.description = description;
  if (skip !== undefined) spec.skip = skip;
  if (mode & PRIV || strictTagged) spec.priv = { name: display, ...priv };
  if (spec.priv) spec.strict = { name: `${display} @strict`, ...strict };
  if (mode & UNPRIV) spec.unpriv = { name: `${display} @unpriv`, ...unpriv };
  return spec;
}

/** Whether `progName` is an `__auxiliary` program loaded with the object's privileged tests
 *  (`unpriv`: with its unprivileged ones). A program whose tags do not parse is not one. */
export function isAuxiliary(btf: Btf | undefined, progName: string, unpriv = false): boolean {
  if (!btf) return false;
  try {
    const s = parseTestSpec(btf, progName);
    return s.auxiliary && (unpriv ? s.auxiliaryModes.unpriv || (s.auxiliaryModes.priv && !!s.unpriv) : s.auxiliaryModes.priv || (s.auxiliaryModes.unpriv && !!s.priv));
  } catch {
    return false;
  }
}

/** Where one pattern matched in a log. */
interface Match {
  start: number;
  end: number;
}

function findFrom(p: MsgPattern, log: string, from: number): Match | undefined {
  if (!p.regex) {
    const at = log.indexOf(p.text, from);
    return at < 0 ? undefined : { start: at, end: at + p.text.length };
  }
  return p.regex.search(log, from);
}

/** Result of matching patterns against a log: the first problem, if any. */
export interface MsgCheck {
  ok: boolean;
  /** 'missing' (a __msg not found after the previous one), 'unexpected' (a __not_msg found), or
   *  'wrong line' (a disassembly pattern found, but not on the line after the previous one). */
  problem?: 'missing' | 'unexpected' | 'wrong line';
  pattern?: MsgPattern;
  index?: number;
}

/** test_loader's validate_msgs: positive patterns in order, each searched from the end of the
 *  previous match; each negative pattern must be absent between its neighbouring positive matches. */
export function checkMessages(log: string, patterns: readonly MsgPattern[]): MsgCheck {
  const matches: (Match | undefined)[] = new Array(patterns.length).fill(undefined);
  let pos = 0;
  patterns.forEach((p, i) => {
    if (p.negative) return;
    const m = findFrom(p, log, pos);
    if (m) {
      matches[i] = m;
      pos = m.end;
    }
  });
  let spanStart = 0;
  for (let i = 0; i < patterns.length; i++) {
    const p = patterns[i]!;
    if (!p.negative) {
      if (matches[i]) spanStart = matches[i]!.end;
      continue;
    }
    let next = i + 1;
    while (next < patterns.length && patterns[next]!.negative) next++;
    const spanEnd = next < patterns.length ? (matches[next]?.start ?? -1) : log.length;
    for (let j = i; j < next; j++) {
      const m = findFrom(patterns[j]!, log, spanStart);
      if (m && m.end <= spanEnd) matches[j] = m;
    }
    i = next - 1;
  }
  for (let i = 0; i < patterns.length; i++) {
    const p = patterns[i]!;
    if (!p.negative && !matches[i]) return { ok: false, problem: 'missing', pattern: p, index: i };
    if (p.negative && matches[i]) return { ok: false, problem: 'unexpected', pattern: p, index: i };
  }
  return { ok: true };
}

/** test_loader's validate_msgs for disassembly patterns (`__xlated`): each in order, searched
 *  from the end of the previous match, and an `onNextLine` one on the line after the previous
 *  match's. */
export function checkDisasm(text: string, patterns: readonly MsgPattern[]): MsgCheck {
  let pos = 0;
  let prevLine = -1;
  const lineOf = (at: number): number => text.slice(0, at).split('\n').length - 1;
  for (let i = 0; i < patterns.length; i++) {
    const p = patterns[i]!;
    const m = findFrom(p, text, pos);
    if (!m) return { ok: false, problem: 'missing', pattern: p, index: i };
    const line = lineOf(m.start);
    if (p.onNextLine && prevLine >= 0 && line !== prevLine + 1) return { ok: false, problem: 'wrong line', pattern: p, index: i };
    prevLine = line;
    pos = m.end;
  }
  return { ok: true };
}

/** One line saying why a message check failed, in test_loader's words. */
export function describeMsgCheck(c: MsgCheck): string {
  if (c.ok || !c.pattern) return 'ok';
  const kind = c.pattern.regex ? 'REGEX' : 'SUBSTR';
  if (c.problem === 'wrong line') return `WRONG LINE ${kind}: '${c.pattern.text}' is not on the line after the previous match`;
  return c.problem === 'missing' ? `EXPECTED ${kind}: '${c.pattern.text}' not in the log` : `UNEXPECTED ${kind}: '${c.pattern.text}' is in the log`;
}
