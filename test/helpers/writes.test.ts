// Issue 11, "one checked write path": no helper writes where a program's own store could not.
// Every helper argument the kernel's prototype marks as written through is tried against every
// read-only and write-protected target (frozen .rodata, a BPF_F_RDONLY_PROG map value, rb_node
// links, the rbtree map's lock, a hash value's bpf_spin_lock word): no byte may change, and the
// call must fail with a VmFault or an errno. Then the lock helpers' own rules (hole 3), rbtree
// allocation bounds (hole 6) and probe_read's zero size.
import { describe, expect, it } from 'vitest';
import { VmFault } from '../../src/errors.js';
import { Runtime } from '../../src/runtime.js';
import { RbtreeMap } from '../../maps/rbtree.js';
import { MapType } from '../../maps/types.js';
import { helperByName } from '../../helpers/table.js';
import { HELPERS, RODATA_BYTE, callHelper, check, hostileWorld, isWritablePointer, plausibleArgs, snapshot, type Reg } from './hostile.js';

const byName = (n: string) => helperByName(n)!;
const MAX_ERRNO = 4095n;

describe('helpers that take a writable pointer, handed read-only or protected memory', () => {
  const cases = HELPERS.flatMap((h) => h.proto.args.flatMap((arg, i) => (isWritablePointer(arg) ? [{ h, i }] : [])));

  it('the prototypes name the helpers that write through a pointer (the table is not empty by accident)', () => {
    const names = new Set(cases.map((c) => c.h.name));
    for (const n of ['probe_read', 'probe_read_kernel_str', 'get_current_comm', 'snprintf', 'strtol', 'strtoul', 'skb_load_bytes', 'skb_load_bytes_relative', 'get_stack', 'map_pop_elem', 'map_peek_elem', 'spin_lock', 'spin_unlock', 'rbtree_lock', 'rbtree_add', 'ringbuf_submit']) {
      expect(names, n).toContain(n);
    }
  });

  for (const { h, i } of cases) {
    it(`${h.name}: argument ${i + 1} (${h.proto.args[i]!.type})`, () => {
      const w = hostileWorld();
      for (const t of w.targets) {
        for (const addr of [t.addr]) {
          const regs: Reg[] = plausibleArgs(w, h);
          regs[i] = BigInt(addr);
          const before = snapshot(w);
          const out = callHelper(w, h, regs);
          expect(check(w, before, regs), `${h.name} on ${t.name}`).toEqual([]);
          if (out.kind === 'ok') {
            // Not a fault: then the helper must have refused with an errno or NULL.
            const failed = out.r0 === 0n || (out.r0 < 0n && out.r0 >= -MAX_ERRNO);
            expect(failed, `${h.name} on ${t.name} returned ${out.r0}`).toBe(true);
          } else expect(out.fault).toBeInstanceOf(VmFault);
        }
      }
      expect(w.rt.arena.u8[w.targets[0]!.addr]).toBe(RODATA_BYTE);
    });
  }
});

