// Per-thread shards for hot counters (the proxy's metrics). Two event loops incrementing one
// atomic bounce its cache line between cores on every request; each loop adding to its own
// shard keeps the line local, and a reader sums the shards.
#ifndef CSYSTEM_COUNTERS_H
#define CSYSTEM_COUNTERS_H

#include <stdint.h>

/// Shards per counter; loop index modulo this picks one (sums stay exact either way).
#define CSYSTEM_COUNTER_SHARDS 8

extern __thread int csystem_counter_shard_index;

/// The calling thread's shard: its event loop's index modulo the shard count, 0 on other threads.
static inline __attribute__((always_inline)) int csystem_counter_shard(void) {
    return csystem_counter_shard_index;
}

/// Sets the calling thread's shard (event loops call it once when they start).
void csystem_set_counter_shard(int shard);

static inline __attribute__((always_inline)) void csystem_counter_add(int64_t *cell, int64_t n) {
    __atomic_fetch_add(cell, n, __ATOMIC_RELAXED);
}

static inline __attribute__((always_inline)) int64_t csystem_counter_load(const int64_t *cell) {
    return __atomic_load_n(cell, __ATOMIC_RELAXED);
}

#endif
