// POSIX extended regular expressions, as test_loader compiles the `{{...}}` parts of `__msg` and
// `__xlated` patterns: regcomp(REG_EXTENDED | REG_NEWLINE), searched with regexec. Our own matcher
// rather than a JS RegExp because V8 backtracks: `(.*)*Q` against a 26-character line took seconds
// and doubles with each character, and a test object must never hang `ebpfvm test`. This one is a
// Thompson NFA simulated one text position at a time (a set of live states, as glibc does), so a
// search costs O(text length x pattern states) whatever the pattern.
//
// The grammar is glibc's ERE: literals, `.`, bracket expressions (ranges, `^` negation,
// `[:class:]`, `[=c=]`, `[.c.]`; a backslash inside brackets is literal), `*` `+` `?` `{m}` `{m,}`
// `{,n}` `{m,n}` (stackable: `a*?` is `(a*)?`, never lazy), `|`, groups, `^` `$` (at line
// boundaries: REG_NEWLINE), and backslash escapes: `\w \W \s \S` (GNU classes), `\b \B \< \>`
// (word boundaries), `` \` `` `\'` (text boundaries), any other `\c` is the character c (so `\n`
// is an `n`, as in glibc). REG_NEWLINE: neither `.` nor a negated bracket matches a newline.
// A match is POSIX's: the leftmost, and of those the longest.

/** A pattern glibc's regcomp would refuse, or one too large to expand; `offset` is where in it. */
export class EreError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`${reason} at offset ${offset}`);
  }
}

/** Repeats expand into copies of their operand; past this many NFA states a pattern is refused
 *  (test_loader's patterns have at most 256 characters and use a handful of states). */
export const MAX_STATES = 2000;
/** Deeper group nesting is refused rather than risking the parser's stack. */
const MAX_DEPTH = 200;
/** glibc's RE_DUP_MAX: the largest count an interval may name. */
const DUP_MAX = 0x7fff;

/** A character set: [lo, hi] code ranges, flat; `neg` matches what is outside them except a
 *  newline (REG_NEWLINE), unless `newline` (glibc's `\W` ignores REG_NEWLINE). */
interface CharSet {
  neg: boolean;
  ranges: number[];
  newline?: boolean;
}

const enum At { LineStart, LineEnd, TextStart, TextEnd, WordBound, NotWordBound, WordStart, WordEnd }

type Ast =
  | { t: 'set'; set: CharSet }
  | { t: 'assert'; at: At }
  | { t: 'cat'; items: Ast[] }
  | { t: 'alt'; alts: Ast[] }
  | { t: 'rep'; x: Ast; min: number; max: number /* -1: unbounded */; offset: number };

const NL = 10;
const lit = (c: number): Ast => ({ t: 'set', set: { neg: false, ranges: [c, c] } });
const code = (s: string): number => s.charCodeAt(0);
const r = (lo: string, hi: string): number[] => [code(lo), code(hi)];
const CLASSES: Record<string, number[]> = {
  alpha: [...r('a', 'z'), ...r('A', 'Z')],
  digit: r('0', '9'),
  alnum: [...r('a', 'z'), ...r('A', 'Z'), ...r('0', '9')],
  upper: r('A', 'Z'),
  lower: r('a', 'z'),
  space: [9, 13, 32, 32],
  blank: [9, 9, 32, 32],
  xdigit: [...r('0', '9'), ...r('a', 'f'), ...r('A', 'F')],
  punct: [...r('!', '/'), ...r(':', '@'), ...r('[', '`'), ...r('{', '~')],
  cntrl: [0, 31, 127, 127],
  print: [32, 126],
  graph: [33, 126],
};
const WORD = [...CLASSES.alnum!, 95, 95];

function inSet(set: CharSet, c: number): boolean {
  const rg = set.ranges;
  let found = false;
  for (let k = 0; k < rg.length && !found; k += 2) found = c >= rg[k]! && c <= rg[k + 1]!;
  return set.neg ? !found && (c !== NL || set.newline === true) : found;
}

