// The playground page (issue 18). Everything runs here, on the library's browser entry: the page
// opens an object, lists it, disassembles it, verifies it and runs it with the same code and the
// same words as the `ebpfvm` command (inspect, disasm --source, verify --log-level, run
// --dump-maps). No server: bundled examples are inlined, user objects come from a file picker or a
// drop. State worth sharing (example, program, packet or hex input, repeat, view) lives in the
// URL's hash.
import {
  PerfEventArrayMap,
  RbtreeApi,
  Runtime,
  TestRunInputError,
  VerifierError,
  VmFault,
  BtfKind,
  btfTypeRows,
  dumpMapRaw,
  errorReport,
  formatBtfC,
  formatListing,
  fromHex,
  hexDump,
  isRbtreeMap,
  listingUnits,
  load,
  mapTypeName,
  mapViews,
  objectNameFromPath,
  openObject,
  programVerdict,
  resultLine,
  summarize,
  testRun,
  toHex,
  verdictLine,
  verifyForRun,
  type Engine,
  type LoadedObject,
  type MapView,
  type ObjectSpec,
  type ProgramVerdict,
  type RbtreeShape,
  type RunOutput,
  type TestRunResult,
  type TraceStep,
} from '../../src/browser.js';
import { EXAMPLES, PACKETS, base64Bytes, type Example } from './examples.js';

// ---- small DOM helpers ------------------------------------------------------------------------

type Child = Node | string | number | null | undefined | false;
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | number | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}
const SVG = 'http://www.w3.org/2000/svg';
function s(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const KIND_NAMES: Record<number, string> = Object.fromEntries(Object.entries(BtfKind).map(([k, v]) => [v, k]));
const json = (v: unknown): string => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? toHex(x) : x));

// ---- engine: the compiling tier needs new Function, which the page's CSP may forbid ----------

function detectEngine(): { engine: Engine; why: string } {
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    if (new Function('return 1')() === 1) return { engine: 'compiled', why: "compiled (the CSP allows its new Function)" };
  } catch {
    /* refused by the content-security policy */
  }
  return { engine: 'interpreter', why: 'interpreter (the CSP forbids new Function, which the compiling tier needs)' };
}
const ENGINE = new URLSearchParams(location.search).get('engine') === 'interpreter' ? { engine: 'interpreter' as Engine, why: 'interpreter (?engine=interpreter)' } : detectEngine();

// ---- state -------------------------------------------------------------------------------------

type View = 'object' | 'disasm' | 'verifier' | 'run' | 'maps' | 'step';
const VIEWS: readonly View[] = ['object', 'disasm', 'verifier', 'run', 'maps', 'step'];

interface RunRecord {
  dataIn?: Uint8Array;
  result?: TestRunResult;
  output: RunOutput;
  /** Error lines as the CLI words them (`ebpfvm: ...`), a verifier log before them. */
  error?: string;
  log?: string;
  verifierLine?: string;
}

interface TraceRecord {
  steps: { line: string; pc: number; depth: number; regs: Int32Array; stack: Uint8Array; fp: number }[];
  truncated: boolean;
  run: RunRecord;
}

interface State {
  example?: Example;
  name: string;
  bytes: Uint8Array;
  spec: ObjectSpec;
  prog: string;
  view: View;
  packet: string; // a PACKETS id, or 'custom'
  hex: string;
  /** ctx_in as hex; empty: none (the kernel's default context). */
  ctx: string;
  repeat: number;
  dialect: 'llvm' | 'kernel';
  logLevel: 1 | 2;
  /** The rbtree verifier's strict mode (`ebpfvm verify --strict`): mainline's lock discipline. */
  strict: boolean;
  verdicts: Map<string, ProgramVerdict>;
  /** The live object runs share (maps persist across runs until reset). */
  live?: { obj: LoadedObject; runtime: Runtime; verifierLine?: string; runs: number };
  lastRun?: RunRecord;
  trace?: TraceRecord;
  traceIndex: number;
  focusPc?: number;
}

let st: State | undefined;

// ---- opening objects ---------------------------------------------------------------------------

function showError(text: string | undefined): void {
  const e = $('error');
  e.hidden = text === undefined;
  e.textContent = text ?? '';
}

