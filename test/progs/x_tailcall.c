// Tail calls: a chain through a prog_array filled by `values`, the 33-call limit (a program that
// tail-calls itself), an empty slot and an index out of range falling through.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int x_tc_step1(struct __sk_buff *skb);
int x_tc_step2(struct __sk_buff *skb);
int x_tc_self(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__uint(key_size, 4);
	__array(values, int(struct __sk_buff *));
} jmp SEC(".maps") = { .values = { [0] = (void *)&x_tc_step1, [1] = (void *)&x_tc_step2, [2] = (void *)&x_tc_self } };

long hops;
long selfs;
long res[4];

SEC("tc")
int x_tc_step2(struct __sk_buff *skb)
{
	hops += 100;
	return 42;
}

SEC("tc")
int x_tc_step1(struct __sk_buff *skb)
{
	hops += 10;
	bpf_tail_call(skb, &jmp, 1);
	return 1;
}

SEC("tc")
int x_tc_chain(struct __sk_buff *skb)
{
	hops += 1;
	bpf_tail_call(skb, &jmp, 0);
	return 2;
}

SEC("tc")
int x_tc_self(struct __sk_buff *skb)
{
	selfs++;
	bpf_tail_call(skb, &jmp, 2);
	return selfs;              /* reached once the limit stops the chain */
}

SEC("tc")
int x_tc_missing(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jmp, 5);    /* empty slot */
	res[0] = 1;
	bpf_tail_call(skb, &jmp, 100);  /* out of range */
	res[1] = 2;
	return 7;
}

char LICENSE[] SEC("license") = "GPL";
