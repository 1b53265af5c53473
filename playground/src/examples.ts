// The bundled examples and packets. The objects are the committed examples/*.o (built by
// scripts/build-progs.mjs), inlined as base64 by vite.config.ts, so the page works offline.
import schedulerB64 from '../../examples/scheduler.o?bytes';
import counterB64 from '../../examples/pkt_counter.o?bytes';
import rejectedB64 from '../../examples/rejected.o?bytes';
import schedPacketB64 from '../../examples/packets.bin?bytes';

export interface Example {
  id: string;
  title: string;
  /** Object name, as libbpf derives it from the file name. */
  name: string;
  base64: string;
  prog: string;
  packet: string;
}

export const EXAMPLES: readonly Example[] = [
  { id: 'scheduler', title: 'rbtree scheduler (examples/scheduler.o)', name: 'scheduler', base64: schedulerB64, prog: 'schedule', packet: 'sched-batch' },
  { id: 'counter', title: 'packet counter (examples/pkt_counter.o)', name: 'pkt_counter', base64: counterB64, prog: 'count_packets', packet: 'udp' },
  { id: 'rejected', title: 'rejected by the verifier (examples/rejected.o)', name: 'rejected', base64: rejectedB64, prog: 'missing_null_check', packet: 'udp' },
];

export interface Packet {
  id: string;
  title: string;
  hex: string;
}

const b64hex = (b64: string): string => [...atob(b64)].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');

/** Ethernet frames, 10.0.0.1 -> 10.0.0.2, TTL 64 (checksums valid). */
export const PACKETS: readonly Packet[] = [
  { id: 'sched-batch', title: 'scheduler batch: UDP to port 7777, 24 work items (examples/packets.bin)', hex: b64hex(schedPacketB64) },
  { id: 'udp', title: 'UDP 40000 -> 53, 4 bytes payload', hex: '0200000000020200000000010800450000201c46400040110a850a0000010a0000029c400035000c000070696e67' },
  { id: 'tcp-syn', title: 'TCP SYN 40000 -> 80', hex: '0200000000020200000000010800450000281c46400040060a880a0000010a0000029c40005000000001000000005002ffff00000000' },
  { id: 'icmp', title: 'ICMP echo request', hex: '0200000000020200000000010800450000241c46400040010a910a0000010a00000208006668000100016162636465666768' },
  { id: 'arp', title: 'ARP request (not IPv4)', hex: 'ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000002' },
];

export function base64Bytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