function open(bytes: Uint8Array, name: string, example?: Example, prefer?: Partial<State>): void {
  let spec: ObjectSpec;
  try {
    spec = openObject(bytes, { name });
  } catch (e) {
    showError(errorReport(e).text);
    return;
  }
  showError(undefined);
  const progs = [...spec.programs.keys()];
  const prog = prefer?.prog && spec.programs.has(prefer.prog) ? prefer.prog : example && spec.programs.has(example.prog) ? example.prog : progs[0] ?? '';
  const packet = prefer?.packet ?? example?.packet ?? 'udp';
  st = {
    ...(example ? { example } : {}),
    name,
    bytes,
    spec,
    prog,
    view: prefer?.view ?? st?.view ?? 'object',
    packet,
    hex: prefer?.hex ?? PACKETS.find((p) => p.id === packet)?.hex ?? '',
    ctx: prefer?.ctx ?? '',
    repeat: prefer?.repeat ?? 1,
    dialect: st?.dialect ?? 'llvm',
    logLevel: prefer?.logLevel ?? 1,
    strict: prefer?.strict ?? false,
    verdicts: new Map(),
    traceIndex: 0,
  };
  ($('example') as HTMLSelectElement).value = example?.id ?? '';
  $('objname').textContent = `${name}: ${progs.length} program${progs.length === 1 ? '' : 's'}, ${spec.maps.size} map${spec.maps.size === 1 ? '' : 's'}, ${bytes.length} bytes`;
  const sel = $<HTMLSelectElement>('prog');
  sel.replaceChildren(...progs.map((p) => h('option', { value: p }, p)));
  sel.value = prog;
  if (progs.length === 0) showError(`ebpfvm: ${name} has no programs`);
  render();
}

function openExample(id: string, prefer?: Partial<State>): void {
  const ex = EXAMPLES.find((e) => e.id === id);
  if (!ex) {
    showError(`unknown example '${id}' (have: ${EXAMPLES.map((e) => e.id).join(', ')})`);
    return;
  }
  open(base64Bytes(ex.base64), ex.name, ex, prefer);
}

async function openFile(file: File): Promise<void> {
  open(new Uint8Array(await file.arrayBuffer()), objectNameFromPath(file.name));
}

// ---- URL state ---------------------------------------------------------------------------------

function writeUrl(): void {
  if (!st) return;
  const p = new URLSearchParams();
  if (st.example) p.set('example', st.example.id);
  if (st.example && st.prog !== st.example.prog) p.set('prog', st.prog);
  if (st.packet === 'custom') {
    if (st.hex.length <= 8192) p.set('hex', st.hex);
  } else p.set('packet', st.packet);
  if (st.ctx && st.ctx.length <= 8192) p.set('ctx', st.ctx);
  if (st.repeat !== 1) p.set('repeat', String(st.repeat));
  if (st.logLevel !== 1) p.set('level', String(st.logLevel));
  if (st.strict) p.set('strict', '1');
  p.set('view', st.view);
  const hash = '#' + p.toString();
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

function readUrl(): void {
  const p = new URLSearchParams(location.hash.slice(1));
  const view = p.get('view') as View | null;
  const prefer: Partial<State> = {};
  if (view && VIEWS.includes(view)) prefer.view = view;
  const prog = p.get('prog');
  if (prog) prefer.prog = prog;
  const hex = p.get('hex');
  const packet = p.get('packet');
  if (hex !== null) {
    prefer.packet = 'custom';
    prefer.hex = hex;
  } else if (packet && PACKETS.some((x) => x.id === packet)) prefer.packet = packet;
  const ctx = p.get('ctx');
  if (ctx) prefer.ctx = ctx;
  const repeat = Number(p.get('repeat') ?? '1');
  if (Number.isSafeInteger(repeat) && repeat >= 1) prefer.repeat = repeat;
  if (p.get('level') === '2') prefer.logLevel = 2;
  if (p.get('strict') === '1') prefer.strict = true;
  openExample(p.get('example') ?? 'scheduler', prefer);
}

// ---- rendering ---------------------------------------------------------------------------------

function render(): void {
  if (!st) return;
  for (const b of document.querySelectorAll<HTMLButtonElement>('#tabs button')) b.classList.toggle('active', b.dataset.view === st.view);
  const view = $('view');
  view.dataset.view = st.view;
  let content: Node;
  try {
    content = { object: renderObject, disasm: renderDisasm, verifier: renderVerifier, run: renderRun, maps: renderMaps, step: renderStep }[st.view]();
  } catch (e) {
    content = h('pre', { class: 'error' }, errorReport(e).text);
  }
  view.replaceChildren(content);
  writeUrl();
  if (st.focusPc !== undefined && st.view === 'disasm') {
    view.querySelector(`[data-pc="${st.focusPc}"]`)?.scrollIntoView({ block: 'center' });
  }
}

function table(head: string[], rows: Child[][], attrs: Record<string, string> = {}): HTMLTableElement {
  return h('table', attrs, h('thead', {}, h('tr', {}, ...head.map((x) => h('th', {}, x)))), h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))));
}

