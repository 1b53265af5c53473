// The TCP congestion-control kfuncs' implementations (what they compute: helpers/tcp-ca.ts).
import { FaultSignal } from '../src/errors.js';
import type { Btf } from '../src/btf/btf.js';
import type { HelperCall, HelperResult } from './types.js';

type TcpFields = Record<'snd_cwnd' | 'snd_ssthresh' | 'snd_cwnd_cnt' | 'snd_cwnd_clamp' | 'prior_cwnd' | 'max_packets_out' | 'limited' | 'limitedBit', number>;

/** The tcp_sock fields the kfuncs use: offsets in the runtime's built-in layout (HelperEnv's
 *  builtinBtf, not imported: that BTF is generated from the kfunc table), resolved once. */
const fieldsOf = new WeakMap<Btf, TcpFields>();
function tcpFields(call: HelperCall): TcpFields {
  const btf = call.env.builtinBtf?.();
  if (btf === undefined) throw new FaultSignal('tcp congestion-control kfunc: this environment has no kernel BTF (tcp_sock layout)');
  let f = fieldsOf.get(btf);
  if (!f) {
    const at = (p: string) => btf.memberRange('tcp_sock', p, 'built-in BTF')[0];
    // is_cwnd_limited is a 1-bit field (little-endian bit order): its byte and bit; the start
    // memberRange gives is the member's bit offset / 8
    const bitOffset = Math.round(at('is_cwnd_limited') * 8);
    f = { snd_cwnd: at('snd_cwnd'), snd_ssthresh: at('snd_ssthresh'), snd_cwnd_cnt: at('snd_cwnd_cnt'), snd_cwnd_clamp: at('snd_cwnd_clamp'), prior_cwnd: at('prior_cwnd'), max_packets_out: at('max_packets_out'), limited: bitOffset >> 3, limitedBit: bitOffset & 7 };
    fieldsOf.set(btf, f);
  }
  return f;
}

function sockAt(call: HelperCall, i: 1 | 2, name: string): number {
  const tp = call.ptr(i);
  if (tp === 0) throw new FaultSignal(`${name}: NULL socket`);
  return tp;
}

function rd(call: HelperCall, tp: number, off: number, name: string): number {
  if (!call.arena.canAccess(tp + off, 4, false)) throw new FaultSignal(`${name}: ${call.arena.explain(tp + off, 4, false)}`);
  return call.arena.dv.getUint32(tp + off, true);
}

function wr(call: HelperCall, tp: number, off: number, v: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  call.arena.writeChecked(tp + off, 4, b);
}

const min = (a: number, b: number): number => (a < b ? a : b);

function slowStart(call: HelperCall, tp: number, acked: number, name: string): number {
  const f = tcpFields(call);
  const snd = rd(call, tp, f.snd_cwnd, name);
  const cwnd = min((snd + acked) >>> 0, rd(call, tp, f.snd_ssthresh, name));
  const left = (acked - ((cwnd - snd) >>> 0)) >>> 0;
  wr(call, tp, f.snd_cwnd, min(cwnd, rd(call, tp, f.snd_cwnd_clamp, name)));
  return left;
}

function congAvoidAi(call: HelperCall, tp: number, w: number, acked: number, name: string): void {
  const f = tcpFields(call);
  let cnt = rd(call, tp, f.snd_cwnd_cnt, name);
  let cwnd = rd(call, tp, f.snd_cwnd, name);
  if (w === 0) throw new FaultSignal(`${name}: w is 0 (the kernel divides by it)`);
  // credits accumulated at a higher w are applied gently now
  if (cnt >= w) {
    cnt = 0;
    cwnd = (cwnd + 1) >>> 0;
  }
  cnt = (cnt + acked) >>> 0;
  if (cnt >= w) {
    const delta = Math.floor(cnt / w);
    cnt = (cnt - delta * w) >>> 0;
    cwnd = (cwnd + delta) >>> 0;
  }
  wr(call, tp, f.snd_cwnd_cnt, cnt);
  wr(call, tp, f.snd_cwnd, min(cwnd, rd(call, tp, f.snd_cwnd_clamp, name)));
}

// Function declarations, not an object: kfuncs.ts's table refers to them while the built-in
// BTF's import cycle may still be evaluating this module.
export function tcpRenoSsthresh(call: HelperCall): HelperResult {
  const tp = sockAt(call, 1, 'tcp_reno_ssthresh');
  return Math.max(rd(call, tp, tcpFields(call).snd_cwnd, 'tcp_reno_ssthresh') >>> 1, 2);
}

export function tcpRenoUndoCwnd(call: HelperCall): HelperResult {
  const tp = sockAt(call, 1, 'tcp_reno_undo_cwnd');
  const f = tcpFields(call);
  return Math.max(rd(call, tp, f.snd_cwnd, 'tcp_reno_undo_cwnd'), rd(call, tp, f.prior_cwnd, 'tcp_reno_undo_cwnd'));
}

export function tcpSlowStart(call: HelperCall): HelperResult {
  return slowStart(call, sockAt(call, 1, 'tcp_slow_start'), call.u32(2), 'tcp_slow_start');
}

export function tcpCongAvoidAi(call: HelperCall): HelperResult {
  congAvoidAi(call, sockAt(call, 1, 'tcp_cong_avoid_ai'), call.u32(2), call.u32(3), 'tcp_cong_avoid_ai');
  return 0;
}

export function tcpRenoCongAvoid(call: HelperCall): HelperResult {
  const name = 'tcp_reno_cong_avoid';
  const tp = sockAt(call, 1, name);
  const f = tcpFields(call);
  let acked = call.u32(3);
  const inSlowStart = (): boolean => rd(call, tp, f.snd_cwnd, name) < rd(call, tp, f.snd_ssthresh, name);
  // tcp_is_cwnd_limited: the flag, or in slow start a cwnd below twice the most packets out
  if (!call.arena.canAccess(tp + f.limited, 1, false)) throw new FaultSignal(`${name}: ${call.arena.explain(tp + f.limited, 1, false)}`);
  const limited = ((call.arena.dv.getUint8(tp + f.limited) >> f.limitedBit) & 1) === 1
    || (inSlowStart() && rd(call, tp, f.snd_cwnd, name) < 2 * rd(call, tp, f.max_packets_out, name));
  if (!limited) return 0;
  if (inSlowStart()) {
    acked = slowStart(call, tp, acked, name);
    if (!acked) return 0;
  }
  congAvoidAi(call, tp, rd(call, tp, f.snd_cwnd, name), acked, name);
  return 0;
}

/** A kernel congestion control's callback ebpfvm verifies calls to but does not compute. */
export function unmodelledCaKfunc(name: string): (call: HelperCall) => HelperResult {
  return () => {
    throw new FaultSignal(`${name}: the kernel's ${name.startsWith('bbr') ? 'BBR' : 'CUBIC'} congestion control is not modelled (a tcp_congestion_ops program only verifies: the kernel cannot test-run it)`);
  };
}

