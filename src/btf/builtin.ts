// The runtime's own kernel BTF (DESIGN section 6). Outside the kernel, the runtime *is* the kernel
// a program sees, so it carries the types programs name: the context structs of the program-type
// table (vm/contexts, so offsets are written down once), bpf_spin_lock / bpf_timer, rb_node, a
// task_struct subset with the fields the VM fills, x86-64 pt_regs, the uapi enums programs use,
// helper and kfunc prototypes, the kernel functions fentry programs attach to, and typed __ksym
// variables. CO-RE relocates against it (src/btf/core.ts), `btf dump --builtin` exports it as a
// .btf blob, and src/btf/vmlinux-header.ts prints it as vmlinux.h.
//
// The types are declared with C type strings ("struct task_struct *", "const char *") resolved
// by a small builder; structs without explicit offsets get the C ABI layout (natural alignment),
// which is what clang produces for the same declaration in vmlinux.h.
import { BUILTIN_KERNEL_FUNCS } from './kallsyms.js';
import { BtfError } from '../errors.js';
import { BtfKind, IntEnc, Linkage, parseBtf, type Btf, type BtfMember, type BtfType } from './btf.js';
import { encodeBtf } from './builtin-writer.js';
import { declareSocketStructs } from './builtin-net.js';
import { declareIterStructs } from './builtin-iter.js';
import { declareNetdevStructs } from './builtin-netdev.js';
import { declareStructOpsStructs } from './builtin-struct-ops.js';
import { SK_BUFF, XDP_MD, BPF_FLOW_KEYS, SK_LOOKUP, BPF_SOCK, SOCK_ADDR, SOCKOPT, SOCK_OPS, CGROUP_DEV_CTX, SYSCTL, SK_MSG_MD, SK_REUSEPORT_MD, PT_REGS_X86_64, PERF_EVENT_DATA, KERNEL_SK_BUFF, SKB_SHARED_INFO, NF_HOOK_STATE, BPF_NF_CTX, type CtxLayout } from '../../vm/contexts.js';
import { ProgType } from '../../vm/prog-types.js';
import { MapType } from '../../maps/types.js';
import { LINUX_HELPERS } from '../../helpers/table.js';
import { KFUNCS } from '../../helpers/kfuncs.js';
import type { HelperArg, HelperRet } from '../../helpers/types.js';

type Rec = Omit<BtfType, 'id'>;

/** Field row of an auto-laid-out struct: [C type, name, array count?, bitfield bits?]. */
export type Row = [string, string, number?, number?];

export class Builder {
  readonly recs: Rec[] = [];
  private readonly named = new Map<string, number>();
  private readonly tagged = new Map<string, number>(); // "struct foo" -> id (maybe still a placeholder)
  private readonly defined = new Set<number>();
  private readonly size = new Map<number, number>();
  private readonly align = new Map<number, number>();
  private readonly derived = new Map<string, number>(); // "ptr:12", "const:7", "arr:3:16"

  add(r: Rec, size?: number, align?: number): number {
    this.recs.push(r);
    const id = this.recs.length;
    if (size !== undefined) this.size.set(id, size);
    if (align !== undefined) this.align.set(id, align);
    return id;
  }

  int(name: string, size: number, signed: boolean, enc = 0): number {
    const id = this.add({ kind: BtfKind.INT, name, kindFlag: false, vlen: 0, sizeOrType: size, intEncoding: (signed ? IntEnc.SIGNED : 0) | enc, intOffset: 0, intBits: size * 8 }, size, size);
    this.named.set(name, id);
    return id;
  }

  typedef(name: string, ctype: string): number {
    const target = this.ty(ctype);
    const id = this.add({ kind: BtfKind.TYPEDEF, name, kindFlag: false, vlen: 0, sizeOrType: target }, this.sizeOf(target), this.alignOf(target));
    this.named.set(name, id);
    return id;
  }

  sizeOf(id: number): number {
    const s = this.size.get(id);
    if (s === undefined) throw new BtfError(`built-in BTF: size of type ${id} (${this.recs[id - 1]?.name}) is not known yet`, 'builtin');
    return s;
  }
  alignOf(id: number): number {
    return this.align.get(id) ?? 1;
  }

  private derive(key: string, make: () => number): number {
    const known = this.derived.get(key);
    if (known !== undefined) return known;
    const id = make();
    this.derived.set(key, id);
    return id;
  }

