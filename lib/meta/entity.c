/* lib/meta/entity.c — one entity definition: fields, relations, ownership (pass 1),
 * and the references between definitions (pass 2). */
#include <apr_strings.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meta/load_internal.h"

static const struct {
    const char *name;
    oro_field_type_t type;
    int length; /* default maximum length, 0 if not a string type */
} field_types[] = {
    {"string", ORO_FIELD_STRING, 255},   {"text", ORO_FIELD_TEXT, 0},
    {"integer", ORO_FIELD_INTEGER, 0},   {"bigint", ORO_FIELD_BIGINT, 0},
    {"decimal", ORO_FIELD_DECIMAL, 0},   {"money", ORO_FIELD_MONEY, 0},
    {"boolean", ORO_FIELD_BOOLEAN, 0},   {"date", ORO_FIELD_DATE, 0},
    {"datetime", ORO_FIELD_DATETIME, 0}, {"enum", ORO_FIELD_ENUM, 0},
    {"email", ORO_FIELD_EMAIL, 255},     {"phone", ORO_FIELD_PHONE, 50},
    {"url", ORO_FIELD_URL, 2048},        {"password", ORO_FIELD_PASSWORD, 255},
};
#define N_FIELD_TYPES (sizeof(field_types) / sizeof(field_types[0]))

static const char *const reserved_names[] = {
    "id",   "createdAt",     "updatedAt",  "owner", "organization", "type", "links",
    "meta", "relationships", "attributes", NULL};

const char *oro_field_type_name(oro_field_type_t type)
{
    for (size_t i = 0; i < N_FIELD_TYPES; i++) {
        if (field_types[i].type == type) {
            return field_types[i].name;
        }
    }
    return "unknown";
}

const char *oro_ownership_name(oro_ownership_t ownership)
{
    static const char *const names[] = {"none", "user", "business_unit", "organization"};
    return names[ownership];
}

const char *oro_relation_kind_name(oro_relation_kind_t kind)
{
    static const char *const names[] = {"many-to-one", "one-to-many", "many-to-many"};
    return names[kind];
}

static const char *singular(apr_pool_t *p, const char *plural)
{
    size_t n = strlen(plural);
    if (n > 3 && strcmp(plural + n - 3, "ies") == 0) {
        return apr_pstrcat(p, apr_pstrndup(p, plural, n - 3), "y", NULL);
    }
    if (n > 4 && strcmp(plural + n - 4, "sses") == 0) {
        return apr_pstrndup(p, plural, n - 2);
    }
    if (n > 1 && plural[n - 1] == 's') {
        return apr_pstrndup(p, plural, n - 1);
    }
    return plural;
}

