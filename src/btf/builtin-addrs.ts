// Kernel addresses of the built-in kernel objects (src/btf/builtin-kmem.ts maps them). Kept in
// a module without imports so helpers can name them without pulling in the BTF builder. They look
// like x86-64 kernel addresses (direct map, kernel image): never arena addresses or handles.
export const CURRENT_TASK_ADDR = 0xffff888000100000n;
export const CURRENT_CRED_ADDR = 0xffff888000101000n;
export const INIT_TASK_ADDR = 0xffffffff82a0c940n;
export const INIT_CRED_ADDR = 0xffffffff82a5e040n;
export const NR_CPU_IDS_ADDR = 0xffffffff82b41f28n;
/** Kernel stacks (THREAD_SIZE 16 KiB) of the current task and init_task: task->stack points at
 *  the bottom, the saved user pt_regs sit at the top (task_pt_regs). */
export const CURRENT_STACK_ADDR = 0xffffc90000100000n;
export const INIT_STACK_ADDR = 0xffffffff82a00000n;
export const THREAD_SIZE = 0x4000n;
/** sizeof(struct pt_regs) on x86-64. */
export const PT_REGS_SIZE = 168n;
/** The loopback device (ifindex 1), its receive queue 0, the initial network namespace, and the
 *  xdp_buff bpf_cast_to_kern_ctx gives an xdp program (src/btf/builtin-netdev.ts). */
export const LO_DEV_ADDR = 0xffff888002000000n;
export const LO_RXQ_ADDR = 0xffff888002001000n;
export const INIT_NET_ADDR = 0xffffffff83a0f000n;
export const XDP_BUFF_ADDR = 0xffff888002002000n;
/** The initial network namespace's inode number, as /proc/self/ns/net shows it on a host. */
export const INIT_NET_INUM = 4026531840;
/** The struct bpf_map images of the runtime's maps (maps/kernel-struct.ts): map id N's at
 *  MAP_STRUCT_BASE + N * MAP_STRUCT_STRIDE, mapped when an iterator hands them out (src/iter.ts). */
export const MAP_STRUCT_BASE = 0xffff888001100000n;
export const MAP_STRUCT_STRIDE = 0x200n;
