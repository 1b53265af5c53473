// The kernel view of the runtime's sockets: for each socket of vm/sockets.ts, the image of the
// kernel struct it is (tcp_sock, tcp6_sock, udp_sock, udp6_sock, tcp_request_sock,
// tcp_timewait_sock, or a bare sock for a test run's protocol-less socket), laid out from the
// built-in BTF (src/btf/builtin-net.ts) and filled from the socket's struct bpf_sock image, so the
// two views agree: skc_family is bpf_sock.family, skc_num its src_port, skc_dport its dst_port,
// inet_sport the local port in network order, pinet6 points at the tcp6/udp6 sock's inet6, and so
// on. What ebpfvm does not model stays 0 (TCP's windows and counters, buffer sizes, timers;
// sk_socket is NULL: there is no struct socket or file), as the struct bpf_tcp_sock image is.
//
// The image lives in kernel memory at the socket's kernel address (vm/sockets.ts hands out the
// addresses): that is what bpf_skc_to_* return and BTF-typed loads read; the uapi pointer of the
// same socket (ctx->sk, bpf_sk_lookup_tcp's result) is its bpf_sock image in the arena.
import { BtfKind, type Btf } from './btf.js';
import { builtinBtf } from './builtin.js';
import { AF_INET6, IPPROTO_TCP, IPPROTO_UDP, SOCK_DGRAM, TcpState, type SocketView } from '../../vm/sockets.js';

const SYSCTL_RMEM_DEFAULT = 212992;
const SYSCTL_WMEM_DEFAULT = 212992;
/** LONG_MAX: a socket's timeouts until SO_RCVTIMEO/SO_SNDTIMEO set them. */
const MAX_SCHEDULE_TIMEOUT = 0x7fffffffffffffffn;

/** Which kernel struct a socket is, and the path from it to its struct sock_common and (for a
 *  full socket) to its struct sock and inet_sock. */
interface Shape {
  struct: string;
  common: string;
  sock?: string;
  inet?: string;
  inet6?: string;
}

function shapeOf(s: SocketView): Shape {
  const v6 = s.family === AF_INET6;
  if (s.protocol === IPPROTO_TCP) {
    if (s.state === TcpState.time_wait) return { struct: 'tcp_timewait_sock', common: 'tw_sk.__tw_common' };
    if (s.state === TcpState.new_syn_recv) return { struct: 'tcp_request_sock', common: 'req.req.__req_common' };
    const p = v6 ? 'tcp.' : '';
    return { struct: v6 ? 'tcp6_sock' : 'tcp_sock', common: `${p}inet_conn.icsk_inet.sk.__sk_common`, sock: `${p}inet_conn.icsk_inet.sk`, inet: `${p}inet_conn.icsk_inet`, ...(v6 ? { inet6: 'inet6' } : {}) };
  }
  if (s.protocol === IPPROTO_UDP && s.type === SOCK_DGRAM) {
    const p = v6 ? 'udp.' : '';
    return { struct: v6 ? 'udp6_sock' : 'udp_sock', common: `${p}inet.sk.__sk_common`, sock: `${p}inet.sk`, inet: `${p}inet`, ...(v6 ? { inet6: 'inet6' } : {}) };
  }
  // sk_alloc(..., &bpf_dummy_proto): a test run's socket is a plain struct sock.
  return { struct: 'sock', common: '__sk_common', sock: '' };
}

/** Byte offset and size of a dotted member path, descending anonymous members by name (as CO-RE
 *  and the kernel's accessor macros do: sk_daddr is __sk_common.<anon>.<anon>.skc_daddr). */
function offsetOf(btf: Btf, struct: string, path: string): { offset: number; size: number } {
  let t = btf.find(struct, BtfKind.STRUCT)[0]!;
  let offset = 0;
  let size = btf.sizeof(t.id);
  const find = (typeId: number, name: string): { off: number; type: number } | undefined => {
    const ty = btf.resolve(typeId);
    for (const m of ty.members ?? []) {
      if (m.name === name) return { off: m.bitOffset / 8, type: m.type };
      if (m.name === '') {
        const inner = find(m.type, name);
        if (inner) return { off: m.bitOffset / 8 + inner.off, type: inner.type };
      }
    }
    return undefined;
  };
  for (const name of path === '' ? [] : path.split('.')) {
    const m = find(t.id, name);
    if (!m) throw new Error(`kernel socket image: struct ${struct} has no member ${path}`);
    offset += m.off;
    size = btf.sizeof(m.type);
    t = btf.resolve(m.type);
  }
  return { offset, size };
}