static int is_reserved(const char *name)
{
    for (const char *const *r = reserved_names; *r; r++) {
        if (strcmp(name, *r) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Checks a decimal literal against precision and scale; returns NULL or the reason. */
static const char *check_decimal_text(apr_pool_t *p, const char *s, int precision, int scale)
{
    const char *c = s;
    int before = 0, after = 0, seen_dot = 0;
    if (*c == '-') {
        c++;
    }
    if (!isdigit((unsigned char)*c)) {
        return "is not a decimal number";
    }
    for (; *c; c++) {
        if (*c == '.' && !seen_dot) {
            seen_dot = 1;
        }
        else if (isdigit((unsigned char)*c)) {
            seen_dot ? after++ : before++;
        }
        else {
            return "is not a decimal number";
        }
    }
    if (after > scale) {
        return apr_psprintf(p, "has more than %d decimal places", scale);
    }
    if (before > precision - scale) {
        return apr_psprintf(p, "has more than %d digits before the point", precision - scale);
    }
    return NULL;
}

static int valid_date(const char *s)
{
    int y, m, d;
    char extra;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3) {
        return 0;
    }
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > days[m - 1]) {
        return 0;
    }
    return m != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

/* The canonical text of a field's default, or NULL after reporting why it is invalid. */
static const char *read_default(oro_meta_ctx_t *ctx, const char *path, oro_field_t *f,
                                json_object *v)
{
    apr_pool_t *p = ctx->pool;
    const char *where = apr_psprintf(p, "%s.default", path);
    switch (f->type) {
    case ORO_FIELD_BOOLEAN:
        if (!json_object_is_type(v, json_type_boolean)) {
            oro_meta_error(ctx, where, "must be true or false for a boolean field");
            return NULL;
        }
        return json_object_get_boolean(v) ? "true" : "false";
    case ORO_FIELD_INTEGER:
    case ORO_FIELD_BIGINT: {
        if (!json_object_is_type(v, json_type_int)) {
            oro_meta_error(ctx, where, "must be a whole number for a field of type %s",
                           oro_field_type_name(f->type));
            return NULL;
        }
        errno = 0;
        int64_t n = json_object_get_int64(v);
        if (errno != 0 || (f->type == ORO_FIELD_INTEGER && (n < INT32_MIN || n > INT32_MAX))) {
            oro_meta_error(ctx, where, "is out of range for a field of type %s",
                           oro_field_type_name(f->type));
            return NULL;
        }
        return apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)n);
    }
    case ORO_FIELD_DECIMAL:
    case ORO_FIELD_MONEY: {
        const char *text;
        if (json_object_is_type(v, json_type_string)) {
            text = json_object_get_string(v);
        }
        else if (json_object_is_type(v, json_type_int)) {
            text = apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)json_object_get_int64(v));
        }
        else {
            oro_meta_error(ctx, where, "must be a number written as a string (\"12.50\")");
            return NULL;
        }
        const char *why = check_decimal_text(p, text, f->precision, f->scale);
        if (why != NULL) {
            oro_meta_error(ctx, where, "\"%s\" %s", text, why);
            return NULL;
        }
        return apr_pstrdup(p, text);
    }
    case ORO_FIELD_PASSWORD:
        oro_meta_error(ctx, where, "a password field cannot have a default");
        return NULL;
    default:
        break;
    }
    if (!json_object_is_type(v, json_type_string)) {
        oro_meta_error(ctx, where, "must be a string for a field of type %s",
                       oro_field_type_name(f->type));
        return NULL;
    }
    const char *text = json_object_get_string(v);
    if (f->type == ORO_FIELD_ENUM) {
        for (int i = 0; f->values && i < f->values->nelts; i++) {
            if (strcmp(APR_ARRAY_IDX(f->values, i, const char *), text) == 0) {
                return apr_pstrdup(p, text);
            }
        }
        oro_meta_error(ctx, where, "\"%s\" is not one of the declared values", text);
        return NULL;
    }
    if (f->type == ORO_FIELD_DATE && !valid_date(text)) {
        oro_meta_error(ctx, where, "\"%s\" is not a date (YYYY-MM-DD)", text);
        return NULL;
    }
    if (f->type == ORO_FIELD_DATETIME) {
        oro_meta_error(ctx, where, "a datetime field cannot have a default");
        return NULL;
    }
    if (f->length > 0 && (int)strlen(text) > f->length) {
        oro_meta_error(ctx, where, "is longer than the field's length %d", f->length);
        return NULL;
    }
    return apr_pstrdup(p, text);
}

static apr_array_header_t *read_enum_values(oro_meta_ctx_t *ctx, const char *path, json_object *def,
                                            int *max_len)
{
    json_object *v;
    const char *where = apr_psprintf(ctx->pool, "%s.values", path);
    if (!json_object_object_get_ex(def, "values", &v) || !json_object_is_type(v, json_type_array) ||
        json_object_array_length(v) == 0) {
        oro_meta_error(ctx, where, "an enum field needs a non-empty array of values");
        return NULL;
    }
    apr_array_header_t *values = apr_array_make(ctx->pool, 8, sizeof(const char *));
    *max_len = 1;
    for (size_t i = 0; i < json_object_array_length(v); i++) {
        json_object *item = json_object_array_get_idx(v, i);
        const char *s =
            json_object_is_type(item, json_type_string) ? json_object_get_string(item) : NULL;
        if (s == NULL || !oro_meta_is_identifier(s, 0)) {
            oro_meta_error(ctx, apr_psprintf(ctx->pool, "%s[%d]", where, (int)i),
                           "enum values are lower-case identifiers (a-z, 0-9, _)");
            continue;
        }
        for (int j = 0; j < values->nelts; j++) {
            if (strcmp(APR_ARRAY_IDX(values, j, const char *), s) == 0) {
                oro_meta_error(ctx, apr_psprintf(ctx->pool, "%s[%d]", where, (int)i),
                               "\"%s\" is listed twice", s);
            }
        }
        APR_ARRAY_PUSH(values, const char *) = apr_pstrdup(ctx->pool, s);
        if ((int)strlen(s) > *max_len) {
            *max_len = (int)strlen(s);
        }
    }
    return values;
}

