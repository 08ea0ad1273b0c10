/* lib/api/write.c — oro_write_parse: the JSON:API document of a create (POST) or an
 * update (PATCH), checked against the entity metadata into column values (see write.h).
 * The SQL that stores the result is in write_sql.c.
 *
 * Every problem of a document is collected, each with the JSON pointer of the member at
 * fault, so that a client sees all of them at once (as Oro does); only a body that is
 * not a JSON object stops the parse early. Values become the canonical text of their
 * type (the same text the filters use, via oro_api_canonical_value where the type has
 * one), ready to be bound as apr_dbd string parameters. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <apr_general.h>
#include <apr_hash.h>
#include <apr_md5.h>
#include <apr_strings.h>
#include <json.h>

#include "api/write.h"

/* A to-many linkage may name at most this many records (a larger set is a batch job). */
#define MAX_TO_MANY_IDS 1000
/* Passwords: at least this many bytes; bcrypt reads at most 72. */
#define PASSWORD_MIN_BYTES 8
#define PASSWORD_MAX_BYTES 72
#define BCRYPT_COST 10
/* Values quoted in error details are cut to this many characters. */
#define DETAIL_VALUE_CHARS 64

#define TITLE_REQUEST "request data constraint"
#define TITLE_EXTRA "extra fields constraint"
#define TITLE_READONLY "read-only constraint"
#define TITLE_VALUE "value constraint"
#define TITLE_LENGTH "length constraint"
#define TITLE_NOT_BLANK "not blank constraint"
#define TITLE_CONFLICT "conflict"
#define TITLE_FORBIDDEN "forbidden"

typedef struct {
    apr_pool_t *pool;
    const oro_entity_t *entity;
    int create;                 /* 1: POST, 0: PATCH */
    apr_array_header_t *errors; /* of oro_api_error_t */
    oro_write_doc_t *doc;
    apr_hash_t *seen;        /* field and relation names given, for the required check */
    json_object *attributes; /* the document's attributes (the username, for passwords) */
} parse_t;

static void add_error(parse_t *ps, int status, const char *title, const char *pointer,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add_error(parse_t *ps, int status, const char *title, const char *pointer,
                      const char *fmt, ...)
{
    va_list ap;
    oro_api_error_t *e = apr_array_push(ps->errors);
    memset(e, 0, sizeof *e);
    e->status = status;
    e->title = title;
    e->pointer = pointer;
    va_start(ap, fmt);
    e->detail = apr_pvsprintf(ps->pool, fmt, ap);
    va_end(ap);
}

/* ---- UTF-8 and text helpers ---- */

/* The offset of the first byte of s[0..len) that is not part of well-formed UTF-8
 * (overlong forms, surrogates, code points above U+10FFFF and NUL bytes included),
 * or -1 when all of it is. */
static long utf8_invalid_at(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = u[i];
        size_t n;
        unsigned lo = 0x80, hi = 0xBF; /* the allowed range of the second byte */
        if (c == 0) {
            return (long)i;
        }
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        }
        else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0) {
                lo = 0xA0; /* overlong */
            }
            else if (c == 0xED) {
                hi = 0x9F; /* surrogates */
            }
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0) {
                lo = 0x90; /* overlong */
            }
            else if (c == 0xF4) {
                hi = 0x8F; /* above U+10FFFF */
            }
        }
        else {
            return (long)i;
        }
        if (i + n >= len) {
            return (long)i; /* cut short */
        }
        if (u[i + 1] < lo || u[i + 1] > hi) {
            return (long)i;
        }
        for (size_t k = 2; k <= n; k++) {
            if (u[i + k] < 0x80 || u[i + k] > 0xBF) {
                return (long)i;
            }
        }
        i += n + 1;
    }
    return -1;
}

/* The number of characters (code points) of valid UTF-8 text. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
        if ((*u & 0xC0) != 0x80) {
            n++;
        }
    }
    return n;
}

/* value for an error detail: at most DETAIL_VALUE_CHARS characters, "…" when cut. */
static const char *shown(apr_pool_t *p, const char *value)
{
    size_t chars = 0;
    const unsigned char *u = (const unsigned char *)value;
    for (; *u; u++) {
        if ((*u & 0xC0) != 0x80 && chars++ == DETAIL_VALUE_CHARS) {
            return apr_pstrcat(p, apr_pstrmemdup(p, value, (apr_size_t)((const char *)u - value)),
                               "\xE2\x80\xA6", NULL);
        }
    }
    return value;
}

/* name as one JSON pointer token: "~" is "~0" and "/" is "~1" (RFC 6901). */
static const char *pointer_token(apr_pool_t *p, const char *name)
{
    if (strpbrk(name, "~/") == NULL) {
        return name;
    }
    char *out = apr_palloc(p, strlen(name) * 2 + 1), *o = out;
    for (const char *c = name; *c; c++) {
        if (*c == '~' || *c == '/') {
            *o++ = '~';
            *o++ = *c == '~' ? '0' : '1';
        }
        else {
            *o++ = *c;
        }
    }
    *o = '\0';
    return out;
}

static int is_digits(const char *s)
{
    if (*s == '\0') {
        return 0;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9') {
            return 0;
        }
    }
    return 1;
}

/* A record id as JSON:API carries it: decimal digits without a leading zero, at least 1
 * and at most the largest bigint. */
