#include "csystem_counters.h"

__thread int csystem_counter_shard_index = 0;

void csystem_set_counter_shard(int shard) {
    csystem_counter_shard_index = shard < 0 ? 0 : shard % CSYSTEM_COUNTER_SHARDS;
}
