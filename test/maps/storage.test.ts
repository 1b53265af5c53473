// Local storage maps (sk_storage, task_storage) and cgroup storage: creation checks, user-space
// operations with the kernel's errnos and flags, program-side get/delete, and storage lifetime
// (a test run's socket takes its storage with it; cgroup storage lives for one test run).
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/index.js';
import { MapError } from '../../src/errors.js';
import { Runtime } from '../../src/runtime.js';
import { SkStorageMap } from '../../maps/sk-storage.js';
import { TaskStorageMap } from '../../maps/task-storage.js';
import { CgroupStorageMap } from '../../maps/cgroup-storage.js';
import { LOCAL_STORAGE_MAX_VALUE_SIZE } from '../../maps/local-storage.js';
import { MapType, type MapSpec } from '../../maps/types.js';
import { ProgType } from '../../vm/prog-types.js';
import { ipv4Udp } from '../run/helpers.js';
import { xprog } from '../helpers/x-common.js';
import { readU64, u32, u64 } from './util.js';

const NO_PREALLOC = 1;
const storageSpec = (type: number, over: Partial<MapSpec> = {}): MapSpec => ({ name: 'st', type, keySize: 4, valueSize: 8, maxEntries: 0, flags: NO_PREALLOC, btfKeyTypeId: 1, btfValueTypeId: 2, ...over });
const createErrno = (rt: Runtime, s: MapSpec): number => {
  try {
    rt.createMap(s);
    return 0;
  } catch (e) {
    return (e as MapError).errno ?? 1;
  }
};
const userErrno = (f: () => unknown): number | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return e instanceof MapError ? e.errno : NaN;
  }
};
const exec = (rt: Runtime, src: string, progType: number = ProgType.SCHED_CLS) => BigInt.asIntN(64, rt.execute({ name: 'p', insns: assemble(src), progType, gpl: true } as never).r0);

describe('local storage maps: creation', () => {
  for (const type of [MapType.SK_STORAGE, MapType.TASK_STORAGE, MapType.CGRP_STORAGE]) {
    it(`map type ${type}: the kernel's attribute checks`, () => {
      const rt = new Runtime();
      expect(createErrno(rt, storageSpec(type))).toBe(0);
      expect(createErrno(rt, storageSpec(type, { flags: NO_PREALLOC | (1 << 9) }))).toBe(0); // BPF_F_CLONE
      expect(createErrno(rt, storageSpec(type, { flags: 0 }))).toBe(-22); // prealloc
      expect(createErrno(rt, storageSpec(type, { flags: NO_PREALLOC | (1 << 3) }))).toBe(-22); // RDONLY
      expect(createErrno(rt, storageSpec(type, { maxEntries: 1 }))).toBe(-22);
      expect(createErrno(rt, storageSpec(type, { keySize: 8 }))).toBe(-22);
      expect(createErrno(rt, storageSpec(type, { valueSize: 0 }))).toBe(-22);
      expect(createErrno(rt, storageSpec(type, { btfKeyTypeId: undefined }))).toBe(-22);
      expect(createErrno(rt, storageSpec(type, { valueSize: LOCAL_STORAGE_MAX_VALUE_SIZE }))).toBe(0);
      expect(createErrno(rt, storageSpec(type, { valueSize: LOCAL_STORAGE_MAX_VALUE_SIZE + 1 }))).toBe(-7);
    });
  }
});

