// lim_maps.c with map_extra written as libbpf's __ulong (see there).
#define LIM_ULONG 1
#include "lim_maps.c"
