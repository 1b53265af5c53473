// The kernel objects the built-in BTF describes, as bytes in the runtime's kernel-memory view
// (DESIGN section 2): the current task (what bpf_get_current_task{,_btf} return) with its cred,
// init_task (its parent, and a typed __ksym), and nr_cpu_ids. Images are laid out from the
// built-in BTF itself, so a program's BTF-typed load of `task->pid` and the image always agree.
// Addresses look like x86-64 kernel addresses (direct map / kernel image) so they are never arena
// addresses or handles; user --kmem entries mapped later overwrite any of these bytes.
import { BtfKind, type Btf } from './btf.js';
import { builtinBtf } from './builtin.js';

import { INIT_NET_ADDR, INIT_NET_INUM, LO_DEV_ADDR, LO_RXQ_ADDR, CURRENT_TASK_ADDR, CURRENT_CRED_ADDR, INIT_TASK_ADDR, INIT_CRED_ADDR, NR_CPU_IDS_ADDR, CURRENT_STACK_ADDR, INIT_STACK_ADDR, THREAD_SIZE, PT_REGS_SIZE } from './builtin-addrs.js';
export { CURRENT_TASK_ADDR, CURRENT_CRED_ADDR, INIT_TASK_ADDR, INIT_CRED_ADDR, NR_CPU_IDS_ADDR, CURRENT_STACK_ADDR, INIT_STACK_ADDR };

/** Where task_pt_regs(task) is for a task whose `stack` field holds `stack`. */
export function ptRegsOf(stack: bigint): bigint {
  return stack + THREAD_SIZE - PT_REGS_SIZE;
}

/** What the VM knows about the task a run executes as (RuntimeOptions.task). */
export interface KernelTaskInfo {
  pid: number;
  tgid: number;
  uid: number;
  gid: number;
  comm: string;
}

/** Byte offset and size of a dotted member path ("thread_info.cpu", "uid.val") in a struct. */
export function memberOffset(btf: Btf, struct: string, path: string): { offset: number; size: number } {
  const [offset, end] = btf.memberRange(struct, path, 'builtin');
  return { offset, size: end - offset };
}

/** The bytes of one kernel struct, filled member by member (dotted paths). */
export class Image {
  readonly bytes: Uint8Array;
  private readonly dv: DataView;
  /** `size` is larger than the struct for one with a flexible array (cgroup's ancestors[]). */
  constructor(private readonly btf: Btf, private readonly struct: string, size?: number) {
    const t = btf.find(struct, BtfKind.STRUCT)[0]!;
    this.bytes = new Uint8Array(size ?? t.sizeOrType);
    this.dv = new DataView(this.bytes.buffer);
  }
  /** A little-endian value of `size` bytes at a byte offset (flexible array elements). */
  setAt(offset: number, v: number | bigint, size: number): this {
    const x = BigInt.asUintN(64, BigInt(v));
    for (let i = 0; i < size; i++) this.dv.setUint8(offset + i, Number((x >> BigInt(8 * i)) & 0xffn));
    return this;
  }
  set(path: string, v: number | bigint): this {
    const { offset, size } = memberOffset(this.btf, this.struct, path);
    const x = BigInt.asUintN(64, BigInt(v));
    for (let i = 0; i < size; i++) this.dv.setUint8(offset + i, Number((x >> BigInt(8 * i)) & 0xffn));
    return this;
  }
  str(path: string, s: string): this {
    const { offset, size } = memberOffset(this.btf, this.struct, path);
    const enc = new TextEncoder().encode(s).subarray(0, size - 1);
    this.bytes.fill(0, offset, offset + size);
    this.bytes.set(enc, offset);
    return this;
  }
}

export function taskImage(btf: Btf, self: bigint, cred: bigint, parent: bigint, stack: bigint, t: KernelTaskInfo, cpu: number, ncpus: number): Uint8Array {
  // cpus_mask: every possible CPU (bits 0 .. ncpus-1), and cpus_ptr points at it.
  const mask = memberOffset(btf, 'task_struct', 'cpus_mask').offset;
  const img = new Image(btf, 'task_struct');
  for (let i = 0; i < ncpus; i++) img.bytes[mask + (i >> 3)] |= 1 << (i & 7);
  return img
    .set('cpus_ptr', self + BigInt(mask))
    .set('thread_info.cpu', cpu)
    .set('__state', 0) // TASK_RUNNING: it is running this program
    .set('stack', stack)
    .set('usage.refs.counter', 1)
    .set('on_cpu', 1)
    .set('cpu', cpu)
    .set('prio', 120) // the default nice-0 priority
    .set('static_prio', 120)
    .set('normal_prio', 120)
    .set('nr_cpus_allowed', ncpus)
    .set('pid', t.pid)
    .set('tgid', t.tgid)
    .set('real_parent', parent)
    .set('parent', parent)
    .set('group_leader', self)
    .set('real_cred', cred)
    .set('cred', cred)
    .str('comm', t.comm).bytes;
}

