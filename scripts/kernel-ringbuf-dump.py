#!/usr/bin/env python3
# The records of a pinned BPF ring buffer as user space sees them, for scripts/record-kernel.mjs:
# maps the consumer page and the producer page plus data area read-only (as libbpf does, without
# consuming anything) and walks the records from consumer_pos to producer_pos, stopping at the
# first one still BUSY.
#
# argv[1]: pinned map path
# stdout: {"consumer_pos": n, "producer_pos": n, "records": [{"pos": n, "header": hex8, "data": hex}]}
import ctypes, json, mmap, os, platform, struct, sys

from bpf_syscall import NR_BPF, bpf, obj_get

BPF_OBJ_GET_INFO_BY_FD = 15
BUSY = 0x80000000
DISCARD = 0x40000000
PAGE = mmap.PAGESIZE


def max_entries(fd):
    info = (ctypes.c_ubyte * 96)()
    attr = (ctypes.c_ubyte * 16)()
    struct.pack_into("<IIQ", attr, 0, fd, ctypes.sizeof(info), ctypes.addressof(info))
    bpf(BPF_OBJ_GET_INFO_BY_FD, attr)
    # struct bpf_map_info: type, id, key_size, value_size, max_entries
    return struct.unpack_from("<IIIII", info, 0)[4]


def main():
    fd = obj_get(sys.argv[1])
    size = max_entries(fd)
    cons = mmap.mmap(fd, PAGE, mmap.MAP_SHARED, mmap.PROT_READ, offset=0)
    # the producer page, then the data area mapped twice (a record that wraps is contiguous)
    prod = mmap.mmap(fd, PAGE + 2 * size, mmap.MAP_SHARED, mmap.PROT_READ, offset=PAGE)
    cpos = struct.unpack_from("<Q", cons, 0)[0]
    ppos = struct.unpack_from("<Q", prod, 0)[0]
    records = []
    pos = cpos
    while pos < ppos:
        off = PAGE + (pos & (size - 1))
        word, _ = struct.unpack_from("<II", prod, off)
        if word & BUSY:
            break
        n = word & ~(BUSY | DISCARD) & 0xFFFFFFFF
        records.append({"pos": pos, "header": prod[off:off + 8].hex(), "data": prod[off + 8:off + 8 + n].hex()})
        pos += (n + 8 + 7) & ~7
    print(json.dumps({"consumer_pos": cpos, "producer_pos": ppos, "records": records}))


main()
