// SPDX-License-Identifier: MIT
/* Open-coded iterators (verifier/iters.ts): loops over bpf_iter_num and bpf_iter_bits accepted and
 * run (bounded by what next returns, not by a constant), and the programs the kernel refuses: a
 * leaked iterator, an iterator used after destroy, created twice, overwritten by a store, read as
 * plain stack, of the wrong type, not on the stack, its element used after destroy or beyond its
 * size, and a precise loop counter that walks off an array. */
#include "vmaps.h"
#include "kfunc/kfunc_decls.h"

/* The loop macros of the kernel selftests' bpf_misc.h/bpf_experimental.h, in ebpfvm's words: the
 * iterator is created in the for's declaration, destroyed by the cleanup attribute when the loop is
 * left (break or end), and each turn asks next for an element. */
#define bpf_for(i, start, end)                                                                   \
	for (struct bpf_iter_num ___it __attribute__((aligned(8), cleanup(bpf_iter_num_destroy))),  \
	     *___p __attribute__((unused)) = (bpf_iter_num_new(&___it, (start), (end)), (void *)0); \
	     ({                                                                                  \
		     int *___t = bpf_iter_num_next(&___it);                                       \
		     (___t && ((i) = *___t, (i) >= (start) && (i) < (end)));                      \
	     });)

#define bpf_repeat(n)                                                                            \
	for (struct bpf_iter_num ___it __attribute__((aligned(8), cleanup(bpf_iter_num_destroy))),  \
	     *___p __attribute__((unused)) = (bpf_iter_num_new(&___it, 0, (n)), (void *)0);         \
	     bpf_iter_num_next(&___it);)

int arr[16];
__u64 words[2] = { 0x8000000000000011ULL, 0x5ULL };
volatile int limit = 10;

SEC("syscall")
__description("iterators: bpf_for sums 0..9 (the bound known only to the iterator)")
__success __retval(45)
int for_sum(void *ctx)
{
	int i, sum = 0;

	bpf_for(i, 0, limit)
		sum += i;
	return sum;
}

SEC("syscall")
__description("iterators: bpf_for's element indexes an array")
__success __retval(120)
int for_index(void *ctx)
{
	int i, sum = 0;

	bpf_for(i, 0, 16)
		arr[i] = i;
	bpf_for(i, 0, 16)
		sum += arr[i];
	return sum;
}

SEC("syscall")
__description("iterators: nested loops, break out of the inner one")
__success __retval(30)
int nested(void *ctx)
{
	int i, j, n = 0;

	bpf_for(i, 0, 10) {
		bpf_for(j, 0, 10) {
			if (j == 3)
				break;
			n++;
		}
	}
	return n;
}

SEC("syscall")
__description("iterators: bpf_repeat with a count only known at run time")
__success __retval(10)
int repeat(void *ctx)
{
	int n = 0;

	bpf_repeat(limit)
		n++;
	return n & 0xff;
}

SEC("syscall")
__description("iterators: bpf_iter_bits over two words (bits 0 4 63 64 66)")
__success __retval(197)
int bits(void *ctx)
{
	struct bpf_iter_bits it;
	int *b, sum = 0;

	bpf_iter_bits_new(&it, words, 2);
	while ((b = bpf_iter_bits_next(&it)))
		sum += *b;
	bpf_iter_bits_destroy(&it);
	return sum;
}

SEC("syscall")
__description("iterators: the state is printed as the kernel prints it")
__success __log_level(2)
__msg("fp-8=iter_num(ref_id=1,state=active,depth=0)")
__msg("fp-8=iter_num(ref_id=1,state=drained,depth=0)")
__msg("fp-8=iter_num(ref_id=1,state=active,depth=1)")
__naked void log_state(void)
{
	asm volatile ("r6 = r10;" "r6 += -8;"
		"r1 = r6;" "r2 = 0;" "r3 = 3;" "call %[bpf_iter_num_new];"
	"1:"	"r1 = r6;" "call %[bpf_iter_num_next];"
		"if r0 != 0 goto 1b;"
		"r1 = r6;" "call %[bpf_iter_num_destroy];"
		"r0 = 0;" "exit;"
		:: __imm(bpf_iter_num_new), __imm(bpf_iter_num_next), __imm(bpf_iter_num_destroy) : __clobber_all);
}

static __noinline int walk(struct bpf_iter_num *it)
{
	int *v, n = 0;

	while ((v = bpf_iter_num_next(it)))
		n += *v & 1;
	return n;
}

SEC("syscall")
__description("iterators: a subprogram drives the caller's iterator")
__success __retval(5)
int in_subprog(void *ctx)
{
	struct bpf_iter_num it;
	int n;

	bpf_iter_num_new(&it, 0, limit);
	n = walk(&it);
	bpf_iter_num_destroy(&it);
	return n & 0xff;
}

