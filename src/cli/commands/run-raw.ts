// `ebpfvm run-raw prog.bin|HEX [--mem f] [--trace] [--max-insns N]`: run raw bytecode, unverified,
// the way uBPF's test runner does: r1 = address of the memory buffer, r2 = its length. Prints r0
// in hex; a fault goes to stderr with exit code 1.
import { existsSync } from 'node:fs';
import { readBytes } from '../../node.js';
import type { Command } from 'commander';
import { UsageError, VmFault } from '../../errors.js';
import { Runtime } from '../../runtime.js';
import { rawInsns } from '../../../vm/isa.js';
import type { RegisterCommand } from './index.js';
import { ENGINE_HELP, parseEngine } from '../engine.js';
import type { Engine } from '../../../vm/interpreter.js';
import { writeErr, writeOut } from '../output.js';
import { lostNote } from './run.js';

/** Bytes from a hex string: bytes separated by whitespace, or one run of hex digits. */
export function parseHexBytes(text: string, what: string): Uint8Array {
  const clean = text.replace(/#.*$/gm, '').trim();
  if (clean === '') return new Uint8Array(0);
  const tokens = clean.split(/[\s,]+/).map((t) => t.replace(/^0x/i, ''));
  // One run of digits is read two at a time: an odd count would make its last digit a byte.
  if (tokens.length === 1 && tokens[0]!.length > 2 && tokens[0]!.length % 2 !== 0) throw new UsageError(`${what}: a run of ${tokens[0]!.length} hex digits is not whole bytes (an odd count)`);
  const digits = tokens.length === 1 && tokens[0]!.length > 2 ? tokens[0]!.match(/.{1,2}/g)! : tokens;
  const out = new Uint8Array(digits.length);
  digits.forEach((d, i) => {
    if (!/^[0-9a-fA-F]{1,2}$/.test(d)) throw new UsageError(`${what}: '${d}' is not a hex byte`);
    out[i] = parseInt(d, 16);
  });
  return out;
}

const looksLikeHexText = (b: Uint8Array): boolean => b.length > 0 && b.every((c) => c === 9 || c === 10 || c === 13 || c === 32 || c === 44 || c === 35 || (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 120 || c === 88);

/** A program or memory argument: a file (binary, or hex text) or inline hex. */
export function readBytesArg(arg: string, what: string): Uint8Array {
  if (existsSync(arg)) {
    const data = readBytes(arg); // (a directory, an unreadable file: UsageError naming it)
    return !arg.endsWith('.bin') && looksLikeHexText(data) ? parseHexBytes(Buffer.from(data).toString('latin1'), what) : data;
  }
  if (/^[0-9a-fA-Fx\s,]+$/.test(arg)) return parseHexBytes(arg, what);
  throw new UsageError(`${what}: no such file '${arg}' (and not hex bytes)`);
}

export const registerRunRaw: RegisterCommand = (program: Command, setExit) => {
  program
    .command('run-raw')
    .description('run raw bytecode, unverified (r1 = memory address, r2 = memory length)')
    .argument('<prog>', 'program: a .bin file, a file of hex bytes, or hex bytes inline')
    .option('--mem <file>', 'memory buffer passed in r1/r2 (binary file, or hex text)')
    .option('--trace', 'print every instruction to stderr')
    .option('--engine <name>', ENGINE_HELP, parseEngine)
    .option('--max-insns <n>', 'instruction budget', (v) => {
      if (!/^\d+$/.test(v)) throw new UsageError(`--max-insns: '${v}' is not a number`);
      return Number(v);
    })
    .action((progArg: string, opts: { mem?: string; trace?: boolean; maxInsns?: number; engine?: Engine }) => {
      const bytes = readBytesArg(progArg, 'program');
      if (bytes.length === 0 || bytes.length % 8 !== 0) throw new UsageError(`program is ${bytes.length} bytes, not a non-empty multiple of 8`);
      const rt = new Runtime({ ...(opts.maxInsns !== undefined ? { maxInsns: opts.maxInsns } : {}), ...(opts.engine !== undefined ? { engine: opts.engine } : {}) });
      const mem = opts.mem !== undefined ? readBytesArg(opts.mem, 'memory') : new Uint8Array(0);
      let memAddr = 0;
      if (mem.length > 0) {
        memAddr = rt.arena.allocRegion(mem.length, 3, 'input', 'mem');
        rt.arena.write(memAddr, mem);
      }
      const prog = { name: 'prog', progType: 0, insns: rawInsns(bytes), gpl: true };
      try {
        const r = rt.execute(prog, {
          args: [memAddr, mem.length],
          trace: opts.trace ? (line) => writeErr(line + '\n') : undefined,
        });
        for (const l of r.output.printk) writeErr(l.endsWith('\n') ? l : l + '\n');
        if (r.output.lost) writeErr(lostNote(r.output));
        writeOut(`0x${r.r0.toString(16)}\n`);
        setExit(0);
      } catch (e) {
        if (e instanceof VmFault) {
          writeErr(`ebpfvm: fault: ${e.message}\n`);
          setExit(1);
          return;
        }
        throw e;
      }
    });
};
