/* t/unit/test_api_select.c — lib/api/select.c: the SELECT statements of the read API, for
 * both dialects, on the real entity definitions of conf.d/entities. Queries are built by
 * hand (as oro_api_query_parse would return them); every check compares the exact SQL
 * text and parameters, and that the SQL holds one %s per parameter and no other '%'. */
#include "unit.h"

#include "api/select.h"
#include "meta/meta.h"

#ifndef ORO_SOURCE_ROOT
#define ORO_SOURCE_ROOT "."
#endif
#define ENTITY_DIR ORO_SOURCE_ROOT "/conf.d/entities"

#define PG ORO_DIALECT_PGSQL
#define MY ORO_DIALECT_MYSQL

/* The select lists of contacts and users (PostgreSQL quoting; see mysql()). */
#define CONTACT_COLUMNS                                                                            \
    "t.\"id\", t.\"name_prefix\", t.\"first_name\", t.\"middle_name\", t.\"last_name\", "          \
    "t.\"name_suffix\", t.\"gender\", t.\"birthday\", t.\"job_title\", t.\"primary_email\", "      \
    "t.\"secondary_email\", t.\"primary_phone\", t.\"mobile_phone\", t.\"source\", "               \
    "t.\"description\", t.\"created_at\", t.\"updated_at\", t.\"owner_id\", "                      \
    "t.\"organization_id\", t.\"account_id\""
#define USER_COLUMNS                                                                               \
    "t.\"id\", t.\"username\", t.\"email\", t.\"first_name\", t.\"last_name\", t.\"title\", "      \
    "t.\"enabled\", t.\"last_login\", t.\"login_count\", t.\"created_at\", t.\"updated_at\", "     \
    "t.\"business_unit_owner_id\", t.\"organization_id\""
#define CONTACT_COUNT "SELECT COUNT(*) FROM \"orocrm_contact\" t WHERE "

static const oro_meta_t *load_real(unit_fixture_t *f)
{
    apr_array_header_t *errors = NULL;
    oro_meta_t *meta = oro_meta_load(f->pool, ENTITY_DIR, &errors);
    if (errors != NULL) {
        fail_msg("conf.d/entities does not load:\n%s", oro_meta_errors_text(f->pool, errors));
    }
    return meta;
}

/* sql with PostgreSQL's identifier quotes turned into MariaDB's. Values never appear in
 * the SQL text, so every " is an identifier quote. */
static const char *mysql(unit_fixture_t *f, const char *sql)
{
    char *out = apr_pstrdup(f->pool, sql);
    for (char *c = out; *c; c++) {
        if (*c == '"') {
            *c = '`';
        }
    }
    return out;
}

/* The number of %s parameter markers of sql; fails on any other '%'. */
static int param_markers(const char *sql)
{
    int n = 0;
    for (const char *c = sql; *c; c++) {
        if (*c == '%') {
            if (c[1] != 's') {
                fail_msg("stray '%%' at offset %d of \"%s\"", (int)(c - sql), sql);
            }
            n++;
        }
    }
    return n;
}

/* Checks sql against want and the parameters against the remaining arguments. */
static void expect_sqlv(const oro_sql_t *sql, const char *want, va_list ap)
{
    assert_non_null(sql);
    assert_string_equal(sql->sql, want);
    assert_int_equal(param_markers(sql->sql), sql->params->nelts);
    int i = 0;
    const char *param;
    while ((param = va_arg(ap, const char *)) != NULL) {
        if (i >= sql->params->nelts) {
            fail_msg("parameter %d missing: expected \"%s\"", i + 1, param);
        }
        assert_string_equal(APR_ARRAY_IDX(sql->params, i, const char *), param);
        i++;
    }
    if (i != sql->params->nelts) {
        fail_msg("%d parameters instead of %d, extra: \"%s\"", sql->params->nelts, i,
                 APR_ARRAY_IDX(sql->params, i, const char *));
    }
}

/* Parameters: const char *, NULL-terminated. */
static void expect_sql(const oro_sql_t *sql, const char *want, ...) __attribute__((sentinel));
static void expect_sql(const oro_sql_t *sql, const char *want, ...)
{
    va_list ap;
    va_start(ap, want);
    expect_sqlv(sql, want, ap);
    va_end(ap);
}

/* The count statement of q on both dialects: want_pg as written, MariaDB with its quotes. */
static void expect_count(unit_fixture_t *f, const oro_api_query_t *q, const char *want_pg, ...)
    __attribute__((sentinel));
static void expect_count(unit_fixture_t *f, const oro_api_query_t *q, const char *want_pg, ...)
{
    va_list ap, ap2;
    va_start(ap, want_pg);
    va_copy(ap2, ap);
    expect_sqlv(oro_select_count(f->pool, PG, q), want_pg, ap);
    expect_sqlv(oro_select_count(f->pool, MY, q), mysql(f, want_pg), ap2);
    va_end(ap2);
    va_end(ap);
}

