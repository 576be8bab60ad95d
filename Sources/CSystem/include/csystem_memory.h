// csystem_memory: glibc malloc tuning. Why a shim: <malloc.h> is not in Swift's Glibc module map.
#ifndef CSYSTEM_MEMORY_H
#define CSYSTEM_MEMORY_H

/// Caps the number of glibc malloc arenas (mallopt M_ARENA_MAX). Each thread that allocates may
/// otherwise get its own arena, and memory freed in one arena is never reused by another thread's,
/// so a server with a few loop threads plus the Swift runtime's threads keeps several partly
/// empty heaps. Returns 1 on success.
int csystem_malloc_limit_arenas(int count);

/// Returns free heap pages to the kernel (malloc_trim(0): top of each heap and whole free pages
/// inside it). Costs about a millisecond per 100 MB of heap; call after bursts of frees, not per
/// request. Returns 1 when memory was released.
int csystem_malloc_trim(void);

#endif
