/* t/unit/test_meta.c — lib/meta: loading and validating entity definitions. Every error
 * class is checked with its exact message ("FILE: json.path: reason"). */
#include "unit.h"

#include "meta/meta.h"

#ifndef ORO_SOURCE_ROOT
#define ORO_SOURCE_ROOT "."
#endif
#define ENTITY_DIR ORO_SOURCE_ROOT "/conf.d/entities"

/* JSON written with ' instead of " (none of the definitions below needs a quote). */
static const char *js(apr_pool_t *p, const char *s)
{
    char *out = apr_pstrdup(p, s);
    for (char *c = out; *c; c++) {
        if (*c == '\'') {
            *c = '"';
        }
    }
    return out;
}

/* A hash file name -> text from NULL-terminated pairs; texts use ' for ". */
static apr_hash_t *texts_v(apr_pool_t *p, va_list ap)
{
    apr_hash_t *h = apr_hash_make(p);
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *text = va_arg(ap, const char *);
        apr_hash_set(h, name, APR_HASH_KEY_STRING, js(p, text));
    }
    return h;
}

/* Loads the pairs and expects success. */
static oro_meta_t *load_ok(unit_fixture_t *f, ...)
{
    va_list ap;
    va_start(ap, f);
    apr_hash_t *h = texts_v(f->pool, ap);
    va_end(ap);
    apr_array_header_t *errors = NULL;
    oro_meta_t *meta = oro_meta_load_texts(f->pool, h, &errors);
    if (errors != NULL) {
        fail_msg("unexpected errors:\n%s", oro_meta_errors_text(f->pool, errors));
    }
    assert_non_null(meta);
    return meta;
}

/* Loads the pairs (up to the first NULL), then expects exactly the messages that
 * follow (up to the second NULL), in order. */
static void expect_errors(unit_fixture_t *f, ...)
{
    va_list ap;
    va_start(ap, f);
    apr_hash_t *h = texts_v(f->pool, ap);
    apr_array_header_t *want = apr_array_make(f->pool, 4, sizeof(const char *));
    const char *m;
    while ((m = va_arg(ap, const char *)) != NULL) {
        APR_ARRAY_PUSH(want, const char *) = m;
    }
    va_end(ap);
    apr_array_header_t *errors = NULL;
    oro_meta_t *meta = oro_meta_load_texts(f->pool, h, &errors);
    if (errors == NULL) {
        fail_msg("expected %d error(s), first \"%s\"; the set loaded", want->nelts,
                 want->nelts ? APR_ARRAY_IDX(want, 0, const char *) : "");
    }
    assert_null(meta);
    const char *got = oro_meta_errors_text(f->pool, errors);
    const char *exp = oro_meta_errors_text(f->pool, want);
    if (strcmp(got, exp) != 0) {
        fail_msg("errors differ.\nexpected:\n%s\ngot:\n%s", exp, got);
    }
}

/* One entity "things" (table thing, ownership none) with the given fields and
 * relations (JSON object bodies, ' for "). */
static const char *thing(apr_pool_t *p, const char *fields, const char *relations)
{
    return apr_psprintf(p,
                        "{'type': 'things', 'table': 'thing', 'label': 'Thing', "
                        "'ownership': 'none', 'fields': {%s}%s%s%s}",
                        fields, relations ? ", 'relations': {" : "", relations ? relations : "",
                        relations ? "}" : "");
}

/* A second entity "parts" (table part, ownership none). */
static const char *part(apr_pool_t *p, const char *fields, const char *relations)
{
    return apr_psprintf(p,
                        "{'type': 'parts', 'table': 'part', 'label': 'Part', "
                        "'ownership': 'none', 'fields': {%s}%s%s%s}",
                        fields, relations ? ", 'relations': {" : "", relations ? relations : "",
                        relations ? "}" : "");
}

/* Expects the single entity "things" with fields to fail with exactly one message. */
static void expect_field_error(unit_fixture_t *f, const char *fields, const char *message)
{
    expect_errors(f, "t.json", thing(f->pool, fields, NULL), NULL, message, NULL);
}

#define ORGANIZATIONS                                                                              \
    "{'type': 'organizations', 'table': 'org', 'label': 'Organization', "                          \
    "'ownership': 'none', 'fields': {'name': {'type': 'string'}}}"
#define BUSINESSUNITS                                                                              \
    "{'type': 'businessunits', 'table': 'bu', 'label': 'Business Unit', "                          \
    "'ownership': 'organization', 'fields': {'name': {'type': 'string'}}}"
#define USERS                                                                                      \
    "{'type': 'users', 'table': 'usr', 'label': 'User', "                                          \
    "'ownership': 'business_unit', 'fields': {'username': {'type': 'string'}}}"

/* ---- successful loading ----------------------------------------------------------- */