static int is_record_id(const char *s)
{
    static const char max[] = "9223372036854775807";
    size_t n = strlen(s);
    if (!is_digits(s) || s[0] == '0' || n > sizeof max - 1) {
        return 0;
    }
    return n < sizeof max - 1 || strcmp(s, max) <= 0;
}

static int has_space_or_control(const char *s)
{
    for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
        if (*u <= 0x20 || *u == 0x7F) {
            return 1;
        }
    }
    return 0;
}

/* One '@', a non-empty local part, a domain with a dot between non-empty labels. */
static int is_email(const char *s)
{
    const char *at = strchr(s, '@');
    if (at == NULL || at == s || strchr(at + 1, '@') != NULL || has_space_or_control(s)) {
        return 0;
    }
    const char *domain = at + 1;
    size_t n = strlen(domain);
    return n >= 3 && strchr(domain, '.') != NULL && domain[0] != '.' && domain[n - 1] != '.' &&
           strstr(domain, "..") == NULL;
}

/* http:// or https:// (any case), then a host, no blanks. */
static int is_url(const char *s)
{
    const char *rest;
    if (strncasecmp(s, "http://", 7) == 0) {
        rest = s + 7;
    }
    else if (strncasecmp(s, "https://", 8) == 0) {
        rest = s + 8;
    }
    else {
        return 0;
    }
    return *rest != '\0' && strchr("/?#:@", *rest) == NULL && !has_space_or_control(s);
}

/* Digits, spaces and + - ( ) . only, at least 3 digits. */
static int is_phone(const char *s)
{
    int digits = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') {
            digits++;
        }
        else if (strchr(" +-().", *s) == NULL) {
            return 0;
        }
    }
    return digits >= 3;
}

static int is_string_like(oro_field_type_t type)
{
    switch (type) {
    case ORO_FIELD_STRING:
    case ORO_FIELD_TEXT:
    case ORO_FIELD_EMAIL:
    case ORO_FIELD_PHONE:
    case ORO_FIELD_URL:
        return 1;
    default:
        return 0;
    }
}

/* ---- attribute values ---- */

/* The text of a JSON string member, or NULL (an error reported) when it is not a string
 * or holds a NUL character (\u0000: no column can store it). */
static const char *string_of(parse_t *ps, json_object *v, const char *pointer, const char *name,
                             const char *expected)
{
    if (!json_object_is_type(v, json_type_string)) {
        add_error(ps, 400, TITLE_VALUE, pointer, "\"%s\" must be %s", name, expected);
        return NULL;
    }
    const char *s = json_object_get_string(v);
    if (strlen(s) != (size_t)json_object_get_string_len(v)) {
        add_error(ps, 400, TITLE_VALUE, pointer, "\"%s\" must not contain NUL characters", name);
        return NULL;
    }
    /* json-c turns escaped lone surrogates into U+FFFD, so the decoded text is valid
     * UTF-8 whenever the body was; checked again so that nothing else can slip in */
    if (utf8_invalid_at(s, strlen(s)) >= 0) {
        add_error(ps, 400, TITLE_VALUE, pointer, "\"%s\" is not valid UTF-8", name);
        return NULL;
    }
    return apr_pstrdup(ps->pool, s); /* the JSON tree is freed at the end of the parse */
}

/* A whole number within [min, max] from a JSON number, as decimal text. */
static const char *integer_of(parse_t *ps, const oro_field_t *f, json_object *v,
                              const char *pointer, apr_int64_t min, apr_int64_t max)
{
    apr_int64_t n;
    if (json_object_is_type(v, json_type_int)) {
        /* NB: json-c clamps numbers beyond 64 bits to INT64_MIN / UINT64_MAX, so
         * INT64_MIN itself is refused: it may stand for a smaller number */
        if (json_object_get_int64(v) == INT64_MIN) {
            add_error(ps, 400, TITLE_VALUE, pointer, "\"%s\" is out of range", f->name);
            return NULL;
        }
        errno = 0;
        const char *text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
        char *end;
        long long parsed = strtoll(text, &end, 10);
        if (errno == ERANGE || *end != '\0') {
            add_error(ps, 400, TITLE_VALUE, pointer, "\"%s\" is out of range", f->name);
            return NULL;
        }
        n = (apr_int64_t)parsed;
    }
    else if (json_object_is_type(v, json_type_double)) {
        double d = json_object_get_double(v);
        const char *text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
        if (!isfinite(d) || d != trunc(d)) {
            add_error(ps, 400, TITLE_VALUE, pointer, "%s is not a whole number",
                      shown(ps->pool, text));
            return NULL;
        }
        if (fabs(d) > 9007199254740992.0) { /* 2^53: beyond it a double is not exact */
            add_error(ps, 400, TITLE_VALUE, pointer, "\"%s\" is out of range", f->name);
            return NULL;
        }
        n = (apr_int64_t)d;
    }
    else {
        add_error(ps, 400, TITLE_VALUE, pointer, "\"%s\" must be a number", f->name);
        return NULL;
    }
    if (n < min || n > max) {
        add_error(ps, 400, TITLE_VALUE, pointer,
                  "\"%s\" is out of range (%" APR_INT64_T_FMT " to %" APR_INT64_T_FMT ")", f->name,
                  min, max);
        return NULL;
    }
    return apr_psprintf(ps->pool, "%" APR_INT64_T_FMT, n);
}

