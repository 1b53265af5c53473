// Loads, stores and atomics: every size at every alignment, sign-extending loads, region bounds and
// flags, the stack, the kernel view with PROBE_MEM, handles and wrapped pointers, legacy packet loads.
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { VmFault } from '../../src/errors.js';
import { MemFlag } from '../../vm/memory.js';
import { MapType } from '../../maps/types.js';
import { B, DW, H, I, W, atomic, callLocal, exit, ld, lddw, ldx, ldxsx, mov64, movr, prog, st, stx } from './enc.js';

const SIZES = [[B, 1], [H, 2], [W, 4], [DW, 8]] as const;

function setup(len = 64, flags = MemFlag.READ | MemFlag.WRITE) {
  const rt = new Runtime();
  const mem = rt.arena.allocRegion(len, flags, 'input', 'mem');
  const bytes = new Uint8Array(len).map((_, i) => (i * 37 + 11) & 0xff);
  rt.arena.write(mem, bytes);
  return { rt, mem, bytes };
}

/** Little-endian unsigned value of bytes[o..o+n), computed byte by byte. */
const le = (b: Uint8Array, o: number, n: number): bigint => {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[o + i]!);
  return v;
};

function faultOf(fn: () => unknown): VmFault {
  try {
    fn();
  } catch (e) {
    if (e instanceof VmFault) return e;
    throw e;
  }
  throw new Error('expected a VmFault');
}

