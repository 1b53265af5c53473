// The runtime's sockets (issue 13: "sockets from a small socket table the user describes"). A
// socket is a `struct bpf_sock` image in arena memory (read-only to programs) plus what the kernel
// keeps beside it: a file descriptor user space names it by, a cookie, and its lifetime. An AF_XDP
// socket (proto 'xdp', the only kind an xskmap takes) is a `struct bpf_xdp_sock` image instead,
// which is all a program sees of it (PTR_TO_XDP_SOCK: the queue it is bound to). Two kinds:
//   - described sockets: RuntimeOptions.sockets (or `add`), alive as long as the runtime; user
//     space names them by fd in map operations (sk_storage keys, sockmap values), as the kernel's
//     syscalls take a socket fd;
//   - run sockets: the fresh, unconnected socket a skb test run attaches (net/bpf/test_run.c
//     sk_alloc ... sk_free); it has no fd and goes away when the run ends.
// When a socket goes away, every owner-keyed storage (sk_storage maps) drops what it held for it,
// as the kernel's __sk_destruct calls bpf_sk_storage_free.

import { UsageError } from '../src/errors.js';
import { BPF_SOCK, field } from './contexts.js';
import { MemFlag, type Arena } from './memory.js';

export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
/** PF_XDP, and the SOCK_RAW type an AF_XDP socket has. */
export const AF_XDP = 44;
export const SOCK_RAW = 3;
/** sizeof(struct bpf_xdp_sock) (uapi): one __u32, queue_id. */
export const BPF_XDP_SOCK_SIZE = 4;

/** TCP states (include/net/tcp_states.h), the names a description may use. */
export const TcpState = {
  established: 1,
  syn_sent: 2,
  syn_recv: 3,
  fin_wait1: 4,
  fin_wait2: 5,
  time_wait: 6,
  close: 7,
  close_wait: 8,
  last_ack: 9,
  listen: 10,
  closing: 11,
  new_syn_recv: 12,
} as const;

/** What a user describes about a socket (library option `sockets`, CLI `--sockets file.json`). */
export interface SocketDesc {
  /** 'tcp' (SOCK_STREAM, IPPROTO_TCP, the default), 'udp' (SOCK_DGRAM, IPPROTO_UDP) or 'xdp' (an
   *  AF_XDP socket, SOCK_RAW: no addresses, ports or state; see `queueId`). */
  proto?: 'tcp' | 'udp' | 'xdp';
  /** 4 (default) or 6. */
  family?: 4 | 6;
  /** Local and remote address: dotted IPv4 or full/compressed IPv6 text. Default all zeros. */
  src?: string;
  dst?: string;
  /** Local and remote port (host order). Default 0. */
  srcPort?: number;
  dstPort?: number;
  /** A TcpState name or number. Default 'established' for tcp, 'close' (7) for udp as the
   *  kernel reports an unconnected UDP socket. */
  state?: keyof typeof TcpState | number;
  /** The fd user space names it by; default the next free one from 3 up. */
  fd?: number;
  /** SO_REUSEPORT: a listening TCP or bound UDP socket with it belongs to a reuseport group
   *  (what a BPF_MAP_TYPE_REUSEPORT_SOCKARRAY holds). Default false. */
  reuseport?: boolean;
  /** 'xdp' only: the device queue it is bound to, what bpf_xdp_sock.queue_id reads (default 0, as
   *  the kernel reads for an unbound socket). */
  queueId?: number;
}

export interface Socket {
  /** Arena address of its struct bpf_sock (what a program's socket pointer holds). */
  readonly addr: number;
  /** User-space fd, or undefined for a run socket. */
  readonly fd: number | undefined;
  readonly cookie: bigint;
  readonly family: number;
  readonly type: number;
  readonly protocol: number;
  readonly state: number;
  /** Local port (host order); 0 when unbound. */
  readonly srcPort: number;
  /** SO_REUSEPORT was set (SocketDesc.reuseport). */
  readonly reuseport?: boolean;
  /** AF_XDP sockets: the queue they are bound to. */
  readonly queueId?: number;
}

/** What the kernel struct image of a socket is made from (src/btf/kernel-socks.ts): the socket
 *  and its struct bpf_sock image's fields. Addresses in network order. */
