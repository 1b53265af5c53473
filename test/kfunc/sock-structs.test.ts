// The kernel socket structs of the built-in BTF (src/btf/builtin-net.ts) on the runtime's sockets
// (src/btf/kernel-socks.ts): what test/progs/kfunc/kf_sock.c reads of a described socket (its
// socket-less runs are diffed against the host kernel by test/agreement/kernel-progs-local.test.ts),
// the bpf_skc_to_* casts on each kind of socket, and the two addresses of one socket naming it to
// the helpers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime, type RuntimeOptions } from '../../src/runtime.js';
import { load } from '../../src/loader/load.js';
import { openObject } from '../../src/loader/open.js';
import { testRun } from '../../vm/test-run.js';
import { builtinBtf } from '../../src/btf/builtin.js';
import { BtfKind } from '../../src/btf/btf.js';
import { socketKernelImage } from '../../src/btf/kernel-socks.js';
import { helperById } from '../../helpers/table.js';
import type { HelperCall } from '../../helpers/types.js';
import { PROGS } from '../loader/helpers.js';

// Ethernet + IPv4 + TCP SYN 10.0.0.1:12345 -> 10.0.0.2:80 (the fixtures' syn64)
const SYN64 = new Uint8Array(Buffer.from('02000000000202000000000108004500002c00014000400626c90a0000010a0000023039005000000001000000006002ffff539a0000020405b4000000000000', 'hex'));

function world(opts: RuntimeOptions) {
  const runtime = new Runtime({ ncpus: 2, ...opts });
  const obj = load(runtime, openObject(new Uint8Array(readFileSync(join(PROGS, 'kfunc', 'kf_sock.o')))), { programs: ['lookup_tcp_sock'] });
  return { runtime, run: () => testRun(runtime, obj.program('lookup_tcp_sock').program, { data: SYN64 }).retval };
}

describe('bpf_skc_to_tcp_sock on a looked-up socket', () => {
  it("reads the described socket's tcp_sock: local port, and the kernel view agrees with the uapi one", () => {
    const w = world({ sockets: [{ proto: 'tcp', state: 'established', src: '10.0.0.2', srcPort: 80, dst: '10.0.0.1', dstPort: 12345 }] });
    expect(w.run()).toBe(0x10000 | 80);
  });
  it("a listener bound to the wildcard address is found, and its kernel struct says so (skc_rcv_saddr 0 is not the packet's daddr)", () => {
    const w = world({ sockets: [{ proto: 'tcp', state: 'listen', srcPort: 80 }] });
    expect(w.run()).toBe(0x10000 | 80 | 0x800000);
  });
  it('no socket on the tuple: 1, as on the host', () => {
    expect(world({ sockets: [{ proto: 'tcp', state: 'established', src: '10.0.0.2', srcPort: 81 }] }).run()).toBe(1);
  });
});

