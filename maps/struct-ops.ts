// BPF_MAP_TYPE_STRUCT_OPS (kernel/bpf/bpf_struct_ops.c): one value, the struct_ops type's struct
// with its function-pointer members filled with programs. libbpf creates one per `.struct_ops`
// variable (src/loader/maps.ts) and registers it (BPF_MAP_UPDATE_ELEM) when it is attached.
// ebpfvm creates these maps for the struct_ops types it models (src/btf/builtin-struct-ops.ts);
// a map of another type cannot be created (UnsupportedError naming it). Nothing ever calls the members as the
// kernel's subsystem would (a bpf_dummy_ops program runs through BPF_PROG_TEST_RUN instead), so:
//   - lookup of key 0 gives the unregistered value (zeros, as bpf_struct_ops_map_sys_lookup_elem
//     for a map in state INIT); another key -ENOENT; next_key gives 0 then ends;
//   - update is refused as the type's init_member refuses it (bpf_dummy_ops: -EOPNOTSUPP);
//   - delete of the unregistered map is -ENOENT (state INIT);
//   - programs cannot use these maps (the verifier's map/helper table has no struct_ops entry).
import { MapError, UnsupportedError } from '../src/errors.js';
import { STRUCT_OPS_TYPES } from '../src/btf/builtin-struct-ops.js';
import { Errno, type BpfMap, type MapSpec } from './types.js';

export class StructOpsMap implements BpfMap {
  readonly type: number;
  readonly name: string;
  readonly keySize = 4;
  readonly valueSize: number;
  readonly maxEntries = 1;
  frozen = false;
  private readonly updateErrno: number;

  constructor(readonly spec: Readonly<MapSpec>) {
    this.type = spec.type;
    this.name = spec.name;
    this.valueSize = spec.valueSize;
    // the loader's spec names the variable's struct (src/loader/maps.ts collectStructOps)
    const struct = ((spec as MapSpec & { valueType?: string }).valueType ?? '?').replace(/^struct /, '');
    const t = STRUCT_OPS_TYPES[struct];
    // unsupported (not a MapError): an object's map of another type is skipped when no loaded
    // program needs it, as for the map types ebpfvm lacks; its programs are refused naming it
    if (!t) throw new UnsupportedError(`struct_ops map ${spec.name}: struct ${struct} is not a struct_ops type ebpfvm models (${Object.keys(STRUCT_OPS_TYPES).join(', ')})`);
    if (spec.keySize !== 4 || spec.maxEntries !== 1) throw new MapError('struct_ops: key_size must be 4 and max_entries 1', spec.name, -Errno.EINVAL);
    this.updateErrno = t.updateErrno ?? Errno.EOPNOTSUPP;
  }

  lookupElem(): number {
    return 0;
  }
  updateElem(): number {
    return -Errno.EOPNOTSUPP;
  }
  deleteElem(): number {
    return -Errno.EOPNOTSUPP;
  }
  lookup(key: Uint8Array): Uint8Array | undefined {
    return keyIsZero(key) ? new Uint8Array(this.valueSize) : undefined;
  }
  update(): number {
    return -this.updateErrno;
  }
  delete(): number {
    return -Errno.ENOENT;
  }
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return key === undefined || !keyIsZero(key) ? new Uint8Array(4) : undefined;
  }
  destroy(): void {}
}

const keyIsZero = (k: Uint8Array): boolean => k.length === 4 && k.every((b) => b === 0);

export function createStructOpsMap(spec: MapSpec): BpfMap {
  return new StructOpsMap(spec);
}