function renderObject(): Node {
  const s = summarize(st!.spec);
  const out = h('div', { class: 'object' });
  out.append(h('p', {}, `object ${s.name}, license ${JSON.stringify(s.license)}${s.gpl ? ' (GPL-compatible)' : ''}`));
  out.append(h('h2', {}, 'Programs'), table(['name', 'section', 'type', 'attach', 'insns'], s.programs.map((p) => [p.name, p.section, p.type, p.attachType, p.insns]), { id: 'programs' }));
  out.append(
    h('h2', {}, 'Maps'),
    table(
      ['name', 'type', 'key', 'value', 'max entries', 'section'],
      s.maps.map((m) => [m.name, m.type, `${m.keySize} B${m.keyType ? ` (${m.keyType})` : ''}`, `${m.valueSize} B${m.valueType ? ` (${m.valueType})` : ''}`, m.maxEntries, m.section]),
      { id: 'maps-table' },
    ),
  );
  out.append(h('h2', {}, 'Sections'), table(['#', 'name', 'type', 'size', 'relocations'], s.sections.map((x) => [x.index, x.name, x.type, x.size, x.relocations])));
  const btf = st!.spec.btf;
  if (s.btf && btf) {
    out.append(
      h('h2', {}, 'BTF'),
      h('p', {}, `${s.btf.types} types, ${s.btf.strings} bytes of strings, ${s.btf.funcInfo} func_info, ${s.btf.lineInfo} line_info, ${s.btf.coreRelos} CO-RE records; kinds: ${Object.entries(s.btf.kinds).map(([k, n]) => `${k} ${n}`).join(', ')}`),
      h('details', {}, h('summary', {}, 'as C (bpftool btf dump format c)'), h('pre', { class: 'code' }, formatBtfC(btf))),
      h('details', {}, h('summary', {}, 'every type'), table(['id', 'kind', 'name', 'size or type', 'vlen'], btfTypeRows(btf).map((r) => [r.id, KIND_NAMES[r.kind] ?? r.kind, r.name, r.sizeOrType, r.vlen]))),
    );
  } else out.append(h('h2', {}, 'BTF'), h('p', {}, 'no .BTF section'));
  if (s.notes.length) out.append(h('h2', {}, 'Notes'), h('ul', {}, ...s.notes.map((n) => h('li', {}, n))));
  return out;
}

/** The disassembly as `ebpfvm disasm --source [--dialect D] --prog P` prints it, one element per
 *  line, instructions tagged with their pc. */
