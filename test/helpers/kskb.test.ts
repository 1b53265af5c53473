// The kernel's view of a test run's skb (test/progs/helpers/h_kskb.c): the sk_buff fields the
// built-in BTF gained for selftests whose CO-RE relocations failed against it (decap_sanity's
// data/data_len/ip_summed/csum_start, skb->sk of nested_trust_success and
// test_sk_storage_tracing), with the values a linear test-run skb has; `data` follows the packet
// when a helper moves it. Both engines, verified and not.
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load, type LoadedObject } from '../../src/loader/load.js';
import { runLoaded } from '../../src/test-run-api.js';
import { openObject } from '../../src/loader/open.js';
import { bssVars, objBytes } from '../loader/helpers.js';
import { ipv4Udp } from '../run/helpers.js';

const OBJ = objBytes('helpers/h_kskb');

const bss = (obj: LoadedObject) => bssVars(obj, { signed: true });

describe('the kernel sk_buff of a test run', () => {
  for (const engine of ['compiled', 'interpreter'] as const) {
    for (const verify of [true, false]) {
      it(`data, data_len, ip_summed, csum_start and sk, data following a moved packet (${engine}${verify ? ', verified' : ''})`, () => {
        const obj = load(new Runtime({ engine }), openObject(OBJ, { name: 'h_kskb' }));
        const r = runLoaded(obj, 'kskb', { data: ipv4Udp() }, verify ? { verify: true } : {});
        expect(r.retval).toBe(0);
        // NET_SKB_PAD (64) bytes of headroom before the MAC header
        expect(bss(obj)).toMatchObject({ headroom: 64n, data_len: 0n, ip_summed: 0n, csum_start: 0n, has_sk: 1n, data_ok: 1n, data_ok_after: 1n });
      });
      it(`tp_btf: skb->sk of a NULL skb reads NULL, which bpf_sk_storage_get takes (${engine}${verify ? ', verified' : ''})`, () => {
        const obj = load(new Runtime({ engine }), openObject(OBJ, { name: 'h_kskb' }));
        expect(runLoaded(obj, 'bad_csum', { args: [0] }, verify ? { verify: true } : {}).retval).toBe(0);
        expect(bss(obj).stg_null).toBe(1n);
      });
    }
  }
});
