// BPF_MAP_TYPE_STRUCT_OPS (kernel/bpf/bpf_struct_ops.c): one value, the struct_ops type's struct
// with its function-pointer members filled with programs. libbpf creates one per `.struct_ops`
// variable (src/loader/maps.ts) and registers it (BPF_MAP_UPDATE_ELEM) when it is attached.
// ebpfvm creates these maps for the struct_ops types it models (src/btf/builtin-struct-ops.ts);
// a map of another type cannot be created (UnsupportedError naming it). Nothing ever calls the
// members as the kernel's subsystem would (a bpf_dummy_ops program runs through
// BPF_PROG_TEST_RUN instead), so:
//   - lookup of key 0 gives the value as ebpfvm keeps it (zeros: bpf_struct_ops_map_sys_lookup_elem
//     copies the kernel's value, whose programs user space never sees); another key -ENOENT;
//     next_key gives 0 then ends;
//   - update is the registration. bpf_dummy_ops refuses it (init_member: -EOPNOTSUPP). A type
//     with registration rules (tcp_congestion_ops) applies them to the value the object gave the
//     map (its members set to programs, its name and flags: what libbpf's attach passes), not to
//     the bytes of the call, which would carry program fds ebpfvm does not hand out: key not 0
//     -E2BIG, flags -EINVAL, a map registered already -EBUSY, then the type's rules; a
//     `.struct_ops.link` map is only validated (the link registers it; a name taken is not
//     checked there);
//   - delete unregisters a registered map (0), else -ENOENT; a link map's -EOPNOTSUPP;
//   - programs cannot use these maps (the verifier's map/helper table has no struct_ops entry).
import { MapError, UnsupportedError } from '../src/errors.js';
import { STRUCT_OPS_TYPES, type StructOpsType, type StructOpsValue } from '../src/btf/builtin-struct-ops.js';
import { Errno, type BpfMap, type MapSpec } from './types.js';

export class StructOpsMap implements BpfMap {
  readonly type: number;
  readonly name: string;
  readonly keySize = 4;
  readonly valueSize: number;
  readonly maxEntries = 1;
  frozen = false;
  private readonly updateErrno: number;
  private readonly type_: StructOpsType;
  private readonly value?: StructOpsValue;
  private registered = false;

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
    this.type_ = t;
    this.value = (spec as MapSpec & { structOps?: StructOpsValue }).structOps;
  }

  private get isLink(): boolean {
    return (this.spec.flags & BPF_F_LINK) !== 0;
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
  update(key: Uint8Array, _value?: Uint8Array, flags = 0): number {
    const register = this.type_.register;
    if (!register) return -this.updateErrno;
    if (!keyIsZero(key)) return -Errno.E2BIG;
    if (flags) return -Errno.EINVAL;
    if (this.registered) return -Errno.EBUSY;
    const refused = register(this.value ?? { programs: new Set(), data: new Map() }, !this.isLink);
    if (refused) return -refused.errno;
    this.registered = true;
    return 0;
  }
  delete(): number {
    if (this.type_.register && this.isLink) return -Errno.EOPNOTSUPP;
    if (!this.registered) return -Errno.ENOENT;
    this.registered = false;
    return 0;
  }
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return key === undefined || !keyIsZero(key) ? new Uint8Array(4) : undefined;
  }
  destroy(): void {}
}

/** BPF_F_LINK (uapi): the map is registered by a link, not by its update. */
const BPF_F_LINK = 1 << 13;

const keyIsZero = (k: Uint8Array): boolean => k.length === 4 && k.every((b) => b === 0);

export function createStructOpsMap(spec: MapSpec): BpfMap {
  return new StructOpsMap(spec);
}