export interface SocketView {
  family: number;
  type: number;
  protocol: number;
  state: number;
  /** Local port, host order (bpf_sock.src_port); remote port, host order. */
  srcPort: number;
  dstPort: number;
  boundDevIf: number;
  mark: number;
  priority: number;
  src4: Uint8Array;
  dst4: Uint8Array;
  src6: Uint8Array;
  dst6: Uint8Array;
  cookie: bigint;
}

/** Where sockets' kernel structs go: kernel memory and the image maker (the runtime wires
 *  src/btf/kernel-socks.ts in; vm/ does not read BTF). */
export interface SocketKernelView {
  map(addr: bigint, bytes: Uint8Array): void;
  image(s: SocketView, kaddr: bigint): Uint8Array;
}

/** Kernel addresses of the sockets' kernel structs: one 8 KiB slot each (tcp6_sock, the largest,
 *  is under 2 KiB), in the direct map after the task model's cgroups. */
export const SOCK_KERNEL_BASE = 0xffff888000a00000n;
const SOCK_KERNEL_SLOT = 0x2000n;
/** Most sockets with a kernel image at once (a run socket's slot is reused after its run). */
export const MAX_KERNEL_SOCKETS = 4096;
/** What a socket's sk_user_data may hold (SocketTable.claimUserData). */
export type UserDataKind = 'psock' | 'reuseport';
const EBUSY = 16;

/** Something that keeps data per socket and must drop it when the socket goes away. */
export interface SocketStorageOwner {
  socketClosed(sock: Socket): void;
}

/** sizeof(struct bpf_tcp_sock) (uapi): 24 u32 and 2 u64 fields. */
export const BPF_TCP_SOCK_SIZE = 112;
/** net.core.optmem_max (131072 on the 6.18 host): what one socket's storage may take. */
export const OPTMEM_MAX = 131072;
/** sizeof(struct bpf_local_storage) on x86-64, charged with a socket's first storage value. */
export const LOCAL_STORAGE_SIZE = 176;

export class SocketTable {
  /** Option memory each socket has charged (sk->sk_omem_alloc) and its number of storage values. */
  private readonly omem = new Map<Socket, { bytes: number; values: number }>();
  private readonly byAddr = new Map<number, Socket>();
  private readonly tcpImages = new Map<Socket, number>();
  private readonly byFdMap = new Map<number, Socket>();
  private readonly storages = new Set<SocketStorageOwner>();
  private nextCookie = 1n;
  /** Kernel struct images: socket -> kernel address, and back; free slots for reuse. */
  private readonly kaddrs = new Map<Socket, bigint>();
  private readonly byKaddr = new Map<bigint, Socket>();
  private readonly freeSlots: bigint[] = [];
  private nextSlot = 0;
  /** What each socket's sk_user_data holds: the sockmap psock (one per socket, shared by every
   *  sockmap and sockhash slot that holds it, so counted) or a reuseport array slot. */
  private readonly userData = new Map<Socket, { kind: UserDataKind; refs: number }>();

  constructor(
    private readonly arena: Arena,
    private readonly kernel?: SocketKernelView,
  ) {}

  /** The kernel address of the socket's kernel struct (bpf_skc_to_*'s result), its image made and
   *  mapped on first use from the socket's bpf_sock image; undefined without a kernel view. */
  kernelAddress(sock: Socket): bigint | undefined {
    const known = this.kaddrs.get(sock);
    if (known !== undefined || !this.kernel || this.byAddr.get(sock.addr) !== sock) return known;
    let k = this.freeSlots.pop();
    if (k === undefined) {
      if (this.nextSlot >= MAX_KERNEL_SOCKETS) throw new UsageError(`sockets: more than ${MAX_KERNEL_SOCKETS} sockets with a kernel struct at once`);
      k = SOCK_KERNEL_BASE + BigInt(this.nextSlot++) * SOCK_KERNEL_SLOT;
    }
    this.kernel.map(k, this.kernel.image(this.view(sock), k));
    this.kaddrs.set(sock, k);
    this.byKaddr.set(k, sock);
    return k;
  }

