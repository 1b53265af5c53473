// The runtime's task and cgroup model: the kernel objects the task and cgroup kfuncs
// (bpf_task_from_pid, bpf_cgroup_from_id, bpf_cgroup_ancestor, ...) find, take references on and
// return. Every task is a task_struct image in the runtime's kernel memory (laid out from the
// built-in BTF by src/btf/builtin-kmem.ts), every cgroup a struct cgroup with its kernfs_node and
// a css_set per cgroup that tasks point to (task->cgroups->dfl_cgrp). Programs only read these
// objects (kernel memory is read-only to them: BTF-typed stores are refused by the verifier and
// fault at run time); the reference counts live in side tables here and are mirrored into the
// images' counter fields (task->rcu_users, cgroup->self is not counted) so a program reading
// `rcu_users` sees the kernel's behaviour.
//
// The default model is the one the runtime always had: the current task (RuntimeOptions.task)
// whose parent is init_task, in the root of a cgroup v2 hierarchy (id 1, level 0). Users add
// tasks (pid, tgid, comm, uid/gid, parent pid, cgroup id) and cgroups (id, parent id, name)
// through RuntimeOptions.kernel / `run --kernel FILE.json`.
import { UsageError } from '../errors.js';
import { BtfKind, type Btf } from './btf.js';
import { builtinBtf } from './builtin.js';
import { CURRENT_TASK_ADDR, INIT_TASK_ADDR } from './builtin-addrs.js';
import { Image, credImage, memberOffset, taskImage, type KernelTaskInfo } from './builtin-kmem.js';

/** A task the user describes (RuntimeOptions.kernel.tasks). */
export interface KernelTaskDesc {
  pid: number;
  /** Default: pid (a thread-group leader). */
  tgid?: number;
  uid?: number;
  gid?: number;
  /** Default: "task<pid>". */
  comm?: string;
  /** Parent's pid: another described task, the current task's pid, or 0 (init_task, the default). */
  ppid?: number;
  /** The cgroup (v2) the task is in, by id. Default: the root cgroup (1). */
  cgroup?: number;
}

/** A cgroup the user describes (RuntimeOptions.kernel.cgroups); the root (id 1) always exists. */
export interface KernelCgroupDesc {
  /** The cgroup id (kernfs node id, what bpf_get_current_cgroup_id returns); > 1. */
  id: number;
  /** Parent cgroup id. Default: the root (1). */
  parent?: number;
  /** Directory name. Default: "cg<id>". */
  name?: string;
}

/** The task/cgroup part of RuntimeOptions. */
export interface KernelModelOptions {
  tasks?: readonly KernelTaskDesc[];
  cgroups?: readonly KernelCgroupDesc[];
  /** The cgroup of the current task. Default: the root (1). */
  currentCgroup?: number;
}

/** The cgroup v2 root's id (the kernfs root node's id). */
export const ROOT_CGROUP_ID = 1;
/** Deepest hierarchy the model accepts (the kernel has no fixed limit; this keeps images small). */
export const MAX_CGROUP_LEVEL = 32;
/** Most tasks and cgroups a model may describe. */
export const MAX_MODEL_OBJECTS = 1024;

/** A task of the model, resolved: where its task_struct is and what it holds. */
export interface ModelTask {
  addr: bigint;
  pid: number;
  tgid: number;
  uid: number;
  gid: number;
  comm: string;
  /** Parent's task_struct address. */
  parent: bigint;
  /** Cgroup id. */
  cgroup: number;
}

/** A cgroup of the model, resolved. */
export interface ModelCgroup {
  addr: bigint;
  id: number;
  name: string;
  level: number;
  /** ancestors[0] is the root, ancestors[level] the cgroup itself (struct cgroup's ancestors[]). */
  ancestors: bigint[];
  /** The css_set of tasks in this cgroup (task->cgroups). */
  cset: bigint;
  /** Its kernfs_node and the node's name string. */
  kn: bigint;
  knName: bigint;
}

const isId = (v: unknown, max = 0xffffffff): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

/** Where the described tasks and cgroups live: one 8 KiB slot per task (task_struct, then its
 *  cred at +4 KiB), one 4 KiB slot per cgroup (struct cgroup with its ancestors[], then its
 *  css_set, kernfs_node and name). Direct-map addresses, like the current task's. */
const TASK_BASE = 0xffff888000200000n;
const TASK_SLOT = 0x2000n;
const CRED_OFF = 0x1000n;
const CGROUP_BASE = 0xffff888000600000n;
const CGROUP_SLOT = 0x1000n;
const CSET_OFF = 0x800n;
const KN_OFF = 0xa00n;
const KN_NAME_OFF = 0xc00n;

