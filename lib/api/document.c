/* lib/api/document.c — see document.h. */
#include "api/document.h"

#include <apr_md5.h>
#include <apr_strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_object *oro_doc_value(const oro_field_t *field, const char *text, oro_dialect_t dialect)
{
    if (text == NULL) {
        return NULL;
    }
    switch (field->type) {
    case ORO_FIELD_INTEGER:
    case ORO_FIELD_BIGINT:
        return json_object_new_int64(strtoll(text, NULL, 10));
    case ORO_FIELD_BOOLEAN:
        return json_object_new_boolean(text[0] == 't' || text[0] == '1' || text[0] == 'T');
    case ORO_FIELD_DATETIME: {
        /* "2026-11-27 02:26:47.193732" (both databases, UTC) -> "2026-11-27T02:26:47Z" */
        char iso[21];
        if (strlen(text) >= 19) {
            memcpy(iso, text, 19);
            iso[10] = 'T';
            iso[19] = 'Z';
            iso[20] = '\0';
            return json_object_new_string(iso);
        }
        return json_object_new_string(text);
    }
    default:
        return json_object_new_string(text);
    }
    (void)dialect;
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

static json_object *identifier(const char *type, const char *id)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "type", json_object_new_string(type));
    json_object_object_add(o, "id", json_object_new_string(id));
    return o;
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

json_object *oro_doc_resource(apr_pool_t *p, const oro_entity_t *entity,
                              const apr_array_header_t *columns, const char *const *values,
                              apr_hash_t *to_many, const oro_doc_options_t *options)
{
    json_object *res = json_object_new_object();
    const char *id = values[0];
    json_object_object_add(res, "type", json_object_new_string(entity->type));
    json_object_object_add(res, "id", json_object_new_string(id));
    json_object *attributes = json_object_new_object();
    json_object *relationships = json_object_new_object();
    const char *self =
        options->base_url ? apr_psprintf(p, "%s/%s/%s", options->base_url, entity->type, id) : NULL;
    for (int c = 1; c < columns->nelts; c++) {
        const oro_select_column_t *col = &APR_ARRAY_IDX(columns, c, oro_select_column_t);
        if (col->field != NULL) {
            if (wanted(options, entity->type, col->field->name)) {
                json_object_object_add(attributes, col->field->name,
                                       oro_doc_value(col->field, values[c], options->dialect));
            }
            continue;
        }
        const oro_relation_t *r = col->relation;
        if (!wanted(options, entity->type, r->name)) {
            continue;
        }
        json_object *rel = json_object_new_object();
        json_object_object_add(rel, "data",
                               values[c] ? identifier(r->target_type, values[c]) : NULL);
        json_object_object_add(relationships, r->name, rel);
    }
    for (int i = 0; i < entity->relations->nelts; i++) {
        const oro_relation_t *r = APR_ARRAY_IDX(entity->relations, i, oro_relation_t *);
        if (r->kind == ORO_RELATION_MANY_TO_ONE || !wanted(options, entity->type, r->name)) {
            continue;
        }
        json_object *rel = json_object_new_object();
        apr_array_header_t *ids =
            to_many ? apr_hash_get(to_many, r->name, APR_HASH_KEY_STRING) : NULL;
        if (ids != NULL) {
            json_object *data = json_object_new_array();
            for (int j = 0; j < ids->nelts; j++) {
                json_object_array_add(data,
                                      identifier(r->target_type, APR_ARRAY_IDX(ids, j, char *)));
            }
            json_object_object_add(rel, "data", data);
        }
        if (self != NULL) {
            json_object *links = json_object_new_object();
            json_object_object_add(
                links, "self",
                json_object_new_string(apr_psprintf(p, "%s/relationships/%s", self, r->name)));
            json_object_object_add(links, "related",
                                   json_object_new_string(apr_psprintf(p, "%s/%s", self, r->name)));
            json_object_object_add(rel, "links", links);
        }
        if (ids != NULL || self != NULL) {
            json_object_object_add(relationships, r->name, rel);
        }
        else {
            json_object_put(rel);
        }
    }
    json_object_object_add(res, "attributes", attributes);
    json_object_object_add(res, "relationships", relationships);
    if (self != NULL) {
        json_object *links = json_object_new_object();
        json_object_object_add(links, "self", json_object_new_string(self));
        json_object_object_add(res, "links", links);
    }
    if (options->query != NULL && options->query->meta_title) {
        const char *title = oro_doc_title(p, entity, columns, values);
        json_object *meta = json_object_new_object();
        json_object_object_add(meta, "title", title ? json_object_new_string(title) : NULL);
        json_object_object_add(res, "meta", meta);
    }
    return res;
}

const char *oro_doc_etag(apr_pool_t *p, const oro_entity_t *entity, const char *id,
                         const char *updated_at)
{
    unsigned char digest[APR_MD5_DIGESTSIZE];
    const char *text = apr_pstrcat(p, entity->type, "/", id, "/", updated_at, NULL);
    apr_md5(digest, text, strlen(text));
    char hex[2 * APR_MD5_DIGESTSIZE + 3];
    hex[0] = '"';
    for (int i = 0; i < APR_MD5_DIGESTSIZE; i++) {
        snprintf(hex + 1 + 2 * i, 3, "%02x", digest[i]);
    }
    hex[2 * APR_MD5_DIGESTSIZE + 1] = '"';
    hex[2 * APR_MD5_DIGESTSIZE + 2] = '\0';
    return apr_pstrdup(p, hex);
}
