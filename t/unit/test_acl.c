/* t/unit/test_acl.c — lib/acl: names, the levels each ownership allows, adapting "*"
 * grants, the grant table of several roles, divisions, the SQL condition of each level
 * on the real entity definitions, the select builder's filter hook, and the cache. */
#include "unit.h"

#include "acl/acl.h"
#include "api/select.h"
#include "api/sqlbuf.h"
#include "meta/meta.h"

#ifndef ORO_SOURCE_ROOT
#define ORO_SOURCE_ROOT "."
#endif
#define ENTITY_DIR ORO_SOURCE_ROOT "/conf.d/entities"

static const oro_meta_t *load_real(unit_fixture_t *f)
{
    apr_array_header_t *errors = NULL;
    oro_meta_t *meta = oro_meta_load(f->pool, ENTITY_DIR, &errors);
    if (errors != NULL) {
        fail_msg("conf.d/entities does not load:\n%s", oro_meta_errors_text(f->pool, errors));
    }
    return meta;
}

static void grant(apr_array_header_t *a, const char *role, const char *entity,
                  oro_acl_permission_t permission, oro_acl_level_t level)
{
    oro_acl_grant_t *g = apr_array_push(a);
    g->role = role;
    g->entity = entity;
    g->permission = permission;
    g->level = level;
}

static apr_array_header_t *ids(apr_pool_t *p, int n, ...)
{
    apr_array_header_t *a = apr_array_make(p, n + 1, sizeof(apr_int64_t));
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        APR_ARRAY_PUSH(a, apr_int64_t) = va_arg(ap, int);
    }
    va_end(ap);
    return a;
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(oro_acl_permission_name(ORO_ACL_ASSIGN), "ASSIGN");
    assert_string_equal(oro_acl_level_name(ORO_ACL_BUSINESS_UNIT), "BUSINESS_UNIT");
    assert_int_equal(oro_acl_permission_of("EDIT"), ORO_ACL_EDIT);
    assert_int_equal(oro_acl_permission_of("edit"), -1);
    assert_int_equal(oro_acl_permission_of(NULL), -1);
    assert_int_equal(oro_acl_level_of("DIVISION"), ORO_ACL_DIVISION);
    assert_int_equal(oro_acl_level_of("SYSTEM"), -1);
}

static void test_allowed_levels(void **state)
{
    (void)state;
    for (int l = ORO_ACL_NONE; l <= ORO_ACL_GLOBAL; l++) {
        assert_true(oro_acl_level_allowed(ORO_OWNERSHIP_USER, ORO_ACL_VIEW, (oro_acl_level_t)l));
    }
    assert_false(oro_acl_level_allowed(ORO_OWNERSHIP_BUSINESS_UNIT, ORO_ACL_VIEW, ORO_ACL_USER));
    assert_true(oro_acl_level_allowed(ORO_OWNERSHIP_BUSINESS_UNIT, ORO_ACL_VIEW, ORO_ACL_DIVISION));
    assert_false(
        oro_acl_level_allowed(ORO_OWNERSHIP_ORGANIZATION, ORO_ACL_EDIT, ORO_ACL_BUSINESS_UNIT));
    assert_true(
        oro_acl_level_allowed(ORO_OWNERSHIP_ORGANIZATION, ORO_ACL_EDIT, ORO_ACL_ORGANIZATION));
    assert_true(oro_acl_level_allowed(ORO_OWNERSHIP_NONE, ORO_ACL_VIEW, ORO_ACL_GLOBAL));
    assert_false(oro_acl_level_allowed(ORO_OWNERSHIP_NONE, ORO_ACL_VIEW, ORO_ACL_ORGANIZATION));
    assert_false(oro_acl_level_allowed(ORO_OWNERSHIP_NONE, ORO_ACL_ASSIGN, ORO_ACL_GLOBAL));
    assert_true(oro_acl_level_allowed(ORO_OWNERSHIP_NONE, ORO_ACL_ASSIGN, ORO_ACL_NONE));
}

