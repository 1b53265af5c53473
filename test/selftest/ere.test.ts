// The POSIX ERE matcher behind `{{...}}` patterns (src/selftest/ere.ts): the answers of the JS
// RegExp it replaced on every pattern the tests and the kernel selftests use, POSIX leftmost-
// longest matches on random patterns (checked against RegExp where RegExp is safe), glibc's
// grammar where it differs from JS, and polynomial time on patterns that make RegExp backtrack.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ere, EreError, MAX_STATES } from '../../src/selftest/ere.js';

const search = (src: string, text: string, from = 0) => new Ere(src).search(text, from);

/** The replaced implementation: the same pattern as a JS RegExp ('m': REG_NEWLINE's ^ and $). */
function regexpSearch(src: string, text: string, from = 0) {
  const re = new RegExp(src, 'mg');
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? { start: m.index, end: m.index + m[0].length } : undefined;
}

const LOG = [
  '0: R1=ctx() R10=fp0',
  '0: (b7) r0 = 5 ; R0_w=5',
  '3: (2d) if r0 > r1 goto pc+2 ; R0_w=scalar(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f))',
  'R1 type=scalar expected=percpu_ptr_',
  'R12 invalid mem access \'scalar\'',
  'Unreleased reference id=3 alloc_insn=21',
  'R0 !read_ok',
  '\tcallq\t0xffffffffc0000000',
  '\tmovabsq\t$0xffff888100000000, %rsi',
  '\tjmp\t0x1234',
  '\tretq',
  'processed 2 insns (limit 1000000)',
  '',
].join('\n');

describe('the patterns in use: the same answers as the RegExp it replaced', () => {
  // The {{...}} patterns of test/ and of the 6.1 / 6.12 selftests' progs/*.c (as compile_regex
  // builds them: the verbatim parts escaped).
  const PATTERNS = [
    '[0-9]+', '.*', '(retq|jmp\t0x)', '!read_ok|not initialized', '5|6', 'P?', '.', 'R[0-9]', '^1: ', '[[:digit:]]+',
    'R[0-9]+ type=scalar expected=percpu_ptr_', "R[0-9]+ invalid mem access 'scalar'", 'R[0-9]+ cannot write into rdonly_mem',
    'Unreleased reference id=3 alloc_insn=[0-9]+', 'Unreleased reference id=[0-9]+ alloc_insn=2[0-9]',
    '3: \\(2d\\) if r0 > r1 .* R0_w=scalar\\(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=\\(0x0; 0x7f\\)\\)',
    '\tcallq\t0x.*', '\t(retq|jmp\t0x)', '\tmovabsq\t\\$.*, %rsi', '\tjmp\t.*', 'R0 (!read_ok|not initialized)',
    'processed [0-9]+ insns', '\\(b7.\\) r0', '\\(b7. r0', 'r0 = 5.*exit',
  ];
  it.each(PATTERNS)('%j', (src) => {
    for (let from = 0; from <= LOG.length; from += 7) expect(search(src, LOG, from)).toEqual(regexpSearch(src.replace('[[:digit:]]', '[0-9]'), LOG, from));
  });
});

