/* consumer/processor_search.h — the search index's processors (processor_search.c),
 * listed in the consumer's processor registry for the `indexer` role. */
#ifndef ORO_CONSUMER_PROCESSOR_SEARCH_H
#define ORO_CONSUMER_PROCESSOR_SEARCH_H

#include "mq/mq.h"

/* oro.search.reindex: a batch processor (one commit per batch). */
extern const oro_mq_processor_t oro_search_reindex_processor;
/* oro.search.reindex_range: one range of a scheduled rebuild per message. */
extern const oro_mq_processor_t oro_search_reindex_range_processor;

#endif