/* A list query on type: no filters, sort by id only, page 1 of 10. */
static oro_api_query_t *query_of(unit_fixture_t *f, const oro_meta_t *meta, const char *type)
{
    oro_api_query_t *q = apr_pcalloc(f->pool, sizeof *q);
    q->entity = oro_meta_entity(meta, type);
    assert_non_null(q->entity);
    q->filters = apr_array_make(f->pool, 4, sizeof(oro_filter_t));
    q->sort = apr_array_make(f->pool, 4, sizeof(oro_sort_t));
    q->page_number = 1;
    q->page_size = 10;
    return q;
}

static void sort_by(oro_api_query_t *q, const char *name, int descending)
{
    oro_sort_t *s = apr_array_push(q->sort);
    s->name = name;
    s->field = oro_meta_field(q->entity, name);
    s->relation = s->field == NULL ? oro_meta_relation(q->entity, name) : NULL;
    assert_true(s->field != NULL || s->relation != NULL);
    s->descending = descending;
}

/* The entity's default sort then id, as the parser builds it. */
static void default_sort(oro_api_query_t *q)
{
    for (int i = 0; i < q->entity->default_sort->nelts; i++) {
        const oro_sort_key_t *k = &APR_ARRAY_IDX(q->entity->default_sort, i, oro_sort_key_t);
        sort_by(q, k->field, k->descending);
    }
    sort_by(q, "id", 0);
}

static oro_filter_t *filter_on(unit_fixture_t *f, oro_api_query_t *q, const char *name,
                               oro_filter_op_t op)
{
    oro_filter_t *filter = apr_array_push(q->filters);
    memset(filter, 0, sizeof *filter);
    filter->name = name;
    filter->field = oro_meta_field(q->entity, name);
    filter->relation = filter->field == NULL ? oro_meta_relation(q->entity, name) : NULL;
    assert_true(filter->field != NULL || filter->relation != NULL);
    filter->op = op;
    filter->values = apr_array_make(f->pool, 2, sizeof(const char *));
    return filter;
}

/* filter[name][op]=values (const char *, NULL-terminated). */
static void filter(unit_fixture_t *f, oro_api_query_t *q, const char *name, oro_filter_op_t op, ...)
    __attribute__((sentinel));
static void filter(unit_fixture_t *f, oro_api_query_t *q, const char *name, oro_filter_op_t op, ...)
{
    oro_filter_t *flt = filter_on(f, q, name, op);
    va_list ap;
    va_start(ap, op);
    const char *value;
    while ((value = va_arg(ap, const char *)) != NULL) {
        APR_ARRAY_PUSH(flt->values, const char *) = value;
    }
    va_end(ap);
}

/* filter[name]=from..to */
static void filter_range(unit_fixture_t *f, oro_api_query_t *q, const char *name, const char *from,
                         const char *to)
{
    oro_filter_t *flt = filter_on(f, q, name, ORO_OP_EQ);
    flt->range_from = from;
    flt->range_to = to;
}

static apr_array_header_t *ids_of(unit_fixture_t *f, int n, ...)
{
    apr_array_header_t *ids = apr_array_make(f->pool, n, sizeof(const char *));
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        APR_ARRAY_PUSH(ids, const char *) = va_arg(ap, const char *);
    }
    va_end(ap);
    return ids;
}

static void test_columns(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    const oro_entity_t *users = oro_meta_entity(meta, "users");
    apr_array_header_t *c = oro_select_columns(f->pool, users);
    const char *want[] = {"id",        "username", "email",       "firstName",  "lastName",
                          "title",     "enabled",  "lastLogin",   "loginCount", "createdAt",
                          "updatedAt", "owner",    "organization"};
    assert_int_equal(c->nelts, (int)(sizeof want / sizeof *want));
    for (int i = 0; i < c->nelts; i++) {
        const oro_select_column_t *col = &APR_ARRAY_IDX(c, i, oro_select_column_t);
        if (i < 11) {
            assert_non_null(col->field);
            assert_null(col->relation);
            assert_string_equal(col->field->name, want[i]);
        }
        else {
            assert_null(col->field);
            assert_non_null(col->relation);
            assert_string_equal(col->relation->name, want[i]);
            assert_int_equal(col->relation->kind, ORO_RELATION_MANY_TO_ONE);
        }
    }
    /* the select list follows the same order */
    expect_sql(oro_select_by_id(f->pool, PG, users, "7"),
               "SELECT " USER_COLUMNS " FROM \"oro_user\" t WHERE t.\"id\" = %s", "7", NULL);
}

static void test_list_default_pgsql(void **state)
{
    unit_fixture_t *f = *state;
    oro_api_query_t *q = query_of(f, load_real(f), "contacts");
    default_sort(q);
    expect_sql(oro_select_list(f->pool, PG, q),
               "SELECT " CONTACT_COLUMNS " FROM \"orocrm_contact\" t "
               "ORDER BY t.\"last_name\", t.\"first_name\", t.\"id\" LIMIT 11 OFFSET 0",
               NULL);
}