static void test_real_definitions(void **state)
{
    unit_fixture_t *f = *state;
    apr_array_header_t *errors = NULL;
    oro_meta_t *meta = oro_meta_load(f->pool, ENTITY_DIR, &errors);
    if (errors != NULL) {
        fail_msg("conf.d/entities does not load:\n%s", oro_meta_errors_text(f->pool, errors));
    }
    assert_non_null(meta);
    assert_int_equal(meta->entities->nelts, 11);
    static const char *const types[] = {
        "accounts", "businessunits", "categories", "contacts", "opportunities", "orderlineitems",
        "orders",   "organizations", "products",   "roles",    "users"};
    for (int i = 0; i < 11; i++) {
        const oro_entity_t *e = APR_ARRAY_IDX(meta->entities, i, oro_entity_t *);
        assert_string_equal(e->type, types[i]); /* sorted by type */
        assert_ptr_equal(oro_meta_entity(meta, types[i]), e);
        assert_ptr_equal(apr_hash_get(meta->by_table, e->table, APR_HASH_KEY_STRING), e);
        assert_contains(e->file, "/conf.d/entities/");
    }
    assert_null(oro_meta_entity(meta, "contact"));
    assert_null(oro_meta_entity(meta, "nothing"));

    const oro_entity_t *contacts = oro_meta_entity(meta, "contacts");
    assert_string_equal(contacts->table, "orocrm_contact");
    assert_string_equal(contacts->label, "Contact");
    assert_string_equal(contacts->plural_label, "Contacts"); /* label + "s" */
    assert_int_equal(contacts->ownership, ORO_OWNERSHIP_USER);
    assert_string_equal(oro_meta_entity(meta, "opportunities")->plural_label, "Opportunities");
    /* line items are reached through their order */
    const oro_entity_t *items = oro_meta_entity(meta, "orderlineitems");
    assert_non_null(items->acl_parent);
    assert_string_equal(items->acl_parent->name, "order");
    assert_ptr_equal(items->acl_parent->target, oro_meta_entity(meta, "orders"));
    assert_null(contacts->acl_parent);

    const oro_field_t *fn = oro_meta_field(contacts, "firstName");
    assert_non_null(fn);
    assert_string_equal(fn->name, "firstName");
    assert_string_equal(fn->column, "first_name");
    assert_int_equal(fn->type, ORO_FIELD_STRING);
    assert_int_equal(fn->length, 255);
    assert_ptr_equal(fn->entity, contacts);
    assert_true(fn->flags & ORO_FLAG_REQUIRED);
    assert_true(fn->flags & ORO_FLAG_SEARCHABLE);
    assert_true(fn->flags & ORO_FLAG_AUDITABLE);
    assert_true(fn->flags & ORO_FLAG_FILTERABLE);
    assert_true(fn->flags & ORO_FLAG_SORTABLE);
    assert_false(fn->flags & (ORO_FLAG_UNIQUE | ORO_FLAG_READONLY | ORO_FLAG_SYSTEM));
    assert_string_equal(oro_meta_field(contacts, "primaryEmail")->column, "primary_email");
    assert_string_equal(oro_meta_field(contacts, "namePrefix")->column, "name_prefix");
    assert_int_equal(oro_meta_field(contacts, "namePrefix")->length, 50);
    assert_int_equal(oro_meta_field(contacts, "primaryEmail")->type, ORO_FIELD_EMAIL);
    assert_int_equal(oro_meta_field(contacts, "primaryEmail")->length, 255);
    assert_int_equal(oro_meta_field(contacts, "primaryPhone")->length, 50);
    assert_null(oro_meta_field(contacts, "first_name"));
    assert_null(oro_meta_field(contacts, "account")); /* a relation, not a field */

    const oro_field_t *gender = oro_meta_field(contacts, "gender");
    assert_int_equal(gender->type, ORO_FIELD_ENUM);
    assert_int_equal(gender->values->nelts, 3);
    assert_string_equal(APR_ARRAY_IDX(gender->values, 2, const char *), "other");
    assert_int_equal(gender->length, 32);
    assert_null(gender->default_value);

    /* defaults: text and password neither filterable nor sortable */
    const oro_field_t *desc = oro_meta_field(oro_meta_entity(meta, "accounts"), "description");
    assert_int_equal(desc->type, ORO_FIELD_TEXT);
    assert_false(desc->flags & (ORO_FLAG_FILTERABLE | ORO_FLAG_SORTABLE));
    /* … unless the definition says so */
    const oro_field_t *notes = oro_meta_field(contacts, "description");
    assert_true(notes->flags & ORO_FLAG_FILTERABLE);
    assert_false(notes->flags & ORO_FLAG_SORTABLE);
    const oro_entity_t *users = oro_meta_entity(meta, "users");
    const oro_field_t *pw = oro_meta_field(users, "password");
    assert_int_equal(pw->type, ORO_FIELD_PASSWORD);
    assert_false(pw->flags & (ORO_FLAG_FILTERABLE | ORO_FLAG_SORTABLE));
    assert_true(oro_meta_field(users, "username")->flags & ORO_FLAG_UNIQUE);
    assert_string_equal(oro_meta_field(users, "enabled")->default_value, "true");
    assert_string_equal(oro_meta_field(users, "loginCount")->default_value, "0");
    assert_true(oro_meta_field(users, "loginCount")->flags & ORO_FLAG_READONLY);

    const oro_entity_t *opp = oro_meta_entity(meta, "opportunities");
    assert_string_equal(oro_meta_field(opp, "status")->default_value, "in_progress");
    const oro_field_t *prob = oro_meta_field(opp, "probability");
    assert_int_equal(prob->type, ORO_FIELD_DECIMAL);
    assert_int_equal(prob->precision, 5);
    assert_int_equal(prob->scale, 4);
    const oro_field_t *budget = oro_meta_field(opp, "budget");
    assert_int_equal(budget->type, ORO_FIELD_MONEY);
    assert_int_equal(budget->precision, 19);
    assert_int_equal(budget->scale, 4);
    assert_int_equal(opp->default_sort->nelts, 1);
    assert_string_equal(APR_ARRAY_IDX(opp->default_sort, 0, oro_sort_key_t).field, "closeDate");
    assert_true(APR_ARRAY_IDX(opp->default_sort, 0, oro_sort_key_t).descending);
    assert_int_equal(contacts->default_sort->nelts, 2);
    assert_string_equal(APR_ARRAY_IDX(contacts->default_sort, 0, oro_sort_key_t).field, "lastName");
    assert_false(APR_ARRAY_IDX(contacts->default_sort, 0, oro_sort_key_t).descending);
    assert_string_equal(APR_ARRAY_IDX(contacts->default_sort, 1, oro_sort_key_t).field,
                        "firstName");

    /* relations */
    const oro_relation_t *acc = oro_meta_relation(contacts, "account");
    assert_non_null(acc);
    assert_int_equal(acc->kind, ORO_RELATION_MANY_TO_ONE);
    assert_string_equal(acc->column, "account_id"); /* default name_id */
    assert_string_equal(acc->target_type, "accounts");
    assert_ptr_equal(acc->target, oro_meta_entity(meta, "accounts"));
    assert_ptr_equal(acc->entity, contacts);
    assert_int_equal(acc->on_delete, ORO_ON_DELETE_SET_NULL);
    assert_false(acc->required);
    assert_true(acc->flags & ORO_FLAG_FILTERABLE);
    assert_true(acc->flags & ORO_FLAG_SORTABLE);
    assert_int_equal(oro_meta_relation(opp, "account")->on_delete, ORO_ON_DELETE_CASCADE);
    const oro_relation_t *order_acc = oro_meta_relation(oro_meta_entity(meta, "orders"), "account");
    assert_true(order_acc->required);
    assert_int_equal(order_acc->on_delete, ORO_ON_DELETE_RESTRICT);
    assert_string_equal(
        oro_meta_relation(oro_meta_entity(meta, "categories"), "parentCategory")->column,
        "parent_id");
    const oro_relation_t *opps = oro_meta_relation(contacts, "opportunities");
    assert_int_equal(opps->kind, ORO_RELATION_ONE_TO_MANY);
    assert_string_equal(opps->mapped_by, "contact");
    assert_null(opps->column);
    assert_false(opps->flags & ORO_FLAG_SORTABLE);
    assert_null(oro_meta_relation(contacts, "firstName"));

    /* many-to-many: owning side and inverse side with swapped columns */
    const oro_relation_t *roles = oro_meta_relation(users, "roles");
    assert_int_equal(roles->kind, ORO_RELATION_MANY_TO_MANY);
    assert_string_equal(roles->join_table, "oro_user_access_role");
    assert_string_equal(roles->join_column, "user_id");
    assert_string_equal(roles->inverse_join_column, "role_id");
    const oro_relation_t *role_users = oro_meta_relation(oro_meta_entity(meta, "roles"), "users");
    assert_string_equal(role_users->mapped_by, "roles");
    assert_string_equal(role_users->join_table, "oro_user_access_role");
    assert_string_equal(role_users->join_column, "role_id");
    assert_string_equal(role_users->inverse_join_column, "user_id");

    /* title template */
    assert_string_equal(contacts->title_template, "{firstName} {lastName}");
    assert_int_equal(contacts->title_parts->nelts, 4);
    assert_string_equal(APR_ARRAY_IDX(contacts->title_parts, 0, const char *), "");
    assert_string_equal(APR_ARRAY_IDX(contacts->title_parts, 1, const char *), "firstName");
    assert_string_equal(APR_ARRAY_IDX(contacts->title_parts, 2, const char *), " ");
    assert_string_equal(APR_ARRAY_IDX(contacts->title_parts, 3, const char *), "lastName");

    /* names */
    assert_string_equal(oro_field_type_name(ORO_FIELD_MONEY), "money");
    assert_string_equal(oro_ownership_name(ORO_OWNERSHIP_BUSINESS_UNIT), "business_unit");
    assert_string_equal(oro_relation_kind_name(ORO_RELATION_ONE_TO_MANY), "one-to-many");
}

/* The system fields (id first, createdAt and updatedAt last) of every entity. */
static void check_system_fields(const oro_entity_t *e)
{
    int n = e->fields->nelts;
    assert_true(n >= 3);
    const oro_field_t *id = APR_ARRAY_IDX(e->fields, 0, oro_field_t *);
    const oro_field_t *created = APR_ARRAY_IDX(e->fields, n - 2, oro_field_t *);
    const oro_field_t *updated = APR_ARRAY_IDX(e->fields, n - 1, oro_field_t *);
    assert_string_equal(id->name, "id");
    assert_string_equal(id->column, "id");
    assert_int_equal(id->type, ORO_FIELD_BIGINT);
    assert_string_equal(created->name, "createdAt");
    assert_string_equal(created->column, "created_at");
    assert_int_equal(created->type, ORO_FIELD_DATETIME);
    assert_string_equal(updated->name, "updatedAt");
    assert_string_equal(updated->column, "updated_at");
    assert_int_equal(updated->type, ORO_FIELD_DATETIME);
    for (int i = 0; i < 3; i++) {
        const oro_field_t *s = i == 0 ? id : i == 1 ? created : updated;
        assert_true(s->flags & ORO_FLAG_SYSTEM);
        assert_true(s->flags & ORO_FLAG_READONLY);
        assert_true(s->flags & ORO_FLAG_SORTABLE);
        assert_ptr_equal(oro_meta_field(e, s->name), s);
        assert_ptr_equal(s->entity, e);
    }
}

static void check_system_relation(const oro_meta_t *meta, const oro_entity_t *e, const char *name,
                                  const char *column, const char *target)
{
    const oro_relation_t *r = oro_meta_relation(e, name);
    if (r == NULL) {
        fail_msg("%s has no relation %s", e->type, name);
    }
    assert_int_equal(r->kind, ORO_RELATION_MANY_TO_ONE);
    assert_string_equal(r->column, column);
    assert_string_equal(r->target_type, target);
    assert_ptr_equal(r->target, oro_meta_entity(meta, target));
    assert_true(r->required);
    assert_true(r->flags & ORO_FLAG_SYSTEM);
    assert_int_equal(r->on_delete, ORO_ON_DELETE_RESTRICT);
}