function cgroupSlot(i: number): { cgrp: bigint; cset: bigint; kn: bigint; knName: bigint } {
  const cgrp = CGROUP_BASE + BigInt(i) * CGROUP_SLOT;
  return { cgrp, cset: cgrp + CSET_OFF, kn: cgrp + KN_OFF, knName: cgrp + KN_NAME_OFF };
}

/** Writes into kernel memory (the runtime's KernelMemory.map). */
export interface KernelMapper {
  map(addr: bigint, bytes: Uint8Array): void;
}

/**
 * The resolved model. Lookups are by pid, cgroup id and address; references are counted per
 * object here (refcount_inc_not_zero semantics: an object whose count is zero cannot be taken).
 */
export class KernelModel {
  readonly tasks: readonly ModelTask[];
  readonly cgroups: readonly ModelCgroup[];
  readonly current: ModelTask;
  private readonly byPid = new Map<number, ModelTask>();
  private readonly byAddr = new Map<bigint, ModelTask>();
  private readonly cgById = new Map<number, ModelCgroup>();
  private readonly cgByAddr = new Map<bigint, ModelCgroup>();
  /** task->rcu_users of every task (the kernel starts it at 2 for a live task). */
  private readonly rcuUsers = new Map<bigint, number>();
  /** Cgroup references taken by programs and not yet dropped (cgroup_get/put on self.refcnt). */
  private readonly cgroupRefs = new Map<bigint, number>();
  private kmem: KernelMapper | undefined;

  constructor(opts: KernelModelOptions | undefined, current: KernelTaskInfo) {
    const cgDescs = opts?.cgroups ?? [];
    const taskDescs = opts?.tasks ?? [];
    if (cgDescs.length + taskDescs.length > MAX_MODEL_OBJECTS) throw new UsageError(`kernel model: at most ${MAX_MODEL_OBJECTS} tasks and cgroups (got ${cgDescs.length + taskDescs.length})`);
    // Cgroups: the root, then each described one once its parent is placed.
    const root = cgroupSlot(0);
    const cgroups = new Map<number, ModelCgroup>([[ROOT_CGROUP_ID, { addr: root.cgrp, id: ROOT_CGROUP_ID, name: '/', level: 0, ancestors: [root.cgrp], cset: root.cset, kn: root.kn, knName: root.knName }]]);
    const seen = new Set<number>([ROOT_CGROUP_ID]);
    const pending = cgDescs.map((d, i) => {
      if (!isId(d.id) || d.id <= ROOT_CGROUP_ID) throw new UsageError(`kernel model: cgroups[${i}].id must be an integer in 2..2^32-1 (the root is ${ROOT_CGROUP_ID})`);
      if (d.parent !== undefined && !isId(d.parent)) throw new UsageError(`kernel model: cgroups[${i}].parent must be a cgroup id`);
      if (d.name !== undefined && (typeof d.name !== 'string' || d.name === '' || d.name.includes('/') || d.name.length > 255)) throw new UsageError(`kernel model: cgroups[${i}].name must be a file name (no '/', 1 to 255 characters)`);
      if (seen.has(d.id)) throw new UsageError(`kernel model: cgroups[${i}]: id ${d.id} is described twice`);
      seen.add(d.id);
      return { d, i };
    });
    let slot = 1;
    while (pending.length) {
      const before = pending.length;
      for (let k = 0; k < pending.length; ) {
        const { d, i } = pending[k]!;
        const parentId = d.parent ?? ROOT_CGROUP_ID;
        if (!seen.has(parentId)) throw new UsageError(`kernel model: cgroups[${i}].parent ${parentId} is not a described cgroup`);
        const parent = cgroups.get(parentId);
        if (!parent) {
          k++;
          continue;
        }
        if (parent.level + 1 > MAX_CGROUP_LEVEL) throw new UsageError(`kernel model: cgroups[${i}] is deeper than ${MAX_CGROUP_LEVEL} levels`);
        const a = cgroupSlot(slot++);
        cgroups.set(d.id, { addr: a.cgrp, id: d.id, name: d.name ?? `cg${d.id}`, level: parent.level + 1, ancestors: [...parent.ancestors, a.cgrp], cset: a.cset, kn: a.kn, knName: a.knName });
        pending.splice(k, 1);
      }
      if (pending.length === before) throw new UsageError(`kernel model: cgroups[${pending[0]!.i}]: its parent chain is a cycle`);
    }
    const currentCgroup = opts?.currentCgroup ?? ROOT_CGROUP_ID;
    if (!cgroups.has(currentCgroup)) throw new UsageError(`kernel model: currentCgroup ${currentCgroup} is not a described cgroup`);

    // Tasks: pids unique (the current task's included); parents resolved once all are known.
    const addrs = new Map<number, bigint>([[current.pid, CURRENT_TASK_ADDR]]);
    taskDescs.forEach((d, i) => {
      if (!isId(d.pid, 0x3fffffff) || d.pid === 0) throw new UsageError(`kernel model: tasks[${i}].pid must be an integer in 1..2^30-1`);
      if (addrs.has(d.pid)) throw new UsageError(`kernel model: tasks[${i}]: pid ${d.pid} ${d.pid === current.pid ? "is the current task's" : 'is described twice'}`);
      for (const k of ['tgid', 'uid', 'gid', 'ppid', 'cgroup'] as const) if (d[k] !== undefined && !isId(d[k])) throw new UsageError(`kernel model: tasks[${i}].${k} must be a u32`);
      if (d.comm !== undefined && typeof d.comm !== 'string') throw new UsageError(`kernel model: tasks[${i}].comm must be a string`);
      if (d.cgroup !== undefined && !cgroups.has(d.cgroup)) throw new UsageError(`kernel model: tasks[${i}].cgroup ${d.cgroup} is not a described cgroup`);
      addrs.set(d.pid, TASK_BASE + BigInt(i) * TASK_SLOT);
    });
    const parentOf = (ppid: number | undefined, what: string): bigint => {
      if (!ppid) return INIT_TASK_ADDR;
      const a = addrs.get(ppid);
      if (a === undefined) throw new UsageError(`kernel model: ${what}.ppid ${ppid} is not a described task`);
      return a;
    };
    this.current = { addr: CURRENT_TASK_ADDR, pid: current.pid, tgid: current.tgid, uid: current.uid, gid: current.gid, comm: current.comm, parent: INIT_TASK_ADDR, cgroup: currentCgroup };
    this.tasks = [
      this.current,
      ...taskDescs.map((d, i): ModelTask => ({ addr: addrs.get(d.pid)!, pid: d.pid, tgid: d.tgid ?? d.pid, uid: d.uid ?? 0, gid: d.gid ?? 0, comm: d.comm ?? `task${d.pid}`, parent: parentOf(d.ppid, `tasks[${i}]`), cgroup: d.cgroup ?? ROOT_CGROUP_ID })),
    ];
    this.cgroups = [...cgroups.values()];
    for (const t of this.tasks) {
      this.byPid.set(t.pid, t);
      this.byAddr.set(t.addr, t);
      this.rcuUsers.set(t.addr, 2);
    }
    this.rcuUsers.set(INIT_TASK_ADDR, 2);
    for (const c of this.cgroups) {
      this.cgById.set(c.id, c);
      this.cgByAddr.set(c.addr, c);
    }
  }