describe('loads and stores', () => {
  it('loads every size at every alignment (little-endian)', () => {
    const { rt, mem, bytes } = setup();
    for (const [size, n] of SIZES) {
      for (let off = 0; off < 16; off++) {
        const r = rt.execute(prog([ldx(size, 0, 1, off), exit()]), { args: [mem] }).r0;
        expect(r).toBe(le(bytes, off, n));
      }
    }
  });
  it('sign-extending loads (ldsx) of 1, 2 and 4 bytes', () => {
    const { rt, mem } = setup();
    rt.arena.write(mem, new Uint8Array([0x80, 0xff, 0x7f, 0x80, 0x01, 0x02, 0x03, 0x84]));
    const p = (size: number, off: number) => rt.execute(prog([ldxsx(size, 0, 1, off), exit()]), { args: [mem] }).r0;
    expect(p(B, 0)).toBe(0xffffffffffffff80n);
    expect(p(B, 2)).toBe(0x7fn);
    expect(p(H, 0)).toBe(0xffffffffffffff80n);
    expect(p(H, 1)).toBe(0x7fffn);
    expect(p(H, 2)).toBe(0xffffffffffff807fn);
    expect(p(W, 4)).toBe(0xffffffff84030201n);
    expect(p(W, 3)).toBe(0x03020180n);
  });
  it('stores every size at every alignment, register and immediate', () => {
    for (const [size, n] of SIZES) {
      for (let off = 0; off < 9; off++) {
        const { rt, mem, bytes } = setup();
        const v = 0x8877665544332211n;
        rt.execute(prog([lddw(2, v), stx(size, 1, 2, off), exit()]), { args: [mem] });
        const want = bytes.slice();
        for (let i = 0; i < n; i++) want[off + i] = Number((v >> BigInt(8 * i)) & 0xffn);
        expect(rt.arena.read(mem, 64)).toEqual(want);
        // immediate store: the 32-bit immediate is sign-extended for DW
        rt.execute(prog([st(size, 1, off + 16, -2), exit()]), { args: [mem] });
        const got = le(rt.arena.read(mem, 64), off + 16, n);
        expect(got).toBe(BigInt.asUintN(8 * n, -2n));
      }
    }
  });
  it('a load one byte past the region faults, naming the region', () => {
    const { rt, mem } = setup(64);
    expect(rt.execute(prog([ldx(DW, 0, 1, 56), exit()]), { args: [mem] }).r0).toBeTypeOf('bigint');
    const f = faultOf(() => rt.execute(prog([ldx(DW, 0, 1, 57), exit()]), { args: [mem] }));
    expect(f.reason).toMatch(/read of 8 bytes .* out of bounds of input 'mem'/);
    expect(f.pc).toBe(0);
    expect(f.opcode).toBe(0x79);
    expect(f.registers[1]).toBe(BigInt(mem));
  });
  it('NULL and page 0 are never memory', () => {
    const { rt } = setup();
    expect(faultOf(() => rt.execute(prog([mov64(1, 0), ldx(B, 0, 1, 0), exit()]))).reason).toMatch(/not in any region/);
    expect(faultOf(() => rt.execute(prog([mov64(1, 16), st(W, 1, 0, 1), exit()]))).reason).toMatch(/write of 4 bytes at 0x10: not in any region/);
  });
  it('read-only regions and write-protected bytes refuse stores but allow loads', () => {
    const { rt, mem } = setup(64, MemFlag.READ);
    expect(rt.execute(prog([ldx(W, 0, 1, 0), exit()]), { args: [mem] }).r0).toBeGreaterThan(0n);
    expect(faultOf(() => rt.execute(prog([st(B, 1, 3, 1), exit()]), { args: [mem] })).reason).toMatch(/read-only/);
    const w = setup();
    w.rt.arena.protect(w.mem + 8, 8);
    expect(w.rt.execute(prog([st(DW, 1, 0, 1), st(DW, 1, 16, 1), mov64(0, 7), exit()]), { args: [w.mem] }).r0).toBe(7n);
    expect(faultOf(() => w.rt.execute(prog([st(B, 1, 15, 1), exit()]), { args: [w.mem] })).reason).toMatch(/write-protected/);
    expect(faultOf(() => w.rt.execute(prog([st(DW, 1, 4, 1), exit()]), { args: [w.mem] })).reason).toMatch(/write-protected/);
  });
  it('the stack: 512 bytes below r10, zeroed at entry, nothing at or above r10', () => {
    const rt = new Runtime();
    expect(rt.execute(prog([lddw(1, 0x1122334455667788n), stx(DW, 10, 1, -8), ldx(DW, 0, 10, -8), exit()])).r0).toBe(0x1122334455667788n);
    expect(rt.execute(prog([ldx(DW, 0, 10, -512), exit()])).r0).toBe(0n);
    expect(rt.execute(prog([ldx(DW, 0, 10, -8), exit()])).r0).toBe(0n); // zeroed again on the next run
    expect(faultOf(() => rt.execute(prog([ldx(B, 0, 10, 0), exit()]))).reason).toMatch(/stack/);
    expect(faultOf(() => rt.execute(prog([ldx(B, 0, 10, -513), exit()]))).reason).toMatch(/not in any region|stack/);
  });
  it('a wrapped pointer (r10 - 0x10000000) faults instead of aliasing memory', () => {
    const rt = new Runtime();
    // (r1 goes through a stack slot, so the load-time analysis of r10's copies does not see it:
    // vm/decode.ts's staticFaults, which refuses the same access statically)
    const launder = [stx(DW, 10, 1, -8), ldx(DW, 1, 10, -8)];
    expect(faultOf(() => rt.execute(prog([movr(1, 10), I(0x17, 1, 0, 0, 0x10000000), ldx(DW, 0, 1, 0), exit()]))).reason).toMatch(/^invalid read from stack R1 off=-268435456 size=8/);
    const f = faultOf(() => rt.execute(prog([movr(1, 10), I(0x17, 1, 0, 0, 0x10000000), ...launder, ldx(DW, 0, 1, 0), exit()])));
    expect(f.reason).toMatch(/not arena memory.*wrapped/);
    const g = faultOf(() => rt.execute(prog([movr(1, 10), I(0x17, 1, 0, 0, 0x10000000), ...launder, st(DW, 1, 0, 0), exit()])));
    expect(g.reason).toMatch(/write of 8 bytes at 0xffffffff/);
    // off that wraps the address downwards across 0
    expect(faultOf(() => rt.execute(prog([mov64(1, 4), ldx(W, 0, 1, -8), exit()]))).reason).toMatch(/0xfffffffffffffffc/);
  });
});

