// The map-type table: type number -> factory. Each maps/<type>.ts adds one line here.
import { createArrayMap } from './array.js';
import { MapType, type MapFactory } from './types.js';

export const MAP_FACTORIES: Map<number, MapFactory> = new Map<number, MapFactory>([
  [MapType.ARRAY, createArrayMap],
]);