  /** The socket whose kernel struct is at `kaddr`, if any. */
  byKernelAddress(kaddr: bigint): Socket | undefined {
    return this.byKaddr.get(kaddr);
  }

  /** What the socket's bpf_sock image says, for its kernel image. */
  private view(sock: Socket): SocketView {
    const dv = this.arena.dv;
    const at = (name: string): number => sock.addr + field(BPF_SOCK, name).offset;
    return {
      family: dv.getUint32(at('family'), true),
      type: dv.getUint32(at('type'), true),
      protocol: dv.getUint32(at('protocol'), true),
      state: dv.getUint32(at('state'), true),
      srcPort: dv.getUint32(at('src_port'), true) & 0xffff,
      dstPort: dv.getUint16(at('dst_port'), false),
      boundDevIf: dv.getUint32(at('bound_dev_if'), true),
      mark: dv.getUint32(at('mark'), true),
      priority: dv.getUint32(at('priority'), true),
      src4: this.arena.read(at('src_ip4'), 4),
      dst4: this.arena.read(at('dst_ip4'), 4),
      src6: this.arena.read(at('src_ip6'), 16),
      dst6: this.arena.read(at('dst_ip6'), 16),
      cookie: sock.cookie,
    };
  }

  /** Add a described socket; returns it (its fd names it to user space). */
  add(desc: SocketDesc): Socket {
    const where = `socket ${JSON.stringify(desc)}`;
    const proto = desc.proto ?? 'tcp';
    if (proto !== 'tcp' && proto !== 'udp' && proto !== 'xdp') throw new UsageError(`${where}: proto must be 'tcp', 'udp' or 'xdp'`);
    if (proto === 'xdp') return this.addXdp(desc, where);
    if (desc.queueId !== undefined) throw new UsageError(`${where}: queueId is for 'xdp' (AF_XDP) sockets`);
    const family = desc.family ?? 4;
    if (family !== 4 && family !== 6) throw new UsageError(`${where}: family must be 4 or 6`);
    const fd = this.freeFd(desc.fd, where);
    const state = typeof desc.state === 'number' ? desc.state : TcpState[desc.state ?? (proto === 'tcp' ? 'established' : 'close')];
    if (state === undefined || !Number.isInteger(state) || state < 1 || state > 12) throw new UsageError(`${where}: unknown TCP state ${String(desc.state)}`);
    if (desc.reuseport !== undefined && typeof desc.reuseport !== 'boolean') throw new UsageError(`${where}: reuseport must be true or false`);
    for (const p of [desc.srcPort, desc.dstPort]) if (p !== undefined && (!Number.isInteger(p) || p < 0 || p > 0xffff)) throw new UsageError(`${where}: ports must be 0..65535`);
    const src = parseAddr(desc.src, family, where);
    const dst = parseAddr(desc.dst, family, where);
    const addr = this.arena.allocRegion(BPF_SOCK.size, MemFlag.READ, 'other', `socket fd ${fd}`);
    const dv = this.arena.dv;
    const at = (name: string): number => addr + field(BPF_SOCK, name).offset;
    dv.setUint32(at('family'), family === 4 ? AF_INET : AF_INET6, true);
    dv.setUint32(at('type'), proto === 'tcp' ? SOCK_STREAM : SOCK_DGRAM, true);
    dv.setUint32(at('protocol'), proto === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP, true);
    this.arena.write(family === 4 ? at('src_ip4') : at('src_ip6'), src);
    this.arena.write(family === 4 ? at('dst_ip4') : at('dst_ip6'), dst);
    // bpf_sock.src_port is host order, dst_port network order (uapi)
    dv.setUint32(at('src_port'), desc.srcPort ?? 0, true);
    dv.setUint16(at('dst_port'), desc.dstPort ?? 0, false);
    dv.setUint32(at('state'), state, true);
    dv.setInt32(at('rx_queue_mapping'), -1, true);
    const sock: Socket = {
      addr,
      fd,
      cookie: this.nextCookie++,
      family: family === 4 ? AF_INET : AF_INET6,
      type: proto === 'tcp' ? SOCK_STREAM : SOCK_DGRAM,
      protocol: proto === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP,
      state,
      srcPort: desc.srcPort ?? 0,
      reuseport: desc.reuseport === true,
    };
    this.byAddr.set(addr, sock);
    this.byFdMap.set(fd, sock);
    return sock;
  }

