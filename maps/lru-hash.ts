// BPF_MAP_TYPE_LRU_HASH: the shared hash table (maps/hash-table.ts, where the iteration order and the
// LRU eviction algorithm are documented) configured as lru_hash.

import { HashTable } from './hash-table.js';
import type { MapContext, MapFactory, MapSpec } from './types.js';

export const createLruHashMap: MapFactory = (spec: MapSpec, ctx: MapContext) => new HashTable(spec, ctx, { percpu: false, lru: true });