/* text through oro_api_canonical_value, the error reported with its reason. */
static const char *canonical(parse_t *ps, const oro_field_t *f, const char *text,
                             const char *pointer)
{
    const char *why = NULL;
    const char *value = oro_api_canonical_value(ps->pool, f, text, &why);
    if (value == NULL) {
        add_error(ps, 400, TITLE_VALUE, pointer, "\"%s\" %s", shown(ps->pool, text),
                  why != NULL ? why : "is not a valid value");
    }
    return value;
}

/* A bcrypt hash of a password of 8 to 72 bytes (never echoed in errors). */
static const char *password_hash(parse_t *ps, const oro_field_t *f, const char *plain,
                                 const char *pointer)
{
    size_t n = strlen(plain);
    if (n < PASSWORD_MIN_BYTES || n > PASSWORD_MAX_BYTES) {
        add_error(ps, 400, TITLE_LENGTH, pointer, "\"%s\" must be %d to %d bytes long", f->name,
                  PASSWORD_MIN_BYTES, PASSWORD_MAX_BYTES);
        return NULL;
    }
    /* Oro's policy: never the username (given in the same document) */
    json_object *username = NULL;
    if (ps->attributes != NULL && json_object_is_type(ps->attributes, json_type_object) &&
        json_object_object_get_ex(ps->attributes, "username", &username) &&
        json_object_is_type(username, json_type_string) &&
        strcasecmp(json_object_get_string(username), plain) == 0) {
        add_error(ps, 400, "password constraint", pointer, "\"%s\" must not be the username",
                  f->name);
        return NULL;
    }
    unsigned char salt[16];
    char hash[128];
    if (apr_generate_random_bytes(salt, sizeof salt) != APR_SUCCESS ||
        apr_bcrypt_encode(plain, BCRYPT_COST, salt, sizeof salt, hash, sizeof hash) !=
            APR_SUCCESS) {
        add_error(ps, 500, "internal error", pointer, "the password of \"%s\" could not be hashed",
                  f->name);
        return NULL;
    }
    return apr_pstrdup(ps->pool, hash);
}

/* The canonical text of a non-null attribute value, or NULL with an error reported. */
static const char *attribute_value(parse_t *ps, const oro_field_t *f, json_object *v,
                                   const char *pointer)
{
    const char *s;
    switch (f->type) {
    case ORO_FIELD_INTEGER:
        return integer_of(ps, f, v, pointer, INT32_MIN, INT32_MAX);
    case ORO_FIELD_BIGINT:
        return integer_of(ps, f, v, pointer, INT64_MIN + 1, INT64_MAX);
    case ORO_FIELD_DECIMAL:
    case ORO_FIELD_MONEY:
        /* Oro returns decimals as strings (exact); a JSON number is taken as written */
        if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) {
            if (json_object_is_type(v, json_type_double) && !isfinite(json_object_get_double(v))) {
                add_error(ps, 400, TITLE_VALUE, pointer, "\"%s\" must be a finite number", f->name);
                return NULL;
            }
            /* NB: json-c clamps whole numbers beyond 64 bits to INT64_MIN / UINT64_MAX
             * and prints the clamped value: refuse those rather than store another number
             * (a decimal that large is best sent as a string) */
            if (json_object_is_type(v, json_type_int) &&
                (json_object_get_int64(v) == INT64_MIN ||
                 json_object_get_uint64(v) == UINT64_MAX)) {
                add_error(ps, 400, TITLE_VALUE, pointer,
                          "\"%s\" is out of range for a JSON number (send it as a string)",
                          f->name);
                return NULL;
            }
            s = apr_pstrdup(ps->pool, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
        }
        else if ((s = string_of(ps, v, pointer, f->name, "a number or a string (\"12.50\")")) ==
                 NULL) {
            return NULL;
        }
        return canonical(ps, f, s, pointer);
    case ORO_FIELD_BOOLEAN:
        if (!json_object_is_type(v, json_type_boolean)) {
            add_error(ps, 400, TITLE_VALUE, pointer, "\"%s\" must be true or false", f->name);
            return NULL;
        }
        return json_object_get_boolean(v) ? "1" : "0";
    case ORO_FIELD_DATE:
        s = string_of(ps, v, pointer, f->name, "a string (\"YYYY-MM-DD\")");
        return s != NULL ? canonical(ps, f, s, pointer) : NULL;
    case ORO_FIELD_DATETIME:
        s = string_of(ps, v, pointer, f->name, "a string (\"YYYY-MM-DDTHH:MM:SSZ\")");
        return s != NULL ? canonical(ps, f, s, pointer) : NULL;
    case ORO_FIELD_ENUM:
        s = string_of(ps, v, pointer, f->name, "a string");
        return s != NULL ? canonical(ps, f, s, pointer) : NULL;
    case ORO_FIELD_PASSWORD:
        s = string_of(ps, v, pointer, f->name, "a string");
        return s != NULL ? password_hash(ps, f, s, pointer) : NULL;
    default:
        break;
    }
    /* string, text, email, phone, url */
    if ((s = string_of(ps, v, pointer, f->name, "a string")) == NULL) {
        return NULL;
    }
    if (f->length > 0 && utf8_chars(s) > (size_t)f->length) {
        add_error(ps, 400, TITLE_LENGTH, pointer, "\"%s\" is longer than %d characters", f->name,
                  f->length);
        return NULL;
    }
    if (f->type == ORO_FIELD_EMAIL && !is_email(s)) {
        add_error(ps, 400, TITLE_VALUE, pointer, "\"%s\" is not an email address",
                  shown(ps->pool, s));
        return NULL;
    }
    if (f->type == ORO_FIELD_URL && !is_url(s)) {
        add_error(ps, 400, TITLE_VALUE, pointer,
                  "\"%s\" is not a URL (http:// or https:// and a host)", shown(ps->pool, s));
        return NULL;
    }
    if (f->type == ORO_FIELD_PHONE && !is_phone(s)) {
        add_error(ps, 400, TITLE_VALUE, pointer,
                  "\"%s\" is not a phone number (digits, spaces and + - ( ) ., at least 3 "
                  "digits)",
                  shown(ps->pool, s));
        return NULL;
    }
    return s;
}