function listingLines(prog: string, dialect: 'llvm' | 'kernel'): { text: string; pc?: number; source: boolean }[] {
  const text = formatListing(listingUnits(st!.spec, prog), { dialect, source: true });
  return text.split('\n').map((line) => {
    const m = dialect === 'llvm' ? /^\s+(\d+):\t/.exec(line) : /^(\d+): \(/.exec(line);
    return { text: line, ...(m ? { pc: Number(m[1]) } : {}), source: line.startsWith(';') };
  });
}

/** The source line an instruction belongs to: the last `; ...` line before it in the listing. */
function sourceOf(prog: string, pc: number): string | undefined {
  let last: string | undefined;
  for (const l of listingLines(prog, 'llvm')) {
    if (l.source) last = l.text.slice(2);
    if (l.pc === pc) return last;
  }
  return undefined;
}

function failingPc(): number | undefined {
  const mode = st!.strict ? '/strict' : '';
  const v = st!.verdicts.get(`${st!.prog}@1${mode}`) ?? st!.verdicts.get(`${st!.prog}@2${mode}`);
  return v?.status === 'rejected' ? v.errorPc : undefined;
}

function renderDisasm(): Node {
  const dialect = h('select', { id: 'dialect' }, h('option', { value: 'llvm' }, 'llvm-objdump'), h('option', { value: 'kernel' }, 'kernel (verifier log)'));
  dialect.value = st!.dialect;
  dialect.addEventListener('change', () => {
    st!.dialect = dialect.value as 'llvm' | 'kernel';
    render();
  });
  verdictFor(1); // so a rejected program's failing instruction is marked here too
  const fail = failingPc();
  const pre = h('pre', { class: 'code listing', id: 'listing' });
  for (const l of listingLines(st!.prog, st!.dialect)) {
    const cls = [l.source ? 'src' : '', l.pc !== undefined && l.pc === fail ? 'fail' : '', l.pc !== undefined && l.pc === st!.focusPc ? 'focus' : ''].filter(Boolean).join(' ');
    pre.append(h('div', { class: cls || undefined, 'data-pc': l.pc }, l.text || ' '));
  }
  return h('div', {}, h('div', { class: 'toolbar' }, h('label', {}, 'Dialect ', dialect), fail !== undefined ? h('span', { class: 'badge fail' }, `verifier rejects insn ${fail}`) : null), pre);
}

function verdictFor(level: 1 | 2): ProgramVerdict {
  const key = `${st!.prog}@${level}${st!.strict ? '/strict' : ''}`;
  let v = st!.verdicts.get(key);
  if (!v) {
    const { bytes, name } = st!;
    v = programVerdict(() => openObject(bytes, { name }), st!.prog, { logLevel: level, ...(st!.strict ? { strict: true } : {}) });
    st!.verdicts.set(key, v);
  }
  return v;
}

function renderVerifier(): Node {
  const level = h('select', { id: 'loglevel' }, h('option', { value: '1' }, 'level 1: the failing path'), h('option', { value: '2' }, 'level 2: every instruction with its state'));
  level.value = String(st!.logLevel);
  level.addEventListener('change', () => {
    st!.logLevel = Number(level.value) as 1 | 2;
    render();
  });
  const strict = h('input', { id: 'strict', type: 'checkbox', checked: st!.strict }) as HTMLInputElement;
  strict.addEventListener('change', () => {
    st!.strict = strict.checked;
    st!.live = undefined; // runs verify in the same mode, as `ebpfvm run --strict`
    render();
  });
  const v = verdictFor(st!.logLevel);
  const out = h('div', {}, h('div', { class: 'toolbar' }, h('label', {}, 'Log ', level), h('label', { title: "mainline's lock discipline for rbtree helpers (ebpfvm verify --strict)" }, strict, ' strict')));
  out.append(h('p', { id: 'verdict', class: `verdict ${v.status}` }, verdictLine(v)));
  if (v.status === 'rejected' && v.errorPc !== undefined) {
    const src = sourceOf(st!.prog, v.errorPc);
    const link = h('a', { href: '#', id: 'fail-link' }, `insn ${v.errorPc}`);
    link.addEventListener('click', (e) => {
      e.preventDefault();
      st!.focusPc = v.errorPc;
      st!.view = 'disasm';
      render();
    });
    out.append(h('p', { class: 'failsrc' }, 'Fails at ', link, src ? h('span', {}, ' in ', h('code', { id: 'fail-source' }, src)) : ' (no line info)'));
  }
  const pre = h('pre', { class: 'code log', id: 'log' });
  const lines = (v.log ?? '').replace(/\n$/, '').split('\n');
  // The failing instruction is the last instruction line the log printed for it.
  let failLine = -1;
  if (v.status === 'rejected' && v.errorPc !== undefined) lines.forEach((l, i) => (new RegExp(`^${v.errorPc}: `).test(l) ? (failLine = i) : undefined));
  lines.forEach((l, i) => {
    const m = /^(\d+): /.exec(l);
    const div = h('div', { class: i === failLine ? 'fail' : l.startsWith(';') ? 'src' : undefined, 'data-pc': m ? m[1] : undefined }, l || ' ');
    if (m) {
      div.classList.add('pc');
      div.title = 'show in the disassembly';
      div.addEventListener('click', () => {
        st!.focusPc = Number(m[1]);
        st!.view = 'disasm';
        render();
      });
    }
    pre.append(div);
  });
  if (v.status === 'error') out.append(h('pre', { class: 'error' }, `ebpfvm: ${v.error}`));
  out.append(pre);
  return out;
}

// ---- running -----------------------------------------------------------------------------------

/** The live object: loaded once (maps persist across runs, as one loaded object in the kernel)
 *  and verified first, as `ebpfvm run` does by default. */
function ensureLive(): { obj: LoadedObject; runtime: Runtime; verifierLine?: string; runs: number } {
  if (st!.live) return st!.live;
  const runtime = new Runtime({ engine: ENGINE.engine });
  const obj = load(runtime, openObject(st!.bytes, { name: st!.name }), { programs: [st!.prog] });
  // As `ebpfvm run` (and a libbpf perf_buffer): an event open on every CPU, so perf_event_output delivers.
  for (const lm of obj.maps.values()) if (lm.map instanceof PerfEventArrayMap) lm.map.openAll(1);
  st!.live = { obj, runtime, runs: 0 };
  return st!.live;
}

function inputBytes(): Uint8Array {
  return fromHex(st!.hex, 'input');
}

function doRun(trace?: TraceRecord): RunRecord {
  const output: RunOutput = { printk: [], ringbuf: [], perf: [] };
  const rec: RunRecord = { output };
  try {
    const data = inputBytes();
    const ctx = st!.ctx ? fromHex(st!.ctx, 'ctx_in') : undefined;
    rec.dataIn = data;
    const live = ensureLive();
    if (live.verifierLine === undefined) {
      const verdict = verifyForRun(live.obj, st!.prog, st!.strict ? { strict: true } : {});
      live.verifierLine = `Verifier: ${st!.prog} accepted (${verdict.processed} insns processed)`;
    }
    rec.verifierLine = live.verifierLine;
    const prog = live.obj.program(st!.prog);
    const arena = live.runtime.arena;
    const tracer = trace
      ? (line: string, step: TraceStep) => {
          if (trace.steps.length >= TRACE_LIMIT) {
            trace.truncated = true;
            return;
          }
          const fp = (step.regs[20]! >>> 0);
          const prev = trace.steps.at(-1);
          let stack = fp >= 512 ? arena.read(fp - 512, 512) : new Uint8Array(512);
          // Most instructions do not touch the stack: share the previous copy when equal.
          if (prev && prev.fp === fp && equalBytes(prev.stack, stack)) stack = prev.stack;
          trace.steps.push({ line, pc: step.pc, depth: step.depth, regs: step.regs.slice(), stack, fp });
        }
      : undefined;
    rec.result = testRun(live.runtime, prog.program, { ...(data.length ? { data } : {}), ...(ctx ? { ctx } : {}), repeat: trace ? 1 : st!.repeat, output, ...(tracer ? { trace: tracer } : {}) });
    live.runs++;
  } catch (e) {
    if (e instanceof VerifierError) {
      rec.log = e.log;
      rec.error = errorReport(e).text;
      st!.live = undefined; // nothing ran; a reload would reject it again
    } else if (e instanceof VmFault) rec.error = `ebpfvm: fault: ${e.message}`;
    else if (e instanceof TestRunInputError) rec.error = errorReport(e).text;
    else rec.error = errorReport(e).text;
  }
  return rec;
}

const TRACE_LIMIT = 50_000;

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function run(): void {
  const first = !performance.getEntriesByName('ebpfvm:first-run').length;
  if (first) performance.mark('ebpfvm:run-start');
  st!.lastRun = doRun();
  render();
  // Time to first run (bench/playground.ts): navigation start to the first result on screen.
  if (first && st!.lastRun.result) performance.mark('ebpfvm:first-run');
}

function renderRun(): Node {
  const packet = h('select', { id: 'packet' }, ...PACKETS.map((p) => h('option', { value: p.id }, p.title)), h('option', { value: 'custom' }, 'custom (edit the hex)'));
  packet.value = st!.packet;
  const hex = h('textarea', { id: 'hex', rows: 4, spellcheck: 'false' }) as HTMLTextAreaElement;
  hex.value = st!.hex;
  packet.addEventListener('change', () => {
    st!.packet = packet.value;
    const p = PACKETS.find((x) => x.id === packet.value);
    if (p) st!.hex = p.hex;
    render();
  });
  hex.addEventListener('change', () => {
    st!.hex = hex.value.trim();
    st!.packet = PACKETS.find((p) => p.hex === st!.hex)?.id ?? 'custom';
    render();
  });
  const ctxIn = h('input', { id: 'ctx', type: 'text', size: 60, spellcheck: 'false', placeholder: 'ctx_in as hex (optional: __sk_buff, xdp_md, ... as the kernel lays them out)', value: st!.ctx }) as HTMLInputElement;
  ctxIn.addEventListener('change', () => {
    st!.ctx = ctxIn.value.replace(/\s+/g, '');
    writeUrl();
  });
  const repeat = h('input', { id: 'repeat', type: 'number', min: 1, value: st!.repeat }) as HTMLInputElement;
  repeat.addEventListener('change', () => {
    const n = Number(repeat.value);
    st!.repeat = Number.isSafeInteger(n) && n >= 1 ? n : 1;
    writeUrl();
  });
  const runBtn = h('button', { id: 'run', class: 'primary' }, 'Run');
  runBtn.addEventListener('click', () => {
    st!.hex = hex.value.trim();
    st!.ctx = ctxIn.value.replace(/\s+/g, '');
    run();
  });
  const reset = h('button', { id: 'reset' }, 'Reset maps');
  reset.addEventListener('click', () => {
    st!.live = undefined;
    st!.lastRun = undefined;
    render();
  });
  const runs = st!.live?.runs ?? 0;
  const out = h(
    'div',
    {},
    h('div', { class: 'form' }, h('label', {}, 'Input (data_in) ', packet), hex, h('label', {}, 'Context (ctx_in) ', ctxIn), h('div', { class: 'toolbar' }, h('label', {}, 'Repeat ', repeat), runBtn, reset, h('span', { class: 'muted' }, `${runs} run${runs === 1 ? '' : 's'} on these maps`))),
  );
  const r = st!.lastRun;
  if (r) out.append(renderResult(r));
  return out;
}

function renderResult(r: RunRecord): Node {
  const out = h('div', { id: 'result' });
  if (r.verifierLine) out.append(h('p', { class: 'verdict accepted' }, r.verifierLine));
  if (r.log) out.append(h('pre', { class: 'code log' }, r.log));
  if (r.error) out.append(h('pre', { class: 'error', id: 'run-error' }, r.error));
  const res = r.result;
  if (res) {
    out.append(
      h('div', { class: 'figures' }, h('span', {}, 'retval ', h('b', { id: 'retval' }, res.retval)), h('span', {}, 'duration ', h('b', { id: 'duration' }, `${res.durationNs} ns`), res.repeat > 1 ? ` (average of ${res.repeat})` : ''), h('span', {}, `${res.insnCount} insns`), h('span', {}, `engine: ${ENGINE.engine}`)),
      h('pre', { class: 'code', id: 'result-line' }, resultLine(res)),
    );
    if (res.dataOut && r.dataIn) out.append(h('h3', {}, 'data_out (bytes that differ from data_in are marked)'), hexDiff(r.dataIn, res.dataOut));
    if (res.ctxOut) out.append(h('h3', {}, 'ctx_out'), h('pre', { class: 'code', id: 'ctx-out' }, hexDump(res.ctxOut)));
  }
  if (r.output.printk.length) out.append(h('h3', {}, 'printk'), h('pre', { class: 'code', id: 'printk' }, r.output.printk.map((l) => l.replace(/\n$/, '')).join('\n')));
  if (r.output.ringbuf.length) {
    out.append(h('h3', {}, `ring buffer records (${r.output.ringbuf.length})`));
    const shown = r.output.ringbuf.slice(0, 50);
    out.append(h('pre', { class: 'code', id: 'ringbuf' }, shown.map((e) => `ringbuf ${e.map}: ${e.data.length} bytes\n${hexDump(e.data)}`).join('')));
    if (r.output.ringbuf.length > shown.length) out.append(h('p', { class: 'muted' }, `(first ${shown.length} shown)`));
  }
  if (r.output.perf.length) {
    out.append(h('h3', {}, `perf event records (${r.output.perf.length})`));
    out.append(h('pre', { class: 'code', id: 'perf' }, r.output.perf.slice(0, 50).map((e) => `perf ${e.map} cpu ${e.cpu}: ${e.data.length} bytes\n${hexDump(e.data)}`).join('')));
  }
  if (res && st!.live) out.append(h('h3', {}, 'Maps after the run'), renderMapTables(st!.live.obj));
  return out;
}

/** data_out in bpftool's hex layout, bytes that differ from data_in (or lie past its end) marked. */
function hexDiff(a: Uint8Array, b: Uint8Array): HTMLElement {
  const pre = h('pre', { class: 'code hexdiff', id: 'data-out' });
  let changed = 0;
  for (let i = 0; i < b.length; i += 16) {
    const row = h('div', {}, i.toString(16).padStart(7, '0') + '\t');
    for (let j = i; j < i + 16 && j < b.length; j++) {
      const diff = j >= a.length || a[j] !== b[j];
      if (diff) changed++;
      row.append(h('span', { class: diff ? 'diff' : undefined, title: diff ? `was ${j < a.length ? a[j]!.toString(16).padStart(2, '0') : '(none)'}` : undefined }, b[j]!.toString(16).padStart(2, '0')), j % 2 ? ' ' : '');
    }
    pre.append(row);
  }
  return h('div', {}, pre, h('p', { class: 'muted', id: 'diff-count' }, `${changed} byte${changed === 1 ? '' : 's'} changed, ${b.length} bytes out, ${a.length} in`));
}

// ---- maps --------------------------------------------------------------------------------------

function renderMaps(): Node {
  let live;
  try {
    live = ensureLive();
  } catch (e) {
    return h('pre', { class: 'error' }, errorReport(e).text);
  }
  return h('div', {}, h('p', { class: 'muted' }, `${live.runs} run${live.runs === 1 ? '' : 's'} so far on these maps (Run view: Reset maps to start over)`), renderMapTables(live.obj));
}

function renderMapTables(obj: LoadedObject): HTMLElement {
  const out = h('div', { class: 'maps' });
  for (const v of mapViews(obj)) out.append(renderMap(v));
  return out;
}

function renderMap(v: MapView): HTMLElement {
  const m = v.map;
  const box = h('div', { class: 'map', 'data-map': v.name });
  if (isRbtreeMap(m)) {
    const api = new RbtreeApi(m, v.value ? { decode: (b) => v.value!(b) } : {});
    const values = api.values();
    box.append(h('h3', {}, `${v.name}: rbtree, ${values.length} node${values.length === 1 ? '' : 's'}`));
    const keyName = firstField(values[0]);
    const keys = values.map((x) => keyOf(x, keyName));
    box.append(h('p', {}, `in-order ${keyName ?? 'node'} keys: `, h('span', { class: 'tree-keys' }, keys.join(' '))));
    box.append(drawTree(api.shape(), keyName, values.length));
    box.append(h('details', {}, h('summary', {}, 'nodes in order'), h('pre', { class: 'code' }, values.map((x, i) => `[${i}] ${json(x)}`).join('\n'))));
    return box;
  }
  const raw = dumpMapRaw(m, 1);
  box.append(h('h3', {}, `${v.name}: ${mapTypeName(m.type)}, key ${m.keySize} bytes, value ${m.valueSize} bytes, ${raw.entries.length} entr${raw.entries.length === 1 ? 'y' : 'ies'}`));
  if (mapTypeName(m.type) === 'ringbuf') {
    box.append(h('p', { class: 'muted' }, 'records appear in the run result'));
    return box;
  }
  const rows = raw.entries.slice(0, 500).map((e) => {
    const key = v.key ? json(v.key(fromHex(e.key, 'key'))) : e.key;
    const value = e.values ? `[${e.values.map((x) => (v.value ? json(v.value(fromHex(x, 'value'))) : x)).join(', ')}]` : v.value ? json(v.value(fromHex(e.value!, 'value'))) : e.value!;
    return [h('code', {}, clip(key)), h('code', {}, clip(value))];
  });
  box.append(table(['key', 'value'], rows, { class: 'entries' }));
  if (raw.entries.length > 500) box.append(h('p', { class: 'muted' }, `(first 500 of ${raw.entries.length})`));
  return box;
}

/** A cell's text, cut at 2000 characters (a global's .bss can be megabytes). */
function clip(text: string): string {
  return text.length > 2000 ? `${text.slice(0, 2000)}… (${text.length} characters)` : text;
}

function firstField(v: unknown): string | undefined {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) if (typeof x === 'number' || typeof x === 'bigint') return k;
  }
  return undefined;
}
function keyOf(v: unknown, name: string | undefined): string {
  if (name && v && typeof v === 'object') return String((v as Record<string, unknown>)[name]);
  return json(v);
}

