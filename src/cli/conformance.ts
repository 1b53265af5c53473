#!/usr/bin/env node
// `ebpfvm-conformance`: the bpf_conformance plugin (../shared/reference/conformance-plugin.md).
//
//   ebpfvm-conformance [MEMHEX] [--elf] [--engine interpreter|compiled] [other plugin options ignored]
//   stdin:  the program as whitespace-separated hex bytes (or an ELF object's bytes with --elf)
//   stdout: r0 in hex, newline; exit 0.   Errors: message on stderr, exit 1.
//
// The memory buffer is copied into the arena; r1 = its address, r2 = its length (uBPF's
// convention). The program runs unverified on the interpreter with this plugin's own helper table
// (uBPF's test helpers, ids 0..5), and `callx` of a plain integer calls that helper id. The memory
// is also the packet of legacy LD_ABS/LD_IND loads (big-endian; out of bounds ends with r0 = 0).
// The runner starts this process once per test, so it runs on the interpreter unless told
// `--engine compiled` (a test is one short run, which compiling would only make longer), and it
// imports only what a run needs: the interpreter with a minimal VmEnv (an arena, no maps, this helper table) rather than the full
// Runtime, which would also load every map type and the Linux helper table.
import { readFileSync } from 'node:fs';
import type { HelperEntry, HelperEnv, HelperProto } from '../../helpers/types.js';
import { ENGINES, Interpreter, type Engine, type VmEnv } from '../../vm/interpreter.js';
import { rawInsns, type Insn } from '../../vm/isa.js';
import { KernelMemory } from '../../vm/kmem.js';
import { Arena } from '../../vm/memory.js';
import { EbpfvmError, FaultSignal, VmFault } from '../errors.js';
import { isEntryModule } from './entry.js';
import { useDescriptors, writeErr, writeOut } from './output.js';

/** Reason of the fault the unwind helper raises to stop the program (not an error). */
const UNWIND = 'conformance: unwind';
const ANY5: HelperProto = { args: Array(5).fill({ type: 'ARG_ANYTHING' }), ret: { type: 'RET_INTEGER' } };

function cString(call: Parameters<HelperEntry['impl']>[0], i: 1 | 2): Uint8Array {
  const start = call.ptr(i);
  const bytes: number[] = [];
  for (let a = start; ; a++) {
    call.arena.check(a, 1, false);
    const b = call.arena.u8[a]!;
    if (b === 0) break;
    bytes.push(b);
  }
  return Uint8Array.from(bytes);
}

/** uBPF's test helpers (ubpf_plugin/test_helpers.h), by id. */
export const CONFORMANCE_HELPERS: readonly HelperEntry[] = [
  {
    id: 0,
    name: 'gather_bytes',
    proto: ANY5,
    gplOnly: false,
    progTypes: 'all',
    impl: (c) =>
      (BigInt(c.u32(1) & 0xff) << 32n) | (BigInt(c.u32(2) & 0xff) << 24n) | (BigInt(c.u32(3) & 0xff) << 16n) | (BigInt(c.u32(4) & 0xff) << 8n) | BigInt(c.u32(5) & 0xff),
  },
  {
    id: 1,
    name: 'memfrob',
    proto: ANY5,
    gplOnly: false,
    progTypes: 'all',
    impl: (c) => {
      const p = c.ptr(1);
      const n = Number(c.u64(2) & 0xffffffffn);
      c.arena.check(p, n, true);
      for (let i = 0; i < n; i++) c.arena.u8[p + i]! ^= 42;
      return 0;
    },
  },
  { id: 2, name: 'no_op', proto: ANY5, gplOnly: false, progTypes: 'all', impl: () => 0 },
  { id: 3, name: 'sqrti', proto: ANY5, gplOnly: false, progTypes: 'all', impl: (c) => Math.floor(Math.sqrt(c.u32(1))) },
  {
    id: 4,
    name: 'strcmp_ext',
    proto: ANY5,
    gplOnly: false,
    progTypes: 'all',
    impl: (c) => {
      const a = cString(c, 1);
      const b = cString(c, 2);
      for (let i = 0; ; i++) {
        const x = a[i] ?? 0;
        const y = b[i] ?? 0;
        if (x !== y || x === 0) return x - y;
      }
    },
  },
  {
    id: 5,
    name: 'unwind',
    proto: ANY5,
    gplOnly: false,
    progTypes: 'all',
    // Returns its argument; a zero return stops the whole program with r0 = 0 (uBPF's
    // ubpf_set_unwind_function_index). Stopping is signalled as a fault the plugin recognises.
    impl: (c) => {
      const v = c.u64(1);
      if (v === 0n) throw new FaultSignal(UNWIND);
      return v;
    },
  },
];