static void test_adapt(void **state)
{
    (void)state;
    assert_int_equal(oro_acl_adapt(ORO_OWNERSHIP_USER, ORO_ACL_VIEW, ORO_ACL_USER), ORO_ACL_USER);
    assert_int_equal(oro_acl_adapt(ORO_OWNERSHIP_BUSINESS_UNIT, ORO_ACL_VIEW, ORO_ACL_USER),
                     ORO_ACL_BUSINESS_UNIT);
    assert_int_equal(oro_acl_adapt(ORO_OWNERSHIP_BUSINESS_UNIT, ORO_ACL_VIEW, ORO_ACL_DIVISION),
                     ORO_ACL_DIVISION);
    assert_int_equal(oro_acl_adapt(ORO_OWNERSHIP_ORGANIZATION, ORO_ACL_EDIT, ORO_ACL_DIVISION),
                     ORO_ACL_ORGANIZATION);
    assert_int_equal(oro_acl_adapt(ORO_OWNERSHIP_ORGANIZATION, ORO_ACL_EDIT, ORO_ACL_NONE),
                     ORO_ACL_NONE);
    assert_int_equal(oro_acl_adapt(ORO_OWNERSHIP_NONE, ORO_ACL_VIEW, ORO_ACL_USER), ORO_ACL_GLOBAL);
    assert_int_equal(oro_acl_adapt(ORO_OWNERSHIP_NONE, ORO_ACL_ASSIGN, ORO_ACL_GLOBAL),
                     ORO_ACL_NONE);
}

static void test_grant_table(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    apr_array_header_t *g = apr_array_make(f->pool, 8, sizeof(oro_acl_grant_t));
    /* role A: user level everywhere, but contacts viewed at division and not deleted */
    for (int p = 0; p < ORO_ACL_PERMISSION_COUNT; p++) {
        grant(g, "A", "*", (oro_acl_permission_t)p, ORO_ACL_USER);
    }
    grant(g, "A", "contacts", ORO_ACL_VIEW, ORO_ACL_DIVISION);
    grant(g, "A", "contacts", ORO_ACL_DELETE, ORO_ACL_NONE);
    /* role B: accounts viewed in the organization; an unknown type is ignored */
    grant(g, "B", "accounts", ORO_ACL_VIEW, ORO_ACL_ORGANIZATION);
    grant(g, "B", "nosuchtype", ORO_ACL_VIEW, ORO_ACL_GLOBAL);
    oro_principal_t pr = {0};
    pr.grants = oro_acl_grants_build(f->pool, meta, g);
    const oro_entity_t *contacts = oro_meta_entity(meta, "contacts");
    const oro_entity_t *accounts = oro_meta_entity(meta, "accounts");
    const oro_entity_t *products = oro_meta_entity(meta, "products");
    const oro_entity_t *users = oro_meta_entity(meta, "users");
    const oro_entity_t *roles = oro_meta_entity(meta, "roles");
    assert_int_equal(oro_acl_level(&pr, contacts, ORO_ACL_VIEW), ORO_ACL_DIVISION);
    assert_int_equal(oro_acl_level(&pr, contacts, ORO_ACL_EDIT), ORO_ACL_USER);
    assert_int_equal(oro_acl_level(&pr, contacts, ORO_ACL_DELETE), ORO_ACL_NONE);
    assert_int_equal(oro_acl_level(&pr, accounts, ORO_ACL_VIEW), ORO_ACL_ORGANIZATION);
    assert_int_equal(oro_acl_level(&pr, accounts, ORO_ACL_EDIT), ORO_ACL_USER);
    assert_int_equal(oro_acl_level(&pr, products, ORO_ACL_VIEW), ORO_ACL_ORGANIZATION);
    assert_int_equal(oro_acl_level(&pr, users, ORO_ACL_VIEW), ORO_ACL_BUSINESS_UNIT);
    assert_int_equal(oro_acl_level(&pr, roles, ORO_ACL_VIEW), ORO_ACL_GLOBAL);
    assert_int_equal(oro_acl_level(&pr, roles, ORO_ACL_ASSIGN), ORO_ACL_NONE);
    /* line items take their order's levels (A: user level on orders), whatever is granted
     * on them: VIEW from VIEW, the changes from EDIT, no ASSIGN */
    const oro_entity_t *items = oro_meta_entity(meta, "orderlineitems");
    grant(g, "B", "orderlineitems", ORO_ACL_VIEW, ORO_ACL_GLOBAL);
    grant(g, "B", "orders", ORO_ACL_EDIT, ORO_ACL_DIVISION);
    pr.grants = oro_acl_grants_build(f->pool, meta, g);
    assert_int_equal(oro_acl_level(&pr, items, ORO_ACL_VIEW), ORO_ACL_USER);
    assert_int_equal(oro_acl_level(&pr, items, ORO_ACL_CREATE), ORO_ACL_DIVISION);
    assert_int_equal(oro_acl_level(&pr, items, ORO_ACL_DELETE), ORO_ACL_DIVISION);
    assert_int_equal(oro_acl_level(&pr, items, ORO_ACL_ASSIGN), ORO_ACL_NONE);
    /* no principal: not restricted; no grants: nothing */
    assert_int_equal(oro_acl_level(NULL, contacts, ORO_ACL_DELETE), ORO_ACL_GLOBAL);
    oro_principal_t none = {0};
    assert_int_equal(oro_acl_level(&none, contacts, ORO_ACL_VIEW), ORO_ACL_NONE);
    none.grants = oro_acl_grants_build(f->pool, meta, NULL);
    assert_int_equal(oro_acl_level(&none, roles, ORO_ACL_VIEW), ORO_ACL_NONE);
}

