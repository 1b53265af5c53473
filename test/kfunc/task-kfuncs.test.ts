// The task and cgroup kfuncs (helpers/task-kfuncs.ts) on the runtime's task model
// (src/btf/kernel-objects.ts): the host-checked relations of test/progs/kfunc/kf_task.c hold under
// a described cgroup hierarchy too (its results in the default model are diffed against the host
// kernel by test/agreement/kernel-progs-local.test.ts), described tasks and cgroups are what the
// kfuncs find, references live in side tables programs cannot write, and bad descriptions are
// refused naming the entry.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime, type RuntimeOptions } from '../../src/runtime.js';
import { load } from '../../src/loader/load.js';
import { openObject } from '../../src/loader/open.js';
import { runLoaded } from '../../src/test-run-api.js';
import { UsageError, VerifierError } from '../../src/errors.js';
import { CURRENT_TASK_ADDR, INIT_TASK_ADDR } from '../../src/btf/builtin-addrs.js';
import { taskRelease, cgroupRelease } from '../../helpers/task-kfuncs.js';
import type { HelperCall } from '../../helpers/types.js';
import { PROGS, runCli } from '../loader/helpers.js';

const bytes = (name: string) => new Uint8Array(readFileSync(join(PROGS, 'kfunc', `${name}.o`)));
const HOST = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/kernel-progs-local/kf_task.json'), 'utf8')) as { programs: Record<string, { runs: Record<string, { retval: number }> }> };

const MODEL: RuntimeOptions = {
  task: { pid: 4242, tgid: 4242, comm: 'worker' },
  kernel: {
    cgroups: [
      { id: 100, name: 'system.slice' },
      { id: 200, parent: 100, name: 'app.service' },
      { id: 300, name: 'user.slice' },
    ],
    currentCgroup: 200,
    tasks: [
      { pid: 7, comm: 'init-ish' },
      { pid: 77, tgid: 70, ppid: 7, comm: 'a-thread-with-a-long-name', cgroup: 300 },
    ],
  },
};

function loadIn(opts: RuntimeOptions, name: string) {
  const rt = new Runtime(opts);
  return { rt, obj: load(rt, openObject(bytes(name), { name })) };
}

