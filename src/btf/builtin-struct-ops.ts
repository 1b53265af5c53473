// struct_ops types ebpfvm models: their kernel structs in the built-in BTF (function-pointer
// members typed as the kernel declares them) and the rules the kernel's bpf_struct_ops for each
// type adds:
//   bpf_dummy_ops (net/bpf/bpf_dummy_struct_ops.c), the one type the kernel can test-run:
//     BPF_PROG_TEST_RUN of its programs calls the member with the u64 arguments of ctx_in;
//   tcp_congestion_ops (net/ipv4/bpf_tcp_ca.c, the same in 6.12 and 6.18), a TCP congestion
//     control: no test run (the kernel answers -EOPNOTSUPP), so its programs load and verify.
// Used by the verifier's input (src/verify.ts), the helper table (helpers/table.ts helperAllowed),
// the STRUCT_OPS map (maps/struct-ops.ts) and the test run (vm/test-run.ts).
import type { Builder } from './builtin.js';

/** Where a write through a BTF pointer may go (the type's btf_struct_access): `undefined` when
 *  it may, else the verifier's log line. `field(struct, path)` is [offset, end) of a member of a
 *  built-in kernel struct (a dotted path into nested structs). */
export type StructOpsWriteCheck = (struct: string, off: number, size: number, structSize: number, field: (struct: string, path: string) => readonly [number, number]) => string | undefined;

export interface StructOpsType {
  /** Members whose pointer arguments may be NULL: the kernel's cfi stub names them `__nullable`
   *  (member -> argument indexes). */
  nullable: Readonly<Record<string, readonly number[]>>;
  /** The type's check_member, as far as it refuses sleepable programs: the members a sleepable
   *  (struct_ops.s) program may implement (`attach to unsupported member NAME of struct TYPE`).
   *  Absent: no check_member, every member may sleep. */
  sleepable?: readonly string[];
  /** Function-pointer members the kernel's cfi_stubs leave NULL: no program may implement them
   *  (bpf_struct_ops_supported: `attach to unsupported member NAME of struct TYPE`, -ENOTSUPP). */
  unsupported?: readonly string[];
  /** is_valid_access's retyping of an argument's struct (bpf_tcp_ca: sock -> tcp_sock). */
  promote?: Readonly<Record<string, string>>;
  /** btf_struct_access; absent: every write is refused (`only read is supported`). */
  write?: StructOpsWriteCheck;
  /** get_func_proto: whether a program implementing `member` may call the helper `name`; `base`
   *  says the helper is one of bpf_base_func_proto's. Absent: no get_func_proto, no helper. */
  helper?: (name: string, base: boolean, member: string) => boolean;
  /** BPF_PROG_TEST_RUN runs its programs (bpf_struct_ops_test_run). */
  testRun: boolean;
  /** BPF_MAP_UPDATE_ELEM of a map of this type fails with this errno (init_member). */
  updateErrno?: number;
  /** The registration (BPF_MAP_UPDATE_ELEM) of a value of this type: an errno and why, or
   *  undefined when the kernel takes it. `reg` false: a link map's update, which validates only
   *  (the link registers). */
  register?: (v: StructOpsValue, reg?: boolean) => { errno: number; reason: string } | undefined;
}

/** A struct_ops map's value as registration sees it. */
export interface StructOpsValue {
  /** Members the value sets to a program. */
  programs: ReadonlySet<string>;
  /** The non-function members' bytes, by name. */
  data: ReadonlyMap<string, Uint8Array>;
}

// ---- bpf_dummy_ops -----------------------------------------------------------------------------

/** bpf_dummy_ops_btf_struct_access: bpf_dummy_ops_state only, within its size. */
const dummyWrite: StructOpsWriteCheck = (struct, off, size, structSize) => {
  if (struct !== 'bpf_dummy_ops_state') return 'only access to bpf_dummy_ops_state is supported';
  if (off + size > structSize) return `write access at off ${off} with size ${size}`;
  return undefined;
};