static void test_division(void **state)
{
    unit_fixture_t *f = *state;
    /* 1 ─ 2 ─ 4, 1 ─ 3, 5 alone, 6 ↔ 7 a cycle */
    apr_array_header_t *units = ids(f->pool, 14, 4, 2, 2, 1, 3, 1, 1, 0, 5, 0, 6, 7, 7, 6);
    apr_array_header_t *d = oro_acl_division(f->pool, units, ids(f->pool, 1, 2));
    assert_int_equal(d->nelts, 2);
    assert_int_equal(APR_ARRAY_IDX(d, 0, apr_int64_t), 2);
    assert_int_equal(APR_ARRAY_IDX(d, 1, apr_int64_t), 4);
    d = oro_acl_division(f->pool, units, ids(f->pool, 1, 1));
    assert_int_equal(d->nelts, 4);
    d = oro_acl_division(f->pool, units, ids(f->pool, 1, 6));
    assert_int_equal(d->nelts, 2);
    d = oro_acl_division(f->pool, units, ids(f->pool, 0));
    assert_int_equal(d->nelts, 0);
}

static const char *condition(unit_fixture_t *f, const oro_meta_t *meta, const oro_principal_t *pr,
                             const char *type, oro_acl_level_t level, int *nparams)
{
    oro_sqlbuf_t b;
    oro_sqlbuf_init(&b, f->pool, ORO_DIALECT_PGSQL);
    oro_acl_condition(&b, meta, pr, oro_meta_entity(meta, type), level, "t");
    *nparams = b.params->nelts;
    return b.text;
}

static void test_conditions(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    oro_principal_t pr = {0};
    pr.user_id = 7;
    pr.organization_id = 2;
    pr.business_unit_id = 5;
    pr.business_unit_ids = ids(f->pool, 1, 5);
    pr.division_ids = ids(f->pool, 2, 5, 9);
    int n;
    assert_string_equal(condition(f, meta, &pr, "contacts", ORO_ACL_GLOBAL, &n), "");
    assert_string_equal(condition(f, meta, &pr, "contacts", ORO_ACL_NONE, &n), "1 = 0");
    assert_string_equal(condition(f, meta, &pr, "contacts", ORO_ACL_USER, &n),
                        "t.\"organization_id\" = %s AND t.\"owner_id\" = %s");
    assert_int_equal(n, 2);
    assert_string_equal(condition(f, meta, &pr, "contacts", ORO_ACL_BUSINESS_UNIT, &n),
                        "t.\"organization_id\" = %s AND t.\"owner_id\" IN (SELECT acl_u.\"id\" "
                        "FROM \"oro_user\" acl_u WHERE acl_u.\"business_unit_owner_id\" IN (%s))");
    assert_int_equal(n, 2);
    assert_string_equal(condition(f, meta, &pr, "contacts", ORO_ACL_DIVISION, &n),
                        "t.\"organization_id\" = %s AND t.\"owner_id\" IN (SELECT acl_u.\"id\" "
                        "FROM \"oro_user\" acl_u WHERE acl_u.\"business_unit_owner_id\" IN (%s, "
                        "%s))");
    assert_int_equal(n, 3);
    assert_string_equal(condition(f, meta, &pr, "contacts", ORO_ACL_ORGANIZATION, &n),
                        "t.\"organization_id\" = %s");
    assert_string_equal(condition(f, meta, &pr, "users", ORO_ACL_DIVISION, &n),
                        "t.\"organization_id\" = %s AND t.\"business_unit_owner_id\" IN (%s, %s)");
    assert_string_equal(condition(f, meta, &pr, "products", ORO_ACL_ORGANIZATION, &n),
                        "t.\"organization_id\" = %s");
    assert_string_equal(condition(f, meta, &pr, "roles", ORO_ACL_ORGANIZATION, &n), "");
    /* line items: their order's condition, one subquery deep */
    assert_string_equal(condition(f, meta, &pr, "orderlineitems", ORO_ACL_USER, &n),
                        "t.\"order_id\" IN (SELECT acl_p.\"id\" FROM \"oro_order\" acl_p WHERE "
                        "acl_p.\"organization_id\" = %s AND acl_p.\"owner_id\" = %s)");
    assert_int_equal(n, 2);
    assert_string_equal(condition(f, meta, &pr, "orderlineitems", ORO_ACL_ORGANIZATION, &n),
                        "t.\"order_id\" IN (SELECT acl_p.\"id\" FROM \"oro_order\" acl_p WHERE "
                        "acl_p.\"organization_id\" = %s)");
    assert_string_equal(condition(f, meta, &pr, "orderlineitems", ORO_ACL_NONE, &n), "1 = 0");
    assert_string_equal(condition(f, meta, &pr, "orderlineitems", ORO_ACL_GLOBAL, &n), "");
    /* no unit at all: nothing is reached */
    pr.division_ids = ids(f->pool, 0);
    assert_string_equal(condition(f, meta, &pr, "users", ORO_ACL_DIVISION, &n),
                        "t.\"organization_id\" = %s AND 1 = 0");
    /* no principal: nothing restricts */
    assert_string_equal(condition(f, meta, NULL, "contacts", ORO_ACL_NONE, &n), "");
    /* oro_acl_unrestricted (a write's checks skip the database with it) says exactly when
     * the condition is empty */
    pr.division_ids = ids(f->pool, 2, 5, 9);
    const char *types[] = {"contacts", "users", "products", "roles", "accounts", "orderlineitems"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        for (int level = ORO_ACL_NONE; level <= ORO_ACL_GLOBAL; level++) {
            const oro_entity_t *e = oro_meta_entity(meta, types[i]);
            assert_non_null(e);
            int empty = condition(f, meta, &pr, types[i], (oro_acl_level_t)level, &n)[0] == '\0';
            assert_int_equal(oro_acl_unrestricted(&pr, e, (oro_acl_level_t)level), empty);
            assert_true(oro_acl_unrestricted(NULL, e, (oro_acl_level_t)level));
        }
    }
}

