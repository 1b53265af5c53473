/* SPDX-License-Identifier: MIT */
/*
 * bpf_misc.h for ebpfvm: the macro names kernel selftests use, so test programs written for the
 * kernel's tools/testing/selftests/bpf compile unmodified with `-I include`.
 *
 * Test annotations are recorded the way the kernel's test loader reads them: BTF decl tags on the
 * program's FUNC, "comment:<counter>:<payload>". ebpfvm's `test` command reads the same tags, so a
 * program annotated here behaves the same under the kernel's runner and ours.
 */
#ifndef __EBPFVM_BPF_MISC_H
#define __EBPFVM_BPF_MISC_H

#define __EBPFVM_STR(x) #x
#define __EBPFVM_XSTR(x) __EBPFVM_STR(x)

#define __test_tag(tag) \
	__attribute__((btf_decl_tag("comment:" __EBPFVM_XSTR(__COUNTER__) ":" tag)))

/* Expected outcome of loading (and, with __retval, of one test run). */
#define __success		__test_tag("test_expect_success")
#define __failure		__test_tag("test_expect_failure")
#define __msg(m)		__test_tag("test_expect_msg=" m)
#define __not_msg(m)		__test_tag("test_expect_not_msg=" m)
#define __xlated(m)		__test_tag("test_expect_xlated=" m)
#define __jited(m)		__test_tag("test_jited=" m)
#define __retval(v)		__test_tag("test_retval=" __EBPFVM_XSTR(v))
#define __description(d)	__test_tag("test_description=" d)
#define __skip(r)		__test_tag("test_skip=" r)
#define __log_level(n)		__test_tag("test_log_level=" #n)
#define __log_always		__test_tag("test_log_always")
#define __flag(f)		__test_tag("test_prog_flags=" #f)
#define __auxiliary		__test_tag("test_auxiliary")
#define __btf_path(p)		__test_tag("test_btf_path=" p)
#define __caps_unpriv(c)	__test_tag("test_caps_unpriv=" __EBPFVM_XSTR(c))
#define __linear_size(sz)	__test_tag("test_linear_size=" __EBPFVM_XSTR(sz))
#define __stderr(m)		__test_tag("test_expect_stderr=" m)
#define __stdout(m)		__test_tag("test_expect_stdout=" m)
#define __load_if_JITed()	__test_tag("load_mode=jited")
#define __load_if_no_JITed()	__test_tag("load_mode=no_jited")

/* Unprivileged twins: the kernel runs these as an extra "@unpriv" test. */
#define __success_unpriv	__test_tag("test_expect_success_unpriv")
#define __failure_unpriv	__test_tag("test_expect_failure_unpriv")
#define __msg_unpriv(m)		__test_tag("test_expect_msg_unpriv=" m)
#define __not_msg_unpriv(m)	__test_tag("test_expect_not_msg_unpriv=" m)
#define __xlated_unpriv(m)	__test_tag("test_expect_xlated_unpriv=" m)
#define __retval_unpriv(v)	__test_tag("test_retval_unpriv=" __EBPFVM_XSTR(v))
#define __auxiliary_unpriv	__test_tag("test_auxiliary_unpriv")

/* ebpfvm's rbtree strict-mode twins (not the kernel's; its loader ignores them). A program with
 * any of them gets an extra "@strict" run in `ebpfvm test`, verified with --strict; what is not
 * given is inherited from the default (RFC-mode) expectations, as the @unpriv run inherits.
 * `ebpfvm test --strict` runs every test that way. */
#define __success_strict	__test_tag("test_expect_success_strict")
#define __failure_strict	__test_tag("test_expect_failure_strict")
#define __msg_strict(m)		__test_tag("test_expect_msg_strict=" m)
#define __not_msg_strict(m)	__test_tag("test_expect_not_msg_strict=" m)
#define __retval_strict(v)	__test_tag("test_retval_strict=" __EBPFVM_XSTR(v))

/* Architecture filters for __jited; ebpfvm has no JIT, so these only narrow JIT checks. */
#define __arch(arch)		__test_tag("test_arch=" arch)
#define __arch_x86_64		__arch("X86_64")
#define __arch_arm64		__arch("ARM64")
#define __arch_riscv64		__arch("RISCV64")
#define __arch_s390x		__arch("s390x")
#define __arch_loongarch	__arch("LOONGARCH")

/* Inline-asm helpers of the selftests. */
#define __naked			__attribute__((naked))
#define __clobber_all		"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory"
#define __clobber_common	"r0", "r1", "r2", "r3", "r4", "r5", "memory"
#define __imm(name)		[name] "i"(name)
#define __imm_const(name, expr)	[name] "i"(expr)
#define __imm_addr(name)	[name] "i"(&name)
#define __imm_ptr(name)		[name] "r"(&name)
#define __imm_insn(name, expr)	[name] "i"(*(long *)&(expr))

/* Constants the selftests share. */
#define POINTER_VALUE		0xcafe4all
#define TEST_DATA_LEN		64

/* Architecture of the target the syscall wrappers are named for. */
#if !defined(__TARGET_ARCH_x86) && !defined(__TARGET_ARCH_arm64) && !defined(__TARGET_ARCH_s390) && \
	!defined(__TARGET_ARCH_riscv) && !defined(__TARGET_ARCH_loongarch)
#define __TARGET_ARCH_x86
#endif

#if defined(__TARGET_ARCH_x86)
#define SYSCALL_WRAPPER 1
#define SYS_PREFIX "__x64_"
#elif defined(__TARGET_ARCH_s390)
#define SYSCALL_WRAPPER 1
#define SYS_PREFIX "__s390x_"
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_WRAPPER 1
#define SYS_PREFIX "__arm64_"
#elif defined(__TARGET_ARCH_riscv)
#define SYSCALL_WRAPPER 1
#define SYS_PREFIX "__riscv_"
#else
#define SYSCALL_WRAPPER 0
#define SYS_PREFIX "__se_"
#endif

/* Feature macros: what the compiler and ebpfvm's ISA support. */
#if __clang_major__ >= 18
#define CAN_USE_GOTOL
#define CAN_USE_BPF_ST
#endif

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#endif /* __EBPFVM_BPF_MISC_H */