static void test_system_fields_and_ownership(void **state)
{
    unit_fixture_t *f = *state;
    apr_array_header_t *errors = NULL;
    oro_meta_t *meta = oro_meta_load(f->pool, ENTITY_DIR, &errors);
    assert_null(errors);
    for (int i = 0; i < meta->entities->nelts; i++) {
        check_system_fields(APR_ARRAY_IDX(meta->entities, i, oro_entity_t *));
    }
    /* user: owner -> users (owner_id), organization */
    const oro_entity_t *contacts = oro_meta_entity(meta, "contacts");
    check_system_relation(meta, contacts, "owner", "owner_id", "users");
    check_system_relation(meta, contacts, "organization", "organization_id", "organizations");
    assert_string_equal(oro_meta_owner_table(meta, contacts), "oro_user");
    /* business_unit: owner -> businessunits (business_unit_owner_id), organization */
    const oro_entity_t *users = oro_meta_entity(meta, "users");
    assert_int_equal(users->ownership, ORO_OWNERSHIP_BUSINESS_UNIT);
    check_system_relation(meta, users, "owner", "business_unit_owner_id", "businessunits");
    check_system_relation(meta, users, "organization", "organization_id", "organizations");
    assert_string_equal(oro_meta_owner_table(meta, users), "oro_business_unit");
    /* organization: organization only */
    const oro_entity_t *products = oro_meta_entity(meta, "products");
    assert_int_equal(products->ownership, ORO_OWNERSHIP_ORGANIZATION);
    assert_null(oro_meta_relation(products, "owner"));
    check_system_relation(meta, products, "organization", "organization_id", "organizations");
    assert_null(oro_meta_owner_table(meta, products));
    /* none: neither */
    const oro_entity_t *items = oro_meta_entity(meta, "orderlineitems");
    assert_int_equal(items->ownership, ORO_OWNERSHIP_NONE);
    assert_null(oro_meta_relation(items, "owner"));
    assert_null(oro_meta_relation(items, "organization"));
    assert_null(oro_meta_owner_table(meta, items));
}

static void test_small_set_defaults(void **state)
{
    unit_fixture_t *f = *state;
    apr_pool_t *p = f->pool;
    oro_meta_t *meta = load_ok(
        f, "o.json", ORGANIZATIONS, "b.json", BUSINESSUNITS, "u.json", USERS, "t.json",
        "{'type': 'things', 'table': 'thing', 'label': 'Thing', 'ownership': 'user', "
        " 'titleTemplate': 'No. {serialNumber}!', 'defaultSort': ['-serialNumber', 'part'],"
        " 'allowClientIds': true,"
        " 'fields': {"
        "  'serialNumber': {'type': 'string'},"
        "  'notes': {'type': 'text'},"
        "  'secret': {'type': 'password'},"
        "  'homePage': {'type': 'url'},"
        "  'hidden': {'type': 'string', 'filterable': false, 'sortable': false},"
        "  'notesSearch': {'type': 'text', 'filterable': true, 'searchable': true},"
        "  'count': {'type': 'integer', 'default': -2147483648},"
        "  'big': {'type': 'bigint', 'default': 9000000000},"
        "  'ratio': {'type': 'decimal'},"
        "  'price': {'type': 'money', 'default': '12.5'},"
        "  'cost': {'type': 'decimal', 'precision': 6, 'scale': 3, 'default': 123},"
        "  'due': {'type': 'date', 'default': '2024-02-29'},"
        "  'active': {'type': 'boolean', 'default': false},"
        "  'kind': {'type': 'enum', 'values': ['a_very_long_enum_value_of_forty_chars_x'],"
        "           'default': 'a_very_long_enum_value_of_forty_chars_x'},"
        "  'legacyCode': {'type': 'string', 'column': 'code_v1', 'length': 768, 'unique': true}"
        " },"
        " 'relations': {"
        "  'part': {'type': 'many-to-one', 'target': 'parts'},"
        "  'mainPart': {'type': 'many-to-one', 'target': 'parts', 'required': true},"
        "  'tags': {'type': 'many-to-many', 'target': 'parts', 'joinTable': 'thing_tag'}"
        " }}",
        "p.json",
        part(p, "'name': {'type': 'string'}",
             "'things': {'type': 'one-to-many', 'target': 'things', 'mappedBy': 'part'},"
             "'taggedThings': {'type': 'many-to-many', 'target': 'things', 'mappedBy': 'tags'}"),
        NULL);
    const oro_entity_t *e = oro_meta_entity(meta, "things");
    assert_non_null(e);
    assert_int_equal(meta->entities->nelts, 5);
    assert_true(e->allow_client_ids);
    assert_string_equal(e->plural_label, "Things");
    assert_string_equal(e->file, "t.json");
    check_system_fields(e);
    check_system_relation(meta, e, "owner", "owner_id", "users");
    check_system_relation(meta, e, "organization", "organization_id", "organizations");
    /* declaration order: id, the fields in order, createdAt, updatedAt */
    assert_int_equal(e->fields->nelts, 18);
    assert_string_equal(APR_ARRAY_IDX(e->fields, 1, oro_field_t *)->name, "serialNumber");
    assert_string_equal(APR_ARRAY_IDX(e->fields, 15, oro_field_t *)->name, "legacyCode");

    const oro_field_t *sn = oro_meta_field(e, "serialNumber");
    assert_string_equal(sn->column, "serial_number");
    assert_int_equal(sn->length, 255);
    assert_null(sn->label);
    unsigned plain = ORO_FLAG_FILTERABLE | ORO_FLAG_SORTABLE;
    assert_int_equal(sn->flags, plain);
    assert_int_equal(oro_meta_field(e, "notes")->flags, 0);
    assert_int_equal(oro_meta_field(e, "secret")->flags, 0);
    assert_int_equal(oro_meta_field(e, "secret")->length, 255);
    assert_int_equal(oro_meta_field(e, "homePage")->length, 2048);
    assert_int_equal(oro_meta_field(e, "hidden")->flags, 0);
    assert_int_equal(oro_meta_field(e, "notesSearch")->flags,
                     ORO_FLAG_FILTERABLE | ORO_FLAG_SEARCHABLE);
    assert_string_equal(oro_meta_field(e, "count")->default_value, "-2147483648");
    assert_string_equal(oro_meta_field(e, "big")->default_value, "9000000000");
    const oro_field_t *ratio = oro_meta_field(e, "ratio");
    assert_int_equal(ratio->precision, 12); /* decimal defaults */
    assert_int_equal(ratio->scale, 2);
    assert_string_equal(oro_meta_field(e, "price")->default_value, "12.5");
    assert_string_equal(oro_meta_field(e, "cost")->default_value, "123");
    assert_string_equal(oro_meta_field(e, "due")->default_value, "2024-02-29");
    assert_string_equal(oro_meta_field(e, "active")->default_value, "false");
    const oro_field_t *kind = oro_meta_field(e, "kind");
    assert_int_equal(kind->length, 39); /* longest value when over 32 */
    assert_string_equal(kind->default_value, "a_very_long_enum_value_of_forty_chars_x");
    const oro_field_t *legacy = oro_meta_field(e, "legacyCode");
    assert_string_equal(legacy->column, "code_v1");
    assert_true(legacy->flags & ORO_FLAG_UNIQUE);

    /* relations: default column name_id (snake case), on delete, inverse m2m */
    const oro_relation_t *r = oro_meta_relation(e, "mainPart");
    assert_string_equal(r->column, "main_part_id");
    assert_true(r->required);
    assert_int_equal(r->on_delete, ORO_ON_DELETE_RESTRICT);
    r = oro_meta_relation(e, "part");
    assert_string_equal(r->column, "part_id");
    assert_int_equal(r->on_delete, ORO_ON_DELETE_SET_NULL);
    const oro_relation_t *tags = oro_meta_relation(e, "tags");
    assert_string_equal(tags->join_table, "thing_tag");
    assert_string_equal(tags->join_column, "thing_id");
    assert_string_equal(tags->inverse_join_column, "part_id");
    const oro_entity_t *parts = oro_meta_entity(meta, "parts");
    const oro_relation_t *inv = oro_meta_relation(parts, "taggedThings");
    assert_string_equal(inv->join_table, "thing_tag");
    assert_string_equal(inv->join_column, "part_id");
    assert_string_equal(inv->inverse_join_column, "thing_id");
    assert_ptr_equal(oro_meta_relation(parts, "things")->target, e);

    /* sort and title */
    assert_int_equal(e->default_sort->nelts, 2);
    assert_string_equal(APR_ARRAY_IDX(e->default_sort, 0, oro_sort_key_t).field, "serialNumber");
    assert_true(APR_ARRAY_IDX(e->default_sort, 0, oro_sort_key_t).descending);
    assert_string_equal(APR_ARRAY_IDX(e->default_sort, 1, oro_sort_key_t).field, "part");
    assert_int_equal(e->title_parts->nelts, 4);
    assert_string_equal(APR_ARRAY_IDX(e->title_parts, 0, const char *), "No. ");
    assert_string_equal(APR_ARRAY_IDX(e->title_parts, 1, const char *), "serialNumber");
    assert_string_equal(APR_ARRAY_IDX(e->title_parts, 2, const char *), "!");
    assert_null(APR_ARRAY_IDX(e->title_parts, 3, const char *));
    /* no defaultSort: by id; no titleTemplate: no parts */
    assert_int_equal(parts->default_sort->nelts, 1);
    assert_string_equal(APR_ARRAY_IDX(parts->default_sort, 0, oro_sort_key_t).field, "id");
    assert_null(parts->title_template);
    assert_int_equal(parts->title_parts->nelts, 0);
}

