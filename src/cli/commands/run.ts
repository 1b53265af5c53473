// `ebpfvm run x.o --prog P [--data f] [--ctx f] [--repeat N] ...`: a test run, like
// `bpftool prog run` (BPF_PROG_TEST_RUN) but on the VM. Text output is bpftool's: data_out and
// ctx_out hex dumps, then `Return value: N, duration: Xns`; printk lines go to stderr. `--json`
// prints one object (DESIGN section 9). Bad input (unknown program, data the kernel would refuse,
// forbidden ctx_in fields, malformed --map files) exits 2; a fault exits 1.
import { arenaApi, dumpArena, formatArenaDump } from '../../arena-api.js';
import { isBpfArenaMap } from '../../../maps/arena.js';
import type { Command } from 'commander';
import { UsageError, VerifierError, VmFault } from '../../errors.js';
import { Runtime } from '../../runtime.js';
import { readBytes, writeBytes } from '../../node.js';
import type { LoadedObject } from '../../loader/load.js';
import { loadProgramForRun } from '../load-program.js';
import { runIterator, type IterResult } from '../../iter.js';
import { iterTarget } from '../../iter-targets.js';
import { runnableProgram, verifyForRun } from '../../verify.js';
import { parseBtf } from '../../btf/btf.js';
import { dumpRbtree, formatRbtree, isRbtreeMap } from '../../rbtree-api.js';
import { dumpMapRaw, hexDump, mapViews, resultLine, testRun, toHex, TestRunInputError, type TestRunResult } from '../../test-run-api.js';
import { mapTypeName } from '../../../maps/types.js';
import { PerfEventArrayMap } from '../../../maps/perf-event-array.js';
import { RingbufMap } from '../../../maps/ringbuf.js';
import { MapHandle, type Codec } from '../../map-api.js';
import { encodeCtxFields, progTypeInfo } from '../../../vm/contexts.js';
import { RUN_OUTPUT_BYTES, type RunOutput } from '../../../helpers/types.js';
import type { RegisterCommand } from './index.js';
import type { SocketDesc } from '../../../vm/sockets.js';
import { ENGINE_HELP, parseEngine } from '../engine.js';
import { attachExtensions, parseExtArg } from '../freplace.js';
import type { Engine } from '../../../vm/interpreter.js';
import type { AdvanceResult } from '../../clock.js';
import type { KernelCgroupDesc, KernelModelOptions, KernelTaskDesc } from '../../btf/kernel-objects.js';
import { writeErr, writeOut } from '../output.js';

interface RunOptions {
  prog?: string;
  data?: string;
  ctx?: string;
  dataOut?: string;
  ctxOut?: string;
  repeat?: number;
  cpu?: number;
  ncpus?: number;
  cookie?: bigint;
  map?: string[];
  args?: string;
  task?: string;
  kernel?: string;
  sockets?: string;
  kmem?: string;
  btf?: string;
  maxInsns?: number;
  trace?: boolean;
  json?: boolean;
  dumpMaps?: boolean | string;
  verify?: boolean;
  strict?: boolean;
  unpriv?: boolean;
  engine?: Engine;
  replace?: string[];
  before?: string[];
  advanceNs?: bigint;
  iterMap?: string;
  iterReadSize?: number;
}

/** A u64 given in decimal or 0x-hex. */
const u64 = (flag: string) => (v: string): bigint => {
  if (!/^(\d+|0x[0-9a-fA-F]+)$/.test(v) || BigInt(v) >= 1n << 64n) throw new UsageError(`${flag}: '${v}' is not an unsigned 64-bit integer (decimal or 0x-hex)`);
  return BigInt(v);
};

const uint = (flag: string) => (v: string): number => {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new UsageError(`${flag}: '${v}' is not a non-negative integer`);
  return Number(v);
};

