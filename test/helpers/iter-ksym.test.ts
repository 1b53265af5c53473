// The ksym iterator (test/progs/helpers/h_iter_ksym.c): every function of the built-in kernel's
// text (src/btf/kallsyms.ts) in address order, each a struct kallsym_iter as the kernel fills it
// for a core symbol (type 'T', no module, the value shown, pos_mod_end 0). Both engines, verified
// and not.
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load } from '../../src/loader/load.js';
import { openObject } from '../../src/loader/open.js';
import { verifyProgram } from '../../src/verify.js';
import { runIterator } from '../../src/iter.js';
import { kernelFuncs } from '../../src/btf/kallsyms.js';
import { objBytes } from '../loader/helpers.js';

describe('iter/ksym', () => {
  const want = kernelFuncs().map((f, i) => `${i} 0x${f.addr.toString(16)} T ${f.name} [] 0\n`).join('');
  for (const engine of ['compiled', 'interpreter'] as const) {
    for (const verify of [true, false]) {
      it(`lists the kernel's functions by address (${engine}${verify ? ', verified' : ''})`, () => {
        const obj = load(new Runtime({ engine }), openObject(objBytes('helpers/h_iter_ksym'), { name: 'h_iter_ksym' }));
        if (verify) expect(verifyProgram(obj, 'ksyms').accepted).toBe(true);
        const r = runIterator(obj, 'ksyms', { verified: verify });
        expect(new TextDecoder().decode(r.output)).toBe(want);
        expect(r.objects).toBe(kernelFuncs().length);
      });
    }
  }
});

describe('iter/bpf_link, task_file, task_vma, netlink, ipv6_route: nothing to iterate', () => {
  for (const prog of ['links', 'files', 'vmas', 'netlinks', 'routes']) {
    for (const engine of ['compiled', 'interpreter'] as const) {
      it(`${prog}: verified, then only the final call (${engine})`, () => {
        const obj = load(new Runtime({ engine }), openObject(objBytes('helpers/h_iter_empty'), { name: 'h_iter_empty' }));
        expect(verifyProgram(obj, prog).accepted).toBe(true);
        const r = runIterator(obj, prog, { verified: true });
        expect(new TextDecoder().decode(r.output)).toBe('end\n');
        expect(r).toMatchObject({ objects: 0, calls: 1 });
      });
    }
  }
});