  ptr(to: number): number {
    return this.derive(`ptr:${to}`, () => this.add({ kind: BtfKind.PTR, name: '', kindFlag: false, vlen: 0, sizeOrType: to }, 8, 8));
  }
  array(elem: number, n: number): number {
    return this.derive(`arr:${elem}:${n}`, () =>
      this.add({ kind: BtfKind.ARRAY, name: '', kindFlag: false, vlen: 0, sizeOrType: 0, elemType: elem, indexType: this.ty('int'), nelems: n }, this.sizeOf(elem) * n, this.alignOf(elem)),
    );
  }

  /** Id of `struct X` / `union X`, reserving a placeholder until it is defined. */
  /** Whether `struct name` is already in the BTF (defined or referenced). */
  hasStruct(name: string): boolean {
    return this.tagged.has(`struct ${name}`);
  }

  tag(kw: 'struct' | 'union', name: string): number {
    const key = `${kw} ${name}`;
    const known = this.tagged.get(key);
    if (known !== undefined) return known;
    const id = this.add({ kind: kw === 'struct' ? BtfKind.STRUCT : BtfKind.UNION, name, kindFlag: false, vlen: 0, sizeOrType: 0, members: [] });
    this.tagged.set(key, id);
    return id;
  }

  /** Resolve a C type string: base names, typedefs, struct/union/enum tags, const, pointers. */
  ty(c: string): number {
    c = c.trim();
    // A function pointer `R (*)(A, B)`: PTR -> FUNC_PROTO, as the kernel's BTF describes the
    // callback parameters of kfuncs (bpf_rbtree_add_impl's less), which its verifier recognises
    // by that shape.
    const fp = /^(.+?)\s*\(\*\)\s*\((.*)\)$/.exec(c);
    if (fp) {
      const args = fp[2]!.trim() === '' ? [] : fp[2]!.split(',');
      const ret = this.ty(fp[1]!);
      const params = args.map((a) => ({ name: '', type: this.ty(a) }));
      const proto = this.derive(`proto:${ret}:${params.map((p) => p.type).join(',')}`, () => this.add({ kind: BtfKind.FUNC_PROTO, name: '', kindFlag: false, vlen: params.length, sizeOrType: ret, params }));
      return this.ptr(proto);
    }
    if (c.endsWith('*')) return this.ptr(this.ty(c.slice(0, -1)));
    if (c === 'void') return 0;
    if (c.startsWith('const ')) {
      // const of a struct only declared (so far) has no size yet: pointers to it need none.
      const inner = this.ty(c.slice(6));
      return this.derive(`const:${inner}`, () => this.add({ kind: BtfKind.CONST, name: '', kindFlag: false, vlen: 0, sizeOrType: inner }, inner ? this.size.get(inner) : undefined, this.alignOf(inner)));
    }
    const m = /^(struct|union|enum) (\w+)$/.exec(c);
    if (m) {
      if (m[1] === 'enum') {
        const id = this.named.get(`enum ${m[2]}`);
        if (id === undefined) throw new BtfError(`built-in BTF: enum ${m[2]} is not declared`, 'builtin');
        return id;
      }
      return this.tag(m[1] as 'struct' | 'union', m[2]!);
    }
    const id = this.named.get(c);
    if (id === undefined) throw new BtfError(`built-in BTF: unknown C type '${c}'`, 'builtin');
    return id;
  }

  private fill(id: number, size: number, align: number, members: BtfMember[]): void {
    if (this.defined.has(id)) throw new BtfError(`built-in BTF: ${this.recs[id - 1]!.name} defined twice`, 'builtin');
    const r = this.recs[id - 1]!;
    r.members = members;
    r.vlen = members.length;
    r.sizeOrType = size;
    this.size.set(id, size);
    this.align.set(id, align);
    this.defined.add(id);
  }

  /** A struct or union with the C ABI layout of its rows (bitfields packed into their unit). */
  struct(name: string, rows: Row[], opts: { union?: boolean; align?: number; anon?: boolean } = {}): number {
    const id = this.tag(opts.union ? 'union' : 'struct', name);
    // Anonymous structs behind typedefs (atomic_t, kuid_t) keep a builder-only tag.
    if (opts.anon) this.recs[id - 1]!.name = '';
    const members: BtfMember[] = [];
    let bit = 0;
    let maxAlign = opts.align ?? 1;
    let size = 0;
    for (const [ctype, fname, count, bits] of rows) {
      let t = this.ty(ctype);
      if (count !== undefined) t = this.array(t, count);
      const a = this.alignOf(t);
      const sz = this.sizeOf(t);
      maxAlign = Math.max(maxAlign, a);
      if (opts.union) {
        members.push({ name: fname, type: t, bitOffset: 0, bitfieldSize: bits ?? 0 });
        size = Math.max(size, sz);
        continue;
      }
      if (bits) {
        // A bitfield goes into the current storage unit of its type when it fits, else the next.
        const unit = sz * 8;
        if (Math.floor(bit / unit) !== Math.floor((bit + bits - 1) / unit)) bit = Math.ceil(bit / unit) * unit;
        members.push({ name: fname, type: t, bitOffset: bit, bitfieldSize: bits });
        bit += bits;
      } else {
        bit = Math.ceil(bit / (a * 8)) * a * 8;
        members.push({ name: fname, type: t, bitOffset: bit, bitfieldSize: 0 });
        bit += sz * 8;
      }
      size = Math.ceil(bit / 8);
    }
    size = Math.ceil(size / maxAlign) * maxAlign;
    this.fill(id, size, maxAlign, members);
    return id;
  }

