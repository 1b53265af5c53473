// The seq_file helpers of iterator programs (kernel/trace/bpf_trace.c): bpf_seq_printf (126),
// bpf_seq_write (127) and bpf_seq_printf_btf (150). The kernel hands them out only to
// BPF_PROG_TYPE_TRACING programs attached as BPF_TRACE_ITER (tracing_prog_func_proto), GPL only,
// with the seq_file from the iterator context (ctx->meta->seq, a trusted PTR_TO_BTF_ID) as arg 1.
//
// The seq_file is the iterator run's buffer (src/iter.ts makes one per read(), the kernel's
// PAGE_SIZE << 3 = 32 KiB). fs/seq_file.c's rules: a write fits only if it leaves room, that is
// `count + len < size` (strictly); otherwise the file is marked overflowed (count = size) and
// every later write fails too. bpf_seq_printf renders with bpf_bprintf_prepare's rules (the same
// checks as bpf_snprintf, helpers/printk.ts) and seq_bprintf's length (what bstr_printf would
// write given the room left). Both helpers return -EOVERFLOW once the file has overflowed (the
// iterator then drops that object's output and shows it again in the next read, or fails the
// read with E2BIG if it was alone in the buffer: src/iter.ts).
//
// bpf_seq_printf_btf needs the kernel's BTF pretty printer (btf_type_seq_show_flags) over the
// kernel's BTF ids, which ebpfvm does not model: the call verifies, and a run that reaches it
// faults saying so.
import { FaultSignal } from '../src/errors.js';
import { Errno } from '../maps/types.js';
import { AttachType, ProgType } from '../vm/prog-types.js';
import { bprintfLength, bprintfPrepare, MAX_BPRINTF_VARARGS, memReader } from './printk.js';
import type { HelperArg, HelperCall, HelperEntry } from './types.js';

const EOVERFLOW = 75;

/** The kernel's struct seq_file as the helpers use it: a buffer, its fill and its size. `addr` is
 *  the kernel address programs see for it (ctx->meta->seq); a call must pass exactly that. */
export class SeqFile {
  readonly buf: Uint8Array;
  count = 0;
  constructor(
    readonly addr: bigint,
    readonly size: number,
  ) {
    this.buf = new Uint8Array(size);
  }

  get overflowed(): boolean {
    return this.count === this.size;
  }

  /** seq_write: false (and the file overflowed) when `count + len` would reach the size. */
  write(bytes: Uint8Array): boolean {
    if (this.count + bytes.length < this.size) {
      this.buf.set(bytes, this.count);
      this.count += bytes.length;
      return true;
    }
    this.count = this.size;
    return false;
  }

  /** The bytes shown so far. */
  text(): Uint8Array {
    return this.buf.slice(0, this.count);
  }
}

/** The run's seq_file, checked against the pointer the program passed. */
function seqOf(call: HelperCall, what: string): SeqFile {
  const seq = call.output.seq;
  const p = call.u64(1);
  if (!seq) throw new FaultSignal(`${what}: no seq_file: iterator programs run through an iterator read (ebpfvm run --iter-map / runIterator), not a test run`);
  if (p !== seq.addr) throw new FaultSignal(`${what}: 0x${p.toString(16)} is not the iterator's seq_file (0x${seq.addr.toString(16)})`);
  return seq;
}

const SEQ_FILE: HelperArg = { type: 'ARG_PTR_TO_BTF_ID', btfType: 'seq_file' };
const RO_MEM: HelperArg = { type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] };
const iterOnly = (progType: number, attach: number): boolean => progType !== ProgType.TRACING || attach === AttachType.TRACE_ITER;

export const SEQ_HELPERS: readonly HelperEntry[] = [
  {
    id: 126,
    name: 'seq_printf',
    proto: {
      args: [SEQ_FILE, RO_MEM, { type: 'ARG_CONST_SIZE' }, { type: 'ARG_PTR_TO_MEM', flags: ['PTR_MAYBE_NULL', 'MEM_RDONLY'] }, { type: 'ARG_CONST_SIZE_OR_ZERO' }],
      ret: { type: 'RET_INTEGER' },
    },
    gplOnly: true,
    progTypes: [ProgType.TRACING],
    attachAllowed: iterOnly,
    impl: (call) => {
      const seq = seqOf(call, 'bpf_seq_printf');
      const data = call.ptr(4);
      const len = call.u32(5);
      if (len % 8 !== 0 || len > MAX_BPRINTF_VARARGS * 8 || (len !== 0 && data === 0)) return -Errno.EINVAL;
      const args: bigint[] = [];
      if (len) call.arena.check(data, len, false);
      for (let i = 0; i < len; i += 8) args.push(call.arena.dv.getBigUint64(data + i, true));
      const fmtAddr = call.ptr(2);
      const fmtSize = call.u32(3);
      call.arena.check(fmtAddr, fmtSize, false);
      const raw = call.arena.u8.subarray(fmtAddr, fmtAddr + fmtSize);
      const nul = raw.indexOf(0);
      if (nul < 0) return -Errno.EINVAL;
      const p = bprintfPrepare(raw.slice(0, nul), args, memReader(call));
      if (typeof p === 'number') return p;
      // seq_bprintf: bstr_printf into the room left; it counts only if it leaves a byte spare.
      if (seq.count < seq.size) {
        const len = bprintfLength(p, seq.size - seq.count);
        if (seq.count + len < seq.size) {
          seq.write(Uint8Array.from(p.text.slice(0, len), (ch) => ch.charCodeAt(0) & 0xff));
          return 0;
        }
      }
      seq.count = seq.size;
      return -EOVERFLOW;
    },
  },
  {
    id: 127,
    name: 'seq_write',
    proto: { args: [SEQ_FILE, RO_MEM, { type: 'ARG_CONST_SIZE_OR_ZERO' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: true,
    progTypes: [ProgType.TRACING],
    attachAllowed: iterOnly,
    impl: (call) => {
      const seq = seqOf(call, 'bpf_seq_write');
      const addr = call.ptr(2);
      const len = call.u32(3);
      if (len) call.arena.check(addr, len, false);
      return seq.write(call.arena.u8.slice(addr, addr + len)) ? 0 : -EOVERFLOW;
    },
  },
  {
    id: 150,
    name: 'seq_printf_btf',
    proto: { args: [SEQ_FILE, RO_MEM, { type: 'ARG_CONST_SIZE_OR_ZERO' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: true,
    progTypes: [ProgType.TRACING],
    attachAllowed: iterOnly,
    impl: (call) => {
      seqOf(call, 'bpf_seq_printf_btf');
      throw new FaultSignal('bpf_seq_printf_btf: the kernel\'s BTF pretty printer (btf_type_seq_show_flags) is not modelled by ebpfvm');
    },
  },
];
