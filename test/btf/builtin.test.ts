// The built-in kernel BTF: built from the program-type table, encodable, parseable, and its
// context structs at the uapi offsets vm/contexts records.
import { describe, expect, it } from 'vitest';
import { builtinBtf, builtinBtfBytes } from '../../src/btf/builtin.js';
import { builtinKernelImages, memberOffset, CURRENT_TASK_ADDR } from '../../src/btf/builtin-kmem.js';
import { parseBtf, BtfKind } from '../../src/btf/btf.js';
import { SK_BUFF, XDP_MD, PT_REGS_X86_64 } from '../../vm/contexts.js';

describe('built-in kernel BTF', () => {
  const btf = builtinBtf();
  it('round-trips through the encoder', () => {
    const again = parseBtf(builtinBtfBytes());
    expect(again.count).toBe(btf.count);
    expect(again.types.map((t) => [t.kind, t.name])).toEqual(btf.types.map((t) => [t.kind, t.name]));
  });
  it('context structs follow vm/contexts', () => {
    for (const l of [SK_BUFF, XDP_MD, PT_REGS_X86_64]) {
      const t = btf.find(l.struct, BtfKind.STRUCT)[0]!;
      expect(t.sizeOrType).toBe(l.size);
      for (const f of l.fields) expect(memberOffset(btf, l.struct, f.name)).toEqual({ offset: f.offset, size: f.size });
    }
  });
  it('has the kernel types programs name', () => {
    for (const n of ['bpf_spin_lock', 'bpf_timer', 'rb_node', 'task_struct', 'cred', 'pt_regs']) expect(btf.find(n, BtfKind.STRUCT)).toHaveLength(1);
    expect(btf.sizeof(btf.find('rb_node', BtfKind.STRUCT)[0]!.id)).toBe(24);
    expect(btf.sizeof(btf.find('bpf_spin_lock', BtfKind.STRUCT)[0]!.id)).toBe(4);
    expect(btf.sizeof(btf.find('bpf_timer', BtfKind.STRUCT)[0]!.id)).toBe(16);
    const f = btf.find('__x64_sys_getpgid', BtfKind.FUNC)[0]!;
    expect(btf.typeName(f.sizeOrType)).toBe('long (*)(const struct pt_regs *)');
    expect(btf.find('bpf_map_lookup_elem', BtfKind.FUNC)).toHaveLength(1);
    expect(btf.find('bpf_get_current_task_btf', BtfKind.FUNC)).toHaveLength(1);
    expect(btf.find('init_task', BtfKind.VAR)).toHaveLength(1);
  });
  it('task image agrees with task_struct', () => {
    const [task] = builtinKernelImages({ pid: 42, tgid: 41, uid: 7, gid: 8, comm: 'worker' }, 2);
    expect(task!.addr).toBe(CURRENT_TASK_ADDR);
    const dv = new DataView(task!.bytes.buffer);
    expect(dv.getInt32(memberOffset(btf, 'task_struct', 'pid').offset, true)).toBe(42);
    expect(dv.getInt32(memberOffset(btf, 'task_struct', 'tgid').offset, true)).toBe(41);
    const c = memberOffset(btf, 'task_struct', 'comm').offset;
    expect(new TextDecoder().decode(task!.bytes.subarray(c, c + 6))).toBe('worker');
  });
});
