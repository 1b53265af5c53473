// The verifier's internal rejection signal: the kernel's `verbose(...); return -EACCES` as one
// throw. `message` is the error text as the log prints it (one or more lines, without the final
// newline); verify() catches it, writes it to the log and returns the verdict.
export class Reject extends Error {
  constructor(
    message: string,
    readonly pc: number,
    /** Errno the kernel returns (EACCES 13 for most, EINVAL 22 for malformed programs, E2BIG 7). */
    readonly errno = 13,
    /** The kernel's message has no final newline (so the `processed` line follows on its line). */
    readonly noNewline = false,
  ) {
    super(message);
    this.name = 'Reject';
  }
}
