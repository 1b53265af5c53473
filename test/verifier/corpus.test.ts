// Every program of test/progs/*.o and examples/*.o gets the host kernel's verdict from ebpfvm's
// verifier: accepted where the kernel accepts, rejected with the kernel's error line where it
// rejects. The kernel's verdicts are recorded in test/fixtures/verifier-corpus.json
// (scripts/record-verifier-corpus.mjs). Programs the kernel cannot load at all (RFC rbtree maps
// and helpers, attach targets the host lacks) must verify here, except the ones listed below with
// the reason they are refused.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime, UnsupportedError, VerifierError, load, openObject, objectNameFromPath, type LoadedObject } from '../../src/index.js';
import { verifyProgram } from '../../src/verify.js';

const ROOT = join(import.meta.dirname, '../..');
interface Verdict {
  loaded: boolean;
  errno: number;
  error: string;
}
const FIXTURE = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/verifier-corpus.json'), 'utf8')) as { kernel: string; programs: Record<string, Record<string, Verdict> | { openError: number }> };

/** Where ebpfvm's verdict differs from the host kernel's on purpose, or the kernel cannot say. */
const EXPECTED_REJECT: Record<string, { error: string; why: string }> = {};
const benchRbtree = 'these rbtree benchmarks pass node pointers through a modified ctx pointer and run unverified; the kernel refuses the same access (checked on a copy without the rbtree helpers)';
for (const [prog, reg, off] of [['loop', 1, 8200], ['alloc', 9, 8200], ['add', 9, 8200], ['find', 1, 8192], ['remove', 9, 8200], ['free_nodes', 9, 8200], ['lock_unlock', 6, 8]] as const) {
  EXPECTED_REJECT[`test/progs/bench_rbtree.o:${prog}`] = { error: `dereference of modified ctx ptr R${reg} off=${off} disallowed`, why: benchRbtree };
}
// off_skb_len/mark/protocol resolve since the built-in BTF lays the kernel's sk_buff over __sk_buff.
const builtinCore = "CO-RE against ebpfvm's built-in kernel BTF poisons these relocations (the host's BTF has the fields), and the poisoned call is reached";
for (const prog of ['sz_skb_cb', 'off_mm_map_count', 'enum_sid', 'enum_tgid']) {
  EXPECTED_REJECT[`test/progs/core_kernel.o:${prog}`] = { error: 'invalid func unknown#195896080', why: builtinCore };
}
EXPECTED_REJECT['test/progs/ld_core.o:core'] = { error: 'invalid func unknown#195896080', why: 'libbpf refuses the unresolvable relocation before loading; ebpfvm poisons it as libbpf does for optional ones, and the verifier refuses the reached poison' };
const sleepable = 'syscall programs are sleepable, and the kernel refuses this map type in them with the same line (checked on the host with a copy libbpf 1.1 can load)';
EXPECTED_REJECT['test/progs/ld_maps_btf.o:use_maps'] = { error: 'Sleepable programs can only use array, hash, ringbuf and local storage maps', why: sleepable };
const abuse = 'rbtree misuse programs for the run-time checks (run unverified)';
EXPECTED_REJECT['test/progs/rbtree_abuse.o:double_add'] = { error: 'R2 type=ptr_cond_rel_ expected=ptr_', why: `${abuse}: the node goes to a second add before the first add's result is NULL-checked` };
EXPECTED_REJECT['test/progs/rbtree_abuse.o:free_linked'] = { error: 'R2 type=ptr_cond_rel_ expected=ptr_', why: `${abuse}: free_node of the node before add's result is NULL-checked` };
EXPECTED_REJECT['test/progs/rbtree_abuse.o:remove_unlinked'] = { error: 'rbtree_remove node input must be non-owning ref', why: abuse };
EXPECTED_REJECT['test/progs/rbtree_abuse.o:other_map_node'] = { error: "rbtree: R2 is a node of map 'other' but rbtree_add is called on map 'rbtree'", why: abuse };
EXPECTED_REJECT['test/progs/rbtree_abuse.o:write_lock_word'] = { error: 'bpf_spin_lock cannot be accessed directly by load/store', why: `${abuse}: bpf_rbtree_get_lock's result is the tree's lock word, not a value to store into` };
EXPECTED_REJECT['test/progs/rbtree_abuse.o:overwrite_rb_node'] = { error: 'only read is supported', why: abuse };
EXPECTED_REJECT['test/progs/tr_rbtree_map.o:rb_tree__add_wrong_type'] = { error: 'rbtree: R2 is of type task_struct but node_data is expected', why: "the RFC's wrong-node-type selftest, rejected with the RFC's own message" };
EXPECTED_REJECT['test/progs/run_trace.o:fe_ptr'] = { error: "R1 invalid mem access 'scalar'", why: "fentry on a target the built-in BTF lacks, declared without BTF for its arguments: the kernel cannot attach it either" };
const tamper = 'ring buffer header tampering for the run-time checks (run unverified); the kernel refuses negative offsets into a record the same way';
for (const [prog, pc] of [['tamper_1m', 12], ['tamper_huge', 12], ['tamper_pgoff', 8], ['overrun', 9]] as const) {
  void pc;
  EXPECTED_REJECT[`test/progs/x_ringbuf_tamper.o:${prog}`] = { error: 'R0 min value is outside of the allowed memory range', why: tamper };
}