static oro_field_t *read_field(oro_meta_ctx_t *ctx, oro_entity_t *e, const char *name,
                               json_object *def)
{
    static const char *const keys[] = {
        "type",     "column",     "label",     "description", "length",  "precision",
        "scale",    "values",     "default",   "required",    "unique",  "filterable",
        "sortable", "searchable", "auditable", "readonly",    "indexed", NULL};
    apr_pool_t *p = ctx->pool;
    const char *path = apr_psprintf(p, "fields.%s", name);
    if (!oro_meta_is_identifier(name, 1)) {
        oro_meta_error(ctx, path, "field names are lower camel case (firstName)");
        return NULL;
    }
    if (is_reserved(name)) {
        oro_meta_error(ctx, path, "\"%s\" is reserved", name);
        return NULL;
    }
    if (!json_object_is_type(def, json_type_object)) {
        oro_meta_error(ctx, path, "must be an object");
        return NULL;
    }
    oro_meta_check_keys(ctx, path, def, keys);
    oro_field_t *f = apr_pcalloc(p, sizeof *f);
    f->name = apr_pstrdup(p, name);
    f->entity = e;
    const char *type = oro_meta_get_string(ctx, def, path, "type", 1);
    if (type == NULL) {
        return NULL;
    }
    size_t t;
    for (t = 0; t < N_FIELD_TYPES && strcmp(field_types[t].name, type) != 0; t++) {
    }
    if (t == N_FIELD_TYPES) {
        oro_meta_error(ctx, apr_psprintf(p, "%s.type", path), "unknown type \"%s\"", type);
        return NULL;
    }
    f->type = field_types[t].type;
    f->column = oro_meta_get_string(ctx, def, path, "column", 0);
    if (f->column == NULL) {
        f->column = oro_meta_snake_case(p, name);
    }
    else if (!oro_meta_is_identifier(f->column, 0)) {
        oro_meta_error(ctx, apr_psprintf(p, "%s.column", path),
                       "column names are lower case with underscores, at most 63 characters");
    }
    f->label = oro_meta_get_string(ctx, def, path, "label", 0);
    f->length = field_types[t].length;
    if (f->length > 0) {
        f->length = oro_meta_get_int(ctx, def, path, "length", f->length, 1, 4000);
    }
    else if (json_object_object_get_ex(def, "length", NULL)) {
        oro_meta_error(ctx, apr_psprintf(p, "%s.length", path),
                       "only string-like fields have a length");
    }
    if (f->type == ORO_FIELD_DECIMAL) {
        f->precision = oro_meta_get_int(ctx, def, path, "precision", 12, 1, 38);
        f->scale = oro_meta_get_int(ctx, def, path, "scale", 2, 0, 38);
        if (f->scale > f->precision) {
            oro_meta_error(ctx, apr_psprintf(p, "%s.scale", path),
                           "scale %d is larger than precision %d", f->scale, f->precision);
            f->scale = f->precision;
        }
    }
    else if (f->type == ORO_FIELD_MONEY) {
        f->precision = 19;
        f->scale = 4;
    }
    if (f->type != ORO_FIELD_DECIMAL && (json_object_object_get_ex(def, "precision", NULL) ||
                                         json_object_object_get_ex(def, "scale", NULL))) {
        oro_meta_error(ctx, path, "only decimal fields have a precision and a scale");
    }
    if (f->type == ORO_FIELD_ENUM) {
        int max_len = 0;
        f->values = read_enum_values(ctx, path, def, &max_len);
        f->length = max_len < 32 ? 32 : max_len;
    }
    else if (json_object_object_get_ex(def, "values", NULL)) {
        oro_meta_error(ctx, apr_psprintf(p, "%s.values", path), "only enum fields have values");
    }
    int hidden = f->type == ORO_FIELD_PASSWORD;
    int plain = !hidden && f->type != ORO_FIELD_TEXT;
    if (oro_meta_get_bool(ctx, def, path, "required", 0))
        f->flags |= ORO_FLAG_REQUIRED;
    if (oro_meta_get_bool(ctx, def, path, "unique", 0))
        f->flags |= ORO_FLAG_UNIQUE;
    if (oro_meta_get_bool(ctx, def, path, "filterable", plain))
        f->flags |= ORO_FLAG_FILTERABLE;
    if (oro_meta_get_bool(ctx, def, path, "sortable", plain))
        f->flags |= ORO_FLAG_SORTABLE;
    if (oro_meta_get_bool(ctx, def, path, "searchable", 0))
        f->flags |= ORO_FLAG_SEARCHABLE;
    if (oro_meta_get_bool(ctx, def, path, "auditable", 0))
        f->flags |= ORO_FLAG_AUDITABLE;
    if (oro_meta_get_bool(ctx, def, path, "indexed", 0))
        f->flags |= ORO_FLAG_INDEXED;
    if (oro_meta_get_bool(ctx, def, path, "readonly", 0))
        f->flags |= ORO_FLAG_READONLY;
    if (hidden && (f->flags & (ORO_FLAG_FILTERABLE | ORO_FLAG_SORTABLE | ORO_FLAG_SEARCHABLE |
                               ORO_FLAG_UNIQUE))) {
        oro_meta_error(ctx, path,
                       "a password field cannot be filterable, sortable, searchable "
                       "or unique");
    }
    if ((f->flags & ORO_FLAG_INDEXED) && (f->type == ORO_FIELD_TEXT || hidden)) {
        oro_meta_error(ctx, apr_psprintf(p, "%s.indexed", path),
                       "a text or password field cannot be indexed");
    }
    if ((f->flags & ORO_FLAG_INDEXED) && f->length > 768) {
        oro_meta_error(ctx, apr_psprintf(p, "%s.indexed", path),
                       "an indexed field is at most 768 characters long (index limit)");
    }
    if ((f->flags & ORO_FLAG_UNIQUE) && f->type == ORO_FIELD_TEXT) {
        oro_meta_error(ctx, apr_psprintf(p, "%s.unique", path),
                       "a text field cannot be unique (use a string with a length)");
    }
    if ((f->flags & ORO_FLAG_UNIQUE) && f->length > 768) {
        oro_meta_error(ctx, apr_psprintf(p, "%s.unique", path),
                       "a unique field is at most 768 characters long (index limit)");
    }
    json_object *dv;
    if (json_object_object_get_ex(def, "default", &dv) && dv != NULL) {
        f->default_value = read_default(ctx, path, f, dv);
    }
    return f;
}

