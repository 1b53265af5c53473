// The kernel types of BPF iterator programs in the built-in BTF (src/iter.ts runs them): the
// seq_file they print into, struct bpf_iter_meta, struct bpf_map as map iterators hand it over,
// and the context structs `struct bpf_iter__<target>` of the targets ebpfvm iterates (bpf_map,
// bpf_map_elem, task). Programs compiled against a vmlinux.h reach all of these through CO-RE
// (the context structs are preserve_access_index), so names matter more than offsets; struct
// bpf_map keeps the host's (Linux 6.18) offsets anyway, because a map pointer read through a
// map handle (maps/kernel-struct.ts) and a map pointer from an iterator context read the same
// image. The context structs' pointer members are `__bpf_md_ptr`s in the kernel (an anonymous
// union with a u64); here they are plain pointers at the same offsets, which CO-RE matches by
// name through the union.
import type { CtxField } from '../../vm/contexts.js';
import type { Builder } from './builtin.js';

/** struct kallsym_iter's offsets the ksym iterator fills (src/iter.ts). */
export const KALLSYM_ITER = { pos: 0, value: 32, type: 44, name: 45, showValue: 620, size: 624 } as const;

const f = (name: string, offset: number, ctype: string, size: number, count = 1): CtxField => ({ name, offset, size, elem: size / count, ctype, count });