  /** A struct with given offsets (the uapi contexts of vm/contexts). */
  layout(l: CtxLayout, align = 8): number {
    const id = this.tag('struct', l.struct);
    const members = l.fields.map((f) => {
      const alts = l.unions?.[f.name];
      if (alts) {
        // an anonymous union of the field and its alternatives (bpf_sock_ops' args/reply/replylong)
        const u = this.struct(`${l.struct}.${f.name}`, [[f.ctype, f.name, f.count > 1 ? f.count : undefined], ...alts.map(([n, c, k]): Row => [c, n, k > 1 ? k : undefined])], { union: true, anon: true });
        return { name: '', type: u, bitOffset: f.offset * 8, bitfieldSize: 0 };
      }
      let t = this.ty(f.ctype);
      if (f.count > 1) t = this.array(t, f.count);
      return { name: f.name, type: t, bitOffset: f.offset * 8, bitfieldSize: l.bitfields?.[f.name] ?? 0 };
    });
    this.fill(id, l.size, align, members);
    return id;
  }

  enumType(name: string, values: [string, number | bigint][], size = 4): number {
    const id = this.add({ kind: BtfKind.ENUM, name, kindFlag: false, vlen: values.length, sizeOrType: size, values: values.map(([n, v]) => ({ name: n, value: BigInt(v) })) }, size, size);
    if (name) this.named.set(`enum ${name}`, id);
    return id;
  }

  func(name: string, ret: string, params: [string, string][], linkage: number = Linkage.GLOBAL): number {
    const proto = this.add({ kind: BtfKind.FUNC_PROTO, name: '', kindFlag: false, vlen: params.length, sizeOrType: this.ty(ret), params: params.map(([c, n]) => ({ name: n, type: this.ty(c) })) });
    return this.add({ kind: BtfKind.FUNC, name, kindFlag: false, vlen: linkage, sizeOrType: proto, linkage });
  }

  /** `typedef void (*name)(void *, params...)`: how the kernel's BTF describes a BTF-enabled
   *  tracepoint (btf_trace_<tp>); tp_btf programs get the params after the leading `void *`. */
  tracepoint(tp: string, params: [string, string][]): number {
    const proto = this.add({ kind: BtfKind.FUNC_PROTO, name: '', kindFlag: false, vlen: params.length + 1, sizeOrType: 0, params: [{ name: '', type: this.ty('void *') }, ...params.map(([c]) => ({ name: '', type: this.ty(c) }))] });
    const ptr = this.ptr(proto);
    const id = this.add({ kind: BtfKind.TYPEDEF, name: `btf_trace_${tp}`, kindFlag: false, vlen: 0, sizeOrType: ptr }, 8, 8);
    this.named.set(`btf_trace_${tp}`, id);
    return id;
  }

  variable(name: string, ctype: string): number {
    return this.add({ kind: BtfKind.VAR, name, kindFlag: false, vlen: 0, sizeOrType: this.ty(ctype), linkage: Linkage.GLOBAL });
  }

  /** Structs referenced but never defined become forward declarations, as in a real vmlinux. */
  finish(): Rec[] {
    for (const [key, id] of this.tagged) {
      if (this.defined.has(id)) continue;
      const r = this.recs[id - 1]!;
      Object.assign(r, { kind: BtfKind.FWD, kindFlag: key.startsWith('union '), vlen: 0, sizeOrType: 0 });
      delete r.members;
    }
    return this.recs;
  }
}

// ---- what the built-in kernel contains ---------------------------------------------------------

// The kernel functions (their prototypes and addresses): src/btf/kallsyms.ts.
export { BUILTIN_KERNEL_FUNCS };

