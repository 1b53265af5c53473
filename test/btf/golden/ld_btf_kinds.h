#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef unsigned long long u64;

struct bits {
	unsigned int a: 3;
	unsigned int b: 5;
	int c: 9;
	unsigned char d;
	u64 e: 40;
};

struct opaque;

union num {
	int i;
	float f;
	double d;
};

enum big {
	BIG_SMALL = 1ULL,
	BIG_LARGE = 78187493520ULL,
};

enum neg {
	NEG_A = -1,
	NEG_B = 5,
};

struct node {
	struct node *next;
	struct opaque *o;
	int __attribute__((btf_type_tag("user"))) *uptr;
	int (*fn)(int, void *);
	volatile const char name[5];
	union num n;
	struct {
		short x;
		short y;
	} pt;
	union {
		int u1;
		char u2;
	};
	enum big bg;
	enum neg ng;
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
