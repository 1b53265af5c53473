// `ebpfvm test`: the kernel test loader's run of one object (test_loader.c run_subtest), with the
// annotations of ./annotations.ts. Each test program is loaded alone with its auxiliary programs
// (the loader's program selection), verified at the spec's log level and flags, its verdict and
// log checked, and with `__retval` run once as the loader runs it. Takes bytes, does no I/O: the
// CLI (and its worker threads) read the files.
import { EbpfvmError, PermissionError, UnsupportedError, VerifierError, VmFault } from '../errors.js';
import { mapTypeCaps } from '../loader/unpriv.js';
import { openObject, type OpenOptions } from '../loader/open.js';
import { load, type LoadedObject } from '../loader/load.js';
import { Runtime } from '../runtime.js';
import { testRun, TestRunInputError } from '../test-run-api.js';
import { runnableProgram, verifyProgram, type VerifyResult } from '../verify.js';
import { xlatedListing } from '../xlated.js';
import { AttachType, ProgType } from '../../vm/prog-types.js';
import { checkDisasm, checkMessages, describeMsgCheck, parseTestSpec, POINTER_VALUE, TEST_DATA_LEN, type SubSpec, type TestSpec } from './annotations.js';
import type { Engine } from '../../vm/interpreter.js';

export type TestStatus = 'PASS' | 'FAIL' | 'SKIP';

export interface TestResult {
  /** Object name (file base name without .o). */
  object: string;
  program: string;
  /** What the kernel's runner calls the test: the description or program name, " @unpriv" for
   *  the unprivileged run. */
  name: string;
  /** 'strict': the privileged run in rbtree strict mode (`@strict`). */
  mode: 'priv' | 'unpriv' | 'strict';
  status: TestStatus;
  reason?: string;
  /** Verifier log of the test program (kept for failures). */
  log?: string;
  /** The object itself is bad input (unreadable, not an ELF object, no BTF): a FAIL that is no
   *  test's verdict (`ebpfvm test` exits 2 for it, as every command does for bad input). */
  badInput?: true;
}

export interface ObjectTestOptions {
  /** Only tests whose program name or display name is this. */
  prog?: string;
  /** rbtree strict mode for every test (its `_strict` expectations, else the default ones);
   *  without it tests run in RFC mode, plus an `@strict` run for programs with `_strict` tags. */
  strict?: boolean;
  /** The engine test runs (__retval) use; default: the interpreter's default. */
  engine?: Engine;
  /** Keep the verifier log in every result, not only in failures. */
  keepLogs?: boolean;
  /** Only the unprivileged (`@unpriv`) runs. */
  unprivOnly?: boolean;
}

/** What loading one test program gave, as bpf_object__load reports it. */
interface LoadOutcome {
  loaded: boolean;
  /** The test program's verifier log ('' when loading stopped before it was verified). */
  log: string;
  obj?: LoadedObject;
  /** Why the load failed, in one line. */
  error?: string;
}

/** Maps the kernel's C driver (prog_tests/verifier.c) fills before a `__retval` run: key 0 gets
 *  struct test_val { index = 7 * 4, foo[6] = 0xabcdef12 }. */
const SEEDED_MAPS: Readonly<Record<string, string>> = {
  verifier_array_access: 'map_array_ro',
  verifier_value_ptr_arith: 'map_array_48b',
};

function seedMaps(objName: string, obj: LoadedObject): void {
  const mapName = SEEDED_MAPS[objName];
  if (!mapName || !obj.maps.has(mapName)) return;
  const map = obj.map(mapName);
  const value = new Uint8Array(Math.max(map.valueSize, 4 + 11 * 4));
  const dv = new DataView(value.buffer);
  dv.setUint32(0, 7 * 4, true);
  dv.setInt32(4 + 6 * 4, 0xabcdef12 | 0, true);
  map.update(new Uint8Array(4), value.subarray(0, map.valueSize));
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '') ?? '';
}

/** The verifier's error line of a log (the line before `processed N insns`, or the last line). */
function errorLine(r: VerifyResult): string {
  if (r.error) return r.error;
  const lines = r.log.trimEnd().split('\n');
  const i = lines.findIndex((l) => l.startsWith('processed '));
  return (i > 0 ? lines[i - 1] : lines.at(-1)) ?? '';
}

/** bpf_object__load with only `progName` (and what it needs) set to load. `unpriv`: as
 *  test_loader's `@unpriv` run loads it, with CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN and CAP_SYS_ADMIN
 *  dropped: the `__auxiliary_unpriv` programs, maps an unprivileged user may not create left
 *  uncreated (their loads poisoned, as libbpf does), the unprivileged load and verifier rules. */