export function declareIterStructs(b: Builder): void {
  b.typedef('__kernel_loff_t', 'long long');
  b.typedef('loff_t', '__kernel_loff_t');
  // (atomic64_t comes with the socket structs, src/btf/builtin-net.ts, declared before these.)
  // include/linux/seq_file.h (the members before the mutex; programs only pass it on).
  b.struct('seq_file', [['char *', 'buf'], ['size_t', 'size'], ['size_t', 'from'], ['size_t', 'count'], ['size_t', 'pad_until'], ['loff_t', 'index'], ['loff_t', 'read_pos']]);
  b.struct('bpf_iter_meta', [['struct seq_file *', 'seq'], ['u64', 'session_id'], ['u64', 'seq_num']]);
  // include/linux/bpf.h, the host's offsets (maps/kernel-struct.ts writes the image).
  b.layout({
    struct: 'bpf_map',
    size: 296,
    fields: [
      f('inner_map_meta', 48, 'struct bpf_map *', 8),
      f('map_type', 64, 'enum bpf_map_type', 4),
      f('key_size', 68, 'u32', 4),
      f('value_size', 72, 'u32', 4),
      f('max_entries', 76, 'u32', 4),
      f('map_extra', 80, 'u64', 8),
      f('map_flags', 88, 'u32', 4),
      f('id', 92, 'u32', 4),
      f('numa_node', 104, 'int', 4),
      f('btf_key_type_id', 108, 'u32', 4),
      f('btf_value_type_id', 112, 'u32', 4),
      f('name', 136, 'char', 16, 16),
      f('refcnt', 184, 'atomic64_t', 8),
      f('usercnt', 192, 'atomic64_t', 8),
    ],
  });
  // kernel/bpf/arena.c: an arena map's struct, its bpf_map first (programs reach the map's
  // fields through it with CO-RE, as verifier_arena.c does).
  b.struct('bpf_arena', [['struct bpf_map', 'map'], ['u64', 'user_vm_start'], ['u64', 'user_vm_end']]);
  b.struct('bpf_iter__bpf_map', [['struct bpf_iter_meta *', 'meta'], ['struct bpf_map *', 'map']]);
  b.struct('bpf_iter__bpf_map_elem', [['struct bpf_iter_meta *', 'meta'], ['struct bpf_map *', 'map'], ['void *', 'key'], ['void *', 'value']]);
  b.struct('bpf_iter__task', [['struct bpf_iter_meta *', 'meta'], ['struct task_struct *', 'task']]);
  // Targets verified only (src/iter-targets.ts): the socket tables and the cgroup walk.
  // (uid and bucket are __aligned(8) in the kernel's structs)
  const ptr = (name: string, struct: string, offset: number): CtxField => f(name, offset, `struct ${struct} *`, 8);
  b.layout({ struct: 'bpf_iter__tcp', size: 24, fields: [ptr('meta', 'bpf_iter_meta', 0), ptr('sk_common', 'sock_common', 8), f('uid', 16, 'uid_t', 4)] });
  b.layout({ struct: 'bpf_iter__udp', size: 32, fields: [ptr('meta', 'bpf_iter_meta', 0), ptr('udp_sk', 'udp_sock', 8), f('uid', 16, 'uid_t', 4), f('bucket', 24, 'int', 4)] });
  b.layout({ struct: 'bpf_iter__unix', size: 24, fields: [ptr('meta', 'bpf_iter_meta', 0), ptr('unix_sk', 'unix_sock', 8), f('uid', 16, 'uid_t', 4)] });
  b.struct('bpf_iter__cgroup', [['struct bpf_iter_meta *', 'meta'], ['struct cgroup *', 'cgroup']]);
  // kernel/kallsyms.c's iterator over the kernel's symbols (src/btf/kallsyms.ts), the host's layout.
  b.layout({
    struct: 'kallsym_iter',
    size: KALLSYM_ITER.size,
    fields: [
      f('pos', 0, 'loff_t', 8), f('pos_mod_end', 8, 'loff_t', 8), f('pos_ftrace_mod_end', 16, 'loff_t', 8), f('pos_bpf_end', 24, 'loff_t', 8),
      f('value', KALLSYM_ITER.value, 'unsigned long', 8), f('nameoff', 40, 'unsigned int', 4), f('type', KALLSYM_ITER.type, 'char', 1),
      f('name', KALLSYM_ITER.name, 'char', 512, 512), f('module_name', 557, 'char', 56, 56), f('exported', 616, 'int', 4), f('show_value', KALLSYM_ITER.showValue, 'int', 4),
    ],
  });
  b.struct('bpf_iter__ksym', [['struct bpf_iter_meta *', 'meta'], ['struct kallsym_iter *', 'ksym']]);
  // Targets the runtime has no objects of (src/iter.ts: an iteration with none), with the fields
  // the kernel's selftests read: bpf_link (kernel/bpf/syscall.c), task_file and task_vma
  // (kernel/bpf/task_iter.c: the task model has no files or address space), netlink, ipv6_route.
  b.struct('bpf_link', [['atomic64_t', 'refcnt'], ['u32', 'id'], ['int', 'type'], ['const void *', 'ops'], ['void *', 'prog']]);
  b.struct('bpf_iter__bpf_link', [['struct bpf_iter_meta *', 'meta'], ['struct bpf_link *', 'link']]);
  b.struct('file', [['int', 'f_lock'], ['unsigned int', 'f_mode'], ['const void *', 'f_op'], ['void *', 'f_mapping'], ['void *', 'private_data'], ['struct inode *', 'f_inode'], ['unsigned int', 'f_flags']]);
  b.layout({ struct: 'bpf_iter__task_file', size: 32, fields: [ptr('meta', 'bpf_iter_meta', 0), ptr('task', 'task_struct', 8), f('fd', 16, 'u32', 4), ptr('file', 'file', 24)] });
  b.struct('vm_area_struct', [
    ['unsigned long', 'vm_start'], ['unsigned long', 'vm_end'], ['struct mm_struct *', 'vm_mm'], ['unsigned long', 'vm_page_prot'], ['unsigned long', 'vm_flags'],
    ['unsigned int', 'vm_lock_seq'], ['void *', 'anon_vma_chain', 2], ['void *', 'anon_vma'], ['const void *', 'vm_ops'], ['unsigned long', 'vm_pgoff'], ['struct file *', 'vm_file'],
  ]);
  b.struct('bpf_iter__task_vma', [['struct bpf_iter_meta *', 'meta'], ['struct task_struct *', 'task'], ['struct vm_area_struct *', 'vma']]);
  // net/netlink/af_netlink.h (the members before the wait queue): no netlink sockets either.
  b.struct('netlink_sock', [
    ['struct sock', 'sk'], ['unsigned long', 'flags'], ['u32', 'portid'], ['u32', 'dst_portid'], ['u32', 'dst_group'], ['u32', 'subscriptions'], ['u32', 'ngroups'],
    ['unsigned long *', 'groups'], ['unsigned long', 'state'], ['size_t', 'max_recvmsg_len'], ['bool', 'bound'], ['bool', 'cb_running'], ['int', 'dump_done_errno'],
  ]);
  b.struct('bpf_iter__netlink', [['struct bpf_iter_meta *', 'meta'], ['struct netlink_sock *', 'sk']]);
  // IPv6 routes (include/net/ip6_fib.h, nexthop.h), as far as the selftest's /proc format reads
  // them: the runtime has no routing table.
  b.struct('__fib_nh_common_gw', [['__be32', 'ipv4'], ['struct in6_addr', 'ipv6']], { union: true, anon: true });
  b.struct('fib_nh_common', [
    ['struct net_device *', 'nhc_dev'], ['void *', 'nhc_dev_tracker'], ['int', 'nhc_oif'], ['unsigned char', 'nhc_scope'], ['u8', 'nhc_family'], ['u8', 'nhc_gw_family'],
    ['unsigned char', 'nhc_flags'], ['void *', 'nhc_lwtstate'], ['union __fib_nh_common_gw', 'nhc_gw'], ['int', 'nhc_weight'],
  ]);
  b.struct('fib6_nh', [['struct fib_nh_common', 'nh_common']]);
  b.struct('__nh_info_u', [['struct fib_nh_common', 'fib_nhc'], ['struct fib6_nh', 'fib6_nh']], { union: true, anon: true });
  b.struct('nh_info', [['void *', 'unused_hash'], ['u8', 'family'], ['bool', 'reject_nh'], ['bool', 'fdb_nh'], ['union __nh_info_u', '']]);
  b.struct('nexthop', [['void *', 'rb_node', 3], ['void *', 'fi_list', 2], ['void *', 'f6i_list', 2], ['void *', 'fdb_list', 2], ['void *', 'grp_list', 2], ['void *', 'net'], ['u32', 'id'], ['u8', 'protocol'], ['u8', 'nh_flags'], ['bool', 'is_group'], ['refcount_t', 'refcnt'], ['void *', 'rcu', 2], ['struct nh_info *', 'nh_info']]);
  b.struct('rt6key', [['struct in6_addr', 'addr'], ['int', 'plen']]);
  b.struct('fib6_info', [
    ['void *', 'fib6_table'], ['void *', 'fib6_next'], ['void *', 'fib6_node'], ['void *', 'fib6_siblings', 2], ['unsigned int', 'fib6_nsiblings'], ['refcount_t', 'fib6_ref'],
    ['unsigned long', 'expires'], ['void *', 'fib6_metrics'], ['struct rt6key', 'fib6_dst'], ['u32', 'fib6_flags'], ['struct rt6key', 'fib6_src'], ['struct rt6key', 'fib6_prefsrc'],
    ['u32', 'fib6_metric'], ['u8', 'fib6_protocol'], ['u8', 'fib6_type'], ['u8', 'offload'], ['u8', 'trap'], ['struct nexthop *', 'nh'], ['struct fib6_nh', 'fib6_nh', 0],
  ]);
  b.struct('bpf_iter__ipv6_route', [['struct bpf_iter_meta *', 'meta'], ['struct fib6_info *', 'rt']]);
}
