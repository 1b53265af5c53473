// bpf_cast_to_kern_ctx's kernel objects (helpers/kfuncs.ts, src/btf/builtin-netdev.ts, vm/contexts
// KERNEL_SK_BUFF): the host kernel's results for test/progs/kfunc/kf_cast_net.c are diffed in
// test/agreement/kernel-progs-local.test.ts; here the layout facts they rely on.
import { describe, expect, it } from 'vitest';
import { builtinBtf } from '../../src/btf/builtin.js';
import { memberOffset } from '../../src/btf/builtin-kmem.js';
import { XDP_BUFF } from '../../helpers/kfuncs.js';
import { Runtime } from '../../src/runtime.js';
import { load } from '../../src/loader/load.js';
import { openObject } from '../../src/loader/open.js';
import { runLoaded } from '../../src/test-run-api.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROGS } from '../loader/helpers.js';

describe('bpf_cast_to_kern_ctx kernel objects', () => {
  it("the xdp_buff the kfunc writes has the built-in BTF's layout", () => {
    const btf = builtinBtf();
    for (const m of ['data', 'data_end', 'data_meta', 'data_hard_start', 'rxq', 'frame_sz'] as const) expect(memberOffset(btf, 'xdp_buff', m).offset, m).toBe(XDP_BUFF[m]);
    expect(btf.sizeof(btf.find('xdp_buff')[0]!.id)).toBe(XDP_BUFF.size);
  });

  it('xdp and tc programs read the kernel view through it, verified and not, both engines', () => {
    const bytes = new Uint8Array(readFileSync(join(PROGS, 'kfunc', 'kf_cast_net.o')));
    for (const engine of ['compiled', 'interpreter'] as const) {
      for (const verify of [true, false]) {
        const obj = load(new Runtime({ engine }), openObject(bytes));
        // (values: see kf_cast_net.c; the host kernel gives the same)
        expect(runLoaded(obj, 'xdp_buff_dev', { data: new Uint8Array(64) }, { verify }).retval).toBe(10131);
        expect(runLoaded(obj, 'skb_shinfo_read', { data: new Uint8Array(64) }, { verify }).retval).toBe(6415);
      }
    }
  });
});