// Random patterns of the ERE grammar, each rendered twice: as ERE and as the JS RegExp source
// with the same meaning (REG_NEWLINE: a negated bracket never matches a newline).
type Pat = { ere: string; js: string; quantifiable: boolean };
const ALPHABET = ['a', 'b', '.', ' ', '\n'];
const CLASS_JS: Record<string, string> = { alpha: 'a-zA-Z', digit: '0-9', space: ' \\t\\n\\v\\f\\r', punct: '!-\\/:-@\\[-`{-~' };
const bracketItem = fc.oneof(
  fc.constantFrom('a', 'b', '.', ' ').map((c) => ({ ere: c, js: c === ' ' ? ' ' : c })),
  fc.constant({ ere: 'a-b', js: 'a-b' }),
  fc.constantFrom(...Object.keys(CLASS_JS)).map((n) => ({ ere: `[:${n}:]`, js: CLASS_JS[n]! })),
);
const atom: fc.Arbitrary<Pat> = fc.oneof(
  fc.constantFrom('a', 'b', ' ').map((c) => ({ ere: c, js: c, quantifiable: true })),
  fc.constant({ ere: '\\.', js: '\\.', quantifiable: true }),
  fc.constant({ ere: '.', js: '.', quantifiable: true }),
  fc.constantFrom('\\w', '\\W', '\\s', '\\S').map((e) => ({ ere: e, js: e, quantifiable: true })),
  fc.constantFrom('^', '$', '\\b', '\\B').map((e) => ({ ere: e, js: e, quantifiable: false })),
  fc.tuple(fc.boolean(), fc.array(bracketItem, { minLength: 1, maxLength: 3 })).map(([neg, items]) => ({
    ere: `[${neg ? '^' : ''}${items.map((x) => x.ere).join('')}]`,
    js: `[${neg ? '^' : ''}${items.map((x) => x.js).join('')}${neg ? '\\n' : ''}]`,
    quantifiable: true,
  })),
);
const QUANTS = ['*', '+', '?', '{2}', '{1,}', '{0,2}', '{1,3}'];
const { pat } = fc.letrec<{ pat: Pat; piece: Pat }>((tie) => ({
  piece: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    tie('pat').map((p) => ({ ere: `(${p.ere})`, js: `(?:${p.js})`, quantifiable: true })),
    fc.tuple(tie('piece'), fc.constantFrom(...QUANTS)).map(([p, q]) =>
      p.quantifiable ? { ere: `${p.ere}${q}`, js: `${p.js}${q}`, quantifiable: false } : p,
    ),
  ),
  pat: fc.oneof(
    { depthSize: 'small' },
    fc.array(tie('piece'), { minLength: 1, maxLength: 4 }).map((ps) => ({ ere: ps.map((p) => p.ere).join(''), js: ps.map((p) => p.js).join(''), quantifiable: false })),
    fc.tuple(tie('pat'), tie('pat')).map(([a, b]) => ({ ere: `${a.ere}|${b.ere}`, js: `${a.js}|${b.js}`, quantifiable: false })),
  ),
}));

/** Whether JS's RegExp has a match of `js` over exactly [start, end) of the text. */
function regexpSpans(js: string, text: string, start: number, end: number): boolean {
  const re = new RegExp(`(?:${js})(?<=[^]{${end}})(?<![^]{${end + 1}})`, 'my');
  re.lastIndex = start;
  return re.test(text);
}

describe('random patterns: POSIX leftmost-longest, where RegExp finds the leftmost', () => {
  it('agrees with RegExp on whether and where a match starts, and ends at the longest RegExp can reach', () => {
    fc.assert(
      fc.property(pat, fc.array(fc.constantFrom(...ALPHABET), { maxLength: 8 }), fc.nat(8), (p, chars, f) => {
        const text = chars.join('');
        const from = Math.min(f, text.length);
        const got = search(p.ere, text, from);
        const leftmost = regexpSearch(p.js, text, from);
        expect(got?.start).toBe(leftmost?.start);
        if (!got) return;
        let longest = text.length;
        while (!regexpSpans(p.js, text, got.start, longest)) longest--;
        expect(got.end).toBe(longest);
      }),
      { numRuns: 1500 },
    );
  });
});

