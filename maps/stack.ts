// BPF_MAP_TYPE_STACK: last in, first out (maps/queue-stack.ts holds the semantics).
import { QueueStackMap } from './queue-stack.js';
import type { MapFactory } from './types.js';

export const createStackMap: MapFactory = (spec, ctx) => new QueueStackMap(spec, ctx, true);
