// BPF_MAP_TYPE_CGRP_STORAGE (kernel/bpf/bpf_cgrp_storage.c): a value per cgroup. Programs reach it
// with bpf_cgrp_storage_get/delete (helpers/storage.ts) on a struct cgroup pointer (the runtime's
// task model, src/btf/kernel-objects.ts: bpf_cgroup_from_id, task->cgroups->dfl_cgrp, a tp_btf
// argument); user space names the cgroup by its id, where the kernel takes a cgroup fd (ebpfvm
// has no fds for cgroups): an id the model does not know is -EBADF. Cgroups never go away in
// ebpfvm, so values live until deleted or the map goes. Semantics: maps/local-storage.ts.

import { LocalStorageMap } from './local-storage.js';
import { Errno, type MapFactory } from './types.js';

/** Owners are struct cgroup kernel addresses. */
export class CgrpStorageMap extends LocalStorageMap<bigint> {}

export const createCgrpStorageMap: MapFactory = (spec, ctx) =>
  new CgrpStorageMap(spec, ctx, {
    what: 'cgroup',
    ownerFromKey: (id) => ctx.cgroupById?.(id) ?? -Errno.EBADF,
  });
