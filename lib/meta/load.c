/* lib/meta/load.c — reads and validates entity definitions (docs/entities.md).
 *
 * Two passes: each file alone (syntax, keys, types, flags), then the references
 * between files (relation targets, inverse sides, title and sort fields). Every
 * error is collected, so one run shows everything that is wrong. */
#include "meta/meta.h"

#include <apr_file_io.h>
#include <apr_strings.h>
#include <ctype.h>
#include <json.h>
#include <stdlib.h>
#include <string.h>

#include "meta/load_internal.h"

#define MAX_STRING_LENGTH 4000
#define MAX_DEFINITION_BYTES (1024 * 1024)

void oro_meta_error(oro_meta_ctx_t *ctx, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *reason = apr_pvsprintf(ctx->pool, fmt, ap);
    va_end(ap);
    APR_ARRAY_PUSH(ctx->errors, const char *) =
        path && *path ? apr_psprintf(ctx->pool, "%s: %s: %s", ctx->file, path, reason)
                      : apr_psprintf(ctx->pool, "%s: %s", ctx->file, reason);
}

int oro_meta_is_identifier(const char *s, int allow_upper)
{
    if (s == NULL || !islower((unsigned char)s[0])) {
        return 0;
    }
    for (const char *c = s; *c; c++) {
        if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) ||
              (allow_upper ? isupper((unsigned char)*c) : *c == '_'))) {
            return 0;
        }
    }
    return strlen(s) <= 63;
}

char *oro_meta_snake_case(apr_pool_t *p, const char *camel)
{
    char *out = apr_palloc(p, strlen(camel) * 2 + 1);
    char *o = out;
    for (const char *c = camel; *c; c++) {
        if (isupper((unsigned char)*c)) {
            if (o != out) {
                *o++ = '_';
            }
            *o++ = (char)tolower((unsigned char)*c);
        }
        else {
            *o++ = *c;
        }
    }
    *o = '\0';
    return out;
}

static const char *join_allowed(apr_pool_t *p, const char *const *allowed)
{
    apr_array_header_t *list = apr_array_make(p, 8, sizeof(const char *));
    for (const char *const *a = allowed; *a; a++) {
        APR_ARRAY_PUSH(list, const char *) = *a;
    }
    return apr_array_pstrcat(p, list, ',');
}

/* Reports keys of obj not in allowed (NULL-terminated). */
void oro_meta_check_keys(oro_meta_ctx_t *ctx, const char *path, json_object *obj,
                         const char *const *allowed)
{
    json_object_object_foreach(obj, key, value)
    {
        (void)value;
        int ok = 0;
        for (const char *const *a = allowed; *a; a++) {
            if (strcmp(key, *a) == 0) {
                ok = 1;
                break;
            }
        }
        if (!ok) {
            oro_meta_error(ctx, path && *path ? apr_psprintf(ctx->pool, "%s.%s", path, key) : key,
                           "unknown key (allowed: %s)", join_allowed(ctx->pool, allowed));
        }
    }
}

const char *oro_meta_get_string(oro_meta_ctx_t *ctx, json_object *obj, const char *path,
                                const char *key, int required)
{
    json_object *v;
    const char *where = path && *path ? apr_psprintf(ctx->pool, "%s.%s", path, key) : key;
    if (!json_object_object_get_ex(obj, key, &v) || v == NULL) {
        if (required) {
            oro_meta_error(ctx, where, "is required");
        }
        return NULL;
    }
    if (!json_object_is_type(v, json_type_string)) {
        oro_meta_error(ctx, where, "must be a string");
        return NULL;
    }
    return apr_pstrdup(ctx->pool, json_object_get_string(v));
}

int oro_meta_get_bool(oro_meta_ctx_t *ctx, json_object *obj, const char *path, const char *key,
                      int fallback)
{
    json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || v == NULL) {
        return fallback;
    }
    if (!json_object_is_type(v, json_type_boolean)) {
        oro_meta_error(ctx, path && *path ? apr_psprintf(ctx->pool, "%s.%s", path, key) : key,
                       "must be true or false");
        return fallback;
    }
    return json_object_get_boolean(v);
}

