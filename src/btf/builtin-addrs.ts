// Kernel addresses of the built-in kernel objects (src/btf/builtin-kmem.ts maps them). Kept in
// a module without imports so helpers can name them without pulling in the BTF builder. They look
// like x86-64 kernel addresses (direct map, kernel image): never arena addresses or handles.
export const CURRENT_TASK_ADDR = 0xffff888000100000n;
export const CURRENT_CRED_ADDR = 0xffff888000101000n;
export const INIT_TASK_ADDR = 0xffffffff82a0c940n;
export const INIT_CRED_ADDR = 0xffffffff82a5e040n;
export const NR_CPU_IDS_ADDR = 0xffffffff82b41f28n;
