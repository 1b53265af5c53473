// The iterator targets ebpfvm models (SEC("iter/<target>")), as the verifier sees their contexts:
// the kernel's bpf_iter_reg tables (ctx_arg_info) and the BTF prototype of bpf_iter_<target>.
// src/iter.ts runs them.
import { BtfKind } from './btf/btf.js';
import { builtinBtf } from './btf/builtin.js';
import { UnsupportedError } from './errors.js';
import type { CtxArg } from '../verifier/env.js';

/** A modelled iterator target: its name, context struct and the verifier's view of each u64
 *  slot of the context. */
export interface IterTarget {
  name: string;
  ctx: string;
  args: readonly CtxArg[];
  /** Attaching needs a map (bpf_iter_link_info.map.map_fd). */
  needsMap: boolean;
  /** Programs verify (the kernel's context), but ebpfvm has no objects of the target to read. */
  verifyOnly?: boolean;
}

const btfArg = (name: string, nullable = false, untrusted = false): CtxArg => {
  const btf = builtinBtf();
  const t = btf.find(name, BtfKind.STRUCT)[0];
  // The nullable objects are the target's ctx_arg_info (btf_ctx_access logs nothing for them).
  return { kind: 'btf', name, size: t ? btf.sizeof(t.id) : 0, ...(nullable ? { nullable } : t ? { typed: { id: t.id, type: `STRUCT '${name}'` } } : {}), ...(untrusted ? { untrusted } : {}) };
};

let targets: Map<string, IterTarget> | undefined;

/** The targets ebpfvm models, by name. */
export function iterTargets(): ReadonlyMap<string, IterTarget> {
  if (!targets) {
    const meta = btfArg('bpf_iter_meta');
    const scalar: CtxArg = { kind: 'scalar', int: true }; // uid_t, int bucket
    targets = new Map(
      [
        { name: 'bpf_map', ctx: 'bpf_iter__bpf_map', args: [meta, btfArg('bpf_map', true)], needsMap: false },
        {
          name: 'bpf_map_elem',
          ctx: 'bpf_iter__bpf_map_elem',
          args: [meta, btfArg('bpf_map'), { kind: 'buf', rdonly: true, nullable: true }, { kind: 'buf', rdonly: false, nullable: true }] as CtxArg[],
          needsMap: true,
        },
        { name: 'task', ctx: 'bpf_iter__task', args: [meta, btfArg('task_struct', true)], needsMap: false },
        // the built-in kernel's functions (src/btf/kallsyms.ts)
        { name: 'ksym', ctx: 'bpf_iter__ksym', args: [meta, btfArg('kallsym_iter', true)], needsMap: false },
        // the runtime has none of these objects: an iteration over nothing (src/iter.ts)
        { name: 'bpf_link', ctx: 'bpf_iter__bpf_link', args: [meta, btfArg('bpf_link', true)], needsMap: false },
        { name: 'task_file', ctx: 'bpf_iter__task_file', args: [meta, btfArg('task_struct', true), scalar, btfArg('file', true)], needsMap: false },
        { name: 'task_vma', ctx: 'bpf_iter__task_vma', args: [meta, btfArg('task_struct', true), btfArg('vm_area_struct', true)], needsMap: false },
        { name: 'netlink', ctx: 'bpf_iter__netlink', args: [meta, btfArg('netlink_sock', true)], needsMap: false },
        { name: 'ipv6_route', ctx: 'bpf_iter__ipv6_route', args: [meta, btfArg('fib6_info', true)], needsMap: false },
        // Verified only: the runtime has no sockets tables or cgroup walk to iterate (src/iter.ts
        // refuses a read naming the target).
        { name: 'tcp', ctx: 'bpf_iter__tcp', args: [meta, btfArg('sock_common', true), scalar], needsMap: false, verifyOnly: true },
        { name: 'udp', ctx: 'bpf_iter__udp', args: [meta, btfArg('udp_sock', true), scalar, scalar], needsMap: false, verifyOnly: true },
        // unix_sk is registered PTR_TO_BTF_ID_OR_NULL without PTR_TRUSTED (the host prints
        // ptr_or_null_unix_sock); tcp's sk_common and udp's udp_sk are trusted.
        { name: 'unix', ctx: 'bpf_iter__unix', args: [meta, btfArg('unix_sock', true, true), scalar], needsMap: false, verifyOnly: true },
        { name: 'cgroup', ctx: 'bpf_iter__cgroup', args: [meta, btfArg('cgroup', true)], needsMap: false, verifyOnly: true },
      ].map((t) => [t.name, t]),
    );
  }
  return targets;
}

/** The iterator target a section names (`iter/bpf_map`, `iter.s/task`), undefined for other
 *  sections; an iterator section whose target ebpfvm does not model is refused, naming it. */
export function iterTarget(section: string): IterTarget | undefined {
  const m = /^iter(?:\.s)?\/(.+)$/.exec(section);
  if (!m) return undefined;
  const t = iterTargets().get(m[1]!);
  if (!t) throw new UnsupportedError(`iterator target ${m[1]} is not modelled by ebpfvm (modelled: ${[...iterTargets().keys()].join(', ')})`);
  return t;
}