describe('sk_storage', () => {
  it('user space names sockets by fd: flags, errnos, a fd that is no socket', () => {
    const rt = new Runtime({ sockets: [{ proto: 'tcp', src: '10.0.0.1', srcPort: 80 }, { proto: 'udp', fd: 7 }] });
    expect(rt.sockets.described().map((s) => s.fd)).toEqual([3, 7]);
    const m = rt.createMap(storageSpec(MapType.SK_STORAGE)).map;
    expect(m.lookup(u32(3))).toBeUndefined();
    expect(m.update(u32(3), u64(5), 2)).toBe(-2); // BPF_EXIST, none yet
    expect(m.update(u32(3), u64(5), 1)).toBe(0); // BPF_NOEXIST
    expect(m.update(u32(3), u64(6), 1)).toBe(-17);
    expect(m.update(u32(3), u64(6), 2)).toBe(0);
    expect(readU64(m.lookup(u32(3)))).toBe(6n);
    expect(m.update(u32(3), u64(6), 3)).toBe(-22);
    expect(m.update(u32(3), u64(6), 4)).toBe(-22); // BPF_F_LOCK without a spin lock
    expect(m.lookup(u32(7))).toBeUndefined(); // each socket its own value
    expect(m.nextKey(undefined)).toBeUndefined(); // no key walk (-ENOTSUPP in the kernel)
    expect(userErrno(() => m.lookup(u32(4)))).toBe(-9); // -EBADF
    expect(userErrno(() => m.update(u32(4), u64(1), 0))).toBe(-9);
    expect(m.delete(u32(3))).toBe(0);
    expect(m.delete(u32(3))).toBe(-2);
  });

  it('programs get, create and delete a described socket\'s value; closing the socket drops it', () => {
    const rt = new Runtime({ sockets: [{ proto: 'tcp' }] });
    const sock = rt.sockets.byFd(3)!;
    const lm = rt.createMap(storageSpec(MapType.SK_STORAGE));
    const m = lm.map as SkStorageMap;
    expect(m.update(u32(3), u64(41), 0)).toBe(0);
    // v = sk_storage_get(map, sk, NULL, 0); v->x += 1; return v->x
    const get = `r1 = ${lm.handle} ll\nr2 = ${sock.addr}\nr3 = 0\nr4 = FLAGS\ncall 107\nif r0 == 0 goto +4\nr1 = *(u64 *)(r0 + 0)\nr1 += 1\n*(u64 *)(r0 + 0) = r1\nr0 = r1\nexit`;
    expect(exec(rt, get.replace('FLAGS', '0'))).toBe(42n);
    expect(readU64(m.lookup(u32(3)))).toBe(42n); // user space sees the program's store
    expect(exec(rt, get.replace('FLAGS', '2'))).toBe(0n); // flags above F_CREATE: NULL
    const del = `r1 = ${lm.handle} ll\nr2 = ${sock.addr}\ncall 108\nexit`;
    expect(exec(rt, del)).toBe(0n);
    expect(exec(rt, del)).toBe(-2n);
    expect(exec(rt, `r1 = ${lm.handle} ll\nr2 = 0\ncall 108\nexit`)).toBe(-22n); // NULL socket
    expect(exec(rt, get.replace('FLAGS', '0'))).toBe(0n); // gone
    expect(exec(rt, get.replace('FLAGS', '1'))).toBe(1n); // created zeroed, then incremented
    expect(m.size).toBe(1);
    rt.sockets.close(sock);
    expect(m.size).toBe(0);
    // a pointer that is no socket faults instead of being taken for one
    expect(() => exec(rt, `r1 = ${lm.handle} ll\nr2 = 4096\ncall 108\nexit`)).toThrow(/not a socket/);
  });

  it("a test run's socket takes its storage with it (sk_free at the end of the run)", () => {
    const { run, res, obj, runtime } = xprog('maps/m_sk_storage.o');
    expect(run('m_sk_storage', { data: ipv4Udp() }).retval).toBe(13);
    expect(res(13)).toEqual([0, 0, 40, 16, 1, 42, 0, 0, 0, -2, 0, 0, 5]);
    expect((obj.maps.get('sk_a')!.map as SkStorageMap).size).toBe(0);
    expect((obj.maps.get('sk_b')!.map as SkStorageMap).size).toBe(0);
    const live = runtime.arena.bytesInUse;
    // the next run's socket is a new one: nothing there at first, same results, nothing leaked
    expect(run('m_sk_storage', { data: ipv4Udp() }).retval).toBe(13);
    expect(res(1)).toEqual([0]);
    expect(runtime.arena.bytesInUse).toBe(live);
  });

  it("values are charged to the socket's optmem_max: a second 64 KiB value does not fit", () => {
    const rt = new Runtime({ sockets: [{}] });
    const a = rt.createMap(storageSpec(MapType.SK_STORAGE, { name: 'a', valueSize: LOCAL_STORAGE_MAX_VALUE_SIZE })).map;
    const b = rt.createMap(storageSpec(MapType.SK_STORAGE, { name: 'b', valueSize: LOCAL_STORAGE_MAX_VALUE_SIZE })).map;
    const v = new Uint8Array(LOCAL_STORAGE_MAX_VALUE_SIZE);
    expect(a.update(u32(3), v, 0)).toBe(0);
    expect(b.update(u32(3), v, 0)).toBe(-12);
    expect(a.delete(u32(3))).toBe(0);
    expect(b.update(u32(3), v, 0)).toBe(0); // the charge went back with the delete
  });
});

describe('task_storage', () => {
  it('user space names the task by pid; the program sees and keeps what user space stored', () => {
    const { run, res, obj, runtime } = xprog('maps/m_task_storage.o', { task: { pid: 4242, tgid: 4242 } });
    const m = obj.maps.get('ts')!.map as TaskStorageMap;
    expect(userErrno(() => m.lookup(u32(1)))).toBe(-9); // no such task
    expect(m.lookup(u32(4242))).toBeUndefined();
    const v = new Uint8Array(16);
    new DataView(v.buffer).setBigUint64(0, 77n, true);
    expect(m.update(u32(4242), v, 1)).toBe(0);
    expect(run('m_task_storage').retval).toBe(11);
    // found at once; get with F_CREATE returns the existing value (77, tag 0), then deleted
    expect(res(11)).toEqual([1, 0, 0, 77, 0, 1, 78, -22, 0, -2, 0]);
    expect(m.lookup(u32(4242))).toBeUndefined();
    expect(runtime.taskByPid(4242)).toBeDefined();
  });
});