function loadOne(bytes: Uint8Array, open: OpenOptions, spec: TestSpec, strict: boolean, unpriv: boolean, engine?: Engine): LoadOutcome {
  const objSpec = openObject(bytes, open);
  const runtime = new Runtime(engine !== undefined ? { engine } : {});
  if (unpriv) for (const m of objSpec.maps.values()) if (mapTypeCaps(m.type, m.flags)) m.autocreate = false;
  let obj: LoadedObject;
  try {
    obj = load(runtime, objSpec, { programs: [spec.progName], testLoader: true, ...(unpriv ? { unpriv: true, unprivAuxiliary: true } : {}) });
  } catch (e) {
    // EPERM for the caller's capabilities: the kernel writes no log.
    if (e instanceof PermissionError) return { loaded: false, log: '', error: e.message };
    // Refusals the loader makes before abstract interpretation come with the kernel's log line.
    if (e instanceof VerifierError) return { loaded: false, log: e.log, error: firstLine(e.log) || e.message };
    if (e instanceof UnsupportedError) throw e;
    if (e instanceof EbpfvmError) return { loaded: false, log: '', error: `load: ${e.message}` };
    throw e;
  }
  // libbpf loads the programs in object order and stops at the first rejection; only the test
  // program has the log buffer and the annotated level and flags.
  let testLog = '';
  for (const name of obj.programs.keys()) {
    const mine = name === spec.progName;
    const level = mine ? Math.min(spec.logLevel & 3, 2) : 0;
    let r: VerifyResult;
    try {
      r = verifyProgram(obj, name, { logLevel: level as 0 | 1 | 2, ...(mine && spec.logLevel & 4 ? { stats: true } : {}), strict, progFlags: mine ? spec.progFlags : 0 });
    } catch (e) {
      if (e instanceof PermissionError) return { loaded: false, log: testLog, error: mine ? e.message : `auxiliary program ${name}: ${e.message}` };
      throw e;
    }
    if (mine) testLog = r.log;
    if (!r.accepted) return { loaded: false, log: testLog, error: mine ? errorLine(r) : `auxiliary program ${name} rejected: ${errorLine(r)}` };
  }
  // Then libbpf fills the prog_array `values` slots (bpf_object_init_prog_arrays): a slot whose
  // program was not set to load gets fd -1 and fails the whole load with EBADF.
  const slot = obj.unfilledSlots[0];
  if (slot) return { loaded: false, log: testLog, error: `map '${slot.map}': failed to initialize slot [${slot.index}] to prog '${slot.program}' fd=-1: -9 (EBADF)` };
  return { loaded: true, log: testLog, obj };
}

function runSubtest(objName: string, bytes: Uint8Array, open: OpenOptions, spec: TestSpec, sub: SubSpec, mode: TestResult['mode'], opts: ObjectTestOptions): TestResult {
  const base = { object: objName, program: spec.progName, name: sub.name, mode };
  const result = (status: TestStatus, reason?: string, log?: string): TestResult => ({
    ...base,
    status,
    ...(reason !== undefined ? { reason } : {}),
    ...(log !== undefined && (status === 'FAIL' || opts.keepLogs) ? { log } : {}),
  });
  if (spec.skip !== undefined) return result('SKIP', `__skip: ${spec.skip}`);
  if (spec.archMismatch) return result('SKIP', 'arch: not x86_64');
  if (spec.unchecked.length) return result('SKIP', `${[...new Set(spec.unchecked)].join(', ')}: not checked by ebpfvm`);

  let outcome: LoadOutcome;
  try {
    outcome = loadOne(bytes, open, spec, mode === 'strict', mode === 'unpriv', opts.engine);
  } catch (e) {
    if (e instanceof UnsupportedError) return result('SKIP', `unsupported: ${e.message}`);
    if (e instanceof EbpfvmError) return result('FAIL', `error: ${e.message}`);
    throw e;
  }
  if (sub.expectFailure && outcome.loaded) return result('FAIL', 'unexpected load success', outcome.log);
  if (!sub.expectFailure && !outcome.loaded) return result('FAIL', `unexpected load failure: ${outcome.error ?? ''}`, outcome.log);
  const check = checkMessages(outcome.log, sub.msgs);
  if (!check.ok) return result('FAIL', describeMsgCheck(check), outcome.log);
  // test_loader checks the xlated program of a loaded one (the verifier's rewrites).
  if (outcome.loaded && outcome.obj && sub.xlated.length) {
    const text = xlatedListing(outcome.obj.program(spec.progName));
    const xc = checkDisasm(text, sub.xlated);
    if (!xc.ok) return result('FAIL', `xlated: ${describeMsgCheck(xc).replace(/the log$/, 'the xlated program')}`, `${outcome.log}\nXLATED:\n${text}`);
  }

  if (sub.execute && !sub.expectFailure && outcome.obj) {
    const obj = outcome.obj;
    const prog = obj.program(spec.progName);
    seedMaps(objName, obj);
    // test_loader's do_prog_test_run: 64 zero bytes in, 256 out, repeat 1; syscall programs
    // get empty options.
    const input = prog.progType === ProgType.SYSCALL ? {} : { data: new Uint8Array(TEST_DATA_LEN), repeat: 1 };
    let retval: number;
    try {
      const unattached = unattachedTracingRetval(prog.progType, prog.expectedAttachType);
      retval = unattached ?? testRun(obj.runtime, runnableProgram(prog), input).retval | 0;
    } catch (e) {
      if (e instanceof TestRunInputError) return result('FAIL', `test run refused: ${e.message}`, outcome.log);
      if (e instanceof VmFault) return result('FAIL', `fault in a verified program: ${e.message}`, outcome.log);
      throw e;
    }
    if (sub.retval !== POINTER_VALUE && retval !== sub.retval) return result('FAIL', `unexpected retval: ${retval} != ${sub.retval}`, outcome.log);
  }
  return result('PASS', undefined, outcome.log);
}

