#!/usr/bin/env node
// The `ebpfvm` command. Each command lives in src/cli/commands/<name>.ts and registers itself on
// the commander program (imported only when it runs: commands/index.ts); this file owns only the
// shared error handling and exit codes:
//   0 success, 1 rejected / faulted / test failed, 2 bad usage or bad input (incl. unsupported)
//   or output lost to a write error (withLostOutput).
import { Command, CommanderError } from 'commander';
import { errorReport } from '../errors.js';
import { commandsFor } from './commands/index.js';
import { isEntryModule } from './entry.js';
import { lostOutput, streamsInUse, useDescriptors, writeErr, writeOut } from './output.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('ebpfvm')
    .description('eBPF virtual machine: load clang-built BPF objects, verify them, run them')
    .exitOverride()
    .configureOutput({ writeOut, writeErr })
    .showHelpAfterError(false);
  let code = 0;
  try {
    for (const register of await commandsFor(argv)) register(program, (c) => (code = c));
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    return reportError(err);
  }
}

/** Print an error the way a user should see it and return the exit code it maps to. */
export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return 0;
    return 2; // commander already printed the message
  }
  const { text, exitCode } = errorReport(err);
  writeErr(text + '\n');
  return exitCode;
}

/** Exit with `code` once everything written to stdout and stderr has reached the OS. What a CLI
 *  process writes directly has (output.ts); a stream is used after a write the descriptor refused
 *  or for main() in-process. Writes to a pipe through a stream are asynchronous in Node: whatever
 *  does not fit the pipe's buffer (64 KiB on Linux) waits in the stream, and exiting at once would
 *  drop it (`ebpfvm disasm big.o | wc -c`). A reader that goes away (`| head`) ends the wait too. */
export function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  const streams = streamsInUse();
  let pending = streams.length;
  if (pending === 0) process.exit(code);
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  for (const stream of streams) {
    let finished = false;
    const once = () => {
      if (!finished) {
        finished = true;
        done();
      }
    };
    stream.once('error', once); // EPIPE: nobody reads the rest
    // A zero-length write completes after every earlier chunk was handed to the OS.
    stream.write('', once);
  }
}

/** The CLI as a process (the `ebpfvm` bin, `node dist/src/cli/main.js`): output straight to the
 *  descriptors, the exit code once it is out. */
export function runProcess(argv: string[]): void {
  useDescriptors();
  main(argv).then((code) => exitWhenFlushed(withLostOutput(code)));
}

/** The exit code once output that never arrived is counted: a write refused with anything but
 *  EPIPE (`> /dev/full`, a closed descriptor) is said on stderr and turns a success into 2. */
export function withLostOutput(code: number): number {
  const lost = lostOutput();
  if (lost === undefined) return code;
  writeErr(`ebpfvm: cannot write ${lost}\n`); // (dropped if it is stderr that failed)
  return code === 0 ? 2 : code;
}

if (isEntryModule(import.meta.url)) runProcess(process.argv.slice(2));