// ---- tcp_congestion_ops ------------------------------------------------------------------------

/** bpf_tcp_ca_btf_struct_access: writes to a tcp_sock only, each starting at one of these
 *  fields (icsk_ca_priv anywhere inside) and ending within it. */
const TCP_CA_WRITABLE: readonly (readonly [struct: string, path: string, anywhere?: boolean])[] = [
  ['sock', 'sk_pacing_rate'], ['sock', 'sk_pacing_status'], ['inet_connection_sock', 'icsk_ca_priv', true],
  ['inet_connection_sock', 'icsk_ack.pending'], ['tcp_sock', 'snd_cwnd'], ['tcp_sock', 'snd_cwnd_cnt'],
  ['tcp_sock', 'snd_cwnd_stamp'], ['tcp_sock', 'snd_ssthresh'], ['tcp_sock', 'ecn_flags'], ['tcp_sock', 'app_limited'],
];

const tcpCaWrite: StructOpsWriteCheck = (struct, off, size, _structSize, field) => {
  if (struct !== 'tcp_sock') return 'only read is supported';
  for (const [s, path, anywhere] of TCP_CA_WRITABLE) {
    const [start, end] = field(s, path);
    if (off === start || (anywhere && off > start && off < end)) {
      return off + size > end ? `write access at off ${off} with size ${size} beyond the member of tcp_sock ended at ${end}` : undefined;
    }
  }
  return `no write support to tcp_sock at off ${off}`;
};

/** bpf_tcp_ca_get_func_proto: its own helpers, setsockopt/getsockopt except in release (which
 *  runs as the congestion control retires), then bpf_base_func_proto. */
const TCP_CA_OWN = new Set(['tcp_send_ack', 'sk_storage_get', 'sk_storage_delete', 'ktime_get_coarse_ns']);
const tcpCaHelper = (name: string, base: boolean, member: string): boolean => {
  if (name === 'setsockopt' || name === 'getsockopt') return member !== 'release';
  return TCP_CA_OWN.has(name) || base;
};

/** TCP_CONG_MASK (include/net/tcp.h): TCP_CONG_NON_RESTRICTED | TCP_CONG_NEEDS_ECN. */
const TCP_CONG_MASK = 0x3;
const TCP_CA_NAME_MAX = 16;
/** The congestion controls a kernel has registered already (tcp_register_congestion_control
 *  refuses a second one of the same name: -EEXIST): reno always, cubic as distributions build it. */
const BUILTIN_TCP_CA = new Set(['reno', 'cubic']);

/** bpf_tcp_ca_init_member (flags, name), then tcp_validate_congestion_control and
 *  tcp_register_congestion_control. */
function tcpCaRegister(v: StructOpsValue, reg = true): { errno: number; reason: string } | undefined {
  const flags = v.data.get('flags');
  if (flags && new DataView(flags.buffer, flags.byteOffset, 4).getUint32(0, true) & ~TCP_CONG_MASK) return { errno: 22, reason: 'flags has bits outside TCP_CONG_MASK' };
  const raw = v.data.get('name') ?? new Uint8Array(TCP_CA_NAME_MAX);
  // bpf_obj_name_cpy: NUL-terminated within the array, not empty, [A-Za-z0-9_.] only
  const nul = raw.indexOf(0);
  const name = new TextDecoder().decode(raw.subarray(0, nul < 0 ? raw.length : nul));
  if (nul <= 0 || !/^[A-Za-z0-9_.]+$/.test(name)) return { errno: 22, reason: `name must be 1 to ${TCP_CA_NAME_MAX - 1} characters of [A-Za-z0-9_.], NUL-terminated` };
  // tcp_validate_congestion_control: "%s does not implement required ops"
  if (!v.programs.has('ssthresh') || !v.programs.has('undo_cwnd') || !(v.programs.has('cong_avoid') || v.programs.has('cong_control'))) {
    return { errno: 22, reason: `${name} does not implement required ops (ssthresh, undo_cwnd, and cong_avoid or cong_control)` };
  }
  if (reg && BUILTIN_TCP_CA.has(name)) return { errno: 17, reason: `${name} already registered` };
  return undefined;
}

