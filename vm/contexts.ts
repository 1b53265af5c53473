// The program-type table: what context each program type receives (layout, readable and
// writable fields) and how a test run builds it. The verifier, the built-in BTF and vm/test-run
// read this one table, so a fact about a context is written down once. (Section name -> program
// type is the loader's job: src/loader/sections.ts follows libbpf's section_defs.)
//
// Offsets follow the uapi headers (include/uapi/linux/bpf.h); test/run/contexts.test.ts checks
// them against the headers compiled by the host compiler. Access rules follow the kernel's
// *_is_valid_access() functions in net/core/filter.c (sk_filter, tc_cls_act, xdp) and
// kernel/bpf/syscall.c (syscall programs).

import { AttachType, ProgType } from './prog-types.js';

const P = ProgType;

// ---- context layouts -------------------------------------------------------------------------

export interface CtxField {
  name: string;
  offset: number;
  /** Size of the whole field in bytes (arrays: all elements). */
  size: number;
  /** Element size for arrays (cb[5], remote_ip6[4]); equal to size otherwise. */
  elem: number;
  /** The kernel exposes a pointer through this 32-bit (or __bpf_md_ptr 64-bit) field. */
  pointer?: boolean;
  /** The uapi C type of one element ('__u32', '__be16', 'struct bpf_sock *', ...), for the
   *  built-in BTF and for printing; `count` elements when the field is an array. */
  ctype: string;
  count: number;
}

export interface CtxLayout {
  struct: string;
  size: number;
  fields: readonly CtxField[];
  /** Anonymous unions of the uapi struct, by the field that stands for the union's bytes here:
   *  the other members' [name, C type, element count] (bpf_sock_ops' args / reply / replylong).
   *  Access rules go by offset, so only the built-in BTF needs them. */
  unions?: Readonly<Record<string, readonly (readonly [string, string, number])[]>>;
  /** Fields the kernel declares as bitfields, by name: their width in bits, from the first bit of
   *  the field's byte (x86-64 order). CO-RE relocations of a bitfield only match a bitfield
   *  (libbpf), so only the built-in BTF needs them; the memory holds the byte. */
  bitfields?: Readonly<Record<string, number>>;
}

const UNSIGNED: Record<number, string> = { 1: '__u8', 2: '__u16', 4: '__u32', 8: '__u64' };

/** A layout from [name, offset, size, element size, pointer] rows; element C types default to the
 *  unsigned type of the element size, `ctypes` names the exceptions. */
function layout(struct: string, size: number, spec: [string, number, number, number?, boolean?][], ctypes: Record<string, string> = {}, unions?: CtxLayout['unions']): CtxLayout {
  const fields = spec.map(([name, offset, sz, elem, pointer]) => {
    const e = elem ?? sz;
    return { name, offset, size: sz, elem: e, ...(pointer ? { pointer } : {}), ctype: ctypes[name] ?? UNSIGNED[e]!, count: sz / e };
  });
  return { struct, size, fields, ...(unions ? { unions } : {}) };
}

/** struct __sk_buff (uapi), 192 bytes. */
export const SK_BUFF = layout('__sk_buff', 192, [
  ['len', 0, 4], ['pkt_type', 4, 4], ['mark', 8, 4], ['queue_mapping', 12, 4], ['protocol', 16, 4],
  ['vlan_present', 20, 4], ['vlan_tci', 24, 4], ['vlan_proto', 28, 4], ['priority', 32, 4],
  ['ingress_ifindex', 36, 4], ['ifindex', 40, 4], ['tc_index', 44, 4], ['cb', 48, 20, 4], ['hash', 68, 4],
  ['tc_classid', 72, 4], ['data', 76, 4, 4, true], ['data_end', 80, 4, 4, true], ['napi_id', 84, 4],
  ['family', 88, 4], ['remote_ip4', 92, 4], ['local_ip4', 96, 4], ['remote_ip6', 100, 16, 4],
  ['local_ip6', 116, 16, 4], ['remote_port', 132, 4], ['local_port', 136, 4], ['data_meta', 140, 4, 4, true],
  ['flow_keys', 144, 8, 8, true], ['tstamp', 152, 8], ['wire_len', 160, 4], ['gso_segs', 164, 4],
  ['sk', 168, 8, 8, true], ['gso_size', 176, 4], ['tstamp_type', 180, 1], ['hwtstamp', 184, 8],
], { flow_keys: 'struct bpf_flow_keys *', sk: 'struct bpf_sock *' });

/** struct xdp_md (uapi), 24 bytes. */
export const XDP_MD = layout('xdp_md', 24, [
  ['data', 0, 4, 4, true], ['data_end', 4, 4, 4, true], ['data_meta', 8, 4, 4, true],
  ['ingress_ifindex', 12, 4], ['rx_queue_index', 16, 4], ['egress_ifindex', 20, 4],
]);

/** struct bpf_flow_keys (uapi), what flow dissector programs fill in. The IPv4 and IPv6
 *  addresses share a union; the layout lists the IPv6 view (ipv4_src/dst are its first words). */
export const BPF_FLOW_KEYS = layout('bpf_flow_keys', 56, [
  ['nhoff', 0, 2], ['thoff', 2, 2], ['addr_proto', 4, 2], ['is_frag', 6, 1], ['is_first_frag', 7, 1], ['is_encap', 8, 1],
  ['ip_proto', 9, 1], ['n_proto', 10, 2], ['sport', 12, 2], ['dport', 14, 2], ['ipv6_src', 16, 16, 4], ['ipv6_dst', 32, 16, 4],
  ['flags', 48, 4], ['flow_label', 52, 4],
], { n_proto: '__be16', sport: '__be16', dport: '__be16', flow_label: '__be32' });

/** struct bpf_sk_lookup (uapi), the context of sk_lookup programs. */
export const SK_LOOKUP = layout('bpf_sk_lookup', 72, [
  ['sk', 0, 8, 8, true], ['family', 8, 4], ['protocol', 12, 4], ['remote_ip4', 16, 4], ['remote_ip6', 20, 16, 4],
  ['remote_port', 36, 2], ['local_ip4', 40, 4], ['local_ip6', 44, 16, 4], ['local_port', 60, 4], ['ingress_ifindex', 64, 4],
], { sk: 'struct bpf_sock *', remote_port: '__be16' });