static void test_join_column_defaults(void **state)
{
    unit_fixture_t *f = *state;
    apr_pool_t *p = f->pool;
    /* singular of the types: categories -> category, addresses -> address */
    oro_meta_t *meta = load_ok(
        f, "c.json",
        "{'type': 'categories', 'table': 'cat', 'label': 'Category', 'ownership': 'none',"
        " 'fields': {'name': {'type': 'string'}},"
        " 'relations': {'addresses': {'type': 'many-to-many', 'target': 'addresses',"
        "                             'joinTable': 'cat_address'}}}",
        "a.json",
        "{'type': 'addresses', 'table': 'address', 'label': 'Address', 'ownership': 'none',"
        " 'fields': {'street': {'type': 'string'}}}",
        "t.json",
        thing(p, "'name': {'type': 'string'}",
              "'siblings': {'type': 'many-to-many', 'target': 'things', 'joinTable': 'sib'}"),
        NULL);
    const oro_relation_t *r = oro_meta_relation(oro_meta_entity(meta, "categories"), "addresses");
    assert_string_equal(r->join_column, "category_id");
    assert_string_equal(r->inverse_join_column, "address_id");
    /* self reference: the second column is prefixed */
    r = oro_meta_relation(oro_meta_entity(meta, "things"), "siblings");
    assert_string_equal(r->join_column, "thing_id");
    assert_string_equal(r->inverse_join_column, "related_thing_id");
}

static void test_errors_text(void **state)
{
    unit_fixture_t *f = *state;
    apr_array_header_t *a = apr_array_make(f->pool, 3, sizeof(const char *));
    assert_string_equal(oro_meta_errors_text(f->pool, a), "");
    APR_ARRAY_PUSH(a, const char *) = "a.json: type: is required";
    assert_string_equal(oro_meta_errors_text(f->pool, a), "a.json: type: is required");
    APR_ARRAY_PUSH(a, const char *) = "b.json: table: is required";
    APR_ARRAY_PUSH(a, const char *) = "c";
    assert_string_equal(oro_meta_errors_text(f->pool, a),
                        "a.json: type: is required\nb.json: table: is required\nc");
}

/* ---- documents --------------------------------------------------------------------- */

static void test_invalid_json(void **state)
{
    unit_fixture_t *f = *state;
    /* the offending "}" is on line 3, column 12 */
    expect_errors(f, "bad.json", "{\n  'type': 'things',\n  'table': }\n", NULL,
                  "bad.json: invalid JSON at line 3, column 12: unexpected character", NULL);
    expect_errors(f, "cut.json", "{\n  'type': 'things',\n", NULL,
                  "cut.json: invalid JSON at line 3, column 1: the document ends too early", NULL);
    expect_errors(f, "two.json", "{}\n  {}", NULL,
                  "two.json: invalid JSON at line 2, column 3: unexpected data after the document",
                  NULL);
    expect_errors(f, "empty.json", "", NULL,
                  "empty.json: invalid JSON at line 1, column 1: the document ends too early",
                  NULL);
    /* the other files are still read */
    expect_errors(
        f, "bad.json", "{,}", "t.json", thing(f->pool, "'a': {'type': 'emial'}", NULL), NULL,
        "bad.json: invalid JSON at line 1, column 2: quoted object property name expected",
        "t.json: fields.a.type: unknown type \"emial\"", NULL);
}

static void test_not_an_object(void **state)
{
    unit_fixture_t *f = *state;
    expect_errors(f, "a.json", "[1, 2]", NULL, "a.json: the definition must be a JSON object",
                  NULL);
    expect_errors(f, "a.json", "'things'", NULL, "a.json: the definition must be a JSON object",
                  NULL);
}

static void test_top_level_keys(void **state)
{
    unit_fixture_t *f = *state;
    expect_errors(
        f, "a.json",
        "{'type': 'things', 'table': 'thing', 'label': 'Thing', 'ownership': 'none',"
        " 'colour': 'red', 'fields': {'a': {'type': 'string'}}}",
        NULL,
        "a.json: colour: unknown key (allowed: type,table,label,pluralLabel,description,"
        "ownership,titleTemplate,defaultSort,allowClientIds,unlimitedPages,fields,relations,aclParent)",
        NULL);
    /* type and table missing: nothing else is read */
    expect_errors(f, "a.json", "{'label': 'Thing', 'ownership': 'none', 'fields': {}}", NULL,
                  "a.json: type: is required", "a.json: table: is required", NULL);
    expect_errors(f, "a.json",
                  "{'type': 'things', 'label': 'Thing', 'ownership': 'none', 'fields': {}}", NULL,
                  "a.json: table: is required", NULL);
    expect_errors(f, "a.json",
                  "{'type': 'things', 'table': 'thing', 'ownership': 'none', 'fields': {}}", NULL,
                  "a.json: label: is required", NULL);
    expect_errors(f, "a.json", "{'type': 'things', 'table': 'thing', 'label': 'T', 'fields': {}}",
                  NULL, "a.json: ownership: is required", NULL);
    expect_errors(f, "a.json",
                  "{'type': 'things', 'table': 'thing', 'label': 'T',"
                  " 'ownership': 'none'}",
                  NULL, "a.json: fields: is required: an object of field definitions", NULL);
    expect_errors(f, "a.json",
                  "{'type': 'things', 'table': 'thing', 'label': 'T',"
                  " 'ownership': 'none', 'fields': ['a']}",
                  NULL, "a.json: fields: is required: an object of field definitions", NULL);
    expect_errors(f, "a.json",
                  "{'type': 7, 'table': 'thing', 'label': 'T',"
                  " 'ownership': 'none', 'fields': {}}",
                  NULL, "a.json: type: must be a string", NULL);
    expect_errors(f, "a.json",
                  "{'type': 'things', 'table': 'thing', 'label': 'T',"
                  " 'ownership': 'none', 'fields': {}, 'relations': []}",
                  NULL, "a.json: relations: must be an object of relation definitions", NULL);
}

