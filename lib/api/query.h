/* lib/api/query.h — the query parameters of a JSON:API request (Oro's names and
 * semantics), parsed and validated against the entity metadata. Pure: no httpd, no
 * database; every error is collected with the parameter that caused it. */
#ifndef ORO_API_QUERY_H
#define ORO_API_QUERY_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "meta/meta.h"

/* One error object of a JSON:API error document. */
typedef struct {
    int status;            /* HTTP status, e.g. 400 */
    const char *title;     /* short, fixed per kind: "filter constraint", "sort constraint"… */
    const char *detail;    /* what is wrong, naming the value */
    const char *parameter; /* source.parameter ("filter[lastName][gtx]"), or NULL */
    const char *pointer;   /* source.pointer ("/data/attributes/email"), or NULL */
} oro_api_error_t;

typedef enum {
    ORO_OP_EQ = 0,
    ORO_OP_NEQ,
    ORO_OP_LT,
    ORO_OP_LTE,
    ORO_OP_GT,
    ORO_OP_GTE,
    ORO_OP_EXISTS,
    ORO_OP_NEQ_OR_NULL,
    ORO_OP_CONTAINS,
    ORO_OP_NOT_CONTAINS,
    ORO_OP_STARTS_WITH,
    ORO_OP_NOT_STARTS_WITH,
    ORO_OP_ENDS_WITH,
    ORO_OP_NOT_ENDS_WITH
} oro_filter_op_t;
#define ORO_OP_COUNT (ORO_OP_NOT_ENDS_WITH + 1)

/* The operator's name in filter[field][name] ("starts_with"), NULL out of range. */
const char *oro_api_filter_op_name(oro_filter_op_t op);
/* Whether op applies to field (NULL: to a relation, whose values are ids). */
int oro_api_filter_op_allowed(const oro_field_t *field, oro_filter_op_t op);

typedef struct {
    const char *name;               /* "lastName", "account", "id" */
    const oro_field_t *field;       /* a field, or */
    const oro_relation_t *relation; /* a relation (values are ids of the target) */
    oro_filter_op_t op;
    /* eq/neq: any of values (a comma list); lt…gte, contains…: values->nelts == 1;
     * exists: values[0] is "1" (exists) or "0" (does not). Values are canonical
     * text for the field's type (booleans "1"/"0", datetimes "YYYY-MM-DD HH:MM:SS[.ffffff]"
     * in UTC, dates "YYYY-MM-DD", numbers as written). */
    apr_array_header_t *values;        /* of const char * */
    const char *range_from, *range_to; /* "a..b" (eq only): inclusive range; values empty */
} oro_filter_t;

typedef struct {
    const char *name;
    const oro_field_t *field;       /* a sortable field, or */
    const oro_relation_t *relation; /* a sortable many-to-one (sorts by the id) */
    int descending;
} oro_sort_t;

/* A condition a statement's caller adds to the records it reads (the ACL's): add appends
 * SQL restricting the rows of entity's table under alias to b, with its parameters, or
 * appends nothing when they are not restricted. See lib/api/select.c. */
struct oro_sqlbuf;
typedef struct {
    void (*add)(struct oro_sqlbuf *b, const oro_entity_t *entity, const char *alias,
                const void *baton);
    const void *baton;
} oro_select_filter_t;

typedef struct {
    const oro_entity_t *entity;
    apr_array_header_t *filters;       /* of oro_filter_t */
    apr_array_header_t *sort;          /* of oro_sort_t; always ends with id (tie-breaker) */
    int page_number;                   /* 1-based */
    int page_size;                     /* -1: all (only where allowed) */
    apr_array_header_t *include;       /* of const char * paths ("account.owner"), ≤ 3 deep */
    apr_hash_t *fields;                /* type -> apr_hash_t set of names (sparse fieldsets) */
    int meta_title;                    /* meta=title */
    const oro_select_filter_t *filter; /* AND-ed to the WHERE of its statements, or NULL */
} oro_api_query_t;

typedef struct {
    int default_page_size; /* 10 */
    int max_page_size;     /* 100 */
    int allow_unlimited;   /* page[size]=-1 allowed */
} oro_api_limits_t;

/* Parses args (the raw, percent-encoded query string of the request, may be NULL) for a
 * list request on entity. Unknown parameters that are not JSON:API's or Oro's are
 * ignored, as Oro does; an unknown field, relation or operator, a value that does not
 * fit the field's type, a duplicated parameter with different values, a page number or
 * size out of range, an include path that is not a relation chain, a fields[type] of an
 * unknown type or field: each is one error (status 400, source.parameter set).
 * Returns the query, with *errors NULL, or NULL with *errors (of oro_api_error_t). */
oro_api_query_t *oro_api_query_parse(apr_pool_t *p, const oro_meta_t *meta,
                                     const oro_entity_t *entity, const char *args,
                                     const oro_api_limits_t *limits, apr_array_header_t **errors);

/* Decodes %XX and '+' of one query component; NULL if the result is not valid UTF-8
 * or holds a NUL byte. */
char *oro_api_url_decode(apr_pool_t *p, const char *s, size_t len);

/* Converts one filter value to canonical text for field's type (see oro_filter_t), or
 * returns NULL with *why ("is not a whole number"). Shared with the write path. */
const char *oro_api_canonical_value(apr_pool_t *p, const oro_field_t *field, const char *text,
                                    const char **why);

#endif