int oro_meta_get_int(oro_meta_ctx_t *ctx, json_object *obj, const char *path, const char *key,
                     int fallback, int min, int max)
{
    json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || v == NULL) {
        return fallback;
    }
    const char *where = path && *path ? apr_psprintf(ctx->pool, "%s.%s", path, key) : key;
    if (!json_object_is_type(v, json_type_int)) {
        oro_meta_error(ctx, where, "must be a whole number");
        return fallback;
    }
    int64_t n = json_object_get_int64(v);
    if (n < min || n > max) {
        oro_meta_error(ctx, where, "must be from %d to %d, not %" APR_INT64_T_FMT, min, max,
                       (apr_int64_t)n);
        return fallback;
    }
    return (int)n;
}

/* Parses text; on a syntax error reports the line and column. */
static json_object *parse_json(oro_meta_ctx_t *ctx, const char *text)
{
    json_tokener *tok = json_tokener_new_ex(64);
    size_t len = strlen(text);
    json_object *obj = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t offset = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (obj == NULL || jerr != json_tokener_success || offset < len) {
        if (obj != NULL && jerr == json_tokener_success) {
            /* trailing data: only whitespace is allowed */
            while (offset < len && isspace((unsigned char)text[offset])) {
                offset++;
            }
            if (offset == len) {
                return obj;
            }
            json_object_put(obj);
            obj = NULL;
        }
        int line = 1, column = 1;
        for (size_t i = 0; i < offset && i < len; i++) {
            if (text[i] == '\n') {
                line++;
                column = 1;
            }
            else {
                column++;
            }
        }
        oro_meta_error(ctx, NULL, "invalid JSON at line %d, column %d: %s", line, column,
                       jerr == json_tokener_success    ? "unexpected data after the document"
                       : jerr == json_tokener_continue ? "the document ends too early"
                                                       : json_tokener_error_desc(jerr));
        if (obj != NULL) {
            json_object_put(obj);
        }
        return NULL;
    }
    return obj;
}

static int compare_entities(const void *a, const void *b)
{
    return strcmp((*(oro_entity_t *const *)a)->type, (*(oro_entity_t *const *)b)->type);
}

oro_meta_t *oro_meta_load_texts(apr_pool_t *p, apr_hash_t *texts, apr_array_header_t **errors)
{
    oro_meta_ctx_t ctx = {0};
    ctx.pool = p;
    ctx.errors = apr_array_make(p, 4, sizeof(const char *));
    ctx.meta = apr_pcalloc(p, sizeof(oro_meta_t));
    ctx.meta->entities = apr_array_make(p, 16, sizeof(oro_entity_t *));
    ctx.meta->by_type = apr_hash_make(p);
    ctx.meta->by_table = apr_hash_make(p);

    /* files in name order, so messages come in a stable order */
    apr_array_header_t *names = apr_array_make(p, 16, sizeof(const char *));
    for (apr_hash_index_t *hi = apr_hash_first(p, texts); hi; hi = apr_hash_next(hi)) {
        APR_ARRAY_PUSH(names, const char *) = apr_hash_this_key(hi);
    }
    qsort(names->elts, (size_t)names->nelts, sizeof(const char *), oro_meta_compare_strings);

    for (int i = 0; i < names->nelts; i++) {
        ctx.file = APR_ARRAY_IDX(names, i, const char *);
        json_object *doc = parse_json(&ctx, apr_hash_get(texts, ctx.file, APR_HASH_KEY_STRING));
        if (doc == NULL) {
            continue;
        }
        oro_entity_t *entity = oro_meta_read_entity(&ctx, doc);
        json_object_put(doc);
        if (entity == NULL) {
            continue;
        }
        if (apr_hash_get(ctx.meta->by_type, entity->type, APR_HASH_KEY_STRING)) {
            const oro_entity_t *other =
                apr_hash_get(ctx.meta->by_type, entity->type, APR_HASH_KEY_STRING);
            oro_meta_error(&ctx, "type", "\"%s\" is already defined in %s", entity->type,
                           other->file);
            continue;
        }
        if (apr_hash_get(ctx.meta->by_table, entity->table, APR_HASH_KEY_STRING)) {
            const oro_entity_t *other =
                apr_hash_get(ctx.meta->by_table, entity->table, APR_HASH_KEY_STRING);
            oro_meta_error(&ctx, "table", "table \"%s\" is already used by %s", entity->table,
                           other->file);
            continue;
        }
        apr_hash_set(ctx.meta->by_type, entity->type, APR_HASH_KEY_STRING, entity);
        apr_hash_set(ctx.meta->by_table, entity->table, APR_HASH_KEY_STRING, entity);
        APR_ARRAY_PUSH(ctx.meta->entities, oro_entity_t *) = entity;
    }
    if (ctx.meta->entities->nelts == 0 && ctx.errors->nelts == 0) {
        ctx.file = "entity definitions";
        oro_meta_error(&ctx, NULL, "no entity is defined (no *.json file)");
    }
    oro_meta_resolve(&ctx);
    qsort(ctx.meta->entities->elts, (size_t)ctx.meta->entities->nelts, sizeof(oro_entity_t *),
          compare_entities);
    if (ctx.errors->nelts > 0) {
        *errors = ctx.errors;
        return NULL;
    }
    *errors = NULL;
    return ctx.meta;
}