/* aclParent: a required many-to-one of an unowned type to an owned one */
static void test_acl_parent(void **state)
{
    unit_fixture_t *f = *state;
    const char *boxes = "{'type': 'boxes', 'table': 'box', 'label': 'B', 'ownership': 'none',"
                        " 'fields': {}}";
    expect_errors(f, "a.json",
                  "{'type': 'things', 'table': 'thing', 'label': 'T', 'ownership': 'none',"
                  " 'aclParent': 'box', 'fields': {}}",
                  "b.json", boxes, NULL,
                  "a.json: aclParent: \"box\" is not a relation of this type", NULL);
    expect_errors(f, "a.json",
                  "{'type': 'things', 'table': 'thing', 'label': 'T', 'ownership': 'none',"
                  " 'aclParent': 'box', 'fields': {},"
                  " 'relations': {'box': {'type': 'many-to-one', 'target': 'boxes'}}}",
                  "b.json", boxes, NULL,
                  "a.json: aclParent: \"box\" must be a required many-to-one relation", NULL);
    expect_errors(f, "a.json",
                  "{'type': 'things', 'table': 'thing', 'label': 'T', 'ownership': 'none',"
                  " 'aclParent': 'box', 'fields': {},"
                  " 'relations': {'box': {'type': 'many-to-one', 'target': 'boxes',"
                  " 'required': true}}}",
                  "b.json", boxes, NULL,
                  "a.json: aclParent: \"box\" must lead to a type with an owner of its own",
                  NULL);
}

static void test_type_table_ownership(void **state)
{
    unit_fixture_t *f = *state;
    expect_errors(f, "a.json",
                  "{'type': 'Things', 'table': 'thing', 'label': 'T',"
                  " 'ownership': 'none', 'fields': {}}",
                  NULL, "a.json: type: \"Things\" is not a lower camel case plural (contacts)",
                  NULL);
    expect_errors(f, "a.json",
                  "{'type': 'some_things', 'table': 'thing', 'label': 'T',"
                  " 'ownership': 'none', 'fields': {}}",
                  NULL, "a.json: type: \"some_things\" is not a lower camel case plural (contacts)",
                  NULL);
    expect_errors(f, "a.json",
                  "{'type': 'things', 'table': 'Thing-Table', 'label': 'T',"
                  " 'ownership': 'none', 'fields': {}}",
                  NULL,
                  "a.json: table: \"Thing-Table\" is not a table name (lower case, underscores, "
                  "at most 63)",
                  NULL);
    expect_errors(
        f, "a.json",
        "{'type': 'things', 'label': 'T', 'ownership': 'none', 'fields': {},"
        " 'table': 'a234567890123456789012345678901234567890123456789012345678901234'}",
        NULL,
        "a.json: table: \"a234567890123456789012345678901234567890123456789012345678901234\""
        " is not a table name (lower case, underscores, at most 63)",
        NULL);
    expect_errors(f, "a.json",
                  "{'type': 'things', 'table': 'thing', 'label': 'T',"
                  " 'ownership': 'team', 'fields': {}}",
                  NULL,
                  "a.json: ownership: unknown ownership \"team\" (user, business_unit, "
                  "organization, none)",
                  NULL);
}

static void test_duplicates_across_files(void **state)
{
    unit_fixture_t *f = *state;
    apr_pool_t *p = f->pool;
    expect_errors(f, "a.json", thing(p, "", NULL), "b.json",
                  "{'type': 'things', 'table': 'other', 'label': 'T', 'ownership': 'none',"
                  " 'fields': {}}",
                  NULL, "b.json: type: \"things\" is already defined in a.json", NULL);
    expect_errors(f, "a.json", thing(p, "", NULL), "b.json",
                  "{'type': 'others', 'table': 'thing', 'label': 'T', 'ownership': 'none',"
                  " 'fields': {}}",
                  NULL, "b.json: table: table \"thing\" is already used by a.json", NULL);
}

static void test_empty_set(void **state)
{
    unit_fixture_t *f = *state;
    apr_array_header_t *errors = NULL;
    assert_null(oro_meta_load_texts(f->pool, apr_hash_make(f->pool), &errors));
    assert_non_null(errors);
    assert_int_equal(errors->nelts, 1);
    assert_string_equal(APR_ARRAY_IDX(errors, 0, const char *),
                        "entity definitions: no entity is defined (no *.json file)");
    /* a directory without *.json files */
    unit_write(f, "README", "not a definition");
    errors = NULL;
    assert_null(oro_meta_load(f->pool, f->dir, &errors));
    assert_non_null(errors);
    assert_string_equal(oro_meta_errors_text(f->pool, errors),
                        "entity definitions: no entity is defined (no *.json file)");
    /* only broken files: no "no entity" error on top */
    expect_errors(f, "a.json", "[]", NULL, "a.json: the definition must be a JSON object", NULL);
}

static void test_load_directory(void **state)
{
    unit_fixture_t *f = *state;
    unit_write(f, "defs/thing.json", js(f->pool, thing(f->pool, "'a': {'type': 'emial'}", NULL)));
    unit_write(f, "defs/notes.txt", "ignored");
    unit_write(f, "defs/.hidden.json", "ignored");
    apr_array_header_t *errors = NULL;
    const char *dir = unit_path(f, "defs");
    assert_null(oro_meta_load(f->pool, dir, &errors));
    assert_non_null(errors);
    assert_string_equal(oro_meta_errors_text(f->pool, errors),
                        apr_pstrcat(f->pool, dir,
                                    "/thing.json: fields.a.type: unknown type "
                                    "\"emial\"",
                                    NULL));
    unit_write(f, "defs/thing.json", js(f->pool, thing(f->pool, "'a': {'type': 'email'}", NULL)));
    errors = NULL;
    oro_meta_t *meta = oro_meta_load(f->pool, dir, &errors);
    assert_null(errors);
    assert_non_null(meta);
    assert_string_equal(oro_meta_entity(meta, "things")->file,
                        apr_pstrcat(f->pool, dir, "/thing.json", NULL));
    errors = NULL;
    assert_null(oro_meta_load(f->pool, unit_path(f, "missing"), &errors));
    assert_non_null(errors);
    assert_int_equal(errors->nelts, 1);
    assert_starts_with(APR_ARRAY_IDX(errors, 0, const char *),
                       apr_pstrcat(f->pool, unit_path(f, "missing"),
                                   ": cannot open the entity directory: ", NULL));
}

/* ---- fields ------------------------------------------------------------------------- */

static void test_field_names(void **state)
{
    unit_fixture_t *f = *state;
    expect_field_error(f, "'first_name': {'type': 'string'}",
                       "t.json: fields.first_name: field names are lower camel case (firstName)");
    expect_field_error(f, "'FirstName': {'type': 'string'}",
                       "t.json: fields.FirstName: field names are lower camel case (firstName)");
    expect_field_error(f, "'2nd': {'type': 'string'}",
                       "t.json: fields.2nd: field names are lower camel case (firstName)");
    static const char *const reserved[] = {
        "id",   "createdAt", "updatedAt", "owner",         "organization",
        "type", "links",     "meta",      "relationships", "attributes"};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        expect_field_error(f, apr_psprintf(f->pool, "'%s': {'type': 'string'}", reserved[i]),
                           apr_psprintf(f->pool, "t.json: fields.%s: \"%s\" is reserved",
                                        reserved[i], reserved[i]));
    }
    expect_field_error(f, "'a': 'string'", "t.json: fields.a: must be an object");
    expect_field_error(f, "'a': {'type': 'string', 'size': 3}",
                       "t.json: fields.a.size: unknown key (allowed: type,column,label,"
                       "description,length,precision,scale,values,default,required,unique,"
                       "filterable,sortable,searchable,auditable,readonly,indexed)");
    expect_field_error(f, "'a': {'label': 'A'}", "t.json: fields.a.type: is required");
    expect_field_error(f, "'a': {'type': 'string', 'column': 'A-col'}",
                       "t.json: fields.a.column: column names are lower case with underscores, "
                       "at most 63 characters");
}