function argCType(a: HelperArg): string {
  switch (a.type) {
    case 'ARG_CONST_MAP_PTR':
      return 'struct bpf_map *';
    case 'ARG_PTR_TO_SPIN_LOCK':
      return 'struct bpf_spin_lock *';
    case 'ARG_PTR_TO_DYNPTR':
      return 'struct bpf_dynptr *';
    case 'ARG_PTR_TO_TIMER':
      return 'struct bpf_timer *';
    case 'ARG_PTR_TO_BTF_ID':
      return a.btfType && a.btfType !== 'rb_node' ? `struct ${a.btfType} *` : 'void *';
    case 'ARG_ANYTHING':
    case 'ARG_CONST_SIZE':
    case 'ARG_CONST_SIZE_OR_ZERO':
    case 'ARG_CONST_ALLOC_SIZE_OR_ZERO':
    case 'ARG_DONTCARE':
      return 'u64';
    default:
      return 'void *';
  }
}
function retCType(r: HelperRet): string {
  if (r.type === 'RET_INTEGER') return 'long';
  if (r.type === 'RET_VOID') return 'void';
  if (r.type === 'RET_PTR_TO_BTF_ID' && r.btfType && r.btfType !== 'rb_node') return `struct ${r.btfType} *`;
  return 'void *';
}

/** uapi enum bpf_map_type without ebpfvm's rbtree (bpf_rbtree.h #defines that one). */
function mapTypeValues(): [string, number][] {
  return Object.entries(MapType)
    .filter(([n]) => n !== 'RBTREE')
    .map(([n, v]) => [`BPF_MAP_TYPE_${n}`, v]);
}