/** The tree as SVG: x by in-order position, y by depth; red and black nodes, labelled by key. */
function drawTree(root: RbtreeShape | null, keyName: string | undefined, count: number): Node {
  if (!root) return h('p', { class: 'muted' }, 'empty tree');
  if (count > 400) return h('p', { class: 'muted' }, `${count} nodes: too many to draw (the in-order keys above are complete)`);
  const pos = new Map<RbtreeShape, { x: number; y: number }>();
  let i = 0;
  let depth = 0;
  const walk = (n: RbtreeShape | null, d: number) => {
    if (!n) return;
    walk(n.left, d + 1);
    pos.set(n, { x: i++, y: d });
    depth = Math.max(depth, d);
    walk(n.right, d + 1);
  };
  walk(root, 0);
  const W = 44;
  const H = 56;
  const svg = s('svg', { class: 'tree', width: i * W + 20, height: (depth + 1) * H + 20, viewBox: `0 0 ${i * W + 20} ${(depth + 1) * H + 20}` });
  const at = (n: RbtreeShape) => ({ cx: 10 + pos.get(n)!.x * W + W / 2, cy: 10 + pos.get(n)!.y * H + 20 });
  for (const [n] of pos) {
    for (const c of [n.left, n.right]) {
      if (!c) continue;
      const a = at(n);
      const b = at(c);
      svg.append(s('line', { x1: a.cx, y1: a.cy, x2: b.cx, y2: b.cy, class: 'edge' }));
    }
  }
  for (const [n] of pos) {
    const a = at(n);
    const g = s('g', { class: `node ${n.color}`, 'data-addr': `0x${n.addr.toString(16)}` });
    g.append(s('title', {}, `0x${n.addr.toString(16)} ${n.color}: ${json(n.value)}`));
    g.append(s('circle', { cx: a.cx, cy: a.cy, r: 17 }));
    g.append(s('text', { x: a.cx, y: a.cy + 4, 'text-anchor': 'middle' }, keyOf(n.value, keyName)));
    svg.append(g);
  }
  return h('div', { class: 'treebox' }, svg);
}

