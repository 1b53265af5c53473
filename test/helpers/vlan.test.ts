// bpf_get_listener_sock with described sockets (the host fixture of h_vlan.c, recorded without
// sockets, shows only the NULL answers; test/agreement/kernel-progs-local.test.ts diffs those).
import { describe, expect, it } from 'vitest';
import { helperById } from '../../helpers/table.js';
import { ProgType } from '../../vm/prog-types.js';
import { xprog } from './x-common.js';

const sockets = [
  { proto: 'tcp' as const, state: 'listen' as const, src: '127.0.0.1', srcPort: 7007 }, // fd 3
  { proto: 'tcp' as const, state: 'established' as const, srcPort: 7008 }, // fd 4
  { proto: 'udp' as const, srcPort: 53 }, // fd 5: bound, CLOSE
  { proto: 'tcp' as const, family: 6 as const, state: 'listen' as const, srcPort: 7009 }, // fd 6
];

function listenerOf(fd: number | undefined): number {
  const x = xprog('helpers/h_vlan.o', { sockets });
  if (fd !== undefined) {
    expect(x.obj.map('socks').update(new Uint8Array(4), new Uint8Array(new BigUint64Array([BigInt(fd)]).buffer))).toBe(0);
  }
  return x.run('listener_map', { data: new Uint8Array(64) }).retval;
}

describe('bpf_get_listener_sock', () => {
  it('gives a TCP listener back (IPv4 and IPv6), NULL for an established TCP or a UDP socket', () => {
    expect(listenerOf(3)).toBe(3);
    expect(listenerOf(6)).toBe(3);
    expect(listenerOf(4)).toBe(2);
    expect(listenerOf(5)).toBe(2);
    expect(listenerOf(undefined)).toBe(1);
  });
  it('is a cgroup_skb and tc helper only, as the kernel func_proto tables', () => {
    const h = helperById(98)!;
    expect(h.progTypes).toEqual([ProgType.CGROUP_SKB, ProgType.SCHED_CLS, ProgType.SCHED_ACT]);
    expect(helperById(18)!.progTypes).toEqual([ProgType.SCHED_CLS, ProgType.SCHED_ACT]);
  });
});