static void test_list_default_mysql(void **state)
{
    unit_fixture_t *f = *state;
    oro_api_query_t *q = query_of(f, load_real(f), "contacts");
    default_sort(q);
    /* lastName and firstName are required: no NULL ordering needed */
    expect_sql(oro_select_list(f->pool, MY, q),
               "SELECT t.`id`, t.`name_prefix`, t.`first_name`, t.`middle_name`, t.`last_name`, "
               "t.`name_suffix`, t.`gender`, t.`birthday`, t.`job_title`, t.`primary_email`, "
               "t.`secondary_email`, t.`primary_phone`, t.`mobile_phone`, t.`source`, "
               "t.`description`, t.`created_at`, t.`updated_at`, t.`owner_id`, "
               "t.`organization_id`, t.`account_id` FROM `orocrm_contact` t "
               "ORDER BY t.`last_name`, t.`first_name`, t.`id` LIMIT 11 OFFSET 0",
               NULL);
}

static void test_list_page(void **state)
{
    unit_fixture_t *f = *state;
    oro_api_query_t *q = query_of(f, load_real(f), "contacts");
    sort_by(q, "id", 1);
    q->page_number = 3;
    q->page_size = 20;
    expect_sql(oro_select_list(f->pool, PG, q),
               "SELECT " CONTACT_COLUMNS
               " FROM \"orocrm_contact\" t ORDER BY t.\"id\" DESC LIMIT 21 OFFSET 40",
               NULL);
    q->page_size = -1;
    expect_sql(oro_select_list(f->pool, PG, q),
               "SELECT " CONTACT_COLUMNS " FROM \"orocrm_contact\" t ORDER BY t.\"id\" DESC", NULL);
    expect_sql(
        oro_select_list(f->pool, MY, q),
        mysql(f, "SELECT " CONTACT_COLUMNS " FROM \"orocrm_contact\" t ORDER BY t.\"id\" DESC"),
        NULL);
}

static void test_list_with_filters(void **state)
{
    unit_fixture_t *f = *state;
    oro_api_query_t *q = query_of(f, load_real(f), "contacts");
    default_sort(q);
    filter(f, q, "account", ORO_OP_EQ, "5", NULL);
    filter(f, q, "lastName", ORO_OP_STARTS_WITH, "Sm", NULL);
    q->page_number = 2;
    expect_sql(oro_select_list(f->pool, PG, q),
               "SELECT " CONTACT_COLUMNS " FROM \"orocrm_contact\" t "
               "WHERE t.\"account_id\" = %s AND t.\"last_name\" ILIKE %s ESCAPE '\\' "
               "ORDER BY t.\"last_name\", t.\"first_name\", t.\"id\" LIMIT 11 OFFSET 10",
               "5", "Sm%", NULL);
    expect_sql(
        oro_select_list(f->pool, MY, q),
        mysql(f,
              "SELECT " CONTACT_COLUMNS " FROM \"orocrm_contact\" t "
              "WHERE t.\"account_id\" = %s AND LOWER(t.\"last_name\") LIKE LOWER(%s) ESCAPE '\\\\' "
              "ORDER BY t.\"last_name\", t.\"first_name\", t.\"id\" LIMIT 11 OFFSET 10"),
        "5", "Sm%", NULL);
}

static void test_eq_neq(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    oro_api_query_t *q = query_of(f, meta, "contacts");
    filter(f, q, "lastName", ORO_OP_EQ, "Smith", NULL);
    expect_count(f, q, CONTACT_COUNT "t.\"last_name\" = %s", "Smith", NULL);

    q = query_of(f, meta, "contacts");
    filter(f, q, "gender", ORO_OP_EQ, "male", "female", "other", NULL);
    expect_count(f, q, CONTACT_COUNT "t.\"gender\" IN (%s, %s, %s)", "male", "female", "other",
                 NULL);

    q = query_of(f, meta, "contacts");
    filter(f, q, "lastName", ORO_OP_NEQ, "Smith", NULL);
    expect_count(f, q, CONTACT_COUNT "t.\"last_name\" <> %s", "Smith", NULL);

    q = query_of(f, meta, "contacts");
    filter(f, q, "id", ORO_OP_NEQ, "1", "2", NULL);
    expect_count(f, q, CONTACT_COUNT "t.\"id\" NOT IN (%s, %s)", "1", "2", NULL);

    q = query_of(f, meta, "users");
    filter(f, q, "enabled", ORO_OP_EQ, "1", NULL);
    expect_count(f, q, "SELECT COUNT(*) FROM \"oro_user\" t WHERE t.\"enabled\" = %s", "1", NULL);
}

