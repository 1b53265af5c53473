// The verifier log, in the kernel's format (kernel/bpf/log.c). One code path for every level:
// level 0 writes nothing; level 1 writes everything but rewinds to the branch point when a path
// ends well (so what remains is the failing path, as the kernel keeps it); level 2 never rewinds
// and adds the `from N to M:` state lines.

const LOG_ALIGNMENT = 40;
const LOG_MIN_ALIGNMENT = 8;

export class VLog {
  private pieces: string[] = [];
  /** Length in characters of the current instruction line including its newline (kernel
   *  prev_insn_print_pos), or -1 when something else was written after it. */
  private openInsnLen = -1;
  constructor(readonly level: 0 | 1 | 2) {}

  get enabled(): boolean {
    return this.level > 0;
  }
  /** Position to rewind to (kernel log.end_pos). */
  get pos(): number {
    return this.pieces.length;
  }
  /** Whether the last piece is an instruction line still waiting for its state (its length). */
  get openLen(): number {
    return this.openInsnLen;
  }
  /** Rewind to a saved position (bpf_vlog_reset); an instruction line open then is open again, so
   *  the state printed next is appended to it, as the kernel's print_insn_state does. */
  restore(pos: number, openLen = -1): void {
    if (pos < this.pieces.length) this.pieces.length = pos;
    this.openInsnLen = openLen;
  }

  /** Text as the kernel's verbose() writes it. */
  write(text: string): void {
    if (!this.level) return;
    this.closeInsn();
    this.pieces.push(text);
  }

  /** `pc: (code) insn` (the newline is added by whatever comes next). */
  insn(pc: number, text: string): void {
    if (!this.level) return;
    this.closeInsn();
    const line = `${pc}: ${text}`;
    this.pieces.push(line);
    this.openInsnLen = line.length + 1;
  }

  /** The state after an instruction: appended to its line after `;`, or its own `pc:` line. */
  insnState(pc: number, state: string): void {
    if (!this.level) return;
    if (this.openInsnLen >= 0) {
      const pos = this.openInsnLen;
      const width = Math.ceil(Math.max(pos + LOG_MIN_ALIGNMENT / 2, LOG_ALIGNMENT) / LOG_MIN_ALIGNMENT) * LOG_MIN_ALIGNMENT - pos - 1;
      this.pieces.push(' '.repeat(width) + ';' + state + '\n');
      this.openInsnLen = -1;
    } else this.pieces.push(`${pc}:${state}\n`);
  }

  private closeInsn(): void {
    if (this.openInsnLen >= 0) {
      this.pieces.push('\n');
      this.openInsnLen = -1;
    }
  }

  text(): string {
    this.closeInsn();
    return this.pieces.join('');
  }
}