static oro_field_t *system_field(apr_pool_t *p, oro_entity_t *e, const char *name,
                                 const char *column, oro_field_type_t type)
{
    oro_field_t *f = apr_pcalloc(p, sizeof *f);
    f->name = name;
    f->column = column;
    f->type = type;
    f->flags = ORO_FLAG_SYSTEM | ORO_FLAG_READONLY | ORO_FLAG_FILTERABLE | ORO_FLAG_SORTABLE;
    f->entity = e;
    return f;
}

static void add_field(oro_entity_t *e, oro_field_t *f)
{
    APR_ARRAY_PUSH(e->fields, oro_field_t *) = f;
    apr_hash_set(e->field_by_name, f->name, APR_HASH_KEY_STRING, f);
}

static void add_relation(oro_entity_t *e, oro_relation_t *r)
{
    APR_ARRAY_PUSH(e->relations, oro_relation_t *) = r;
    apr_hash_set(e->relation_by_name, r->name, APR_HASH_KEY_STRING, r);
}

static oro_relation_t *read_relation(oro_meta_ctx_t *ctx, oro_entity_t *e, const char *name,
                                     json_object *def)
{
    static const char *const keys[] = {
        "type",     "target",   "label",     "description", "required",          "onDelete",
        "column",   "mappedBy", "joinTable", "joinColumn",  "inverseJoinColumn", "filterable",
        "sortable", "readonly", NULL};
    apr_pool_t *p = ctx->pool;
    const char *path = apr_psprintf(p, "relations.%s", name);
    if (!oro_meta_is_identifier(name, 1)) {
        oro_meta_error(ctx, path, "relation names are lower camel case (account)");
        return NULL;
    }
    if (is_reserved(name) || apr_hash_get(e->field_by_name, name, APR_HASH_KEY_STRING)) {
        oro_meta_error(ctx, path, "\"%s\" is reserved or already a field", name);
        return NULL;
    }
    if (!json_object_is_type(def, json_type_object)) {
        oro_meta_error(ctx, path, "must be an object");
        return NULL;
    }
    oro_meta_check_keys(ctx, path, def, keys);
    oro_relation_t *r = apr_pcalloc(p, sizeof *r);
    r->name = apr_pstrdup(p, name);
    r->entity = e;
    const char *kind = oro_meta_get_string(ctx, def, path, "type", 1);
    r->target_type = oro_meta_get_string(ctx, def, path, "target", 1);
    if (kind == NULL || r->target_type == NULL) {
        return NULL;
    }
    if (strcmp(kind, "many-to-one") == 0) {
        r->kind = ORO_RELATION_MANY_TO_ONE;
    }
    else if (strcmp(kind, "one-to-many") == 0) {
        r->kind = ORO_RELATION_ONE_TO_MANY;
    }
    else if (strcmp(kind, "many-to-many") == 0) {
        r->kind = ORO_RELATION_MANY_TO_MANY;
    }
    else {
        oro_meta_error(ctx, apr_psprintf(p, "%s.type", path),
                       "unknown relation type \"%s\" (many-to-one, one-to-many, many-to-many)",
                       kind);
        return NULL;
    }
    r->label = oro_meta_get_string(ctx, def, path, "label", 0);
    r->required = oro_meta_get_bool(ctx, def, path, "required", 0);
    int to_one = r->kind == ORO_RELATION_MANY_TO_ONE;
    if (oro_meta_get_bool(ctx, def, path, "filterable", 1))
        r->flags |= ORO_FLAG_FILTERABLE;
    if (oro_meta_get_bool(ctx, def, path, "sortable", to_one))
        r->flags |= ORO_FLAG_SORTABLE;
    if (oro_meta_get_bool(ctx, def, path, "readonly", 0))
        r->flags |= ORO_FLAG_READONLY;
    if (!to_one && (r->flags & ORO_FLAG_SORTABLE)) {
        oro_meta_error(ctx, apr_psprintf(p, "%s.sortable", path),
                       "only many-to-one relations can be sortable");
    }
    if (r->required && !to_one) {
        oro_meta_error(ctx, apr_psprintf(p, "%s.required", path),
                       "only many-to-one relations can be required");
    }
    const char *on_delete = oro_meta_get_string(ctx, def, path, "onDelete", 0);
    r->on_delete = r->required ? ORO_ON_DELETE_RESTRICT : ORO_ON_DELETE_SET_NULL;
    if (on_delete != NULL) {
        if (!to_one) {
            oro_meta_error(ctx, apr_psprintf(p, "%s.onDelete", path),
                           "only many-to-one relations have onDelete");
        }
        else if (strcmp(on_delete, "restrict") == 0) {
            r->on_delete = ORO_ON_DELETE_RESTRICT;
        }
        else if (strcmp(on_delete, "cascade") == 0) {
            r->on_delete = ORO_ON_DELETE_CASCADE;
        }
        else if (strcmp(on_delete, "set null") == 0 && !r->required) {
            r->on_delete = ORO_ON_DELETE_SET_NULL;
        }
        else {
            oro_meta_error(ctx, apr_psprintf(p, "%s.onDelete", path),
                           "\"%s\" is not allowed here (restrict, cascade%s)", on_delete,
                           r->required ? "" : ", set null");
        }
    }
    r->column = oro_meta_get_string(ctx, def, path, "column", 0);
    r->mapped_by = oro_meta_get_string(ctx, def, path, "mappedBy", 0);
    r->join_table = oro_meta_get_string(ctx, def, path, "joinTable", 0);
    r->join_column = oro_meta_get_string(ctx, def, path, "joinColumn", 0);
    r->inverse_join_column = oro_meta_get_string(ctx, def, path, "inverseJoinColumn", 0);
    switch (r->kind) {
    case ORO_RELATION_MANY_TO_ONE:
        if (r->column == NULL) {
            r->column = apr_pstrcat(p, oro_meta_snake_case(p, name), "_id", NULL);
        }
        if (r->mapped_by || r->join_table) {
            oro_meta_error(ctx, path,
                           "a many-to-one relation has a column, not mappedBy or "
                           "joinTable");
        }
        break;
    case ORO_RELATION_ONE_TO_MANY:
        if (r->mapped_by == NULL) {
            oro_meta_error(ctx, apr_psprintf(p, "%s.mappedBy", path),
                           "a one-to-many relation names the many-to-one relation of %s that "
                           "points back",
                           r->target_type);
        }
        if (r->column || r->join_table) {
            oro_meta_error(ctx, path,
                           "a one-to-many relation has mappedBy, not column or "
                           "joinTable");
        }
        break;
    case ORO_RELATION_MANY_TO_MANY:
        if (r->mapped_by == NULL && r->join_table == NULL) {
            oro_meta_error(ctx, apr_psprintf(p, "%s.joinTable", path),
                           "the owning side of a many-to-many relation names its joinTable "
                           "(the other side uses mappedBy)");
        }
        if (r->join_table && !oro_meta_is_identifier(r->join_table, 0)) {
            oro_meta_error(ctx, apr_psprintf(p, "%s.joinTable", path),
                           "table names are lower case with underscores, at most 63 characters");
        }
        if (r->column) {
            oro_meta_error(ctx, apr_psprintf(p, "%s.column", path),
                           "a many-to-many relation has no column");
        }
        if (r->join_table) {
            if (r->join_column == NULL) {
                r->join_column = apr_pstrcat(p, singular(p, e->type), "_id", NULL);
            }
            if (r->inverse_join_column == NULL) {
                r->inverse_join_column = apr_pstrcat(p, singular(p, r->target_type), "_id", NULL);
            }
            r->join_column = oro_meta_snake_case(p, r->join_column);
            r->inverse_join_column = oro_meta_snake_case(p, r->inverse_join_column);
            if (strcmp(r->join_column, r->inverse_join_column) == 0) {
                r->inverse_join_column = apr_pstrcat(p, "related_", r->inverse_join_column, NULL);
            }
        }
        break;
    }
    if (r->column && !oro_meta_is_identifier(r->column, 0)) {
        oro_meta_error(ctx, apr_psprintf(p, "%s.column", path),
                       "column names are lower case with underscores, at most 63 characters");
    }
    return r;
}