const WORD_SET: CharSet = { neg: false, ranges: WORD };
const isWord = (text: string, i: number): boolean => i >= 0 && i < text.length && inSet(WORD_SET, text.charCodeAt(i));

function holds(at: At, text: string, i: number): boolean {
  switch (at) {
    case At.LineStart: return i === 0 || text.charCodeAt(i - 1) === NL;
    case At.LineEnd: return i === text.length || text.charCodeAt(i) === NL;
    case At.TextStart: return i === 0;
    case At.TextEnd: return i === text.length;
    case At.WordBound: return isWord(text, i - 1) !== isWord(text, i);
    case At.NotWordBound: return isWord(text, i - 1) === isWord(text, i);
    case At.WordStart: return !isWord(text, i - 1) && isWord(text, i);
    case At.WordEnd: return isWord(text, i - 1) && !isWord(text, i);
  }
}

/** Recursive descent over glibc's ERE grammar. */
function parse(src: string): Ast {
  let i = 0;
  let depth = 0;
  const fail = (reason: string, at = i): never => {
    throw new EreError(reason, at);
  };
  const sticky = (re: RegExp): RegExpExecArray | null => ((re.lastIndex = i), re.exec(src));
  const number = (): number | undefined => {
    const m = sticky(/\d+/y);
    if (!m) return undefined;
    i += m[0].length;
    const v = Number(m[0]);
    return v > DUP_MAX ? fail(`repeat count ${m[0]} exceeds ${DUP_MAX}`, i - m[0].length) : v;
  };

  function alt(): Ast {
    const alts = [cat()];
    while (src[i] === '|') i++, alts.push(cat());
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  }
  function cat(): Ast {
    const items: Ast[] = [];
    while (i < src.length && src[i] !== '|' && !(src[i] === ')' && depth > 0)) items.push(quantified());
    return items.length === 1 ? items[0]! : { t: 'cat', items };
  }
  function quantified(): Ast {
    let x = atom();
    for (;;) {
      const at = i;
      const c = src[i];
      let min: number, max: number;
      if (c === '*') (min = 0), (max = -1), i++;
      else if (c === '+') (min = 1), (max = -1), i++;
      else if (c === '?') (min = 0), (max = 1), i++;
      else if (c === '{') {
        i++;
        const lo = number();
        const comma = src[i] === ',';
        if (comma) i++;
        const hi = comma ? number() : lo;
        if (src[i] !== '}' || (lo === undefined && hi === undefined)) fail("invalid interval (want '{m}', '{m,}', '{,n}' or '{m,n}')", at);
        i++;
        min = lo ?? 0;
        max = hi ?? -1;
        if (max >= 0 && max < min) fail(`invalid interval: ${min} > ${max}`, at);
      } else return x;
      x = { t: 'rep', x, min, max, offset: at };
    }
  }
  function atom(): Ast {
    const at = i;
    const c = src[i++]!;
    switch (c) {
      case '(': {
        if (++depth > MAX_DEPTH) fail('groups nested too deeply', at);
        const inner = src[i] === ')' ? ({ t: 'cat', items: [] } as Ast) : alt();
        if (src[i] !== ')') fail("unmatched '('", at);
        i++, depth--;
        return inner;
      }
      case ')': return fail("unmatched ')'", at);
      case '*': case '+': case '?': case '{': return fail(`'${c}' has nothing to repeat`, at);
      case '.': return { t: 'set', set: { neg: true, ranges: [] } };
      case '^': return { t: 'assert', at: At.LineStart };
      case '$': return { t: 'assert', at: At.LineEnd };
      case '[': return { t: 'set', set: bracket(at) };
      case '\\': {
        if (i >= src.length) fail('trailing backslash', at);
        const e = src[i++]!;
        const asserts: Record<string, At> = { b: At.WordBound, B: At.NotWordBound, '<': At.WordStart, '>': At.WordEnd, '`': At.TextStart, "'": At.TextEnd };
        if (e >= '1' && e <= '9') fail('back-references are not supported (no polynomial-time match)', at);
        if (e in asserts) return { t: 'assert', at: asserts[e]! };
        if (e === 'w' || e === 'W') return { t: 'set', set: { neg: e === 'W', ranges: WORD, newline: true } };
        if (e === 's' || e === 'S') return { t: 'set', set: { neg: e === 'S', ranges: CLASSES.space! } };
        return lit(code(e));
      }
      default: return lit(code(c));
    }
  }
  /** After '[': items up to the closing ']' (a ']' first is literal). */
  function bracket(open: number): CharSet {
    const neg = src[i] === '^';
    if (neg) i++;
    const ranges: number[] = [];
    /** One endpoint: a character or a `[.c.]` / `[=c=]` naming one. */
    const endpoint = (): number => {
      const m = sticky(/\[([.=])(.*?)\1\]/sy);
      if (!m) return code(src[i++]!);
      if (m[2]!.length !== 1) fail(`unsupported collating element '${m[0]}'`);
      i += m[0].length;
      return code(m[2]!);
    };
    let first = true;
    for (;;) {
      if (i >= src.length) fail("unmatched '['", open);
      if (src[i] === ']' && !first) break;
      first = false;
      if (src.startsWith('[:', i)) {
        const end = src.indexOf(':]', i + 2);
        if (end < 0) fail("unterminated '[:'");
        const name = src.slice(i + 2, end);
        if (!Object.hasOwn(CLASSES, name)) fail(`unknown character class '[:${name}:]'`);
        ranges.push(...CLASSES[name]!);
        i = end + 2;
        continue;
      }
      const at = i;
      const lo = endpoint();
      if (src[i] === '-' && i + 1 < src.length && src[i + 1] !== ']') {
        i++;
        const hi = endpoint();
        if (hi < lo) fail('invalid range end', at);
        ranges.push(lo, hi);
      } else ranges.push(lo, lo);
    }
    i++;
    return { neg, ranges };
  }

  const ast = alt();
  if (i < src.length) fail("unmatched ')'"); // cat() stops only at '|', ')' or the end
  return ast;
}