/** The kernel struct image of socket `s` placed at `kaddr`: the struct's name and bytes. */
export function socketKernelImage(s: SocketView, kaddr: bigint, btf: Btf = builtinBtf()): { struct: string; bytes: Uint8Array } {
  const shape = shapeOf(s);
  const size = btf.sizeof(btf.find(shape.struct, BtfKind.STRUCT)[0]!.id);
  const bytes = new Uint8Array(size);
  const dv = new DataView(bytes.buffer);
  const at = (base: string | undefined, name: string) => offsetOf(btf, shape.struct, base ? `${base}.${name}` : name);
  const put = (base: string | undefined, name: string, v: number | bigint, bigEndian = false): void => {
    const { offset, size: n } = at(base, name);
    const x = BigInt.asUintN(n * 8, BigInt(v));
    for (let i = 0; i < n; i++) dv.setUint8(offset + (bigEndian ? n - 1 - i : i), Number((x >> BigInt(8 * i)) & 0xffn));
  };
  const raw = (base: string | undefined, name: string, b: Uint8Array): void => {
    bytes.set(b, at(base, name).offset);
  };
  const c = shape.common;
  raw(c, 'skc_daddr', s.dst4);
  raw(c, 'skc_rcv_saddr', s.src4);
  put(c, 'skc_dport', s.dstPort, true);
  put(c, 'skc_num', s.srcPort);
  put(c, 'skc_family', s.family);
  put(c, 'skc_state', s.state);
  put(c, 'skc_bound_dev_if', s.boundDevIf);
  raw(c, 'skc_v6_daddr', s.dst6);
  raw(c, 'skc_v6_rcv_saddr', s.src6);
  put(c, 'skc_cookie', s.cookie);
  // NO_QUEUE_MAPPING (USHRT_MAX): nothing recorded, as bpf_sock.rx_queue_mapping's -1 says
  put(c, 'skc_tx_queue_mapping', 0xffff);
  put(c, 'skc_rx_queue_mapping', 0xffff);
  put(c, 'skc_refcnt', 1);
  if (shape.sock !== undefined) {
    // sock_init_data's defaults (net.core.rmem_default / wmem_default are 212992 on the host)
    put(shape.sock, 'sk_rcvbuf', SYSCTL_RMEM_DEFAULT);
    put(shape.sock, 'sk_sndbuf', SYSCTL_WMEM_DEFAULT);
    put(shape.sock, 'sk_rcvlowat', 1);
    put(shape.sock, 'sk_rcvtimeo', MAX_SCHEDULE_TIMEOUT);
    put(shape.sock, 'sk_sndtimeo', MAX_SCHEDULE_TIMEOUT);
    put(shape.sock, 'sk_pacing_rate', ~0n);
    put(shape.sock, 'sk_max_pacing_rate', ~0n);
    put(shape.sock, 'sk_pacing_shift', 10);
    put(c, 'skc_incoming_cpu', -1);
    put(shape.sock, 'sk_type', s.type);
    put(shape.sock, 'sk_protocol', s.protocol);
    put(shape.sock, 'sk_mark', s.mark);
    put(shape.sock, 'sk_priority', s.priority);
  }
  if (shape.inet) {
    raw(shape.inet, 'inet_saddr', s.src4);
    put(shape.inet, 'inet_sport', s.srcPort, true);
  }
  if (shape.inet6) {
    raw(shape.inet6, 'saddr', s.src6);
    put(shape.inet, 'pinet6', kaddr + BigInt(at(undefined, shape.inet6).offset));
  }
  if (shape.struct === 'tcp_timewait_sock') {
    put('tw_sk', 'tw_substate', TcpState.time_wait);
    put('tw_sk', 'tw_sport', s.srcPort, true);
  }
  return { struct: shape.struct, bytes };
}
