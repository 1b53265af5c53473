// `ebpfvm run`: bpftool's text, the JSON object, --map and --dump-maps, and exit codes
// (0 ran, 1 fault, 2 bad input).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../cli/capture.js';
import { hexDump } from '../../src/cli/commands/run.js';
import { ROOT, ipv4Udp } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ebpfvm-run-'));
const file = (name: string, bytes: Uint8Array | string) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};
const prog = (name: string) => join(ROOT, 'test/progs', name);
const pkt = file('pkt.bin', ipv4Udp());


afterEach(() => vi.restoreAllMocks());

describe('ebpfvm run', () => {
  it("prints data_out like bpftool's hex_print and the return value line", async () => {
    const r = await cli('run', prog('run_tc.o'), '--prog', 'tc_ttl', '--data', pkt, '--repeat', '4');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toBe('0000000\t0200 0000 0002 0200 0000 0001 0800 4500 | ........ ......E.');
    expect(lines.at(-1)).toMatch(/^Return value: 68, duration \(average\): \d+ns$/);
  });

  it('hexDump pads short lines and splits the ASCII column after 8 bytes', () => {
    expect(hexDump(new Uint8Array([0x41, 0x42, 0x43]))).toBe('0000000\t4142 43' + ' '.repeat(33) + '| ABC\n');
    expect(hexDump(new Uint8Array(9).fill(0x61))).toBe('0000000\t6161 6161 6161 6161 61' + ' '.repeat(18) + '| aaaaaaaa a\n');
  });

  it('--json: retval, r0, data_out, ctx_out, duration, verified (true by default, false with --no-verify), maps with --dump-maps', async () => {
    const ctx = new Uint8Array(20);
    new DataView(ctx.buffer).setUint32(0, 6, true);
    new DataView(ctx.buffer).setUint32(4, 7, true);
    const r = await cli('run', prog('run_syscall.o'), '--prog', 'sys_mul', '--ctx', file('args.bin', ctx), '--json', '--dump-maps');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ program: 'sys_mul', verified: true, retval: 13, r0: '13', data_out: null, repeat: 1, printk: [] });
    expect(j.ctx_out).toBe('06000000070000002a0000000000000001000000');
    expect(j.maps['run_sysc.bss'].entries[0].formatted.value).toEqual({ total: 42 });
    expect(j.maps['run_sysc.data'].entries[0].formatted.value).toEqual({ seen: 101 });
    const unverified = await cli('run', prog('run_syscall.o'), '--prog', 'sys_mul', '--ctx', file('args.bin', ctx), '--json', '--no-verify');
    expect(JSON.parse(unverified.out)).toMatchObject({ program: 'sys_mul', verified: false, retval: 13 });
  });

  it('--map fills a map before the run and --dump-maps decodes it through BTF', async () => {
    const m = file('proto.json', JSON.stringify([{ key: '00080000', value: 5 }]));
    const r = await cli('run', prog('run_tc.o'), '--prog', 'tc_count', '--data', pkt, '--map', `proto_bytes=${m}`, '--dump-maps');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Return value: ${5 + ipv4Udp().length}`);
    expect(r.out).toContain(`proto_bytes: hash, key 4 bytes, value 8 bytes, 1 entry\n  2048: ${5 + ipv4Udp().length}`);
    // The same through the map's BTF types: the key as a number.
    const typed = await cli('run', prog('run_tc.o'), '--prog', 'tc_count', '--data', pkt, '--map', `proto_bytes=${file('typed.json', '[{"key": 2048, "value": 5}]')}`);
    expect(typed.out).toContain(`Return value: ${5 + ipv4Udp().length}`);
    const wrongShape = await cli('run', prog('run_tc.o'), '--prog', 'tc_count', '--data', pkt, '--map', `proto_bytes=${file('shape.json', '[{"key": 1, "value": 1}, {"key": {"x": 1}, "value": 1}]')}`, '--dump-maps');
    expect(wrongShape.code).toBe(2);
    expect(wrongShape.err).toMatch(/entry 1 key/);
  });

  it('--dump-maps prints rbtree maps in order through BTF (tree with =tree)', async () => {
    const args = ['run', join(ROOT, 'examples/scheduler.o'), '--prog', 'schedule', '--data', join(ROOT, 'examples/packets.bin')];
    const inorder = await cli(...args, '--dump-maps');
    expect(inorder.code).toBe(0);
    expect(inorder.out).toMatch(/queue: rbtree, 13 nodes\n  \[0\] 0x[0-9a-f]+ \{"deadline_us":5308,"flow":2,"bytes":135,"seq":7\}/);
    const tree = await cli(...args, '--dump-maps=tree', '--json');
    expect(JSON.parse(tree.out).maps.queue).toMatchObject({ type: 'rbtree', size: 13 });
    expect((await cli(...args, '--dump-maps=sideways')).code).toBe(2);
  });

  it('--ctx as JSON: fields by name, or u64 values for raw contexts', async () => {
    const r = await cli('run', prog('run_tc.o'), '--prog', 'tc_fields', '--data', pkt, '--ctx', file('ctx.json', '{"mark": 10, "cb": [0, 77]}'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).ctx_out.slice(16, 24)).toBe('0b000000'); // mark 10 + 1
    const raw = await cli('run', prog('run_rawtp.o'), '--ctx', file('rt.json', '["5", 7]'));
    expect(raw.out).toMatch(/^Return value: 22,/);
    const bad = await cli('run', prog('run_tc.o'), '--prog', 'tc_fields', '--data', pkt, '--ctx', file('bad-ctx.json', '{"nope": 1}'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/__sk_buff has no field nope/);
  });

  it('--args, --task and --kmem drive tracing programs', async () => {
    const kp = await cli('run', prog('run_trace.o'), '--prog', 'kp_args', '--args', file('a.json', '[1, 10, "0x64"]'), '--task', file('t.json', '{"pid": 7, "tgid": 4242, "comm": "demo"}'), '--json');
    expect(kp.code).toBe(0);
    expect(JSON.parse(kp.out).retval).toBe(1 + 20 + 300 + 4242);
    // fe_ptr's target is not in the built-in BTF, so its argument is a scalar to the verifier (the
    // kernel cannot attach it either): it runs unverified, reading the kernel memory given.
    const kmem = file('k.json', '{"0xffff888000001000": "0700000000000000 0500000000000000"}');
    const refused = await cli('run', prog('run_trace.o'), '--prog', 'fe_ptr', '--args', file('b.json', '["0xffff888000001000", 3]'), '--kmem', kmem);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/R1 invalid mem access 'scalar'/);
    const fe = await cli('run', prog('run_trace.o'), '--prog', 'fe_ptr', '--args', file('b.json', '["0xffff888000001000", 3]'), '--kmem', kmem, '--no-verify');
    expect(fe.out).toMatch(/^Return value: 22, duration: \d+ns\n$/);
    expect((await cli('run', prog('run_trace.o'), '--prog', 'fe_ptr', '--kmem', file('k2.json', '{"0x1000": "00"}'), '--no-verify')).code).toBe(2);
    expect((await cli('run', prog('run_trace.o'), '--prog', 'kp_args', '--task', file('t2.json', '{"pid": -1}'))).code).toBe(2);
    expect((await cli('run', prog('run_trace.o'), '--prog', 'kp_args', '--args', file('a2.json', '[1.5]'))).code).toBe(2);
  });

  it('writes data_out and ctx_out to files when asked', async () => {
    const dout = join(dir, 'out.bin');
    const r = await cli('run', prog('run_sock.o'), '--prog', 'sock_fields', '--data', pkt, '--data-out', dout);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Return value: \d+, duration: \d+ns\n$/);
    expect(new Uint8Array(readFileSync(dout)).subarray(14)).toEqual(ipv4Udp().subarray(14));
  });

  it('exit 2 with a clear message: unknown program, short data, refused ctx field, bad --map', async () => {
    const unknown = await cli('run', prog('run_tc.o'), '--prog', 'nope', '--data', pkt);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.err).toMatch(/no program named nope \(have: tc_ttl, tc_fields, tc_count\)/);
    const short = await cli('run', prog('run_tc.o'), '--prog', 'tc_ttl', '--data', file('short.bin', new Uint8Array(13)));
    expect(short).toMatchObject({ code: 2 });
    expect(short.err).toMatch(/-EINVAL.*at least 14 bytes/);
    const ctx = new Uint8Array(192);
    ctx[0] = 1;
    const refused = await cli('run', prog('run_tc.o'), '--prog', 'tc_ttl', '--data', pkt, '--ctx', file('ctx.bin', ctx));
    expect(refused).toMatchObject({ code: 2 });
    expect(refused.err).toMatch(/field len .* must be zero/);
    const badMap = await cli('run', prog('run_tc.o'), '--prog', 'tc_count', '--data', pkt, '--map', `proto_bytes=${file('bad.json', '[{"key":"08","value":1}]')}`);
    expect(badMap).toMatchObject({ code: 2 });
    expect(badMap.err).toMatch(/key: 1 bytes, the map needs 4/);
    const json = await cli('run', prog('run_tc.o'), '--prog', 'tc_ttl', '--data', file('short2.bin', new Uint8Array(10)), '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out)).toMatchObject({ program: 'tc_ttl', errno: 'EINVAL' });
    expect((await cli('run', prog('run_tc.o'), '--data', pkt)).code).toBe(2); // several programs, no --prog
    expect((await cli('run', prog('run_tc.o'), '--prog', 'tc_ttl', '--data', join(dir, 'missing.bin'))).code).toBe(2);
  });

  it('the verifier refuses what the kernel refuses (exit 1, its message); unverified, the run faults (exit 1, with the source line)', async () => {
    const v = await cli('run', prog('run_faults.o'), '--prog', 'tc_write_len', '--data', pkt);
    expect(v.code).toBe(1);
    expect(v.err).toMatch(/invalid bpf_context access off=0 size=4\n/);
    expect(v.err).toMatch(/program tc_write_len rejected by the verifier at insn \d+: invalid bpf_context access off=0 size=4/);
    expect(v.err).not.toMatch(/ebpfvm: fault/);
    const r = await cli('run', prog('run_faults.o'), '--prog', 'tc_write_len', '--data', pkt, '--no-verify');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/fault: tc_write_len pc \d+ .*write-protected[\s\S]*run_faults\.c/);
  });

  it('--trace prints executed instructions to stderr, verified or not', async () => {
    const verified = await cli('run', prog('run_sock.o'), '--prog', 'sock_fields', '--data', pkt, '--trace');
    expect(verified.code).toBe(0);
    expect(verified.err).toMatch(/^Verifier: sock_fields accepted \(\d+ insns processed\)\n/);
    const r = await cli('run', prog('run_sock.o'), '--prog', 'sock_fields', '--data', pkt, '--trace', '--no-verify');
    expect(r.code).toBe(0);
    expect(r.err.split('\n').filter(Boolean).length).toBeGreaterThan(5);
    expect(r.err).toMatch(/exit/);
  });

  it('printk output before a fault still reaches stderr', async () => {
    const r = await cli('run', prog('run_faults.o'), '--prog', 'tc_print_then_fault', '--data', pkt, '--no-verify');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`about to write len ${ipv4Udp().length}\\n[\\s\\S]*fault: tc_print_then_fault`));
  });
});