static void push_value(parse_t *ps, const oro_field_t *f, const oro_relation_t *r,
                       const char *value, const char *pointer)
{
    oro_write_value_t *wv = apr_array_push(ps->doc->values);
    wv->field = f;
    wv->relation = r;
    wv->value = value;
    wv->pointer = pointer;
}

static int is_required_field(const oro_field_t *f)
{
    return (f->flags & ORO_FLAG_REQUIRED) != 0;
}

static void parse_attributes(parse_t *ps, json_object *attributes)
{
    const oro_entity_t *e = ps->entity;
    json_object_object_foreach(attributes, name, v)
    {
        const char *pointer =
            apr_pstrcat(ps->pool, "/data/attributes/", pointer_token(ps->pool, name), NULL);
        const oro_field_t *f = oro_meta_field(e, name);
        if (f == NULL) {
            add_error(ps, 400, TITLE_EXTRA, pointer, "\"%s\" is not an attribute of %s%s",
                      shown(ps->pool, name), e->type,
                      oro_meta_relation(e, name) != NULL ? " (it is a relationship)" : "");
            continue;
        }
        if (f->flags & (ORO_FLAG_SYSTEM | ORO_FLAG_READONLY)) {
            add_error(ps, 400, TITLE_READONLY, pointer, "\"%s\" is read-only", name);
            continue;
        }
        apr_hash_set(ps->seen, f->name, APR_HASH_KEY_STRING, f);
        if (json_object_is_type(v, json_type_null)) {
            if (is_required_field(f)) {
                add_error(ps, 400, TITLE_NOT_BLANK, pointer, "\"%s\" is required", f->name);
                continue;
            }
            push_value(ps, f, NULL, NULL, pointer);
            continue;
        }
        const char *value = attribute_value(ps, f, v, pointer);
        if (value == NULL) {
            continue;
        }
        /* as Oro's NotBlank: an empty string is no value for a required text */
        if (is_required_field(f) && is_string_like(f->type) && *value == '\0') {
            add_error(ps, 400, TITLE_NOT_BLANK, pointer, "\"%s\" is required", f->name);
            continue;
        }
        push_value(ps, f, NULL, value, pointer);
    }
}

/* ---- relationships ---- */

/* The id of one resource identifier object {"type": target, "id": "digits"} at pointer,
 * or NULL with the errors reported. */
static const char *linkage_id(parse_t *ps, const oro_relation_t *r, json_object *ident,
                              const char *pointer)
{
    if (!json_object_is_type(ident, json_type_object)) {
        add_error(ps, 400, TITLE_REQUEST, pointer,
                  "a resource identifier is an object {\"type\": \"%s\", \"id\": \"…\"}",
                  r->target_type);
        return NULL;
    }
    json_object *type = NULL, *id = NULL;
    int ok = 1;
    json_object_object_foreach(ident, name, v)
    {
        if (strcmp(name, "type") == 0) {
            type = v;
        }
        else if (strcmp(name, "id") == 0) {
            id = v;
        }
        else if (strcmp(name, "meta") != 0) {
            add_error(ps, 400, TITLE_EXTRA,
                      apr_pstrcat(ps->pool, pointer, "/", pointer_token(ps->pool, name), NULL),
                      "a resource identifier has only \"type\", \"id\" and \"meta\"");
            ok = 0;
        }
    }
    const char *type_pointer = apr_pstrcat(ps->pool, pointer, "/type", NULL);
    const char *id_pointer = apr_pstrcat(ps->pool, pointer, "/id", NULL);
    if (type == NULL) {
        add_error(ps, 400, TITLE_REQUEST, type_pointer, "\"type\" is required");
        ok = 0;
    }
    else if (!json_object_is_type(type, json_type_string)) {
        add_error(ps, 400, TITLE_REQUEST, type_pointer, "\"type\" must be a string");
        ok = 0;
    }
    else if (strcmp(json_object_get_string(type), r->target_type) != 0) {
        /* JSON:API's 409 is for the primary data's type; a linkage is a bad value */
        add_error(ps, 400, TITLE_VALUE, type_pointer, "\"%s\" is not %s: \"%s\" takes %s",
                  shown(ps->pool, json_object_get_string(type)), r->target_type, r->name,
                  r->target_type);
        ok = 0;
    }
    if (id == NULL) {
        add_error(ps, 400, TITLE_REQUEST, id_pointer, "\"id\" is required");
        return NULL;
    }
    if (!json_object_is_type(id, json_type_string)) {
        add_error(ps, 400, TITLE_REQUEST, id_pointer,
                  "\"id\" must be a string (\"12\"): JSON:API ids are strings");
        return NULL;
    }
    const char *text = json_object_get_string(id);
    if (!is_record_id(text)) {
        add_error(ps, 400, TITLE_VALUE, id_pointer,
                  "\"%s\" is not an id of %s (a positive integer)", shown(ps->pool, text),
                  r->target_type);
        return NULL;
    }
    return ok ? apr_pstrdup(ps->pool, text) : NULL;
}

