// SPDX-License-Identifier: MIT
/*
 * harness-io.h: the JSON and hex input/output the host-kernel harnesses share (progs-harness.c,
 * freplace-harness.c). Their output is parsed by scripts/kernel-progs.mjs and
 * scripts/freplace-selftests.mjs, so every harness must escape strings and name errnos the same way.
 */
#ifndef EBPFVM_HARNESS_IO_H
#define EBPFVM_HARNESS_IO_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A JSON string on stdout; bytes outside printable ASCII as \u00XX so the line stays valid JSON. */
static inline void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') printf("\\%c", c);
		else if (c == '\n') fputs("\\n", stdout);
		else if (c == '\t') fputs("\\t", stdout);
		else if (c < 0x20 || c >= 0x7f) printf("\\u%04x", c);
		else putchar(c);
	}
	putchar('"');
}

static inline void hex_out(const unsigned char *b, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
	putchar('"');
}

static inline unsigned char *unhex(const char *s, size_t *n)
{
	size_t len = strlen(s);
	unsigned char *b;

	if (!strcmp(s, "-")) { *n = 0; return NULL; }
	*n = len / 2;
	b = calloc(*n + 1, 1);
	for (size_t i = 0; i < *n; i++) sscanf(s + 2 * i, "%2hhx", &b[i]);
	return b;
}

static inline const char *errname(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case 524: return "ENOTSUPP"; /* kernel-internal, not in libc */
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOSPC: return "ENOSPC";
	case E2BIG: return "E2BIG";
	case EFAULT: return "EFAULT";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case ENOMEM: return "ENOMEM";
	case ERANGE: return "ERANGE";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EPROTO: return "EPROTO";
	case ENODEV: return "ENODEV";
	case EBUSY: return "EBUSY";
	case ENXIO: return "ENXIO";
	case ELOOP: return "ELOOP";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	default: { static char buf[32]; snprintf(buf, sizeof(buf), "E%d", e); return buf; }
	}
}

#endif