/** struct bpf_sock (uapi), what __sk_buff.sk points to: test runs give every skb a socket. */
export const BPF_SOCK = layout('bpf_sock', 80, [
  ['bound_dev_if', 0, 4], ['family', 4, 4], ['type', 8, 4], ['protocol', 12, 4], ['mark', 16, 4], ['priority', 20, 4],
  ['src_ip4', 24, 4], ['src_ip6', 28, 16, 4], ['src_port', 44, 4], ['dst_port', 48, 2], ['dst_ip4', 52, 4],
  ['dst_ip6', 56, 16, 4], ['state', 72, 4], ['rx_queue_mapping', 76, 4],
], { dst_port: '__be16', rx_queue_mapping: '__s32' });

/** struct bpf_sock_addr (uapi), the context of cgroup_sock_addr programs (bind, connect, sendmsg,
 *  recvmsg, getpeername, getsockname hooks). Addresses and the port are in network byte order. */
export const SOCK_ADDR = layout('bpf_sock_addr', 72, [
  ['user_family', 0, 4], ['user_ip4', 4, 4], ['user_ip6', 8, 16, 4], ['user_port', 24, 4], ['family', 28, 4],
  ['type', 32, 4], ['protocol', 36, 4], ['msg_src_ip4', 40, 4], ['msg_src_ip6', 44, 16, 4], ['sk', 64, 8, 8, true],
], { sk: 'struct bpf_sock *' });

/** struct bpf_sockopt (uapi), the context of cgroup_sockopt programs (getsockopt/setsockopt
 *  hooks): the socket, the option buffer as packet-like pointers, and the call's arguments. */
export const SOCKOPT = layout('bpf_sockopt', 40, [
  ['sk', 0, 8, 8, true], ['optval', 8, 8, 8, true], ['optval_end', 16, 8, 8, true],
  ['level', 24, 4], ['optname', 28, 4], ['optlen', 32, 4], ['retval', 36, 4],
], { sk: 'struct bpf_sock *', optval: 'void *', optval_end: 'void *', level: '__s32', optname: '__s32', optlen: '__s32', retval: '__s32' });

/** struct bpf_cgroup_dev_ctx (uapi), the context of cgroup_device programs: the access asked for
 *  (BPF_DEVCG_ACC_* << 16 | BPF_DEVCG_DEV_*) and the device numbers. */
export const CGROUP_DEV_CTX = layout('bpf_cgroup_dev_ctx', 12, [['access_type', 0, 4], ['major', 4, 4], ['minor', 8, 4]]);

/** struct sk_msg_md (uapi), the context of sk_msg programs: the message's data as packet
 *  pointers, the connection's addresses, the message size and the socket. */
export const SK_MSG_MD = layout('sk_msg_md', 80, [
  ['data', 0, 8, 8, true], ['data_end', 8, 8, 8, true], ['family', 16, 4], ['remote_ip4', 20, 4], ['local_ip4', 24, 4],
  ['remote_ip6', 28, 16, 4], ['local_ip6', 44, 16, 4], ['remote_port', 60, 4], ['local_port', 64, 4], ['size', 68, 4],
  ['sk', 72, 8, 8, true],
], { data: 'void *', data_end: 'void *', sk: 'struct bpf_sock *' });

/** struct sk_reuseport_md (uapi), the context of sk_reuseport programs: the packet that picks a
 *  socket of a reuseport group (data/data_end, its length and L2 protocol), the group's protocol,
 *  whether it is bound to the any address, the flow hash, the socket the kernel found and, at
 *  sk_reuseport/migrate, the socket whose requests move (NULL while selecting). */
export const SK_REUSEPORT_MD = layout('sk_reuseport_md', 56, [
  ['data', 0, 8, 8, true], ['data_end', 8, 8, 8, true], ['len', 16, 4], ['eth_protocol', 20, 4], ['ip_protocol', 24, 4],
  ['bind_inany', 28, 4], ['hash', 32, 4], ['sk', 40, 8, 8, true], ['migrating_sk', 48, 8, 8, true],
], { data: 'void *', data_end: 'void *', sk: 'struct bpf_sock *', migrating_sk: 'struct bpf_sock *' });

/** struct bpf_sysctl (uapi), the context of cgroup_sysctl programs: whether the access writes,
 *  and the file position (which the program may move). */
export const SYSCTL = layout('bpf_sysctl', 8, [['write', 0, 4], ['file_pos', 4, 4]]);

/** struct bpf_sock_ops (uapi), the context of sock_ops programs: the callback (`op`) with its
 *  arguments (a union with the reply the program gives back), the connection's addresses, TCP
 *  state counters, and for the header-option callbacks the segment as packet pointers. */
export const SOCK_OPS = layout(
  'bpf_sock_ops',
  224,
  [
    ['op', 0, 4], ['args', 4, 16, 4], ['family', 20, 4], ['remote_ip4', 24, 4], ['local_ip4', 28, 4],
    ['remote_ip6', 32, 16, 4], ['local_ip6', 48, 16, 4], ['remote_port', 64, 4], ['local_port', 68, 4],
    ['is_fullsock', 72, 4], ['snd_cwnd', 76, 4], ['srtt_us', 80, 4], ['bpf_sock_ops_cb_flags', 84, 4], ['state', 88, 4],
    ['rtt_min', 92, 4], ['snd_ssthresh', 96, 4], ['rcv_nxt', 100, 4], ['snd_nxt', 104, 4], ['snd_una', 108, 4],
    ['mss_cache', 112, 4], ['ecn_flags', 116, 4], ['rate_delivered', 120, 4], ['rate_interval_us', 124, 4],
    ['packets_out', 128, 4], ['retrans_out', 132, 4], ['total_retrans', 136, 4], ['segs_in', 140, 4],
    ['data_segs_in', 144, 4], ['segs_out', 148, 4], ['data_segs_out', 152, 4], ['lost_out', 156, 4],
    ['sacked_out', 160, 4], ['sk_txhash', 164, 4], ['bytes_received', 168, 8], ['bytes_acked', 176, 8],
    ['sk', 184, 8, 8, true], ['skb_data', 192, 8, 8, true], ['skb_data_end', 200, 8, 8, true], ['skb_len', 208, 4],
    ['skb_tcp_flags', 212, 4], ['skb_hwtstamp', 216, 8],
  ],
  { sk: 'struct bpf_sock *', skb_data: 'void *', skb_data_end: 'void *' },
  { args: [['reply', '__u32', 1], ['replylong', '__u32', 4]] },
);

/** struct pt_regs of x86-64 (arch/x86/include/asm/ptrace.h), the context of kprobe programs.
 *  ebpfvm models the x86-64 layout only (what bpf_tracing.h's PT_REGS_* read with
 *  __TARGET_ARCH_x86). */
