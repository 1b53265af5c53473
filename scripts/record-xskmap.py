#!/usr/bin/env python3
# The host kernel's XSKMAP with AF_XDP sockets in it, for test/progs/maps/m_xskmap.c (issue 13):
# loads the object with bpftool (pinning its maps), makes two AF_XDP sockets (unbound: an xskmap
# takes any PF_XDP socket, xsk_map_update_elem does not ask for a bound one) and one TCP socket,
# records the errno of each user-space map operation of a fixed sequence, leaves socket A in slot
# 0 and socket B in slot 2, then test-runs every program (xdp, tc, socket filter) on 64 zero bytes, pinned to CPU 0. Also
# what an array_of_maps with an xskmap template takes (xsk_map_meta_equal: the same max_entries,
# which a devmap template does not ask for).
# Writes test/fixtures/xskmap/m_xskmap.json, which test/maps/xskmap-sockets.test.ts replays on
# described "xdp" sockets. Needs root, bpffs and bpftool; not part of npm test.
#
#   sudo python3 scripts/record-xskmap.py
import ctypes, errno, json, os, platform, shutil, socket, struct, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bpf_syscall import bpf, obj_get  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OBJ = os.path.join(ROOT, "test/progs/maps/m_xskmap.o")
PIN = "/sys/fs/bpf/ebpfvm_xskmap_rec"
AF_XDP = 44
BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM, BPF_MAP_GET_NEXT_KEY = 1, 2, 3, 4
BPF_PROG_TEST_RUN = 10
PROGRAMS = ["redir_full", "redir_empty", "redir_key_cut", "redir_beyond", "redir_broadcast",
            "redir_bad_action", "lookup_full", "lookup_slot2", "lookup_empty", "lookup_beyond",
            "lookup_then_redirect", "tc_lookup", "sf_lookup", "xdp_skc_to_tcp"]


def map_op(cmd, fd, key, value=None, flags=0):
    k = ctypes.create_string_buffer(struct.pack("<I", key), 4) if key is not None else None
    v = ctypes.create_string_buffer(struct.pack("<I", value) if value is not None else 4, 4)
    attr = (ctypes.c_ubyte * 32)()
    # BPF_MAP_DELETE_ELEM's attr ends at the key: anything after it must be zero (CHECK_ATTR)
    vaddr = 0 if cmd == BPF_MAP_DELETE_ELEM else ctypes.addressof(v)
    struct.pack_into("<IIQQQ", attr, 0, fd, 0, ctypes.addressof(k) if k is not None else 0, vaddr, flags)
    try:
        bpf(cmd, attr)
    except OSError as e:
        # 95 is EOPNOTSUPP (Python names it ENOTSUP)
        return "-" + ("EOPNOTSUPP" if e.errno == errno.EOPNOTSUPP else errno.errorcode[e.errno])
    return struct.unpack("<I", v.raw)[0] if cmd == BPF_MAP_GET_NEXT_KEY else 0


def map_create(mtype, key, value, entries, inner_fd=0):
    attr = (ctypes.c_ubyte * 72)()
    struct.pack_into("<IIIIII", attr, 0, mtype, key, value, entries, 0, inner_fd)
    return bpf(0, attr)  # BPF_MAP_CREATE


def inner_maps():
    """Outer array_of_maps slot updates with inner maps of the template's max_entries and another."""
    out = {}
    for name, mtype in (("xskmap", 17), ("devmap", 14)):
        tmpl, same, other = map_create(mtype, 4, 4, 4), map_create(mtype, 4, 4, 4), map_create(mtype, 4, 4, 8)
        outer = map_create(12, 4, 4, 2, tmpl)
        out[name] = {"same_max_entries": map_op(BPF_MAP_UPDATE_ELEM, outer, 0, same),
                     "other_max_entries": map_op(BPF_MAP_UPDATE_ELEM, outer, 1, other)}
        for fd in (tmpl, same, other, outer):
            os.close(fd)
    return out


def test_run(fd, data):
    attr = (ctypes.c_ubyte * 80)()
    din = ctypes.create_string_buffer(data, len(data))
    dout = ctypes.create_string_buffer(len(data) + 4096)
    struct.pack_into("<IIIIQQ", attr, 0, fd, 0, len(data), len(dout), ctypes.addressof(din), ctypes.addressof(dout))
    bpf(BPF_PROG_TEST_RUN, attr)
    (_, retval, _, size_out) = struct.unpack_from("<IIII", attr, 0)
    return {"retval": retval, "data_out": dout.raw[:size_out].hex()}


def main():
    os.sched_setaffinity(0, {0})
    shutil.rmtree(PIN, ignore_errors=True)
    os.makedirs(PIN)
    try:
        subprocess.run(["bpftool", "prog", "loadall", OBJ, PIN + "/p", "pinmaps", PIN + "/m"], check=True)
        mfd = obj_get(PIN + "/m/xsks")
        socks = {"xskA": socket.socket(AF_XDP, socket.SOCK_RAW, 0), "xskB": socket.socket(AF_XDP, socket.SOCK_RAW, 0),
                 "tcp": socket.socket(socket.AF_INET, socket.SOCK_STREAM)}
        fd_of = lambda v: socks[v].fileno() if isinstance(v, str) else v
        # (op, key, value: a socket name or a raw fd, flags); BPF_ANY 0, BPF_NOEXIST 1, BPF_EXIST 2
        seq = [("update", 0, "xskA", 0), ("update", 0, "xskA", 1), ("update", 0, "xskB", 1),
               ("update", 1, "xskB", 2), ("update", 1, "tcp", 0), ("update", 1, 100000, 0),
               ("update", 4, "xskA", 0), ("update", 1, "xskA", 3), ("update", 2, "xskB", 1),
               ("update", 3, "xskB", 0), ("lookup", 0, None, 0), ("lookup", 3, None, 0),
               ("delete", 3, None, 0), ("delete", 3, None, 0), ("delete", 4, None, 0),
               ("next", None, None, 0), ("next", 1, None, 0), ("next", 3, None, 0), ("next", 9, None, 0)]
        ops = []
        for op, key, value, flags in seq:
            if op == "update":
                r = map_op(BPF_MAP_UPDATE_ELEM, mfd, key, fd_of(value), flags)
            elif op == "lookup":
                r = map_op(BPF_MAP_LOOKUP_ELEM, mfd, key)
            elif op == "delete":
                r = map_op(BPF_MAP_DELETE_ELEM, mfd, key)
            else:
                r = map_op(BPF_MAP_GET_NEXT_KEY, mfd, key)
            ops.append({"op": op, "key": key, "value": value, "flags": flags, "result": r})
        runs = {}
        for p in PROGRAMS:
            runs[p] = test_run(obj_get(PIN + "/p/" + p), bytes(64))
        out = {"kernel": platform.release(), "source": "test/progs/maps/m_xskmap.c",
               "sockets": {"xskA": "AF_XDP, unbound", "xskB": "AF_XDP, unbound", "tcp": "AF_INET SOCK_STREAM"},
               "ops": ops, "input": "zero64", "runs": runs, "inner_maps": inner_maps()}
        os.makedirs(os.path.join(ROOT, "test/fixtures/xskmap"), exist_ok=True)
        with open(os.path.join(ROOT, "test/fixtures/xskmap/m_xskmap.json"), "w") as f:
            f.write(json.dumps(out, indent=1) + "\n")
        print(json.dumps(out))
    finally:
        shutil.rmtree(PIN, ignore_errors=True)


main()