SEC("syscall")
__description("iterators: an iterator not destroyed is a leaked reference")
__failure __msg("Unreleased reference id=1 alloc_insn=")
__naked void leak(void)
{
	asm volatile ("r1 = r10;" "r1 += -8;" "r2 = 0;" "r3 = 3;" "call %[bpf_iter_num_new];"
		"r0 = 0;" "exit;"
		:: __imm(bpf_iter_num_new) : __clobber_all);
}

SEC("syscall")
__description("iterators: next after destroy")
__failure __msg("expected an initialized iter_num as arg #0")
__naked void next_after_destroy(void)
{
	asm volatile ("r6 = r10;" "r6 += -8;"
		"r1 = r6;" "r2 = 0;" "r3 = 3;" "call %[bpf_iter_num_new];"
		"r1 = r6;" "call %[bpf_iter_num_destroy];"
		"r1 = r6;" "call %[bpf_iter_num_next];"
		"r0 = 0;" "exit;"
		:: __imm(bpf_iter_num_new), __imm(bpf_iter_num_next), __imm(bpf_iter_num_destroy) : __clobber_all);
}

SEC("syscall")
__description("iterators: created twice in the same slots")
__failure __msg("expected uninitialized iter_num as arg #0")
__naked void double_new(void)
{
	asm volatile ("r6 = r10;" "r6 += -8;"
		"r1 = r6;" "r2 = 0;" "r3 = 3;" "call %[bpf_iter_num_new];"
		"r1 = r6;" "r2 = 0;" "r3 = 3;" "call %[bpf_iter_num_new];"
		"r1 = r6;" "call %[bpf_iter_num_destroy];"
		"r0 = 0;" "exit;"
		:: __imm(bpf_iter_num_new), __imm(bpf_iter_num_destroy) : __clobber_all);
}

SEC("syscall")
__description("iterators: a store over the iterator breaks it (next refuses it)")
__failure __msg("expected an initialized iter_num as arg #0")
__naked void overwritten(void)
{
	asm volatile ("r6 = r10;" "r6 += -8;"
		"r1 = r6;" "r2 = 0;" "r3 = 1000000;" "call %[bpf_iter_num_new];"
		/* rewind the iterator by hand: {cur, end} = {0, 1000000} */
		"r1 = 0;" "*(u32 *)(r10 - 8) = r1;"
		"r1 = r6;" "call %[bpf_iter_num_next];"
		"r1 = r6;" "call %[bpf_iter_num_destroy];"
		"r0 = 0;" "exit;"
		:: __imm(bpf_iter_num_new), __imm(bpf_iter_num_next), __imm(bpf_iter_num_destroy) : __clobber_all);
}

SEC("syscall")
__description("iterators: a store over the iterator, never destroyed, still leaks it")
__failure __msg("Unreleased reference id=1")
__naked void overwritten_leak(void)
{
	asm volatile ("r1 = r10;" "r1 += -8;" "r2 = 0;" "r3 = 3;" "call %[bpf_iter_num_new];"
		"r1 = 0;" "*(u64 *)(r10 - 8) = r1;"
		"r0 = 0;" "exit;"
		:: __imm(bpf_iter_num_new) : __clobber_all);
}

SEC("syscall")
__description("iterators: the iterator's bytes are not readable")
__failure __msg("invalid read from stack off -8+0 size 4")
__naked void read_slot(void)
{
	asm volatile ("r6 = r10;" "r6 += -8;"
		"r1 = r6;" "r2 = 0;" "r3 = 3;" "call %[bpf_iter_num_new];"
		"r7 = *(u32 *)(r10 - 8);"
		"r1 = r6;" "call %[bpf_iter_num_destroy];"
		"r0 = r7;" "exit;"
		:: __imm(bpf_iter_num_new), __imm(bpf_iter_num_destroy) : __clobber_all);
}

SEC("syscall")
__description("iterators: a helper may not read the iterator's bytes (a map key)")
__failure __msg("invalid read from stack R2 off -8+0 size 8")
__naked void helper_reads_slot(void)
{
	asm volatile ("r6 = r10;" "r6 += -8;"
		"r1 = r6;" "r2 = 0;" "r3 = 3;" "call %[bpf_iter_num_new];"
		"r1 = %[map_hash_8b] ll;" "r2 = r6;" "call %[bpf_map_lookup_elem];"
		"r1 = r6;" "call %[bpf_iter_num_destroy];"
		"r0 = 0;" "exit;"
		:: __imm(bpf_iter_num_new), __imm(bpf_iter_num_destroy), __imm(bpf_map_lookup_elem), __imm_addr(map_hash_8b) : __clobber_all);
}