const tooLarge = (offset: number) => new EreError(`pattern too large once its repeats are expanded (limit ${MAX_STATES} states)`, Math.max(offset, 0));

const enum Op { Char, Split, Assert, Match }
interface State {
  op: Op;
  out: number;
  out2: number;
  set?: CharSet;
  at?: At;
}

/** Where a search matched: [start, end) in the text. */
export interface EreMatch {
  start: number;
  end: number;
}

/** A compiled pattern: `new Ere(src)` throws an EreError for a malformed one. */
export class Ere {
  private readonly states: State[] = [];
  private readonly entry: number;
  /** Literal text every match starts with: lets a search skip to its occurrences. */
  private readonly prefix: string;
  /** Calls of compile(): bounded too, as `(){9999}{9999}` expands to no state at all. */
  private steps = 0;

  constructor(readonly source: string) {
    const ast = parse(source);
    this.prefix = literalPrefix(ast);
    const match = this.add({ op: Op.Match, out: -1, out2: -1 }, 0);
    this.entry = this.compile(ast, match, -1);
  }

  private add(s: State, offset: number): number {
    if (this.states.length >= MAX_STATES) throw tooLarge(offset);
    return this.states.push(s) - 1;
  }

  /** Thompson's construction, back to front: the states for `x`, continuing to `next`. `offset`:
   *  where the outermost repeat being expanded is (-1: none), for the error if it is too large. */
  private compile(x: Ast, next: number, offset: number): number {
    if (++this.steps > 4 * MAX_STATES) throw tooLarge(offset);
    switch (x.t) {
      case 'set': return this.add({ op: Op.Char, out: next, out2: -1, set: x.set }, offset);
      case 'assert': return this.add({ op: Op.Assert, out: next, out2: -1, at: x.at }, offset);
      case 'cat': return x.items.reduceRight((n, item) => this.compile(item, n, offset), next);
      case 'alt': return x.alts.reduceRight((n, a, k) => (k === x.alts.length - 1 ? this.compile(a, next, offset) : this.add({ op: Op.Split, out: this.compile(a, next, offset), out2: n }, offset)), -1);
      case 'rep': {
        const at = offset >= 0 ? offset : x.offset;
        // x{m,n} = m copies of x, then n-m nested optional ones (x{m,}: then a loop).
        let tail = next;
        if (x.max < 0) {
          tail = this.add({ op: Op.Split, out: -1, out2: next }, at);
          this.states[tail]!.out = this.compile(x.x, tail, at);
        } else for (let k = x.min; k < x.max; k++) tail = this.add({ op: Op.Split, out: this.compile(x.x, tail, at), out2: next }, at);
        for (let k = 0; k < x.min; k++) tail = this.compile(x.x, tail, at);
        return tail;
      }
    }
  }