  /** An AF_XDP socket: a read-only struct bpf_xdp_sock (queue_id) under a fd. It has no address,
   *  port or TCP state, so a description giving one is refused rather than ignored. */
  private addXdp(desc: SocketDesc, where: string): Socket {
    const extra = (['family', 'src', 'dst', 'srcPort', 'dstPort', 'state', 'reuseport'] as const).find((k) => desc[k] !== undefined);
    if (extra !== undefined) throw new UsageError(`${where}: an 'xdp' (AF_XDP) socket has no ${extra}`);
    const queueId = desc.queueId ?? 0;
    if (!Number.isInteger(queueId) || queueId < 0 || queueId > 0xffffffff) throw new UsageError(`${where}: queueId must be 0..4294967295`);
    const fd = this.freeFd(desc.fd, where);
    const addr = this.arena.allocRegion(BPF_XDP_SOCK_SIZE, MemFlag.READ, 'other', `xdp socket fd ${fd}`);
    this.arena.dv.setUint32(addr, queueId, true);
    const sock: Socket = { addr, fd, cookie: this.nextCookie++, family: AF_XDP, type: SOCK_RAW, protocol: 0, state: TcpState.close, srcPort: 0, queueId };
    this.byAddr.set(addr, sock);
    this.byFdMap.set(fd, sock);
    return sock;
  }