  // ---- lookups ----------------------------------------------------------------------------

  /** find_task_by_pid_ns(pid, &init_pid_ns): the task with this pid (init_task's 0 is no pid). */
  taskByPid(pid: number): ModelTask | undefined {
    return this.byPid.get(pid);
  }
  task(addr: bigint): ModelTask | undefined {
    return this.byAddr.get(addr);
  }
  cgroupById(id: number | bigint): ModelCgroup | undefined {
    const n = typeof id === 'bigint' ? (id <= 0xffffffffn && id >= 0n ? Number(id) : -1) : id;
    return this.cgById.get(n);
  }
  cgroup(addr: bigint): ModelCgroup | undefined {
    return this.cgByAddr.get(addr);
  }
  /** The default-hierarchy cgroup of a task (task_dfl_cgroup); init_task is in the root. */
  taskCgroup(addr: bigint): ModelCgroup | undefined {
    if (addr === INIT_TASK_ADDR) return this.cgById.get(ROOT_CGROUP_ID);
    const t = this.byAddr.get(addr);
    return t ? this.cgById.get(t.cgroup) : undefined;
  }

  // ---- references ---------------------------------------------------------------------------

  /** refcount_inc_not_zero(&task->rcu_users): false for a task the model does not know. */
  getTask(addr: bigint): boolean {
    const n = this.rcuUsers.get(addr);
    if (!n) return false;
    this.setRcuUsers(addr, n + 1);
    return true;
  }
  /** put_task_struct_rcu_user: false when the program drops a reference it does not hold. */
  putTask(addr: bigint): boolean {
    const n = this.rcuUsers.get(addr);
    // The model's tasks never exit: the two references the kernel holds on a live task stay.
    if (n === undefined || n <= 2) return false;
    this.setRcuUsers(addr, n - 1);
    return true;
  }
  /** task->rcu_users now. */
  taskUsers(addr: bigint): number | undefined {
    return this.rcuUsers.get(addr);
  }
  /** cgroup_tryget: false for an address that is not a cgroup of the model. */
  getCgroup(addr: bigint): boolean {
    if (!this.cgByAddr.has(addr)) return false;
    this.cgroupRefs.set(addr, (this.cgroupRefs.get(addr) ?? 0) + 1);
    return true;
  }
  /** cgroup_put: false when no program reference is held. */
  putCgroup(addr: bigint): boolean {
    const n = this.cgroupRefs.get(addr) ?? 0;
    if (n <= 0) return false;
    if (n === 1) this.cgroupRefs.delete(addr);
    else this.cgroupRefs.set(addr, n - 1);
    return true;
  }
  /** Program references held on a cgroup now. */
  cgroupRefsHeld(addr: bigint): number {
    return this.cgroupRefs.get(addr) ?? 0;
  }

