// The CLI's command table: one entry per command (README lists the same table). Each command's
// module is imported only when that command runs (or for help and unknown commands, which need
// every command), so `ebpfvm run` does not load the assembler, the selftest runner or the BTF
// formatter: start-up is mostly module loading (issue 15).
import type { Command } from 'commander';

/** A command registers itself; `setExit` records the exit code of a run that finished normally. */
export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;

/** Command name (as typed on the command line) to a loader of its module's register function. */
export const COMMANDS: ReadonlyMap<string, () => Promise<RegisterCommand>> = new Map<string, () => Promise<RegisterCommand>>([
  ['run-raw', async () => (await import('./run-raw.js')).registerRunRaw],
  ['run', async () => (await import('./run.js')).registerRun],
  ['inspect', async () => (await import('./inspect.js')).registerInspect],
  ['asm', async () => (await import('./asm.js')).registerAsm],
  ['disasm', async () => (await import('./disasm.js')).registerDisasm],
  ['btf', async () => (await import('./btf.js')).registerBtf],
  ['bench', async () => (await import('./bench.js')).registerBench],
  ['verify', async () => (await import('./verify.js')).registerVerify],
  ['test', async () => (await import('./test.js')).registerTest],
]);

/** The commands to register for `argv`: only the one named first when it is a known command,
 *  else all of them (no command, `--help`, `help X`, a mistyped name that commander suggests a
 *  correction for). Registration order is the table's, which is the order help lists them in. */
export async function commandsFor(argv: readonly string[]): Promise<RegisterCommand[]> {
  const one = argv[0] !== undefined ? COMMANDS.get(argv[0]) : undefined;
  return Promise.all(one ? [one()] : [...COMMANDS.values()].map((load) => load()));
}