export const registerRun: RegisterCommand = (program: Command, setExit) => {
  program
    .command('run')
    .description('verify a program, then test-run it like bpftool prog run (BPF_PROG_TEST_RUN)')
    .argument('<object>', 'clang-built BPF object (.o)')
    .option('--prog <name>', 'program to run (may be omitted when the object has one program)')
    .option('--data <file>', 'packet data (data_in), binary')
    .option('--ctx <file>', 'context (ctx_in): binary, or .json with fields by name ({"mark": 5, "cb": [1]})')
    .option('--data-out <file>', 'write data_out to a file instead of printing it')
    .option('--ctx-out <file>', 'write ctx_out to a file instead of printing it')
    .option('--repeat <n>', 'run N times on the same packet and context', uint('--repeat'))
    .option('--cpu <n>', 'CPU the run executes on', uint('--cpu'))
    .option('--ncpus <n>', 'number of possible CPUs (per-CPU maps); default: --cpu + 1', uint('--ncpus'))
    .option('--cookie <n>', 'tracing programs: the BPF cookie bpf_get_attach_cookie returns (default 0, as in a test run)', u64('--cookie'))
    .option('--args <file.json>', 'tracing programs: arguments as a JSON array of integers (numbers or "0x..." strings)')
    .option('--task <file.json>', 'current task for get_current_* helpers: {"pid", "tgid", "uid", "gid", "comm"}')
    .option('--kernel <file.json>', 'tasks and cgroups for the task/cgroup kfuncs: {"tasks": [{"pid", "tgid", "uid", "gid", "comm", "ppid", "cgroup"}], "cgroups": [{"id", "parent", "name"}], "currentCgroup"}')
    .option('--sockets <file.json>', 'sockets user space names by fd (sk_storage keys, sockmap, reuseport array and xskmap values): [{"proto": "tcp"|"udp", "family": 4|6, "src", "dst", "srcPort", "dstPort", "state", "fd", "reuseport": true|false}, {"proto": "xdp", "queueId"} (AF_XDP), ...]; fds default to 3, 4, ...')
    .option('--btf <file>', 'kernel BTF to relocate CO-RE against (e.g. /sys/kernel/btf/vmlinux); default: the built-in kernel BTF')
    .option('--kmem <file.json>', 'kernel memory the program may read: {"0xffff...": "hex bytes", ...}')
    .option('--map <name=file.json>', 'fill map NAME from a JSON file before the run (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--max-insns <n>', 'instruction budget per run (default: 100 million unverified, none for a verified program, as in the kernel)', uint('--max-insns'))
    .option('--trace', 'print every executed instruction to stderr')
    .option('--json', 'print one JSON object')
    .option('--dump-maps [mode]', "print every map after the run ('tree' draws rbtree maps as trees)")
    .option('--verify', 'verify first (the default); a rejected program exits 1 with the verifier message')
    .option('--no-verify', 'run without verifying: every memory access is checked at run time and an instruction budget bounds the run')
    .option('--strict', "verify with the rbtree verifier's strict mode")
    .option('--unpriv', 'load and verify as a user without CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN and CAP_SYS_ADMIN (EPERM for other program and map types); the test run itself runs with them, as the kernel test loader does')
    .option('--engine <name>', ENGINE_HELP, parseEngine)
    .option('--advance-ns <n>', "after the run, advance the runtime's clock N ns and run the bpf_timer callbacks that expire on the way and the queued bpf_wq work (0 only runs the work) (printed; --dump-maps shows the maps after them). With it the clock is virtual: ktime reads start at 1 s and move only when advanced", u64('--advance-ns'))
    .option('--before <prog[=ctx]>', "test-run program PROG of the same object first, on the same maps and verified like the program run (e.g. the syscall program that creates what it uses, as a user-space test does before attaching it); CTX is a file with its ctx_in (repeatable, in order; each prints its retval to stderr)", (v: string, acc: string[] = []) => [...acc, v])
    .option('--iter-map <name>', 'iterator programs (SEC("iter/bpf_map_elem")): the map of the object to iterate, as `bpftool iter pin x.o PATH map ...` names it')
    .option('--iter-read-size <n>', 'iterator programs: bytes each read() of the iterator asks for (default 131072, what cat asks for)', uint('--iter-read-size'))
    .option('--replace <ext.o[:prog][=func]>', "attach an extension (SEC(\"freplace/FUNC\")) program PROG of ext.o in place of FUNC of the program run, loaded and verified against it (repeatable); PROG may be omitted when ext.o has one, FUNC when the section names it", (v: string, acc: string[] = []) => [...acc, v])
    .action((objPath: string, opts: RunOptions) => {
      setExit(runCommand(objPath, opts));
    });
};