  private setRcuUsers(addr: bigint, n: number): void {
    this.rcuUsers.set(addr, n);
    if (!this.kmem) return;
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n, true);
    this.kmem.map(addr + BigInt(memberOffset(builtinBtf(), 'task_struct', 'rcu_users.refs.counter').offset), b);
  }

  // ---- images -------------------------------------------------------------------------------

  /** The images of the described tasks and every cgroup (the current task and init_task are
   *  src/btf/builtin-kmem.ts's), mapped into `kmem`, which later reference changes update. */
  mapInto(kmem: KernelMapper, ncpus: number, cpu: number, btf: Btf = builtinBtf()): void {
    this.kmem = kmem;
    for (const t of this.tasks) {
      if (t.addr !== CURRENT_TASK_ADDR) {
        const cred = t.addr + CRED_OFF;
        kmem.map(t.addr, taskImage(btf, t.addr, cred, t.parent, 0n, t, cpu, ncpus));
        kmem.map(cred, credImage(btf, t.uid, t.gid));
      }
    }
    // Fields the base images do not set: rcu_users and the css_set link, for every task.
    const usersOff = BigInt(memberOffset(btf, 'task_struct', 'rcu_users.refs.counter').offset);
    const cgroupsOff = BigInt(memberOffset(btf, 'task_struct', 'cgroups').offset);
    const word = (v: bigint, size: number): Uint8Array => {
      const b = new Uint8Array(size);
      for (let i = 0; i < size; i++) b[i] = Number((v >> BigInt(8 * i)) & 0xffn);
      return b;
    };
    for (const t of this.tasks) {
      kmem.map(t.addr + usersOff, word(BigInt(this.rcuUsers.get(t.addr)!), 4));
      kmem.map(t.addr + cgroupsOff, word(this.cgById.get(t.cgroup)!.cset, 8));
    }
    kmem.map(INIT_TASK_ADDR + usersOff, word(BigInt(this.rcuUsers.get(INIT_TASK_ADDR)!), 4));
    kmem.map(INIT_TASK_ADDR + cgroupsOff, word(this.cgById.get(ROOT_CGROUP_ID)!.cset, 8));
    const cgSize = btf.sizeof(btf.find('cgroup', BtfKind.STRUCT)[0]!.id);
    for (const c of this.cgroups) {
      const parent = c.level ? c.ancestors[c.level - 1]! : 0n;
      const img = new Image(btf, 'cgroup', cgSize + 8 * (c.level + 1))
        .set('self.cgroup', c.addr)
        .set('self.id', this.cgroups.indexOf(c) + 1)
        .set('self.parent', parent)
        .set('level', c.level)
        .set('max_depth', 0x7fffffff)
        .set('kn', c.kn)
        .set('old_dom_cgrp', c.addr)
        .set('dom_cgrp', c.addr);
      c.ancestors.forEach((a, i) => img.setAt(cgSize + 8 * i, a, 8));
      kmem.map(c.addr, img.bytes);
      kmem.map(c.cset, new Image(btf, 'css_set').set('refcount.refs.counter', 1).set('dfl_cgrp', c.addr).bytes);
      const parentKn = c.level ? this.cgByAddr.get(parent)!.kn : 0n;
      kmem.map(c.kn, new Image(btf, 'kernfs_node').set('count.counter', 1).set('parent', parentKn).set('name', c.knName).set('id', c.id).set('mode', 0o40755).bytes);
      const name = new TextEncoder().encode(c.name);
      const nameBytes = new Uint8Array(name.length + 1);
      nameBytes.set(name);
      kmem.map(c.knName, nameBytes);
    }
  }
}
