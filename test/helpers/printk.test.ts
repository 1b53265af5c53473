// trace_printk / trace_vprintk / snprintf: the kernel's format validation and rendering.
import { describe, expect, it } from 'vitest';
import { bprintf, memReader, type MemReader } from '../../helpers/printk.js';
import { Errno } from '../../maps/types.js';
import { kernelFuncAddr } from '../../src/btf/kallsyms.js';
import { FakeWorld } from './fake-call.js';

const noMem: MemReader = { cString: () => new Uint8Array(0), bytes: () => undefined };
const fmt = (s: string) => new TextEncoder().encode(s);
const render = (s: string, ...args: (bigint | number)[]) => bprintf(fmt(s), args.map((a) => BigInt.asUintN(64, BigInt(a))), noMem);
const EINVAL = -Errno.EINVAL;

describe('bprintf: rendering', () => {
  it('integers with sizes, signs, widths and flags', () => {
    expect(render('%d %i %u', -1, -2, -1)).toBe('-1 -2 4294967295');
    expect(render('%x %X', 0xabcdef, 0xabcdef)).toBe('abcdef ABCDEF');
    expect(render('%ld %lld', -5, -1n)).toBe('-5 -1');
    expect(render('%llu %llx', -1n, 0x1234_5678_9abc_def0n)).toBe('18446744073709551615 123456789abcdef0');
    expect(render('%lu', 1n << 40n)).toBe('1099511627776');
    expect(render('%d', 1n << 40n)).toBe('0'); // int-sized: low 32 bits
    expect(render('[%5d][%-5d][%05d]', 42, 42, -42)).toBe('[   42][42   ][-0042]');
    expect(render('[%+d][% d][%+d]', 3, 3, -3)).toBe('[+3][ 3][-3]');
    expect(render('[%08x]', 0xbeef)).toBe('[0000beef]');
  });
  it('%c, %%, pointers', () => {
    expect(render('%c%c 100%%', 0x41, 0x42)).toBe('AB 100%');
    expect(render('%p', 0x1000)).toBe('0000000000001000');
    expect(render('%p', 0)).toBe('(null)');
    expect(render('%pK %px', 0x10, 0)).toBe('0000000000000010 0000000000000000');
    expect(render('%pS', 0xffffffff81000000n)).toBe('0xffffffff81000000');
  });
  it('%ps/%pS/%pB name a function of the built-in kernel (src/btf/kallsyms.ts)', () => {
    const s = kernelFuncAddr('schedule')!;
    expect(render('%ps %pS %pB', s, s + 5n, s + 5n)).toBe('schedule schedule+0x5/0x40 schedule+0x5/0x40');
    // %pB is a return address: its byte before names the function, here none
    expect(render('%pB', s)).toBe(`0x${s.toString(16)}`);
    expect(render('[%10ps]', s)).toBe('[  schedule]');
  });
  it('%s reads the string through memory; a miss prints an empty string', () => {
    const w = new FakeWorld();
    const s = w.mem('hello\0');
    const fw = w.call([]);
    expect(bprintf(fmt('<%s>'), [BigInt(s)], memReader(fw))).toBe('<hello>');
    expect(bprintf(fmt('<%s>'), [0n], memReader(fw))).toBe('<>');
    expect(bprintf(fmt('<%10s|%-4s>'), [BigInt(s), BigInt(s)], memReader(fw))).toBe('<     hello|hello>');
  });
  it('%pI4 / %pi4 / %pI6 / %pi6 format the bytes the argument points to', () => {
    const w = new FakeWorld();
    const ip4 = w.mem([10, 0, 0, 1]);
    const ip6 = w.mem([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const m = memReader(w.call([]));
    expect(bprintf(fmt('%pI4 %pi4'), [BigInt(ip4), BigInt(ip4)], m)).toBe('10.0.0.1 010.000.000.001');
    expect(bprintf(fmt('%pI6'), [BigInt(ip6)], m)).toBe('2001:0db8:0000:0000:0000:0000:0000:0001');
    expect(bprintf(fmt('%pi6'), [BigInt(ip6)], m)).toBe('20010db8000000000000000000000001');
  });
});

describe('bprintf: the kernel refuses', () => {
  const bad: [string, number][] = [
    ['%d %d %d %d', 3], // more conversions than arguments
    ['%q', 3],
    ['%5.2d', 3], // no precision
    ['%#x', 3], // no '#'
    ['%hd', 3],
    ['%lc', 3],
    ['%ls', 3],
    ['%lld%', 3],
    ['%sx', 3], // %s must be followed by space, punctuation or the end
    ['%pZ', 3],
    ['%pI5', 3],
    ['tab\there ok but \x01 not', 3],
    ['caf\xe9', 3],
  ];
  for (const [f, n] of bad) {
    it(JSON.stringify(f), () => {
      const bytes = Uint8Array.from(f, (c) => c.charCodeAt(0));
      expect(bprintf(bytes, Array(n).fill(0n), noMem)).toBe(EINVAL);
    });
  }
  it('whitespace and %s followed by punctuation are fine', () => {
    expect(render('a\tb\n')).toBe('a\tb\n');
    expect(typeof bprintf(fmt('%s.'), [0n], noMem)).toBe('string');
  });
  it('-ENOSPC when integer arguments no longer fit the 512-byte buffer after long strings', () => {
    const w = new FakeWorld();
    const long = w.mem('x'.repeat(600) + '\0');
    expect(bprintf(fmt('%s %d'), [BigInt(long), 1n], memReader(w.call([])))).toBe(-Errno.ENOSPC);
    const r = bprintf(fmt('%s'), [BigInt(long)], memReader(w.call([])));
    expect(typeof r === 'string' && r.length).toBe(511); // cut to fit
  });
});

describe('helper entries', () => {
  it('trace_printk renders into output.printk and returns the length', () => {
    const w = new FakeWorld();
    const f = w.mem('val=%d %s\n\0');
    const s = w.mem('ok\0');
    expect(w.invoke('trace_printk', f, 11, 7, s)).toBe(9n);
    expect(w.output.printk).toEqual(['val=7 ok']);
  });
  it('trace_printk: a format without NUL inside fmt_size is -EINVAL, nothing printed', () => {
    const w = new FakeWorld();
    const f = w.mem('abc\0');
    expect(w.invoke('trace_printk', f, 3)).toBe(BigInt(EINVAL));
    expect(w.invoke('trace_printk', f, 4, 1, 2, 3)).toBe(3n);
    expect(w.output.printk).toEqual(['abc']);
  });
  it('trace_printk allows 3 arguments; trace_vprintk up to 12 from an array', () => {
    const w = new FakeWorld();
    const f4 = w.mem('%d %d %d %d\0');
    expect(w.invoke('trace_printk', f4, 12, 1, 2, 3)).toBe(BigInt(EINVAL));
    const data = new Uint8Array(8 * 4);
    [1, 2, 3, 4].forEach((v, i) => new DataView(data.buffer).setBigUint64(i * 8, BigInt(v), true));
    const d = w.mem(data);
    expect(w.invoke('trace_vprintk', f4, 12, d, 32)).toBe(7n);
    expect(w.output.printk).toEqual(['1 2 3 4']);
    expect(w.invoke('trace_vprintk', f4, 12, d, 12)).toBe(BigInt(EINVAL)); // not a multiple of 8
    expect(w.invoke('trace_vprintk', f4, 12, 0, 8)).toBe(BigInt(EINVAL)); // NULL data with a length
    expect(w.invoke('trace_vprintk', f4, 12, d, 13 * 8)).toBe(BigInt(EINVAL));
  });
  it('snprintf writes a NUL-terminated, truncated result and returns the full length + 1', () => {
    const w = new FakeWorld();
    const f = w.mem('%d-%d\0', 'map');
    const data = new Uint8Array(16);
    new DataView(data.buffer).setBigUint64(0, 123n, true);
    new DataView(data.buffer).setBigUint64(8, 456n, true);
    const d = w.mem(data);
    const out = w.mem(new Array(16).fill(0xff));
    expect(w.invoke('snprintf', out, 16, f, d, 16)).toBe(8n);
    expect(w.str(out)).toBe('123-456');
    const small = w.mem(new Array(4).fill(0xff));
    expect(w.invoke('snprintf', small, 4, f, d, 16)).toBe(8n);
    expect(w.str(small)).toBe('123');
    expect(w.invoke('snprintf', 0, 0, f, d, 16)).toBe(8n);
    expect(w.invoke('snprintf', out, 16, f, d, 8)).toBe(BigInt(EINVAL)); // two conversions, one argument
  });
});


describe('a run keeps 16 MiB of trace_printk lines', () => {
  it('past it the lines are counted in output.lost, the calls still succeed (a bpf_loop of printk calls filled the heap)', async () => {
    const { Runtime } = await import('../../src/runtime.js');
    const { RUN_OUTPUT_BYTES } = await import('../../helpers/types.js');
    const { DW, I, exit, lddw, stx, st, B, mov64, movr, alu64k, ADD, call } = await import('../vm/enc.js');
    // main: 503 'a's and a NUL at r10 - 504; bpf_loop(40000, cb, r10 - 504, 0); cb(i, fmt):
    // trace_printk(fmt, 504); 40000 lines of 504 bytes are 20 MB
    const fill = Array.from({ length: 63 }, (_, k) => stx(DW, 10, 1, -8 * (k + 1)));
    const main = [...lddw(1, 0x6161616161616161n), ...fill, st(B, 10, -1, 0), mov64(1, 40000), ...lddw(2, 0n, 4), movr(3, 10), alu64k(ADD, 3, -504), mov64(4, 0), call(181), exit()];
    const fnAt = main.length;
    const lddwAt = 2 + 63 + 1 + 1;
    main[lddwAt] = I(0x18, 2, 4, 0, fnAt - lddwAt - 1);
    const cb = [movr(1, 2), mov64(2, 504), call(6), mov64(0, 0), exit()];
    const r = new Runtime().execute({ name: 'p', insns: [...main, ...cb], progType: 1, gpl: true });
    expect(r.r0).toBe(40000n);
    const kept = r.output.printk.length;
    expect(kept).toBe(Math.floor(RUN_OUTPUT_BYTES / 504));
    expect(r.output.printk[0]).toBe('a'.repeat(503));
    expect(r.output.lost).toEqual({ printk: 40000 - kept });
  }, 60_000);
});