static oro_relation_t *system_relation(apr_pool_t *p, oro_entity_t *e, const char *name,
                                       const char *target, const char *column)
{
    oro_relation_t *r = apr_pcalloc(p, sizeof *r);
    r->name = name;
    r->kind = ORO_RELATION_MANY_TO_ONE;
    r->target_type = target;
    r->column = column;
    r->required = 1;
    r->on_delete = ORO_ON_DELETE_RESTRICT;
    r->flags = ORO_FLAG_SYSTEM | ORO_FLAG_FILTERABLE | ORO_FLAG_SORTABLE;
    r->entity = e;
    return r;
}

static void read_sort(oro_meta_ctx_t *ctx, oro_entity_t *e, json_object *doc)
{
    json_object *v;
    e->default_sort = apr_array_make(ctx->pool, 2, sizeof(oro_sort_key_t));
    if (!json_object_object_get_ex(doc, "defaultSort", &v)) {
        oro_sort_key_t *k = apr_array_push(e->default_sort);
        k->field = "id";
        return;
    }
    if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0) {
        oro_meta_error(ctx, "defaultSort",
                       "must be a non-empty array like [\"lastName\", \"-id\"]");
        return;
    }
    for (size_t i = 0; i < json_object_array_length(v); i++) {
        json_object *item = json_object_array_get_idx(v, i);
        const char *s =
            json_object_is_type(item, json_type_string) ? json_object_get_string(item) : NULL;
        const char *where = apr_psprintf(ctx->pool, "defaultSort[%d]", (int)i);
        if (s == NULL) {
            oro_meta_error(ctx, where, "must be a field name, \"-\" first for descending");
            continue;
        }
        oro_sort_key_t *k = apr_array_push(e->default_sort);
        k->descending = s[0] == '-';
        k->field = apr_pstrdup(ctx->pool, s + k->descending);
        const oro_field_t *f = oro_meta_field(e, k->field);
        const oro_relation_t *r = oro_meta_relation(e, k->field);
        if (!(f && (f->flags & ORO_FLAG_SORTABLE)) && !(r && r->kind == ORO_RELATION_MANY_TO_ONE)) {
            oro_meta_error(ctx, where, "\"%s\" is not a sortable field", k->field);
        }
    }
}

