// BPF_MAP_TYPE_PERCPU_HASH: the shared hash table (maps/hash-table.ts, where the iteration order is documented) configured as percpu_hash.

import { HashTable } from './hash-table.js';
import type { MapContext, MapFactory, MapSpec } from './types.js';

export const createPercpuHashMap: MapFactory = (spec: MapSpec, ctx: MapContext) => new HashTable(spec, ctx, { percpu: true, lru: false });