int oro_meta_compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

oro_meta_t *oro_meta_load(apr_pool_t *p, const char *dir, apr_array_header_t **errors)
{
    apr_hash_t *texts = apr_hash_make(p);
    apr_dir_t *d;
    char buf[256];
    apr_status_t rv = apr_dir_open(&d, dir, p);
    if (rv != APR_SUCCESS) {
        *errors = apr_array_make(p, 1, sizeof(const char *));
        APR_ARRAY_PUSH(*errors, const char *) = apr_psprintf(
            p, "%s: cannot open the entity directory: %s", dir, apr_strerror(rv, buf, sizeof buf));
        return NULL;
    }
    apr_array_header_t *read_errors = apr_array_make(p, 1, sizeof(const char *));
    apr_finfo_t finfo;
    while (apr_dir_read(&finfo, APR_FINFO_NAME | APR_FINFO_TYPE | APR_FINFO_SIZE, d) ==
           APR_SUCCESS) {
        size_t len = strlen(finfo.name);
        if (finfo.name[0] == '.' || len < 6 || strcmp(finfo.name + len - 5, ".json") != 0) {
            continue;
        }
        const char *path = apr_pstrcat(p, dir, "/", finfo.name, NULL);
        if (finfo.filetype != APR_REG || finfo.size > MAX_DEFINITION_BYTES) {
            APR_ARRAY_PUSH(read_errors, const char *) =
                apr_psprintf(p, "%s: not a regular file of at most 1 MiB", path);
            continue;
        }
        apr_file_t *f;
        char *text = apr_palloc(p, (apr_size_t)finfo.size + 1);
        apr_size_t n = (apr_size_t)finfo.size;
        rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, p);
        if (rv == APR_SUCCESS) {
            rv = apr_file_read_full(f, text, n, &n);
            apr_file_close(f);
        }
        if (rv != APR_SUCCESS && !(rv == APR_EOF && n == 0)) {
            APR_ARRAY_PUSH(read_errors, const char *) =
                apr_psprintf(p, "%s: cannot read: %s", path, apr_strerror(rv, buf, sizeof buf));
            continue;
        }
        text[n] = '\0';
        if (strlen(text) != n) {
            APR_ARRAY_PUSH(read_errors, const char *) =
                apr_psprintf(p, "%s: contains a NUL byte", path);
            continue;
        }
        apr_hash_set(texts, path, APR_HASH_KEY_STRING, text);
    }
    apr_dir_close(d);
    oro_meta_t *meta = oro_meta_load_texts(p, texts, errors);
    if (read_errors->nelts > 0) {
        if (*errors != NULL) {
            apr_array_cat(read_errors, *errors);
        }
        *errors = read_errors;
        return NULL;
    }
    return meta;
}

const char *oro_meta_errors_text(apr_pool_t *p, const apr_array_header_t *errors)
{
    return apr_array_pstrcat(p, errors, '\n');
}

const oro_entity_t *oro_meta_entity(const oro_meta_t *meta, const char *type)
{
    return apr_hash_get(meta->by_type, type, APR_HASH_KEY_STRING);
}

const oro_field_t *oro_meta_field(const oro_entity_t *entity, const char *name)
{
    return apr_hash_get(entity->field_by_name, name, APR_HASH_KEY_STRING);
}

const oro_relation_t *oro_meta_relation(const oro_entity_t *entity, const char *name)
{
    return apr_hash_get(entity->relation_by_name, name, APR_HASH_KEY_STRING);
}

const char *oro_meta_owner_table(const oro_meta_t *meta, const oro_entity_t *entity)
{
    const oro_relation_t *owner = oro_meta_relation(entity, "owner");
    if (owner == NULL || entity->ownership == ORO_OWNERSHIP_ORGANIZATION) {
        return NULL;
    }
    const oro_entity_t *target = oro_meta_entity(meta, owner->target_type);
    return target ? target->table : NULL;
}
