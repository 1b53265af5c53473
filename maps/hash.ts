// BPF_MAP_TYPE_HASH: the shared hash table (maps/hash-table.ts, where the iteration order is documented) configured as hash.

import { HashTable } from './hash-table.js';
import type { MapContext, MapFactory, MapSpec } from './types.js';

export const createHashMap: MapFactory = (spec: MapSpec, ctx: MapContext) => new HashTable(spec, ctx, { percpu: false, lru: false });