describe('the bpf_skc_to_* casts and the kernel images', () => {
  const runtime = new Runtime({
    sockets: [
      { proto: 'tcp', state: 'established', src: '10.1.2.3', srcPort: 443, dst: '10.9.9.9', dstPort: 5555 }, // fd 3
      { proto: 'tcp', family: 6, state: 'listen', src: '::1', srcPort: 8080 }, // fd 4
      { proto: 'udp', family: 6, srcPort: 53 }, // fd 5
      { proto: 'udp', srcPort: 53 }, // fd 6
      { proto: 'tcp', state: 'time_wait', srcPort: 22 }, // fd 7
      { proto: 'tcp', state: 'new_syn_recv', srcPort: 22 }, // fd 8
    ],
  });
  const sock = (fd: number) => runtime.sockets.byFd(fd)!;
  const cast = (name: string, arg: number | bigint): bigint => {
    const h = [136, 137, 138, 139, 140, 178, 196].map((id) => helperById(id)!).find((x) => x.name === name)!;
    const call = { u64: () => BigInt(arg), ptr: () => Number(arg), env: { sockets: runtime.sockets }, progType: 3 } as unknown as HelperCall;
    return BigInt(h.impl(call));
  };
  const kinds: [string, number[]][] = [
    ['skc_to_tcp_sock', [3, 4]],
    ['skc_to_tcp6_sock', [4]],
    ['skc_to_udp6_sock', [5]],
    ['skc_to_tcp_timewait_sock', [7]],
    ['skc_to_tcp_request_sock', [8]],
    ['skc_to_unix_sock', []],
    ['skc_to_mptcp_sock', []],
  ];
  for (const [name, yes] of kinds) {
    it(`${name}: non-NULL exactly for fds ${yes.join(', ') || '(none)'}`, () => {
      for (const fd of [3, 4, 5, 6, 7, 8]) {
        const k = cast(name, sock(fd).addr);
        if (yes.includes(fd)) {
          expect(k, `fd ${fd}`).toBe(runtime.sockets.kernelAddress(sock(fd)));
          expect(k > 0xffffffffn, 'a kernel address').toBe(true);
        } else expect(k, `fd ${fd}`).toBe(0n);
      }
    });
  }
  it('a kernel address names the socket too: casting it again gives the same address', () => {
    const k = cast('skc_to_tcp_sock', sock(3).addr);
    expect(cast('skc_to_tcp_sock', k)).toBe(k);
    expect(runtime.sockets.byKernelAddress(k)).toBe(sock(3));
  });
  it("the tcp_sock image holds the socket's description at the built-in BTF's offsets", () => {
    const btf = builtinBtf();
    const k = runtime.sockets.kernelAddress(sock(3))!;
    const img = socketKernelImage({ family: 2, type: 1, protocol: 6, state: 1, srcPort: 443, dstPort: 5555, boundDevIf: 0, mark: 0, priority: 0, src4: new Uint8Array([10, 1, 2, 3]), dst4: new Uint8Array([10, 9, 9, 9]), src6: new Uint8Array(16), dst6: new Uint8Array(16), cookie: sock(3).cookie }, k);
    expect(img.struct).toBe('tcp_sock');
    expect(img.bytes.length).toBe(btf.sizeof(btf.find('tcp_sock', BtfKind.STRUCT)[0]!.id));
    // what the runtime mapped is that image
    expect(runtime.kmem.read(k, img.bytes.length)).toEqual(img.bytes);
    const dv = new DataView(img.bytes.buffer);
    // sock_common is at offset 0 of tcp_sock: skc_daddr, skc_rcv_saddr, then skc_dport (be), skc_num
    expect([...img.bytes.subarray(0, 8)]).toEqual([10, 9, 9, 9, 10, 1, 2, 3]);
    expect(dv.getUint16(12, false)).toBe(5555);
    expect(dv.getUint16(14, true)).toBe(443);
    expect(dv.getUint16(16, true)).toBe(2);
  });
  it("an IPv6 socket's pinet6 points at its own inet6 member", () => {
    const btf = builtinBtf();
    const k = runtime.sockets.kernelAddress(sock(4))!;
    const t = btf.find('tcp6_sock', BtfKind.STRUCT)[0]!;
    const inet6Off = t.members!.find((m) => m.name === 'inet6')!.bitOffset / 8;
    // tcp_sock -> inet_conn -> icsk_inet (inet_sock) -> pinet6, each at offset 0 but the last
    const inet = btf.find('inet_sock', BtfKind.STRUCT)[0]!;
    const pinetOff = inet.members!.find((m) => m.name === 'pinet6')!.bitOffset / 8;
    const p = new DataView(runtime.kmem.read(k + BigInt(pinetOff), 8)!.buffer).getBigUint64(0, true);
    expect(p).toBe(k + BigInt(inet6Off));
    // inet6.saddr is ::1
    expect([...runtime.kmem.read(p, 16)!]).toEqual([...new Uint8Array(15), 1]);
  });
  it('a closed socket gives its slot back; the address no longer names a socket', () => {
    const rt = new Runtime({ sockets: [{ proto: 'tcp', srcPort: 1 }] });
    const s = rt.sockets.byFd(3)!;
    const k = rt.sockets.kernelAddress(s)!;
    rt.sockets.close(s);
    expect(rt.sockets.byKernelAddress(k)).toBeUndefined();
    const s2 = rt.sockets.add({ proto: 'udp', srcPort: 2 });
    expect(rt.sockets.kernelAddress(s2)).toBe(k);
  });
});