static void test_field_types(void **state)
{
    unit_fixture_t *f = *state;
    expect_field_error(f, "'email': {'type': 'emial'}",
                       "t.json: fields.email.type: unknown type \"emial\"");
    expect_field_error(f, "'a': {'type': 'String'}",
                       "t.json: fields.a.type: unknown type \"String\"");
    /* string length */
    expect_field_error(f, "'a': {'type': 'string', 'length': 0}",
                       "t.json: fields.a.length: must be from 1 to 4000, not 0");
    expect_field_error(f, "'a': {'type': 'email', 'length': 4001}",
                       "t.json: fields.a.length: must be from 1 to 4000, not 4001");
    expect_field_error(f, "'a': {'type': 'string', 'length': '10'}",
                       "t.json: fields.a.length: must be a whole number");
    expect_field_error(f, "'a': {'type': 'integer', 'length': 10}",
                       "t.json: fields.a.length: only string-like fields have a length");
    expect_field_error(f, "'a': {'type': 'text', 'length': 10}",
                       "t.json: fields.a.length: only string-like fields have a length");
    /* decimal */
    expect_field_error(f, "'a': {'type': 'decimal', 'precision': 4, 'scale': 5}",
                       "t.json: fields.a.scale: scale 5 is larger than precision 4");
    expect_field_error(f, "'a': {'type': 'decimal', 'precision': 39}",
                       "t.json: fields.a.precision: must be from 1 to 38, not 39");
    expect_field_error(f, "'a': {'type': 'integer', 'precision': 10}",
                       "t.json: fields.a: only decimal fields have a precision and a scale");
    expect_field_error(f, "'a': {'type': 'money', 'scale': 2}",
                       "t.json: fields.a: only decimal fields have a precision and a scale");
    /* enum */
    expect_field_error(f, "'a': {'type': 'enum'}",
                       "t.json: fields.a.values: an enum field needs a non-empty array of values");
    expect_field_error(f, "'a': {'type': 'enum', 'values': []}",
                       "t.json: fields.a.values: an enum field needs a non-empty array of values");
    expect_field_error(f, "'a': {'type': 'enum', 'values': 'open'}",
                       "t.json: fields.a.values: an enum field needs a non-empty array of values");
    expect_errors(
        f, "t.json",
        thing(f->pool, "'a': {'type': 'enum', 'values': ['open', 'In Progress', 3]}", NULL), NULL,
        "t.json: fields.a.values[1]: enum values are lower-case identifiers (a-z, 0-9, _)",
        "t.json: fields.a.values[2]: enum values are lower-case identifiers (a-z, 0-9, _)", NULL);
    expect_field_error(f, "'a': {'type': 'enum', 'values': ['open', 'closed', 'open']}",
                       "t.json: fields.a.values[2]: \"open\" is listed twice");
    expect_field_error(f, "'a': {'type': 'string', 'values': ['x']}",
                       "t.json: fields.a.values: only enum fields have values");
}

static void test_field_defaults(void **state)
{
    unit_fixture_t *f = *state;
    expect_field_error(f, "'a': {'type': 'boolean', 'default': 'true'}",
                       "t.json: fields.a.default: must be true or false for a boolean field");
    expect_field_error(f, "'a': {'type': 'boolean', 'default': 1}",
                       "t.json: fields.a.default: must be true or false for a boolean field");
    expect_field_error(
        f, "'a': {'type': 'integer', 'default': '5'}",
        "t.json: fields.a.default: must be a whole number for a field of type integer");
    expect_field_error(
        f, "'a': {'type': 'integer', 'default': 1.5}",
        "t.json: fields.a.default: must be a whole number for a field of type integer");
    expect_field_error(f, "'a': {'type': 'integer', 'default': 2147483648}",
                       "t.json: fields.a.default: is out of range for a field of type integer");
    expect_field_error(f, "'a': {'type': 'integer', 'default': -2147483649}",
                       "t.json: fields.a.default: is out of range for a field of type integer");
    expect_field_error(f, "'a': {'type': 'string', 'default': 5}",
                       "t.json: fields.a.default: must be a string for a field of type string");
    expect_field_error(f, "'a': {'type': 'email', 'default': false}",
                       "t.json: fields.a.default: must be a string for a field of type email");
    expect_field_error(f, "'a': {'type': 'string', 'length': 3, 'default': 'abcd'}",
                       "t.json: fields.a.default: is longer than the field's length 3");
    expect_field_error(f, "'a': {'type': 'enum', 'values': ['open'], 'default': 'closed'}",
                       "t.json: fields.a.default: \"closed\" is not one of the declared values");
    expect_field_error(f,
                       "'a': {'type': 'decimal', 'precision': 5, 'scale': 2, "
                       "'default': '1.234'}",
                       "t.json: fields.a.default: \"1.234\" has more than 2 decimal places");
    expect_field_error(f,
                       "'a': {'type': 'decimal', 'precision': 5, 'scale': 2, "
                       "'default': '1234.5'}",
                       "t.json: fields.a.default: \"1234.5\" has more than 3 digits before the "
                       "point");
    expect_field_error(f, "'a': {'type': 'money', 'default': '12,50'}",
                       "t.json: fields.a.default: \"12,50\" is not a decimal number");
    expect_field_error(f, "'a': {'type': 'money', 'default': 12.5}",
                       "t.json: fields.a.default: must be a number written as a string "
                       "(\"12.50\")");
    expect_field_error(f, "'a': {'type': 'date', 'default': '2023-02-30'}",
                       "t.json: fields.a.default: \"2023-02-30\" is not a date (YYYY-MM-DD)");
    expect_field_error(f, "'a': {'type': 'date', 'default': '2023-02-29'}",
                       "t.json: fields.a.default: \"2023-02-29\" is not a date (YYYY-MM-DD)");
    expect_field_error(f, "'a': {'type': 'date', 'default': '1900-02-29'}",
                       "t.json: fields.a.default: \"1900-02-29\" is not a date (YYYY-MM-DD)");
    expect_field_error(f, "'a': {'type': 'date', 'default': '2023-13-01'}",
                       "t.json: fields.a.default: \"2023-13-01\" is not a date (YYYY-MM-DD)");
    expect_field_error(f, "'a': {'type': 'date', 'default': '2023-1-01x'}",
                       "t.json: fields.a.default: \"2023-1-01x\" is not a date (YYYY-MM-DD)");
    expect_field_error(f, "'a': {'type': 'datetime', 'default': '2023-01-01T00:00:00Z'}",
                       "t.json: fields.a.default: a datetime field cannot have a default");
    expect_field_error(f, "'a': {'type': 'password', 'default': 'secret'}",
                       "t.json: fields.a.default: a password field cannot have a default");
}

static void test_field_flags(void **state)
{
    unit_fixture_t *f = *state;
    expect_field_error(f, "'a': {'type': 'password', 'filterable': true}",
                       "t.json: fields.a: a password field cannot be filterable, sortable, "
                       "searchable or unique");
    expect_field_error(f, "'a': {'type': 'password', 'unique': true}",
                       "t.json: fields.a: a password field cannot be filterable, sortable, "
                       "searchable or unique");
    expect_field_error(f, "'a': {'type': 'text', 'unique': true}",
                       "t.json: fields.a.unique: a text field cannot be unique (use a string "
                       "with a length)");
    expect_field_error(f, "'a': {'type': 'string', 'length': 769, 'unique': true}",
                       "t.json: fields.a.unique: a unique field is at most 768 characters long "
                       "(index limit)");
    expect_field_error(f, "'a': {'type': 'url', 'unique': true}",
                       "t.json: fields.a.unique: a unique field is at most 768 characters long "
                       "(index limit)");
    expect_field_error(f, "'a': {'type': 'string', 'required': 'yes'}",
                       "t.json: fields.a.required: must be true or false");
    expect_field_error(f, "'a': {'type': 'string', 'sortable': 1}",
                       "t.json: fields.a.sortable: must be true or false");
    expect_field_error(f, "'a': {'type': 'text', 'indexed': true}",
                       "t.json: fields.a.indexed: a text or password field cannot be indexed");
    expect_field_error(f, "'a': {'type': 'url', 'indexed': true}",
                       "t.json: fields.a.indexed: an indexed field is at most 768 characters long "
                       "(index limit)");
    expect_field_error(f, "'a': {'type': 'string', 'indexed': 'yes'}",
                       "t.json: fields.a.indexed: must be true or false");
}

/* allowClientIds is read at the top level: its path has no parent. */
static void test_top_level_flag_not_boolean(void **state)
{
    unit_fixture_t *f = *state;
    expect_errors(f, "a.json",
                  "{'type': 'things', 'table': 'thing', 'label': 'T',"
                  " 'ownership': 'none', 'allowClientIds': 'yes', 'fields': {}}",
                  NULL, "a.json: allowClientIds: must be true or false", NULL);
}

static void test_columns_collide(void **state)
{
    unit_fixture_t *f = *state;
    expect_field_error(f, "'a': {'type': 'string'}, 'b': {'type': 'string', 'column': 'a'}",
                       "t.json: fields.b: column \"a\" is already used by \"a\"");
    expect_field_error(f, "'a': {'type': 'string', 'column': 'id'}",
                       "t.json: fields.a: column \"id\" is already used by \"id\"");
    /* a field on a system column: reported on the system field that comes after */
    expect_field_error(f, "'a': {'type': 'datetime', 'column': 'created_at'}",
                       "t.json: fields.createdAt: column \"created_at\" is already used by \"a\"");
}

