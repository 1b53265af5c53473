// strtol / strtoul / strncmp with the kernel's semantics.
import { describe, expect, it } from 'vitest';
import { parseSigned, parseUnsigned } from '../../helpers/strings.js';
import { Errno } from '../../maps/types.js';
import { FakeWorld } from './fake-call.js';

const b = (s: string) => new TextEncoder().encode(s);

describe('strtoul/strtol parsing', () => {
  const ok = (s: string, base: number, consumed: number, value: bigint) =>
    expect(parseSigned(b(s), BigInt(base))).toEqual({ consumed, value });
  it('bases, prefixes, whitespace and sign', () => {
    ok('123', 10, 3, 123n);
    ok('  -42xyz', 10, 5, -42n);
    ok('0x1f', 0, 4, 31n);
    ok('0x1f', 16, 4, 31n);
    ok('1f', 16, 2, 31n);
    ok('017', 0, 3, 15n);
    ok('0', 0, 1, 0n);
    ok('0x', 0, 1, 0n); // "0x" with no hex digit: octal 0, one character
  });
  it('errors: no digits, bad base, bad flags, overflow', () => {
    expect(parseSigned(b('99'), 8n)).toEqual({ errno: -Errno.EINVAL });
    expect(parseSigned(b('abc'), 10n)).toEqual({ errno: -Errno.EINVAL });
    expect(parseSigned(b('   '), 10n)).toEqual({ errno: -Errno.EINVAL });
    expect(parseSigned(b('-'), 10n)).toEqual({ errno: -Errno.EINVAL });
    expect(parseSigned(b('1'), 2n)).toEqual({ errno: -Errno.EINVAL });
    expect(parseSigned(b('1'), 0x20n)).toEqual({ errno: -Errno.EINVAL });
    expect(parseSigned(b('9223372036854775807'), 10n)).toEqual({ consumed: 19, value: (1n << 63n) - 1n });
    expect(parseSigned(b('9223372036854775808'), 10n)).toEqual({ errno: -Errno.ERANGE });
    expect(parseSigned(b('-9223372036854775808'), 10n)).toEqual({ consumed: 20, value: -(1n << 63n) });
    expect(parseSigned(b('-9223372036854775809'), 10n)).toEqual({ errno: -Errno.ERANGE });
    expect(parseUnsigned(b('18446744073709551615'), 10n)).toMatchObject({ consumed: 20, value: (1n << 64n) - 1n });
    expect(parseUnsigned(b('18446744073709551616'), 10n)).toEqual({ errno: -Errno.ERANGE });
  });
  it('only the first 63 characters after the sign are parsed', () => {
    const r = parseUnsigned(b('0'.repeat(70) + '5'), 10n);
    expect(r).toMatchObject({ consumed: 63, value: 0n });
  });
});

describe('strtol/strtoul/strncmp helpers', () => {
  it('strtol stores a signed long and returns the characters consumed', () => {
    const w = new FakeWorld();
    const buf = w.mem('-123 rest');
    const res = w.mem(new Array(8).fill(0xff));
    expect(w.invoke('strtol', buf, 9, 10, res)).toBe(4n);
    expect(w.arena.dv.getBigInt64(res, true)).toBe(-123n);
    expect(w.invoke('strtol', buf, 1, 10, res)).toBe(BigInt(-Errno.EINVAL)); // just "-"
  });
  it('res is zeroed even when parsing fails (Linux 6.12+)', () => {
    const w = new FakeWorld();
    const res = w.mem(new Array(8).fill(0xff));
    expect(w.invoke('strtol', w.mem('+5'), 2, 10, res)).toBe(BigInt(-Errno.EINVAL));
    expect(w.arena.dv.getBigUint64(res, true)).toBe(0n);
  });
  it('strtoul refuses a minus sign and parses hex', () => {
    const w = new FakeWorld();
    const res = w.mem(new Array(8).fill(0));
    expect(w.invoke('strtoul', w.mem('-1'), 2, 0, res)).toBe(BigInt(-Errno.EINVAL));
    expect(w.invoke('strtoul', w.mem('0xFF'), 4, 0, res)).toBe(4n);
    expect(w.arena.dv.getBigUint64(res, true)).toBe(255n);
    expect(w.invoke('strtoul', w.mem('12'), 2, 1n << 5n, res)).toBe(BigInt(-Errno.EINVAL));
  });
  it('strncmp returns -1/0/1 and stops at s1_sz or a NUL', () => {
    const w = new FakeWorld();
    const s2 = w.mem('hello\0', 'map');
    expect(w.invoke('strncmp', w.mem('hello'), 5, s2)).toBe(0n);
    expect(w.invoke('strncmp', w.mem('help!'), 5, s2)).toBe(1n);
    expect(w.invoke('strncmp', w.mem('hela'), 4, s2)).toBe(-1n);
    expect(w.invoke('strncmp', w.mem('hexxx'), 2, s2)).toBe(0n);
    expect(w.invoke('strncmp', w.mem('hello\0zz'), 8, s2)).toBe(0n);
    expect(w.invoke('strncmp', w.mem('hello!'), 6, s2)).toBe(1n);
  });
});
