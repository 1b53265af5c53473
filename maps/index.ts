// The map-type table: type number -> factory. Each maps/<type>.ts adds one line here.
import { createStructOpsMap } from './struct-ops.js';
import { createArrayMap } from './array.js';
import { createHashMap } from './hash.js';
import { createLruHashMap } from './lru-hash.js';
import { createLruPercpuHashMap } from './lru-percpu-hash.js';
import { createPercpuArrayMap } from './percpu-array.js';
import { createPercpuHashMap } from './percpu-hash.js';
import { createRbtreeMap } from './rbtree.js';
import { createArrayOfMapsMap } from './array-of-maps.js';
import { createBloomFilterMap } from './bloom-filter.js';
import { createCpumapMap } from './cpumap.js';
import { createDevmapHashMap } from './devmap-hash.js';
import { createDevmapMap } from './devmap.js';
import { createHashOfMapsMap } from './hash-of-maps.js';
import { createLpmTrieMap } from './lpm-trie.js';
import { createPerfEventArrayMap } from './perf-event-array.js';
import { createProgArrayMap } from './prog-array.js';
import { createQueueMap } from './queue.js';
import { createRingbufMap } from './ringbuf.js';
import { createStackMap } from './stack.js';
import { createXskMap } from './xskmap.js';
import { createCgroupStorageMap } from './cgroup-storage.js';
import { createSkStorageMap } from './sk-storage.js';
import { createSockHash } from './sockhash.js';
import { createSockMap } from './sockmap.js';
import { createReuseportArray } from './reuseport-array.js';
import { createStackTraceMap } from './stack-trace.js';
import { createCgrpStorageMap } from './cgrp-storage.js';
import { createTaskStorageMap } from './task-storage.js';
import { createUserRingbufMap } from './user-ringbuf.js';
import { createBpfArenaMap } from './arena.js';
import { MapType, type MapFactory } from './types.js';

export const MAP_FACTORIES: Map<number, MapFactory> = new Map<number, MapFactory>([
  [MapType.ARRAY, createArrayMap],
  [MapType.STRUCT_OPS, createStructOpsMap],
  [MapType.HASH, createHashMap],
  [MapType.PERCPU_HASH, createPercpuHashMap],
  [MapType.PERCPU_ARRAY, createPercpuArrayMap],
  [MapType.LRU_HASH, createLruHashMap],
  [MapType.LRU_PERCPU_HASH, createLruPercpuHashMap],
  [MapType.RBTREE, createRbtreeMap],
  [MapType.QUEUE, createQueueMap],
  [MapType.STACK, createStackMap],
  [MapType.BLOOM_FILTER, createBloomFilterMap],
  [MapType.RINGBUF, createRingbufMap],
  [MapType.PERF_EVENT_ARRAY, createPerfEventArrayMap],
  [MapType.LPM_TRIE, createLpmTrieMap],
  [MapType.PROG_ARRAY, createProgArrayMap],
  [MapType.ARRAY_OF_MAPS, createArrayOfMapsMap],
  [MapType.HASH_OF_MAPS, createHashOfMapsMap],
  [MapType.DEVMAP, createDevmapMap],
  [MapType.DEVMAP_HASH, createDevmapHashMap],
  [MapType.CPUMAP, createCpumapMap],
  [MapType.SK_STORAGE, createSkStorageMap],
  [MapType.TASK_STORAGE, createTaskStorageMap],
  [MapType.CGRP_STORAGE, createCgrpStorageMap],
  [MapType.CGROUP_STORAGE, createCgroupStorageMap],
  [MapType.PERCPU_CGROUP_STORAGE, createCgroupStorageMap],
  [MapType.STACK_TRACE, createStackTraceMap],
  [MapType.USER_RINGBUF, createUserRingbufMap],
  [MapType.SOCKMAP, createSockMap],
  [MapType.SOCKHASH, createSockHash],
  [MapType.REUSEPORT_SOCKARRAY, createReuseportArray],
  [MapType.XSKMAP, createXskMap],
  [MapType.ARENA, createBpfArenaMap],
]);
