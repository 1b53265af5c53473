// cflags: -mcpu=v4
// The same program built for ISA v4 (sign-extending loads, gotol, bswap).
#include "ld_subprog.c"