/* ---- relations ---------------------------------------------------------------------- */

static void test_relations(void **state)
{
    unit_fixture_t *f = *state;
    apr_pool_t *p = f->pool;
    const char *parts = part(p, "'name': {'type': 'string'}", NULL);
    /* kind, target */
    expect_errors(f, "t.json", thing(p, "", "'p': {'type': 'one-to-one', 'target': 'parts'}"),
                  "u.json", parts, NULL,
                  "t.json: relations.p.type: unknown relation type \"one-to-one\" (many-to-one, "
                  "one-to-many, many-to-many)",
                  NULL);
    expect_errors(f, "t.json", thing(p, "", "'p': {'type': 'many-to-one', 'target': 'pieces'}"),
                  "u.json", parts, NULL,
                  "t.json: relations.p.target: no entity has type \"pieces\"", NULL);
    expect_errors(f, "t.json", thing(p, "", "'p': {'type': 'many-to-one'}"), "u.json", parts, NULL,
                  "t.json: relations.p.target: is required", NULL);
    expect_errors(f, "t.json", thing(p, "", "'p_x': {'type': 'many-to-one', 'target': 'parts'}"),
                  "u.json", parts, NULL,
                  "t.json: relations.p_x: relation names are lower camel case (account)", NULL);
    expect_errors(
        f, "t.json",
        thing(p, "'p': {'type': 'string'}", "'p': {'type': 'many-to-one', 'target': 'parts'}"),
        "u.json", parts, NULL, "t.json: relations.p: \"p\" is reserved or already a field", NULL);
    expect_errors(f, "t.json", thing(p, "", "'owner': {'type': 'many-to-one', 'target': 'parts'}"),
                  "u.json", parts, NULL,
                  "t.json: relations.owner: \"owner\" is reserved or already a field", NULL);
    expect_errors(f, "t.json",
                  thing(p, "", "'p': {'type': 'many-to-one', 'target': 'parts', 'via': 'x'}"),
                  "u.json", parts, NULL,
                  "t.json: relations.p.via: unknown key (allowed: type,target,label,description,"
                  "required,onDelete,column,mappedBy,joinTable,joinColumn,inverseJoinColumn,"
                  "filterable,sortable,readonly)",
                  NULL);
    /* one-to-many */
    expect_errors(f, "t.json", thing(p, "", "'ps': {'type': 'one-to-many', 'target': 'parts'}"),
                  "u.json", parts, NULL,
                  "t.json: relations.ps.mappedBy: a one-to-many relation names the many-to-one "
                  "relation of parts that points back",
                  NULL);
    expect_errors(f, "t.json",
                  thing(p, "",
                        "'ps': {'type': 'one-to-many', 'target': 'parts', "
                        "'mappedBy': 'thing'}"),
                  "u.json", parts, NULL,
                  "t.json: relations.ps.mappedBy: parts has no many-to-one relation \"thing\" "
                  "to things",
                  NULL);
    /* mappedBy names a many-to-one to another entity */
    expect_errors(f, "t.json",
                  thing(p, "",
                        "'ps': {'type': 'one-to-many', 'target': 'parts', "
                        "'mappedBy': 'self'}"),
                  "u.json", part(p, "", "'self': {'type': 'many-to-one', 'target': 'parts'}"), NULL,
                  "t.json: relations.ps.mappedBy: parts has no many-to-one relation \"self\" "
                  "to things",
                  NULL);
    expect_errors(f, "t.json",
                  thing(p, "",
                        "'p': {'type': 'many-to-one', 'target': 'parts', "
                        "'joinTable': 'x'}"),
                  "u.json", parts, NULL,
                  "t.json: relations.p: a many-to-one relation has a column, not mappedBy or "
                  "joinTable",
                  NULL);
    /* many-to-many */
    expect_errors(f, "t.json", thing(p, "", "'ps': {'type': 'many-to-many', 'target': 'parts'}"),
                  "u.json", parts, NULL,
                  "t.json: relations.ps.joinTable: the owning side of a many-to-many relation "
                  "names its joinTable (the other side uses mappedBy)",
                  NULL);
    expect_errors(f, "t.json",
                  thing(p, "",
                        "'ps': {'type': 'many-to-many', 'target': 'parts', "
                        "'mappedBy': 'things'}"),
                  "u.json",
                  part(p, "",
                       "'things': {'type': 'many-to-many', 'target': 'things', "
                       "'mappedBy': 'ps'}"),
                  NULL,
                  "t.json: relations.ps.mappedBy: parts has no many-to-many relation \"things\" "
                  "with a joinTable to things",
                  "u.json: relations.things.mappedBy: things has no many-to-many relation \"ps\" "
                  "with a joinTable to parts",
                  NULL);
    expect_errors(f, "t.json",
                  thing(p, "",
                        "'ps': {'type': 'many-to-many', 'target': 'parts', "
                        "'joinTable': 'part'}"),
                  "u.json", parts, NULL,
                  "t.json: relations.ps.joinTable: table \"part\" is already used", NULL);
    expect_errors(f, "t.json",
                  thing(p, "",
                        "'ps': {'type': 'many-to-many', 'target': 'parts', "
                        "'joinTable': 'tp'}"),
                  "u.json",
                  part(p, "",
                       "'ts': {'type': 'many-to-many', 'target': 'things', "
                       "'joinTable': 'tp'}"),
                  NULL, "u.json: relations.ts.joinTable: table \"tp\" is already used by things.ps",
                  NULL);
    /* onDelete */
    expect_errors(f, "t.json",
                  thing(p, "",
                        "'p': {'type': 'many-to-one', 'target': 'parts', "
                        "'onDelete': 'nullify'}"),
                  "u.json", parts, NULL,
                  "t.json: relations.p.onDelete: \"nullify\" is not allowed here (restrict, "
                  "cascade, set null)",
                  NULL);
    expect_errors(f, "t.json",
                  thing(p, "",
                        "'p': {'type': 'many-to-one', 'target': 'parts', "
                        "'required': true, 'onDelete': 'set null'}"),
                  "u.json", parts, NULL,
                  "t.json: relations.p.onDelete: \"set null\" is not allowed here (restrict, "
                  "cascade)",
                  NULL);
    expect_errors(f, "t.json",
                  thing(p, "",
                        "'ps': {'type': 'one-to-many', 'target': 'parts', "
                        "'mappedBy': 'thing', 'onDelete': 'cascade'}"),
                  "u.json", part(p, "", "'thing': {'type': 'many-to-one', 'target': 'things'}"),
                  NULL, "t.json: relations.ps.onDelete: only many-to-one relations have onDelete",
                  NULL);
    /* required, sortable on to-many */
    expect_errors(f, "t.json",
                  thing(p, "",
                        "'ps': {'type': 'one-to-many', 'target': 'parts', "
                        "'mappedBy': 'thing', 'required': true}"),
                  "u.json", part(p, "", "'thing': {'type': 'many-to-one', 'target': 'things'}"),
                  NULL, "t.json: relations.ps.required: only many-to-one relations can be required",
                  NULL);
    expect_errors(f, "t.json",
                  thing(p, "",
                        "'ps': {'type': 'many-to-many', 'target': 'parts', "
                        "'joinTable': 'tp', 'sortable': true}"),
                  "u.json", parts, NULL,
                  "t.json: relations.ps.sortable: only many-to-one relations can be sortable",
                  NULL);
    /* columns */
    expect_errors(f, "t.json",
                  thing(p, "'partId': {'type': 'integer'}",
                        "'part': {'type': 'many-to-one', 'target': 'parts'}"),
                  "u.json", parts, NULL,
                  "t.json: relations.part: column \"part_id\" is already used by \"partId\"", NULL);
    expect_errors(f, "t.json",
                  thing(p, "",
                        "'a': {'type': 'many-to-one', 'target': 'parts'},"
                        "'b': {'type': 'many-to-one', 'target': 'parts', "
                        "'column': 'a_id'}"),
                  "u.json", parts, NULL,
                  "t.json: relations.b: column \"a_id\" is already used by \"a\"", NULL);
    expect_errors(f, "t.json",
                  thing(p, "",
                        "'ps': {'type': 'many-to-many', 'target': 'parts', "
                        "'joinTable': 'tp', 'column': 'x'}"),
                  "u.json", parts, NULL,
                  "t.json: relations.ps.column: a many-to-many relation has no column", NULL);
    expect_errors(f, "t.json",
                  thing(p, "",
                        "'p': {'type': 'many-to-one', 'target': 'parts', "
                        "'filterable': 'no'}"),
                  "u.json", parts, NULL, "t.json: relations.p.filterable: must be true or false",
                  NULL);
}

