// cflags: -mcpu=v4
// Loader test: BTF of every kind — bitfields, enum64, decl/type tags, unions, anonymous members,
// function pointers, floats, cv-qualifiers, typedefs, forward declarations.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __tag(x) __attribute__((btf_decl_tag(x)))
#define __ttag(x) __attribute__((btf_type_tag(x)))
struct opaque;
typedef unsigned long long u64;
enum big { BIG_SMALL = 1, BIG_LARGE = 0x1234567890ULL };
enum neg { NEG_A = -1, NEG_B = 5 };
union num { int i; float f; double d; };
struct bits { unsigned int a: 3; unsigned int b: 5; int c: 9; unsigned char d; u64 e: 40; } __tag("bits_tag");
struct node { struct node *next; struct opaque *o; int __ttag("user") *uptr; int (*fn)(int, void *); const volatile char name[5]; union num n;
              struct { short x; short y; } pt; union { int u1; char u2; }; enum big bg; enum neg ng; };
struct node g_node __tag("var_tag");
struct bits g_bits;
int __tag("func_tag") tagged(int x __tag("arg_tag")) { return x + g_bits.a; }
SEC("syscall") int kinds(void *ctx) { return tagged(g_node.bg == BIG_LARGE) + g_node.ng; }
char LICENSE[] SEC("license") = "GPL";
