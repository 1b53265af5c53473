// `run --sockets file.json`: the socket table user space names by fd. A sockmap filled with
// --map from those fds dumps the sockets' cookies; bad descriptions are usage errors (exit 2)
// naming the entry.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './capture.js';
import { ipv4Udp } from '../run/helpers.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const obj = join(ROOT, 'test/progs/maps/m_sockmap.o');
const dir = mkdtempSync(join(tmpdir(), 'ebpfvm-sockets-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const pkt = join(dir, 'pkt.bin');
writeFileSync(pkt, ipv4Udp());

describe('run --sockets', () => {
  it('a sockmap filled from the socket table by fd reads back cookies', async () => {
    const socks = file('socks.json', JSON.stringify([{ proto: 'tcp', src: '10.0.0.1', srcPort: 80, state: 'listen' }, { proto: 'udp', srcPort: 53, fd: 9 }]));
    const fill = file('sm.json', JSON.stringify([{ key: 0, value: 3 }, { key: 2, value: 9 }]));
    const r = await cli('run', obj, '--prog', 'm_sockmap', '--data', pkt, '--sockets', socks, '--map', `sm=${fill}`, '--dump-maps', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.retval).toBe(5);
    // the two described sockets' cookies (1 and 2, in the order they were described); the
    // empty slots have nothing to read back
    expect(out.maps.sm.entries.map((e: { formatted: unknown }) => e.formatted)).toEqual([
      { key: 0, value: 1 },
      { key: 2, value: 2 },
    ]);
  });
  it('an AF_XDP socket (proto xdp) in an xskmap: lookups read its queueId, redirects find it, the dump shows its fd', async () => {
    const xobj = join(ROOT, 'test/progs/maps/m_xskmap.o');
    const socks = file('xsks.json', JSON.stringify([{ proto: 'xdp', queueId: 6, fd: 7 }]));
    const fill = file('xm.json', JSON.stringify([{ key: 0, value: 7 }]));
    const zero = file('zero64.bin', '\0'.repeat(64));
    const look = await cli('run', xobj, '--prog', 'lookup_full', '--data', zero, '--sockets', socks, '--map', `xsks=${fill}`, '--json');
    expect(look.code).toBe(0);
    expect(JSON.parse(look.out).retval).toBe(1006);
    const redir = await cli('run', xobj, '--prog', 'redir_full', '--data', zero, '--sockets', socks, '--map', `xsks=${fill}`, '--dump-maps');
    expect(redir.code).toBe(0);
    expect(redir.out).toContain('Return value: 4');
    expect(redir.out).toContain('xsks: xskmap, key 4 bytes, value 4 bytes, 1 entry\n  0: 7');
    const tcpInXsk = await cli('run', xobj, '--prog', 'redir_full', '--data', zero, '--sockets', file('t.json', '[{"proto":"tcp"}]'), '--map', `xsks=${file('xm3.json', '[{"key":0,"value":3}]')}`);
    expect(tcpInXsk.code).toBe(2);
    expect(tcpInXsk.err).toContain('errno 95');
  });
  it('bad descriptions are usage errors naming the entry', async () => {
    const bad = await cli('run', obj, '--prog', 'm_sockmap', '--data', pkt, '--sockets', file('bad1.json', JSON.stringify([{ proto: 'sctp' }])));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--sockets: socket {\"proto\":\"sctp\"}: proto must be 'tcp', 'udp' or 'xdp'");
    const unknown = await cli('run', obj, '--prog', 'm_sockmap', '--data', pkt, '--sockets', file('bad2.json', JSON.stringify([{}, { port: 1 }])));
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('--sockets[1]: unknown field port');
    // an address that is not a string (was a TypeError from the address parser, exit 70)
    for (const [i, d] of [{ dst: {} }, { src: 5 }, { family: 6, src: ['::1'] }].entries()) {
      const notText = await cli('run', obj, '--prog', 'm_sockmap', '--data', pkt, '--sockets', file(`addr${i}.json`, JSON.stringify([d])));
      expect(notText.err).not.toMatch(/internal error|TypeError/);
      expect(notText.err).toMatch(/is not an IPv[46] address \(a string\)/);
      expect(notText.code).toBe(2);
    }
    const notArray = await cli('run', obj, '--prog', 'm_sockmap', '--data', pkt, '--sockets', file('bad3.json', '{}'));
    expect(notArray.err).toContain('must hold a JSON array');
    const sockmapBadFd = await cli('run', obj, '--prog', 'm_sockmap', '--data', pkt, '--map', `sm=${file('sm2.json', JSON.stringify([{ key: 0, value: 3 }]))}`);
    expect(sockmapBadFd.code).not.toBe(0);
    expect(sockmapBadFd.err).toMatch(/EBADF|-9|errno 9|bad file/i);
  });
});
