// Every helper this group implements, with the Linux id (include/uapi/linux/bpf.h) and gpl_only flag
// (kernel/bpf/helpers.c, net/core/filter.c). A typo in an id would call the wrong helper.
import { describe, expect, it } from 'vitest';
import { helperById } from '../../helpers/table.js';

const EXPECTED: [number, string, boolean][] = [
  [1, 'map_lookup_elem', false], [2, 'map_update_elem', false], [3, 'map_delete_elem', false],
  [5, 'ktime_get_ns', false], [6, 'trace_printk', true], [7, 'get_prandom_u32', false],
  [8, 'get_smp_processor_id', false], [14, 'get_current_pid_tgid', false], [15, 'get_current_uid_gid', false],
  [16, 'get_current_comm', false], [26, 'skb_load_bytes', false], [28, 'csum_diff', false],
  [42, 'get_numa_node_id', false], [68, 'skb_load_bytes_relative', false], [93, 'spin_lock', false],
  [94, 'spin_unlock', false], [105, 'strtol', false], [106, 'strtoul', false], [118, 'jiffies64', false], [120, 'get_ns_current_pid_tgid', false],
  [125, 'ktime_get_boot_ns', false], [160, 'ktime_get_coarse_ns', false], [164, 'for_each_map_elem', false],
  [165, 'snprintf', true], [177, 'trace_vprintk', true], [181, 'loop', false], [182, 'strncmp', false],
  // networking (net/core/filter.c)
  [21, 'skb_set_tunnel_key', false], [31, 'skb_change_proto', false], [40, 'csum_update', false],
  [69, 'fib_lookup', true], [79, 'skb_cgroup_id', false], [83, 'skb_ancestor_cgroup_id', false],
  [100, 'tcp_check_syncookie', true], [110, 'tcp_gen_syncookie', true], [124, 'sk_assign', false],
  [128, 'sk_cgroup_id', false], [129, 'sk_ancestor_cgroup_id', false], [137, 'skc_to_tcp_sock', false],
  [139, 'skc_to_tcp_request_sock', false], [189, 'xdp_load_bytes', false], [190, 'xdp_store_bytes', false],
  [192, 'skb_set_tstamp', false], [46, 'get_socket_cookie', false], [122, 'get_netns_cookie', false],
  // iterators (kernel/trace/bpf_trace.c)
  [126, 'seq_printf', true], [127, 'seq_write', true], [150, 'seq_printf_btf', true],
  // tunnel metadata, IPsec state, per-CPU lookup, the TAI clock (net/core/filter.c, kernel/bpf/helpers.c)
  [20, 'skb_get_tunnel_key', false], [29, 'skb_get_tunnel_opt', false], [30, 'skb_set_tunnel_opt', false],
  [66, 'skb_get_xfrm_state', false], [195, 'map_lookup_percpu_elem', false], [208, 'ktime_get_tai_ns', false],
];

describe('helper ids and gpl_only', () => {
  for (const [id, name, gpl] of EXPECTED) {
    it(`${name} is #${id}${gpl ? ', gpl_only' : ''}`, () => {
      const h = helperById(id);
      expect(h?.name).toBe(name);
      expect(h?.gplOnly).toBe(gpl);
      expect(h!.proto.args.length).toBeLessThanOrEqual(5);
    });
  }
});

describe('docs/helpers.md lists every helper of these groups', () => {
  it('with its id', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/helpers.md', import.meta.url), 'utf8');
    for (const [id, name] of EXPECTED) expect(doc, `bpf_${name}`).toContain(`| ${id} | \`bpf_${name}\` |`);
  });
});
