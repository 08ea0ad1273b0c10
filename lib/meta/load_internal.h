/* lib/meta/load_internal.h — shared by the loader's files; not part of the API. */
#ifndef ORO_META_LOAD_INTERNAL_H
#define ORO_META_LOAD_INTERNAL_H

#include <json.h>
#include <stdarg.h>

#include "meta/meta.h"

typedef struct {
    apr_pool_t *pool;
    const char *file;           /* the definition being read, for messages */
    apr_array_header_t *errors; /* const char * */
    oro_meta_t *meta;
} oro_meta_ctx_t;

void oro_meta_error(oro_meta_ctx_t *ctx, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int oro_meta_is_identifier(const char *s, int allow_upper);
char *oro_meta_snake_case(apr_pool_t *p, const char *camel);
int oro_meta_compare_strings(const void *a, const void *b);
void oro_meta_check_keys(oro_meta_ctx_t *ctx, const char *path, json_object *obj,
                         const char *const *allowed);
const char *oro_meta_get_string(oro_meta_ctx_t *ctx, json_object *obj, const char *path,
                                const char *key, int required);
int oro_meta_get_bool(oro_meta_ctx_t *ctx, json_object *obj, const char *path, const char *key,
                      int fallback);
int oro_meta_get_int(oro_meta_ctx_t *ctx, json_object *obj, const char *path, const char *key,
                     int fallback, int min, int max);

/* Reads one definition (pass 1); NULL if it is too broken to index. */
oro_entity_t *oro_meta_read_entity(oro_meta_ctx_t *ctx, json_object *doc);
/* Resolves and checks references between definitions (pass 2). */
void oro_meta_resolve(oro_meta_ctx_t *ctx);

#endif