describe('handles are not memory', () => {
  it("a load through a map pointer reads the map's kernel struct (6.18's bpf_map / bpf_array layout)", () => {
    const rt = new Runtime();
    const m = rt.createMap({ name: 'counts', type: MapType.ARRAY, keySize: 4, valueSize: 12, maxEntries: 5, flags: 0 });
    const read = (x: ReturnType<typeof ldx>) => rt.execute(prog([lddw(1, BigInt(m.id), 1), x, exit()])).r0;
    expect(read(ldx(W, 0, 1, 64))).toBe(BigInt(MapType.ARRAY)); // map_type
    expect(read(ldx(W, 0, 1, 68))).toBe(4n); // key_size
    expect(read(ldx(W, 0, 1, 72))).toBe(12n); // value_size
    expect(read(ldx(W, 0, 1, 76))).toBe(5n); // max_entries
    expect(read(ldx(W, 0, 1, 92))).toBe(BigInt(m.id)); // id
    expect(read(ldx(DW, 0, 1, 40))).not.toBe(0n); // ops: never NULL
    expect(read(ldx(DW, 0, 1, 136))).toBe(0x73746e756f63n); // name "counts"
    expect(read(ldx(W, 0, 1, 296))).toBe(16n); // bpf_array.elem_size
    expect(read(ldx(W, 0, 1, 300))).toBe(7n); // bpf_array.index_mask
    expect(read(ldx(DW, 0, 1, 0))).toBe(0n); // sha: nothing ebpfvm has
    // past the struct, or stored to: a fault
    expect(faultOf(() => read(ldx(DW, 0, 1, 312))).reason).toMatch(/through a map handle/);
  });
  it('storing through a map handle, or loading through other handles, faults', () => {
    const rt = new Runtime();
    const m = rt.createMap({ name: 'a', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0 });
    expect(faultOf(() => rt.execute(prog([lddw(1, BigInt(m.id), 1), st(B, 1, 0, 0), exit()]))).reason).toMatch(/through a map handle/);
    // a function handle
    expect(faultOf(() => rt.execute(prog([lddw(1, 1n, 4), ldx(B, 0, 1, 0), exit(), exit()]))).reason).toMatch(/function handle/);
  });
});