describe("glibc's grammar where it is not JS's", () => {
  it('POSIX answers', () => {
    expect(search('a|ab', 'xab')).toEqual({ start: 1, end: 3 }); // longest, not the first alternative
    expect(search('(a|ab)(c|bcd)', 'abcd')).toEqual({ start: 0, end: 4 });
    expect(search('[^a]', '\nb')).toEqual({ start: 1, end: 2 }); // REG_NEWLINE
    expect(search('\\W', '\n')).toEqual({ start: 0, end: 1 }); // ... but not for \W
    expect(search('[\\n]', 'n')).toEqual({ start: 0, end: 1 }); // a backslash in brackets is literal
    expect(search('[\\n]', '\\')).toEqual({ start: 0, end: 1 });
    expect(search('\\n', 'n')).toEqual({ start: 0, end: 1 }); // \c is c
    expect(search('[]a]+', 'x]a]')).toEqual({ start: 1, end: 4 });
    expect(search('[^]a]', ']ab')).toEqual({ start: 2, end: 3 });
    expect(search('[[.-.]a]+', 'x-a')).toEqual({ start: 1, end: 3 });
    expect(search('a*?', 'aa')).toEqual({ start: 0, end: 2 }); // stacked repeats, never lazy
    expect(search('a{,2}', 'aaa')).toEqual({ start: 0, end: 2 });
    expect(search('\\<b', 'ab b')).toEqual({ start: 3, end: 4 });
    expect(search('a\\>', 'aa a')).toEqual({ start: 1, end: 2 });
    expect(search("\\`a|b\\'", 'ab\nab')).toEqual({ start: 0, end: 1 });
    expect(search("b\\'", 'b\nab')).toEqual({ start: 3, end: 4 });
    expect(search('', 'abc', 2)).toEqual({ start: 2, end: 2 });
    expect(search('()|x', 'x')).toEqual({ start: 0, end: 1 });
  });

  it('a malformed pattern is an error naming what and where', () => {
    const bad: [string, RegExp][] = [
      ['ab(c', /unmatched '\(' at offset 2/],
      ['abc)', /unmatched '\)' at offset 3/],
      ['a[bc', /unmatched '\[' at offset 1/],
      ['*a', /'\*' has nothing to repeat at offset 0/],
      ['a|+', /'\+' has nothing to repeat at offset 2/],
      ['x{2', /invalid interval .* at offset 1/],
      ['x{3,2}', /invalid interval: 3 > 2 at offset 1/],
      ['x{99999}', /repeat count 99999 exceeds 32767 at offset 2/],
      ['[[:word:]]', /unknown character class '\[:word:\]' at offset 1/],
      ['[[:alpha]', /unterminated '\[:' at offset 1/],
      ['[z-a]', /invalid range end at offset 1/],
      ['(a)\\1', /back-references are not supported .* at offset 3/],
      ['ab\\', /trailing backslash at offset 2/],
      ['(a{100}){100}', /pattern too large .*limit 2000 states.* at offset/],
      ['((){1000}){1000}', /pattern too large/],
      ['('.repeat(300) + ')'.repeat(300), /groups nested too deeply/],
    ];
    for (const [src, want] of bad) {
      expect(() => new Ere(src), src).toThrow(EreError);
      expect(() => new Ere(src), src).toThrow(want);
    }
    expect(() => new Ere('a{1000}b{900}')).not.toThrow();
    expect(() => new Ere(`a{${MAX_STATES}}`)).toThrow(/too large/);
  });
});

describe('hostile patterns finish in milliseconds (RegExp backtracks exponentially on them)', () => {
  const cases: [string, string][] = [
    ['(.*)*Q', 'abcdefghijklmnopqrstuvwxyz'],
    ['(a*)*b', 'a'.repeat(5000)],
    ['(a|a)*b', 'a'.repeat(5000)],
    ['((a+)+)+$', 'a'.repeat(5000) + '!'],
    ['(.*.*.*.*)*x', 'y'.repeat(20000)],
    ['(a|aa){1,30}c', 'a'.repeat(2000)],
    ['([[:alnum:]]*,?)*;', 'var_off=(0x0, 0x7f)'.repeat(500)],
  ];
  it.each(cases)('%j', (src, text) => {
    const t0 = process.cpuUsage();
    expect(search(src, text)).toBeUndefined();
    const { user, system } = process.cpuUsage(t0);
    expect((user + system) / 1000).toBeLessThan(500); // ms of CPU; typically a few
  });

  it('a long log with a verbatim prefix is searched by indexOf between candidates', () => {
    const log = 'R1 type=scalar ok\n'.repeat(50000) + 'R7 invalid mem access';
    const t0 = process.cpuUsage();
    const at = log.lastIndexOf('R7');
    expect(search('R[0-9]+ invalid mem', log)).toEqual({ start: at, end: at + 'R7 invalid mem'.length });
    expect(search('(.*)*Q', log)).toBeUndefined();
    const { user, system } = process.cpuUsage(t0);
    expect((user + system) / 1000).toBeLessThan(2000);
  });
});