/** `call runtime N` (src 2): the suite defines no runtime functions, and its call_runtime.data
 *  expects such a call to be an instruction a runtime accepts that returns 0 in r0 (exit 0, no
 *  error), so every runtime function of this plugin is a no-op returning 0. */
const runtimeFunction = (): bigint => 0n;

/** Instruction budget: the suite has no endless loops, so a runaway program is a failure. */
const MAX_INSNS = 100_000_000;

/** The VM environment of one test: an arena and this plugin's helpers; no maps or programs. */
function conformanceEnv(): VmEnv {
  const arena = new Arena({});
  const helpers = new Map(CONFORMANCE_HELPERS.map((h) => [h.id, h]));
  const helperEnv: HelperEnv = {
    nowNs: () => 0n,
    prandomU32: () => 0,
    task: { pid: 1, tgid: 1, uid: 0, gid: 0, comm: 'conformance' },
    ncpus: 1,
    mapFromHandle: () => undefined,
    readKernel: () => undefined,
    spinLockMap: () => undefined,
  };
  return {
    arena,
    kmem: new KernelMemory(),
    helperEnv,
    helper: (id) => helpers.get(id),
    mapFromHandle: () => undefined,
    mapHandleById: () => undefined,
    mapValueAddress: () => undefined,
    programById: () => undefined,
  };
}

export interface PluginResult {
  stdout: string;
  stderr: string;
  code: number;
}

function hexBytes(text: string, what: string): Uint8Array {
  const toks = text.split(/\s+/).filter(Boolean);
  const out = new Uint8Array(toks.length);
  toks.forEach((t, i) => {
    if (!/^(0x)?[0-9a-fA-F]{1,2}$/.test(t)) throw new EbpfvmError('USAGE', `${what}: '${t}' is not a hex byte`);
    out[i] = parseInt(t.replace(/^0x/i, ''), 16);
  });
  return out;
}

/** The code of the first executable section of a little-endian ELF64 object (the runner's
 *  bpf_writer emits one function in `.text`, or `xdp` with --xdp_prolog), plus its name. */
export function elfProgram(elf: Uint8Array): { code: Uint8Array; section: string } {
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const bad = (why: string): never => {
    throw new EbpfvmError('ELF', `--elf: ${why}`);
  };
  if (elf.length < 64 || dv.getUint32(0) !== 0x7f454c46) bad('not an ELF file');
  if (elf[4] !== 2 || elf[5] !== 1) bad('not a little-endian ELF64 object');
  const shoff = Number(dv.getBigUint64(0x28, true));
  const shentsize = dv.getUint16(0x3a, true);
  const shnum = dv.getUint16(0x3c, true);
  const shstrndx = dv.getUint16(0x3e, true);
  if (shoff + shnum * shentsize > elf.length) bad('section headers out of range');
  const sh = (i: number) => {
    const o = shoff + i * shentsize;
    return { name: dv.getUint32(o, true), type: dv.getUint32(o + 4, true), flags: Number(dv.getBigUint64(o + 8, true)), offset: Number(dv.getBigUint64(o + 0x18, true)), size: Number(dv.getBigUint64(o + 0x20, true)) };
  };
  const strtab = sh(shstrndx);
  const nameAt = (off: number): string => {
    let e = strtab.offset + off;
    while (e < elf.length && elf[e] !== 0) e++;
    return Buffer.from(elf.subarray(strtab.offset + off, e)).toString('latin1');
  };
  for (let i = 1; i < shnum; i++) {
    const s = sh(i);
    const SHT_PROGBITS = 1;
    const SHF_EXECINSTR = 4;
    if (s.type === SHT_PROGBITS && s.flags & SHF_EXECINSTR && s.size > 0) {
      if (s.offset + s.size > elf.length) bad('section data out of range');
      return { code: elf.subarray(s.offset, s.offset + s.size), section: nameAt(s.name) };
    }
  }
  return bad('no executable section');
}

/** The runner's `--xdp_prolog` (bpf_conformance.cc) prepends nine instructions that read data and
 *  data_end from an xdp_md in r1; it passes no flag, so raw programs are recognised by them. */