static void test_range_and_comparisons(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    oro_api_query_t *q = query_of(f, meta, "contacts");
    filter_range(f, q, "birthday", "1990-01-01", "1999-12-31");
    expect_count(f, q, CONTACT_COUNT "t.\"birthday\" BETWEEN %s AND %s", "1990-01-01", "1999-12-31",
                 NULL);

    static const struct {
        oro_filter_op_t op;
        const char *sql;
    } ops[] = {{ORO_OP_LT, " < "}, {ORO_OP_LTE, " <= "}, {ORO_OP_GT, " > "}, {ORO_OP_GTE, " >= "}};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        q = query_of(f, meta, "contacts");
        filter(f, q, "createdAt", ops[i].op, "2024-01-02 03:04:05.123456", NULL);
        expect_count(f, q,
                     apr_pstrcat(f->pool, CONTACT_COUNT "t.\"created_at\"", ops[i].sql, "%s", NULL),
                     "2024-01-02 03:04:05.123456", NULL);
    }
}

static void test_exists(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    oro_api_query_t *q = query_of(f, meta, "contacts");
    filter(f, q, "birthday", ORO_OP_EXISTS, "1", NULL);
    expect_count(f, q, CONTACT_COUNT "t.\"birthday\" IS NOT NULL", NULL);

    q = query_of(f, meta, "contacts");
    filter(f, q, "birthday", ORO_OP_EXISTS, "0", NULL);
    expect_count(f, q, CONTACT_COUNT "t.\"birthday\" IS NULL", NULL);

    /* a to-one relation: its column */
    q = query_of(f, meta, "contacts");
    filter(f, q, "account", ORO_OP_EXISTS, "0", NULL);
    expect_count(f, q, CONTACT_COUNT "t.\"account_id\" IS NULL", NULL);

    /* to-many: EXISTS over the related rows */
    q = query_of(f, meta, "accounts");
    filter(f, q, "contacts", ORO_OP_EXISTS, "1", NULL);
    expect_count(f, q,
                 "SELECT COUNT(*) FROM \"orocrm_account\" t WHERE EXISTS (SELECT 1 FROM "
                 "\"orocrm_contact\" r WHERE r.\"account_id\" = t.\"id\")",
                 NULL);

    q = query_of(f, meta, "users");
    filter(f, q, "roles", ORO_OP_EXISTS, "0", NULL);
    expect_count(f, q,
                 "SELECT COUNT(*) FROM \"oro_user\" t WHERE NOT EXISTS (SELECT 1 FROM "
                 "\"oro_user_access_role\" r WHERE r.\"user_id\" = t.\"id\")",
                 NULL);
}

static void test_neq_or_null(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    oro_api_query_t *q = query_of(f, meta, "contacts");
    filter(f, q, "gender", ORO_OP_NEQ_OR_NULL, "male", NULL);
    expect_count(f, q, CONTACT_COUNT "(t.\"gender\" <> %s OR t.\"gender\" IS NULL)", "male", NULL);

    q = query_of(f, meta, "contacts");
    filter(f, q, "account", ORO_OP_NEQ_OR_NULL, "4", "5", NULL);
    expect_count(f, q,
                 CONTACT_COUNT "(t.\"account_id\" NOT IN (%s, %s) OR t.\"account_id\" IS NULL)",
                 "4", "5", NULL);

    /* AND-ed with another filter: the OR stays in its parentheses */
    filter(f, q, "lastName", ORO_OP_EQ, "Smith", NULL);
    expect_count(f, q,
                 CONTACT_COUNT "(t.\"account_id\" NOT IN (%s, %s) OR t.\"account_id\" IS NULL) "
                               "AND t.\"last_name\" = %s",
                 "4", "5", "Smith", NULL);
}

/* The LIKE family on one dialect: op on lastName with value, expecting sql_op and param. */
static void expect_like(unit_fixture_t *f, const oro_meta_t *meta, oro_filter_op_t op,
                        const char *value, const char *pg_sql, const char *my_sql,
                        const char *param)
{
    oro_api_query_t *q = query_of(f, meta, "contacts");
    filter(f, q, "lastName", op, value, NULL);
    expect_sql(oro_select_count(f->pool, PG, q), apr_pstrcat(f->pool, CONTACT_COUNT, pg_sql, NULL),
               param, NULL);
    expect_sql(oro_select_count(f->pool, MY, q),
               apr_pstrcat(f->pool, mysql(f, CONTACT_COUNT), my_sql, NULL), param, NULL);
}

