/* lib/api/query.c — the query string of a JSON:API list request (filter, sort, page,
 * include, fields, meta), with Oro's names and semantics, validated against the entity
 * metadata. Every problem becomes one error object; parsing goes on to find them all.
 * Value conversion is in query_values.c. */
#include <apr_hash.h>
#include <apr_strings.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "api/query.h"

#define MAX_PARAMS 200
#define MAX_QUERY_BYTES (64 * 1024)
#define MAX_INCLUDE_DEPTH 3
#define MAX_PAGE_NUMBER 10000000
#define MAX_QUOTED 64 /* characters of a value quoted in a message */

static const char *const op_names[] = {
    "eq",        "neq",          "lt",       "lte",          "gt",          "gte",
    "exists",    "neq_or_null",  "contains", "not_contains", "starts_with", "not_starts_with",
    "ends_with", "not_ends_with"};
#define N_OPS ((int)(sizeof(op_names) / sizeof(op_names[0])))

typedef struct {
    const char *key;   /* decoded, as the client wrote it */
    const char *value; /* decoded; "" when the parameter had no '=' */
    int has_value;
} param_t;

typedef struct {
    apr_pool_t *p;
    const oro_meta_t *meta;
    const oro_entity_t *entity;
    oro_api_limits_t limits;
    oro_api_query_t *q;
    apr_array_header_t *errors;
    int sort_given;
} ctx_t;

static void add_error(ctx_t *c, const char *title, const char *parameter, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_error(ctx_t *c, const char *title, const char *parameter, const char *fmt, ...)
{
    va_list ap;
    oro_api_error_t *e = apr_array_push(c->errors);
    va_start(ap, fmt);
    e->detail = apr_pvsprintf(c->p, fmt, ap);
    va_end(ap);
    e->status = 400;
    e->title = title;
    e->parameter = parameter;
    e->pointer = NULL;
}

/* A value for a message: at most MAX_QUOTED characters, "…" when cut. */
static const char *quoted(apr_pool_t *p, const char *s)
{
    size_t chars = 0;
    for (size_t i = 0; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars > MAX_QUOTED) {
            return apr_pstrcat(p, apr_pstrndup(p, s, i), "…", NULL);
        }
    }
    return s;
}

/* Splits s on sep into a new array of const char * (empty items kept). */
static apr_array_header_t *split(apr_pool_t *p, const char *s, char sep)
{
    apr_array_header_t *items = apr_array_make(p, 4, sizeof(const char *));
    for (;;) {
        const char *end = strchr(s, sep);
        if (end == NULL) {
            APR_ARRAY_PUSH(items, const char *) = s;
            return items;
        }
        APR_ARRAY_PUSH(items, const char *) = apr_pstrmemdup(p, s, (apr_size_t)(end - s));
        s = end + 1;
    }
}

/* 1 if s is printable ASCII (safe to echo back even though it did not decode). */
static int printable_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] < 0x20 || s[i] > 0x7e) {
            return 0;
        }
    }
    return 1;
}

/* Decodes one "key[=value]" of len bytes into *out; 0 after an error. */
static int decode_param(ctx_t *c, const char *raw, size_t len, param_t *out)
{
    const char *eq = memchr(raw, '=', len);
    size_t key_len = eq ? (size_t)(eq - raw) : len;
    out->has_value = eq != NULL;
    out->key = oro_api_url_decode(c->p, raw, key_len);
    if (out->key == NULL) {
        add_error(c, "request constraint",
                  printable_ascii(raw, key_len) ? apr_pstrmemdup(c->p, raw, key_len) : NULL,
                  "the name of a query parameter is not valid percent-encoded UTF-8 "
                  "(or holds a NUL byte)");
        return 0;
    }
    out->value = eq ? oro_api_url_decode(c->p, eq + 1, len - key_len - 1) : "";
    if (out->value == NULL) {
        add_error(c, "request constraint", out->key,
                  "the value of \"%s\" is not valid percent-encoded UTF-8 (or holds a NUL byte)",
                  out->key);
        return 0;
    }
    return 1;
}

/* Splits and decodes args into params (of param_t), dropping exact duplicates and
 * reporting limits, undecodable parameters and conflicting duplicates. */
