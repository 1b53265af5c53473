// Where the CLI's output goes: every command and the conformance plugin write through writeOut
// and writeErr.
//
// A CLI process (useDescriptors(): the bins and the entry modules) writes straight to fd 1 and 2
// with synchronous writes. Making process.stdout or process.stderr creates a net.Socket for a
// pipe (a tty.WriteStream for a terminal), which loads Node's net and stream modules: ~4 ms of CPU
// of a plain `ebpfvm run` and ~7 ms of a plugin start (issue 15, start-up). A synchronous write
// has reached the OS when it returns, so nothing waits in a stream at exit. What a write refuses:
// EPIPE (the reader went away, `| head`) drops the rest of that descriptor's output, as the CLI
// did when its stream failed; anything else (EAGAIN: a non-blocking descriptor that is full) hands
// the rest, and every later write to that descriptor, to the stream, which keeps the order, and
// exitWhenFlushed (main.ts) waits for it. Any other error (ENOSPC: `> /dev/full`, EBADF: a closed
// descriptor, EIO) drops the rest of that descriptor's output as EPIPE does, but is recorded:
// the process then says so on stderr and exits non-zero (runProcess), as output that never
// arrived is not a success.
//
// main() called in-process (tests, which capture process.stdout.write and process.stderr.write)
// writes through the streams, as before.
import { writeSync } from 'node:fs';

type Fd = 1 | 2;

let descriptors = false;
/** Per descriptor: written directly, through its stream from now on, or dropped (EPIPE). */
const mode: Record<Fd, 'direct' | 'stream' | 'closed'> = { 1: 'direct', 2: 'direct' };
const used = new Set<Fd>();
/** Per descriptor, the first write error that lost output (not EPIPE: the reader left). */
const failed: Partial<Record<Fd, string>> = {};

/** Write to the descriptors themselves from now on (a CLI process, not main() in-process). */
export function useDescriptors(): void {
  descriptors = true;
}

/** Text or bytes to standard output. */
export function writeOut(data: string | Uint8Array): void {
  write(1, data);
}

/** Text or bytes to standard error. */
export function writeErr(data: string | Uint8Array): void {
  write(2, data);
}

/** Output a descriptor refused and that was lost, as `standard output: ENOSPC`; undefined when
 *  every write arrived (or went to a reader that left). */
export function lostOutput(): string | undefined {
  const fd = failed[1] !== undefined ? 1 : failed[2] !== undefined ? 2 : undefined;
  return fd === undefined ? undefined : `${fd === 1 ? 'standard output' : 'standard error'}: ${failed[fd]!}`;
}

/** The streams written to that may hold data not yet handed to the OS. */
export function streamsInUse(): NodeJS.WriteStream[] {
  return [...used].map(stream);
}

const stream = (fd: Fd): NodeJS.WriteStream => (fd === 1 ? process.stdout : process.stderr);

function write(fd: Fd, data: string | Uint8Array): void {
  if (!descriptors || mode[fd] === 'stream') {
    used.add(fd);
    stream(fd).write(data);
    return;
  }
  if (mode[fd] === 'closed') return;
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(fd, bytes, done);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EAGAIN') {
      mode[fd] = 'closed';
      if (code !== 'EPIPE') failed[fd] ??= code ?? (e as Error).message;
      return;
    }
    mode[fd] = 'stream';
    used.add(fd);
    stream(fd).write(bytes.subarray(done));
  }
}
