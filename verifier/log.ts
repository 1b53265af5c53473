// The verifier log, in the kernel's format (kernel/bpf/log.c). One code path for every level:
// level 0 writes nothing; level 1 writes everything but rewinds to the branch point when a path
// ends well (so what remains is the failing path, as the kernel keeps it); level 2 never rewinds
// and adds the `from N to M:` state lines.

const LOG_ALIGNMENT = 40;
const LOG_MIN_ALIGNMENT = 8;

/** The kernel's largest log buffer (UINT_MAX >> 2 is its limit; libbpf retries with 16 MiB): the
 *  log keeps its last bytes beyond this, as the kernel's rotating log does. */
const LOG_CAP = 16 << 20;

/** Pieces gathered before they are joined into one string: a long log is a few thousand strings,
 *  not millions (a 1M-insn walk at level 2 spent two thirds of its time collecting garbage). */
const SEAL_PIECES = 1024;

export class VLog {
  /** The log's text: sealed chunks, then the pieces written since. Positions count characters
   *  from the start of everything written (`base` of them dropped by rotation), so any piece may
   *  be joined with its neighbours. */
  private chunks: string[] = [];
  private pieces: string[] = [];
  /** Characters dropped from the front (rotation). */
  private base = 0;
  /** Characters held (chunks and pieces). */
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
    return this.base + this.chars;
  }
  /** Whether the last piece is an instruction line still waiting for its state (its length). */
  get openLen(): number {
    return this.openInsnLen;
  }
  /** Rewind to a saved position (bpf_vlog_reset). */
  restore(pos: number, openLen = -1): void {
    // The first character of what followed: after an open line, its state appended after `;`
    // (padding first), or only its newline (closeInsn writes it alone).
    let next: string | undefined;
    const keep = pos - this.base;
    if (keep < 0) {
      this.chunks = [];
      this.pieces = [];
      this.base = pos;
      this.chars = 0;
    } else {
      while (this.chars > keep) {
        const list = this.pieces.length > 0 ? this.pieces : this.chunks;
        const last = list[list.length - 1]!;
        const start = this.chars - last.length;
        if (start >= keep) {
          list.pop();
          this.chars = start;
          if (start === keep) next = last[0];
        } else {
          next = last[keep - start];
          list[list.length - 1] = last.slice(0, keep - start);
          this.chars = keep;
        }
      }
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
    if (this.pieces.length >= SEAL_PIECES) {
      this.chunks.push(this.pieces.join(''));
      this.pieces = [];
    }
    if (this.chars > LOG_CAP) this.rotate();
  }

  /** Drop the oldest quarter, from a line start on (the kernel's rotating log keeps the end). */
  private rotate(): void {
    if (this.pieces.length > 0) {
      this.chunks.push(this.pieces.join(''));
      this.pieces = [];
    }
    let excess = this.chars - (LOG_CAP * 3) / 4;
    let whole = 0;
    while (whole < this.chunks.length - 1 && this.chunks[whole]!.length <= excess) excess -= this.chunks[whole++]!.length;
    let dropped = 0;
    for (let k = 0; k < whole; k++) dropped += this.chunks[k]!.length;
    this.chunks.splice(0, whole);
    const first = this.chunks[0]!;
    const nl = first.indexOf('\n', excess);
    const cut = nl >= 0 && nl + 1 < first.length ? nl + 1 : excess;
    this.chunks[0] = first.slice(cut);
    this.base += dropped + cut;
    this.chars -= dropped + cut;
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
    return this.chunks.join('') + this.pieces.join('');
  }
}