static apr_array_header_t *read_params(ctx_t *c, const char *args)
{
    apr_array_header_t *params = apr_array_make(c->p, 16, sizeof(param_t));
    if (args == NULL) {
        return params;
    }
    if (strlen(args) > MAX_QUERY_BYTES) {
        add_error(c, "request constraint", NULL, "the query string is longer than %d bytes",
                  MAX_QUERY_BYTES);
        return params;
    }
    apr_hash_t *seen = apr_hash_make(c->p); /* key -> its first value */
    apr_hash_t *conflicting = apr_hash_make(c->p);
    int count = 0;
    for (const char *s = args; *s;) {
        size_t len = strcspn(s, "&");
        param_t param;
        if (len > 0 && ++count > MAX_PARAMS) {
            add_error(c, "request constraint", NULL, "the query string has more than %d parameters",
                      MAX_PARAMS);
            apr_array_clear(params);
            return params;
        }
        if (len > 0 && decode_param(c, s, len, &param)) {
            const char *first = apr_hash_get(seen, param.key, APR_HASH_KEY_STRING);
            if (first == NULL) {
                *(param_t *)apr_array_push(params) = param;
                apr_hash_set(seen, param.key, APR_HASH_KEY_STRING, param.value);
            }
            else if (strcmp(first, param.value) != 0 &&
                     apr_hash_get(conflicting, param.key, APR_HASH_KEY_STRING) == NULL) {
                apr_hash_set(conflicting, param.key, APR_HASH_KEY_STRING, "");
                add_error(c, "request constraint", param.key,
                          "duplicated parameter \"%s\" with different values", param.key);
            }
        }
        s += len + (s[len] == '&');
    }
    return params;
}

/* ---- filters ------------------------------------------------------------------------ */

typedef enum { CLASS_ORDERED, CLASS_STRING, CLASS_TEXT, CLASS_OTHER } type_class_t;

static type_class_t type_class(oro_field_type_t type)
{
    switch (type) {
    case ORO_FIELD_INTEGER:
    case ORO_FIELD_BIGINT:
    case ORO_FIELD_DECIMAL:
    case ORO_FIELD_MONEY:
    case ORO_FIELD_DATE:
    case ORO_FIELD_DATETIME:
        return CLASS_ORDERED;
    case ORO_FIELD_STRING:
    case ORO_FIELD_EMAIL:
    case ORO_FIELD_PHONE:
    case ORO_FIELD_URL:
        return CLASS_STRING;
    case ORO_FIELD_TEXT:
        return CLASS_TEXT;
    default:
        return CLASS_OTHER; /* boolean, enum */
    }
}

/* Whether op applies to a field of type (NULL) or to a relation. */
int oro_api_filter_op_allowed(const oro_field_t *field, oro_filter_op_t op)
{
    int equality = op == ORO_OP_EQ || op == ORO_OP_NEQ || op == ORO_OP_NEQ_OR_NULL;
    int ordering = op >= ORO_OP_LT && op <= ORO_OP_GTE;
    int text = op >= ORO_OP_CONTAINS;
    if (op == ORO_OP_EXISTS) {
        return 1;
    }
    if (field == NULL) {
        return equality;
    }
    switch (type_class(field->type)) {
    case CLASS_ORDERED:
        return equality || ordering;
    case CLASS_STRING:
        return equality || text;
    case CLASS_TEXT:
        return text;
    default:
        return equality;
    }
}

const char *oro_api_filter_op_name(oro_filter_op_t op)
{
    return (int)op >= 0 && (int)op < N_OPS ? op_names[op] : NULL;
}

/* Reads the operator of a filter key: "" (eq), "[op]", or Oro's symbolic forms. Those
 * are split like any parameter, on the first '=': the raw "filter[x]!=v", "filter[x]<=v"
 * and "filter[x]>=v" arrive as key "filter[x]!" / "<" / ">" with value "v" (neq, lte,
 * gte), while "filter[x]<v", "filter[x]>v" and "filter[x]<>v" have no '=' and arrive as
 * the key "filter[x]<v"… alone (lt, gt, neq). Sets *op and *value; returns 0 if rest is
 * none of these, -1 if "[op]" names an unknown operator (*value then holds its name). */
