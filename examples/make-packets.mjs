#!/usr/bin/env node
// Writes examples/packets.bin: one Ethernet/IPv4/UDP frame (dst port 7777) carrying a batch of 24
// work items for examples/scheduler.c. Deterministic, so the bundled output never changes.
//   node examples/make-packets.mjs [out]
import { writeFileSync } from 'node:fs';

const ITEMS = 24;
const NOW_US = 5000;
const payload = Buffer.alloc(12 + ITEMS * 16);
payload.writeUInt32LE(0x31464445, 0); // 'EDF1'
payload.writeUInt32LE(NOW_US, 4);
payload.writeUInt16LE(ITEMS, 8);
let seed = 7;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8;
for (let i = 0; i < ITEMS; i++) {
  const o = 12 + i * 16;
  payload.writeUInt32LE(1 + (rand() % 6), o); // flow
  payload.writeUInt32LE(1000 + (rand() % 9000), o + 4); // deadline (us): about 45% are due
  payload.writeUInt32LE(64 + (rand() % 1400), o + 8); // bytes
  payload.writeUInt32LE(i, o + 12); // arrival sequence
}
const udp = Buffer.alloc(8);
udp.writeUInt16BE(40000, 0);
udp.writeUInt16BE(7777, 2);
udp.writeUInt16BE(8 + payload.length, 4);
const ip = Buffer.alloc(20);
ip[0] = 0x45;
ip.writeUInt16BE(20 + 8 + payload.length, 2);
ip[8] = 64;
ip[9] = 17; // UDP
Buffer.from([10, 0, 0, 1]).copy(ip, 12);
Buffer.from([10, 0, 0, 2]).copy(ip, 16);
let sum = 0;
for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
ip.writeUInt16BE(~sum & 0xffff, 10);
const eth = Buffer.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]);
const out = process.argv[2] ?? new URL('./packets.bin', import.meta.url).pathname;
writeFileSync(out, Buffer.concat([eth, ip, udp, payload]));
console.log(`wrote ${out}`);