/* A filter that restricts records to organization 3 (the hook the ACL uses). */
static void org_filter(struct oro_sqlbuf *b, const oro_entity_t *entity, const char *alias,
                       const void *baton)
{
    (void)baton;
    if (oro_meta_relation(entity, "organization") == NULL) {
        return;
    }
    oro_sqlbuf_add(b, alias);
    oro_sqlbuf_add(b, ".org = ");
    oro_sqlbuf_param(b, "3");
}

static void test_select_hook(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    const oro_entity_t *contacts = oro_meta_entity(meta, "contacts");
    const oro_entity_t *accounts = oro_meta_entity(meta, "accounts");
    oro_select_filter_t filter = {org_filter, NULL};
    oro_sql_t *q = oro_select_count_by_id(f->pool, ORO_DIALECT_PGSQL, contacts, "9", &filter);
    assert_string_equal(q->sql, "SELECT COUNT(*) FROM \"orocrm_contact\" t WHERE t.\"id\" = %s "
                                "AND (t.org = %s)");
    assert_int_equal(q->params->nelts, 2);
    assert_string_equal(APR_ARRAY_IDX(q->params, 1, const char *), "3");
    q = oro_select_by_id_filtered(f->pool, ORO_DIALECT_PGSQL, contacts, "9", &filter);
    assert_non_null(strstr(q->sql, "WHERE t.\"id\" = %s AND (t.org = %s)"));
    /* a list: after the filters, or the only condition */
    oro_api_query_t query = {0};
    query.entity = contacts;
    query.page_size = 10;
    query.page_number = 1;
    query.filter = &filter;
    q = oro_select_list(f->pool, ORO_DIALECT_PGSQL, &query);
    assert_non_null(strstr(q->sql, " FROM \"orocrm_contact\" t WHERE (t.org = %s) ORDER BY"));
    q = oro_select_count(f->pool, ORO_DIALECT_PGSQL, &query);
    assert_string_equal(q->sql, "SELECT COUNT(*) FROM \"orocrm_contact\" t WHERE (t.org = %s)");
    /* to-many ids: one-to-many on the related rows, many-to-many through a sub-query */
    apr_array_header_t *owners = apr_array_make(f->pool, 1, sizeof(const char *));
    APR_ARRAY_PUSH(owners, const char *) = "4";
    q = oro_select_to_many_ids_filtered(f->pool, ORO_DIALECT_PGSQL,
                                        oro_meta_relation(accounts, "contacts"), owners, &filter);
    assert_non_null(strstr(q->sql, "r.\"account_id\" IN (%s) AND (r.org = %s) ORDER BY"));
    const oro_entity_t *products = oro_meta_entity(meta, "products");
    q = oro_select_to_many_ids_filtered(f->pool, ORO_DIALECT_PGSQL,
                                        oro_meta_relation(products, "categories"), owners, &filter);
    assert_non_null(strstr(q->sql,
                           " IN (SELECT f.\"id\" FROM \"oro_catalog_category\" f WHERE (f.org = "
                           "%s)) ORDER BY"));
    assert_int_equal(q->params->nelts, 2);
    /* a filter that adds nothing leaves the statement as it was */
    const oro_entity_t *roles = oro_meta_entity(meta, "roles");
    assert_string_equal(
        oro_select_by_id_filtered(f->pool, ORO_DIALECT_PGSQL, roles, "1", &filter)->sql,
        oro_select_by_id(f->pool, ORO_DIALECT_PGSQL, roles, "1")->sql);
}

