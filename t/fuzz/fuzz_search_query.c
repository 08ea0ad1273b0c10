/* t/fuzz/fuzz_search_query.c — libFuzzer target for the search query language parser
 * (lib/search/query_lex.c, query_parse.c): any bytes must parse or fail with a
 * positioned message, without crashes, leaks or reads out of bounds (ASan + UBSan).
 * Built and run briefly by t/run-all (`make fuzz` builds it alone). */
#include <apr_general.h>
#include <apr_pools.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "search/query.h"

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
    oro_search_parse_error_t err;
    oro_search_query_t *q = oro_search_query_parse(p, (const char *)data, size, &err);
    if (q == NULL) {
        /* every failure says where and what */
        if (err.message == NULL || err.position < 0 ||
            (size_t)err.position > (size > ORO_SEARCH_QUERY_MAX ? ORO_SEARCH_QUERY_MAX : size) ||
            strstr(err.message, "at position ") != err.message) {
            abort();
        }
    }
    else if (q->where != NULL && q->where->kind == ORO_SQ_COND && q->where->field == NULL) {
        abort();
    }
    apr_pool_destroy(p);
    return 0;
}