static void test_like_family(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    expect_like(f, meta, ORO_OP_CONTAINS, "smi", "t.\"last_name\" ILIKE %s ESCAPE '\\'",
                "LOWER(t.`last_name`) LIKE LOWER(%s) ESCAPE '\\\\'", "%smi%");
    expect_like(f, meta, ORO_OP_NOT_CONTAINS, "smi", "t.\"last_name\" NOT ILIKE %s ESCAPE '\\'",
                "LOWER(t.`last_name`) NOT LIKE LOWER(%s) ESCAPE '\\\\'", "%smi%");
    expect_like(f, meta, ORO_OP_STARTS_WITH, "smi", "t.\"last_name\" ILIKE %s ESCAPE '\\'",
                "LOWER(t.`last_name`) LIKE LOWER(%s) ESCAPE '\\\\'", "smi%");
    expect_like(f, meta, ORO_OP_NOT_STARTS_WITH, "smi", "t.\"last_name\" NOT ILIKE %s ESCAPE '\\'",
                "LOWER(t.`last_name`) NOT LIKE LOWER(%s) ESCAPE '\\\\'", "smi%");
    expect_like(f, meta, ORO_OP_ENDS_WITH, "ith", "t.\"last_name\" ILIKE %s ESCAPE '\\'",
                "LOWER(t.`last_name`) LIKE LOWER(%s) ESCAPE '\\\\'", "%ith");
    expect_like(f, meta, ORO_OP_NOT_ENDS_WITH, "ith", "t.\"last_name\" NOT ILIKE %s ESCAPE '\\'",
                "LOWER(t.`last_name`) NOT LIKE LOWER(%s) ESCAPE '\\\\'", "%ith");
}

static void test_like_escaping(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    /* the value's own %, _ and \ match themselves; a '%s' in the value stays a parameter */
    expect_like(f, meta, ORO_OP_CONTAINS, "50%_a\\b%s", "t.\"last_name\" ILIKE %s ESCAPE '\\'",
                "LOWER(t.`last_name`) LIKE LOWER(%s) ESCAPE '\\\\'", "%50\\%\\_a\\\\b\\%s%");
    expect_like(f, meta, ORO_OP_STARTS_WITH, "_", "t.\"last_name\" ILIKE %s ESCAPE '\\'",
                "LOWER(t.`last_name`) LIKE LOWER(%s) ESCAPE '\\\\'", "\\_%");
    expect_like(f, meta, ORO_OP_NOT_ENDS_WITH, "\\", "t.\"last_name\" NOT ILIKE %s ESCAPE '\\'",
                "LOWER(t.`last_name`) NOT LIKE LOWER(%s) ESCAPE '\\\\'", "%\\\\");
}

static void test_many_to_one(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    oro_api_query_t *q = query_of(f, meta, "contacts");
    filter(f, q, "account", ORO_OP_EQ, "5", "6", NULL);
    filter(f, q, "owner", ORO_OP_NEQ, "1", NULL);
    expect_count(f, q, CONTACT_COUNT "t.\"account_id\" IN (%s, %s) AND t.\"owner_id\" <> %s", "5",
                 "6", "1", NULL);

    /* a many-to-one with its own column name */
    q = query_of(f, meta, "categories");
    filter(f, q, "parentCategory", ORO_OP_EQ, "2", NULL);
    expect_count(f, q, "SELECT COUNT(*) FROM \"oro_catalog_category\" t WHERE t.\"parent_id\" = %s",
                 "2", NULL);
}

static void test_one_to_many(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    oro_api_query_t *q = query_of(f, meta, "accounts");
    filter(f, q, "contacts", ORO_OP_EQ, "1", "2", NULL);
    expect_count(f, q,
                 "SELECT COUNT(*) FROM \"orocrm_account\" t WHERE EXISTS (SELECT 1 FROM "
                 "\"orocrm_contact\" r WHERE r.\"account_id\" = t.\"id\" AND r.\"id\" IN (%s, %s))",
                 "1", "2", NULL);

    q = query_of(f, meta, "accounts");
    filter(f, q, "contacts", ORO_OP_EQ, "3", NULL);
    expect_count(f, q,
                 "SELECT COUNT(*) FROM \"orocrm_account\" t WHERE EXISTS (SELECT 1 FROM "
                 "\"orocrm_contact\" r WHERE r.\"account_id\" = t.\"id\" AND r.\"id\" = %s)",
                 "3", NULL);

    /* neq: none of the related ids is among the values (records without any match too) */
    q = query_of(f, meta, "accounts");
    filter(f, q, "contacts", ORO_OP_NEQ, "1", "2", NULL);
    expect_count(f, q,
                 "SELECT COUNT(*) FROM \"orocrm_account\" t WHERE NOT EXISTS (SELECT 1 FROM "
                 "\"orocrm_contact\" r WHERE r.\"account_id\" = t.\"id\" AND r.\"id\" IN (%s, %s))",
                 "1", "2", NULL);

    /* a self-referencing one-to-many through a named column */
    q = query_of(f, meta, "categories");
    filter(f, q, "childCategories", ORO_OP_EQ, "9", NULL);
    expect_count(f, q,
                 "SELECT COUNT(*) FROM \"oro_catalog_category\" t WHERE EXISTS (SELECT 1 FROM "
                 "\"oro_catalog_category\" r WHERE r.\"parent_id\" = t.\"id\" AND r.\"id\" = %s)",
                 "9", NULL);
}