static int read_op(const char *rest, const param_t *param, oro_filter_op_t *op, const char **value)
{
    *value = param->value;
    if (*rest == '\0') {
        *op = ORO_OP_EQ;
        return 1;
    }
    if (*rest == '[') {
        size_t n = strcspn(rest + 1, "[]");
        if (n == 0 || rest[n + 1] != ']' || rest[n + 2] != '\0') {
            return 0;
        }
        for (int i = 0; i < N_OPS; i++) {
            if (strlen(op_names[i]) == n && strncmp(op_names[i], rest + 1, n) == 0) {
                *op = (oro_filter_op_t)i;
                return 1;
            }
        }
        *value = rest + 1; /* "gtx]": the caller trims it */
        return -1;
    }
    if (param->has_value) {
        static const char symbols[] = "!<>";
        static const oro_filter_op_t symbol_ops[] = {ORO_OP_NEQ, ORO_OP_LTE, ORO_OP_GTE};
        const char *symbol = rest[1] == '\0' ? strchr(symbols, *rest) : NULL;
        if (symbol == NULL) {
            return 0;
        }
        *op = symbol_ops[symbol - symbols];
        return 1;
    }
    if (strncmp(rest, "<>", 2) == 0) {
        *op = ORO_OP_NEQ;
        *value = rest + 2;
        return 1;
    }
    if (*rest == '<' || *rest == '>') {
        *op = *rest == '<' ? ORO_OP_LT : ORO_OP_GT;
        *value = rest + 1;
        return 1;
    }
    return 0;
}

/* One value of a filter in canonical form, or NULL after reporting it. Relation values
 * are ids: positive 64-bit integers. */
static const char *filter_value(ctx_t *c, const param_t *param, const oro_filter_t *f,
                                const char *text, const char *what)
{
    static const oro_field_t id_field = {.name = "id", .type = ORO_FIELD_BIGINT};
    const char *why = NULL;
    const char *v = oro_api_canonical_value(c->p, f->field ? f->field : &id_field, text, &why);
    if (f->relation != NULL && (v == NULL || v[0] == '-' || strcmp(v, "0") == 0)) {
        why = "is not an id (a positive whole number)";
        v = NULL;
    }
    if (v == NULL) {
        add_error(c, "filter constraint", param->key, "the %s \"%s\" of filter \"%s\" %s", what,
                  quoted(c->p, text), f->name, why);
    }
    return v;
}

/* Fills f->values (or the range) from text according to f->op; 0 after an error. */
static int filter_values(ctx_t *c, const param_t *param, oro_filter_t *f, const char *text)
{
    static const oro_field_t boolean_field = {.name = "exists", .type = ORO_FIELD_BOOLEAN};
    const char *why, *v;
    f->values = apr_array_make(c->p, 2, sizeof(const char *));
    if (f->op == ORO_OP_EXISTS) {
        if ((v = oro_api_canonical_value(c->p, &boolean_field, text, &why)) == NULL) {
            add_error(c, "filter constraint", param->key,
                      "the value \"%s\" of filter \"%s\" is not true or false (or 1, 0, yes, "
                      "no) as an exists filter needs",
                      quoted(c->p, text), f->name);
            return 0;
        }
        APR_ARRAY_PUSH(f->values, const char *) = v;
        return 1;
    }
    const char *dots = strstr(text, "..");
    if (f->op == ORO_OP_EQ && f->field && type_class(f->field->type) == CLASS_ORDERED && dots) {
        f->range_from =
            filter_value(c, param, f, apr_pstrmemdup(c->p, text, dots - text), "range start");
        f->range_to = filter_value(c, param, f, dots + 2, "range end");
        return f->range_from && f->range_to;
    }
    int list = f->op == ORO_OP_EQ || f->op == ORO_OP_NEQ || f->op == ORO_OP_NEQ_OR_NULL;
    apr_array_header_t *items = list ? split(c->p, text, ',') : NULL;
    if (items == NULL) {
        items = apr_array_make(c->p, 1, sizeof(const char *));
        APR_ARRAY_PUSH(items, const char *) = text;
    }
    int ok = 1;
    for (int i = 0; i < items->nelts; i++) {
        v = filter_value(c, param, f, APR_ARRAY_IDX(items, i, const char *), "value");
        if (v == NULL) {
            ok = 0;
        }
        else {
            APR_ARRAY_PUSH(f->values, const char *) = v;
        }
    }
    return ok;
}