export const PT_REGS_X86_64 = layout('pt_regs', 168, [
  ['r15', 0, 8], ['r14', 8, 8], ['r13', 16, 8], ['r12', 24, 8], ['bp', 32, 8], ['bx', 40, 8], ['r11', 48, 8],
  ['r10', 56, 8], ['r9', 64, 8], ['r8', 72, 8], ['ax', 80, 8], ['cx', 88, 8], ['dx', 96, 8], ['si', 104, 8],
  ['di', 112, 8], ['orig_ax', 120, 8], ['ip', 128, 8], ['cs', 136, 8], ['flags', 144, 8], ['sp', 152, 8], ['ss', 160, 8],
], Object.fromEntries(['r15', 'r14', 'r13', 'r12', 'bp', 'bx', 'r11', 'r10', 'r9', 'r8', 'ax', 'cx', 'dx', 'si', 'di', 'orig_ax', 'ip', 'cs', 'flags', 'sp', 'ss'].map((r) => [r, 'unsigned long'])));

/** struct bpf_perf_event_data (uapi linux/bpf_perf_event.h), the context of perf_event programs:
 *  the sampled registers (bpf_user_pt_regs_t, x86-64 pt_regs), then the sample period and the
 *  sampled address. The kernel converts these loads to reads of its perf_sample_data; ebpfvm
 *  keeps the uapi layout in memory, so a load reads the field at its uapi offset. */
export const PERF_EVENT_DATA = layout('bpf_perf_event_data', 184, [
  ['regs', 0, PT_REGS_X86_64.size, PT_REGS_X86_64.size], ['sample_period', 168, 8], ['addr', 176, 8],
], { regs: 'bpf_user_pt_regs_t' });

/** struct bpf_nf_ctx (include/net/netfilter/nf_bpf_link.h), the context of netfilter programs:
 *  two trusted pointers to kernel objects, the hook state and the packet's sk_buff. */
export const BPF_NF_CTX = layout('bpf_nf_ctx', 16, [['state', 0, 8, 8, true], ['skb', 8, 8, 8, true]], {
  state: 'const struct nf_hook_state *',
  skb: 'struct sk_buff *',
});

/** struct nf_hook_state (include/linux/netfilter.h, x86-64), what bpf_nf_ctx.state points to and
 *  what a netfilter test run's ctx_in gives. okfn is a function pointer in the kernel. */
export const NF_HOOK_STATE = layout('nf_hook_state', 48, [
  ['hook', 0, 1], ['pf', 1, 1], ['in', 8, 8, 8, true], ['out', 16, 8, 8, true], ['sk', 24, 8, 8, true], ['net', 32, 8, 8, true], ['okfn', 40, 8, 8, true],
], { hook: 'u8', pf: 'u8', in: 'struct net_device *', out: 'struct net_device *', sk: 'struct sock *', net: 'struct net *', okfn: 'void *' });

/** The kernel's struct sk_buff as ebpfvm models it: laid over the __sk_buff image every skb
 *  program type runs on, so a kernel-typed pointer to the packet's skb (bpf_nf_ctx.skb,
 *  bpf_cast_to_kern_ctx) is the same memory as the uapi context, and helpers that find the packet
 *  through __sk_buff's data/data_end (dynptrs) work on it unchanged. Only fields whose uapi
 *  counterpart holds the same value at the same place are listed: CO-RE relocations of any other
 *  sk_buff field fail against the built-in BTF, naming the field. The offsets are ebpfvm's (a
 *  program built with CO-RE does not depend on them). */
export const KERNEL_SK_BUFF: CtxLayout = { ...layout('sk_buff', SK_BUFF.size + 40, [
  ['len', 0, 4], ['mark', 8, 4], ['queue_mapping', 12, 2], ['protocol', 16, 2], ['priority', 32, 4],
  ['skb_iif', 36, 4], ['tc_index', 44, 2], ['hash', 68, 4],
  // Beyond the __sk_buff image (the test run allocates the 40 bytes, read-only): the start of
  // the packet's buffer and the offset of its struct skb_shared_info from there (skb_shinfo(skb)
  // is head + end), which the test run lays out after the packet (vm/test-run.ts kernelSkbTail);
  // the run's socket (its kernel struct, vm/sockets.ts); the packet's data, which follows the
  // packet as helpers move it (helpers/packet.ts setSkb); a linear skb's data_len 0, and
  // ip_summed CHECKSUM_NONE with no csum_start, as a test run's skb has them. (ip_summed is a
  // 2-bit field, here the low bits of a byte that reads 0.)
  ['head', SK_BUFF.size, 8], ['end', SK_BUFF.size + 8, 4], ['data_len', SK_BUFF.size + 12, 4],
  ['sk', SK_BUFF.size + 16, 8], ['data', SK_BUFF.size + 24, 8], ['csum_start', SK_BUFF.size + 32, 2], ['ip_summed', SK_BUFF.size + 34, 1],
], { len: 'unsigned int', protocol: '__be16', skb_iif: 'int', head: 'unsigned char *', end: 'unsigned int', data_len: 'unsigned int', sk: 'struct sock *', data: 'unsigned char *', csum_start: '__u16', ip_summed: '__u8' }), bitfields: { ip_summed: 2 } };

/** struct skb_shared_info (include/linux/skbuff.h as of 6.18, 320 bytes): what programs read from
 *  skb_shinfo(skb) (meta_len, nr_frags, gso_*, frag_list) and bpf_fentry_test_sinfo's argument
 *  (its frags at 48). A test run's skb is linear: no frags, no frag_list. */
export const SKB_SHARED_INFO = layout('skb_shared_info', 320, [
  ['flags', 0, 1], ['meta_len', 1, 1], ['nr_frags', 2, 1], ['tx_flags', 3, 1], ['gso_size', 4, 2], ['gso_segs', 6, 2],
  ['frag_list', 8, 8], ['hwtstamps', 16, 8], ['gso_type', 24, 4], ['tskey', 28, 4], ['dataref', 32, 4],
  ['destructor_arg', 40, 8], ['frags', 48, 272, 16],
], { frag_list: 'struct sk_buff *', hwtstamps: '__u64', dataref: 'atomic_t', destructor_arg: 'void *', frags: 'skb_frag_t' });

/** Registers holding function arguments 1..6 in the x86-64 calling convention (PT_REGS_PARM1..6). */
export const PT_REGS_ARG_REGS = ['di', 'si', 'dx', 'cx', 'r8', 'r9'] as const;