// ---- step --------------------------------------------------------------------------------------

function renderStep(): Node {
  const btn = h('button', { id: 'trace', class: 'primary' }, 'Run once with a trace');
  btn.addEventListener('click', () => {
    st!.hex = st!.hex.trim();
    const rec: TraceRecord = { steps: [], truncated: false, run: { output: { printk: [], ringbuf: [], perf: [] } } };
    rec.run = doRun(rec);
    st!.lastRun = rec.run;
    st!.trace = rec;
    st!.traceIndex = 0;
    render();
  });
  const out = h('div', {}, h('div', { class: 'toolbar' }, btn, h('span', { class: 'muted' }, `the interpreter runs the program once on the Run view's input and the current maps, recording every instruction (at most ${TRACE_LIMIT})`)));
  const t = st!.trace;
  if (!t) return out;
  if (t.run.error) out.append(h('pre', { class: 'error' }, t.run.error));
  if (!t.steps.length) return out;
  const n = t.steps.length;
  const idx = Math.min(st!.traceIndex, n - 1);
  const step = t.steps[idx]!;
  const slider = h('input', { id: 'step-slider', type: 'range', min: 0, max: n - 1, value: idx }) as HTMLInputElement;
  const go = (i: number) => {
    st!.traceIndex = Math.max(0, Math.min(n - 1, i));
    render();
  };
  slider.addEventListener('input', () => go(Number(slider.value)));
  const prev = h('button', { id: 'step-prev' }, '◀ prev');
  prev.addEventListener('click', () => go(idx - 1));
  const next = h('button', { id: 'step-next' }, 'next ▶');
  next.addEventListener('click', () => go(idx + 1));
  const res = t.run.result;
  out.append(
    h('div', { class: 'toolbar' }, prev, slider, next, h('span', { id: 'step-pos' }, `step ${idx + 1} of ${n}${t.truncated ? ' (trace truncated)' : ''}`), res ? h('span', { class: 'muted' }, ` · retval ${res.retval}`) : null),
    h('pre', { class: 'code', id: 'step-line' }, step.line),
  );
  // The listing around the instruction (llvm dialect, with source lines), the instruction marked.
  const lines = listingLines(st!.prog, 'llvm');
  const at = lines.findIndex((l) => l.pc === step.pc);
  if (at >= 0) {
    const around = h('pre', { class: 'code listing', id: 'step-listing' });
    for (const l of lines.slice(Math.max(0, at - 6), at + 5)) around.append(h('div', { class: l.pc === step.pc ? 'focus' : l.source ? 'src' : undefined, 'data-pc': l.pc }, l.text || ' '));
    out.append(around);
  }
  const before = idx > 0 ? t.steps[idx - 1]! : undefined;
  const regs = h('table', { class: 'regs', id: 'regs' }, h('thead', {}, h('tr', {}, h('th', {}, 'reg'), h('th', {}, 'hex'), h('th', {}, 'signed'))));
  const body = h('tbody', {});
  for (let r = 0; r <= 10; r++) {
    const v = BigInt.asUintN(64, (BigInt(step.regs[2 * r + 1]!) << 32n) | BigInt(step.regs[2 * r]! >>> 0));
    const changed = before && (before.regs[2 * r] !== step.regs[2 * r] || before.regs[2 * r + 1] !== step.regs[2 * r + 1]);
    body.append(h('tr', { class: changed ? 'changed' : undefined }, h('td', {}, `r${r}`), h('td', {}, '0x' + v.toString(16)), h('td', {}, BigInt.asIntN(64, v).toString())));
  }
  regs.append(body);
  // The stack: the 512 bytes below r10, 8 per row, used rows only (nonzero, or written this step).
  const stack = h('pre', { class: 'code stack', id: 'stack' });
  let shown = 0;
  for (let off = 0; off < 512; off += 8) {
    const row = step.stack.subarray(off, off + 8);
    const prevRow = before && before.fp === step.fp ? before.stack.subarray(off, off + 8) : undefined;
    const changed = prevRow !== undefined && !equalBytes(row, prevRow);
    if (!changed && row.every((b) => b === 0)) continue;
    shown++;
    stack.append(h('div', { class: changed ? 'changed' : undefined }, `fp-${(512 - off).toString().padStart(3)}  ${toHex(row).replace(/(..)/g, '$1 ').trim()}`));
  }
  if (!shown) stack.append(h('div', { class: 'muted' }, '(all zero)'));
  out.append(h('div', { class: 'stepgrid' }, h('div', {}, h('h3', {}, 'Registers (before this instruction)'), regs), h('div', {}, h('h3', {}, `Stack (r10 = 0x${step.fp.toString(16)}, depth ${step.depth})`), stack)));
  return out;
}

