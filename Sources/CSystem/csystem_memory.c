#include "csystem_memory.h"

#include <malloc.h>

int csystem_malloc_trim(void) {
    return malloc_trim(0);
}