function runCommand(objPath: string, opts: RunOptions): number {
  if (opts.dumpMaps !== undefined && opts.dumpMaps !== true && opts.dumpMaps !== 'tree') {
    throw new UsageError(`--dump-maps: unknown mode '${String(opts.dumpMaps)}' (use --dump-maps or --dump-maps=tree)`);
  }
  const cpu = opts.cpu ?? 0;
  const ncpus = opts.ncpus ?? cpu + 1;
  const task = opts.task !== undefined ? readTask(opts.task) : undefined;
  const kernel = opts.kernel !== undefined ? readKernelModel(opts.kernel) : undefined;
  const sockets = opts.sockets !== undefined ? readSockets(opts.sockets) : undefined;
  let runtime: Runtime;
  try {
    runtime = new Runtime({ ncpus, cpu, ...(opts.advanceNs !== undefined ? { clock: 'virtual' as const } : {}), ...(opts.engine !== undefined ? { engine: opts.engine } : {}), ...(opts.maxInsns !== undefined ? { maxInsns: opts.maxInsns } : {}), ...(task ? { task } : {}), ...(kernel ? { kernel } : {}), ...(sockets ? { sockets } : {}) });
  } catch (e) {
    if (e instanceof UsageError && sockets) throw new UsageError(`--sockets: ${e.message}`);
    throw e;
  }
  if (opts.kmem !== undefined) mapKernelMemory(runtime, opts.kmem);
  const { obj, progName, verdict } = loadProgramForRun(runtime, objPath, {
    ...(opts.prog !== undefined ? { prog: opts.prog } : {}),
    ...(opts.before ? { also: opts.before.map((b) => b.split('=')[0]!) } : {}),
    ...(opts.verify !== undefined ? { verify: opts.verify } : {}),
    ...(opts.strict ? { strict: true } : {}),
    load: { ...(opts.btf !== undefined ? { targetBtf: parseBtf(readBytes(opts.btf)) } : {}), ...(opts.unpriv ? { unpriv: true } : {}) },
  });
  const verified = verdict !== undefined;
  // Say that the program was verified (the text output itself is bpftool's, so this goes to stderr).
  if (verdict && !opts.json) writeErr(`Verifier: ${progName} accepted (${verdict.processed} insns processed)\n`);
  const prog = obj.program(progName);
  const exts = (opts.replace ?? []).map((arg) => parseExtArg('--replace', arg, false));
  const extensions = attachExtensions(runtime, prog, exts, verified);
  for (const e of extensions) {
    if (e.verdict && !opts.json) writeErr(`Verifier: ${e.name} accepted (${e.verdict.processed} insns processed)\n`);
    if (!opts.json) writeErr(`Attached: ${e.name} replaces ${progName}'s ${e.link.func}()\n`);
  }
  for (const arg of opts.map ?? []) fillMap(obj, arg, ncpus);
  // --before: the other programs user space runs first, in order, on the same maps.
  for (const arg of opts.before ?? []) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!name || !obj.programs.has(name)) throw new UsageError(`--before ${arg}: ${objPath} has no program named '${name}' (${[...obj.programs.keys()].join(', ')})`);
    const bp = obj.program(name);
    if (verified) {
      let v;
      try {
        v = verifyForRun(obj, name, opts.strict ? { strict: true } : {});
      } catch (e) {
        if (e instanceof VerifierError) writeErr(e.log.endsWith('\n') || e.log === '' ? e.log : e.log + '\n');
        throw e;
      }
      if (!opts.json) writeErr(`Verifier: ${name} accepted (${v.processed} insns processed)\n`);
    }
    const br = testRun(runtime, runnableProgram(bp), { cpu, ...(verified ? { verified: true } : {}), ...(eq >= 0 ? { ctx: readCtx(arg.slice(eq + 1), bp.progType) } : {}) });
    for (const l of br.output.printk) writeErr(l.endsWith('\n') ? l : l + '\n');
    writeErr(`Before: ${name} retval ${br.retval}\n`);
  }
  // Like a libbpf perf_buffer: an event open on every CPU, so perf_event_output delivers.
  for (const lm of obj.maps.values()) if (lm.map instanceof PerfEventArrayMap) lm.map.openAll(ncpus);

  // Iterator programs have no test run: they run inside reads of the iterator (src/iter.ts).
  if (iterTarget(prog.section)) return runIterCommand(obj, progName, verified, opts, ncpus);
  if (opts.iterMap !== undefined || opts.iterReadSize !== undefined) throw new UsageError(`--iter-map and --iter-read-size are for iterator programs (SEC("iter/...")); ${progName} is in section ${prog.section}`);

  const output = { printk: [] as string[], ringbuf: [] as RunOutput['ringbuf'], perf: [] as RunOutput['perf'] };
  const input = {
    output,
    ...(opts.data !== undefined ? { data: readBytes(opts.data) } : {}),
    ...(opts.ctx !== undefined ? { ctx: readCtx(opts.ctx, prog.progType) } : {}),
    ...(opts.args !== undefined ? { args: readArgs(opts.args) } : {}),
    ...(opts.repeat !== undefined ? { repeat: opts.repeat } : {}),
    ...(opts.cookie !== undefined ? { cookie: opts.cookie } : {}),
    cpu,
    ...(opts.maxInsns !== undefined ? { maxInsns: opts.maxInsns } : {}),
    // a verified program runs as the kernel runs it: no instruction budget (unless --max-insns),
    // and the compiled engine's variant that uses the verifier's facts
    ...(verified ? { verified: true } : {}),
    ...(opts.trace ? { trace: (line: string) => void writeErr(line + '\n') } : {}),
  };
  let r: TestRunResult;
  try {
    r = testRun(runtime, runnableProgram(prog), input);
  } catch (e) {
    // What the program printed before it faulted is often the best clue.
    for (const l of output.printk) writeErr(l.endsWith('\n') ? l : l + '\n');
    if (e instanceof TestRunInputError && opts.json) {
      // Like `bpftool -j prog run`: the refusal as JSON on stdout, the message on stderr.
      writeOut(JSON.stringify({ program: progName, error: e.message, errno: e.errno }) + '\n');
      writeErr(`ebpfvm: ${e.message}\n`);
      return 2;
    }
    if (e instanceof VmFault) {
      if (opts.json) writeOut(JSON.stringify({ program: progName, verified, fault: { pc: e.pc, reason: e.reason, message: e.message } }) + '\n');
      writeErr(`ebpfvm: fault: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  for (const l of r.output.printk) writeErr(l.endsWith('\n') ? l : l + '\n');
  if (r.output.lost) writeErr(lostNote(r.output));
  for (const lm of obj.maps.values()) {
    // the kernel's verifier refuses such programs; unverified runs can end this way
    if (lm.map instanceof RingbufMap && lm.map.pendingReservations > 0) {
      writeErr(`ebpfvm: note: ring buffer ${lm.map.name} has ${lm.map.pendingReservations} reserved record(s) never submitted or discarded\n`);
    }
  }
  // --advance-ns: user space moves the clock on; the timers the run armed fire (src/clock.ts).
  let advanced: AdvanceResult | undefined;
  if (opts.advanceNs !== undefined) {
    try {
      advanced = runtime.clock.advance(opts.advanceNs);
    } catch (e) {
      if (!(e instanceof VmFault)) throw e;
      if (opts.json) writeOut(JSON.stringify({ program: progName, verified, retval: r.retval, fault: { pc: e.pc, reason: e.reason, message: e.message, in: 'timer callback' } }) + '\n');
      else writeOut(resultLine(r) + '\n');
      writeErr(`ebpfvm: fault in a timer callback: ${e.message}\n`);
      return 1;
    }
    for (const l of advanced.output.printk) writeErr(l.endsWith('\n') ? l : l + '\n');
  }
  if (opts.dataOut !== undefined && r.dataOut) writeBytes(opts.dataOut, r.dataOut, '--data-out');
  if (opts.ctxOut !== undefined && r.ctxOut) writeBytes(opts.ctxOut, r.ctxOut, '--ctx-out');

  if (opts.json) {
    const out: Record<string, unknown> = {
      program: progName,
      verified,
      retval: r.retval,
      r0: r.r0.toString(),
      data_out: r.dataOut ? toHex(r.dataOut) : null,
      ctx_out: r.ctxOut ? toHex(r.ctxOut) : null,
      duration_ns: r.durationNs,
      repeat: r.repeat,
      insn_count: r.insnCount,
      engine: runtime.interpreter.engine,
      // generating code and new Function, on the first run (V8 compiles the function lazily)
      compile_ms: Number(runtime.interpreter.compileStats.compileMs.toFixed(3)),
      printk: r.output.printk,
      ringbuf: r.output.ringbuf.map((e) => ({ map: e.map, data: toHex(e.data) })),
      perf: r.output.perf.map((e) => ({ map: e.map, cpu: e.cpu, data: toHex(e.data) })),
      ...(r.output.lost ? { lost: r.output.lost } : {}),
    };
    if (opts.dumpMaps) out.maps = Object.assign(mapsJson(obj, ncpus, opts.dumpMaps === 'tree'), ...extObjects(extensions).map((o) => mapsJson(o, ncpus, opts.dumpMaps === 'tree')));
    if (advanced) out.timers = timersJson(runtime, advanced);
    if (extensions.length) out.extensions = extensions.map((e) => ({ program: e.name, replaces: e.link.func, verified: e.verdict !== undefined }));
    writeOut(JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) + '\n');
    return 0;
  }

  let text = '';
  if (r.dataOut && opts.dataOut === undefined && opts.data !== undefined) text += hexDump(r.dataOut);
  if (r.ctxOut && opts.ctxOut === undefined) text += hexDump(r.ctxOut);
  text += resultLine(r) + '\n';
  for (const e of r.output.ringbuf) text += `ringbuf ${e.map}: ${e.data.length} bytes\n` + hexDump(e.data);
  for (const e of r.output.perf) text += `perf ${e.map} cpu ${e.cpu}: ${e.data.length} bytes\n` + hexDump(e.data);
  if (advanced) text += timersText(runtime, advanced);
  if (opts.dumpMaps) text += mapsText(obj, ncpus, opts.dumpMaps === 'tree') + extObjects(extensions).map((o) => mapsText(o, ncpus, opts.dumpMaps === 'tree')).join('');
  writeOut(text);
  return 0;
}

export { hexDump } from '../../test-run-api.js';

// ---- iterator programs ----------------------------------------------------------------------

/** `run` of an iterator program: read the iterator to its end as `cat` of a pinned iterator does;
 *  the file's contents go to stdout as they are, a summary to stderr. A failed read (E2BIG,
 *  EAGAIN) exits 1 after printing what was read before it. */
function runIterCommand(obj: LoadedObject, progName: string, verified: boolean, opts: RunOptions, ncpus: number): number {
  let r: IterResult;
  try {
    r = runIterator(obj, progName, {
      ...(opts.iterMap !== undefined ? { map: opts.iterMap } : {}),
      ...(opts.iterReadSize !== undefined ? { readSize: opts.iterReadSize } : {}),
      verified,
      ...(opts.maxInsns !== undefined ? { maxInsns: opts.maxInsns } : {}),
      cpu: opts.cpu ?? 0,
    });
  } catch (e) {
    if (e instanceof VmFault) {
      if (opts.json) writeOut(JSON.stringify({ program: progName, verified, fault: { pc: e.pc, reason: e.reason, message: e.message } }) + '\n');
      writeErr(`ebpfvm: fault: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  for (const l of r.printk) writeErr(l.endsWith('\n') ? l : l + '\n');
  if (opts.json) {
    const out: Record<string, unknown> = {
      program: progName,
      verified,
      iterator: {
        ...(opts.iterMap !== undefined ? { map: opts.iterMap } : {}),
        output: new TextDecoder('latin1').decode(r.output),
        output_hex: toHex(r.output),
        ...(r.error ? { error: r.error.message, errno: r.error.errno } : {}),
        reads: r.reads,
        calls: r.calls,
        objects: r.objects,
      },
      insn_count: r.insnCount,
      printk: r.printk,
    };
    if (opts.dumpMaps) out.maps = mapsJson(obj, ncpus, opts.dumpMaps === 'tree');
    writeOut(JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) + '\n');
  } else {
    writeOut(r.output);
    if (opts.dumpMaps) writeOut(mapsText(obj, ncpus, opts.dumpMaps === 'tree'));
  }
  writeErr(`Iterator: ${r.objects} object${r.objects === 1 ? '' : 's'}, ${r.calls} program run${r.calls === 1 ? '' : 's'}, ${r.reads.length} read${r.reads.length === 1 ? '' : 's'}, ${r.output.length} bytes\n`);
  if (r.error) {
    writeErr(`ebpfvm: read failed (-${r.error.errno}): ${r.error.message}\n`);
    return 1;
  }
  return 0;
}

// ---- --advance-ns ---------------------------------------------------------------------------

/** What the advance fired: when (ns after the run), which element's timer (or bpf_wq work item),
 *  on which CPU. */
function timersText(runtime: Runtime, a: AdvanceResult): string {
  const armed = runtime.timers.all().filter((t) => t.expires !== undefined).length;
  let text = `Timers: clock advanced ${a.to - a.from} ns, ${a.fired.length} callback${a.fired.length === 1 ? '' : 's'} fired, ${armed} still armed\n`;
  for (const f of a.fired) text += `  +${f.at - a.from} ns: ${f.kind === 'wq' ? 'bpf_wq work of ' : ''}${f.map} key ${toHex(f.key)} on cpu ${f.cpu}, r0 ${f.r0} (${f.insns} insns)\n`;
  for (const e of a.output.ringbuf) text += `ringbuf ${e.map}: ${e.data.length} bytes\n` + hexDump(e.data);
  for (const e of a.output.perf) text += `perf ${e.map} cpu ${e.cpu}: ${e.data.length} bytes\n` + hexDump(e.data);
  return text;
}

function timersJson(runtime: Runtime, a: AdvanceResult): Record<string, unknown> {
  return {
    advanced_ns: (a.to - a.from).toString(),
    clock_ns: a.to.toString(),
    fired: a.fired.map((f) => ({ after_ns: (f.at - a.from).toString(), ...(f.kind === 'wq' ? { kind: 'wq' } : {}), map: f.map, key: toHex(f.key), cpu: f.cpu, r0: f.r0.toString(), insn_count: f.insns })),
    armed: runtime.timers.all().filter((t) => t.expires !== undefined).length,
    printk: a.output.printk,
    ringbuf: a.output.ringbuf.map((e) => ({ map: e.map, data: toHex(e.data) })),
    perf: a.output.perf.map((e) => ({ map: e.map, cpu: e.cpu, data: toHex(e.data) })),
  };
}

/** The extension objects, each once (several --replace may name programs of one object). */
function extObjects(exts: readonly { obj: LoadedObject }[]): LoadedObject[] {
  return [...new Set(exts.map((e) => e.obj))];
}

// ---- --ctx ----------------------------------------------------------------------------------

/** --ctx: a binary file, or (*.json) the context by field name for types with a layout
 *  ({"mark": 5, "cb": [1, 2]}), or a hex string / array of u64 values for raw contexts. */
function readCtx(file: string, progType: number): Uint8Array {
  if (!file.endsWith('.json')) return readBytes(file);
  const doc = readJson(file, '--ctx');
  const layout = progTypeInfo(progType)?.ctx;
  try {
    if (layout && typeof doc === 'object' && doc !== null && !Array.isArray(doc)) return encodeCtxFields(layout, doc as Record<string, unknown>);
    if (typeof doc === 'string') {
      const raw = rawJsonBytes(doc, '--ctx');
      if (raw) return raw;
    }
    if (Array.isArray(doc)) {
      const out = new Uint8Array(doc.length * 8);
      doc.forEach((v, i) => new DataView(out.buffer).setBigUint64(i * 8, BigInt.asUintN(64, jsonInt(v, `--ctx[${i}]`)), true));
      return out;
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--ctx: ${(e as Error).message}`);
  }
  throw new UsageError(`--ctx: ${file} must hold ${layout ? `an object of ${layout.struct} fields, ` : ''}a hex string or an array of u64 values`);
}

// ---- --args, --task, --kmem -----------------------------------------------------------------

function readJson(file: string, flag: string): unknown {
  let text: string;
  try {
    text = new TextDecoder().decode(readBytes(file));
  } catch (e) {
    throw new UsageError(`${flag}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${file}: ${(e as Error).message}`);
  }
}

/** An integer from JSON: a number, or a decimal / 0x-hex string (for values beyond 2^53). */
function jsonInt(v: unknown, what: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^(-?\d+|0x[0-9a-fA-F]+)$/.test(v)) return BigInt(v);
  throw new UsageError(`${what}: ${jsonText(v)} is not an integer (use a number or a "0x..." string)`);
}

/** A JSON value from a user's file as an error message shows it: short, and never a walk of a
 *  deeply nested document (JSON.stringify of a million nested arrays overflows the stack). */
function jsonText(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object' && v !== null) return 'an object';
  const t = typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v);
  return t.length > 80 ? `${t.slice(0, 77)}...` : t;
}

function readArgs(file: string): bigint[] {
  const doc = readJson(file, '--args');
  if (!Array.isArray(doc)) throw new UsageError(`--args: ${file} must hold a JSON array of integers`);
  return doc.map((v, i) => jsonInt(v, `--args[${i}]`));
}

/** --kernel: the task model's tasks and cgroups (src/btf/kernel-objects.ts validates the
 *  entries and names a bad one). */
function readKernelModel(file: string): KernelModelOptions {
  const doc = readJson(file, '--kernel');
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new UsageError(`--kernel: ${file} must hold a JSON object`);
  const out: { tasks?: KernelTaskDesc[]; cgroups?: KernelCgroupDesc[]; currentCgroup?: number } = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (k === 'tasks' || k === 'cgroups') {
      if (!Array.isArray(v) || v.some((e) => typeof e !== 'object' || e === null || Array.isArray(e))) throw new UsageError(`--kernel: ${k} must be an array of objects`);
      const known = k === 'tasks' ? ['pid', 'tgid', 'uid', 'gid', 'comm', 'ppid', 'cgroup'] : ['id', 'parent', 'name'];
      v.forEach((e: Record<string, unknown>, i) => {
        for (const f of Object.keys(e)) if (!known.includes(f)) throw new UsageError(`--kernel: ${k}[${i}]: unknown field ${f} (${known.join(', ')})`);
      });
      if (k === 'tasks') out.tasks = v as KernelTaskDesc[];
      else out.cgroups = v as KernelCgroupDesc[];
    } else if (k === 'currentCgroup') {
      if (typeof v !== 'number') throw new UsageError('--kernel: currentCgroup must be a cgroup id');
      out.currentCgroup = v;
    } else throw new UsageError(`--kernel: unknown field ${k} (tasks, cgroups, currentCgroup)`);
  }
  return out;
}

function readTask(file: string): { pid?: number; tgid?: number; uid?: number; gid?: number; comm?: string } {
  const doc = readJson(file, '--task');
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new UsageError(`--task: ${file} must hold a JSON object`);
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (k === 'comm') {
      if (typeof v !== 'string') throw new UsageError('--task: comm must be a string');
      out.comm = v;
    } else if (['pid', 'tgid', 'uid', 'gid'].includes(k)) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new UsageError(`--task: ${k} must be a u32`);
      out[k] = v;
    } else throw new UsageError(`--task: unknown field ${k} (pid, tgid, uid, gid, comm)`);
  }
  return out;
}

const SOCKET_FIELDS = ['proto', 'family', 'src', 'dst', 'srcPort', 'dstPort', 'state', 'fd', 'reuseport', 'queueId'];

/** The socket table: a JSON array of socket descriptions (vm/sockets.ts checks the values). */
function readSockets(file: string): SocketDesc[] {
  const doc = readJson(file, '--sockets');
  if (!Array.isArray(doc)) throw new UsageError(`--sockets: ${file} must hold a JSON array of socket objects`);
  return doc.map((d, i) => {
    if (typeof d !== 'object' || d === null || Array.isArray(d)) throw new UsageError(`--sockets[${i}]: must be an object`);
    const bad = Object.keys(d).find((k) => !SOCKET_FIELDS.includes(k));
    if (bad !== undefined) throw new UsageError(`--sockets[${i}]: unknown field ${bad} (${SOCKET_FIELDS.join(', ')})`);
    return d as SocketDesc;
  });
}

/** Map kernel memory: {"0xADDR": "hex bytes"} (also [{"addr": ..., "data": ...}]). */
function mapKernelMemory(runtime: Runtime, file: string): void {
  const doc = readJson(file, '--kmem');
  const entries: [unknown, unknown][] = Array.isArray(doc)
    ? doc.map((e: { addr?: unknown; data?: unknown }) => [e?.addr, e?.data])
    : typeof doc === 'object' && doc !== null
      ? Object.entries(doc)
      : [];
  if (entries.length === 0 && !(typeof doc === 'object' && doc !== null)) throw new UsageError(`--kmem: ${file} must map addresses to hex bytes`);
  for (const [a, d] of entries) {
    const addr = jsonInt(a, '--kmem address');
    if (addr >> 32n === 0n) throw new UsageError(`--kmem: 0x${addr.toString(16)} is not a kernel address (its upper half is zero, which is arena memory)`);
    if (typeof d !== 'string') throw new UsageError(`--kmem 0x${addr.toString(16)}: data must be a hex string`);
    const clean = d.replace(/[\s,]+/g, '');
    if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new UsageError(`--kmem 0x${addr.toString(16)}: '${d}' is not hex bytes`);
    runtime.kmem.map(addr, new Uint8Array(Buffer.from(clean, 'hex')));
  }
}

// ---- --map NAME=file.json -------------------------------------------------------------------

/** Raw bytes as bpftool writes them: a hex string ("0800", "0x08 0x00") or an array of "0x.."
 *  strings. Undefined for anything else (numbers, objects: those go through the map's BTF). */
function rawJsonBytes(v: unknown, what: string): Uint8Array | undefined {
  let clean: string;
  if (typeof v === 'string') clean = v.replace(/0x/gi, '').replace(/[\s,]+/g, '');
  else if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) clean = v.map((x: string) => x.replace(/^0x/i, '').padStart(2, '0')).join('');
  else return undefined;
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new UsageError(`${what}: ${jsonText(v)} is not hex bytes`);
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

/** A key or value from JSON: raw hex bytes, or a value shaped like the map's BTF type (numbers,
 *  objects by member name, arrays) encoded by the map API's codec. */
export function encodeJson(v: unknown, codec: Codec, what: string): Uint8Array {
  const raw = rawJsonBytes(v, what);
  if (raw) {
    if (raw.length !== codec.size) throw new UsageError(`${what}: ${raw.length} bytes, the map needs ${codec.size}`);
    return raw;
  }
  try {
    return codec.encode(v);
  } catch (e) {
    // Plain byte arrays of the right length also work without a matching BTF shape.
    if (Array.isArray(v) && v.length === codec.size && v.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)) return new Uint8Array(v);
    throw new UsageError(`${what}: ${(e as Error).message}`);
  }
}

/** Apply `NAME=file.json`: a JSON array of {key, value} (per-CPU maps: {key, values: [...]} or
 *  one value for every CPU) entries. Everything is encoded before the first update, so a bad entry
 *  leaves the map unchanged. */
function fillMap(obj: LoadedObject, arg: string, ncpus: number): void {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new UsageError(`--map ${arg}: expected NAME=file.json`);
  const name = arg.slice(0, eq);
  const file = arg.slice(eq + 1);
  const h = new MapHandle(obj.map(name), { btf: obj.spec.btf, ncpus });
  const doc = readJson(file, `--map ${name}`);
  if (!Array.isArray(doc)) throw new UsageError(`--map ${name}: ${file} must hold a JSON array of {"key": ..., "value": ...} entries`);
  const stride = Math.ceil(h.map.valueSize / 8) * 8;
  const updates = doc.map((e: unknown, i: number) => {
    const where = `--map ${name} entry ${i}`;
    if (typeof e !== 'object' || e === null || !('key' in e)) throw new UsageError(`${where}: expected an object with "key" and "value"`);
    const ent = e as { key: unknown; value?: unknown; values?: unknown };
    const key = encodeJson(ent.key, h.key, `${where} key`);
    if (h.perCpu) {
      const vals = Array.isArray(ent.values) ? ent.values : ent.value !== undefined ? Array(ncpus).fill(ent.value) : undefined;
      if (!vals || vals.length !== ncpus) throw new UsageError(`${where}: a per-CPU map needs "values" with one value per CPU (${ncpus}) or one "value" for all`);
      const value = new Uint8Array(stride * ncpus);
      vals.forEach((v: unknown, c: number) => value.set(encodeJson(v, h.value, `${where} values[${c}]`), c * stride));
      return { key, value };
    }
    if (ent.value === undefined) throw new UsageError(`${where}: missing "value"`);
    return { key, value: encodeJson(ent.value, h.value, `${where} value`) };
  });
  for (const [i, u] of updates.entries()) {
    const err = h.map.update(u.key, u.value);
    if (err < 0) throw new UsageError(`--map ${name} entry ${i}: update failed with errno ${-err}`);
  }
}

// ---- --dump-maps ----------------------------------------------------------------------------

const show = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x));

function mapsJson(obj: LoadedObject, ncpus: number, tree: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of mapViews(obj)) {
    const m = v.map;
    if (isRbtreeMap(m)) {
      out[v.name] = dumpRbtree(m, { ...(v.value ? { decode: (b: Uint8Array) => v.value!(b) } : {}), tree });
      continue;
    }
    if (isBpfArenaMap(m)) {
      out[v.name] = dumpArena(arenaApi(obj, v.name));
      continue;
    }
    const raw = dumpMapRaw(m, ncpus);
    out[v.name] = {
      type: raw.type,
      key_size: m.keySize,
      value_size: m.valueSize,
      max_entries: m.maxEntries,
      entries: raw.entries.map((e) => {
        const formatted: Record<string, unknown> = {};
        if (v.key) formatted.key = v.key(Buffer.from(e.key, 'hex'));
        if (v.value && e.value !== undefined) formatted.value = v.value(Buffer.from(e.value, 'hex'));
        if (v.value && e.values) formatted.values = e.values.map((x) => v.value!(Buffer.from(x, 'hex')));
        return { ...e, ...(Object.keys(formatted).length ? { formatted } : {}) };
      }),
    };
  }
  return out;
}

function mapsText(obj: LoadedObject, ncpus: number, tree: boolean): string {
  let text = '';
  for (const v of mapViews(obj)) {
    const m = v.map;
    if (isRbtreeMap(m)) {
      text += formatRbtree(m, { mode: tree ? 'tree' : 'inorder', ...(v.value ? { decode: (b: Uint8Array) => v.value!(b) } : {}) }) + '\n';
      continue;
    }
    if (isBpfArenaMap(m)) {
      text += formatArenaDump(v.name, dumpArena(arenaApi(obj, v.name)));
      continue;
    }
    const raw = dumpMapRaw(m, ncpus);
    text += `${v.name}: ${mapTypeName(m.type)}, key ${m.keySize} bytes, value ${m.valueSize} bytes, ${raw.entries.length} entr${raw.entries.length === 1 ? 'y' : 'ies'}\n`;
    for (const e of raw.entries) {
      const k = v.key ? show(v.key(Buffer.from(e.key, 'hex'))) : e.key;
      if (e.values) {
        const vals = e.values.map((x) => (v.value ? show(v.value(Buffer.from(x, 'hex'))) : x));
        text += `  ${k}: [${vals.join(', ')}]\n`;
      } else {
        text += `  ${k}: ${v.value ? show(v.value(Buffer.from(e.value!, 'hex'))) : e.value}\n`;
      }
    }
  }
  return text;
}

/** The note for what a run did not keep of its output (RunOutput.lost), or ''. */
export function lostNote(output: RunOutput): string {
  const l = output.lost;
  if (!l) return '';
  const parts = [l.printk ? `${l.printk} trace_printk line(s)` : '', l.perf ? `${l.perf} perf sample(s)` : ''].filter(Boolean);
  return `ebpfvm: note: ${parts.join(' and ')} not kept: a run keeps ${RUN_OUTPUT_BYTES >> 20} MiB of each, as the kernel's trace and perf buffers are bounded\n`;
}
