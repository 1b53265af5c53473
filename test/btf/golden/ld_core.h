#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

struct task {
	int pid;
	struct {
		long a;
		long b;
	} inner;
	unsigned int flag: 3;
	unsigned int mode: 5;
	int arr[4];
};

typedef struct task task_t;

enum color {
	RED = 1,
	GREEN = 2,
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