  /** regexec from `from`: the leftmost-longest match at or after it, if any. `^` holds at `from`
   *  only at a line start (the text before `from` is still the text). */
  search(text: string, from = 0): EreMatch | undefined {
    const n = this.states.length;
    const states = this.states;
    // The live states at one position with the start of the match that reached each. Lists stay
    // in order of start, so the first thread to reach a state has the leftmost start: later
    // arrivals there are dropped (the same state has the same futures).
    let cur = new Int32Array(n), curStart = new Int32Array(n), curLen = 0;
    let nxt = new Int32Array(n), nxtStart = new Int32Array(n);
    const seen = new Int32Array(n).fill(-1);
    const stack = new Int32Array(n);
    let gen = 0;
    let bestStart = -1, bestEnd = -1;
    /** Adds `s` and what it reaches without reading (splits, assertions that hold at `i`). */
    const follow = (list: Int32Array, starts: Int32Array, len: number, s0: number, start: number, i: number): number => {
      let sp = 0;
      stack[sp++] = s0;
      while (sp > 0) {
        const s = stack[--sp]!;
        if (s < 0 || seen[s] === gen) continue;
        seen[s] = gen;
        const st = states[s]!;
        if (st.op === Op.Split) (stack[sp++] = st.out2), (stack[sp++] = st.out);
        else if (st.op === Op.Assert) { if (holds(st.at!, text, i)) stack[sp++] = st.out; }
        else if (st.op === Op.Match) {
          if (bestStart < 0 || start < bestStart || (start === bestStart && i > bestEnd)) (bestStart = start), (bestEnd = i);
        } else (list[len] = s), (starts[len++] = start);
      }
      return len;
    };
    for (let i = from; i <= text.length; i++) {
      if (bestStart < 0) {
        if (curLen === 0 && this.prefix) {
          const j = text.indexOf(this.prefix, i);
          if (j < 0) break;
          if (j > i) (i = j), gen++;
        }
        curLen = follow(cur, curStart, curLen, this.entry, i, i); // a match may start here
      } else if (curLen === 0) break;
      if (i === text.length) break;
      const c = text.charCodeAt(i);
      gen++;
      let nxtLen = 0;
      for (let k = 0; k < curLen; k++) {
        const st = states[cur[k]!]!;
        if (bestStart >= 0 && curStart[k]! > bestStart) break;
        if (inSet(st.set!, c)) nxtLen = follow(nxt, nxtStart, nxtLen, st.out, curStart[k]!, i + 1);
      }
      [cur, nxt] = [nxt, cur];
      [curStart, nxtStart] = [nxtStart, curStart];
      curLen = nxtLen;
    }
    return bestStart < 0 ? undefined : { start: bestStart, end: bestEnd };
  }
}

/** The single characters every match of `x` begins with (unrepeated literals up front). */
function literalPrefix(x: Ast): string {
  const items = x.t === 'cat' ? x.items : [x];
  let out = '';
  for (const it of items) {
    if (it.t !== 'set' || it.set.neg || it.set.ranges.length !== 2 || it.set.ranges[0] !== it.set.ranges[1]) break;
    out += String.fromCharCode(it.set.ranges[0]!);
  }
  return out;
}