/** MAX_BPF_FUNC_ARGS: raw tracepoints and BTF-typed programs see at most 12 u64 arguments. */
export const MAX_BPF_FUNC_ARGS = 12;
/** PERF_MAX_TRACE_SIZE: the largest tracepoint record a program may read. */
export const PERF_MAX_TRACE_SIZE = 2048;

/** The layout as a C struct definition (what the uapi header declares, for BTF and docs). */
export function layoutToC(l: CtxLayout): string {
  const lines = [`struct ${l.struct} {`];
  let at = 0;
  for (const f of l.fields) {
    if (f.offset > at) lines.push(`\t__u8 :${(f.offset - at) * 8};`);
    const ptr = f.ctype.endsWith('*');
    lines.push(`\t${f.ctype}${ptr ? '' : ' '}${f.name}${f.count > 1 ? `[${f.count}]` : ''};`);
    at = f.offset + f.size;
  }
  if (l.size > at) lines.push(`\t__u8 :${(l.size - at) * 8};`);
  lines.push('};');
  return lines.join('\n');
}

/** Build a context from named fields, e.g. {"mark": 5, "cb": [1, 2], "tstamp": "0x10"}: numbers
 *  (or decimal / 0x strings for 64-bit values) little-endian at each field's offset, arrays
 *  element by element; unnamed bytes stay zero. Throws Error naming the field for anything else. */
export function encodeCtxFields(l: CtxLayout, values: Record<string, unknown>, size = l.size): Uint8Array {
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  for (const [name, v] of Object.entries(values)) {
    const f = l.fields.find((x) => x.name === name);
    if (!f) throw new Error(`${l.struct} has no field ${name} (fields: ${l.fields.map((x) => x.name).join(', ')})`);
    if (![1, 2, 4, 8].includes(f.elem)) throw new Error(`${l.struct}.${name} is a ${f.ctype}, not an integer field`);
    const elems = Array.isArray(v) ? v : [v];
    if (elems.length > f.count) throw new Error(`${l.struct}.${name} has ${f.count} element${f.count === 1 ? '' : 's'}, got ${elems.length}`);
    elems.forEach((e, i) => {
      let n: bigint;
      if (typeof e === 'number' && Number.isSafeInteger(e)) n = BigInt(e);
      else if (typeof e === 'string' && /^(-?\d+|0x[0-9a-fA-F]+)$/.test(e)) n = BigInt(e);
      else throw new Error(`${l.struct}.${name}: ${JSON.stringify(e)} is not an integer`);
      const bits = BigInt(f.elem * 8);
      if (n < -(1n << (bits - 1n)) || n >= 1n << bits) throw new Error(`${l.struct}.${name}: ${e} does not fit in ${f.elem} bytes`);
      const u = BigInt.asUintN(Number(bits), n);
      const at = f.offset + i * f.elem;
      if (f.elem === 8) dv.setBigUint64(at, u, true);
      else if (f.elem === 4) dv.setUint32(at, Number(u), true);
      else if (f.elem === 2) dv.setUint16(at, Number(u), true);
      else dv.setUint8(at, Number(u));
    });
  }
  return out;
}

export function fieldAt(l: CtxLayout, offset: number): CtxField | undefined {
  return l.fields.find((f) => offset >= f.offset && offset < f.offset + f.size);
}

export function field(l: CtxLayout, name: string): CtxField {
  const f = l.fields.find((x) => x.name === name);
  if (!f) throw new Error(`no field ${name} in ${l.struct}`);
  return f;
}

// ---- access rules ----------------------------------------------------------------------------

/** Verdict of a context access check: ok, or the reason the kernel's verifier would refuse it. */
export type CtxVerdict = { ok: true; field?: CtxField } | { ok: false; reason: string };

/** How a test run builds the context for a type. 'skb-l2': tc (packet from the Ethernet header);
 *  'skb-l3': socket filters and friends (packet from the network header); 'xdp'; 'syscall': the
 *  user's buffer as-is; 'raw-tp': raw tracepoint arguments (u64 array); 'flow-dissector': the
 *  frame plus fresh flow keys; 'sk-lookup': the lookup from ctx_in. Those follow the kernel's own
 *  test runs. 'btf-args' (fentry/fexit/fmod_ret/tp_btf/lsm), 'pt-regs' (kprobe) and 'tp-record'
 *  (tracepoint) take user-supplied arguments, an extension: the kernel can only trigger the
 *  attach point. Types without one cannot be test-run (vm/test-run says so). */
export type TestRunKind = 'skb-l2' | 'skb-l3' | 'xdp' | 'syscall' | 'raw-tp' | 'btf-args' | 'pt-regs' | 'tp-record' | 'flow-dissector' | 'sk-lookup' | 'netfilter' | 'struct-ops';

export interface ProgTypeInfo {
  type: number;
  /** Context layout; undefined for types whose context is a raw user buffer (syscall). */
  ctx?: CtxLayout;
  testRun?: TestRunKind;
  /** Names of fields a program may write (the kernel's write whitelist). */
  writable: ReadonlySet<string>;
  /** Names of fields a program may not read at all (the kernel returns false for them). */
  unreadable: ReadonlySet<string>;
  /** Field-specific checks beyond read/write membership (access size rules); `attach` is the
   *  program's expected attach type, for types whose rules depend on it. */
  check?: (off: number, size: number, write: boolean, attach: number) => CtxVerdict;
}

const s = (...names: string[]): ReadonlySet<string> => new Set(names);

const SK_FIELDS_ONLY_SK_SKB = ['family', 'remote_ip4', 'local_ip4', 'remote_ip6', 'local_ip6', 'remote_port', 'local_port'];