static void read_title(oro_meta_ctx_t *ctx, oro_entity_t *e)
{
    e->title_parts = apr_array_make(ctx->pool, 4, sizeof(const char *));
    if (e->title_template == NULL) {
        return;
    }
    const char *s = e->title_template;
    while (*s) {
        const char *open = strchr(s, '{');
        if (open == NULL) {
            APR_ARRAY_PUSH(e->title_parts, const char *) = apr_pstrdup(ctx->pool, s);
            APR_ARRAY_PUSH(e->title_parts, const char *) = NULL;
            return;
        }
        const char *close = strchr(open, '}');
        if (close == NULL) {
            oro_meta_error(ctx, "titleTemplate", "a \"{\" is not closed");
            return;
        }
        const char *name = apr_pstrmemdup(ctx->pool, open + 1, (apr_size_t)(close - open - 1));
        const oro_field_t *f = oro_meta_field(e, name);
        if (f == NULL || f->type == ORO_FIELD_PASSWORD) {
            oro_meta_error(ctx, "titleTemplate", "\"{%s}\" is not a field of %s", name, e->type);
        }
        APR_ARRAY_PUSH(e->title_parts, const char *) =
            apr_pstrmemdup(ctx->pool, s, (apr_size_t)(open - s));
        APR_ARRAY_PUSH(e->title_parts, const char *) = name;
        s = close + 1;
    }
}