/* A many-to-one with mappedBy is reported once, in pass 1; pass 2 must not then treat
 * it as the inverse side of a many-to-many. */
static void test_many_to_one_with_mapped_by(void **state)
{
    unit_fixture_t *f = *state;
    apr_pool_t *p = f->pool;
    expect_errors(f, "t.json",
                  thing(p, "",
                        "'p': {'type': 'many-to-one', 'target': 'parts', "
                        "'mappedBy': 'x'}"),
                  "u.json", part(p, "'name': {'type': 'string'}", NULL), NULL,
                  "t.json: relations.p: a many-to-one relation has a column, not mappedBy or "
                  "joinTable",
                  NULL);
}

/* ---- sort, title, ownership ---------------------------------------------------------- */

static void test_sort_and_title(void **state)
{
    unit_fixture_t *f = *state;
    apr_pool_t *p = f->pool;
    const char *head = "{'type': 'things', 'table': 'thing', 'label': 'T', 'ownership': 'none',"
                       " 'fields': {'name': {'type': 'string'}, 'notes': {'type': 'text'},"
                       "            'secret': {'type': 'password'}}";
    expect_errors(f, "t.json", apr_pstrcat(p, head, ", 'defaultSort': ['nom']}", NULL), NULL,
                  "t.json: defaultSort[0]: \"nom\" is not a sortable field", NULL);
    expect_errors(f, "t.json", apr_pstrcat(p, head, ", 'defaultSort': ['name', '-notes']}", NULL),
                  NULL, "t.json: defaultSort[1]: \"notes\" is not a sortable field", NULL);
    expect_errors(f, "t.json", apr_pstrcat(p, head, ", 'defaultSort': []}", NULL), NULL,
                  "t.json: defaultSort: must be a non-empty array like [\"lastName\", \"-id\"]",
                  NULL);
    expect_errors(f, "t.json", apr_pstrcat(p, head, ", 'defaultSort': [1]}", NULL), NULL,
                  "t.json: defaultSort[0]: must be a field name, \"-\" first for descending", NULL);
    expect_errors(f, "t.json", apr_pstrcat(p, head, ", 'titleTemplate': '{name} ({nom})'}", NULL),
                  NULL, "t.json: titleTemplate: \"{nom}\" is not a field of things", NULL);
    expect_errors(f, "t.json", apr_pstrcat(p, head, ", 'titleTemplate': '{secret}'}", NULL), NULL,
                  "t.json: titleTemplate: \"{secret}\" is not a field of things", NULL);
    expect_errors(f, "t.json", apr_pstrcat(p, head, ", 'titleTemplate': '{name} {notes'}", NULL),
                  NULL, "t.json: titleTemplate: a \"{\" is not closed", NULL);
    /* sortable by id, createdAt and a many-to-one */
    oro_meta_t *meta = load_ok(f, "t.json",
                               apr_pstrcat(p, head,
                                           ", 'defaultSort': ['-createdAt', 'id'],"
                                           " 'titleTemplate': '{name}'}",
                                           NULL),
                               NULL);
    const oro_entity_t *e = oro_meta_entity(meta, "things");
    assert_int_equal(e->title_parts->nelts, 2);
    assert_string_equal(APR_ARRAY_IDX(e->title_parts, 1, const char *), "name");
}

static void test_ownership_needs_entities(void **state)
{
    unit_fixture_t *f = *state;
    const char *owned = "{'type': 'things', 'table': 'thing', 'label': 'T', 'ownership': '%s',"
                        " 'fields': {}}";
    expect_errors(f, "t.json", apr_psprintf(f->pool, owned, "user"), NULL,
                  "t.json: ownership: no entity has type \"users\" (needed for ownership)",
                  "t.json: ownership: no entity has type \"organizations\" (needed for ownership)",
                  NULL);
    expect_errors(
        f, "t.json", apr_psprintf(f->pool, owned, "business_unit"), "o.json", ORGANIZATIONS, NULL,
        "t.json: ownership: no entity has type \"businessunits\" (needed for ownership)", NULL);
    expect_errors(f, "t.json", apr_psprintf(f->pool, owned, "organization"), NULL,
                  "t.json: ownership: no entity has type \"organizations\" (needed for ownership)",
                  NULL);
    /* businessunits itself needs organizations */
    expect_errors(f, "b.json", BUSINESSUNITS, "u.json", USERS, NULL,
                  "b.json: ownership: no entity has type \"organizations\" (needed for ownership)",
                  "u.json: ownership: no entity has type \"organizations\" (needed for ownership)",
                  NULL);
    /* complete: loads */
    load_ok(f, "o.json", ORGANIZATIONS, "b.json", BUSINESSUNITS, "u.json", USERS, "t.json",
            apr_psprintf(f->pool, owned, "user"), NULL);
}

static void test_all_errors_at_once(void **state)
{
    unit_fixture_t *f = *state;
    apr_pool_t *p = f->pool;
    /* three problems in one file */
    expect_errors(f, "t.json",
                  "{'type': 'things', 'table': 'thing', 'label': 'T', 'ownership': 'none',"
                  " 'fields': {'email': {'type': 'emial'}, 'id': {'type': 'string'},"
                  "            'n': {'type': 'integer', 'default': 'x'}}}",
                  NULL, "t.json: fields.email.type: unknown type \"emial\"",
                  "t.json: fields.id: \"id\" is reserved",
                  "t.json: fields.n.default: must be a whole number for a field of type integer",
                  NULL);
    /* problems in several files and in both passes, in file order then pass order */
    expect_errors(f, "a.json", "{", "b.json", thing(p, "'x': {'type': 'enum'}", NULL), "c.json",
                  part(p, "", "'t': {'type': 'many-to-one', 'target': 'thingies'}"), NULL,
                  "a.json: invalid JSON at line 1, column 2: the document ends too early",
                  "b.json: fields.x.values: an enum field needs a non-empty array of values",
                  "c.json: relations.t.target: no entity has type \"thingies\"", NULL);
    apr_array_header_t *errors = NULL;
    apr_hash_t *h = apr_hash_make(p);
    apr_hash_set(
        h, "t.json", APR_HASH_KEY_STRING,
        js(p, thing(p, "'A': {'type': 'x'}, 'b': {'type': 'y'}, 'c': {'type': 'z'}", NULL)));
    assert_null(oro_meta_load_texts(p, h, &errors));
    assert_non_null(errors);
    assert_int_equal(errors->nelts, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_real_definitions),
        UNIT_TEST(test_system_fields_and_ownership),
        UNIT_TEST(test_small_set_defaults),
        UNIT_TEST(test_join_column_defaults),
        UNIT_TEST(test_errors_text),
        UNIT_TEST(test_invalid_json),
        UNIT_TEST(test_not_an_object),
        UNIT_TEST(test_top_level_keys),
        UNIT_TEST(test_type_table_ownership),
        UNIT_TEST(test_acl_parent),
        UNIT_TEST(test_duplicates_across_files),
        UNIT_TEST(test_empty_set),
        UNIT_TEST(test_load_directory),
        UNIT_TEST(test_field_names),
        UNIT_TEST(test_field_types),
        UNIT_TEST(test_field_defaults),
        UNIT_TEST(test_field_flags),
        UNIT_TEST(test_top_level_flag_not_boolean),
        UNIT_TEST(test_columns_collide),
        UNIT_TEST(test_relations),
        UNIT_TEST(test_many_to_one_with_mapped_by),
        UNIT_TEST(test_sort_and_title),
        UNIT_TEST(test_ownership_needs_entities),
        UNIT_TEST(test_all_errors_at_once),
    };
    if (apr_initialize() != APR_SUCCESS) {
        return 1;
    }
    int rc = cmocka_run_group_tests_name("meta", tests, NULL, NULL);
    apr_terminate();
    return rc;
}