static void test_many_to_many(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    oro_api_query_t *q = query_of(f, meta, "users");
    filter(f, q, "roles", ORO_OP_EQ, "3", "4", NULL);
    expect_count(f, q,
                 "SELECT COUNT(*) FROM \"oro_user\" t WHERE EXISTS (SELECT 1 FROM "
                 "\"oro_user_access_role\" r WHERE r.\"user_id\" = t.\"id\" AND r.\"role_id\" IN "
                 "(%s, %s))",
                 "3", "4", NULL);

    /* the inverse side: the same join table, columns swapped */
    q = query_of(f, meta, "roles");
    filter(f, q, "users", ORO_OP_EQ, "7", NULL);
    expect_count(
        f, q,
        "SELECT COUNT(*) FROM \"oro_access_role\" t WHERE EXISTS (SELECT 1 FROM "
        "\"oro_user_access_role\" r WHERE r.\"role_id\" = t.\"id\" AND r.\"user_id\" = %s)",
        "7", NULL);

    q = query_of(f, meta, "roles");
    filter(f, q, "users", ORO_OP_NEQ, "7", NULL);
    expect_count(
        f, q,
        "SELECT COUNT(*) FROM \"oro_access_role\" t WHERE NOT EXISTS (SELECT 1 FROM "
        "\"oro_user_access_role\" r WHERE r.\"role_id\" = t.\"id\" AND r.\"user_id\" = %s)",
        "7", NULL);

    q = query_of(f, meta, "products");
    filter(f, q, "categories", ORO_OP_EQ, "1", "2", NULL);
    filter(f, q, "categories", ORO_OP_EXISTS, "1", NULL);
    expect_count(f, q,
                 "SELECT COUNT(*) FROM \"oro_product\" t WHERE EXISTS (SELECT 1 FROM "
                 "\"oro_product_category\" r WHERE r.\"product_id\" = t.\"id\" AND "
                 "r.\"category_id\" IN (%s, %s)) AND EXISTS (SELECT 1 FROM "
                 "\"oro_product_category\" r WHERE r.\"product_id\" = t.\"id\")",
                 "1", "2", NULL);
}

static void test_multiple_filters(void **state)
{
    unit_fixture_t *f = *state;
    oro_api_query_t *q = query_of(f, load_real(f), "users");
    filter(f, q, "enabled", ORO_OP_EQ, "0", NULL);
    filter(f, q, "lastLogin", ORO_OP_LT, "2024-01-01 00:00:00", NULL);
    filter(f, q, "email", ORO_OP_ENDS_WITH, "@example.com", NULL);
    filter(f, q, "roles", ORO_OP_EQ, "1", NULL);
    sort_by(q, "lastLogin", 1);
    sort_by(q, "id", 0);
    expect_sql(oro_select_list(f->pool, PG, q),
               "SELECT " USER_COLUMNS " FROM \"oro_user\" t WHERE t.\"enabled\" = %s AND "
               "t.\"last_login\" < %s AND t.\"email\" ILIKE %s ESCAPE '\\' AND EXISTS (SELECT 1 "
               "FROM \"oro_user_access_role\" r WHERE r.\"user_id\" = t.\"id\" AND r.\"role_id\" "
               "= %s) ORDER BY t.\"last_login\" DESC, t.\"id\" LIMIT 11 OFFSET 0",
               "0", "2024-01-01 00:00:00", "%@example.com", "1", NULL);
    expect_sql(
        oro_select_list(f->pool, MY, q),
        mysql(
            f,
            "SELECT " USER_COLUMNS " FROM \"oro_user\" t WHERE t.\"enabled\" = %s AND "
            "t.\"last_login\" < %s AND LOWER(t.\"email\") LIKE LOWER(%s) ESCAPE '\\\\' AND EXISTS "
            "(SELECT 1 FROM \"oro_user_access_role\" r WHERE r.\"user_id\" = t.\"id\" "
            "AND r.\"role_id\" = %s) ORDER BY t.\"last_login\" IS NULL DESC, "
            "t.\"last_login\" DESC, t.\"id\" LIMIT 11 OFFSET 0"),
        "0", "2024-01-01 00:00:00", "%@example.com", "1", NULL);
    /* the count has the same WHERE and parameters, and no ORDER BY or LIMIT */
    expect_sql(oro_select_count(f->pool, PG, q),
               "SELECT COUNT(*) FROM \"oro_user\" t WHERE t.\"enabled\" = %s AND "
               "t.\"last_login\" < %s AND t.\"email\" ILIKE %s ESCAPE '\\' AND EXISTS (SELECT 1 "
               "FROM \"oro_user_access_role\" r WHERE r.\"user_id\" = t.\"id\" AND r.\"role_id\" "
               "= %s)",
               "0", "2024-01-01 00:00:00", "%@example.com", "1", NULL);
}

