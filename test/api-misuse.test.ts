// The public API (src/index.ts) called from JavaScript with values its types forbid: each call
// must refuse with one of ebpfvm's own errors naming what was wrong, never a raw TypeError from
// deep inside (or a run that ignores the value, as a NaN instruction budget once did).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AsmError, BtfError, DecodeError, EbpfvmError, ElfError, Runtime, UsageError, assemble, assembleUbpf, disassemble, load, openObject, parseBtf, parseBtfExt, parseElf, testRun } from '../src/index.js';

const any = (v: unknown) => v as never;
const bytes = new Uint8Array(readFileSync(join(import.meta.dirname, 'progs', 'ld_globals.o')));

function refusal(f: () => unknown): EbpfvmError {
  try {
    f();
  } catch (e) {
    if (e instanceof EbpfvmError && !e.internal) return e;
    throw new Error(`not one of ebpfvm's errors: ${String(e)}`);
  }
  throw new Error('accepted');
}

describe('the typed API refuses wrong types with its own errors', () => {
  it('openObject, parseElf, parseBtf, parseBtfExt: bytes that are not a Uint8Array', () => {
    for (const v of [123, null, undefined, {}, [1, 2, 3], bytes.buffer]) {
      const e = refusal(() => openObject(any(v)));
      expect(e).toBeInstanceOf(ElfError);
      expect(e.message).toMatch(/^ELF header: expected the object's bytes as a Uint8Array, got (a|an|null|undefined)/);
      expect(refusal(() => parseElf(any(v)))).toBeInstanceOf(ElfError);
      expect(refusal(() => parseBtf(any(v))).message).toMatch(/^\.BTF: expected the BTF bytes as a Uint8Array/);
      expect(refusal(() => parseBtfExt(any(v), parseBtf(openObject(bytes).btf!.bytes)))).toBeInstanceOf(BtfError);
    }
    expect(refusal(() => openObject(bytes, any(5))).message).toBe('openObject: options must be an object, got a number');
    expect(refusal(() => openObject(bytes, any({ name: 5 }))).message).toBe('openObject: options.name must be a string, got a number');
  });

  it('load: a spec that is not one, programs that are not an array', () => {
    expect(refusal(() => load(new Runtime(), any(undefined)))).toBeInstanceOf(UsageError);
    expect(refusal(() => load(new Runtime(), any({}))).message).toMatch(/^load: expected an object spec from openObject/);
    // a string was iterated by character ("no program named r")
    expect(refusal(() => load(new Runtime(), openObject(bytes), any({ programs: 'read_globals' }))).message).toMatch(/options\.programs must be an array/);
  });

  it('Runtime, execute, testRun: options, programs and inputs of the wrong shape', () => {
    expect(refusal(() => new Runtime(any(null)))).toBeInstanceOf(UsageError);
    for (const p of [undefined, null, {}, { name: 'x', insns: null }, { name: 'x', insns: 'exit' }]) {
      expect(refusal(() => new Runtime().execute(any(p)))).toBeInstanceOf(DecodeError);
      expect(refusal(() => testRun(new Runtime(), any(p)))).toBeInstanceOf(DecodeError);
    }
    const ok = { name: 'x', progType: 0, insns: assemble('r0 = 0\nexit'), gpl: true };
    expect(refusal(() => testRun(new Runtime(), ok, any(null))).message).toBe('test run input must be an object, got null');
  });

  it('assemble, assembleUbpf, disassemble: text that is not a string, programs that are not arrays', () => {
    for (const v of [5, null, undefined, {}]) {
      expect(refusal(() => assemble(any(v)))).toBeInstanceOf(AsmError);
      expect(refusal(() => assembleUbpf(any(v)))).toBeInstanceOf(AsmError);
      expect(refusal(() => disassemble(any(v)))).toBeInstanceOf(DecodeError);
    }
    expect(refusal(() => disassemble(any([{ code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }, undefined]))).message).toBe('insn 1: not an instruction object (undefined)');
  });
});