describe('bpf_spin_lock and the rbtree lock helpers take only a lock (hole 3)', () => {
  const run = (w: ReturnType<typeof hostileWorld>, name: string, addr: number) => callHelper(w, byName(name), [BigInt(addr)]);
  const faultText = (o: ReturnType<typeof callHelper>) => (o.kind === 'fault' ? o.fault.message : `returned ${o.kind === 'ok' ? o.r0 : ''}`);

  it('a frozen .rodata constant stays 7: lock and unlock fault naming the address and what it is', () => {
    const w = hostileWorld();
    const ro = w.targets[0]!.addr;
    for (const name of ['spin_lock', 'spin_unlock', 'rbtree_lock', 'rbtree_unlock']) {
      const o = run(w, name, ro);
      expect(faultText(o)).toMatch(new RegExp(`0x${ro.toString(16)} is not .*offset 0 of map '.rodata'`));
      expect(w.rt.arena.u8[ro]).toBe(RODATA_BYTE);
    }
  });

  it("bpf_spin_lock refuses the rbtree map's lock (protected, never written); rbtree_lock refuses a map value's lock", () => {
    const w = hostileWorld();
    const treeLock = (w.maps.tree.map as RbtreeMap).lockAddr;
    const valueLock = w.targets[2]!.addr;
    const before = snapshot(w);
    expect(faultText(run(w, 'spin_lock', treeLock))).toMatch(/is not the bpf_spin_lock of a map value.*it is the lock of map 'tree'/);
    expect(faultText(run(w, 'rbtree_lock', valueLock))).toMatch(/is not an rbtree map's lock.*it is the lock of map 'locked'/);
    expect(check(w, before, [])).toEqual([]);
  });

  it('any word of a locked value but the BTF-declared one, and words of maps without a lock, fault', () => {
    const w = hostileWorld();
    const value = w.targets[2]!.addr;
    for (const addr of [value + 4, value + 8, value + 2, w.writable, w.nodes[0]!, w.nodes[0]! + 24]) {
      for (const name of ['spin_lock', 'rbtree_lock']) expect(run(w, name, addr).kind, `${name} 0x${addr.toString(16)}`).toBe('fault');
    }
  });

  it('the real locks still work, and a run that ends holding one releases it and its word', () => {
    const w = hostileWorld();
    const value = w.targets[2]!.addr;
    // spin_lock without unlock: the run faults, the word is 0 again and the lock can be taken again.
    expect(faultText(run(w, 'spin_lock', value))).toMatch(/exited holding 1 lock/);
    expect(w.rt.arena.dv.getUint32(value, true)).toBe(0);
    expect(faultText(run(w, 'spin_lock', value))).toMatch(/exited holding 1 lock/);
    expect(faultText(run(w, 'rbtree_lock', (w.maps.tree.map as RbtreeMap).lockAddr))).toMatch(/exited holding 1 lock/);
  });

  it('locks in array values: only the declared offset of an element', () => {
    const rt = new Runtime();
    const m = rt.createMap({ name: 'alock', type: MapType.ARRAY, keySize: 4, valueSize: 12, maxEntries: 3, flags: 0, spinLockOffset: 4 });
    const base = rt.mapValueAddress(m.id, 0, 0)!;
    expect(m.map.spinLockAt!(base + 4)).toBe(true);
    expect(m.map.spinLockAt!(base + 16 + 4)).toBe(true);
    expect(m.map.spinLockAt!(base + 2 * 16 + 4)).toBe(true);
    for (const a of [base, base + 8, base + 16, base + 3 * 16 + 4, base - 12]) expect(m.map.spinLockAt!(a)).toBe(false);
  });
});

describe('bounded allocations (hole 6)', () => {
  it('bpf_rbtree_alloc_node above 4 MiB (KMALLOC_MAX_SIZE) is NULL and allocates nothing; 4 MiB itself works', () => {
    const w = hostileWorld();
    const tree = w.maps.tree;
    const alloc = byName('rbtree_alloc_node');
    const size = w.rt.arena.size;
    for (const n of [900n << 20n, (4n << 20n) + 1n, 0xffffffffn]) {
      const o = callHelper(w, alloc, [tree.handle, n]);
      expect(o).toEqual({ kind: 'ok', r0: 0n });
    }
    expect(w.rt.arena.size).toBe(size);
    expect((tree.map as RbtreeMap).nodesAlive).toBe(3);
    expect((tree.map as RbtreeMap).allocNode(4 << 20)).not.toBe(0);
  });
});

describe('bpf_probe_read* with size 0 (the kernel returns 0 wherever dst points)', () => {
  for (const name of ['probe_read', 'probe_read_kernel', 'probe_read_user', 'probe_read_str', 'probe_read_kernel_str', 'probe_read_user_str']) {
    it(name, () => {
      const w = hostileWorld();
      const beyond = BigInt(w.rt.arena.size + (1 << 20));
      for (const dst of [beyond, 0n, 0xfffffff0n, BigInt(w.targets[0]!.addr)]) {
        expect(callHelper(w, byName(name), [dst, 0n, BigInt(w.writable)])).toEqual({ kind: 'ok', r0: 0n });
      }
      // A non-zero size still faults on such a destination.
      expect(callHelper(w, byName(name), [beyond, 8n, BigInt(w.writable)]).kind).toBe('fault');
    });
  }
});