SEC("syscall")
__description("iterators: a bits iterator is not a num iterator")
__failure __msg("expected an initialized iter_num as arg #0")
__naked void wrong_type(void)
{
	asm volatile ("r6 = r10;" "r6 += -16;"
		"r1 = r6;" "r2 = 0;" "r3 = 1;" "call %[bpf_iter_bits_new];"
		"r1 = r6;" "call %[bpf_iter_num_next];"
		"r1 = r6;" "call %[bpf_iter_bits_destroy];"
		"r0 = 0;" "exit;"
		:: __imm(bpf_iter_bits_new), __imm(bpf_iter_num_next), __imm(bpf_iter_bits_destroy) : __clobber_all);
}

SEC("syscall")
__description("iterators: the iterator must live on the stack")
__failure __msg("arg#0 expected pointer to an iterator on stack")
__naked void not_on_stack(void)
{
	asm volatile ("r1 = %[arr] ll;" "r2 = 0;" "r3 = 3;" "call %[bpf_iter_num_new];"
		"r0 = 0;" "exit;"
		:: __imm_addr(arr), __imm(bpf_iter_num_new) : __clobber_all);
}

SEC("syscall")
__description("iterators: the iterator must start at an 8-byte slot")
__failure __msg("cannot pass in iter at an offset=-12")
__msg("expected uninitialized iter_num as arg #0")
__naked void misaligned(void)
{
	asm volatile ("r1 = r10;" "r1 += -12;" "r2 = 0;" "r3 = 3;" "call %[bpf_iter_num_new];"
		"r0 = 0;" "exit;"
		:: __imm(bpf_iter_num_new) : __clobber_all);
}

SEC("syscall")
__description("iterators: next's element is gone once the iterator is destroyed")
__failure __msg("R7 invalid mem access 'scalar'")
__naked void element_after_destroy(void)
{
	asm volatile ("r6 = r10;" "r6 += -8;"
		"r1 = r6;" "r2 = 0;" "r3 = 3;" "call %[bpf_iter_num_new];"
		"r1 = r6;" "call %[bpf_iter_num_next];"
		"if r0 == 0 goto 1f;"
		"r7 = r0;"
		"r1 = r6;" "call %[bpf_iter_num_destroy];"
		"r0 = *(u32 *)(r7 + 0);"
		"exit;"
	"1:"	"r1 = r6;" "call %[bpf_iter_num_destroy];"
		"r0 = 0;" "exit;"
		:: __imm(bpf_iter_num_new), __imm(bpf_iter_num_next), __imm(bpf_iter_num_destroy) : __clobber_all);
}

SEC("syscall")
__description("iterators: next's element is 4 bytes of read-only memory")
__failure __msg("invalid access to memory, mem_size=4 off=0 size=8")
__naked void element_too_wide(void)
{
	asm volatile ("r6 = r10;" "r6 += -8;"
		"r1 = r6;" "r2 = 0;" "r3 = 3;" "call %[bpf_iter_num_new];"
		"r1 = r6;" "call %[bpf_iter_num_next];"
		"if r0 == 0 goto 1f;"
		"r7 = *(u64 *)(r0 + 0);"
	"1:"	"r1 = r6;" "call %[bpf_iter_num_destroy];"
		"r0 = 0;" "exit;"
		:: __imm(bpf_iter_num_new), __imm(bpf_iter_num_next), __imm(bpf_iter_num_destroy) : __clobber_all);
}

SEC("syscall")
__description("iterators: next's element is read-only")
__failure __msg("cannot write into rdonly_mem")
__naked void element_write(void)
{
	asm volatile ("r6 = r10;" "r6 += -8;"
		"r1 = r6;" "r2 = 0;" "r3 = 3;" "call %[bpf_iter_num_new];"
		"r1 = r6;" "call %[bpf_iter_num_next];"
		"if r0 == 0 goto 1f;"
		"r1 = 7;" "*(u32 *)(r0 + 0) = r1;"
	"1:"	"r1 = r6;" "call %[bpf_iter_num_destroy];"
		"r0 = 0;" "exit;"
		:: __imm(bpf_iter_num_new), __imm(bpf_iter_num_next), __imm(bpf_iter_num_destroy) : __clobber_all);
}

SEC("syscall")
__description("iterators: a counter is tracked exactly through the iterations: the 17th index is out of bounds")
__failure __msg("invalid access to map value, value_size=64 off=64 size=4")
__naked void counter_unbounded(void)
{
	asm volatile ("r6 = r10;" "r6 += -8;" "r8 = 0;"
		"r1 = r6;" "r2 = 0;" "r3 = 10;" "call %[bpf_iter_num_new];"
	"1:"	"r1 = r6;" "call %[bpf_iter_num_next];"
		"if r0 == 0 goto 2f;"
		"r8 += 1;"
		"goto 1b;"
	"2:"	"r1 = r6;" "call %[bpf_iter_num_destroy];"
		"r1 = %[arr] ll;" "r8 <<= 2;" "r1 += r8;"
		"r0 = *(u32 *)(r1 + 0);"
		"exit;"
		:: __imm_addr(arr), __imm(bpf_iter_num_new), __imm(bpf_iter_num_next), __imm(bpf_iter_num_destroy) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
