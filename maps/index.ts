// The map-type table: type number -> factory. Each maps/<type>.ts adds one line here.
import { createArrayMap } from './array.js';
import { createHashMap } from './hash.js';
import { createLruHashMap } from './lru-hash.js';
import { createLruPercpuHashMap } from './lru-percpu-hash.js';
import { createPercpuArrayMap } from './percpu-array.js';
import { createPercpuHashMap } from './percpu-hash.js';
import { createRbtreeMap } from './rbtree.js';
import { MapType, type MapFactory } from './types.js';

export const MAP_FACTORIES: Map<number, MapFactory> = new Map<number, MapFactory>([
  [MapType.ARRAY, createArrayMap],
  [MapType.HASH, createHashMap],
  [MapType.PERCPU_HASH, createPercpuHashMap],
  [MapType.PERCPU_ARRAY, createPercpuArrayMap],
  [MapType.LRU_HASH, createLruHashMap],
  [MapType.LRU_PERCPU_HASH, createLruPercpuHashMap],
  [MapType.RBTREE, createRbtreeMap],
]);
