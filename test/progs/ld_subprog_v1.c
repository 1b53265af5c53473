// cflags: -mcpu=v1
// The same program built for the oldest ISA (no jmp32, no alu32).
#include "ld_subprog.c"