/** Size and alignment rules every __sk_buff access obeys (bpf_skb_is_valid_access). */
function skbAccess(off: number, size: number, write: boolean): CtxVerdict {
  if (off < 0 || off + size > SK_BUFF.size) return { ok: false, reason: `invalid bpf_context access off=${off} size=${size}` };
  if (off % size !== 0) return { ok: false, reason: `misaligned context access off=${off} size=${size}` };
  const f = fieldAt(SK_BUFF, off);
  if (!f) return { ok: false, reason: `invalid bpf_context access off=${off} size=${size}: padding` };
  const bad = { ok: false as const, reason: `invalid bpf_context access off=${off} size=${size}` };
  switch (f.name) {
    case 'cb':
      if (off + size > f.offset + f.size) return bad;
      return { ok: true, field: f };
    case 'remote_ip6': case 'local_ip6': case 'remote_ip4': case 'local_ip4': case 'data': case 'data_meta': case 'data_end':
      return size === 4 ? { ok: true, field: f } : bad;
    case 'flow_keys':
      return bad;
    case 'hwtstamp':
      return !write && size === 8 ? { ok: true, field: f } : bad;
    case 'tstamp':
      return size === 8 ? { ok: true, field: f } : bad;
    case 'sk':
      return !write && size === 8 ? { ok: true, field: f } : bad;
    case 'tstamp_type':
      return bad; // tc overrides this below
    default:
      // Narrow reads at the start of a field are allowed; writes must be full width.
      if (write) return size === f.elem && off === f.offset ? { ok: true, field: f } : bad;
      return off + size <= f.offset + f.elem ? { ok: true, field: f } : bad;
  }
}

function skbType(type: number, testRun: TestRunKind | undefined, writable: string[], unreadable: string[], extra?: (off: number, size: number, write: boolean) => CtxVerdict | undefined): ProgTypeInfo {
  return {
    type,
    ctx: SK_BUFF,
    ...(testRun ? { testRun } : {}),
    writable: s(...writable),
    unreadable: s(...unreadable),
    check: (off, size, write) => extra?.(off, size, write) ?? skbAccess(off, size, write),
  };
}

/** xdp_is_valid_access: egress_ifindex exists only for devmap programs (the device a devmap
 *  entry sends to), and __is_valid_xdp_access reads every field whole, as a u32 (xdp has no
 *  narrow loads: it sets no ctx_field_size). */
function xdpAccess(off: number, size: number, write: boolean, attach = 0): CtxVerdict {
  const bad = { ok: false as const, reason: `invalid bpf_context access off=${off} size=${size}` };
  if (off === 20 && attach !== AttachType.XDP_DEVMAP) return { ...bad, reason: `${bad.reason}: egress_ifindex is only for xdp/devmap programs` };
  if (off < 0 || off + size > XDP_MD.size || off % size !== 0 || size !== 4) return bad;
  if (write) return { ok: false, reason: `invalid bpf_context access off=${off} size=${size}: xdp_md is read-only` };
  return { ok: true, field: fieldAt(XDP_MD, off)! };
}

const PROG_TYPES: readonly ProgTypeInfo[] = [
  // sk_filter_is_valid_access: no packet pointers, only cb[] writable.
  skbType(P.SOCKET_FILTER, 'skb-l3', ['cb'], ['tc_classid', 'data', 'data_meta', 'data_end', ...SK_FIELDS_ONLY_SK_SKB, 'tstamp', 'wire_len', 'hwtstamp']),
  // cgroup skb programs see the packet from L3 like socket filters (the kernel computes data
  // pointers for them in test runs).
  skbType(P.CGROUP_SKB, 'skb-l3', ['mark', 'priority', 'cb', 'tstamp'], ['tc_classid', 'data_meta', 'flow_keys']),
  // tc_cls_act_is_valid_access: direct packet access, a wider write whitelist, tstamp_type (u8).
  ...[P.SCHED_CLS, P.SCHED_ACT].map((t) =>
    skbType(t, 'skb-l2', ['mark', 'tc_index', 'priority', 'tc_classid', 'cb', 'tstamp', 'queue_mapping'], [...SK_FIELDS_ONLY_SK_SKB], (off, size) =>
      off === 180 ? (size === 1 ? { ok: true, field: field(SK_BUFF, 'tstamp_type') } : { ok: false, reason: `invalid bpf_context access off=${off} size=${size}` }) : undefined,
    ),
  ),
  ...[P.LWT_IN, P.LWT_OUT, P.LWT_XMIT].map((t) => skbType(t, 'skb-l3', ['mark', 'priority', 'cb'], ['tc_classid', 'data_meta', ...SK_FIELDS_ONLY_SK_SKB])),
  // sk_skb_is_valid_access: the connection's address fields and direct packet access, writes to
  // tc_index and priority only, no mark at all (read or write), no tc_classid, data_meta, tstamp,
  // wire_len or hwtstamp. sk_skb_prog_ops has no .test_run: -ENOTSUPP (vm/test-run).
  skbType(P.SK_SKB, undefined, ['tc_index', 'priority'], ['mark', 'tc_classid', 'data_meta', 'tstamp', 'wire_len', 'hwtstamp']),
  { type: P.XDP, ctx: XDP_MD, testRun: 'xdp', writable: s(), unreadable: s(), check: xdpAccess },
  // syscall_prog_is_valid_access: any aligned access below U16_MAX; the buffer is the user's.
  {
    type: P.SYSCALL,
    testRun: 'syscall',
    writable: s(),
    unreadable: s(),
    check: (off, size) => (off >= 0 && off < 0xffff && off % size === 0 ? { ok: true } : { ok: false, reason: `invalid bpf_context access off=${off} size=${size}` }),
  },
];

const bad = (off: number, size: number, why = ''): CtxVerdict => ({ ok: false, reason: `invalid bpf_context access off=${off} size=${size}${why}` });

/** Read-only contexts of tracing programs: aligned reads inside [min, max). */
function readOnly(min: number, max: number, sizes: readonly number[]) {
  return (off: number, size: number, write: boolean): CtxVerdict => {
    if (write) return bad(off, size, ': the context is read-only');
    if (off < min || off + size > max || off % size !== 0 || !sizes.includes(size)) return bad(off, size);
    return { ok: true };
  };
}

// flow_dissector_is_valid_access: reads of data, data_end (PTR_TO_PACKET) and flow_keys only.
function flowDissectorAccess(off: number, size: number, write: boolean): CtxVerdict {
  if (write) return bad(off, size, ': the context is read-only');
  if ((off === SKB_DATA_OFF || off === SKB_DATA_END_OFF) && size === 4) return { ok: true, field: fieldAt(SK_BUFF, off)! };
  if (off === field(SK_BUFF, 'flow_keys').offset && size === 8) return { ok: true, field: field(SK_BUFF, 'flow_keys') };
  return bad(off, size);
}