static void test_sort_nulls(void **state)
{
    unit_fixture_t *f = *state;
    oro_api_query_t *q = query_of(f, load_real(f), "contacts");
    sort_by(q, "birthday", 0);  /* nullable, ascending: NULLs last */
    sort_by(q, "jobTitle", 1);  /* nullable, descending: NULLs first */
    sort_by(q, "account", 1);   /* nullable many-to-one */
    sort_by(q, "lastName", 1);  /* required: never NULL */
    sort_by(q, "createdAt", 0); /* system: never NULL */
    sort_by(q, "id", 1);
    q->page_size = 5;
    const char *tail = " FROM \"orocrm_contact\" t ORDER BY ";
    expect_sql(oro_select_list(f->pool, PG, q),
               apr_pstrcat(f->pool, "SELECT " CONTACT_COLUMNS, tail,
                           "t.\"birthday\", t.\"job_title\" DESC, t.\"account_id\" DESC, "
                           "t.\"last_name\" DESC, t.\"created_at\", t.\"id\" DESC LIMIT 6 OFFSET 0",
                           NULL),
               NULL);
    expect_sql(oro_select_list(f->pool, MY, q),
               mysql(f, apr_pstrcat(f->pool, "SELECT " CONTACT_COLUMNS, tail,
                                    "t.\"birthday\" IS NULL, t.\"birthday\", "
                                    "t.\"job_title\" IS NULL DESC, t.\"job_title\" DESC, "
                                    "t.\"account_id\" IS NULL DESC, t.\"account_id\" DESC, "
                                    "t.\"last_name\" DESC, t.\"created_at\", t.\"id\" DESC "
                                    "LIMIT 6 OFFSET 0",
                                    NULL)),
               NULL);
}

static void test_sort_without_id(void **state)
{
    unit_fixture_t *f = *state;
    oro_api_query_t *q = query_of(f, load_real(f), "contacts");
    /* the parser always ends the sort with id; should it not, id is still the tie-breaker */
    sort_by(q, "middleName", 0);
    expect_sql(oro_select_list(f->pool, MY, q),
               mysql(f, "SELECT " CONTACT_COLUMNS " FROM \"orocrm_contact\" t ORDER BY "
                        "t.\"middle_name\" IS NULL, t.\"middle_name\", t.\"id\" LIMIT 11 OFFSET 0"),
               NULL);
    q = query_of(f, load_real(f), "contacts");
    expect_sql(oro_select_list(f->pool, PG, q),
               "SELECT " CONTACT_COLUMNS
               " FROM \"orocrm_contact\" t ORDER BY t.\"id\" LIMIT 11 OFFSET 0",
               NULL);
}

static void test_count(void **state)
{
    unit_fixture_t *f = *state;
    oro_api_query_t *q = query_of(f, load_real(f), "contacts");
    default_sort(q);
    expect_sql(oro_select_count(f->pool, PG, q), "SELECT COUNT(*) FROM \"orocrm_contact\" t", NULL);
    expect_sql(oro_select_count(f->pool, MY, q), "SELECT COUNT(*) FROM `orocrm_contact` t", NULL);
}

static void test_by_id(void **state)
{
    unit_fixture_t *f = *state;
    const oro_entity_t *contacts = oro_meta_entity(load_real(f), "contacts");
    expect_sql(oro_select_by_id(f->pool, PG, contacts, "42"),
               "SELECT " CONTACT_COLUMNS " FROM \"orocrm_contact\" t WHERE t.\"id\" = %s", "42",
               NULL);
    expect_sql(oro_select_by_id(f->pool, MY, contacts, "42"),
               mysql(f, "SELECT " CONTACT_COLUMNS " FROM \"orocrm_contact\" t WHERE t.\"id\" = %s"),
               "42", NULL);
}

static void test_by_ids(void **state)
{
    unit_fixture_t *f = *state;
    const oro_entity_t *contacts = oro_meta_entity(load_real(f), "contacts");
    apr_array_header_t *ids = ids_of(f, 3, "3", "1", "2");
    const char *want = "SELECT " CONTACT_COLUMNS " FROM \"orocrm_contact\" t WHERE t.\"id\" IN "
                       "(%s, %s, %s) ORDER BY t.\"id\"";
    expect_sql(oro_select_by_ids(f->pool, PG, contacts, ids), want, "3", "1", "2", NULL);
    expect_sql(oro_select_by_ids(f->pool, MY, contacts, ids), mysql(f, want), "3", "1", "2", NULL);

    /* no ids: a valid statement without rows */
    expect_sql(oro_select_by_ids(f->pool, PG, contacts, ids_of(f, 0)),
               "SELECT " CONTACT_COLUMNS " FROM \"orocrm_contact\" t WHERE 1 = 0 ORDER BY t.\"id\"",
               NULL);

    /* many ids */
    apr_array_header_t *many = apr_array_make(f->pool, 3000, sizeof(const char *));
    for (int i = 0; i < 3000; i++) {
        APR_ARRAY_PUSH(many, const char *) = apr_itoa(f->pool, i + 1);
    }
    oro_sql_t *sql = oro_select_by_ids(f->pool, PG, contacts, many);
    assert_int_equal(sql->params->nelts, 3000);
    assert_int_equal(param_markers(sql->sql), 3000);
    assert_string_equal(APR_ARRAY_IDX(sql->params, 2999, const char *), "3000");
    assert_contains(sql->sql, "WHERE t.\"id\" IN (%s, %s, ");
    assert_contains(sql->sql, ", %s, %s) ORDER BY t.\"id\"");
}

