// Not a program: a second "kernel" whose BTF test/core/reads.test.ts relocates core_reads.o
// against. Compared with ebpfvm's built-in BTF, fields moved (mark, pid, comm, cred), the task
// state is the pre-5.14 `long state`, in_iowait is gone, and cred is only known under a flavoured
// name (cred___v2), which CO-RE candidates match by essential name.
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef int pid_t;
typedef struct { unsigned int val; } kuid_t;

struct __sk_buff {
	__u32 len;
	__u32 pkt_type;
	__u32 priority;		/* swapped with mark */
	__u32 queue_mapping;
	__u32 protocol;
	__u32 vlan_present;
	__u32 vlan_tci;
	__u32 vlan_proto;
	__u32 mark;
};

struct cred___v2 {
	int usage;
	int securebits;
	kuid_t uid;
	kuid_t gid;
};

struct task_struct {
	long state;
	unsigned int flags;
	char comm[16];
	pid_t tgid;
	pid_t pid;
	struct task_struct *real_parent;
	const struct cred___v2 *cred;
};

struct __sk_buff *alt_skb __attribute__((used));
struct task_struct *alt_task __attribute__((used));
struct cred___v2 alt_cred __attribute__((used));
