#!/usr/bin/env python3
# Writes the conformance-style cases in test/conformance/data/*.data (bpf_conformance's format:
# `-- asm` in uBPF syntax, optional `-- mem`, `-- result` or `-- error`).
#
# The expected r0 of every case is computed HERE, by a small reference model written directly
# from RFC 9669 with Python's arbitrary-precision integers (see the helpers below), never by
# running ebpfvm. Re-run after editing:  python3 test/conformance/make_cases.py
import os

M64 = (1 << 64) - 1
M32 = (1 << 32) - 1
def u64(x): return x & M64
def u32(x): return x & M32
def s64(x): x = u64(x); return x - (1 << 64) if x >> 63 else x
def s32(x): x = u32(x); return x - (1 << 32) if x >> 31 else x
def s16(x): x &= 0xffff; return x - 0x10000 if x >> 15 else x
def s8(x): x &= 0xff; return x - 0x100 if x >> 7 else x
def sx32(imm): return u64(s32(imm))          # imm sign-extended to 64 bits
def tdiv(a, b): q = abs(a) // abs(b); return q if (a < 0) == (b < 0) else -q   # C division
def tmod(a, b): return a - tdiv(a, b) * b
def bswap(x, bits): return int.from_bytes(u64(x).to_bytes(8, 'little')[: bits // 8], 'big')
def le(x, bits): return u64(x) & ((1 << bits) - 1)

# RFC 9669 ALU semantics (div/mod by zero, signed overflow, masked shifts).
def alu64(op, a, b):
    a, b = u64(a), u64(b)
    if op == 'add': return u64(a + b)
    if op == 'sub': return u64(a - b)
    if op == 'mul': return u64(a * b)
    if op == 'div': return 0 if b == 0 else a // b
    if op == 'mod': return a if b == 0 else a % b
    if op == 'sdiv': return 0 if b == 0 else u64(tdiv(s64(a), s64(b)))
    if op == 'smod': return a if b == 0 else u64(tmod(s64(a), s64(b)))
    if op == 'or': return a | b
    if op == 'and': return a & b
    if op == 'xor': return a ^ b
    if op == 'lsh': return u64(a << (b & 63))
    if op == 'rsh': return a >> (b & 63)
    if op == 'arsh': return u64(s64(a) >> (b & 63))
    if op == 'mov': return b
    raise ValueError(op)

def alu32(op, a, b):
    a, b = u32(a), u32(b)
    if op == 'add': return u32(a + b)
    if op == 'sub': return u32(a - b)
    if op == 'mul': return u32(a * b)
    if op == 'div': return 0 if b == 0 else a // b
    if op == 'mod': return a if b == 0 else a % b
    if op == 'sdiv': return 0 if b == 0 else u32(tdiv(s32(a), s32(b)))
    if op == 'smod': return a if b == 0 else u32(tmod(s32(a), s32(b)))
    if op == 'or': return a | b
    if op == 'and': return a & b
    if op == 'xor': return a ^ b
    if op == 'lsh': return u32(a << (b & 31))
    if op == 'rsh': return a >> (b & 31)
    if op == 'arsh': return u32(s32(a) >> (b & 31))
    if op == 'mov': return b
    raise ValueError(op)

def cond(op, a, b, bits):
    m = M64 if bits == 64 else M32
    sg = s64 if bits == 64 else s32
    a, b = a & m, b & m
    return {
        'jeq': a == b, 'jne': a != b, 'jgt': a > b, 'jge': a >= b, 'jlt': a < b, 'jle': a <= b,
        'jset': (a & b) != 0, 'jsgt': sg(a) > sg(b), 'jsge': sg(a) >= sg(b), 'jslt': sg(a) < sg(b), 'jsle': sg(a) <= sg(b),
    }[op]

CASES = {}
def case(name, asm, result=None, mem=None, error=None, note=''):
    assert name not in CASES, name
    CASES[name] = (asm.strip('\n'), result, mem, error, note)

def lddw(reg, v): return f'lddw %{reg}, {hex(u64(v))}'

A = 0x8badf00d_deadbeef   # a 64-bit value with both halves "negative"
B = 0x00000003_00000007
NEG = u64(-7)
INT64_MIN = 1 << 63
INT32_MIN = 1 << 31

# ---- ALU64 / ALU32, register and immediate operands -------------------------------------------
ops = ['add', 'sub', 'mul', 'div', 'sdiv', 'mod', 'smod', 'or', 'and', 'xor', 'lsh', 'rsh', 'arsh', 'mov']
for op in ops:
    # register source, 64-bit
    case(f'alu64-{op}-reg', f'{lddw("r0", A)}\n{lddw("r1", B if op not in ("lsh","rsh","arsh") else 0x43)}\n{op} %r0, %r1\nexit',
         alu64(op, A, B if op not in ('lsh', 'rsh', 'arsh') else 0x43))
    # immediate source (sign-extended to 64 bits)
    imm = -3 if op not in ('lsh', 'rsh', 'arsh') else 13
    case(f'alu64-{op}-imm', f'{lddw("r0", A)}\n{op} %r0, {imm}\nexit', alu64(op, A, sx32(imm)))
    # 32-bit: operates on the low halves, result zero-extended
    case(f'alu32-{op}-reg', f'{lddw("r0", A)}\n{lddw("r1", 0xffffffff_00000005 if op not in ("lsh","rsh","arsh") else 0x1_00000025)}\n{op}32 %r0, %r1\nexit',
         alu32(op, A, 0x5 if op not in ('lsh', 'rsh', 'arsh') else 0x25))
    imm32v = -3 if op not in ('lsh', 'rsh', 'arsh') else 7
    case(f'alu32-{op}-imm', f'{lddw("r0", A)}\n{op}32 %r0, {imm32v}\nexit', alu32(op, A, imm32v))

case('neg64', f'{lddw("r0", A)}\nneg %r0\nexit', u64(-A))
case('neg32', f'{lddw("r0", A)}\nneg32 %r0\nexit', u32(-u32(A)))
case('neg64-min', f'{lddw("r0", INT64_MIN)}\nneg %r0\nexit', INT64_MIN)
case('mov32-zero-extends', f'{lddw("r0", M64)}\nmov32 %r0, -1\nexit', M32)
case('mov64-imm-sign-extends', 'mov %r0, -2\nexit', u64(-2))
case('add32-wraps', 'mov32 %r0, 0xffffffff\nadd32 %r0, 2\nexit', 1)
case('mul64-overflow', f'{lddw("r0", 0x1_0000_0001)}\n{lddw("r1", 0xffff_ffff_ffff_ffff)}\nmul %r0, %r1\nexit', alu64('mul', 0x100000001, M64))

# ---- division / modulo corners (DESIGN section 3) -----------------------------------------------
case('div64-by-zero-reg', f'{lddw("r0", A)}\nmov %r1, 0\ndiv %r0, %r1\nexit', 0)
case('div32-by-zero-reg', f'{lddw("r0", A)}\nmov %r1, 0\ndiv32 %r0, %r1\nexit', 0)
case('div64-by-zero-imm', f'{lddw("r0", A)}\ndiv %r0, 0\nexit', 0)
case('mod64-by-zero-reg', f'{lddw("r0", A)}\nmov %r1, 0\nmod %r0, %r1\nexit', A)
case('mod32-by-zero-reg', f'{lddw("r0", A)}\nmov %r1, 0\nmod32 %r0, %r1\nexit', u32(A))
case('mod32-by-zero-imm', f'{lddw("r0", A)}\nmod32 %r0, 0\nexit', u32(A))
case('sdiv64-by-zero', f'{lddw("r0", A)}\nmov %r1, 0\nsdiv %r0, %r1\nexit', 0)
case('smod64-by-zero', f'{lddw("r0", A)}\nmov %r1, 0\nsmod %r0, %r1\nexit', A)
case('smod32-by-zero', f'{lddw("r0", A)}\nmov %r1, 0\nsmod32 %r0, %r1\nexit', u32(A))
case('sdiv64-min-by-minus-one', f'{lddw("r0", INT64_MIN)}\nmov %r1, -1\nsdiv %r0, %r1\nexit', INT64_MIN)
case('smod64-min-by-minus-one', f'{lddw("r0", INT64_MIN)}\nmov %r1, -1\nsmod %r0, %r1\nexit', 0)
case('sdiv32-min-by-minus-one', f'mov32 %r0, {hex(INT32_MIN)}\nsdiv32 %r0, -1\nexit', INT32_MIN)
case('smod32-min-by-minus-one', f'mov32 %r0, {hex(INT32_MIN)}\nsmod32 %r0, -1\nexit', 0)
case('sdiv64-negative', 'mov %r0, -7\nsdiv %r0, 2\nexit', u64(-3))
case('smod64-negative-dividend', 'mov %r0, -7\nsmod %r0, 2\nexit', u64(-1))
case('smod64-negative-divisor', 'mov %r0, 7\nsmod %r0, -2\nexit', 1)
case('sdiv32-negative', 'mov32 %r0, -7\nsdiv32 %r0, 2\nexit', u32(-3))
case('smod32-negative', 'mov32 %r0, -7\nsmod32 %r0, 3\nexit', u32(-1))
case('div64-imm-sign-extended', f'{lddw("r0", M64)}\ndiv %r0, -1\nexit', 1)
# the ALU64 MOD immediate is sign-extended too: 0x80000000 is 0xffffffff80000000, above the dividend
case('mod64-imm-sign-extended', f'{lddw("r0", 0x1_0000_0000)}\nmod %r0, 0x80000000\nexit', alu64('mod', 0x1_0000_0000, sx32(0x80000000)))
case('div32-high-bits-ignored', f'{lddw("r0", 0x5_00000064)}\n{lddw("r1", 0x7_0000000a)}\ndiv32 %r0, %r1\nexit', 10)
case('mod64-large', f'{lddw("r0", M64)}\n{lddw("r1", 0x1_0000_0000)}\nmod %r0, %r1\nexit', M64 % 0x100000000)
case('div64-unsigned', 'mov %r0, -1\ndiv %r0, 2\nexit', M64 // 2)

# ---- shifts --------------------------------------------------------------------------------------
case('lsh64-masked', 'mov %r0, 1\nmov %r1, 65\nlsh %r0, %r1\nexit', 2)
case('rsh64-masked', f'{lddw("r0", INT64_MIN)}\nmov %r1, 127\nrsh %r0, %r1\nexit', 1)
case('lsh32-masked', 'mov %r0, 1\nmov %r1, 33\nlsh32 %r0, %r1\nexit', 2)
case('rsh32-clears-high', f'{lddw("r0", M64)}\nrsh32 %r0, 4\nexit', 0x0fffffff)
case('arsh64-negative', 'mov %r0, -16\narsh %r0, 2\nexit', u64(-4))
case('arsh32-negative', 'mov32 %r0, 0x80000000\narsh32 %r0, 4\nexit', 0xf8000000)
case('arsh32-reg-masked', 'mov32 %r0, 0x80000000\nmov %r1, 36\narsh32 %r0, %r1\nexit', 0xf8000000)
case('arsh64-reg-masked', f'{lddw("r0", INT64_MIN)}\nmov %r1, 67\narsh %r0, %r1\nexit', u64(s64(INT64_MIN) >> 3))

# ---- movsx (v4) -----------------------------------------------------------------------------------
for bits in (8, 16, 32):
    val = 0x12345680_8180ff80 if bits != 32 else 0x12345678_87654321
    sx = {8: s8, 16: s16, 32: s32}[bits]
    case(f'movsx{bits}64', f'{lddw("r1", val)}\nmovsx{bits}64 %r0, %r1\nexit', u64(sx(val)))
    if bits != 32:
        case(f'movsx{bits}32', f'{lddw("r1", val)}\nmovsx{bits}32 %r0, %r1\nexit', u32(sx(val)))

# ---- byte swaps -----------------------------------------------------------------------------------
V = 0x0123456789abcdef
for bits in (16, 32, 64):
    case(f'be{bits}', f'{lddw("r0", V)}\nbe{bits} %r0\nexit', bswap(V, bits))
    case(f'le{bits}', f'{lddw("r0", V)}\nle{bits} %r0\nexit', le(V, bits))
    case(f'bswap{bits}', f'{lddw("r0", V)}\nbswap{bits} %r0\nexit', bswap(V, bits))

# ---- LD_IMM64 -------------------------------------------------------------------------------------
case('lddw-full', 'lddw %r0, 0xfedcba9876543210\nexit', 0xfedcba9876543210)
case('lddw-low-negative', 'lddw %r0, 0x80000000\nexit', 0x80000000)
case('lddw-high-only', 'lddw %r0, 0x100000000\nexit', 0x100000000)
case('lddw-negative-decimal', 'lddw %r0, -2\nexit', u64(-2))

# ---- loads and stores -----------------------------------------------------------------------------
MEM = bytes([0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x11, 0x22, 0x33, 0x44, 0x7f, 0xff, 0xfe, 0x80])
memhex = ' '.join(f'{b:02x}' for b in MEM)
def rd(off, n, signed=False):
    v = int.from_bytes(MEM[off:off + n], 'little')
    if signed: v = u64({1: s8, 2: s16, 4: s32}[n](v))
    return v
for n, sfx in ((1, 'b'), (2, 'h'), (4, 'w'), (8, 'dw')):
    case(f'ldx{sfx}', f'ldx{sfx} %r0, [%r1+3]\nexit', rd(3, n), mem=memhex)
    case(f'ldx{sfx}-unaligned-high', f'mov %r2, %r1\nadd %r2, 8\nldx{sfx} %r0, [%r2-1]\nexit', rd(7, n), mem=memhex)
    if n != 8:
        case(f'ldxs{sfx}', f'ldxs{sfx} %r0, [%r1+{8 - n}]\nexit', rd(8 - n, n, True), mem=memhex)
        case(f'ldxs{sfx}-positive', f'ldxs{sfx} %r0, [%r1+8]\nexit', rd(8, n, True), mem=memhex)
    val = 0x1122334455667788
    # 16 bytes of 0xff at r10-16; store n bytes at r10-15; read back the dword at r10-16
    region = bytearray(b'\xff' * 16)
    region[1:1 + n] = val.to_bytes(8, 'little')[:n]
    case(f'stx{sfx}', f'{lddw("r0", M64)}\nstxdw [%r10-16], %r0\nstxdw [%r10-8], %r0\n{lddw("r2", val)}\nstx{sfx} [%r10-15], %r2\nldxdw %r0, [%r10-16]\nexit',
         int.from_bytes(region[0:8], 'little'))
    case(f'st{sfx}', f'{lddw("r0", M64)}\nstxdw [%r10-8], %r0\nst{sfx} [%r10-8], -2\nldxdw %r0, [%r10-8]\nexit',
         int.from_bytes(u64(-2).to_bytes(8, 'little')[:n] + b'\xff' * (8 - n), 'little'))
case('mem-len', 'mov %r0, %r2\nexit', len(MEM), mem=memhex)
case('store-to-mem-then-load', 'stw [%r1+4], 0x12345678\nldxdw %r0, [%r1]\nexit',
     int.from_bytes(MEM[0:4] + bytes([0x78, 0x56, 0x34, 0x12]), 'little'), mem=memhex)
case('stack-is-512-bytes', f'{lddw("r1", 0x55)}\nstxdw [%r10-512], %r1\nldxdw %r0, [%r10-512]\nexit', 0x55)
# (error texts for these three name arena addresses: `*`, see the note under "invalid programs")
case('load-out-of-bounds', 'ldxw %r0, [%r1+14]\nexit', mem=memhex, error='*')
case('stack-overflow-store', 'stxdw [%r10-520], %r1\nmov %r0, 0\nexit', error='*')
case('store-above-frame', 'stxb [%r10], %r1\nmov %r0, 0\nexit', error='*')

# ---- jumps: every condition, JMP and JMP32, immediate and register, taken and not taken ---------
# Each case checks two comparisons whose outcomes differ between the 64-bit and 32-bit views and
# between the signed and unsigned orders, and encodes the two outcomes as bits of r0.
PAIRS = [
    (0xffffffff_fffffffe, 1),            # -2 vs 1: unsigned large, signed small
    (0x00000001_00000005, 5),            # equal low halves, different high halves
    (0x7fffffff_80000000, 0x7fffffff),   # low half negative as s32
]
conds = ['jeq', 'jne', 'jgt', 'jge', 'jlt', 'jle', 'jset', 'jsgt', 'jsge', 'jslt', 'jsle']
for op in conds:
    for bits in (64, 32):
        sfx = '32' if bits == 32 else ''
        for kind in ('imm', 'reg'):
            lines = ['mov %r0, 0']
            expect = 0
            for i, (a, b) in enumerate(PAIRS):
                lines.append(lddw('r1', a))
                if kind == 'imm':
                    lines.append(f'{op}{sfx} %r1, {s32(b)}, +1')
                    taken = cond(op, a, sx32(b), bits)
                else:
                    lines.append(lddw('r2', b))
                    lines.append(f'{op}{sfx} %r1, %r2, +1')
                    taken = cond(op, a, b, bits)
                lines.append(f'or %r0, {1 << i}')   # skipped when taken
                if not taken: expect |= 1 << i
            lines.append('exit')
            case(f'{op}{sfx}-{kind}', '\n'.join(lines), expect)

case('ja-forward', 'mov %r0, 1\nja +1\nmov %r0, 2\nexit', 1)
case('ja-label', 'mov %r0, 1\nja skip\nmov %r0, 2\nskip:\nexit', 1)
case('ja-backward-loop', 'mov %r0, 0\nmov %r1, 10\nloop:\nadd %r0, 3\nsub %r1, 1\njne %r1, 0, loop\nexit', 30)
case('ja32-gotol', 'mov %r0, 1\nja32 +1\nmov %r0, 2\nexit', 1)
# 0: r0=0  1: r1=5  2: ja32 ->5  3: r0+=100  4: exit  5: r0+=1  6: r1-=1  7: jne ->5  8: ja32 -> 3
case('ja32-backward', 'mov %r0, 0\nmov %r1, 5\nja32 +2\nadd %r0, 100\nexit\nadd %r0, 1\nsub %r1, 1\njne %r1, 0, -3\nja32 -6', 5 + 100)
case('jeq-imm-sign-extended', f'{lddw("r1", M64)}\nmov %r0, 1\njeq %r1, -1, +1\nmov %r0, 2\nexit', 1)
# A 32-bit result compared by a 64-bit jump against an immediate with bit 31 set: the immediate is
# sign-extended (RFC 9669 4.3), so 0x00000000ffffffff != 0xffffffff as imm. Seven stored upstream
# files (six in tests/rfc9669, and rfc9669_movsx.data) expect the opposite (docs/asm.md); the host
# kernel agrees with this model.
case('jne-imm-bit31-vs-zero-extended-32', 'mov32 %r1, 0xffffffff\nmov %r0, 1\njne %r1, 0xffffffff, +1\nmov %r0, 2\nexit',
     1 if u32(0xffffffff) != sx32(0xffffffff) else 2)
case('jne32-imm-bit31', 'mov32 %r1, 0xffffffff\nmov %r0, 1\njne32 %r1, 0xffffffff, +1\nmov %r0, 2\nexit',
     1 if u32(0xffffffff) != u32(0xffffffff) else 2)
case('jgt32-imm-unsigned', 'mov32 %r1, -1\nmov %r0, 1\njgt32 %r1, 5, +1\nmov %r0, 2\nexit', 1)
case('exit-not-last', 'mov %r0, 7\nexit\nmov %r0, 8\nexit', 7)
case('jump-out-of-program', 'ja +5\nexit', error='insn 0: jump target 6 out of range [0, 2)')
case('no-exit', 'mov %r0, 1', error='main pc 1 (opcode 0x00): fell off the end of the program (no exit)')

# ---- calls --------------------------------------------------------------------------------------
case('call-local', 'mov %r1, 0x42\ncall local func1\nexit\nfunc1:\nmov %r0, %r1\nexit', 0x42)
case('call-local-preserves-r6-r9', '\n'.join([
    'mov %r6, 6', 'mov %r7, 7', 'mov %r8, 8', 'mov %r9, 9', 'call local clobber',
    'mov %r0, %r6', 'lsh %r0, 8', 'or %r0, %r7', 'lsh %r0, 8', 'or %r0, %r8', 'lsh %r0, 8', 'or %r0, %r9', 'exit',
    'clobber:', 'mov %r6, 0', 'mov %r7, 0', 'mov %r8, 0', 'mov %r9, 0', 'mov %r0, 0', 'exit']), 0x06070809)
case('call-local-own-stack', '\n'.join([
    'mov %r1, 11', 'stxdw [%r10-8], %r1', 'call local f', 'ldxdw %r0, [%r10-8]', 'exit',
    'f:', 'mov %r1, 22', 'stxdw [%r10-8], %r1', 'mov %r0, 0', 'exit']), 11)
case('call-local-nested', '\n'.join([
    'mov %r1, 1', 'call local a', 'exit',
    'a:', 'add %r1, 10', 'call local b', 'add %r0, 1000', 'exit',
    'b:', 'add %r1, 100', 'mov %r0, %r1', 'exit']), 1111)
case('call-local-recursion', '\n'.join([
    'mov %r1, 5', 'call local fact', 'exit',
    'fact:', 'mov %r0, 1', 'jeq %r1, 0, +5', 'mov %r6, %r1', 'sub %r1, 1', 'call local fact', 'mul %r0, %r6', 'exit', 'exit']), 120)
case('call-depth-exceeded', '\n'.join(['call local f', 'exit', 'f:', 'call local f', 'exit']), error='main pc 2 (opcode 0x85): call depth exceeds 8 frames')
case('call-helper-gather-bytes', 'mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 0x105\ncall 0\nexit', 0x0102030405)
case('call-helper-sqrti', 'mov %r1, 1000000\ncall 3\nexit', 1000)
case('call-helper-memfrob', 'mov %r6, %r1\nmov %r2, 4\ncall 1\nldxw %r0, [%r6]\nexit',
     int.from_bytes(bytes(b ^ 42 for b in MEM[:4]), 'little'), mem=memhex)
case('call-helper-strcmp-equal', 'mov %r2, %r1\nadd %r2, 4\ncall 4\nexit', 0, mem='61 62 63 00 61 62 63 00')
case('call-helper-strcmp-less', 'mov %r2, %r1\nadd %r2, 4\ncall 4\narsh %r0, 63\nexit', M64, mem='61 62 61 00 61 62 63 00')
case('call-unwind-continues', 'mov %r1, 9\ncall 5\nadd %r0, 1\nexit', 10)
case('call-unwind-stops', 'mov %r0, 77\nmov %r1, 0\ncall 5\nmov %r0, 55\nexit', 0)
case('callx-helper-id', 'mov %r1, -1\nmov %r2, 5\ncall %r2\nmov %r0, 2\nexit', 2)
case('callx-mnemonic', 'mov %r1, 2\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\nmov %r7, 0\ncallx %r7\nexit', 0x0202030405)
case('call-helper-clobbers-nothing-preserved', 'mov %r6, 3\nmov %r1, 16\ncall 3\nadd %r0, %r6\nexit', 7)
case('call-unknown-helper', 'call 99\nexit', error='*')  # message contains '#', which the .data format strips as a comment

# ---- atomics, 32 and 64 bit, with and without fetch ---------------------------------------------
AOPS = {'add': lambda a, b: a + b, 'or': lambda a, b: a | b, 'and': lambda a, b: a & b, 'xor': lambda a, b: a ^ b}
MV = 0x0f0f0f0f_f0f0f0f0
SV = 0x11111111_33333333
for op, fn in AOPS.items():
    # 64-bit: memory result combined with fetched old value
    case(f'lock-{op}64', f'{lddw("r1", MV)}\nstxdw [%r10-8], %r1\n{lddw("r2", SV)}\nlock {op} [%r10-8], %r2\nldxdw %r0, [%r10-8]\nexit', u64(fn(MV, SV)))
    case(f'lock-fetch-{op}64', f'{lddw("r1", MV)}\nstxdw [%r10-8], %r1\n{lddw("r2", SV)}\nlock fetch {op} [%r10-8], %r2\nldxdw %r0, [%r10-8]\nxor %r0, %r2\nexit',
         u64(fn(MV, SV)) ^ MV)
    case(f'lock-{op}32', f'{lddw("r1", MV)}\nstxdw [%r10-8], %r1\n{lddw("r2", SV)}\nlock {op}32 [%r10-8], %r2\nldxdw %r0, [%r10-8]\nexit',
         (MV & ~M32) | u32(fn(u32(MV), u32(SV))))
    # fetch32 zero-extends the old value into the source register
    case(f'lock-fetch-{op}32', f'{lddw("r1", MV)}\nstxdw [%r10-8], %r1\n{lddw("r2", SV)}\nlock fetch {op}32 [%r10-8], %r2\nmov %r0, %r2\nexit', u32(MV))
    case(f'lock-fetch-{op}32-memory', f'{lddw("r1", MV)}\nstxdw [%r10-8], %r1\n{lddw("r2", SV)}\nlock fetch {op}32 [%r10-8], %r2\nldxdw %r0, [%r10-8]\nexit',
         (MV & ~M32) | u32(fn(u32(MV), u32(SV))))
case('lock-xchg64', f'{lddw("r1", MV)}\nstxdw [%r10-8], %r1\n{lddw("r2", SV)}\nlock xchg [%r10-8], %r2\nldxdw %r0, [%r10-8]\nxor %r0, %r2\nexit', SV ^ MV)
case('lock-xchg32', f'{lddw("r1", MV)}\nstxdw [%r10-8], %r1\n{lddw("r2", SV)}\nlock xchg32 [%r10-8], %r2\nldxdw %r0, [%r10-8]\nadd %r0, %r2\nexit',
     u64(((MV & ~M32) | u32(SV)) + u32(MV)))
case('lock-cmpxchg64-success', f'{lddw("r1", MV)}\nstxdw [%r10-8], %r1\n{lddw("r0", MV)}\n{lddw("r2", SV)}\nlock cmpxchg [%r10-8], %r2\nldxdw %r3, [%r10-8]\nxor %r0, %r3\nexit', MV ^ SV)
case('lock-cmpxchg64-failure', f'{lddw("r1", MV)}\nstxdw [%r10-8], %r1\nmov %r0, 1\n{lddw("r2", SV)}\nlock cmpxchg [%r10-8], %r2\nldxdw %r3, [%r10-8]\nxor %r0, %r3\nexit', 0)
case('lock-cmpxchg32-success', f'{lddw("r1", MV)}\nstxdw [%r10-8], %r1\n{lddw("r0", 0xabcdef00_00000000 | u32(MV))}\n{lddw("r2", SV)}\nlock cmpxchg32 [%r10-8], %r2\nldxdw %r3, [%r10-8]\nadd %r0, %r3\nexit',
     u64(u32(MV) + ((MV & ~M32) | u32(SV))))
case('lock-cmpxchg32-failure', f'{lddw("r1", MV)}\nstxdw [%r10-8], %r1\n{lddw("r0", 0xffffffff_00000001)}\n{lddw("r2", SV)}\nlock cmpxchg32 [%r10-8], %r2\nldxdw %r3, [%r10-8]\nsub %r3, %r0\nmov %r0, %r3\nexit',
     u64(MV - u32(MV)))
case('lock-add64-mem-buffer', 'mov %r2, 5\nlock add [%r1+8], %r2\nldxdw %r0, [%r1+8]\nexit', u64(rd(8, 8) + 5), mem=memhex)

# ---- legacy packet loads (the `packet` group): the memory is the packet, loads are big-endian, an
# out-of-bounds load ends the program with r0 = 0 (kernel semantics, DESIGN section 4) -------------
def be_rd(off, n): return int.from_bytes(MEM[off:off + n], 'big')
case('ldabsb', 'ldabsb 3\nexit', be_rd(3, 1), mem=memhex)
case('ldabsh', 'ldabsh 3\nexit', be_rd(3, 2), mem=memhex)
case('ldabsw', 'ldabsw 12\nexit', be_rd(12, 4), mem=memhex)
case('ldindb', 'mov %r6, 5\nldindb %r6, 2\nexit', be_rd(7, 1), mem=memhex)
case('ldindh', 'mov %r6, 10\nldindh %r6, -2\nexit', be_rd(8, 2), mem=memhex)
case('ldindw', 'mov %r6, 1\nldindw %r6, 1\nexit', be_rd(2, 4), mem=memhex)
case('ldabsw-out-of-bounds-ends-with-zero', 'mov %r0, 5\nldabsw 14\nmov %r0, 99\nexit', 0, mem=memhex)
case('ldindb-negative-ends-with-zero', 'mov %r6, 0\nldindb %r6, -1\nmov %r0, 99\nexit', 0, mem=memhex)

# ---- invalid programs ---------------------------------------------------------------------------
# Error texts are ebpfvm's own messages; `*` means "any error" (used where the message names arena
# addresses, which depend on the allocator's layout). The real runner compares text exactly.
case('invalid-opcode', '', error='insn 1: unknown ALU operation (opcode 0xff)', note='raw')  # replaced below by a raw section
case('invalid-register', 'mov %r11, 1\nexit', error='insn 0: invalid destination register r11 (opcode 0xb7)')

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data')
os.makedirs(here, exist_ok=True)
for f in os.listdir(here):
    if f.endswith('.data'): os.remove(os.path.join(here, f))
for name, (asm, result, mem, error, note) in sorted(CASES.items()):
    out = ['# ebpfvm conformance-style case; expected values from test/conformance/make_cases.py']
    if note == 'raw':
        out += ['-- raw', '0x00000001000000b7', '0x00000000000000ff', '0x0000000000000095']
    else:
        out += ['-- asm', asm]
    if mem is not None: out += ['-- mem', mem]
    if error is not None:
        out += ['-- error', error]
    else:
        out += ['-- result', hex(result)]
    with open(os.path.join(here, name + '.data'), 'w') as fh:
        fh.write('\n'.join(out) + '\n')
print(f'wrote {len(CASES)} cases to {here}')