export function credImage(btf: Btf, uid: number, gid: number): Uint8Array {
  const img = new Image(btf, 'cred').set('usage.counter', 1);
  for (const k of ['uid', 'suid', 'euid', 'fsuid']) img.set(`${k}.val`, uid);
  for (const k of ['gid', 'sgid', 'egid', 'fsgid']) img.set(`${k}.val`, gid);
  return img.bytes;
}

/** The built-in kernel objects for a runtime: [address, bytes] pairs to map into kernel memory. */
export function builtinKernelImages(task: KernelTaskInfo, ncpus: number, cpu = 0, btf: Btf = builtinBtf()): { addr: bigint; bytes: Uint8Array }[] {
  const nr = new Uint8Array(4);
  new DataView(nr.buffer).setUint32(0, ncpus, true);
  return [
    { addr: CURRENT_TASK_ADDR, bytes: taskImage(btf, CURRENT_TASK_ADDR, CURRENT_CRED_ADDR, INIT_TASK_ADDR, CURRENT_STACK_ADDR, task, cpu, ncpus) },
    { addr: CURRENT_CRED_ADDR, bytes: credImage(btf, task.uid, task.gid) },
    // init_task is its own parent, as in the kernel.
    { addr: INIT_TASK_ADDR, bytes: taskImage(btf, INIT_TASK_ADDR, INIT_CRED_ADDR, INIT_TASK_ADDR, INIT_STACK_ADDR, { pid: 0, tgid: 0, uid: 0, gid: 0, comm: 'swapper/0' }, 0, ncpus) },
    { addr: INIT_CRED_ADDR, bytes: credImage(btf, 0, 0) },
    { addr: NR_CPU_IDS_ADDR, bytes: nr },
    // The saved user registers at the top of each kernel stack (zero until --kmem fills them).
    { addr: ptRegsOf(CURRENT_STACK_ADDR), bytes: new Uint8Array(Number(PT_REGS_SIZE)) },
    { addr: ptRegsOf(INIT_STACK_ADDR), bytes: new Uint8Array(Number(PT_REGS_SIZE)) },
    ...netdevImages(btf),
  ];
}

/** IFF_UP | IFF_LOOPBACK | IFF_RUNNING (0x1 | 0x8 | 0x40) and loopback's 64 KiB MTU. */
const LO_FLAGS = 0x49;
const LO_MTU = 65536;

/** The loopback device, its receive queue 0 and the initial namespace. */
export function netdevImages(btf: Btf): { addr: bigint; bytes: Uint8Array }[] {
  return [
    { addr: LO_DEV_ADDR, bytes: new Image(btf, 'net_device').set('flags', LO_FLAGS).set('mtu', LO_MTU).set('ifindex', 1).set('nd_net.net', INIT_NET_ADDR).str('name', 'lo').bytes },
    { addr: LO_RXQ_ADDR, bytes: new Image(btf, 'xdp_rxq_info').set('dev', LO_DEV_ADDR).set('queue_index', 0).set('reg_state', 1).bytes },
    { addr: INIT_NET_ADDR, bytes: new Image(btf, 'net').set('passive.refs.counter', 1).set('ifindex', 2).set('ns.inum', INIT_NET_INUM).set('ns.count.refs.counter', 1).bytes },
  ];
}

/** Addresses of the typed __ksym variables the built-in BTF declares (VARs). */
export const BUILTIN_KSYMS: Readonly<Record<string, bigint>> = { init_task: INIT_TASK_ADDR, nr_cpu_ids: NR_CPU_IDS_ADDR };

/** Map the built-in kernel objects into a kernel-memory view. */
export function mapBuiltinKernel(kmem: { map(addr: bigint, bytes: Uint8Array): void }, task: KernelTaskInfo, ncpus: number, cpu = 0): void {
  for (const { addr, bytes } of builtinKernelImages(task, ncpus, cpu)) kmem.map(addr, bytes);
}
