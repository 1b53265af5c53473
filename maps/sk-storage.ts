// BPF_MAP_TYPE_SK_STORAGE (net/core/bpf_sk_storage.c): a value per socket. Programs reach it
// with bpf_sk_storage_get/delete (helpers/storage.ts) on a socket pointer; user space names the
// socket by its fd (the runtime's socket table, vm/sockets.ts): a fd that names no socket is
// -EBADF, as sockfd_lookup answers. Each value is charged to its socket's option memory
// (optmem_max), -ENOMEM beyond. A socket that goes away takes its values with it (a test run's
// socket at the end of the run, as the kernel's sk_free does). Semantics: maps/local-storage.ts.

import { createError } from './common.js';
import { LocalStorageMap } from './local-storage.js';
import { Errno, type MapFactory } from './types.js';
import type { Socket, SocketStorageOwner } from '../vm/sockets.js';

export class SkStorageMap extends LocalStorageMap<Socket> implements SocketStorageOwner {
  socketClosed(sock: Socket): void {
    this.ownerGone(sock);
  }
}

export const createSkStorageMap: MapFactory = (spec, ctx) => {
  const sockets = ctx.sockets;
  if (!sockets) throw createError(spec, 'this runtime has no socket table', Errno.EINVAL);
  const map = new SkStorageMap(spec, ctx, {
    what: 'socket',
    ownerFromKey: (fd) => sockets.byFd(fd) ?? -Errno.EBADF,
    charge: (sock, bytes) => sockets.chargeStorage(sock, bytes),
    uncharge: (sock, bytes) => sockets.uncharge(sock, bytes),
  });
  sockets.watch(map);
  const destroy = map.destroy.bind(map);
  map.destroy = () => {
    sockets.unwatch(map);
    destroy();
  };
  return map;
};
