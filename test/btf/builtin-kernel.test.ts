// The host kernel accepts the built-in BTF blob (BPF_BTF_LOAD, its verifier of BTF is strict
// about encodings, names and references). Needs root and bpf(2); skipped elsewhere.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { builtinBtfBytes } from '../../src/btf/builtin.js';

const LOAD = `
import ctypes, struct, sys, os, platform
nr = {"x86_64": 321, "aarch64": 280}[platform.machine()]
libc = ctypes.CDLL(None, use_errno=True)
data = sys.stdin.buffer.read()
buf = ctypes.create_string_buffer(data, len(data))
log = ctypes.create_string_buffer(1 << 20)
attr = (ctypes.c_ubyte * 128)()
struct.pack_into("<QQIII", attr, 0, ctypes.addressof(buf), ctypes.addressof(log), len(data), 1 << 20, 1)
fd = libc.syscall(nr, 18, ctypes.byref(attr), 128)
if fd < 0:
    print("error:", os.strerror(ctypes.get_errno()), log.value.decode()[-2000:])
else:
    print("ok")
`;

const canBpf = process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('python3', ['--version']).status === 0;

describe('built-in BTF in the kernel', () => {
  it.skipIf(!canBpf)('BPF_BTF_LOAD accepts the blob', () => {
    const r = spawnSync('python3', ['-c', LOAD], { input: Buffer.from(builtinBtfBytes()), encoding: 'utf8' });
    // Containers without bpf(2) say EPERM/ENOSYS: that is not a verdict on the blob.
    if (/Operation not permitted|Function not implemented/.test(r.stdout)) return;
    expect(r.stdout.trim()).toBe('ok');
  });
});