static void parse_to_many(parse_t *ps, const oro_relation_t *r, json_object *data,
                          const char *pointer)
{
    if (!json_object_is_type(data, json_type_array)) {
        add_error(ps, 400, TITLE_REQUEST, pointer,
                  "\"%s\" is a to-many relationship: its data is an array of resource "
                  "identifiers ([] for none)",
                  r->name);
        return;
    }
    /* A one-to-many whose members must keep an owner (the inverse many-to-one is
     * required: order line items) cannot lose members: replacing the set on update
     * would set their owner to NULL. JSON:API: a complete replacement the server does
     * not allow is 403. On create the record has no members yet, so nothing is lost. */
    const oro_relation_t *back = r->kind == ORO_RELATION_ONE_TO_MANY && r->target != NULL
                                     ? oro_meta_relation(r->target, r->mapped_by)
                                     : NULL;
    if (!ps->create && back != NULL && back->required) {
        add_error(ps, 403, TITLE_FORBIDDEN, pointer,
                  "\"%s\" cannot be replaced on update: every %s must keep its \"%s\"; set "
                  "\"%s\" of the %s instead",
                  r->name, r->target_type, back->name, back->name, r->target_type);
        return;
    }
    size_t n = json_object_array_length(data);
    if (n > MAX_TO_MANY_IDS) {
        add_error(ps, 400, TITLE_REQUEST, pointer, "\"%s\" names more than %d records", r->name,
                  MAX_TO_MANY_IDS);
        return;
    }
    apr_array_header_t *ids = apr_array_make(ps->pool, (int)n + 1, sizeof(const char *));
    apr_hash_t *seen = apr_hash_make(ps->pool);
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        const char *item_pointer = apr_psprintf(ps->pool, "%s/%" APR_SIZE_T_FMT, pointer, i);
        const char *id = linkage_id(ps, r, json_object_array_get_idx(data, i), item_pointer);
        if (id == NULL) {
            ok = 0;
            continue;
        }
        if (apr_hash_get(seen, id, APR_HASH_KEY_STRING) != NULL) {
            add_error(ps, 400, TITLE_VALUE, item_pointer, "%s \"%s\" is named twice",
                      r->target_type, id);
            ok = 0;
            continue;
        }
        apr_hash_set(seen, id, APR_HASH_KEY_STRING, id);
        APR_ARRAY_PUSH(ids, const char *) = id;
    }
    if (ok) {
        oro_write_to_many_t *set = apr_array_push(ps->doc->to_many);
        set->relation = r;
        set->ids = ids;
        set->pointer = pointer;
    }
}

static void parse_relationships(parse_t *ps, json_object *relationships)
{
    const oro_entity_t *e = ps->entity;
    json_object_object_foreach(relationships, name, v)
    {
        const char *pointer =
            apr_pstrcat(ps->pool, "/data/relationships/", pointer_token(ps->pool, name), NULL);
        const oro_relation_t *r = oro_meta_relation(e, name);
        if (r == NULL) {
            add_error(ps, 400, TITLE_EXTRA, pointer, "\"%s\" is not a relationship of %s%s",
                      shown(ps->pool, name), e->type,
                      oro_meta_field(e, name) != NULL ? " (it is an attribute)" : "");
            continue;
        }
        /* the system relations are owner and organization: assignable (the ACL decides) */
        if (r->flags & ORO_FLAG_READONLY) {
            add_error(ps, 400, TITLE_READONLY, pointer, "\"%s\" is read-only", name);
            continue;
        }
        apr_hash_set(ps->seen, r->name, APR_HASH_KEY_STRING, r);
        json_object *data = NULL;
        int members_ok = json_object_is_type(v, json_type_object);
        if (members_ok) {
            json_object_object_foreach(v, member, mv)
            {
                if (strcmp(member, "data") == 0) {
                    data = mv;
                    continue;
                }
                if (strcmp(member, "links") != 0 && strcmp(member, "meta") != 0) {
                    add_error(
                        ps, 400, TITLE_EXTRA,
                        apr_pstrcat(ps->pool, pointer, "/", pointer_token(ps->pool, member), NULL),
                        "a relationship has only \"data\", \"links\" and \"meta\"");
                }
            }
        }
        if (!members_ok || !json_object_object_get_ex(v, "data", NULL)) {
            add_error(ps, 400, TITLE_REQUEST, pointer,
                      "a relationship is an object with \"data\" (a resource identifier%s)",
                      r->kind == ORO_RELATION_MANY_TO_ONE ? " or null" : "s");
            continue;
        }
        const char *data_pointer = apr_pstrcat(ps->pool, pointer, "/data", NULL);
        if (r->kind != ORO_RELATION_MANY_TO_ONE) {
            parse_to_many(ps, r, data, data_pointer);
            continue;
        }
        if (data == NULL) { /* "data": null */
            if (r->required) {
                add_error(ps, 400, TITLE_NOT_BLANK, data_pointer, "\"%s\" is required", r->name);
                continue;
            }
            push_value(ps, NULL, r, NULL, data_pointer);
            continue;
        }
        const char *id = linkage_id(ps, r, data, data_pointer);
        if (id != NULL) {
            push_value(ps, NULL, r, id, data_pointer);
        }
    }
}

