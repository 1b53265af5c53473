// One error class per pipeline stage. Each carries where it happened (section, symbol, instruction,
// source line) so a user can read the cause without a debugger. This module imports nothing so that
// every layer (vm/, maps/, helpers/, verifier/, src/) can throw these.

export type ErrorCode =
  | 'ELF'
  | 'BTF'
  | 'LINK'
  | 'VERIFIER'
  | 'VM_FAULT'
  | 'MAP'
  | 'USAGE'
  | 'UNSUPPORTED'
  | 'DECODE'
  | 'ASM'
  | 'PERMISSION';

export interface EbpfvmErrorOptions {
  /** The raw error this one replaces. */
  cause?: unknown;
  /** Set by a last-line-of-defence catch that turned a raw JS error (a RangeError, an assertion
   *  of a dependency) into this one: the input was bad, but a check that should have named the
   *  problem is missing. Users still get a located error; tests and fuzzers fail on it. */
  internal?: boolean;
}

/** Base of every error ebpfvm throws on purpose. `exitCode` is what the CLI exits with. */
export class EbpfvmError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: 1 | 2;
  /** See EbpfvmErrorOptions.internal. */
  readonly internal: boolean;
  constructor(code: ErrorCode, message: string, exitCode: 1 | 2 = 2, options: EbpfvmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.internal = options.internal ?? false;
  }
}

/** How the `ebpfvm` command words an error on stderr (without the newline), with the exit code it
 *  maps to; the playground shows errors in the same words. */
export function errorReport(err: unknown): { text: string; exitCode: number } {
  if (err instanceof EbpfvmError) return { text: `ebpfvm: ${err.message}`, exitCode: err.exitCode };
  const e = err as Error;
  return { text: `ebpfvm: internal error: ${e?.stack ?? String(err)}`, exitCode: 70 };
}

/** What a value of the wrong type is, for the error that refuses it (JavaScript callers of the
 *  typed API may pass anything). */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  const what = ArrayBuffer.isView(v) || v instanceof ArrayBuffer ? v.constructor.name : Array.isArray(v) ? 'array' : typeof v === 'object' ? `object (${(v as object).constructor?.name ?? 'no prototype'})` : typeof v;
  return `${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}`;
}

/** Malformed or unsupported ELF: `where` names the section/symbol/offset. */
export class ElfError extends EbpfvmError {
  constructor(message: string, readonly where?: string, options?: EbpfvmErrorOptions) {
    super('ELF', where ? `${where}: ${message}` : message, 2, options);
  }
}

/** Malformed BTF / BTF.ext, or a CO-RE failure that cannot be poisoned. */
export class BtfError extends EbpfvmError {
  constructor(message: string, readonly where?: string) {
    super('BTF', where ? `${where}: ${message}` : message);
  }
}

/** Relocation / linking failure (unknown symbol, bad call target, missing map). */
export class LinkError extends EbpfvmError {
  constructor(message: string, readonly where?: string) {
    super('LINK', where ? `${where}: ${message}` : message);
  }
}

/** Instruction bytes that do not decode (reserved fields, bad LD_IMM64 pair, unknown opcode). */
export class DecodeError extends EbpfvmError {
  constructor(message: string, readonly pc?: number) {
    super('DECODE', pc === undefined ? message : `insn ${pc}: ${message}`);
  }
}

/** Assembler input that does not parse; `line` is 1-based. */
export class AsmError extends EbpfvmError {
  constructor(message: string, readonly line?: number) {
    super('ASM', line === undefined ? message : `line ${line}: ${message}`);
  }
}

/** Map creation or map operation misuse from user space (wrong key size, bad flags, ...). */
export class MapError extends EbpfvmError {
  constructor(message: string, readonly mapName?: string, readonly errno?: number) {
    super('MAP', mapName ? `map ${mapName}: ${message}` : message);
  }
}

/** Bad CLI usage or bad user input that is not one of the formats above. */
export class UsageError extends EbpfvmError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** Something valid that ebpfvm does not implement: a helper, kfunc, map type, program type. */
export class UnsupportedError extends EbpfvmError {
  constructor(message: string) {
    super('UNSUPPORTED', message);
  }
}

/** The verifier rejected a program; `log` is the kernel-style verifier log. */
export class VerifierError extends EbpfvmError {
  constructor(message: string, readonly log: string, readonly insn?: number) {
    super('VERIFIER', message, 1);
  }
}

/** The log of a refusal before the verifier's walk (bpf_check's early steps: a map the program
 *  type may not use, a raw map fd, an attach target): the line, then the statistics, which
 *  bpf_check prints however it ends (print_verification_stats after skip_full_check). */
export function earlyRefusalLog(line: string): string {
  return `${line}\nprocessed 0 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n`;
}

/** The bpf() syscall refused the caller's capabilities before the verifier ran (an unprivileged
 *  load: a program or map type that needs CAP_BPF, CAP_PERFMON or CAP_NET_ADMIN): EPERM (E2BIG for
 *  length), and the kernel writes no verifier log. */
export class PermissionError extends EbpfvmError {
  /** EPERM (1), or E2BIG (7) for a program longer than an unprivileged loader may load. */
  constructor(message: string, readonly errno: number = 1) {
    super('PERMISSION', message, 1);
  }
}

/** A run-time fault: the program did something the VM refuses. Never a raw JS exception. */
export class VmFault extends EbpfvmError {
  constructor(
    readonly reason: string,
    readonly pc: number,
    readonly opcode: number,
    /** r0..r10 as unsigned 64-bit values, empty when not known. */
    readonly registers: readonly bigint[] = [],
    readonly sourceLine?: string,
    /** Name of the program (or subprogram/callback) that was running. */
    readonly program?: string,
  ) {
    super('VM_FAULT', VmFault.format(reason, pc, opcode, sourceLine, program), 1);
  }

  static format(reason: string, pc: number, opcode: number, sourceLine?: string, program?: string): string {
    const where = `${program ? program + ' ' : ''}pc ${pc} (opcode 0x${opcode.toString(16).padStart(2, '0')})`;
    return `${where}: ${reason}${sourceLine ? `\n  at ${sourceLine}` : ''}`;
  }
}

/** A fault raised below the interpreter (memory, helpers, maps) before pc is known; the
 *  interpreter catches it and rethrows a VmFault with pc, opcode and registers filled in. */
export class FaultSignal extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'FaultSignal';
  }
}

/** bpf_throw: the program raised a BPF exception. Not a fault: the interpreter unwinds every frame
 *  and the run ends through the program's exception callback (or returns the cookie). */
export class ThrowSignal extends Error {
  constructor(readonly cookie: bigint) {
    super(`bpf_throw(${cookie})`);
    this.name = 'ThrowSignal';
  }
}