oro_entity_t *oro_meta_read_entity(oro_meta_ctx_t *ctx, json_object *doc)
{
    static const char *const keys[] = {"type",           "table",       "label",
                                       "pluralLabel",    "description", "ownership",
                                       "titleTemplate",  "defaultSort", "allowClientIds",
                                       "unlimitedPages", "fields",      "relations",
                                       "aclParent",      NULL};
    apr_pool_t *p = ctx->pool;
    if (!json_object_is_type(doc, json_type_object)) {
        oro_meta_error(ctx, NULL, "the definition must be a JSON object");
        return NULL;
    }
    oro_meta_check_keys(ctx, "", doc, keys);
    oro_entity_t *e = apr_pcalloc(p, sizeof *e);
    e->file = ctx->file;
    e->type = oro_meta_get_string(ctx, doc, "", "type", 1);
    e->table = oro_meta_get_string(ctx, doc, "", "table", 1);
    e->label = oro_meta_get_string(ctx, doc, "", "label", 1);
    e->plural_label = oro_meta_get_string(ctx, doc, "", "pluralLabel", 0);
    e->title_template = oro_meta_get_string(ctx, doc, "", "titleTemplate", 0);
    e->allow_client_ids = oro_meta_get_bool(ctx, doc, "", "allowClientIds", 0);
    e->unlimited_pages = oro_meta_get_bool(ctx, doc, "", "unlimitedPages", 0);
    e->acl_parent_name = oro_meta_get_string(ctx, doc, "", "aclParent", 0);
    if (e->type == NULL || e->table == NULL) {
        return NULL;
    }
    if (!oro_meta_is_identifier(e->type, 1)) {
        oro_meta_error(ctx, "type", "\"%s\" is not a lower camel case plural (contacts)", e->type);
        return NULL;
    }
    if (!oro_meta_is_identifier(e->table, 0)) {
        oro_meta_error(ctx, "table",
                       "\"%s\" is not a table name (lower case, underscores, at most 63)",
                       e->table);
        return NULL;
    }
    if (e->plural_label == NULL && e->label != NULL) {
        e->plural_label = apr_pstrcat(p, e->label, "s", NULL);
    }
    const char *ownership = oro_meta_get_string(ctx, doc, "", "ownership", 1);
    if (ownership == NULL || strcmp(ownership, "none") == 0) {
        e->ownership = ORO_OWNERSHIP_NONE;
    }
    else if (strcmp(ownership, "user") == 0) {
        e->ownership = ORO_OWNERSHIP_USER;
    }
    else if (strcmp(ownership, "business_unit") == 0) {
        e->ownership = ORO_OWNERSHIP_BUSINESS_UNIT;
    }
    else if (strcmp(ownership, "organization") == 0) {
        e->ownership = ORO_OWNERSHIP_ORGANIZATION;
    }
    else {
        oro_meta_error(ctx, "ownership",
                       "unknown ownership \"%s\" (user, business_unit, organization, none)",
                       ownership);
    }
    e->fields = apr_array_make(p, 16, sizeof(oro_field_t *));
    e->relations = apr_array_make(p, 8, sizeof(oro_relation_t *));
    e->field_by_name = apr_hash_make(p);
    e->relation_by_name = apr_hash_make(p);

    add_field(e, system_field(p, e, "id", "id", ORO_FIELD_BIGINT));
    json_object *fields;
    if (!json_object_object_get_ex(doc, "fields", &fields) ||
        !json_object_is_type(fields, json_type_object)) {
        oro_meta_error(ctx, "fields", "is required: an object of field definitions");
    }
    else {
        json_object_object_foreach(fields, name, def)
        {
            oro_field_t *f = read_field(ctx, e, name, def);
            if (f != NULL) {
                add_field(e, f);
            }
        }
    }
    add_field(e, system_field(p, e, "createdAt", "created_at", ORO_FIELD_DATETIME));
    add_field(e, system_field(p, e, "updatedAt", "updated_at", ORO_FIELD_DATETIME));

    switch (e->ownership) {
    case ORO_OWNERSHIP_USER:
        add_relation(e, system_relation(p, e, "owner", "users", "owner_id"));
        add_relation(e, system_relation(p, e, "organization", "organizations", "organization_id"));
        break;
    case ORO_OWNERSHIP_BUSINESS_UNIT:
        add_relation(e, system_relation(p, e, "owner", "businessunits", "business_unit_owner_id"));
        add_relation(e, system_relation(p, e, "organization", "organizations", "organization_id"));
        break;
    case ORO_OWNERSHIP_ORGANIZATION:
        add_relation(e, system_relation(p, e, "organization", "organizations", "organization_id"));
        break;
    case ORO_OWNERSHIP_NONE:
        break;
    }
    json_object *relations;
    if (json_object_object_get_ex(doc, "relations", &relations)) {
        if (!json_object_is_type(relations, json_type_object)) {
            oro_meta_error(ctx, "relations", "must be an object of relation definitions");
        }
        else {
            json_object_object_foreach(relations, name, def)
            {
                oro_relation_t *r = read_relation(ctx, e, name, def);
                if (r != NULL) {
                    add_relation(e, r);
                }
            }
        }
    }

    /* two names on one column would corrupt each other's data */
    apr_hash_t *columns = apr_hash_make(p);
    for (int i = 0; i < e->fields->nelts; i++) {
        const oro_field_t *f = APR_ARRAY_IDX(e->fields, i, oro_field_t *);
        const char *other = apr_hash_get(columns, f->column, APR_HASH_KEY_STRING);
        if (other) {
            oro_meta_error(ctx, apr_psprintf(p, "fields.%s", f->name),
                           "column \"%s\" is already used by \"%s\"", f->column, other);
        }
        apr_hash_set(columns, f->column, APR_HASH_KEY_STRING, f->name);
    }
    for (int i = 0; i < e->relations->nelts; i++) {
        const oro_relation_t *r = APR_ARRAY_IDX(e->relations, i, oro_relation_t *);
        if (r->column == NULL) {
            continue;
        }
        const char *other = apr_hash_get(columns, r->column, APR_HASH_KEY_STRING);
        if (other) {
            oro_meta_error(ctx, apr_psprintf(p, "relations.%s", r->name),
                           "column \"%s\" is already used by \"%s\"", r->column, other);
        }
        apr_hash_set(columns, r->column, APR_HASH_KEY_STRING, r->name);
    }
    read_sort(ctx, e, doc);
    read_title(ctx, e);
    return e;
}

/* The aclParent of e: a required many-to-one to an owned type that has no aclParent
 * itself (one step keeps the ACL condition one subquery deep), on an unowned type that
 * nothing searches (the index's ACL terms are the owner's and organization's). */
