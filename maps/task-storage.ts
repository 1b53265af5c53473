// BPF_MAP_TYPE_TASK_STORAGE (kernel/bpf/bpf_task_storage.c): a value per task. Programs reach it
// with bpf_task_storage_get/delete (helpers/storage.ts) on a task_struct pointer (the runtime's
// current task, bpf_get_current_task_btf); user space names the task by pid, where the kernel
// takes a pidfd (ebpfvm has no fds for tasks): a pid the runtime does not know is -EBADF.
// Tasks never exit in ebpfvm, so values live until deleted or the map goes. Semantics:
// maps/local-storage.ts.

import { LocalStorageMap } from './local-storage.js';
import { Errno, type MapFactory } from './types.js';

/** Owners are task_struct kernel addresses. */
export class TaskStorageMap extends LocalStorageMap<bigint> {}

export const createTaskStorageMap: MapFactory = (spec, ctx) =>
  new TaskStorageMap(spec, ctx, {
    what: 'task',
    ownerFromKey: (pid) => ctx.taskByPid?.(pid) ?? -Errno.EBADF,
  });
