// fr_target.c's fr_main and fr_whole as they run with fr_ext.c's extensions attached (the
// replaced bodies compiled in, see fr_funcs.h): the host kernel's results for these are the
// oracle for ebpfvm's freplace runs. Recorded with
// `node scripts/kernel-progs.mjs --record-object test/progs/fr_equiv.o`.
#include "fr_funcs.h"

int target_runs;
FR_EXT_GLOBALS

__attribute__((noinline)) int fr_scale(struct __sk_buff *skb, int k)
{
	FR_EXT_SCALE
}

__attribute__((noinline)) int fr_const(long v)
{
	FR_EXT_CONST
}

__attribute__((noinline)) int fr_touch(struct __sk_buff *skb)
{
	FR_EXT_TOUCH
}

SEC("tc")
int fr_main(struct __sk_buff *skb)
{
	FR_MAIN_BODY
}

/* fr_ext.c's new_main in place of fr_target.c's fr_whole */
SEC("tc")
int fr_whole(struct __sk_buff *skb)
{
	FR_EXT_WHOLE
}

char _license[] SEC("license") = "GPL";
