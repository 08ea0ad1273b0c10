/* lib/api/document.c — see document.h. */
#include "api/document.h"

#include <apr_md5.h>
#include <apr_strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes the JSON value of a field from the database's text (NULL for SQL NULL). */
static void write_value(oro_jbuf_t *b, const oro_field_t *field, const char *text)
{
    if (text == NULL) {
        oro_jbuf_lit(b, "null");
        return;
    }
    switch (field->type) {
    case ORO_FIELD_INTEGER:
    case ORO_FIELD_BIGINT: {
        /* the database's text of an integer column: digits and a sign only */
        const char *c = text + (*text == '-');
        if (*c != '\0' && strspn(c, "0123456789") == strlen(c)) {
            oro_jbuf_raw(b, text, strlen(text));
        }
        else {
            oro_jbuf_str(b, text);
        }
        return;
    }
    case ORO_FIELD_BOOLEAN:
        if (text[0] == 't' || text[0] == '1' || text[0] == 'T') {
            oro_jbuf_lit(b, "true");
        }
        else {
            oro_jbuf_lit(b, "false");
        }
        return;
    case ORO_FIELD_DATETIME:
        /* "2026-11-27 02:26:47.193732" (both databases, UTC) -> "2026-11-27T02:26:47Z" */
        if (strlen(text) >= 19) {
            char iso[21];
            memcpy(iso, text, 19);
            iso[10] = 'T';
            iso[19] = 'Z';
            iso[20] = '\0';
            oro_jbuf_str(b, iso);
            return;
        }
        oro_jbuf_str(b, text);
        return;
    default:
        oro_jbuf_str(b, text);
    }
}

/* Whether name is in the sparse fieldset of type (no fieldset: everything). */
static int wanted(const oro_doc_options_t *options, const char *type, const char *name)
{
    if (options->query == NULL || options->query->fields == NULL) {
        return 1;
    }
    apr_hash_t *set = apr_hash_get(options->query->fields, type, APR_HASH_KEY_STRING);
    return set == NULL || apr_hash_get(set, name, APR_HASH_KEY_STRING) != NULL;
}

static void write_identifier(oro_jbuf_t *b, const char *type, const char *id)
{
    oro_jbuf_lit(b, "{\"type\":");
    oro_jbuf_str(b, type);
    oro_jbuf_lit(b, ",\"id\":");
    oro_jbuf_str(b, id);
    oro_jbuf_lit(b, "}");
}

/* A link below the resource's own: "self middle name", escaped in pieces (a list
 * writes two per relation and resource). */
static void write_link(oro_jbuf_t *b, const char *self, apr_size_t self_len, const char *middle,
                       const char *name)
{
    oro_jbuf_lit(b, "\"");
    oro_jbuf_escaped(b, self, self_len);
    oro_jbuf_escaped(b, middle, strlen(middle));
    oro_jbuf_escaped(b, name, strlen(name));
    oro_jbuf_lit(b, "\"");
}

const char *oro_doc_title(apr_pool_t *p, const oro_entity_t *entity,
                          const apr_array_header_t *columns, const char *const *values)
{
    if (entity->title_template == NULL) {
        return NULL;
    }
    const char *out = "";
    for (int i = 0; i < entity->title_parts->nelts; i += 2) {
        const char *literal = APR_ARRAY_IDX(entity->title_parts, i, const char *);
        const char *name = i + 1 < entity->title_parts->nelts
                               ? APR_ARRAY_IDX(entity->title_parts, i + 1, const char *)
                               : NULL;
        out = apr_pstrcat(p, out, literal ? literal : "", NULL);
        if (name == NULL) {
            continue;
        }
        for (int c = 0; c < columns->nelts; c++) {
            const oro_select_column_t *col = &APR_ARRAY_IDX(columns, c, oro_select_column_t);
            if (col->field && strcmp(col->field->name, name) == 0 && values[c]) {
                out = apr_pstrcat(p, out, values[c], NULL);
            }
        }
    }
    /* a missing part leaves doubled or trailing blanks: tidy them */
    char *tidy = apr_pstrdup(p, out), *o = tidy;
    for (const char *s = out; *s; s++) {
        if (*s == ' ' && (o == tidy || o[-1] == ' ')) {
            continue;
        }
        *o++ = *s;
    }
    while (o > tidy && o[-1] == ' ') {
        o--;
    }
    *o = '\0';
    return tidy;
}

