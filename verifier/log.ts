// The verifier log, in the kernel's format (kernel/bpf/log.c). One code path for every level:
// level 0 writes nothing; level 1 writes everything but rewinds to the branch point when a path
// ends well (so what remains is the failing path, as the kernel keeps it); level 2 never rewinds
// and adds the `from N to M:` state lines.

const LOG_ALIGNMENT = 40;
const LOG_MIN_ALIGNMENT = 8;

/** The kernel's largest log buffer (UINT_MAX >> 2 is its limit; libbpf retries with 16 MiB): the
 *  log keeps its last bytes beyond this, as the kernel's rotating log does. */
const LOG_CAP = 16 << 20;

export class VLog {
  private pieces: string[] = [];
  /** Pieces dropped from the front (rotation): positions count them. */
  private base = 0;
  private chars = 0;
  /** Length in characters of the current instruction line including its newline (kernel
   *  prev_insn_print_pos), or -1 when something else was written after it. */
  private openInsnLen = -1;
  constructor(readonly level: 0 | 1 | 2) {}

  get enabled(): boolean {
    return this.level > 0;
  }
  /** Position to rewind to (kernel log.end_pos). */
  get pos(): number {
    return this.base + this.pieces.length;
  }
  /** Whether the last piece is an instruction line still waiting for its state (its length). */
  get openLen(): number {
    return this.openInsnLen;
  }
  /** Rewind to a saved position (bpf_vlog_reset). */
  restore(pos: number, openLen = -1): void {
    // What followed the open line: its state appended after `;`, or only its newline.
    const next = pos - this.base >= 0 ? this.pieces[pos - this.base] : undefined;
    if (pos < this.base) {
      this.pieces = [];
      this.base = pos;
      this.chars = 0;
    } else if (pos - this.base < this.pieces.length) {
      for (let i = pos - this.base; i < this.pieces.length; i++) this.chars -= this.pieces[i]!.length;
      this.pieces.length = pos - this.base;
    }
    // The kernel saved the position after the line's newline. When the line's state was then
    // appended (its print overwrote the newline with the alignment padding), the rewound line
    // keeps one blank of it and the next state starts `pc:` right there (`... goto pc+1 3:
    // R0=0`); otherwise the newline is still there (a may_goto prints no state).
    this.openInsnLen = -1;
    if (openLen >= 0) this.push(next !== undefined && next !== '\n' ? ' ' : '\n');
  }

  private push(text: string): void {
    this.pieces.push(text);
    this.chars += text.length;
    if (this.chars <= LOG_CAP) return;
    // Rotate: drop the oldest quarter.
    let drop = 0;
    while (this.chars > (LOG_CAP * 3) / 4 && drop < this.pieces.length - 1) this.chars -= this.pieces[drop++]!.length;
    this.pieces.splice(0, drop);
    this.base += drop;
  }

  /** Text as the kernel's verbose() writes it. */
  write(text: string): void {
    if (!this.level) return;
    this.closeInsn();
    this.push(text);
  }

  /** `pc: (code) insn` (the newline is added by whatever comes next). */
  insn(pc: number, text: string): void {
    if (!this.level) return;
    this.closeInsn();
    const line = `${pc}: ${text}`;
    this.push(line);
    this.openInsnLen = line.length + 1;
  }

  /** The state after an instruction: appended to its line after `;`, or its own `pc:` line. */
  insnState(pc: number, state: string): void {
    if (!this.level) return;
    if (this.openInsnLen >= 0) {
      const pos = this.openInsnLen;
      const width = Math.ceil(Math.max(pos + LOG_MIN_ALIGNMENT / 2, LOG_ALIGNMENT) / LOG_MIN_ALIGNMENT) * LOG_MIN_ALIGNMENT - pos - 1;
      this.push(' '.repeat(width) + ';' + state + '\n');
      this.openInsnLen = -1;
    } else this.push(`${pc}:${state}\n`);
  }

  private closeInsn(): void {
    if (this.openInsnLen >= 0) {
      this.push('\n');
      this.openInsnLen = -1;
    }
  }

  text(): string {
    this.closeInsn();
    return this.pieces.join('');
  }
}