/** Load one program of an object alone (program selection, as the kernel's test loader does):
 *  the loaded object, or the loader's load-time refusal (a VerifierError: map/helper and
 *  map/program-type compatibility, which the kernel also reports before abstract interpretation),
 *  or undefined when the loader refuses the object for another reason (objects that test the
 *  loader's refusals). */
function loadProgram(object: string, prog: string): LoadedObject | VerifierError | undefined {
  try {
    const path = join(ROOT, object);
    return load(new Runtime(), openObject(new Uint8Array(readFileSync(path)), { name: objectNameFromPath(path) }), { programs: [prog] });
  } catch (e) {
    return e instanceof VerifierError ? e : undefined;
  }
}

describe(`verifier corpus against the host kernel (${FIXTURE.kernel})`, () => {
  const objects = Object.entries(FIXTURE.programs).filter((e): e is [string, Record<string, Verdict>] => !('openError' in e[1]));
  let checked = 0;
  for (const [object, progs] of objects) {
    it(object, () => {
      for (const [prog, kernel] of Object.entries(progs)) {
        const loaded = loadProgram(object, prog);
        if (!loaded) continue;
        const key = `${object}:${prog}`;
        let ours: string;
        if (loaded instanceof VerifierError) ours = `reject: ${loaded.log.trim().split('\n').filter((l) => !l.startsWith('processed ')).join('\n')}`;
        else {
          try {
            const r = verifyProgram(loaded, prog);
            ours = r.accepted ? 'accept' : `reject: ${r.error}`;
          } catch (e) {
            // Refused before verification, as the kernel refuses a struct_ops program of a type
            // it does not have (libbpf: ENOENT, ENOTSUPP): allowed only where the kernel could
            // not load the program either.
            if (!(e instanceof UnsupportedError) || kernel.loaded || kernel.error !== '') throw e;
            checked++;
            continue;
          }
        }
        const expected = EXPECTED_REJECT[key];
        checked++;
        if (expected) expect(ours, `${key} (${expected.why})`).toBe(`reject: ${expected.error}`);
        else if (kernel.loaded || kernel.error === '') expect(ours, `${key}: the kernel ${kernel.loaded ? 'accepts it' : 'cannot load it for reasons outside the verifier'}`).toBe('accept');
        // 6.18 prints some error lines without their newline, so the recorded line runs into the
        // closing `processed N insns ...` line; the error is what comes before it.
        else expect(ours, key).toBe(`reject: ${kernel.error.replace(/processed \d+ insns \(limit.*$/, '')}`);
      }
    }, 60_000);
  }
  it('checked most of the corpus', () => {
    expect(checked).toBeGreaterThan(150);
  });
});
