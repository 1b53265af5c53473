// Every entry of the Linux helper table follows the frozen prototype vocabulary (DESIGN section 5),
// so the verifier and the VM can read it without special cases. The vocabulary lists here are
// written out independently of helpers/types.ts on purpose.
import { describe, expect, it } from 'vitest';
import { LINUX_HELPERS, helperById, helperByName } from '../../helpers/table.js';
import { ProgType } from '../../vm/prog-types.js';

const ARG_TYPES = new Set([
  'ARG_DONTCARE', 'ARG_ANYTHING', 'ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY', 'ARG_PTR_TO_MAP_VALUE', 'ARG_PTR_TO_MEM',
  'ARG_CONST_SIZE', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_CONST_ALLOC_SIZE_OR_ZERO', 'ARG_PTR_TO_CTX', 'ARG_PTR_TO_STACK',
  'ARG_PTR_TO_CONST_STR', 'ARG_PTR_TO_SPIN_LOCK', 'ARG_PTR_TO_FUNC', 'ARG_PTR_TO_BTF_ID', 'ARG_PTR_TO_PERCPU_BTF_ID',
  'ARG_PTR_TO_BTF_ID_SOCK_COMMON', 'ARG_PTR_TO_SOCKET', 'ARG_PTR_TO_SOCK_COMMON', 'ARG_PTR_TO_LONG', 'ARG_PTR_TO_INT',
  'ARG_PTR_TO_TIMER', 'ARG_PTR_TO_KPTR', 'ARG_PTR_TO_DYNPTR', 'ARG_PTR_TO_RINGBUF_MEM', 'ARG_PTR_TO_ALLOC_MEM',
]);
const ARG_FLAGS = new Set(['PTR_MAYBE_NULL', 'MEM_RDONLY', 'MEM_UNINIT', 'MEM_FIXED_SIZE', 'MEM_ALIGNED', 'OBJ_RELEASE', 'PTR_ITER', 'PTR_ITER_END', 'MEM_ALLOC']);
const RET_TYPES = new Set([
  'RET_INTEGER', 'RET_VOID', 'RET_PTR_TO_MAP_VALUE', 'RET_PTR_TO_SOCKET', 'RET_PTR_TO_TCP_SOCK', 'RET_PTR_TO_SOCK_COMMON',
  'RET_PTR_TO_MEM', 'RET_PTR_TO_MEM_OR_BTF_ID', 'RET_PTR_TO_BTF_ID', 'RET_PTR_TO_DYNPTR_MEM', 'RET_PTR_TO_ALLOC_MEM',
]);
const RET_FLAGS = new Set(['PTR_MAYBE_NULL', 'MEM_RDONLY', 'ACQUIRE', 'CONDITIONAL_RELEASE', 'NON_OWNING', 'PTR_ITER', 'PTR_ITER_END', 'PTR_TRUSTED']);
// Arguments that point at memory whose length the next argument gives.
const MEM_ARGS = new Set(['ARG_PTR_TO_MEM', 'ARG_PTR_TO_ALLOC_MEM', 'ARG_PTR_TO_RINGBUF_MEM', 'ARG_PTR_TO_STACK']);
const SIZE_ARGS = new Set(['ARG_CONST_SIZE', 'ARG_CONST_SIZE_OR_ZERO']);
const PROG_TYPES = new Set<number>(Object.values(ProgType));