static void test_cache(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    oro_acl_cache_t *cache = oro_acl_cache_create(f->pool);
    assert_non_null(cache);
    assert_true(oro_acl_cache_version_due(cache, apr_time_now()));
    oro_acl_cache_set_version(cache, 4);
    apr_time_t now = apr_time_now();
    assert_false(oro_acl_cache_version_due(cache, now));
    assert_true(oro_acl_cache_version_due(cache, now + ORO_ACL_VERSION_INTERVAL + 1));

    apr_array_header_t *g = apr_array_make(f->pool, 1, sizeof(oro_acl_grant_t));
    grant(g, "R", "contacts", ORO_ACL_VIEW, ORO_ACL_DIVISION);
    oro_principal_t pr = {0};
    pr.user_id = 3;
    pr.organization_id = 1;
    pr.business_unit_id = 2;
    pr.business_unit_ids = ids(f->pool, 1, 2);
    pr.division_ids = ids(f->pool, 2, 2, 6);
    oro_acl_cache_put(cache, meta, &pr, g, 3); /* an older version: not kept */
    oro_principal_t got = pr;
    got.grants = NULL;
    apr_pool_t *request;
    apr_pool_create(&request, f->pool);
    assert_false(oro_acl_cache_get(cache, &got, request));
    oro_acl_cache_put(cache, meta, &pr, g, 4);
    assert_true(oro_acl_cache_get(cache, &got, request));
    assert_int_equal(oro_acl_level(&got, oro_meta_entity(meta, "contacts"), ORO_ACL_VIEW),
                     ORO_ACL_DIVISION);
    assert_int_equal(got.division_ids->nelts, 2);
    /* a new version drops the entries; the request keeps what it read */
    oro_acl_cache_set_version(cache, 5);
    oro_principal_t again = pr;
    assert_false(oro_acl_cache_get(cache, &again, request));
    assert_int_equal(APR_ARRAY_IDX(got.division_ids, 1, apr_int64_t), 6);
    apr_pool_destroy(request);
    oro_acl_cache_put(cache, meta, &pr, g, 5);
    /* the same generation keeps the entries, a new one drops them */
    oro_acl_cache_sync(cache, 0);
    assert_int_equal(oro_acl_cache_version(cache), 5);
    apr_pool_create(&request, f->pool);
    again = pr;
    assert_true(oro_acl_cache_get(cache, &again, request));
    oro_acl_cache_sync(cache, 1);
    assert_int_equal(oro_acl_cache_version(cache), -1);
    again = pr;
    again.grants = NULL;
    assert_false(oro_acl_cache_get(cache, &again, request));
    assert_non_null(got.grants); /* still readable: held by the first request pool's end */
    apr_pool_destroy(request);
    oro_acl_cache_set_version(cache, 6);
    oro_acl_cache_put(cache, meta, &pr, g, 6);
    oro_acl_cache_clear(cache);
    assert_int_equal(oro_acl_cache_version(cache), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_names),       UNIT_TEST(test_allowed_levels), UNIT_TEST(test_adapt),
        UNIT_TEST(test_grant_table), UNIT_TEST(test_division),       UNIT_TEST(test_conditions),
        UNIT_TEST(test_select_hook), UNIT_TEST(test_cache),
    };
    if (apr_initialize() != APR_SUCCESS) {
        return 1;
    }
    int rc = cmocka_run_group_tests_name("acl", tests, NULL, NULL);
    apr_terminate();
    return rc;
}