function build(): Rec[] {
  const b = new Builder();
  // Base types, named as the kernel's BTF names them.
  b.int('_Bool', 1, false, IntEnc.BOOL);
  b.int('char', 1, false); // as the kernel's BTF: no encoding bits (the kernel accepts one at most)
  b.int('signed char', 1, true);
  b.int('unsigned char', 1, false);
  b.int('short', 2, true);
  b.int('unsigned short', 2, false);
  b.int('int', 4, true);
  b.int('unsigned int', 4, false);
  b.int('long', 8, true);
  b.int('unsigned long', 8, false);
  b.int('long long', 8, true);
  b.int('unsigned long long', 8, false);
  for (const [n, c] of [
    ['__s8', 'signed char'], ['__u8', 'unsigned char'], ['__s16', 'short'], ['__u16', 'unsigned short'], ['__s32', 'int'], ['__u32', 'unsigned int'],
    ['__s64', 'long long'], ['__u64', 'unsigned long long'], ['s8', '__s8'], ['u8', '__u8'], ['s16', '__s16'], ['u16', '__u16'], ['s32', '__s32'], ['u32', '__u32'],
    ['s64', '__s64'], ['u64', '__u64'], ['__be16', '__u16'], ['__be32', '__u32'], ['__le16', '__u16'], ['__le32', '__u32'], ['__be64', '__u64'], ['__wsum', '__u32'],
    ['bool', '_Bool'], ['__kernel_pid_t', 'int'], ['pid_t', '__kernel_pid_t'], ['__kernel_uid32_t', 'unsigned int'], ['__kernel_gid32_t', 'unsigned int'],
    ['uid_t', '__kernel_uid32_t'], ['gid_t', '__kernel_gid32_t'], ['__kernel_size_t', 'unsigned long'], ['size_t', '__kernel_size_t'],
  ] as const)
    b.typedef(n, c);

  // uapi enums programs use by name.
  b.enumType('bpf_map_type', mapTypeValues());
  b.enumType('bpf_prog_type', Object.entries(ProgType).map(([n, v]) => [`BPF_PROG_TYPE_${n}`, v]));
  b.enumType('', [['BPF_ANY', 0], ['BPF_NOEXIST', 1], ['BPF_EXIST', 2], ['BPF_F_LOCK', 4]]);
  // As a kernel's vmlinux.h: C's false/true come from an anonymous enum (include/linux/stddef.h).
  b.enumType('', [['false', 0], ['true', 1]]);
  b.enumType('xdp_action', [['XDP_ABORTED', 0], ['XDP_DROP', 1], ['XDP_PASS', 2], ['XDP_TX', 3], ['XDP_REDIRECT', 4]]);

  // Atomics and ids the task and cred structs use, with the kernel's wrapper-struct typedefs.
  b.struct('atomic_t', [['int', 'counter']], { anon: true });
  b.typedef('atomic_t', 'struct atomic_t');
  b.struct('refcount_struct', [['atomic_t', 'refs']]);
  b.typedef('refcount_t', 'struct refcount_struct');
  b.struct('kuid_t', [['uid_t', 'val']], { anon: true });
  b.typedef('kuid_t', 'struct kuid_t');
  b.struct('kgid_t', [['gid_t', 'val']], { anon: true });
  b.typedef('kgid_t', 'struct kgid_t');

  // uapi contexts, from the program-type table (one source for offsets).
  b.layout(BPF_FLOW_KEYS);
  b.layout(BPF_SOCK);
  b.layout(SK_BUFF);
  b.layout(XDP_MD);
  b.layout(SK_LOOKUP);
  b.layout(SOCK_ADDR);
  b.layout(SOCKOPT);
  b.layout(SOCK_OPS);
  b.layout(CGROUP_DEV_CTX);
  b.layout(SYSCTL);
  b.layout(SK_MSG_MD);
  b.layout(SK_REUSEPORT_MD);
  b.layout(PT_REGS_X86_64);
  b.typedef('bpf_user_pt_regs_t', 'struct pt_regs');
  b.layout(PERF_EVENT_DATA);
  b.layout(KERNEL_SK_BUFF);
  // skb_shared_info's frags (include/linux/skbuff.h as of 6.18).
  b.typedef('netmem_ref', 'unsigned long');
  b.struct('skb_frag', [['netmem_ref', 'netmem'], ['unsigned int', 'len'], ['unsigned int', 'offset']]);
  b.typedef('skb_frag_t', 'struct skb_frag');
  b.layout(SKB_SHARED_INFO);
  b.layout(NF_HOOK_STATE);
  b.layout(BPF_NF_CTX);

  // BPF objects that live in map values and global data (uapi layouts).
  b.struct('bpf_spin_lock', [['__u32', 'val']], { align: 4 });
  b.struct('bpf_timer', [['__u64', '__opaque', 2]], { align: 8 });
  b.struct('bpf_wq', [['__u64', '__opaque', 2]], { align: 8 });
  b.struct('bpf_rb_root', [['__u64', '__opaque', 2]], { align: 8 });
  b.struct('bpf_rb_node', [['__u64', '__opaque', 4]], { align: 8 });
  b.struct('bpf_list_head', [['__u64', '__opaque', 2]], { align: 8 });
  b.struct('bpf_list_node', [['__u64', '__opaque', 3]], { align: 8 });
  b.struct('bpf_refcount', [['__u32', '__opaque', 1]], { align: 4 });
  // Open-coded iterator states: bpf_iter_num is uapi (linux/bpf.h), bpf_iter_bits kernel/bpf/helpers.c.
  b.struct('bpf_iter_num', [['__u64', '__opaque', 1]], { align: 8 });
  b.struct('bpf_iter_bits', [['__u64', '__opaque', 2]], { align: 8 });
  b.struct('bpf_dynptr', [['__u64', '__opaque', 2]], { align: 8 });
  // The kernel's rb_node (include/linux/rbtree_types.h): what the RFC's map values embed.
  b.struct('rb_node', [['unsigned long', '__rb_parent_color'], ['struct rb_node *', 'rb_right'], ['struct rb_node *', 'rb_left']]);
  b.struct('rb_root', [['struct rb_node *', 'rb_node']]);
  b.struct('list_head', [['struct list_head *', 'next'], ['struct list_head *', 'prev']]);
  b.struct('bpf_fentry_test_t', [['struct bpf_fentry_test_t *', 'a']]);

  // Packet headers programs parse and read with CO-RE (include/uapi/linux/if_ether.h, ip.h,
  // in6.h, ipv6.h, tcp.h, udp.h as of 6.18: tcphdr's AccECN `ae` bit), x86-64 bitfield order. The kernel keeps iphdr's and ipv6hdr's
  // address pairs in anonymous unions (__struct_group); here they are plain members at the same
  // offsets, which CO-RE finds the same way (by name, through anonymous members).
  b.typedef('__sum16', '__u16');
  b.struct('ethhdr', [['unsigned char', 'h_dest', 6], ['unsigned char', 'h_source', 6], ['__be16', 'h_proto']]);
  b.struct('iphdr', [
    ['__u8', 'ihl', undefined, 4], ['__u8', 'version', undefined, 4], ['__u8', 'tos'], ['__be16', 'tot_len'], ['__be16', 'id'], ['__be16', 'frag_off'],
    ['__u8', 'ttl'], ['__u8', 'protocol'], ['__sum16', 'check'], ['__be32', 'saddr'], ['__be32', 'daddr'],
  ]);
  b.struct('in6_addr_u', [['__u8', 'u6_addr8', 16], ['__be16', 'u6_addr16', 8], ['__be32', 'u6_addr32', 4]], { union: true, anon: true });
  b.struct('in6_addr', [['union in6_addr_u', 'in6_u']]);
  b.struct('ipv6hdr', [
    ['__u8', 'priority', undefined, 4], ['__u8', 'version', undefined, 4], ['__u8', 'flow_lbl', 3], ['__be16', 'payload_len'], ['__u8', 'nexthdr'],
    ['__u8', 'hop_limit'], ['struct in6_addr', 'saddr'], ['struct in6_addr', 'daddr'],
  ]);
  b.struct('tcphdr', [
    ['__be16', 'source'], ['__be16', 'dest'], ['__be32', 'seq'], ['__be32', 'ack_seq'],
    ['__u16', 'ae', undefined, 1], ['__u16', 'res1', undefined, 3], ['__u16', 'doff', undefined, 4],
    ...(['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr'] as const).map((n): Row => ['__u16', n, undefined, 1]),
    ['__be16', 'window'], ['__sum16', 'check'], ['__be16', 'urg_ptr'],
  ]);
  b.struct('udphdr', [['__be16', 'source'], ['__be16', 'dest'], ['__be16', 'len'], ['__sum16', 'check']]);


  // Tracing contexts: raw tracepoint arguments (uapi) and the sys_enter/sys_exit tracepoint
  // records (include/trace/events/syscalls.h), after their common trace_entry header.
  b.struct('bpf_raw_tracepoint_args', [['__u64', 'args', 0]]);
  b.struct('trace_entry', [['unsigned short', 'type'], ['unsigned char', 'flags'], ['unsigned char', 'preempt_count'], ['int', 'pid']]);
  b.struct('trace_event_raw_sys_enter', [['struct trace_entry', 'ent'], ['long', 'id'], ['unsigned long', 'args', 6], ['char', '__data', 0]]);
  b.struct('trace_event_raw_sys_exit', [['struct trace_entry', 'ent'], ['long', 'id'], ['long', 'ret'], ['char', '__data', 0]]);
  // The records the ftrace syscall events write (kernel/trace/trace.h), which newer selftests
  // read a sys_enter tracepoint's context as.
  b.struct('syscall_trace_enter', [['struct trace_entry', 'ent'], ['int', 'nr'], ['unsigned long', 'args', 0]]);
  b.struct('syscall_trace_exit', [['struct trace_entry', 'ent'], ['int', 'nr'], ['long', 'ret']]);
  // uapi time types the syscall arguments point at (nanosleep, clock_gettime, ...).
  b.typedef('__kernel_time64_t', 'long long');
  b.struct('__kernel_timespec', [['__kernel_time64_t', 'tv_sec'], ['long long', 'tv_nsec']]);

  // The task the VM runs as, with the fields it can fill (see kernelImages()).
  b.struct('thread_info', [['unsigned long', 'flags'], ['unsigned long', 'syscall_work'], ['u32', 'status'], ['u32', 'cpu']]);
  b.struct('cred', [
    ['atomic_t', 'usage'], ['kuid_t', 'uid'], ['kgid_t', 'gid'], ['kuid_t', 'suid'], ['kgid_t', 'sgid'], ['kuid_t', 'euid'], ['kgid_t', 'egid'],
    ['kuid_t', 'fsuid'], ['kgid_t', 'fsgid'],
  ]);
  // struct cpumask (include/linux/cpumask_types.h): NR_CPUS bits, with x86-64's largest
  // CONFIG_NR_CPUS (8192, the Runtime's limit); kernel code only ever touches the first
  // nr_cpu_ids of them. bpf_cpumask (kernel/bpf/cpumask.c) is what bpf_cpumask_create returns.
  b.struct('cpumask', [['unsigned long', 'bits', 8192 / 64]]);
  b.typedef('cpumask_t', 'struct cpumask');
  b.struct('bpf_cpumask', [['cpumask_t', 'cpumask'], ['refcount_t', 'usage']]);
  b.struct('task_struct', [
    ['struct thread_info', 'thread_info'],
    ['unsigned int', '__state'],
    ['void *', 'stack'],
    ['refcount_t', 'usage'],
    ['unsigned int', 'flags'],
    ['int', 'on_cpu'],
    ['unsigned int', 'cpu'],
    ['int', 'prio'],
    ['int', 'static_prio'],
    ['int', 'normal_prio'],
    ['unsigned int', 'policy'],
    ['int', 'nr_cpus_allowed'],
    ['struct mm_struct *', 'mm'],
    ['struct mm_struct *', 'active_mm'],
    ['int', 'exit_state'],
    ['int', 'exit_code'],
    ['int', 'exit_signal'],
    ['unsigned int', 'in_execve', undefined, 1],
    ['unsigned int', 'in_iowait', undefined, 1],
    ['pid_t', 'pid'],
    ['pid_t', 'tgid'],
    ['struct task_struct *', 'real_parent'],
    ['struct task_struct *', 'parent'],
    ['struct list_head', 'children'],
    ['struct list_head', 'sibling'],
    ['struct task_struct *', 'group_leader'],
    ['u64', 'utime'],
    ['u64', 'stime'],
    ['u64', 'start_time'],
    ['const struct cred *', 'real_cred'],
    ['const struct cred *', 'cred'],
    ['char', 'comm', 16],
    // Appended after comm so the offsets above stay what programs built earlier compiled in.
    ['refcount_t', 'rcu_users'],
    ['struct css_set *', 'cgroups'],
    // pending task_work callbacks: none in the VM's tasks (NULL), as in a newly created task
    ['struct callback_head *', 'task_works'],
    // The CPUs the task may run on: cpus_ptr points at cpus_mask (every possible CPU), and no
    // sched_setaffinity() was made, so user_cpus_ptr is NULL.
    ['const cpumask_t *', 'cpus_ptr'],
    ['cpumask_t *', 'user_cpus_ptr'],
    ['cpumask_t', 'cpus_mask'],
  ]);

  // The cgroup v2 hierarchy of the runtime's task model (src/btf/builtin-kmem.ts): what the
  // cgroup kfuncs return and programs read (kn->id, level, ancestors[], self.id, dfl_cgrp).
  b.struct('kernfs_node', [['atomic_t', 'count'], ['atomic_t', 'active'], ['struct kernfs_node *', 'parent'], ['const char *', 'name'], ['u64', 'id'], ['unsigned short', 'flags'], ['unsigned short', 'mode']]);
  b.struct('cgroup_subsys_state', [['struct cgroup *', 'cgroup'], ['int', 'id'], ['unsigned int', 'flags'], ['u64', 'serial_nr'], ['struct cgroup_subsys_state *', 'parent']]);
  b.struct('cgroup', [
    ['struct cgroup_subsys_state', 'self'],
    ['unsigned long', 'flags'],
    ['int', 'level'],
    ['int', 'max_depth'],
    ['int', 'nr_descendants'],
    ['int', 'nr_dying_descendants'],
    ['int', 'max_descendants'],
    ['int', 'nr_populated_csets'],
    ['struct kernfs_node *', 'kn'],
    ['struct cgroup *', 'old_dom_cgrp'],
    ['struct cgroup *', 'dom_cgrp'],
    ['struct cgroup *', 'ancestors', 0],
  ]);
  b.struct('css_set', [['refcount_t', 'refcount'], ['struct css_set *', 'dom_cset'], ['struct cgroup *', 'dfl_cgrp']]);

  // The kernel's socket structs (sock_common ... tcp6_sock, request and timewait socks) that
  // the skc_to_* casts return and BTF-typed programs read: src/btf/builtin-net.ts.
  declareSocketStructs(b);

  // Iterator programs' seq_file, bpf_iter_meta, bpf_map and contexts: src/btf/builtin-iter.ts.
  declareIterStructs(b);

  // The loopback device behind xdp's kernel context (xdp_buff, rxq, net_device, net).
  declareNetdevStructs(b);

  // struct_ops types (bpf_dummy_ops): src/btf/builtin-struct-ops.ts.
  declareStructOpsStructs(b);

  // net/bpf/test_run.c's kptr test object (bpf_kfunc_call_test_release's argument, the type of
  // `__kptr` fields in the kernel's local_kptr_stash selftest).
  b.struct('prog_test_member1', [['int', 'a']]);
  b.struct('prog_test_member', [['struct prog_test_member1', 'm'], ['int', 'c']]);
  b.struct('prog_test_ref_kfunc', [['int', 'a'], ['int', 'b'], ['struct prog_test_member', 'memb'], ['struct prog_test_ref_kfunc *', 'next'], ['refcount_t', 'cnt']]);

  // The BPF crypto kfuncs' types (kernel/bpf/crypto.c, x86-64 layout): the params a program
  // fills, and the context, opaque to programs (helpers/crypto.ts).
  b.struct('bpf_crypto_params', [['char', 'type', 14], ['u8', 'reserved', 2], ['char', 'algo', 128], ['u8', 'key', 256], ['u32', 'key_len'], ['u32', 'authsize']]);
  b.struct('callback_head', [['struct callback_head *', 'next'], ['void *', 'func']]);
  b.struct('bpf_crypto_ctx', [['const void *', 'type'], ['void *', 'tfm'], ['u32', 'siv_len'], ['struct callback_head', 'rcu'], ['refcount_t', 'usage']]);

  // Helper prototypes (FUNC + FUNC_PROTO), from the helper table.
  // The RFC's rbtree helpers bpf_rbtree_first/remove share their names with mainline kfuncs: the
  // kfunc's FUNC is the one BTF carries (a kfunc call resolves by name; helpers by id need none).
  const helperNames = new Set<string>();
  const kfuncNames = new Set(KFUNCS.map((k) => k.name));
  for (const h of LINUX_HELPERS) {
    const name = `bpf_${h.name}`;
    if (helperNames.has(name) || kfuncNames.has(name)) continue;
    helperNames.add(name);
    // A kernel struct the built-in BTF does not describe (tcp_sock for bpf_skc_to_tcp_sock) is
    // returned as void *: a forward declaration would only add lines to include/vmlinux.h.
    const ret = h.proto.ret.btfType && !b.hasStruct(h.proto.ret.btfType) ? 'void *' : retCType(h.proto.ret);
    b.func(name, ret, h.proto.args.map((a, i) => [argCType(a), `arg${i + 1}`]));
  }
  // Kfunc prototypes, from the kfunc table (declared-only entries too, so programs see the types).
  for (const k of KFUNCS) if (!helperNames.has(k.name)) b.func(k.name, k.ret, k.params.map(([t, n]) => [t, n]));
  for (const f of BUILTIN_KERNEL_FUNCS) b.func(f.name, f.ret, f.params);

  // BTF-enabled tracepoints (tp_btf/<name>), as the kernel declares them.
  b.tracepoint('sys_enter', [['struct pt_regs *', 'regs'], ['long', 'id']]);
  b.tracepoint('sys_exit', [['struct pt_regs *', 'regs'], ['long', 'ret']]);
  b.tracepoint('sched_process_fork', [['struct task_struct *', 'parent'], ['struct task_struct *', 'child']]);
  b.tracepoint('sched_process_exit', [['struct task_struct *', 'p']]);
  b.tracepoint('task_newtask', [['struct task_struct *', 'task'], ['u64', 'clone_flags']]);
  b.tracepoint('cgroup_mkdir', [['struct cgroup *', 'cgrp'], ['const char *', 'path']]);
  // TCP and socket-state tracepoints (include/trace/events/tcp.h, sock.h), whose skb and sock
  // arguments programs hand to the sk_storage helpers.
  b.tracepoint('inet_sock_set_state', [['const struct sock *', 'sk'], ['const int', 'oldstate'], ['const int', 'newstate']]);
  b.tracepoint('tcp_retransmit_synack', [['const struct sock *', 'sk'], ['const struct request_sock *', 'req']]);
  b.tracepoint('tcp_probe', [['struct sock *', 'sk'], ['const struct sk_buff *', 'skb']]);
  b.tracepoint('tcp_bad_csum', [['const struct sk_buff *', 'skb']]);
  b.tracepoint('sched_switch', [['bool', 'preempt'], ['struct task_struct *', 'prev'], ['struct task_struct *', 'next'], ['unsigned int', 'prev_state']]);

  // Typed __ksym variables (kernel/init_task.c, kernel/smp.c).
  b.variable('init_task', 'struct task_struct');
  b.variable('nr_cpu_ids', 'unsigned int');
  return b.finish();
}

