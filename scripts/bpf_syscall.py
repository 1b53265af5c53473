# bpf(2) through ctypes for the kernel-recording scripts (Node has no binding): the syscall itself,
# BPF_OBJ_GET of a pinned path and BPF_PROG_LOAD of raw instructions. Imported by kernel-test-run.py
# and kernel-ringbuf-dump.py.
import ctypes, os, platform, struct

NR_BPF = {"x86_64": 321, "aarch64": 280}.get(platform.machine())
BPF_OBJ_GET = 7
BPF_PROG_LOAD = 5

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


def prog_load(insns, prog_type, log_size=1 << 16):
    """Loads raw instruction bytes; returns the fd, or raises OSError with the verifier log's last
    line appended to the message (the kernel's reason for a refusal)."""
    code = ctypes.create_string_buffer(bytes(insns), len(insns))
    lic = ctypes.create_string_buffer(b"GPL")
    log = ctypes.create_string_buffer(log_size)
    attr = (ctypes.c_ubyte * 128)()
    struct.pack_into("<IIQQIIQ", attr, 0, prog_type, len(insns) // 8, ctypes.addressof(code),
                     ctypes.addressof(lic), 1, log_size, ctypes.addressof(log))
    try:
        return bpf(BPF_PROG_LOAD, attr)
    except OSError as e:
        lines = [l for l in log.value.decode(errors="replace").split("\n") if l.strip()]
        # the last line is the processed-insns statistic; the reason is the line before it
        reason = [l for l in lines if not l.startswith("processed ")]
        raise OSError(e.errno, e.strerror + (": " + reason[-1] if reason else "")) from None