// ---- wiring ------------------------------------------------------------------------------------

function init(): void {
  $('engine').textContent = `engine: ${ENGINE.why}`;
  const exSel = $<HTMLSelectElement>('example');
  exSel.replaceChildren(h('option', { value: '' }, '(your object)'), ...EXAMPLES.map((e) => h('option', { value: e.id }, e.title)));
  exSel.addEventListener('change', () => {
    if (exSel.value) openExample(exSel.value, { view: st?.view ?? 'object' });
  });
  $<HTMLInputElement>('file').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void openFile(f);
  });
  const drop = document.body;
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('dragging');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('dragging');
    const f = e.dataTransfer?.files[0];
    if (f) void openFile(f);
  });
  $<HTMLSelectElement>('prog').addEventListener('change', (e) => {
    if (!st) return;
    st.prog = (e.target as HTMLSelectElement).value;
    st.live = undefined;
    st.lastRun = undefined;
    st.trace = undefined;
    st.focusPc = undefined;
    render();
  });
  // Step view: left/right arrows step back and forth (outside inputs, where arrows edit).
  document.addEventListener('keydown', (e) => {
    if (!st || st.view !== 'step' || !st.trace || (e.target as HTMLElement).tagName === 'INPUT' || (e.target as HTMLElement).tagName === 'TEXTAREA') return;
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    st.traceIndex = Math.max(0, Math.min(st.trace.steps.length - 1, st.traceIndex + (e.key === 'ArrowRight' ? 1 : -1)));
    render();
  });
  for (const b of document.querySelectorAll<HTMLButtonElement>('#tabs button')) {
    b.addEventListener('click', () => {
      if (!st) return;
      st.view = b.dataset.view as View;
      st.focusPc = undefined;
      render();
    });
  }
  // `&run=1` runs the example once as soon as it is open (a shared link that shows a result).
  const runNow = new URLSearchParams(location.hash.slice(1)).get('run') === '1';
  readUrl();
  performance.mark('ebpfvm:ready');
  document.body.dataset.ready = '1';
  if (runNow && st) {
    st.view = 'run';
    run();
  }
}

init();