let cached: { bytes: Uint8Array; btf: Btf } | undefined;

/** The built-in kernel BTF as a `.btf` blob (what `ebpfvm btf dump --builtin --format raw`
 *  describes and `--format btf` writes). */
export function builtinBtfBytes(): Uint8Array {
  return builtin().bytes;
}

/** The built-in kernel BTF, parsed (shared, treat as read-only). */
export function builtinBtf(): Btf {
  return builtin().btf;
}

function builtin(): { bytes: Uint8Array; btf: Btf } {
  if (!cached) {
    const bytes = encodeBtf(build());
    cached = { bytes, btf: parseBtf(bytes) };
  }
  return cached;
}

/** Kernel functions programs may attach fentry/fexit to: name -> FUNC type id in the built-in BTF. */
export function builtinFunc(btf: Btf, name: string): BtfType | undefined {
  return btf.find(name, BtfKind.FUNC)[0];
}

/** [offset, end) in bytes of a member of a built-in kernel struct, by a dotted path into nested
 *  structs (`icsk_ack.pending`): where the kernel's offsetof/offsetofend would put it in ebpfvm's
 *  layout (the struct_ops write checks, the tcp congestion-control kfuncs). */
export function builtinMemberRange(struct: string, path: string): readonly [number, number] {
  return builtinBtf().memberRange(struct, path, 'built-in BTF');
}

/** The struct_ops member a program implements: member `index` (its expected_attach_type) of the
 *  built-in struct `struct`, as the kernel names it; undefined when there is none. */
export function builtinStructOpsMember(struct: string, index: number): { struct: string; member: string } | undefined {
  const m = builtinBtf().find(struct, BtfKind.STRUCT)[0]?.members?.[index];
  return m ? { struct, member: m.name } : undefined;
}
