// The RFC's rbtree_map_load_fail.c: an rbtree map whose value type has no struct rb_node must
// fail to load, with a message naming rb_node.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_rbtree.h"

struct node_data_no_rb_node {
	__u64 one;
	__u64 two;
	__u64 three;
	__u64 four;
	__u64 five;
	__u64 six;
	__u64 seven;
};

struct {
	__uint(type, BPF_MAP_TYPE_RBTREE);
	__type(value, struct node_data_no_rb_node);
} rbtree_fail_no_rb_node SEC(".maps");

SEC("syscall")
int check_rbtree_map_load_fail(void *ctx)
{
	return bpf_rbtree_get_lock(&rbtree_fail_no_rb_node) != 0;
}

char _license[] SEC("license") = "GPL";