describe('task and cgroup kfuncs', () => {
  it('kf_task.c: the host kernel\'s results, in the default model and under a described hierarchy (verified runs)', () => {
    for (const opts of [{}, MODEL]) {
      const { rt, obj } = loadIn(opts, 'kf_task');
      for (const [prog, rec] of Object.entries(HOST.programs)) {
        const r = runLoaded(obj, prog, {}, { verify: true });
        expect(r.retval, `${prog} ${JSON.stringify(opts)}`).toBe(rec.runs.no_ctx!.retval);
      }
      // Every reference the programs took was given back (kptr destructors included).
      expect(rt.kernel.taskUsers(CURRENT_TASK_ADDR)).toBe(2);
      for (const c of rt.kernel.cgroups) expect(rt.kernel.cgroupRefsHeld(c.addr)).toBe(0);
    }
  });

  it('described tasks and cgroups are what bpf_task_from_pid, bpf_cgroup_from_id and bpf_cgroup_ancestor find', () => {
    const { rt, obj } = loadIn(MODEL, 'kf_task_model');
    const ask = (pid: number, cgid: bigint, level: number) => {
      const ctx = new Uint8Array(72);
      const dv = new DataView(ctx.buffer);
      dv.setInt32(0, pid, true);
      dv.setInt32(4, level, true);
      dv.setBigUint64(8, cgid, true);
      const r = runLoaded(obj, 'task_by_pid', { ctx }, { verify: true });
      const out = new DataView(r.ctxOut!.buffer, r.ctxOut!.byteOffset);
      const comm = new TextDecoder().decode(r.ctxOut!.subarray(24, 40)).replace(/\0.*$/s, '');
      return { ret: r.retval, tgid: out.getInt32(16, true), ppid: out.getInt32(20, true), comm, taskCg: out.getBigUint64(40, true), ancestor: out.getBigUint64(48, true), level: out.getInt32(56, true), under: out.getInt32(60, true) };
    };
    // A described task: tgid, comm (truncated to 15 bytes), parent, cgroup.
    expect(ask(77, 300n, 0)).toEqual({ ret: 0, tgid: 70, ppid: 7, comm: 'a-thread-with-a', taskCg: 300n, ancestor: 1n, level: 1, under: 1 });
    // Its parent, a child of init_task (pid 0), in the root cgroup: not under user.slice.
    expect(ask(7, 300n, 1)).toEqual({ ret: 0, tgid: 7, ppid: 0, comm: 'init-ish', taskCg: 1n, ancestor: 300n, level: 1, under: 0 });
    // The current task in app.service (level 2): its ancestors by level.
    expect(ask(4242, 200n, 1)).toMatchObject({ ret: 0, comm: 'worker', taskCg: 200n, ancestor: 100n, level: 2, under: 1 });
    expect(ask(4242, 200n, 3)).toMatchObject({ ancestor: 0n, under: 1 });
    expect(ask(4242, 100n, 0)).toMatchObject({ ancestor: 1n, level: 1, under: 1 });
    // Unknown pids are NULL; an unknown cgroup id is NULL.
    expect(ask(8, 100n, 0).ret).toBe(0xffffffff); // -1 as the u32 retval
    expect(ask(0, 100n, 0).ret).toBe(0xffffffff);
    expect(ask(77, 999n, 0)).toMatchObject({ ret: 0, level: 0, under: 0 });
    expect(rt.kernel.taskUsers(rt.kernel.taskByPid(77)!.addr)).toBe(2);
  });

  it('bpf_get_current_cgroup_id and bpf_get_current_ancestor_cgroup_id follow currentCgroup', () => {
    const { rt } = loadIn(MODEL, 'kf_task');
    const c = rt.kernel.taskCgroup(CURRENT_TASK_ADDR)!;
    expect([c.id, c.level, c.ancestors.map((a) => rt.kernel.cgroup(a)!.id)]).toEqual([200, 2, [1, 100, 200]]);
    expect(rt.kernel.taskCgroup(INIT_TASK_ADDR)!.id).toBe(1);
  });

  it('kernel objects are read-only: the verifier refuses a store into a task_struct, an unverified run faults', () => {
    const { obj } = loadIn({}, 'kf_task_model');
    expect(() => runLoaded(obj, 'task_write', {}, { verify: true })).toThrow(VerifierError);
    expect(() => runLoaded(obj, 'task_write', {}, { verify: true })).toThrow(/only read is supported/);
    expect(() => runLoaded(obj, 'task_write', {})).toThrow(/0xffff888000100/);
  });

  it('a release without a reference the program took faults (run unverified, a program could try)', () => {
    const rt = new Runtime();
    const call = (a: bigint) => ({ u64: () => a, env: rt.helperEnv }) as Partial<HelperCall> as HelperCall;
    expect(() => taskRelease(call(CURRENT_TASK_ADDR))).toThrow(/bpf_task_release: no reference a program took is held on task 0xffff888000100000/);
    expect(() => taskRelease(call(0x1234n))).toThrow(/bpf_task_release: 0x1234 is not a task_struct of the task model/);
    expect(() => cgroupRelease(call(rt.kernel.cgroups[0]!.addr))).toThrow(/bpf_cgroup_release: no reference a program took is held on cgroup/);
    expect(() => cgroupRelease(call(0n))).toThrow(/bpf_cgroup_release: NULL is not a struct cgroup of the task model/);
  });

  it('bad descriptions are refused naming the entry', () => {
    const bad = (kernel: RuntimeOptions['kernel'], msg: RegExp) => {
      expect(() => new Runtime({ kernel })).toThrow(UsageError);
      expect(() => new Runtime({ kernel })).toThrow(msg);
    };
    bad({ tasks: [{ pid: 1000 }] }, /tasks\[0\]: pid 1000 is the current task's/);
    bad({ tasks: [{ pid: 5 }, { pid: 5 }] }, /tasks\[1\]: pid 5 is described twice/);
    bad({ tasks: [{ pid: 5, ppid: 6 }] }, /tasks\[0\]\.ppid 6 is not a described task/);
    bad({ tasks: [{ pid: 5, cgroup: 9 }] }, /tasks\[0\]\.cgroup 9 is not a described cgroup/);
    bad({ tasks: [{ pid: -3 }] }, /tasks\[0\]\.pid must be an integer/);
    bad({ cgroups: [{ id: 1 }] }, /cgroups\[0\]\.id must be an integer in 2\.\.2\^32-1/);
    bad({ cgroups: [{ id: 5, parent: 6 }, { id: 6, parent: 5 }] }, /parent chain is a cycle/);
    bad({ cgroups: [{ id: 5, parent: 9 }] }, /cgroups\[0\]\.parent 9 is not a described cgroup/);
    bad({ cgroups: [{ id: 5, name: 'a/b' }] }, /cgroups\[0\]\.name must be a file name/);
    bad({ currentCgroup: 4 }, /currentCgroup 4 is not a described cgroup/);
  });

  it('ebpfvm run --kernel FILE.json describes the model; a bad file is bad usage (exit 2) naming the entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ebpfvm-kernel-'));
    writeFileSync(join(dir, 'k.json'), JSON.stringify(MODEL.kernel));
    const obj = join(PROGS, 'kfunc', 'kf_task.o');
    const ok = await runCli(['run', obj, '--prog', 'cgroup_current', '--kernel', join(dir, 'k.json'), '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).retval).toBe(HOST.programs.cgroup_current!.runs.no_ctx!.retval);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ cgroups: [{ id: 5, parent: 6 }] }));
    const bad = await runCli(['run', obj, '--prog', 'cgroup_current', '--kernel', join(dir, 'bad.json')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('kernel model: cgroups[0].parent 6 is not a described cgroup');
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ tasks: [{ pid: 5, parent: 1 }] }));
    const typo = await runCli(['run', obj, '--prog', 'cgroup_current', '--kernel', join(dir, 'typo.json')]);
    expect(typo.code).toBe(2);
    expect(typo.err).toContain('--kernel: tasks[0]: unknown field parent (pid, tgid, uid, gid, comm, ppid, cgroup)');
  });
});