/* On create: every required field without a default and every required many-to-one
 * relation that the client can set must be given. */
static void check_required(parse_t *ps)
{
    const oro_entity_t *e = ps->entity;
    for (int i = 0; i < e->fields->nelts; i++) {
        const oro_field_t *f = APR_ARRAY_IDX(e->fields, i, const oro_field_t *);
        if (!is_required_field(f) || f->default_value != NULL ||
            (f->flags & (ORO_FLAG_SYSTEM | ORO_FLAG_READONLY)) ||
            apr_hash_get(ps->seen, f->name, APR_HASH_KEY_STRING) != NULL) {
            continue;
        }
        add_error(ps, 400, TITLE_NOT_BLANK,
                  apr_pstrcat(ps->pool, "/data/attributes/", f->name, NULL), "\"%s\" is required",
                  f->name);
    }
    for (int i = 0; i < e->relations->nelts; i++) {
        const oro_relation_t *r = APR_ARRAY_IDX(e->relations, i, const oro_relation_t *);
        /* owner and organization (system relations) default to the caller's (the API
         * fills them in, mod_oro/api_acl.c) */
        if (r->kind != ORO_RELATION_MANY_TO_ONE || !r->required ||
            (r->flags & (ORO_FLAG_READONLY | ORO_FLAG_SYSTEM)) ||
            apr_hash_get(ps->seen, r->name, APR_HASH_KEY_STRING) != NULL) {
            continue;
        }
        add_error(ps, 400, TITLE_NOT_BLANK,
                  apr_pstrcat(ps->pool, "/data/relationships/", r->name, "/data", NULL),
                  "\"%s\" is required", r->name);
    }
}

/* data.id: refused on create unless the type takes client ids; on update required and
 * equal to the URL's. */
static void parse_id(parse_t *ps, json_object *id, const char *url_id)
{
    const char *pointer = "/data/id";
    if (ps->create) {
        ps->doc->id = NULL;
        if (id == NULL) {
            return;
        }
        if (!ps->entity->allow_client_ids) {
            add_error(ps, 403, TITLE_FORBIDDEN, pointer, "%s do not take client-generated ids",
                      ps->entity->type);
            return;
        }
    }
    else {
        ps->doc->id = url_id;
        if (id == NULL) {
            add_error(ps, 400, TITLE_REQUEST, pointer, "\"id\" is required (\"%s\")", url_id);
            return;
        }
    }
    if (!json_object_is_type(id, json_type_string)) {
        add_error(ps, 400, TITLE_REQUEST, pointer,
                  "\"id\" must be a string (\"12\"): JSON:API ids are strings");
        return;
    }
    const char *text = json_object_get_string(id);
    if (!ps->create) {
        if (strcmp(text, url_id) != 0) {
            add_error(ps, 409, TITLE_CONFLICT, pointer,
                      "the id \"%s\" is not the id of the URL (\"%s\")", shown(ps->pool, text),
                      url_id);
        }
        return;
    }
    if (!is_record_id(text)) {
        add_error(ps, 400, TITLE_VALUE, pointer, "\"%s\" is not a valid id (a positive integer)",
                  shown(ps->pool, text));
        return;
    }
    ps->doc->id = apr_pstrdup(ps->pool, text);
}

static void parse_data(parse_t *ps, json_object *data, const char *url_id)
{
    json_object *type = NULL, *id = NULL, *attributes = NULL, *relationships = NULL;
    json_object_object_foreach(data, name, v)
    {
        if (strcmp(name, "type") == 0) {
            type = v;
        }
        else if (strcmp(name, "id") == 0) {
            id = v;
        }
        else if (strcmp(name, "attributes") == 0) {
            attributes = v;
            ps->attributes = v;
        }
        else if (strcmp(name, "relationships") == 0) {
            relationships = v;
        }
        else if (strcmp(name, "meta") != 0 && strcmp(name, "links") != 0) {
            add_error(ps, 400, TITLE_EXTRA,
                      apr_pstrcat(ps->pool, "/data/", pointer_token(ps->pool, name), NULL),
                      "\"%s\" is not a member of a resource object", shown(ps->pool, name));
        }
    }
    /* "id": null counts as an id given (and refused) */
    int has_id = json_object_object_get_ex(data, "id", NULL);
    if (type == NULL) {
        add_error(ps, 400, TITLE_REQUEST, "/data/type", "\"type\" is required (\"%s\")",
                  ps->entity->type);
    }
    else if (!json_object_is_type(type, json_type_string)) {
        add_error(ps, 400, TITLE_REQUEST, "/data/type", "\"type\" must be a string (\"%s\")",
                  ps->entity->type);
    }
    else if (strcmp(json_object_get_string(type), ps->entity->type) != 0) {
        add_error(ps, 409, TITLE_CONFLICT, "/data/type",
                  "the type \"%s\" is not the type of the URL (\"%s\")",
                  shown(ps->pool, json_object_get_string(type)), ps->entity->type);
    }
    if (has_id && id == NULL) {
        if (ps->create && !ps->entity->allow_client_ids) {
            add_error(ps, 403, TITLE_FORBIDDEN, "/data/id", "%s do not take client-generated ids",
                      ps->entity->type);
        }
        else {
            add_error(ps, 400, TITLE_REQUEST, "/data/id",
                      "\"id\" must be a string (\"12\"): JSON:API ids are strings");
        }
        if (!ps->create) {
            ps->doc->id = url_id;
        }
    }
    else {
        parse_id(ps, id, url_id);
    }
    if (attributes != NULL) {
        if (json_object_is_type(attributes, json_type_object)) {
            parse_attributes(ps, attributes);
        }
        else {
            add_error(ps, 400, TITLE_REQUEST, "/data/attributes", "\"attributes\" is an object");
        }
    }
    if (relationships != NULL) {
        if (json_object_is_type(relationships, json_type_object)) {
            parse_relationships(ps, relationships);
        }
        else {
            add_error(ps, 400, TITLE_REQUEST, "/data/relationships",
                      "\"relationships\" is an object");
        }
    }
    if (ps->create) {
        check_required(ps);
    }
}

