# bpf(2) through ctypes for the kernel-recording scripts (Node has no binding): the syscall itself
# and BPF_OBJ_GET of a pinned path. Imported by kernel-test-run.py and kernel-ringbuf-dump.py.
import ctypes, os, platform, struct

NR_BPF = {"x86_64": 321, "aarch64": 280}.get(platform.machine())
BPF_OBJ_GET = 7

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr):
    ret = libc.syscall(NR_BPF, cmd, ctypes.byref(attr), ctypes.sizeof(attr))
    if ret < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return ret


def obj_get(path):
    p = ctypes.create_string_buffer(path.encode())
    attr = (ctypes.c_ubyte * 24)()
    struct.pack_into("<QIIi", attr, 0, ctypes.addressof(p), 0, 0, 0)
    return bpf(BPF_OBJ_GET, attr)