export const STRUCT_OPS_TYPES: Readonly<Record<string, StructOpsType>> = {
  // bpf_dummy_ops__test_1(struct bpf_dummy_ops_state *cb__nullable); init_member is -EOPNOTSUPP;
  // bpf_dummy_verifier_ops has no get_func_proto.
  bpf_dummy_ops: { nullable: { test_1: [0] }, sleepable: ['test_sleepable'], write: dummyWrite, testRun: true, updateErrno: 95 },
  tcp_congestion_ops: {
    nullable: {}, unsupported: ['get_info'], promote: { sock: 'tcp_sock' }, write: tcpCaWrite, helper: tcpCaHelper, testRun: false, register: tcpCaRegister,
  },
};

export function declareStructOpsStructs(b: Builder): void {
  b.struct('bpf_dummy_ops_state', [['int', 'val']]);
  b.struct('bpf_dummy_ops', [
    ['int (*)(struct bpf_dummy_ops_state *)', 'test_1'],
    ['int (*)(struct bpf_dummy_ops_state *, int, unsigned short, char, unsigned long)', 'test_2'],
    ['int (*)(struct bpf_dummy_ops_state *)', 'test_sleepable'],
  ]);

  // include/net/tcp.h as of 6.18 (the host's BTF): the member callbacks' argument structs and
  // struct tcp_congestion_ops itself, in the kernel's order (a member's index is what a
  // program's expected_attach_type names).
  b.struct('ack_sample', [['u32', 'pkts_acked'], ['s32', 'rtt_us'], ['u32', 'in_flight']]);
  b.struct('rate_sample', [
    ['u64', 'prior_mstamp'], ['u32', 'prior_delivered'], ['u32', 'prior_delivered_ce'], ['s32', 'delivered'], ['s32', 'delivered_ce'],
    ['long', 'interval_us'], ['u32', 'snd_interval_us'], ['u32', 'rcv_interval_us'], ['long', 'rtt_us'], ['int', 'losses'], ['u32', 'acked_sacked'],
    ['u32', 'prior_in_flight'], ['u32', 'last_end_seq'], ['bool', 'is_app_limited'], ['bool', 'is_retrans'], ['bool', 'is_ack_delayed'],
  ]);
  b.enumType('tcp_ca_event', [['CA_EVENT_TX_START', 0], ['CA_EVENT_CWND_RESTART', 1], ['CA_EVENT_COMPLETE_CWR', 2], ['CA_EVENT_LOSS', 3], ['CA_EVENT_ECN_NO_CE', 4], ['CA_EVENT_ECN_IS_CE', 5]]);
  b.struct('tcp_congestion_ops', [
    ['u32 (*)(struct sock *)', 'ssthresh'],
    ['void (*)(struct sock *, u32, u32)', 'cong_avoid'],
    ['void (*)(struct sock *, u8)', 'set_state'],
    ['void (*)(struct sock *, enum tcp_ca_event)', 'cwnd_event'],
    ['void (*)(struct sock *, u32)', 'in_ack_event'],
    ['void (*)(struct sock *, const struct ack_sample *)', 'pkts_acked'],
    ['u32 (*)(struct sock *)', 'min_tso_segs'],
    ['void (*)(struct sock *, u32, int, const struct rate_sample *)', 'cong_control'],
    ['u32 (*)(struct sock *)', 'undo_cwnd'],
    ['u32 (*)(struct sock *)', 'sndbuf_expand'],
    ['size_t (*)(struct sock *, u32, int *, union tcp_cc_info *)', 'get_info'],
    ['char', 'name', 16],
    ['struct module *', 'owner'],
    ['struct list_head', 'list'],
    ['u32', 'key'],
    ['u32', 'flags'],
    ['void (*)(struct sock *)', 'init'],
    ['void (*)(struct sock *)', 'release'],
  ], { align: 64 });
}