static void test_to_many_ids(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    apr_array_header_t *ids = ids_of(f, 2, "10", "11");

    const oro_relation_t *contacts =
        oro_meta_relation(oro_meta_entity(meta, "accounts"), "contacts");
    const char *want = "SELECT r.\"account_id\", r.\"id\" FROM \"orocrm_contact\" r WHERE "
                       "r.\"account_id\" IN (%s, %s) ORDER BY r.\"account_id\", r.\"id\"";
    expect_sql(oro_select_to_many_ids(f->pool, PG, contacts, ids), want, "10", "11", NULL);
    expect_sql(oro_select_to_many_ids(f->pool, MY, contacts, ids), mysql(f, want), "10", "11",
               NULL);

    const oro_relation_t *roles = oro_meta_relation(oro_meta_entity(meta, "users"), "roles");
    want = "SELECT r.\"user_id\", r.\"role_id\" FROM \"oro_user_access_role\" r WHERE "
           "r.\"user_id\" IN (%s, %s) ORDER BY r.\"user_id\", r.\"role_id\"";
    expect_sql(oro_select_to_many_ids(f->pool, PG, roles, ids), want, "10", "11", NULL);
    expect_sql(oro_select_to_many_ids(f->pool, MY, roles, ids), mysql(f, want), "10", "11", NULL);

    const oro_relation_t *users = oro_meta_relation(oro_meta_entity(meta, "roles"), "users");
    want = "SELECT r.\"role_id\", r.\"user_id\" FROM \"oro_user_access_role\" r WHERE "
           "r.\"role_id\" IN (%s, %s) ORDER BY r.\"role_id\", r.\"user_id\"";
    expect_sql(oro_select_to_many_ids(f->pool, PG, users, ids), want, "10", "11", NULL);
    expect_sql(oro_select_to_many_ids(f->pool, MY, users, ids), mysql(f, want), "10", "11", NULL);

    const oro_relation_t *products =
        oro_meta_relation(oro_meta_entity(meta, "categories"), "products");
    expect_sql(oro_select_to_many_ids(f->pool, PG, products, ids_of(f, 1, "5")),
               "SELECT r.\"category_id\", r.\"product_id\" FROM \"oro_product_category\" r WHERE "
               "r.\"category_id\" IN (%s) ORDER BY r.\"category_id\", r.\"product_id\"",
               "5", NULL);

    /* no ids: no rows; a many-to-one is not a to-many relation */
    expect_sql(oro_select_to_many_ids(f->pool, PG, contacts, ids_of(f, 0)),
               "SELECT r.\"account_id\", r.\"id\" FROM \"orocrm_contact\" r WHERE 1 = 0 "
               "ORDER BY r.\"account_id\", r.\"id\"",
               NULL);
    const oro_relation_t *account = oro_meta_relation(oro_meta_entity(meta, "contacts"), "account");
    assert_null(oro_select_to_many_ids(f->pool, PG, account, ids));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_columns),
        UNIT_TEST(test_list_default_pgsql),
        UNIT_TEST(test_list_default_mysql),
        UNIT_TEST(test_list_page),
        UNIT_TEST(test_list_with_filters),
        UNIT_TEST(test_eq_neq),
        UNIT_TEST(test_range_and_comparisons),
        UNIT_TEST(test_exists),
        UNIT_TEST(test_neq_or_null),
        UNIT_TEST(test_like_family),
        UNIT_TEST(test_like_escaping),
        UNIT_TEST(test_many_to_one),
        UNIT_TEST(test_one_to_many),
        UNIT_TEST(test_many_to_many),
        UNIT_TEST(test_multiple_filters),
        UNIT_TEST(test_sort_nulls),
        UNIT_TEST(test_sort_without_id),
        UNIT_TEST(test_count),
        UNIT_TEST(test_by_id),
        UNIT_TEST(test_by_ids),
        UNIT_TEST(test_to_many_ids),
    };
    if (apr_initialize() != APR_SUCCESS) {
        return 1;
    }
    int rc = cmocka_run_group_tests_name("api_select", tests, NULL, NULL);
    apr_terminate();
    return rc;
}