/* "filter[NAME]", "filter[NAME][OP]" and the symbolic forms (see read_op). */
static void parse_filter(ctx_t *c, const param_t *param)
{
    const char *key = param->key, *value;
    size_t n = key[6] == '[' ? strcspn(key + 7, "[]") : 0;
    oro_filter_t f = {0};
    int rc = n > 0 && key[7 + n] == ']' ? read_op(key + 8 + n, param, &f.op, &value) : 0;
    if (rc == 0) {
        add_error(c, "filter constraint", key,
                  "the parameter \"%s\" is not a filter (filter[name] or filter[name][operator])",
                  key);
        return;
    }
    f.name = apr_pstrmemdup(c->p, key + 7, n);
    if (rc < 0) {
        add_error(c, "filter constraint", key,
                  "the operator \"%s\" is not known (eq, neq, lt, lte, gt, gte, exists, "
                  "neq_or_null, contains, not_contains, starts_with, not_starts_with, "
                  "ends_with, not_ends_with)",
                  apr_pstrndup(c->p, value, strlen(value) - 1));
        return;
    }
    f.field = oro_meta_field(c->entity, f.name);
    f.relation = f.field ? NULL : oro_meta_relation(c->entity, f.name);
    if (f.field == NULL && f.relation == NULL) {
        add_error(c, "filter constraint", key, "the filter \"%s\" is not supported for %s", f.name,
                  c->entity->type);
        return;
    }
    unsigned flags = f.field ? f.field->flags : f.relation->flags;
    if (!(flags & ORO_FLAG_FILTERABLE) || (f.field && f.field->type == ORO_FIELD_PASSWORD)) {
        add_error(c, "filter constraint", key, "the %s \"%s\" of %s is not filterable",
                  f.field ? "field" : "relation", f.name, c->entity->type);
        return;
    }
    if (!oro_api_filter_op_allowed(f.field, f.op)) {
        add_error(
            c, "filter constraint", key, "the operator \"%s\" cannot be used with \"%s\" (a %s)",
            op_names[f.op], f.name,
            f.field ? oro_field_type_name(f.field->type)
                    : apr_psprintf(c->p, "%s relation", oro_relation_kind_name(f.relation->kind)));
        return;
    }
    if (filter_values(c, param, &f, value)) {
        *(oro_filter_t *)apr_array_push(c->q->filters) = f;
    }
}

/* ---- sort, page, include, fields, meta ---------------------------------------------- */

/* Adds one sort key after checking it names a sortable field or many-to-one relation. */
static int add_sort(ctx_t *c, const char *name, int descending, const char *parameter)
{
    oro_sort_t s = {.name = name, .descending = descending};
    s.field = oro_meta_field(c->entity, name);
    s.relation = s.field ? NULL : oro_meta_relation(c->entity, name);
    int ok = s.field ? (s.field->flags & ORO_FLAG_SORTABLE) && s.field->type != ORO_FIELD_PASSWORD
                     : s.relation && s.relation->kind == ORO_RELATION_MANY_TO_ONE &&
                           (s.relation->flags & ORO_FLAG_SORTABLE);
    if (!ok) {
        add_error(c, "sort constraint", parameter, "sorting by \"%s\" is not supported for %s",
                  quoted(c->p, name), c->entity->type);
        return 0;
    }
    for (int i = 0; i < c->q->sort->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(c->q->sort, i, oro_sort_t).name, name) == 0) {
            add_error(c, "sort constraint", parameter, "the sort key \"%s\" is repeated", name);
            return 0;
        }
    }
    *(oro_sort_t *)apr_array_push(c->q->sort) = s;
    return 1;
}

static void parse_sort(ctx_t *c, const param_t *param)
{
    apr_array_header_t *items = split(c->p, param->value, ',');
    c->sort_given = 1;
    for (int i = 0; i < items->nelts; i++) {
        const char *item = APR_ARRAY_IDX(items, i, const char *);
        int descending = item[0] == '-';
        if (item[descending] == '\0') {
            add_error(c, "sort constraint", param->key,
                      "the sort \"%s\" has an empty key (expected names like \"a,-b\")",
                      quoted(c->p, param->value));
            continue;
        }
        add_sort(c, item + descending, descending, param->key);
    }
}