const XDP_PROLOG: readonly (readonly [number, number, number, number])[] = [
  // code, dst | src << 4, off, imm (NaN: the memory size, any value accepted)
  [0xb7, 0x00, 0, -1],
  [0xbf, 0x16, 0, 0],
  [0x61, 0x61, 0, 0],
  [0x61, 0x62, 4, 0],
  [0xbf, 0x13, 0, 0],
  [0x07, 0x03, 0, NaN],
  [0xbd, 0x23, 1, 0],
  [0x95, 0x00, 0, 0],
  [0xb7, 0x02, 0, NaN],
];

function startsWithXdpProlog(insns: readonly Insn[]): boolean {
  if (insns.length <= XDP_PROLOG.length) return false;
  return XDP_PROLOG.every(([code, regs, off, imm], i) => {
    const x = insns[i]!;
    return x.code === code && (x.dst | (x.src << 4)) === regs && x.off === off && (Number.isNaN(imm) || x.imm === imm);
  });
}

/** Run one conformance test the way the runner invokes the plugin. Never throws. */
export function runConformance(argv: readonly string[], stdin: string): PluginResult {
  try {
    let memHex: string | undefined;
    let elf = false;
    let engine: Engine = 'interpreter';
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '--elf') elf = true;
      else if (a === '--engine') {
        const e = argv[++i];
        if (!ENGINES.includes(e as Engine)) return { stdout: '', stderr: `unsupported engine '${e ?? ''}' (available: ${ENGINES.join(', ')})\n`, code: 2 };
        engine = e as Engine;
      } else if (a.startsWith('--')) continue; // options meant for other plugins (--jit, --interpret)
      else if (i === 0) memHex = a;
    }
    const mem = memHex !== undefined ? hexBytes(memHex, 'memory') : new Uint8Array(0);
    const input = hexBytes(stdin, 'program');
    const prog = elf ? elfProgram(input) : { code: input, section: '' };
    if (prog.code.length === 0 || prog.code.length % 8 !== 0) throw new EbpfvmError('DECODE', `program is ${prog.code.length} bytes, not a non-empty multiple of 8`);

    const rt = conformanceEnv();
    let memAddr = 0;
    if (mem.length > 0) {
      memAddr = rt.arena.allocRegion(mem.length, 3, 'input', 'mem');
      rt.arena.write(memAddr, mem);
    }
    let args: number[] = [memAddr, mem.length];
    const insns = rawInsns(prog.code);
    if (prog.section === 'xdp' || startsWithXdpProlog(insns)) {
      // --xdp_prolog: r1 is an xdp_md whose first two u32 fields are data and data_end.
      const ctx = rt.arena.allocRegion(24, 1, 'ctx', 'xdp_md');
      const dv = new DataView(new ArrayBuffer(8));
      dv.setUint32(0, memAddr, true);
      dv.setUint32(4, memAddr + mem.length, true);
      rt.arena.write(ctx, new Uint8Array(dv.buffer));
      args = [ctx];
    }
    const program = { name: 'main', progType: 0, insns, gpl: true };
    try {
      // The memory buffer doubles as the packet of legacy LD_ABS/LD_IND (the suite's `packet` group).
      const packet = { start: memAddr, end: memAddr + mem.length };
      const r = new Interpreter(rt, { engine }).run(program, { args, cpu: 0, maxInsns: MAX_INSNS, output: { printk: [], ringbuf: [], perf: [] }, callxHelpers: true, packet, kfunc: runtimeFunction });
      return { stdout: r.r0.toString(16) + '\n', stderr: '', code: 0 };
    } catch (e) {
      if (e instanceof VmFault && e.reason === UNWIND) return { stdout: '0\n', stderr: '', code: 0 };
      throw e;
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { stdout: '', stderr: msg + '\n', code: e instanceof EbpfvmError ? 1 : 70 };
  }
}

/** The plugin as a process: program on stdin, argv as the runner passes it; sets the exit code. */
export function pluginMain(): void {
  let stdin = '';
  try {
    stdin = readFileSync(0, 'utf8');
  } catch {
    stdin = '';
  }
  const r = runConformance(process.argv.slice(2), stdin);
  // straight to the descriptors (output.ts): the runner starts the plugin once per test
  useDescriptors();
  if (r.stdout) writeOut(r.stdout);
  if (r.stderr) writeErr(r.stderr);
  process.exitCode = r.code;
}

if (isEntryModule(import.meta.url)) pluginMain();