describe('the Linux helper table', () => {
  it('ids and names are unique; lookups agree with the table', () => {
    const ids = new Set<number>();
    const names = new Set<string>();
    for (const h of LINUX_HELPERS) {
      expect(ids.has(h.id), `duplicate id ${h.id}`).toBe(false);
      expect(names.has(h.name), `duplicate name ${h.name}`).toBe(false);
      ids.add(h.id);
      names.add(h.name);
      expect(helperById(h.id)).toBe(h);
      expect(helperByName(h.name)).toBe(h);
      expect(helperByName(`bpf_${h.name}`)).toBe(h);
    }
    expect(helperById(0)).toBeUndefined();
  });

  for (const h of LINUX_HELPERS) {
    it(`${h.name}#${h.id} follows the prototype vocabulary`, () => {
      expect(Number.isInteger(h.id) && h.id > 0).toBe(true);
      // mainline froze ids at 211; the RFC rbtree helpers are 212-223 (DESIGN section 7)
      expect(h.id <= 223, `id ${h.id} beyond the known ranges`).toBe(true);
      expect(h.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(h.name.startsWith('bpf_')).toBe(false);
      expect(typeof h.impl).toBe('function');
      expect(typeof h.gplOnly).toBe('boolean');
      if (h.progTypes !== 'all') {
        expect(h.progTypes.length).toBeGreaterThan(0);
        for (const t of h.progTypes) expect(PROG_TYPES.has(t), `prog type ${t}`).toBe(true);
      }
      const { args, ret } = h.proto;
      expect(args.length).toBeLessThanOrEqual(5);
      args.forEach((a, i) => {
        expect(ARG_TYPES.has(a.type), `arg ${i + 1} type ${a.type}`).toBe(true);
        for (const f of a.flags ?? []) expect(ARG_FLAGS.has(f), `arg ${i + 1} flag ${f}`).toBe(true);
        if (SIZE_ARGS.has(a.type)) {
          // a size describes the memory argument right before it
          const prev = args[i - 1];
          expect(prev !== undefined && MEM_ARGS.has(prev.type), `arg ${i + 1} (${a.type}) must follow a memory argument`).toBe(true);
        }
        if (a.type === 'ARG_PTR_TO_MEM' && !(a.flags ?? []).includes('MEM_FIXED_SIZE')) {
          const next = args[i + 1];
          expect(next !== undefined && SIZE_ARGS.has(next.type), `arg ${i + 1} (ARG_PTR_TO_MEM) needs a size argument after it`).toBe(true);
        }
        if ((a.flags ?? []).includes('MEM_FIXED_SIZE')) expect(a.size, `arg ${i + 1}: MEM_FIXED_SIZE needs size`).toBeGreaterThan(0);
        // the kernel's MEM_ALIGNED: alignment to the fixed size (check_ptr_alignment), so a size is needed
        if ((a.flags ?? []).includes('MEM_ALIGNED')) expect((a.flags ?? []).includes('MEM_FIXED_SIZE'), `arg ${i + 1}: MEM_ALIGNED needs MEM_FIXED_SIZE`).toBe(true);
        if (a.type === 'ARG_PTR_TO_MAP_KEY' || a.type === 'ARG_PTR_TO_MAP_VALUE') {
          expect(args.slice(0, i).some((b) => b.type === 'ARG_CONST_MAP_PTR'), `arg ${i + 1} needs a map argument before it`).toBe(true);
        }
      });
      expect(RET_TYPES.has(ret.type), `ret type ${ret.type}`).toBe(true);
      for (const f of ret.flags ?? []) expect(RET_FLAGS.has(f), `ret flag ${f}`).toBe(true);
      const rflags = ret.flags ?? [];
      if (rflags.includes('ACQUIRE') || rflags.includes('NON_OWNING') || rflags.includes('PTR_MAYBE_NULL')) {
        expect(ret.type.startsWith('RET_PTR'), 'pointer flags on a non-pointer return').toBe(true);
      }
      if (rflags.includes('CONDITIONAL_RELEASE')) {
        expect(args.some((a) => (a.flags ?? []).includes('OBJ_RELEASE')), 'CONDITIONAL_RELEASE needs an OBJ_RELEASE argument').toBe(true);
      }
      expect(args.filter((a) => (a.flags ?? []).includes('OBJ_RELEASE')).length).toBeLessThanOrEqual(1);
      for (const k of Object.keys(h.proto.callbackRet ?? {})) {
        // keyed by the 1-based argument number, like HelperCall's ArgIndex
        expect(args[Number(k) - 1]?.type, `callbackRet key ${k} must name a function argument`).toBe('ARG_PTR_TO_FUNC');
      }
    });
  }
});