/* The default sort when none was given, then id as the tie-breaker. */
static void finish_sort(ctx_t *c)
{
    const apr_array_header_t *keys = c->entity->default_sort;
    for (int i = 0; !c->sort_given && keys && i < keys->nelts; i++) {
        const oro_sort_key_t *k = &APR_ARRAY_IDX(keys, i, oro_sort_key_t);
        add_sort(c, k->field, k->descending, NULL);
    }
    for (int i = 0; i < c->q->sort->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(c->q->sort, i, oro_sort_t).name, "id") == 0) {
            return;
        }
    }
    add_sort(c, "id", 0, NULL);
}

/* A whole number in [min, max] (or the one allowed exception), else reports it. */
static int page_int(ctx_t *c, const param_t *param, int min, int max, int *out)
{
    static const oro_field_t number = {.name = "page", .type = ORO_FIELD_BIGINT};
    const char *why;
    const char *v = oro_api_canonical_value(c->p, &number, param->value, &why);
    apr_int64_t n = v ? apr_atoi64(v) : 0;
    if (v == NULL || n < min || n > max) {
        add_error(c, "page constraint", param->key,
                  "the value \"%s\" of %s is not a whole number from %d to %d",
                  quoted(c->p, param->value), param->key, min, max);
        return 0;
    }
    *out = (int)n;
    return 1;
}

static void parse_page(ctx_t *c, const param_t *param)
{
    if (strcmp(param->key, "page[number]") == 0) {
        page_int(c, param, 1, MAX_PAGE_NUMBER, &c->q->page_number);
    }
    else if (strcmp(param->key, "page[size]") == 0) {
        if (c->limits.allow_unlimited && strcmp(param->value, "-1") == 0) {
            c->q->page_size = -1;
        }
        else {
            page_int(c, param, 1, c->limits.max_page_size, &c->q->page_size);
        }
    }
    else {
        add_error(c, "page constraint", param->key,
                  "the parameter \"%s\" is not supported (page[number], page[size])", param->key);
    }
}

/* Checks one include path: relation names, each of the entity reached so far. */
static int include_path(ctx_t *c, const param_t *param, const char *path)
{
    apr_array_header_t *segments = split(c->p, path, '.');
    const oro_entity_t *e = c->entity;
    if (segments->nelts > MAX_INCLUDE_DEPTH) {
        add_error(c, "include constraint", param->key,
                  "the include path \"%s\" is deeper than %d relations", quoted(c->p, path),
                  MAX_INCLUDE_DEPTH);
        return 0;
    }
    for (int i = 0; i < segments->nelts; i++) {
        const char *name = APR_ARRAY_IDX(segments, i, const char *);
        const oro_relation_t *r = e ? oro_meta_relation(e, name) : NULL;
        if (r == NULL || r->target == NULL) {
            add_error(c, "include constraint", param->key,
                      "the include path \"%s\" is not valid: %s has no relation \"%s\"",
                      quoted(c->p, path), e ? e->type : "?", quoted(c->p, name));
            return 0;
        }
        e = r->target;
    }
    return 1;
}

static void parse_include(ctx_t *c, const param_t *param)
{
    if (param->value[0] == '\0') {
        return;
    }
    apr_array_header_t *paths = split(c->p, param->value, ',');
    for (int i = 0; i < paths->nelts; i++) {
        const char *path = APR_ARRAY_IDX(paths, i, const char *);
        int repeated = 0;
        for (int k = 0; k < c->q->include->nelts; k++) {
            repeated |= strcmp(APR_ARRAY_IDX(c->q->include, k, const char *), path) == 0;
        }
        if (!repeated && include_path(c, param, path)) {
            APR_ARRAY_PUSH(c->q->include, const char *) = path;
        }
    }
}

