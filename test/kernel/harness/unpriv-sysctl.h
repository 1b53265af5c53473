/* SPDX-License-Identifier: MIT */
/* kernel.unprivileged_bpf_disabled, lowered from Debian's 2 to 0 for the unprivileged loads the
 * verifier selftests make and put back afterwards, by every harness that makes such loads
 * (verifier-harness.c, test-verifier-harness.c). One lock file serialises them; the value to put
 * back is kept in a state file too, so a harness killed in between leaves it for the next one.
 * The includer defines nothing; it calls unpriv_sysctl_lower() before an unprivileged load and may
 * call unpriv_sysctl_release() after it (it also runs at exit and on SIGINT/SIGTERM/SIGHUP). */
#ifndef EBPFVM_UNPRIV_SYSCTL_H
#define EBPFVM_UNPRIV_SYSCTL_H

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#define UNPRIV_SYSCTL "/proc/sys/kernel/unprivileged_bpf_disabled"
#define UNPRIV_LOCK "/run/ebpfvm-verifier-harness-unpriv.lock"
#define UNPRIV_STATE "/run/ebpfvm-verifier-harness-unpriv.saved"

static int unpriv_lock_fd = -1;
static char unpriv_saved[8];
static volatile sig_atomic_t unpriv_changed;

static int unpriv_write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0600);
	ssize_t len = (ssize_t)strlen(val), w;

	if (fd < 0) return -1;
	w = write(fd, val, len);
	close(fd);
	return w == len ? 0 : -1;
}

static int unpriv_read_str(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t r;

	if (fd < 0) return -1;
	r = read(fd, buf, size - 1);
	close(fd);
	if (r <= 0) return -1;
	buf[r] = 0;
	while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == ' ')) buf[--r] = 0;
	return 0;
}

/* Writing the sysctl needs CAP_SYS_ADMIN, which the harnesses keep out of their effective set (as
 * prog_tests/verifier.c does): raised for the write only (it is still permitted). Only
 * async-signal-safe calls: it also runs from the signal handler. */
static int unpriv_sysctl_write(const char *val)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2], raised[2];
	int err;

	if (syscall(SYS_capget, &hdr, data)) return -1;
	memcpy(raised, data, sizeof(data));
	raised[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective |= CAP_TO_MASK(CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &hdr, raised)) return -1;
	err = unpriv_write_str(UNPRIV_SYSCTL, val);
	syscall(SYS_capset, &hdr, data);
	return err;
}

static void unpriv_sysctl_restore(void)
{
	if (!unpriv_changed) return;
	if (unpriv_sysctl_write(unpriv_saved) == 0) {
		unlink(UNPRIV_STATE);
		unpriv_changed = 0;
	}
}

/* Puts the value back and lets the next harness in; idempotent. */
static void unpriv_sysctl_release(void)
{
	unpriv_sysctl_restore();
	if (unpriv_lock_fd >= 0) { flock(unpriv_lock_fd, LOCK_UN); close(unpriv_lock_fd); unpriv_lock_fd = -1; }
}

static void unpriv_on_signal(int sig)
{
	unpriv_sysctl_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Takes the lock (once) and lowers the sysctl to 0. Returns -1 when unprivileged loads cannot be
 * allowed: 1 cannot be lowered until reboot. Exits 2 on a failure to lock, read or write. */
static int unpriv_sysctl_lower(void)
{
	static int at_exit_registered;
	char cur[8];

	if (unpriv_lock_fd >= 0) return 0;
	unpriv_lock_fd = open(UNPRIV_LOCK, O_RDWR | O_CREAT, 0600);
	if (unpriv_lock_fd < 0 || flock(unpriv_lock_fd, LOCK_EX)) { perror(UNPRIV_LOCK); exit(2); }
	if (!at_exit_registered) { atexit(unpriv_sysctl_release); at_exit_registered = 1; }
	if (unpriv_read_str(UNPRIV_SYSCTL, cur, sizeof(cur))) { perror(UNPRIV_SYSCTL); exit(2); }
	/* a harness killed between lowering and restoring left the old value in the state file */
	if (unpriv_read_str(UNPRIV_STATE, unpriv_saved, sizeof(unpriv_saved))) strcpy(unpriv_saved, cur);
	if (!strcmp(cur, "0")) {
		if (strcmp(unpriv_saved, "0")) unpriv_changed = 1; /* restore the stale state's value */
		return 0;
	}
	if (!strcmp(cur, "1")) return -1;
	if (unpriv_write_str(UNPRIV_STATE, unpriv_saved)) { perror(UNPRIV_STATE); exit(2); }
	signal(SIGINT, unpriv_on_signal);
	signal(SIGTERM, unpriv_on_signal);
	signal(SIGHUP, unpriv_on_signal);
	unpriv_changed = 1;
	if (unpriv_sysctl_write("0")) { perror("lowering kernel.unprivileged_bpf_disabled"); exit(2); }
	return 0;
}

#endif