  private freeFd(want: number | undefined, where: string): number {
    let fd = want;
    if (fd === undefined) for (fd = 3; this.byFdMap.has(fd); fd++);
    if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) throw new UsageError(`${where}: fd must be a non-negative int`);
    if (this.byFdMap.has(fd)) throw new UsageError(`${where}: fd ${fd} is already taken`);
    return fd;
  }

  /** Register the socket image a test run built at `addr` (no fd); `close` ends it. */
  openRunSocket(addr: number, family: number, state: number): Socket {
    // sk_alloc(AF_UNSPEC, &bpf_dummy_proto): no protocol, unbound
    const sock: Socket = { addr, fd: undefined, cookie: this.nextCookie++, family, type: SOCK_STREAM, protocol: 0, state, srcPort: 0 };
    this.byAddr.set(addr, sock);
    return sock;
  }

  /** The socket a program's pointer designates (its bpf_sock address), if any. */
  byAddress(addr: number): Socket | undefined {
    return this.byAddr.get(addr);
  }

  /** The described socket with this fd, if any. */
  byFd(fd: number): Socket | undefined {
    return this.byFdMap.get(fd);
  }

  /** Every described socket, by fd. */
  described(): Socket[] {
    return [...this.byFdMap.values()].sort((a, b) => a.fd! - b.fd!);
  }

  /** The read-only `struct bpf_tcp_sock` image of a TCP socket (bpf_tcp_sock), made on first
   *  use: every field 0, as ebpfvm keeps no TCP state (congestion window, sequence numbers). */
  tcpSockImage(sock: Socket): number {
    let a = this.tcpImages.get(sock);
    if (a === undefined) {
      a = this.arena.allocRegion(BPF_TCP_SOCK_SIZE, MemFlag.READ, 'other', `bpf_tcp_sock of fd ${sock.fd ?? '-'}`);
      this.tcpImages.set(sock, a);
    }
    return a;
  }

  /** Take the socket's sk_user_data for a sockmap psock or a reuseport array slot: 0, or -EBUSY
   *  when it holds the other kind (sk_psock_init, reuseport_array_update_check) or, for a
   *  reuseport slot, any (one slot per socket). psock claims add up; each ends with a release. */
  claimUserData(sock: Socket, kind: UserDataKind): number {
    const d = this.userData.get(sock);
    if (!d) {
      this.userData.set(sock, { kind, refs: 1 });
      return 0;
    }
    if (d.kind !== kind || kind === 'reuseport') return -EBUSY;
    d.refs++;
    return 0;
  }

  releaseUserData(sock: Socket, kind: UserDataKind): void {
    const d = this.userData.get(sock);
    if (d?.kind === kind && --d.refs === 0) this.userData.delete(sock);
  }

  /** The socket is aborted (bpf_sock_destroy: tcp_abort / udp_abort): it goes to TCP_CLOSE, in its
   *  bpf_sock image and in its kernel struct if one was made. */
  abort(sock: Socket): void {
    if (this.byAddr.get(sock.addr) !== sock) return;
    (sock as { state: number }).state = TcpState.close;
    if (this.arena.canAccess(sock.addr + field(BPF_SOCK, 'state').offset, 4, false)) this.arena.dv.setUint32(sock.addr + field(BPF_SOCK, 'state').offset, TcpState.close, true);
    const k = this.kaddrs.get(sock);
    if (k !== undefined && this.kernel) this.kernel.map(k, this.kernel.image(this.view(sock), k));
  }

  /** The socket goes away: storages drop what they held for it; a described socket's image is
   *  freed (a run socket's belongs to its test run). */
  close(sock: Socket): void {
    if (this.byAddr.get(sock.addr) !== sock) return;
    const tcp = this.tcpImages.get(sock);
    if (tcp !== undefined) this.arena.free(tcp);
    this.tcpImages.delete(sock);
    for (const s of this.storages) s.socketClosed(sock);
    this.userData.delete(sock);
    this.omem.delete(sock);
    const k = this.kaddrs.get(sock);
    if (k !== undefined) {
      // The slot's bytes stay mapped until reused: a stale pointer reads the old socket, as a
      // freed kernel socket would be read through PROBE_MEM.
      this.kaddrs.delete(sock);
      this.byKaddr.delete(k);
      this.freeSlots.push(k);
    }
    this.byAddr.delete(sock.addr);
    if (sock.fd !== undefined) {
      this.byFdMap.delete(sock.fd);
      this.arena.free(sock.addr);
    }
  }

  /** bpf_sk_storage_charge for one storage value of `bytes` (plus the socket's
   *  bpf_local_storage with its first value): 0 or -ENOMEM, as sock_kmalloc's limit. */
  chargeStorage(sock: Socket, bytes: number): number {
    const c = this.omem.get(sock) ?? { bytes: 0, values: 0 };
    const add = (n: number): boolean => {
      if (n <= OPTMEM_MAX && c.bytes + n < OPTMEM_MAX) {
        c.bytes += n;
        return true;
      }
      return false;
    };
    if (c.values === 0 && !add(LOCAL_STORAGE_SIZE)) return -12;
    if (!add(bytes)) {
      if (c.values === 0) c.bytes -= LOCAL_STORAGE_SIZE;
      return -12;
    }
    c.values++;
    this.omem.set(sock, c);
    return 0;
  }

  uncharge(sock: Socket, bytes: number): void {
    const c = this.omem.get(sock);
    if (!c) return;
    c.bytes -= bytes;
    if (--c.values === 0) this.omem.delete(sock);
  }

  watch(owner: SocketStorageOwner): void {
    this.storages.add(owner);
  }

  unwatch(owner: SocketStorageOwner): void {
    this.storages.delete(owner);
  }
}

/** Address text to network-order bytes (4 or 16); undefined gives zeros. */
function parseAddr(text: string | undefined, family: 4 | 6, where: string): Uint8Array {
  const out = new Uint8Array(family === 4 ? 4 : 16);
  if (text === undefined) return out;
  // (a description read from JSON may hold anything there)
  if (typeof text !== 'string') throw new UsageError(`${where}: ${JSON.stringify(text)} is not an IPv${family} address (a string)`);
  if (family === 4) {
    const parts = text.split('.');
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new UsageError(`${where}: '${text}' is not an IPv4 address`);
    parts.forEach((p, i) => (out[i] = Number(p)));
    return out;
  }
  const halves = text.split('::');
  if (halves.length > 2) throw new UsageError(`${where}: '${text}' is not an IPv6 address`);
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) throw new UsageError(`${where}: '${text}' is not an IPv6 address`);
  const all = [...head, ...Array<string>(fill).fill('0'), ...tail];
  all.forEach((g, i) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new UsageError(`${where}: '${text}' is not an IPv6 address`);
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}