/* The value of 4 hex digits at s (known to be hex: the text is valid JSON). */
static unsigned hex4(const char *s)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

typedef struct {
    int object;       /* 1: an object, 0: an array */
    int want_key;     /* object: the next string is a member name */
    long index;       /* array: the index of the current element */
    const char *name; /* object: the current member name (decoded) */
    apr_hash_t *names;
} json_level_t;

/* The JSON pointer of the member or element being read at depth. */
static const char *scan_pointer(apr_pool_t *p, const json_level_t *stack, int depth)
{
    const char *out = "";
    for (int d = 0; d < depth; d++) {
        if (stack[d].object && stack[d].name != NULL) {
            out = apr_pstrcat(p, out, "/", pointer_token(p, stack[d].name), NULL);
        }
        else if (!stack[d].object) {
            out = apr_psprintf(p, "%s/%ld", out, stack[d].index);
        }
    }
    return *out ? out : "/";
}

/* Two things json-c accepts that would silently change what the client sent: an escaped
 * lone surrogate (json-c stores U+FFFD for "\ud800") and a member name given twice in one
 * object (the last value would win). body[0..len) is valid JSON at most
 * ORO_WRITE_MAX_DEPTH deep (json-c parsed it). Returns 0, or -1 with the error reported. */
static int check_json_text(parse_t *ps, const char *body, size_t len)
{
    json_level_t stack[ORO_WRITE_MAX_DEPTH + 1];
    int depth = 0;
    for (size_t i = 0; i < len; i++) {
        char c = body[i];
        if (c == '{' || c == '[') {
            if (depth > ORO_WRITE_MAX_DEPTH) {
                return 0; /* cannot happen: json-c refused it */
            }
            json_level_t *l = &stack[depth++];
            memset(l, 0, sizeof *l);
            l->object = c == '{';
            l->want_key = l->object;
        }
        else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
        else if (c == ',' && depth > 0) {
            stack[depth - 1].want_key = stack[depth - 1].object;
            stack[depth - 1].index++;
        }
        else if (c == '"') {
            size_t start = ++i;
            int escaped = 0;
            for (; i < len && body[i] != '"'; i++) {
                if (body[i] != '\\' || i + 1 >= len) {
                    continue;
                }
                escaped = 1;
                if (body[++i] != 'u' || i + 4 >= len) {
                    continue;
                }
                unsigned u = hex4(body + i + 1);
                if (u >= 0xD800 && u <= 0xDBFF && i + 10 < len && body[i + 5] == '\\' &&
                    body[i + 6] == 'u' && hex4(body + i + 7) >= 0xDC00 &&
                    hex4(body + i + 7) <= 0xDFFF) {
                    i += 10; /* a surrogate pair: one character */
                    continue;
                }
                if (u >= 0xD800 && u <= 0xDFFF) {
                    add_error(
                        ps, 400, TITLE_REQUEST, scan_pointer(ps->pool, stack, depth),
                        "the request body holds a lone surrogate \\u%04X (byte %" APR_SIZE_T_FMT
                        "): it is not a character",
                        u, i - 1);
                    return -1;
                }
                i += 4;
            }
            json_level_t *l = depth > 0 ? &stack[depth - 1] : NULL;
            if (l == NULL || !l->want_key) {
                continue;
            }
            l->want_key = 0;
            const char *name = apr_pstrmemdup(ps->pool, body + start, i - start);
            if (escaped) { /* compare names as decoded: "a" and "\u0061" are one name */
                json_object *decoded =
                    json_tokener_parse(apr_pstrmemdup(ps->pool, body + start - 1, i - start + 2));
                if (decoded != NULL && json_object_is_type(decoded, json_type_string)) {
                    name = apr_pstrdup(ps->pool, json_object_get_string(decoded));
                }
                json_object_put(decoded);
            }
            if (l->names == NULL) {
                l->names = apr_hash_make(ps->pool);
            }
            l->name = name;
            if (apr_hash_get(l->names, name, APR_HASH_KEY_STRING) != NULL) {
                add_error(ps, 400, TITLE_REQUEST, scan_pointer(ps->pool, stack, depth),
                          "the member \"%s\" is given twice in one object", shown(ps->pool, name));
                return -1;
            }
            apr_hash_set(l->names, name, APR_HASH_KEY_STRING, name);
        }
    }
    return 0;
}