static void resolve_acl_parent(oro_meta_ctx_t *ctx, oro_entity_t *e)
{
    if (e->acl_parent_name == NULL) {
        return;
    }
    const oro_relation_t *r = oro_meta_relation(e, e->acl_parent_name);
    const char *why = NULL;
    if (r == NULL) {
        why = "is not a relation of this type";
    }
    else if (r->kind != ORO_RELATION_MANY_TO_ONE || !r->required) {
        why = "must be a required many-to-one relation";
    }
    else if (e->ownership != ORO_OWNERSHIP_NONE) {
        why = "needs \"ownership\": \"none\" (the parent's owner decides)";
    }
    else if (r->target == NULL || r->target->ownership == ORO_OWNERSHIP_NONE ||
             r->target->acl_parent_name != NULL) {
        why = "must lead to a type with an owner of its own";
    }
    for (int f = 0; why == NULL && f < e->fields->nelts; f++) {
        if (APR_ARRAY_IDX(e->fields, f, const oro_field_t *)->flags & ORO_FLAG_SEARCHABLE) {
            why = "cannot be used on a searchable type";
        }
    }
    if (why != NULL) {
        oro_meta_error(ctx, "aclParent", "\"%s\" %s", e->acl_parent_name, why);
        return;
    }
    e->acl_parent = r;
}

/* Pass 2: targets exist, inverse sides match, join tables do not collide with entity
 * tables. ctx->file is set per entity so messages name the right file. */
void oro_meta_resolve(oro_meta_ctx_t *ctx)
{
    apr_pool_t *p = ctx->pool;
    apr_hash_t *join_tables = apr_hash_make(p);
    for (int i = 0; i < ctx->meta->entities->nelts; i++) {
        oro_entity_t *e = APR_ARRAY_IDX(ctx->meta->entities, i, oro_entity_t *);
        ctx->file = e->file;
        for (int j = 0; j < e->relations->nelts; j++) {
            oro_relation_t *r = APR_ARRAY_IDX(e->relations, j, oro_relation_t *);
            const char *path = apr_psprintf(p, "relations.%s", r->name);
            r->target = oro_meta_entity(ctx->meta, r->target_type);
            if (r->target == NULL) {
                oro_meta_error(ctx,
                               (r->flags & ORO_FLAG_SYSTEM) ? "ownership"
                                                            : apr_psprintf(p, "%s.target", path),
                               "no entity has type \"%s\"%s", r->target_type,
                               (r->flags & ORO_FLAG_SYSTEM) ? " (needed for ownership)" : "");
                continue;
            }
            if (r->mapped_by == NULL || r->kind == ORO_RELATION_MANY_TO_ONE) {
                if (r->join_table != NULL && r->kind == ORO_RELATION_MANY_TO_MANY) {
                    const char *other =
                        apr_hash_get(join_tables, r->join_table, APR_HASH_KEY_STRING);
                    if (other != NULL ||
                        apr_hash_get(ctx->meta->by_table, r->join_table, APR_HASH_KEY_STRING)) {
                        oro_meta_error(ctx, apr_psprintf(p, "%s.joinTable", path),
                                       "table \"%s\" is already used%s%s", r->join_table,
                                       other ? " by " : "", other ? other : "");
                    }
                    apr_hash_set(join_tables, r->join_table, APR_HASH_KEY_STRING,
                                 apr_psprintf(p, "%s.%s", e->type, r->name));
                }
                continue;
            }
            const oro_relation_t *back = oro_meta_relation(r->target, r->mapped_by);
            oro_relation_kind_t want = r->kind == ORO_RELATION_ONE_TO_MANY
                                           ? ORO_RELATION_MANY_TO_ONE
                                           : ORO_RELATION_MANY_TO_MANY;
            if (back == NULL || back->kind != want || strcmp(back->target_type, e->type) != 0 ||
                (want == ORO_RELATION_MANY_TO_MANY && back->join_table == NULL)) {
                oro_meta_error(ctx, apr_psprintf(p, "%s.mappedBy", path),
                               "%s has no %s relation \"%s\"%s to %s", r->target_type,
                               oro_relation_kind_name(want), r->mapped_by,
                               want == ORO_RELATION_MANY_TO_MANY ? " with a joinTable" : "",
                               e->type);
                continue;
            }
            if (r->kind == ORO_RELATION_MANY_TO_MANY) {
                r->join_table = back->join_table;
                r->join_column = back->inverse_join_column;
                r->inverse_join_column = back->join_column;
            }
        }
    }
    for (int i = 0; i < ctx->meta->entities->nelts; i++) {
        oro_entity_t *e = APR_ARRAY_IDX(ctx->meta->entities, i, oro_entity_t *);
        ctx->file = e->file;
        resolve_acl_parent(ctx, e);
    }
}
