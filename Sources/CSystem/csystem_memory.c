#include "csystem_memory.h"

#include <malloc.h>

int csystem_malloc_limit_arenas(int count) {
    return mallopt(M_ARENA_MAX, count);
}

int csystem_malloc_trim(void) {
    return malloc_trim(0);
}