// sk_lookup_is_valid_access: read-only; sk as a whole pointer, the rest narrow-readable.
function skLookupAccess(off: number, size: number, write: boolean): CtxVerdict {
  if (write) return bad(off, size, ': the context is read-only');
  if (off < 0 || off + size > SK_LOOKUP.size || off % size !== 0) return bad(off, size);
  const f = fieldAt(SK_LOOKUP, off);
  // the two bytes after remote_port read as zero, narrowly (compatibility with the u32 it was)
  if (off >= 38 && off < 40) return off + size <= 40 ? { ok: true } : bad(off, size);
  if (!f) return bad(off, size, ': padding');
  if (f.name === 'sk') return size === 8 ? { ok: true, field: f } : bad(off, size);
  // remote_port, a __be16, may also be read as the u32 it once was
  if (f.name === 'remote_port' && size === 4) return { ok: true, field: f };
  return off + size <= f.offset + f.size ? { ok: true, field: f } : bad(off, size);
}

// pe_prog_is_valid_access: read-only; the registers as whole longs, sample_period and addr also
// by narrower aligned loads (bpf_ctx_narrow_access_ok).
function perfEventAccess(off: number, size: number, write: boolean): CtxVerdict {
  if (off < 0 || off >= PERF_EVENT_DATA.size) return bad(off, size);
  if (write) return bad(off, size, ': the context is read-only');
  if (off % size !== 0) return bad(off, size);
  const f = fieldAt(PERF_EVENT_DATA, off)!;
  if (f.name === 'regs' && size !== 8) return bad(off, size);
  return { ok: true, field: f };
}

// Expected attach types (uapi enum bpf_attach_type) of cgroup_sock_addr programs whose address
// family gives them user_ip4 / user_ip6 (bind, connect, getpeername, getsockname, sendmsg,
// recvmsg), and the sendmsg ones that also see msg_src_ip4 / msg_src_ip6. The unix hooks
// (connect_unix, ... 49..53) see neither.
const SOCK_ADDR_IP4 = [8, 10, 29, 31, 14, 19];
const SOCK_ADDR_IP6 = [9, 11, 30, 32, 15, 20];
const SOCK_ADDR_SENDMSG4 = 14;
const SOCK_ADDR_SENDMSG6 = 15;

// sock_addr_is_valid_access: fields outside the hook's address family are refused; addresses and
// the port read narrowly (1, 2, 4 bytes) or, inside the ip6 arrays, as aligned u64; written as
// u32 (or aligned u64 inside the ip6 arrays); family/type/protocol/user_family read-only u32; sk
// a read-only u64 (PTR_TO_SOCKET).
function sockAddrAccess(off: number, size: number, write: boolean, attach: number): CtxVerdict {
  if (off < 0 || off >= SOCK_ADDR.size || off % size !== 0) return bad(off, size);
  const f = fieldAt(SOCK_ADDR, off);
  if (!f) return bad(off, size);
  if (f.name === 'user_ip4' && !SOCK_ADDR_IP4.includes(attach)) return bad(off, size);
  if (f.name === 'user_ip6' && !SOCK_ADDR_IP6.includes(attach)) return bad(off, size);
  if (f.name === 'msg_src_ip4' && attach !== SOCK_ADDR_SENDMSG4) return bad(off, size);
  if (f.name === 'msg_src_ip6' && attach !== SOCK_ADDR_SENDMSG6) return bad(off, size);
  switch (f.name) {
    case 'user_ip4':
    case 'user_ip6':
    case 'user_port':
    case 'msg_src_ip4':
    case 'msg_src_ip6': {
      // bpf_ctx_wide_access_ok: an aligned u64 wholly inside one ip6 array
      const wide = size === 8 && (f.name === 'user_ip6' || f.name === 'msg_src_ip6') && off + 8 <= f.offset + f.size;
      if (wide) return { ok: true, field: f };
      if (write) return size === 4 ? { ok: true, field: f } : bad(off, size);
      // bpf_ctx_narrow_access_ok against the u32 default (alignment was checked above)
      return size <= 4 ? { ok: true, field: f } : bad(off, size);
    }
    case 'sk':
      return !write && size === 8 ? { ok: true, field: f } : bad(off, size);
    default:
      return !write && size === 4 ? { ok: true, field: f } : bad(off, size);
  }
}

/** bpf_sock_is_valid_access: struct bpf_sock through a context or socket pointer. The state,
 *  family, type, protocol, src_port and rx_queue_mapping words and the address fields read
 *  narrowly (1, 2 or 4 bytes; the addresses anywhere inside), dst_port as 1, 2 or 4 bytes at its
 *  start (1 byte at its second), the two bytes after it never; everything else as a whole u32.
 *  Exported for the socket pointers of other program types. */
export function bpfSockAccess(off: number, size: number): CtxVerdict {
  if (off < 0 || off >= BPF_SOCK.size || off % size !== 0) return bad(off, size);
  const f = fieldAt(BPF_SOCK, off);
  if (!f) return bad(off, size); // the two bytes after dst_port
  const narrow = size <= 4 && (size & (size - 1)) === 0;
  switch (f.name) {
    case 'state': case 'family': case 'type': case 'protocol': case 'src_port': case 'rx_queue_mapping':
      // cased at their exact offset only: a load past the first byte is refused
      return off === f.offset && narrow ? { ok: true, field: f } : bad(off, size);
    case 'src_ip4': case 'src_ip6': case 'dst_ip4': case 'dst_ip6':
      return narrow ? { ok: true, field: f } : bad(off, size);
    case 'dst_port':
      return size <= 4 ? { ok: true, field: f } : bad(off, size);
    default:
      return size === 4 ? { ok: true, field: f } : bad(off, size);
  }
}

/** bpf_sock_common_is_valid_access: a socket that may not be full (PTR_TO_SOCK_COMMON) has no
 *  type, protocol, mark or priority. */
export function bpfSockCommonAccess(off: number, size: number): CtxVerdict {
  if (off >= field(BPF_SOCK, 'type').offset && off < field(BPF_SOCK, 'src_ip4').offset) return bad(off, size);
  return bpfSockAccess(off, size);
}

/** sizeof(struct bpf_tcp_sock) up to icsk_retransmits, its last field; bytes_received (80) and
 *  bytes_acked (88) are the u64s. */
const BPF_TCP_SOCK_END = 112;

/** bpf_tcp_sock_is_valid_access: read-only, aligned; the two byte counters as u64, the rest u32. */
export function bpfTcpSockAccess(off: number, size: number): CtxVerdict {
  if (off < 0 || off >= BPF_TCP_SOCK_END || off % size !== 0) return bad(off, size);
  return (off >= 80 && off < 96 ? size === 8 : size === 4) ? { ok: true } : bad(off, size);
}

const A = AttachType;