/** The retval of the kernel's bpf_prog_test_run_tracing for a fentry, fexit or fmod_ret program
 *  the test loader loaded but never attached: it calls the kernel's own test functions, which no
 *  program changes, and reports their side effects << 16 | their return (fentry/fexit: the
 *  bpf_fentry_test* checks pass, 0; fmod_ret: bpf_modify_return_test(1, &b) returns 4 and
 *  bpf_modify_return_test2(1, &b, 3, 4, 5, 6, 7) 29, each bumping b once: 2 << 16 | 33). The
 *  program never runs, and data_in is not looked at. Undefined for other programs. */
function unattachedTracingRetval(progType: number, attach: number): number | undefined {
  if (progType !== ProgType.TRACING) return undefined;
  if (attach === AttachType.TRACE_FENTRY || attach === AttachType.TRACE_FEXIT) return 0;
  if (attach === AttachType.MODIFY_RETURN) return (2 << 16) | 33;
  return undefined;
}

/** Every test of one object, in program order (privileged run, then the `@unpriv` one). */
export function runObjectTests(bytes: Uint8Array, objName: string, opts: ObjectTestOptions = {}): TestResult[] {
  const open: OpenOptions = { name: objName };
  const fail = (reason: string): TestResult[] => [{ object: objName, program: '', name: '', mode: 'priv', status: 'FAIL', reason, badInput: true }];
  let probe;
  try {
    probe = openObject(bytes, open);
  } catch (e) {
    if (e instanceof EbpfvmError) return fail(`cannot open: ${e.message}`);
    throw e;
  }
  if (!probe.btf) return fail('BPF object has no BTF');
  const out: TestResult[] = [];
  for (const name of probe.programs.keys()) {
    let spec: TestSpec;
    try {
      spec = parseTestSpec(probe.btf, name);
    } catch (e) {
      if (opts.prog !== undefined && opts.prog !== name) continue;
      out.push({ object: objName, program: name, name, mode: 'priv', status: 'FAIL', reason: `Can't parse test spec: ${(e as Error).message}` });
      continue;
    }
    if (spec.auxiliary) continue;
    // --strict: the privileged run is the strict one; otherwise programs with `_strict` tags
    // get an extra `@strict` run after the default (RFC-mode) one.
    const runs = opts.strict
      ? ([['strict', spec.strict], ['unpriv', spec.unpriv]] as const)
      : ([['priv', spec.priv], ['strict', spec.strictTagged ? spec.strict : undefined], ['unpriv', spec.unpriv]] as const);
    for (const [mode, sub] of runs) {
      if (!sub || (opts.unprivOnly && mode !== 'unpriv')) continue;
      if (opts.prog !== undefined && opts.prog !== name && opts.prog !== sub.name && opts.prog !== spec.description) continue;
      out.push(runSubtest(objName, bytes, open, spec, sub, mode, opts));
    }
  }
  return out;
}

/** One line per result, as `ebpfvm test` prints them. */
export function formatResult(r: TestResult): string {
  const label = r.program ? `${r.object}/${r.name}` : r.object;
  return `${r.status} ${label}${r.reason ? `: ${r.reason}` : ''}`;
}

export interface TestTotals {
  passed: number;
  failed: number;
  skipped: number;
}

export function totals(results: readonly TestResult[]): TestTotals {
  const t = { passed: 0, failed: 0, skipped: 0 };
  for (const r of results) r.status === 'PASS' ? t.passed++ : r.status === 'FAIL' ? t.failed++ : t.skipped++;
  return t;
}

export function formatTotals(t: TestTotals): string {
  return `${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`;
}