/* The JSON object of body, or NULL with the one error that explains why not. */
static json_object *parse_json(parse_t *ps, const char *body, size_t len)
{
    size_t start = 0;
    while (start < len && strchr(" \t\r\n", body[start]) != NULL) {
        start++;
    }
    if (start == len) {
        add_error(ps, 400, TITLE_REQUEST, "/",
                  "the request body is empty: a JSON:API document "
                  "{\"data\": {…}} is expected");
        return NULL;
    }
    if (len > ORO_WRITE_MAX_BODY) {
        add_error(ps, 400, TITLE_REQUEST, "/", "the request body is larger than %d bytes",
                  ORO_WRITE_MAX_BODY);
        return NULL;
    }
    long bad = utf8_invalid_at(body, len);
    if (bad >= 0) {
        add_error(ps, 400, TITLE_REQUEST, "/", "the request body is not valid UTF-8 (byte %ld)",
                  bad);
        return NULL;
    }
    json_tokener *tok = json_tokener_new_ex(ORO_WRITE_MAX_DEPTH);
    if (tok == NULL) {
        add_error(ps, 500, "internal error", "/", "could not allocate a JSON parser");
        return NULL;
    }
    /* trailing data is reported here, with a clearer message than json-c's */
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
    json_object *obj = json_tokener_parse_ex(tok, body, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (obj != NULL && jerr == json_tokener_success) {
        while (end < len && strchr(" \t\r\n", body[end]) != NULL) {
            end++;
        }
        if (end == len) {
            if (check_json_text(ps, body, len) != 0) {
                json_object_put(obj);
                return NULL;
            }
            return obj;
        }
        json_object_put(obj);
        add_error(ps, 400, TITLE_REQUEST, "/",
                  "the request body is not valid JSON: unexpected data after the document "
                  "(byte %" APR_SIZE_T_FMT ")",
                  end);
        return NULL;
    }
    if (obj != NULL) {
        json_object_put(obj);
    }
    if (jerr == json_tokener_error_depth) {
        add_error(ps, 400, TITLE_REQUEST, "/",
                  "the request body is nested more than %d levels deep", ORO_WRITE_MAX_DEPTH);
    }
    else if (jerr == json_tokener_continue || jerr == json_tokener_success) {
        add_error(ps, 400, TITLE_REQUEST, "/",
                  "the request body is not valid JSON: it ends too early");
    }
    else {
        add_error(ps, 400, TITLE_REQUEST, "/",
                  "the request body is not valid JSON: %s (byte %" APR_SIZE_T_FMT ")",
                  json_tokener_error_desc(jerr), end);
    }
    return NULL;
}

oro_write_doc_t *oro_write_parse(apr_pool_t *p, const oro_meta_t *meta, const oro_entity_t *entity,
                                 const char *body, size_t len, const char *url_id,
                                 apr_array_header_t **errors)
{
    (void)meta; /* relations already point at their targets */
    parse_t ps;
    ps.pool = p;
    ps.entity = entity;
    ps.create = url_id == NULL;
    ps.errors = apr_array_make(p, 4, sizeof(oro_api_error_t));
    ps.seen = apr_hash_make(p);
    ps.doc = apr_pcalloc(p, sizeof *ps.doc);
    ps.doc->entity = entity;
    ps.doc->id = url_id;
    ps.doc->values = apr_array_make(p, 16, sizeof(oro_write_value_t));
    ps.doc->to_many = apr_array_make(p, 2, sizeof(oro_write_to_many_t));

    json_object *root = parse_json(&ps, body != NULL ? body : "", body != NULL ? len : 0);
    if (root != NULL) {
        json_object *data = NULL;
        if (!json_object_is_type(root, json_type_object)) {
            add_error(&ps, 400, TITLE_REQUEST, "/",
                      "the document must be a JSON object {\"data\": {…}}");
        }
        else {
            json_object_object_foreach(root, name, v)
            {
                (void)v;
                if (strcmp(name, "data") != 0 && strcmp(name, "meta") != 0 &&
                    strcmp(name, "jsonapi") != 0 && strcmp(name, "links") != 0) {
                    add_error(&ps, 400, TITLE_EXTRA, "/",
                              "\"%s\" is not a member of the document (data, meta, jsonapi, "
                              "links)",
                              shown(p, name));
                }
            }
            if (!json_object_object_get_ex(root, "data", &data)) {
                add_error(&ps, 400, TITLE_REQUEST, "/", "the document has no \"data\"");
            }
            else if (!json_object_is_type(data, json_type_object)) {
                add_error(&ps, 400, TITLE_REQUEST, "/data", "\"data\" must be a resource object");
            }
            else {
                parse_data(&ps, data, url_id);
            }
        }
        json_object_put(root); /* every string kept was copied into p */
    }
    if (ps.errors->nelts > 0) {
        *errors = ps.errors;
        return NULL;
    }
    *errors = NULL;
    return ps.doc;
}