// __sock_filter_check_attach_type: bound_dev_if, mark and priority only at socket creation and
// release (read and write); the source address and port only after a bind of their family (read);
// every other field read-only at every hook.
function sockFilterAccess(off: number, size: number, write: boolean, attach: number): CtxVerdict {
  const v = bpfSockAccess(off, size);
  if (!v.ok) return v;
  const name = v.field!.name;
  const create = attach === A.CGROUP_INET_SOCK_CREATE || attach === A.CGROUP_INET_SOCK_RELEASE;
  if (name === 'bound_dev_if' || name === 'mark' || name === 'priority') return create ? v : bad(off, size);
  if (write) return bad(off, size);
  if (name === 'src_ip4' && attach !== A.CGROUP_INET4_POST_BIND) return bad(off, size);
  if (name === 'src_ip6' && attach !== A.CGROUP_INET6_POST_BIND) return bad(off, size);
  if (name === 'src_port' && attach !== A.CGROUP_INET4_POST_BIND && attach !== A.CGROUP_INET6_POST_BIND) return bad(off, size);
  return v;
}

// cg_sockopt_is_valid_access: sk, optval and optval_end as whole u64 pointers (PTR_TO_SOCKET,
// PTR_TO_PACKET, PTR_TO_PACKET_END); the rest u32. Writes: optlen at both hooks, level and
// optname at setsockopt, retval at getsockopt (which alone may read it).
function sockoptAccess(off: number, size: number, write: boolean, attach: number): CtxVerdict {
  if (off < 0 || off >= SOCKOPT.size || off % size !== 0) return bad(off, size);
  const f = fieldAt(SOCKOPT, off)!;
  const get = attach === A.CGROUP_GETSOCKOPT;
  if (write) {
    if (off !== f.offset || size !== 4) return bad(off, size);
    switch (f.name) {
      case 'retval': return get ? { ok: true, field: f } : bad(off, size);
      case 'level': case 'optname': return attach === A.CGROUP_SETSOCKOPT ? { ok: true, field: f } : bad(off, size);
      case 'optlen': return { ok: true, field: f };
      default: return bad(off, size);
    }
  }
  if (f.pointer) return size === 8 ? { ok: true, field: f } : bad(off, size);
  if (f.name === 'retval' && !get) return bad(off, size);
  return size === 4 ? { ok: true, field: f } : bad(off, size);
}

// sock_ops_is_valid_access: writes only to reply (the first args word) and sk_txhash, as u32;
// reads u32 except bytes_received/bytes_acked, skb_hwtstamp and the pointers (u64: sk as
// PTR_TO_SOCKET_OR_NULL, skb_data/skb_data_end as packet pointers); skb_tcp_flags also narrowly.
function sockOpsAccess(off: number, size: number, write: boolean): CtxVerdict {
  if (off < 0 || off >= SOCK_OPS.size || off % size !== 0) return bad(off, size);
  const f = fieldAt(SOCK_OPS, off)!;
  if (write) return (off === 4 || off === f.offset && f.name === 'sk_txhash') && size === 4 ? { ok: true, field: f } : bad(off, size);
  if (f.pointer || f.name === 'bytes_received' || f.name === 'bytes_acked' || f.name === 'skb_hwtstamp') return size === 8 ? { ok: true, field: f } : bad(off, size);
  if (off === f.offset && f.name === 'skb_tcp_flags') return size <= 4 && (size & (size - 1)) === 0 ? { ok: true, field: f } : bad(off, size);
  return size === 4 ? { ok: true, field: f } : bad(off, size);
}

// cgroup_dev_is_valid_access: read-only; access_type also narrowly, major and minor as u32.
function cgroupDevAccess(off: number, size: number, write: boolean): CtxVerdict {
  if (write || off < 0 || off + size > CGROUP_DEV_CTX.size || off % size !== 0) return bad(off, size);
  const f = fieldAt(CGROUP_DEV_CTX, off)!;
  return size === 4 || (f.name === 'access_type' && size < 4) ? { ok: true, field: f } : bad(off, size);
}

// sysctl_is_valid_access: write read-only (narrowly too), file_pos read narrowly and written as u32.
function sysctlAccess(off: number, size: number, write: boolean): CtxVerdict {
  if (off < 0 || off + size > SYSCTL.size || off % size !== 0) return bad(off, size);
  const f = fieldAt(SYSCTL, off)!;
  if (write) return f.name === 'file_pos' && size === 4 ? { ok: true, field: f } : bad(off, size);
  return size <= 4 ? { ok: true, field: f } : bad(off, size);
}

// sk_msg_is_valid_access: read-only; data, data_end (packet pointers) and sk as u64, the rest u32.
function skMsgAccess(off: number, size: number, write: boolean): CtxVerdict {
  if (write || off < 0 || off >= SK_MSG_MD.size || off % size !== 0) return bad(off, size);
  const f = fieldAt(SK_MSG_MD, off)!;
  return size === (f.pointer ? 8 : 4) ? { ok: true, field: f } : bad(off, size);
}

// sk_reuseport_is_valid_access: read-only and aligned; data, data_end (packet pointers), sk
// (PTR_TO_SOCKET) and migrating_sk (PTR_TO_SOCK_COMMON_OR_NULL) as u64, hash as a whole u32;
// len, ip_protocol and bind_inany also narrowly (1, 2 or 4 bytes anywhere inside), eth_protocol
// not below the 2 bytes of skb->protocol; nothing at the padding before sk.
function skReuseportAccess(off: number, size: number, write: boolean): CtxVerdict {
  if (write || off < 0 || off >= SK_REUSEPORT_MD.size || off % size !== 0) return bad(off, size);
  const f = fieldAt(SK_REUSEPORT_MD, off);
  if (!f) return bad(off, size);
  if (f.pointer) return off === f.offset && size === 8 ? { ok: true, field: f } : bad(off, size);
  if (f.name === 'hash') return off === f.offset && size === 4 ? { ok: true, field: f } : bad(off, size);
  // eth_protocol: not below the 2 bytes of skb->protocol; then bpf_ctx_narrow_access_ok on a u32
  if (f.name === 'eth_protocol' && size < 2) return bad(off, size);
  return size <= 4 ? { ok: true, field: f } : bad(off, size);
}

// nf_is_valid_access: read-only, state and skb as whole pointers only.
function nfAccess(off: number, size: number, write: boolean): CtxVerdict {
  if (off < 0 || off >= BPF_NF_CTX.size || off % size !== 0 || write) return bad(off, size);
  const f = fieldAt(BPF_NF_CTX, off)!;
  return size === 8 ? { ok: true, field: f } : bad(off, size);
}