void oro_doc_write_resource(oro_jbuf_t *b, apr_pool_t *p, const oro_entity_t *entity,
                            const apr_array_header_t *columns, const char *const *values,
                            apr_hash_t *to_many, const oro_doc_options_t *options)
{
    const char *id = values[0];
    const char *self =
        options->base_url ? apr_pstrcat(p, options->base_url, "/", entity->type, "/", id, NULL) : NULL;
    apr_size_t self_len = self ? strlen(self) : 0;
    oro_jbuf_lit(b, "{\"type\":");
    oro_jbuf_str(b, entity->type);
    oro_jbuf_lit(b, ",\"id\":");
    oro_jbuf_str(b, id);
    oro_jbuf_lit(b, ",\"attributes\":{");
    int first = 1;
    for (int c = 1; c < columns->nelts; c++) {
        const oro_select_column_t *col = &APR_ARRAY_IDX(columns, c, oro_select_column_t);
        if (col->field == NULL || !wanted(options, entity->type, col->field->name)) {
            continue;
        }
        if (!first) {
            oro_jbuf_lit(b, ",");
        }
        first = 0;
        oro_jbuf_key(b, col->field->name);
        write_value(b, col->field, values[c]);
    }
    oro_jbuf_lit(b, "},\"relationships\":{");
    first = 1;
    for (int c = 1; c < columns->nelts; c++) {
        const oro_relation_t *r = APR_ARRAY_IDX(columns, c, oro_select_column_t).relation;
        if (r == NULL || !wanted(options, entity->type, r->name)) {
            continue;
        }
        if (!first) {
            oro_jbuf_lit(b, ",");
        }
        first = 0;
        oro_jbuf_key(b, r->name);
        oro_jbuf_lit(b, "{\"data\":");
        if (values[c] != NULL) {
            write_identifier(b, r->target_type, values[c]);
        }
        else {
            oro_jbuf_lit(b, "null");
        }
        oro_jbuf_lit(b, "}");
    }
    for (int i = 0; i < entity->relations->nelts; i++) {
        const oro_relation_t *r = APR_ARRAY_IDX(entity->relations, i, oro_relation_t *);
        if (r->kind == ORO_RELATION_MANY_TO_ONE || !wanted(options, entity->type, r->name)) {
            continue;
        }
        apr_array_header_t *ids =
            to_many ? apr_hash_get(to_many, r->name, APR_HASH_KEY_STRING) : NULL;
        if (ids == NULL && self == NULL) {
            continue;
        }
        if (!first) {
            oro_jbuf_lit(b, ",");
        }
        first = 0;
        oro_jbuf_key(b, r->name);
        oro_jbuf_lit(b, "{");
        if (ids != NULL) {
            oro_jbuf_lit(b, "\"data\":[");
            for (int j = 0; j < ids->nelts; j++) {
                if (j > 0) {
                    oro_jbuf_lit(b, ",");
                }
                write_identifier(b, r->target_type, APR_ARRAY_IDX(ids, j, char *));
            }
            oro_jbuf_lit(b, "]");
        }
        if (self != NULL) {
            oro_jbuf_raw(b, ids ? ",\"links\":{\"self\":" : "\"links\":{\"self\":", ids ? 17 : 16);
            write_link(b, self, self_len, "/relationships/", r->name);
            oro_jbuf_lit(b, ",\"related\":");
            write_link(b, self, self_len, "/", r->name);
            oro_jbuf_lit(b, "}");
        }
        oro_jbuf_lit(b, "}");
    }
    oro_jbuf_lit(b, "}");
    if (self != NULL) {
        oro_jbuf_lit(b, ",\"links\":{\"self\":");
        oro_jbuf_str(b, self);
        oro_jbuf_lit(b, "}");
    }
    if (options->query != NULL && options->query->meta_title) {
        oro_jbuf_lit(b, ",\"meta\":{\"title\":");
        oro_jbuf_str(b, oro_doc_title(p, entity, columns, values));
        oro_jbuf_lit(b, "}");
    }
    oro_jbuf_lit(b, "}");
}

const char *oro_doc_etag(apr_pool_t *p, const oro_entity_t *entity, const char *id,
                         const char *updated_at)
{
    unsigned char digest[APR_MD5_DIGESTSIZE];
    const char *text = apr_pstrcat(p, entity->type, "/", id, "/", updated_at, NULL);
    apr_md5(digest, text, strlen(text));
    /* NB: by table, not snprintf: every read of a record computes one */
    static const char digits[] = "0123456789abcdef";
    char *hex = apr_palloc(p, 2 * APR_MD5_DIGESTSIZE + 3);
    hex[0] = '"';
    for (int i = 0; i < APR_MD5_DIGESTSIZE; i++) {
        hex[1 + 2 * i] = digits[digest[i] >> 4];
        hex[2 + 2 * i] = digits[digest[i] & 15];
    }
    hex[2 * APR_MD5_DIGESTSIZE + 1] = '"';
    hex[2 * APR_MD5_DIGESTSIZE + 2] = '\0';
    return hex;
}