describe('cgrp_storage', () => {
  it('user space names the cgroup by id (the kernel: a cgroup fd); an id the task model lacks is -EBADF', () => {
    const rt = new Runtime({ kernel: { cgroups: [{ id: 100 }], currentCgroup: 100 } });
    const m = rt.createMap(storageSpec(MapType.CGRP_STORAGE)).map;
    expect(userErrno(() => m.lookup(u32(7)))).toBe(-9);
    expect(m.lookup(u32(100))).toBeUndefined();
    const v = new Uint8Array(m.valueSize).fill(3);
    expect(m.update(u32(100), v, 1)).toBe(0);
    expect(m.update(u32(100), v, 1)).toBe(-17); // BPF_NOEXIST on an existing value
    expect(m.lookup(u32(1))).toBeUndefined(); // the root: another owner
    expect(m.lookup(u32(100))).toEqual(v);
    expect(m.delete(u32(100))).toBe(0);
    expect(m.delete(u32(100))).toBe(-2);
  });
});

describe('cgroup storage', () => {
  it('one zeroed storage per test run, kept over its repeats; user space sees no entries', () => {
    const { run, res, obj } = xprog('maps/m_cgroup_storage.o', { ncpus: 2, cpu: 1 });
    const len = ipv4Udp().length - 14;
    expect(run('m_cgroup_storage', { data: ipv4Udp(), repeat: 3 }).retval).toBe(1);
    expect(res(3)).toEqual([2, 20, 3 * len]);
    expect(run('m_cgroup_storage', { data: ipv4Udp() }).retval).toBe(1);
    expect(res(3)).toEqual([0, 0, len]); // a new run, new storage
    const cs = obj.maps.get('cs')!.map as CgroupStorageMap;
    const key = new Uint8Array(16);
    expect(cs.lookup(key)).toBeUndefined();
    expect(cs.update(key, new Uint8Array(16), 0)).toBe(-2);
    expect(cs.update(key, new Uint8Array(16), 2)).toBe(-2); // BPF_EXIST: still nothing to update
    expect(cs.update(key, new Uint8Array(16), 1)).toBe(-22); // BPF_NOEXIST is not a flag it takes
    expect(cs.delete(key)).toBe(-22);
    expect(cs.nextKey(undefined)).toBeUndefined();
    expect(userErrno(() => cs.lookup(new Uint8Array(12)))).toBe(-22);
  });
  it("the kernel's attribute checks", () => {
    const rt = new Runtime();
    const s = (over: Partial<MapSpec>): MapSpec => ({ name: 'c', type: MapType.CGROUP_STORAGE, keySize: 16, valueSize: 8, maxEntries: 0, flags: 0, ...over });
    expect(createErrno(rt, s({}))).toBe(0);
    expect(createErrno(rt, s({ keySize: 8 }))).toBe(0);
    expect(createErrno(rt, s({ keySize: 12 }))).toBe(-22);
    expect(createErrno(rt, s({ maxEntries: 1 }))).toBe(-22);
    expect(createErrno(rt, s({ valueSize: 0 }))).toBe(-22);
    expect(createErrno(rt, s({ flags: 1 }))).toBe(-22); // NO_PREALLOC
    expect(createErrno(rt, s({ flags: 1 << 7 }))).toBe(0); // RDONLY_PROG
    expect(createErrno(rt, s({ valueSize: LOCAL_STORAGE_MAX_VALUE_SIZE + 1 }))).toBe(-7);
    expect(createErrno(rt, s({ type: MapType.PERCPU_CGROUP_STORAGE, valueSize: 32 * 1024 + 1 }))).toBe(-7);
    expect(createErrno(rt, s({ type: MapType.PERCPU_CGROUP_STORAGE, valueSize: 32 * 1024 }))).toBe(0);
  });
  it('outside a test run, get_local_storage gives a zeroed storage that stays', () => {
    const rt = new Runtime();
    const m = rt.createMap({ name: 'c', type: MapType.CGROUP_STORAGE, keySize: 16, valueSize: 8, maxEntries: 0, flags: 0 });
    const inc = `r1 = ${m.handle} ll\nr2 = 0\ncall 81\nr1 = *(u64 *)(r0 + 0)\nr1 += 1\n*(u64 *)(r0 + 0) = r1\nr0 = r1\nexit`;
    expect(exec(rt, inc, ProgType.CGROUP_SKB)).toBe(1n);
    expect(exec(rt, inc, ProgType.CGROUP_SKB)).toBe(2n);
    rt.testRunEnded();
    expect(exec(rt, inc, ProgType.CGROUP_SKB)).toBe(1n);
  });
});
