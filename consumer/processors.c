/* consumer/processors.c — which processor handles which topic.
 *
 * To add a processor: define an oro_mq_processor_t in your area (its topic and
 * process or process_batch), declare it extern below, and add one line to the
 * table. A topic that is not here is dead-lettered as unknown. The "indexer" worker
 * alone takes queue oro.search, so oro.search.* processors are the Xapian writer. */
#include "processors.h"
#include "processor_search.h"

#include <string.h>

static const oro_mq_processor_t *const processors[] = {
    &oro_processor_noop, /* oro.noop: acks; for benchmarks and tests */
    &oro_processor_test, /* oro.test: sleeps, fails or logs on demand; for tests */
    &oro_search_reindex_processor, &oro_search_reindex_range_processor, /* processor_search.c */
};

const oro_mq_processor_t *oro_consumer_processor_find(const char *topic)
{
    for (size_t i = 0; i < sizeof processors / sizeof processors[0]; i++) {
        if (strcmp(processors[i]->topic, topic) == 0) {
            return processors[i];
        }
    }
    return NULL;
}
