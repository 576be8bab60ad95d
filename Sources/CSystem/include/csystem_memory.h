// csystem_memory: glibc malloc tuning. Why a shim: <malloc.h> is not in Swift's Glibc module map.
#ifndef CSYSTEM_MEMORY_H
#define CSYSTEM_MEMORY_H

/// Returns free heap pages to the kernel (malloc_trim(0): top of each heap and whole free pages
/// inside it). Costs about a millisecond per 100 MB of heap; call after bursts of frees, not per
/// request. Returns 1 when memory was released.
int csystem_malloc_trim(void);

#endif