/* fields[TYPE]=a,b: a set of names of fields or relations of TYPE ("" is the empty set). */
static void parse_fields(ctx_t *c, const param_t *param)
{
    const char *key = param->key;
    size_t n = key[6] == '[' ? strcspn(key + 7, "[]") : 0;
    if (n == 0 || key[7 + n] != ']' || key[8 + n] != '\0') {
        add_error(c, "fields constraint", key,
                  "the parameter \"%s\" is not a sparse fieldset (fields[type])", key);
        return;
    }
    const char *type = apr_pstrmemdup(c->p, key + 7, n);
    const oro_entity_t *e = oro_meta_entity(c->meta, type);
    if (e == NULL) {
        add_error(c, "fields constraint", key, "the type \"%s\" is not known", type);
        return;
    }
    apr_hash_t *set = apr_hash_make(c->p);
    apr_array_header_t *names = split(c->p, param->value, ',');
    for (int i = 0; param->value[0] && i < names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        const oro_field_t *f = oro_meta_field(e, name);
        if ((f == NULL || f->type == ORO_FIELD_PASSWORD) && oro_meta_relation(e, name) == NULL) {
            add_error(c, "fields constraint", key, "%s has no field or relation \"%s\"", type,
                      quoted(c->p, name));
            continue;
        }
        apr_hash_set(set, name, APR_HASH_KEY_STRING, "");
    }
    apr_hash_set(c->q->fields, type, APR_HASH_KEY_STRING, set);
}

static void parse_meta(ctx_t *c, const param_t *param)
{
    apr_array_header_t *items = split(c->p, param->value, ',');
    for (int i = 0; i < items->nelts; i++) {
        const char *item = APR_ARRAY_IDX(items, i, const char *);
        if (strcmp(item, "title") != 0) {
            add_error(c, "meta constraint", param->key,
                      "the meta property \"%s\" is not supported (title)", quoted(c->p, item));
            continue;
        }
        c->q->meta_title = 1;
    }
}

/* ---- dispatch ----------------------------------------------------------------------- */

/* 1 if key is name or starts with name "[". */
static int in_family(const char *key, const char *name)
{
    size_t n = strlen(name);
    return strncmp(key, name, n) == 0 && (key[n] == '\0' || key[n] == '[');
}

static void dispatch(ctx_t *c, const param_t *param)
{
    static const struct {
        const char *name;
        const char *title;
        void (*handle)(ctx_t *, const param_t *);
        int bracketed; /* the key is name[...] (else exactly name) */
    } families[] = {
        {"filter", "filter constraint", parse_filter, 1},
        {"page", "page constraint", parse_page, 1},
        {"fields", "fields constraint", parse_fields, 1},
        {"sort", "sort constraint", parse_sort, 0},
        {"include", "include constraint", parse_include, 0},
        {"meta", "meta constraint", parse_meta, 0},
    };
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        if (!in_family(param->key, families[i].name)) {
            continue;
        }
        int bare = strcmp(param->key, families[i].name) == 0;
        if (bare == families[i].bracketed) {
            add_error(c, families[i].title, param->key, "the parameter \"%s\" is not supported",
                      param->key);
        }
        else {
            families[i].handle(c, param);
        }
        return;
    }
    /* anything else ("_", "XDEBUG_SESSION"…) is ignored, as Oro does */
}

oro_api_query_t *oro_api_query_parse(apr_pool_t *p, const oro_meta_t *meta,
                                     const oro_entity_t *entity, const char *args,
                                     const oro_api_limits_t *limits, apr_array_header_t **errors)
{
    static const oro_api_limits_t default_limits = {10, 100, 0};
    ctx_t c = {.p = p, .meta = meta, .entity = entity};
    c.limits = limits ? *limits : default_limits;
    c.errors = apr_array_make(p, 4, sizeof(oro_api_error_t));
    c.q = apr_pcalloc(p, sizeof *c.q);
    c.q->entity = entity;
    c.q->filters = apr_array_make(p, 4, sizeof(oro_filter_t));
    c.q->sort = apr_array_make(p, 4, sizeof(oro_sort_t));
    c.q->include = apr_array_make(p, 2, sizeof(const char *));
    c.q->fields = apr_hash_make(p);
    c.q->page_number = 1;
    c.q->page_size = c.limits.default_page_size;

    apr_array_header_t *params = read_params(&c, args);
    for (int i = 0; i < params->nelts; i++) {
        dispatch(&c, &APR_ARRAY_IDX(params, i, param_t));
    }
    finish_sort(&c);
    if (c.errors->nelts > 0) {
        *errors = c.errors;
        return NULL;
    }
    *errors = NULL;
    return c.q;
}