const OTHER_TYPES: readonly ProgTypeInfo[] = [
  { type: P.NETFILTER, ctx: BPF_NF_CTX, testRun: 'netfilter', writable: s(), unreadable: s(), check: nfAccess },
  { type: P.SK_LOOKUP, ctx: SK_LOOKUP, testRun: 'sk-lookup', writable: s(), unreadable: s(), check: skLookupAccess },
  { type: P.FLOW_DISSECTOR, ctx: SK_BUFF, testRun: 'flow-dissector', writable: s(), unreadable: s(), check: flowDissectorAccess },
  // kprobe_prog_is_valid_access: aligned reads of pt_regs.
  { type: P.KPROBE, ctx: PT_REGS_X86_64, testRun: 'pt-regs', writable: s(), unreadable: s(), check: readOnly(0, PT_REGS_X86_64.size, [1, 2, 4, 8]) },
  // perf_event_prog_ops has no .test_run: bpf(2) refuses the run with -ENOTSUPP (vm/test-run).
  { type: P.PERF_EVENT, ctx: PERF_EVENT_DATA, writable: s(), unreadable: s(), check: perfEventAccess },
  // cg_sock_addr_prog_ops has no .test_run: bpf(2) refuses the run with -ENOTSUPP (vm/test-run).
  {
    type: P.CGROUP_SOCK_ADDR,
    ctx: SOCK_ADDR,
    writable: s('user_ip4', 'user_ip6', 'user_port', 'msg_src_ip4', 'msg_src_ip6'),
    unreadable: s(),
    check: sockAddrAccess,
  },
  // cg_sock_prog_ops, cg_sockopt_prog_ops, sock_ops_prog_ops, cg_dev_prog_ops and
  // cg_sysctl_prog_ops have no .test_run either: -ENOTSUPP.
  // sk_msg_prog_ops has no .test_run: -ENOTSUPP.
  { type: P.SK_MSG, ctx: SK_MSG_MD, writable: s(), unreadable: s(), check: skMsgAccess },
  // sk_reuseport_prog_ops has no .test_run: -ENOTSUPP.
  { type: P.SK_REUSEPORT, ctx: SK_REUSEPORT_MD, writable: s(), unreadable: s(), check: skReuseportAccess },
  { type: P.CGROUP_DEVICE, ctx: CGROUP_DEV_CTX, writable: s(), unreadable: s(), check: cgroupDevAccess },
  { type: P.CGROUP_SYSCTL, ctx: SYSCTL, writable: s('file_pos'), unreadable: s(), check: sysctlAccess },
  { type: P.CGROUP_SOCK, ctx: BPF_SOCK, writable: s('bound_dev_if', 'mark', 'priority'), unreadable: s(), check: sockFilterAccess },
  { type: P.CGROUP_SOCKOPT, ctx: SOCKOPT, writable: s('level', 'optname', 'optlen', 'retval'), unreadable: s(), check: sockoptAccess },
  // reply is the first word of the args union: the `args` field here
  { type: P.SOCK_OPS, ctx: SOCK_OPS, writable: s('args', 'sk_txhash'), unreadable: s(), check: sockOpsAccess },
  // tp_prog_is_valid_access: the record after its first 8 bytes (the common fields are hidden).
  // struct_ops: the member's arguments as u64 slots (bpf_tracing_btf_ctx_access), read only.
  { type: P.STRUCT_OPS, testRun: 'struct-ops', writable: s(), unreadable: s(), check: readOnly(0, 8 * MAX_BPF_FUNC_ARGS, [8]) },
  { type: P.TRACEPOINT, testRun: 'tp-record', writable: s(), unreadable: s(), check: readOnly(8, PERF_MAX_TRACE_SIZE, [1, 2, 4, 8]) },
  // raw_tp_prog_is_valid_access: u64 args[MAX_BPF_FUNC_ARGS], read-only.
  ...[P.RAW_TRACEPOINT, P.RAW_TRACEPOINT_WRITABLE].map((t): ProgTypeInfo => ({ type: t, testRun: 'raw-tp', writable: s(), unreadable: s(), check: readOnly(0, 8 * MAX_BPF_FUNC_ARGS, [1, 2, 4, 8]) })),
  // btf_ctx_access: one u64 slot per argument (fexit: then the return value), read as a whole.
  ...[P.TRACING, P.LSM].map((t): ProgTypeInfo => ({ type: t, testRun: 'btf-args', writable: s(), unreadable: s(), check: readOnly(0, 8 * (MAX_BPF_FUNC_ARGS + 1), [8]) })),
];

export function progTypeInfo(type: number): ProgTypeInfo | undefined {
  return PROG_TYPES.find((t) => t.type === type) ?? OTHER_TYPES.find((t) => t.type === type);
}

/** The verifier's context-access question for one load or store. */
export function checkCtxAccess(type: number, off: number, size: number, write: boolean, attach = 0): CtxVerdict {
  const info = progTypeInfo(type);
  if (!info) return { ok: false, reason: `context access is not modelled for this program type` };
  const v = info.check ? info.check(off, size, write, attach) : { ok: true as const };
  if (!v.ok || !v.field) return v;
  if (write && !info.writable.has(v.field.name)) return { ok: false, reason: `invalid bpf_context access off=${off} size=${size}: ${v.field.name} is read-only` };
  if (!write && info.unreadable.has(v.field.name)) return { ok: false, reason: `invalid bpf_context access off=${off} size=${size}: ${v.field.name} is not readable here` };
  return v;
}

/** Byte ranges of the context a program may write, for the arena's write protection: the test
 *  run protects everything else, so unverified programs fault on writes the kernel refuses. */
export function writableRanges(info: ProgTypeInfo): [number, number][] {
  if (!info.ctx) return [];
  return info.ctx.fields.filter((f) => info.writable.has(f.name)).map((f) => [f.offset, f.offset + f.size]);
}

// ---- skb packet bounds, shared with helpers ----------------------------------------------------

/** Offsets of the packet-bound fields in __sk_buff. For every skb program type ebpfvm stores the
 *  packet's current bounds in `data`/`data_end` as 32-bit arena addresses, also for types whose
 *  programs may not read them (socket filters), so helpers such as skb_load_bytes find the packet
 *  from the context pointer alone (helpers/skb.ts relies on this). The packet's arena region
 *  always begins at the MAC header and the network header follows 14 bytes later (test runs use
 *  the loopback device). */
export const SKB_DATA_OFF = 76;
export const SKB_DATA_END_OFF = 80;
export const ETH_HLEN = 14;
