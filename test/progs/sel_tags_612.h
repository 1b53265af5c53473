/* The annotation encoding of Linux 6.12's selftests/bpf/progs/bpf_misc.h, written here so the
 * annotation parser is tested on it: plain "comment:<tag>" tags, with only __msg numbered inside
 * its payload ("comment:test_expect_msg=<N>=<text>"). */
#define __sel_str(x) #x
#define __sel_xstr(x) __sel_str(x)
#define __success	__attribute__((btf_decl_tag("comment:test_expect_success")))
#define __failure	__attribute__((btf_decl_tag("comment:test_expect_failure")))
#define __msg(m)	__attribute__((btf_decl_tag("comment:test_expect_msg=" __sel_xstr(__COUNTER__) "=" m)))
#define __retval(v)	__attribute__((btf_decl_tag("comment:test_retval=" #v)))
#define __log_level(n)	__attribute__((btf_decl_tag("comment:test_log_level=" #n)))
#define __description(d) __attribute__((btf_decl_tag("comment:test_description=" d)))
#define __auxiliary	__attribute__((btf_decl_tag("comment:test_auxiliary")))
#define __naked __attribute__((naked))
#define __clobber_all "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory"
#define POINTER_VALUE	0xcafe4all
