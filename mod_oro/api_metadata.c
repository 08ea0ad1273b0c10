/* mod_oro/api_metadata.c — GET /api/metadata (and /api/entities): the entity types,
 * their fields and relations, for the web UI and for clients. */
#include "api.h"

#include <apr_strings.h>
#include <http_protocol.h>

static json_object *field_json(const oro_field_t *f)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "type", json_object_new_string(oro_field_type_name(f->type)));
    if (f->label) {
        json_object_object_add(o, "label", json_object_new_string(f->label));
    }
    if (f->length > 0 && f->type != ORO_FIELD_ENUM) {
        json_object_object_add(o, "length", json_object_new_int(f->length));
    }
    if (f->type == ORO_FIELD_DECIMAL || f->type == ORO_FIELD_MONEY) {
        json_object_object_add(o, "precision", json_object_new_int(f->precision));
        json_object_object_add(o, "scale", json_object_new_int(f->scale));
    }
    if (f->values != NULL) {
        json_object *values = json_object_new_array();
        for (int i = 0; i < f->values->nelts; i++) {
            json_object_array_add(values,
                                  json_object_new_string(APR_ARRAY_IDX(f->values, i, char *)));
        }
        json_object_object_add(o, "values", values);
    }
    if (f->default_value) {
        json_object_object_add(o, "default", json_object_new_string(f->default_value));
    }
    static const struct {
        unsigned flag;
        const char *name;
    } flags[] = {{ORO_FLAG_REQUIRED, "required"},     {ORO_FLAG_UNIQUE, "unique"},
                 {ORO_FLAG_FILTERABLE, "filterable"}, {ORO_FLAG_SORTABLE, "sortable"},
                 {ORO_FLAG_SEARCHABLE, "searchable"}, {ORO_FLAG_READONLY, "readonly"},
                 {ORO_FLAG_INDEXED, "indexed"}};
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        json_object_object_add(o, flags[i].name,
                               json_object_new_boolean((f->flags & flags[i].flag) != 0 ||
                                                       (flags[i].flag == ORO_FLAG_READONLY &&
                                                        (f->flags & ORO_FLAG_SYSTEM))));
    }
    if (f->type == ORO_FIELD_PASSWORD) {
        json_object_object_add(o, "writeOnly", json_object_new_boolean(1));
    }
    return o;
}

static json_object *relation_json(const oro_relation_t *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "type", json_object_new_string(oro_relation_kind_name(r->kind)));
    json_object_object_add(o, "target", json_object_new_string(r->target_type));
    json_object_object_add(o, "required", json_object_new_boolean(r->required));
    json_object_object_add(o, "filterable",
                           json_object_new_boolean((r->flags & ORO_FLAG_FILTERABLE) != 0));
    json_object_object_add(o, "sortable",
                           json_object_new_boolean((r->flags & ORO_FLAG_SORTABLE) != 0));
    return o;
}

int oro_handle_metadata(request_rec *r)
{
    if (r->method_number != M_GET) {
        apr_table_setn(r->headers_out, "Allow", "GET, HEAD");
        return oro_send_error(r, HTTP_METHOD_NOT_ALLOWED, "method not allowed",
                              "/api/metadata answers GET and HEAD only");
    }
    const oro_meta_t *meta = oro_server_conf(r->server)->settings.meta;
    /* the ACL: each caller sees the types it may view, with its levels on them */
    const oro_principal_t *principal = NULL;
    if (oro_api_acl_principal(r, &principal) != OK) {
        return OK;
    }
    json_object *data = json_object_new_array();
    for (int i = 0; meta && i < meta->entities->nelts; i++) {
        const oro_entity_t *e = APR_ARRAY_IDX(meta->entities, i, oro_entity_t *);
        if (oro_acl_level(principal, e, ORO_ACL_VIEW) == ORO_ACL_NONE) {
            continue;
        }
        json_object *attributes = json_object_new_object();
        json_object_object_add(attributes, "label", json_object_new_string(e->label));
        json_object_object_add(attributes, "pluralLabel", json_object_new_string(e->plural_label));
        json_object_object_add(attributes, "ownership",
                               json_object_new_string(oro_ownership_name(e->ownership)));
        if (e->acl_parent != NULL) {
            json_object_object_add(attributes, "aclParent",
                                   json_object_new_string(e->acl_parent->name));
        }
        if (e->title_template) {
            json_object_object_add(attributes, "titleTemplate",
                                   json_object_new_string(e->title_template));
        }
        json_object *sort = json_object_new_array();
        for (int j = 0; j < e->default_sort->nelts; j++) {
            const oro_sort_key_t *k = &APR_ARRAY_IDX(e->default_sort, j, oro_sort_key_t);
            json_object_array_add(sort, json_object_new_string(apr_pstrcat(
                                            r->pool, k->descending ? "-" : "", k->field, NULL)));
        }
        json_object_object_add(attributes, "defaultSort", sort);
        json_object *fields = json_object_new_object();
        for (int j = 0; j < e->fields->nelts; j++) {
            const oro_field_t *f = APR_ARRAY_IDX(e->fields, j, oro_field_t *);
            json_object_object_add(fields, f->name, field_json(f));
        }
        json_object_object_add(attributes, "fields", fields);
        json_object *relations = json_object_new_object();
        for (int j = 0; j < e->relations->nelts; j++) {
            const oro_relation_t *rel = APR_ARRAY_IDX(e->relations, j, oro_relation_t *);
            json_object_object_add(relations, rel->name, relation_json(rel));
        }
        json_object_object_add(attributes, "relations", relations);
        json_object *permissions = json_object_new_object();
        for (int perm = 0; perm < ORO_ACL_PERMISSION_COUNT; perm++) {
            json_object_object_add(permissions, oro_acl_permission_name((oro_acl_permission_t)perm),
                                   json_object_new_string(oro_acl_level_name(
                                       oro_acl_level(principal, e, (oro_acl_permission_t)perm))));
        }
        json_object_object_add(attributes, "permissions", permissions);
        json_object *resource = json_object_new_object();
        json_object_object_add(resource, "type", json_object_new_string("entities"));
        json_object_object_add(resource, "id", json_object_new_string(e->type));
        json_object_object_add(resource, "attributes", attributes);
        json_object_array_add(data, resource);
    }
    json_object *doc = json_object_new_object();
    json_object_object_add(doc, "data", data);
    const char *body = apr_pstrdup(r->pool, oro_json_text(doc));
    json_object_put(doc);
    return oro_send_json(r, HTTP_OK, ORO_JSONAPI, body);
}