describe('kernel memory view', () => {
  const KADDR = 0xffff888000001000n;
  it('reads mapped kernel bytes at any alignment; stores fault', () => {
    const rt = new Runtime();
    rt.kmem.map(KADDR, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    expect(rt.execute(prog([lddw(1, KADDR), ldx(DW, 0, 1, 0), exit()])).r0).toBe(0x0807060504030201n);
    expect(rt.execute(prog([lddw(1, KADDR), ldx(W, 0, 1, 3), exit()])).r0).toBe(0x07060504n);
    expect(rt.execute(prog([lddw(1, KADDR), ldxsx(B, 0, 1, 9), exit()])).r0).toBe(10n);
    expect(faultOf(() => rt.execute(prog([lddw(1, KADDR), st(B, 1, 0, 1), exit()]))).reason).toMatch(/kernel memory is read-only/);
    expect(faultOf(() => rt.execute(prog([lddw(1, KADDR), ldx(DW, 0, 1, 4), exit()]))).reason).toMatch(/not mapped kernel memory/);
  });
  it('a page-crossing kernel read', () => {
    const rt = new Runtime();
    rt.kmem.map(0xffff888000001ffcn, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(rt.execute(prog([lddw(1, 0xffff888000001ffcn), ldx(DW, 0, 1, 0), exit()])).r0).toBe(0x0807060504030201n);
  });
  it('PROBE_MEM loads read 0 on a miss (every load, or selected pcs)', () => {
    const rt = new Runtime();
    const p = prog([lddw(1, KADDR), mov64(0, 5), ldx(DW, 0, 1, 0), exit()]);
    expect(rt.execute(p, { probeMem: true }).r0).toBe(0n);
    expect(rt.execute(p, { probeMem: new Set([3]) }).r0).toBe(0n);
    expect(() => rt.execute(p, { probeMem: new Set([4]) })).toThrow(VmFault);
    // a NULL dereference in a PROBE_MEM load also reads 0, as in the kernel
    expect(rt.execute(prog([mov64(1, 0), ldx(W, 0, 1, 8), exit()]), { probeMem: true }).r0).toBe(0n);
    // stores are never probed
    expect(() => rt.execute(prog([lddw(1, KADDR), st(B, 1, 0, 1), exit()]), { probeMem: true })).toThrow(/read-only|not arena/);
  });
});

describe('atomics', () => {
  const A0 = 0x00000000_f0f0f0f0n;
  const cases: [string, number, bigint, bigint, bigint][] = [
    // name, op, memory before, src, memory after (64-bit)
    ['add', 0x00, 0xffffffffffffffffn, 2n, 1n],
    ['or', 0x40, A0, 0x0f0f0f0f_0f0f0f0fn, 0x0f0f0f0f_ffffffffn],
    ['and', 0x50, 0xff00ff00_ff00ff00n, 0x0ff00ff0_0ff00ff0n, 0x0f000f00_0f000f00n],
    ['xor', 0xa0, 0xffff0000_ffff0000n, 0xff00ff00_ff00ff00n, 0x00ffff00_00ffff00n],
  ];
  for (const [name, op, before, src, after] of cases) {
    for (const fetch of [false, true]) {
      it(`${name}${fetch ? ' fetch' : ''} 64 and 32`, () => {
        const { rt, mem } = setup();
        const code = op | (fetch ? 1 : 0);
        const r = rt.execute(prog([lddw(2, before), stx(DW, 1, 2, 8), lddw(2, src), atomic(DW, 1, 2, 8, code), ldx(DW, 0, 1, 8), stx(DW, 1, 2, 0), exit()]), { args: [mem] });
        expect(r.r0).toBe(after);
        expect(le(rt.arena.read(mem, 8), 0, 8)).toBe(fetch ? before : src);
        // 32-bit: operates on the low word only; the fetched value is zero-extended
        const r32 = rt.execute(prog([lddw(2, before), stx(DW, 1, 2, 8), lddw(2, src), atomic(W, 1, 2, 8, code), ldx(DW, 0, 1, 8), stx(DW, 1, 2, 0), exit()]), { args: [mem] });
        const lo = (x: bigint) => x & 0xffffffffn;
        const want32 = (before & 0xffffffff00000000n) | lo(op === 0x00 ? lo(before) + lo(src) : op === 0x40 ? before | src : op === 0x50 ? before & src : before ^ src);
        expect(r32.r0).toBe(want32);
        expect(le(rt.arena.read(mem, 8), 0, 8)).toBe(fetch ? lo(before) : src);
      });
    }
  }
  it('xchg 64/32', () => {
    const { rt, mem } = setup();
    const r = rt.execute(prog([lddw(2, 0x1111111122222222n), stx(DW, 1, 2, 8), lddw(2, 0x3333333344444444n), atomic(DW, 1, 2, 8, 0xe1), ldx(DW, 0, 1, 8), stx(DW, 1, 2, 0), exit()]), { args: [mem] });
    expect(r.r0).toBe(0x3333333344444444n);
    expect(le(rt.arena.read(mem, 8), 0, 8)).toBe(0x1111111122222222n);
    const r32 = rt.execute(prog([lddw(2, 0x1111111122222222n), stx(DW, 1, 2, 8), lddw(2, 0x3333333344444444n), atomic(W, 1, 2, 8, 0xe1), ldx(DW, 0, 1, 8), stx(DW, 1, 2, 0), exit()]), { args: [mem] });
    expect(r32.r0).toBe(0x1111111144444444n);
    expect(le(rt.arena.read(mem, 8), 0, 8)).toBe(0x22222222n);
  });
  it('cmpxchg 64/32: stores only on match, r0 always gets the old value', () => {
    const { rt, mem } = setup();
    const prg = (size: number, r0: bigint) =>
      prog([lddw(2, 0xaaaaaaaa_bbbbbbbbn), stx(DW, 1, 2, 8), lddw(0, r0), lddw(2, 0x12345678_9abcdef0n), atomic(size, 1, 2, 8, 0xf1), stx(DW, 1, 0, 0), ldx(DW, 0, 1, 8), exit()]);
    // match
    expect(rt.execute(prg(DW, 0xaaaaaaaa_bbbbbbbbn), { args: [mem] }).r0).toBe(0x12345678_9abcdef0n);
    expect(le(rt.arena.read(mem, 8), 0, 8)).toBe(0xaaaaaaaa_bbbbbbbbn);
    // mismatch
    expect(rt.execute(prg(DW, 1n), { args: [mem] }).r0).toBe(0xaaaaaaaa_bbbbbbbbn);
    expect(le(rt.arena.read(mem, 8), 0, 8)).toBe(0xaaaaaaaa_bbbbbbbbn);
    // 32-bit compares the low half of r0 only; r0 gets the zero-extended old word
    expect(rt.execute(prg(W, 0xffffffff_bbbbbbbbn), { args: [mem] }).r0).toBe(0xaaaaaaaa_9abcdef0n);
    expect(le(rt.arena.read(mem, 8), 0, 8)).toBe(0xbbbbbbbbn);
    expect(rt.execute(prg(W, 5n), { args: [mem] }).r0).toBe(0xaaaaaaaa_bbbbbbbbn);
  });
  it('atomics on read-only memory or the kernel view fault', () => {
    const { rt, mem } = setup(64, MemFlag.READ);
    expect(faultOf(() => rt.execute(prog([mov64(2, 1), atomic(DW, 1, 2, 0, 0), exit()]), { args: [mem] })).reason).toMatch(/read-only/);
    rt.kmem.map(0xffff888000000000n, new Uint8Array(8));
    expect(faultOf(() => rt.execute(prog([lddw(1, 0xffff888000000000n), mov64(2, 1), atomic(W, 1, 2, 0, 0), exit()]))).reason).toMatch(/kernel memory is read-only/);
  });
});

describe('legacy packet loads (LD_ABS / LD_IND)', () => {
  const pkt = new Uint8Array([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);
  const withPacket = () => {
    const rt = new Runtime();
    const start = rt.arena.allocRegion(pkt.length, MemFlag.READ | MemFlag.WRITE, 'packet', 'pkt');
    rt.arena.write(start, pkt);
    return { rt, packet: { start, end: start + pkt.length } };
  };
  it('big-endian loads from the packet', () => {
    const { rt, packet } = withPacket();
    expect(rt.execute(prog([ld(0x20, 0, 0), exit()]), { packet }).r0).toBe(0x12345678n);
    expect(rt.execute(prog([ld(0x28, 0, 1), exit()]), { packet }).r0).toBe(0x3456n);
    expect(rt.execute(prog([ld(0x30, 0, 7), exit()]), { packet }).r0).toBe(0xf0n);
    expect(rt.execute(prog([ld(0x20, 0, 4), exit()]), { packet }).r0).toBe(0x9abcdef0n);
    expect(rt.execute(prog([mov64(3, 2), ld(0x48, 3, 3), exit()]), { packet }).r0).toBe(0xbcden);
  });
  it('negative offsets: SKF_NET_OFF and SKF_LL_OFF address the network and MAC headers', () => {
    const { rt, packet } = withPacket();
    const hdrs = { ...packet, mac: packet.start, network: packet.start + 2 };
    const NET = -0x100000;
    const LL = -0x200000;
    expect(rt.execute(prog([ld(0x28, 0, NET), exit()]), { packet: hdrs }).r0).toBe(0x5678n);
    expect(rt.execute(prog([ld(0x30, 0, LL + 1), exit()]), { packet: hdrs }).r0).toBe(0x34n);
    expect(rt.execute(prog([mov64(3, 4), ld(0x48, 3, NET), exit()]), { packet: hdrs }).r0).toBe(0xdef0n);
    // without the headers, or before them, or past the end: r0 = 0 and the program ends
    expect(rt.execute(prog([ld(0x28, 0, NET), mov64(0, 7), exit()]), { packet }).r0).toBe(0n);
    expect(rt.execute(prog([ld(0x30, 0, LL - 1), mov64(0, 7), exit()]), { packet: hdrs }).r0).toBe(0n);
    expect(rt.execute(prog([ld(0x20, 0, NET + 5), mov64(0, 7), exit()]), { packet: hdrs }).r0).toBe(0n);
    expect(rt.execute(prog([ld(0x20, 0, -1), mov64(0, 7), exit()]), { packet: hdrs }).r0).toBe(0n);
  });
  it('an out-of-packet load ends the program with r0 = 0', () => {
    const { rt, packet } = withPacket();
    expect(rt.execute(prog([mov64(0, 9), ld(0x20, 0, 5), mov64(0, 7), exit()]), { packet }).r0).toBe(0n);
    expect(rt.execute(prog([mov64(3, -1), ld(0x50, 3, 0), mov64(0, 7), exit()]), { packet }).r0).toBe(0n);
    expect(rt.execute(prog([mov64(3, 1), ld(0x50, 3, 6), mov64(0, 7), exit()]), { packet }).r0).toBe(7n);
  });
  for (const engine of ['interpreter', 'compiled'] as const) {
    it(`in a subprogram, an out-of-packet load returns 0 from it to its caller (${engine})`, () => {
      const rt = new Runtime({ engine });
      const start = rt.arena.allocRegion(pkt.length, MemFlag.READ | MemFlag.WRITE, 'packet', 'pkt');
      const packet = { start, end: start + pkt.length };
      // main: r6 = r1; call sub; r0 += 7; exit.  sub: r0 = skb[off]; r0 = 1; exit.
      const code = (off: number) => prog([movr(6, 1), callLocal(2), I(0x07, 0, 0, 0, 7), exit(), ld(0x20, 0, off), mov64(0, 1), exit()]);
      expect(rt.execute(code(100), { packet }).r0).toBe(7n);
      expect(rt.execute(code(0), { packet }).r0).toBe(8n);
    });
  }
});
