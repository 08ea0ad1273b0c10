/* t/unit/test_schema.c — lib/db/schema_plan.c: the DDL between the entity metadata and a
 * database, for an empty database, a complete one (idempotence) and hand-made current
 * schemas that simulate added, widened, narrowed and dropped columns. No database is
 * needed: oro_db_schema_t is built by hand as oro_schema_introspect would report it. */
#include "unit.h"

#include "db/schema.h"
#include "meta/meta.h"

#ifndef ORO_SOURCE_ROOT
#define ORO_SOURCE_ROOT "."
#endif
#define ENTITY_DIR ORO_SOURCE_ROOT "/conf.d/entities"

#define PG ORO_DIALECT_PGSQL
#define MY ORO_DIALECT_MYSQL

static const oro_meta_t *load_real(unit_fixture_t *f)
{
    apr_array_header_t *errors = NULL;
    oro_meta_t *meta = oro_meta_load(f->pool, ENTITY_DIR, &errors);
    if (errors != NULL) {
        fail_msg("conf.d/entities does not load:\n%s", oro_meta_errors_text(f->pool, errors));
    }
    return meta;
}

/* Loads one definition written with ' for " as "v.json". */
static const oro_meta_t *load_one(unit_fixture_t *f, const char *text)
{
    char *json = apr_pstrdup(f->pool, text);
    for (char *c = json; *c; c++) {
        if (*c == '\'') {
            *c = '"';
        }
    }
    apr_hash_t *h = apr_hash_make(f->pool);
    apr_hash_set(h, "v.json", APR_HASH_KEY_STRING, json);
    apr_array_header_t *errors = NULL;
    oro_meta_t *meta = oro_meta_load_texts(f->pool, h, &errors);
    if (errors != NULL) {
        fail_msg("definition does not load:\n%s", oro_meta_errors_text(f->pool, errors));
    }
    return meta;
}

/* Entity "notes" (table note, ownership none) with the given fields and relations. */
static const oro_meta_t *notes(unit_fixture_t *f, const char *fields, const char *relations)
{
    return load_one(f, apr_psprintf(f->pool,
                                    "{'type': 'notes', 'table': 'note', 'label': 'Note', "
                                    "'ownership': 'none', 'fields': {%s}, 'relations': {%s}}",
                                    fields, relations ? relations : ""));
}

#define NOTE_FIELDS                                                                                \
    "'title': {'type': 'string', 'length': 255}, 'body': {'type': 'text'}, "                       \
    "'hits': {'type': 'integer'}, 'big': {'type': 'bigint'}, "                                     \
    "'total': {'type': 'decimal', 'precision': 12, 'scale': 2}"

static const char *dump(apr_pool_t *p, const oro_schema_plan_t *plan)
{
    const char *out = "statements:";
    for (int i = 0; i < plan->statements->nelts; i++) {
        const oro_ddl_t *d = &APR_ARRAY_IDX(plan->statements, i, oro_ddl_t);
        out = apr_psprintf(p, "%s\n  [%d] %s", out, i, d->sql);
    }
    out = apr_pstrcat(p, out, "\nrefusals:", NULL);
    for (int i = 0; i < plan->refusals->nelts; i++) {
        out = apr_pstrcat(p, out, "\n  ", APR_ARRAY_IDX(plan->refusals, i, const char *), NULL);
    }
    out = apr_pstrcat(p, out, "\nnotices:", NULL);
    for (int i = 0; i < plan->notices->nelts; i++) {
        out = apr_pstrcat(p, out, "\n  ", APR_ARRAY_IDX(plan->notices, i, const char *), NULL);
    }
    return out;
}

static const oro_schema_plan_t *make_plan(unit_fixture_t *f, const oro_meta_t *meta,
                                          oro_dialect_t dialect, const oro_db_schema_t *current,
                                          int force)
{
    const oro_schema_plan_t *plan = oro_schema_plan(f->pool, meta, dialect, current, force);
    assert_non_null(plan);
    assert_non_null(plan->statements);
    assert_non_null(plan->refusals);
    assert_non_null(plan->notices);
    return plan;
}

/* Index of the statement whose SQL equals sql, or -1. */
static int find_sql(const oro_schema_plan_t *plan, const char *sql)
{
    for (int i = 0; i < plan->statements->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(plan->statements, i, oro_ddl_t).sql, sql) == 0) {
            return i;
        }
    }
    return -1;
}

/* Index of the first statement starting with prefix, or -1. */
static int find_prefix(const oro_schema_plan_t *plan, const char *prefix)
{
    for (int i = 0; i < plan->statements->nelts; i++) {
        if (strncmp(APR_ARRAY_IDX(plan->statements, i, oro_ddl_t).sql, prefix, strlen(prefix)) ==
            0) {
            return i;
        }
    }
    return -1;
}

static int count_containing(const oro_schema_plan_t *plan, const char *needle)
{
    int n = 0;
    for (int i = 0; i < plan->statements->nelts; i++) {
        n += strstr(APR_ARRAY_IDX(plan->statements, i, oro_ddl_t).sql, needle) != NULL;
    }
    return n;
}

#define assert_has_sql(f, plan, sql)                                                               \
    do {                                                                                           \
        if (find_sql((plan), (sql)) < 0) {                                                         \
            fail_msg("no statement\n  %s\nin\n%s", (sql), dump((f)->pool, (plan)));                \
        }                                                                                          \
    } while (0)

/* The SQL of the CREATE TABLE of table (fails if absent). */
static const char *create_table(unit_fixture_t *f, const oro_schema_plan_t *plan,
                                oro_dialect_t dialect, const char *table)
{
    const char *prefix =
        apr_psprintf(f->pool, "CREATE TABLE %s (", oro_schema_quote(f->pool, dialect, table));
    int i = find_prefix(plan, prefix);
    if (i < 0) {
        fail_msg("no %s... in\n%s", prefix, dump(f->pool, plan));
    }
    return APR_ARRAY_IDX(plan->statements, i, oro_ddl_t).sql;
}

/* Expects exactly the statements given (NULL-terminated), in order. */
static void expect_statements(unit_fixture_t *f, const oro_schema_plan_t *plan, ...)
{
    va_list ap;
    va_start(ap, plan);
    int i = 0;
    const char *want;
    while ((want = va_arg(ap, const char *)) != NULL) {
        if (i >= plan->statements->nelts ||
            strcmp(APR_ARRAY_IDX(plan->statements, i, oro_ddl_t).sql, want) != 0) {
            va_end(ap);
            fail_msg("statement %d should be\n  %s\nplan:\n%s", i, want, dump(f->pool, plan));
        }
        i++;
    }
    va_end(ap);
    if (i != plan->statements->nelts) {
        fail_msg("%d statements instead of %d\n%s", plan->statements->nelts, i,
                 dump(f->pool, plan));
    }
}

static void expect_no_refusal(unit_fixture_t *f, const oro_schema_plan_t *plan)
{
    if (plan->refusals->nelts != 0 || plan->notices->nelts != 0) {
        fail_msg("unexpected refusals or notices\n%s", dump(f->pool, plan));
    }
}

static void expect_one_refusal(unit_fixture_t *f, const oro_schema_plan_t *plan,
                               const char *message)
{
    if (plan->refusals->nelts != 1 ||
        strcmp(APR_ARRAY_IDX(plan->refusals, 0, const char *), message) != 0) {
        fail_msg("expected the one refusal\n  %s\n%s", message, dump(f->pool, plan));
    }
}

/* ---- simulated databases ------------------------------------------------------------- */

static oro_db_column_t *column(apr_pool_t *p, const char *name, oro_sql_kind_t kind,
                               const char *type_text, int length, int precision, int scale,
                               int nullable)
{
    oro_db_column_t *c = apr_pcalloc(p, sizeof *c);
    c->name = name;
    c->kind = kind;
    c->type_text = type_text;
    c->length = length;
    c->precision = precision;
    c->scale = scale;
    c->nullable = nullable;
    return c;
}

static void put_column(apr_pool_t *p, oro_db_table_t *t, oro_db_column_t *c)
{
    (void)p;
    apr_hash_set(t->columns, c->name, APR_HASH_KEY_STRING, c);
}

static oro_db_table_t *put_table(apr_pool_t *p, oro_db_schema_t *s, const char *name)
{
    oro_db_table_t *t = apr_hash_get(s->tables, name, APR_HASH_KEY_STRING);
    if (t == NULL) {
        t = apr_pcalloc(p, sizeof *t);
        t->name = name;
        t->columns = apr_hash_make(p);
        apr_hash_set(s->tables, name, APR_HASH_KEY_STRING, t);
    }
    return t;
}

/* The column a field becomes, as introspection reports it in dialect. */
static oro_db_column_t *field_column(apr_pool_t *p, const oro_field_t *fl, oro_dialect_t dialect)
{
    int my = dialect == MY;
    int nullable = !(fl->flags & (ORO_FLAG_REQUIRED | ORO_FLAG_SYSTEM));
    switch (fl->type) {
    case ORO_FIELD_TEXT:
        return column(p, fl->column, ORO_SQL_TEXT, my ? "mediumtext" : "text", 0, 0, 0, nullable);
    case ORO_FIELD_INTEGER:
        return column(p, fl->column, ORO_SQL_INT, my ? "int" : "integer", 0, 32, 0, nullable);
    case ORO_FIELD_BIGINT:
        return column(p, fl->column, ORO_SQL_BIGINT, "bigint", 0, 64, 0, nullable);
    case ORO_FIELD_DECIMAL:
    case ORO_FIELD_MONEY:
        return column(p, fl->column, ORO_SQL_DECIMAL, my ? "decimal" : "numeric", 0, fl->precision,
                      fl->scale, nullable);
    case ORO_FIELD_BOOLEAN:
        return column(p, fl->column, ORO_SQL_BOOL, my ? "tinyint" : "boolean", 0, 0, 0, nullable);
    case ORO_FIELD_DATE:
        return column(p, fl->column, ORO_SQL_DATE, "date", 0, 0, 0, nullable);
    case ORO_FIELD_DATETIME:
        return column(p, fl->column, ORO_SQL_DATETIME,
                      my ? "datetime" : "timestamp without time zone", 0, 0, 0, nullable);
    default:
        return column(p, fl->column, ORO_SQL_VARCHAR, my ? "varchar" : "character varying",
                      fl->length, 0, 0, nullable);
    }
}

/* The object name a statement creates, from its summary ("add index X", …). */
static const char *created_object(const oro_ddl_t *d)
{
    static const char *const prefixes[] = {
        "add unique constraint ", "add unique index ", "add index ", "add foreign key ",
        "add trigger ",           "add function ",     NULL};
    for (const char *const *pre = prefixes; *pre; pre++) {
        if (strncmp(d->summary, *pre, strlen(*pre)) == 0) {
            return d->summary + strlen(*pre);
        }
    }
    return NULL;
}

/* A database in which everything meta declares exists: every table with every column
 * (right kind, length, nullability), and every index, constraint, trigger and
 * function the empty-database plan creates. */
static oro_db_schema_t *simulate(unit_fixture_t *f, const oro_meta_t *meta, oro_dialect_t dialect)
{
    apr_pool_t *p = f->pool;
    oro_db_schema_t *s = apr_pcalloc(p, sizeof *s);
    s->tables = apr_hash_make(p);
    s->objects = apr_hash_make(p);
    for (int i = 0; i < meta->entities->nelts; i++) {
        const oro_entity_t *e = APR_ARRAY_IDX(meta->entities, i, oro_entity_t *);
        oro_db_table_t *t = put_table(p, s, e->table);
        for (int j = 0; j < e->fields->nelts; j++) {
            put_column(p, t, field_column(p, APR_ARRAY_IDX(e->fields, j, oro_field_t *), dialect));
        }
        for (int j = 0; j < e->relations->nelts; j++) {
            const oro_relation_t *r = APR_ARRAY_IDX(e->relations, j, oro_relation_t *);
            if (r->kind == ORO_RELATION_MANY_TO_ONE) {
                put_column(p, t,
                           column(p, r->column, ORO_SQL_BIGINT, "bigint", 0, 64, 0, !r->required));
            }
            else if (r->kind == ORO_RELATION_MANY_TO_MANY && r->mapped_by == NULL) {
                oro_db_table_t *jt = put_table(p, s, r->join_table);
                put_column(p, jt, column(p, r->join_column, ORO_SQL_BIGINT, "bigint", 0, 64, 0, 0));
                put_column(
                    p, jt,
                    column(p, r->inverse_join_column, ORO_SQL_BIGINT, "bigint", 0, 64, 0, 0));
            }
        }
    }
    const oro_schema_plan_t *empty = oro_schema_plan(p, meta, dialect, NULL, 0);
    for (int i = 0; i < empty->statements->nelts; i++) {
        const char *name = created_object(&APR_ARRAY_IDX(empty->statements, i, oro_ddl_t));
        if (name != NULL) {
            apr_hash_set(s->objects, name, APR_HASH_KEY_STRING, "");
        }
    }
    return s;
}

static oro_db_column_t *current_column(oro_db_schema_t *s, const char *table, const char *name)
{
    oro_db_table_t *t = apr_hash_get(s->tables, table, APR_HASH_KEY_STRING);
    assert_non_null(t);
    oro_db_column_t *c = apr_hash_get(t->columns, name, APR_HASH_KEY_STRING);
    if (c == NULL) {
        fail_msg("simulated %s has no column %s", table, name);
    }
    return c;
}

/* ---- empty database ------------------------------------------------------------------- */

/* Checks shared by both dialects on the plan for an empty database. */
static void check_empty_plan_common(unit_fixture_t *f, const oro_meta_t *meta,
                                    const oro_schema_plan_t *plan, oro_dialect_t dialect)
{
    apr_pool_t *p = f->pool;
    expect_no_refusal(f, plan);
    int last_table = -1, first_index = -1, last_index = -1, first_fk = -1, last_fk = -1,
        first_trigger = -1;
    for (int i = 0; i < plan->statements->nelts; i++) {
        const oro_ddl_t *d = &APR_ARRAY_IDX(plan->statements, i, oro_ddl_t);
        /* new tables: nothing online */
        assert_int_equal(d->in_transaction_ok, 1);
        assert_null(d->undo_sql);
        assert_null(strstr(d->sql, "CONCURRENTLY"));
        assert_null(strstr(d->sql, "LOCK=NONE"));
        assert_non_null(d->summary);
        if (strncmp(d->sql, "CREATE TABLE", 12) == 0) {
            last_table = i;
        }
        else if (strstr(d->summary, "index ") != NULL || strstr(d->summary, "constraint ")) {
            first_index = first_index < 0 ? i : first_index;
            last_index = i;
        }
        else if (strncmp(d->summary, "add foreign key ", 16) == 0) {
            first_fk = first_fk < 0 ? i : first_fk;
            last_fk = i;
        }
        else if (strncmp(d->summary, "add trigger ", 12) == 0) {
            first_trigger = first_trigger < 0 ? i : first_trigger;
        }
    }
    /* tables, then indexes, then foreign keys; each table's trigger after its keys */
    assert_true(last_table < first_index);
    assert_true(last_index < first_fk);
    assert_true(first_fk < first_trigger);
    (void)last_fk;

    /* 11 entity tables + 3 join tables, one trigger per entity table */
    assert_int_equal(count_containing(plan, "CREATE TABLE "), 14);
    assert_int_equal(count_containing(plan, "CREATE TRIGGER "), 11);
    for (int i = 0; i < meta->entities->nelts; i++) {
        const oro_entity_t *e = APR_ARRAY_IDX(meta->entities, i, oro_entity_t *);
        const char *sql = create_table(f, plan, dialect, e->table);
        /* every column of every field and many-to-one, required ones NOT NULL */
        for (int j = 1; j < e->fields->nelts; j++) {
            const oro_field_t *fl = APR_ARRAY_IDX(e->fields, j, oro_field_t *);
            const char *def = apr_psprintf(
                p, "%s %s%s", oro_schema_quote(p, dialect, fl->column),
                oro_schema_field_type(p, fl, dialect),
                (fl->flags & (ORO_FLAG_REQUIRED | ORO_FLAG_SYSTEM)) ? " NOT NULL" : "");
            assert_contains(sql, apr_pstrcat(p, "\n    ", def, NULL));
            if (!(fl->flags & (ORO_FLAG_REQUIRED | ORO_FLAG_SYSTEM))) {
                assert_null(strstr(sql, apr_pstrcat(p, def, " NOT NULL", NULL)));
            }
        }
        for (int j = 0; j < e->relations->nelts; j++) {
            const oro_relation_t *r = APR_ARRAY_IDX(e->relations, j, oro_relation_t *);
            if (r->kind != ORO_RELATION_MANY_TO_ONE) {
                continue;
            }
            const char *col = oro_schema_quote(p, dialect, r->column);
            assert_contains(
                sql, apr_psprintf(p, "\n    %s bigint%s", col, r->required ? " NOT NULL" : ""));
            /* an index on every many-to-one column */
            const char *idx = oro_schema_object_name(p, "idx", e->table, r->column);
            assert_has_sql(f, plan,
                           dialect == MY
                               ? apr_psprintf(p, "ALTER TABLE %s ADD INDEX %s (%s)",
                                              oro_schema_quote(p, dialect, e->table),
                                              oro_schema_quote(p, dialect, idx), col)
                               : apr_psprintf(p, "CREATE INDEX %s ON %s (%s)",
                                              oro_schema_quote(p, dialect, idx),
                                              oro_schema_quote(p, dialect, e->table), col));
            /* and a foreign key with its ON DELETE */
            static const char *const actions[] = {"RESTRICT", "SET NULL", "CASCADE"};
            assert_has_sql(
                f, plan,
                apr_psprintf(p,
                             "ALTER TABLE %s ADD CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s "
                             "(id) ON DELETE %s",
                             oro_schema_quote(p, dialect, e->table),
                             oro_schema_quote(p, dialect,
                                              oro_schema_object_name(p, "fk", e->table, r->column)),
                             col, oro_schema_quote(p, dialect, r->target->table),
                             actions[r->on_delete]));
        }
        /* the updated_at trigger */
        const char *trg = oro_schema_quote(p, dialect, apr_psprintf(p, "trg_%s_touch", e->table));
        assert_has_sql(f, plan,
                       dialect == MY
                           ? apr_psprintf(p,
                                          "CREATE TRIGGER %s BEFORE UPDATE ON %s FOR EACH ROW "
                                          "SET NEW.updated_at = UTC_TIMESTAMP(6)",
                                          trg, oro_schema_quote(p, dialect, e->table))
                           : apr_psprintf(p,
                                          "CREATE TRIGGER %s BEFORE UPDATE ON %s FOR EACH ROW "
                                          "EXECUTE FUNCTION oro_touch_updated_at()",
                                          trg, oro_schema_quote(p, dialect, e->table)));
    }
}

static void test_empty_database_pgsql(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    const oro_schema_plan_t *plan = make_plan(f, meta, PG, NULL, 0);
    check_empty_plan_common(f, meta, plan, PG);

    /* the trigger function first */
    const oro_ddl_t *first = &APR_ARRAY_IDX(plan->statements, 0, oro_ddl_t);
    assert_starts_with(first->sql, "CREATE OR REPLACE FUNCTION oro_touch_updated_at() RETURNS "
                                   "trigger AS $$\n");
    assert_contains(first->sql, "NEW.updated_at := now() AT TIME ZONE 'utc';");
    assert_string_equal(first->summary, "add function oro_touch_updated_at");
    assert_int_equal(count_containing(plan, "CREATE OR REPLACE FUNCTION"), 1);

    const char *contact = create_table(f, plan, PG, "orocrm_contact");
    assert_starts_with(contact, "CREATE TABLE \"orocrm_contact\" (\n"
                                "    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
                                "    \"name_prefix\" varchar(50),\n"
                                "    \"first_name\" varchar(255) NOT NULL,\n");
    assert_contains(contact, "\n    \"gender\" varchar(32),\n");
    assert_contains(contact, "\n    \"birthday\" date,\n");
    assert_contains(contact, "\n    \"primary_email\" varchar(255),\n");
    assert_contains(contact, "\n    \"primary_phone\" varchar(50),\n");
    assert_contains(contact, "\n    \"description\" text,\n");
    assert_contains(contact, "\n    \"created_at\" timestamp(6) without time zone NOT NULL "
                             "DEFAULT (now() AT TIME ZONE 'utc'),\n");
    assert_contains(contact, "\n    \"updated_at\" timestamp(6) without time zone NOT NULL "
                             "DEFAULT (now() AT TIME ZONE 'utc'),\n");
    assert_contains(contact, "\n    \"owner_id\" bigint NOT NULL,\n"
                             "    \"organization_id\" bigint NOT NULL,\n"
                             "    \"account_id\" bigint\n)");
    assert_null(strstr(contact, "ENGINE"));

    const char *opp = create_table(f, plan, PG, "orocrm_sales_opportunity");
    assert_contains(opp, "\"status\" varchar(32) NOT NULL DEFAULT 'in_progress',");
    assert_contains(opp, "\"probability\" numeric(5,4),");
    assert_contains(opp, "\"budget\" numeric(19,4),");
    const char *user = create_table(f, plan, PG, "oro_user");
    assert_contains(user, "\"enabled\" boolean NOT NULL DEFAULT true,");
    assert_contains(user, "\"password\" varchar(255),");
    assert_contains(user, "\"last_login\" timestamp(6) without time zone,");
    assert_contains(user, "\"login_count\" integer NOT NULL DEFAULT 0,");
    assert_contains(user, "\"business_unit_owner_id\" bigint NOT NULL,");
    const char *item = create_table(f, plan, PG, "oro_order_line_item");
    assert_contains(item, "\"quantity\" integer NOT NULL DEFAULT 1,");
    assert_contains(item, "\"price\" numeric(19,4) NOT NULL,");
    assert_contains(item, "\"order_id\" bigint NOT NULL,");
    assert_null(strstr(item, "owner_id"));
    assert_null(strstr(item, "organization_id"));

    /* join tables with a composite primary key, indexed on the second column */
    assert_has_sql(
        f, plan,
        "CREATE TABLE \"oro_user_access_role\" (\n    \"user_id\" bigint NOT NULL,\n"
        "    \"role_id\" bigint NOT NULL,\n    PRIMARY KEY (\"user_id\", \"role_id\")\n)");
    assert_has_sql(f, plan,
                   "CREATE TABLE \"oro_product_category\" (\n    \"product_id\" bigint NOT NULL,\n"
                   "    \"category_id\" bigint NOT NULL,\n"
                   "    PRIMARY KEY (\"product_id\", \"category_id\")\n)");
    assert_int_equal(find_prefix(plan, "CREATE TABLE \"oro_access_role_users\""), -1);
    assert_has_sql(f, plan,
                   "CREATE INDEX \"idx_oro_user_access_role_role_id\" ON \"oro_user_access_role\" "
                   "(\"role_id\")");
    assert_has_sql(f, plan,
                   "ALTER TABLE \"oro_user_access_role\" ADD CONSTRAINT "
                   "\"fk_oro_user_access_role_user_id\" FOREIGN KEY (\"user_id\") REFERENCES "
                   "\"oro_user\" (id) ON DELETE CASCADE");
    assert_has_sql(f, plan,
                   "ALTER TABLE \"oro_user_access_role\" ADD CONSTRAINT "
                   "\"fk_oro_user_access_role_role_id\" FOREIGN KEY (\"role_id\") REFERENCES "
                   "\"oro_access_role\" (id) ON DELETE CASCADE");

    /* unique: an index, then the constraint using it */
    int uq = find_sql(plan, "CREATE UNIQUE INDEX \"uq_oro_user_username\" ON \"oro_user\" "
                            "(\"username\")");
    assert_true(uq > 0);
    assert_string_equal(APR_ARRAY_IDX(plan->statements, uq + 1, oro_ddl_t).sql,
                        "ALTER TABLE \"oro_user\" ADD CONSTRAINT \"uq_oro_user_username\" UNIQUE "
                        "USING INDEX \"uq_oro_user_username\"");
    assert_has_sql(f, plan,
                   "CREATE UNIQUE INDEX \"uq_oro_product_sku\" ON \"oro_product\" (\"sku\")");
    assert_int_equal(count_containing(plan, "CREATE UNIQUE INDEX"), 6);
    assert_int_equal(count_containing(plan, "USING INDEX"), 6);

    /* sort indexes: default sort columns then id; none for a sort by id */
    assert_has_sql(f, plan,
                   "CREATE INDEX \"idx_orocrm_contact_sort\" ON \"orocrm_contact\" (\"last_name\", "
                   "\"first_name\", \"id\")");
    assert_has_sql(f, plan,
                   "CREATE INDEX \"idx_orocrm_sales_opportunity_sort\" ON "
                   "\"orocrm_sales_opportunity\" (\"close_date\", \"id\")");
    assert_has_sql(f, plan,
                   "CREATE INDEX \"idx_oro_order_sort\" ON \"oro_order\" (\"created_at\", \"id\")");
    assert_int_equal(find_prefix(plan, "CREATE INDEX \"idx_oro_order_line_item_sort\""), -1);

    /* a few foreign keys spelled out */
    assert_has_sql(f, plan,
                   "ALTER TABLE \"orocrm_contact\" ADD CONSTRAINT \"fk_orocrm_contact_account_id\" "
                   "FOREIGN KEY (\"account_id\") REFERENCES \"orocrm_account\" (id) ON DELETE SET "
                   "NULL");
    assert_has_sql(f, plan,
                   "ALTER TABLE \"orocrm_sales_opportunity\" ADD CONSTRAINT "
                   "\"fk_orocrm_sales_opportunity_account_id\" FOREIGN KEY (\"account_id\") "
                   "REFERENCES \"orocrm_account\" (id) ON DELETE CASCADE");
    assert_has_sql(f, plan,
                   "ALTER TABLE \"orocrm_contact\" ADD CONSTRAINT \"fk_orocrm_contact_owner_id\" "
                   "FOREIGN KEY (\"owner_id\") REFERENCES \"oro_user\" (id) ON DELETE RESTRICT");
    assert_has_sql(
        f, plan,
        "ALTER TABLE \"oro_user\" ADD CONSTRAINT "
        "\"fk_oro_user_business_unit_owner_id\" FOREIGN KEY (\"business_unit_owner_id\") "
        "REFERENCES \"oro_business_unit\" (id) ON DELETE RESTRICT");
    assert_has_sql(f, plan,
                   "ALTER TABLE \"oro_order\" ADD CONSTRAINT \"fk_oro_order_account_id\" FOREIGN "
                   "KEY (\"account_id\") REFERENCES \"orocrm_account\" (id) ON DELETE RESTRICT");
}

static void test_empty_database_mysql(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    const oro_schema_plan_t *plan = make_plan(f, meta, MY, NULL, 0);
    check_empty_plan_common(f, meta, plan, MY);
    assert_int_equal(count_containing(plan, "FUNCTION"), 0);
    assert_starts_with(APR_ARRAY_IDX(plan->statements, 0, oro_ddl_t).sql, "CREATE TABLE ");

    const char *contact = create_table(f, plan, MY, "orocrm_contact");
    assert_starts_with(contact, "CREATE TABLE `orocrm_contact` (\n"
                                "    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
                                "    `name_prefix` varchar(50),\n"
                                "    `first_name` varchar(255) NOT NULL,\n");
    assert_contains(contact, "\n    `description` mediumtext,\n");
    assert_contains(contact, "\n    `created_at` datetime(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),\n");
    assert_contains(contact, "\n    `account_id` bigint\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
                             "COLLATE=utf8mb4_nopad_bin");
    const char *opp = create_table(f, plan, MY, "orocrm_sales_opportunity");
    assert_contains(opp, "`status` varchar(32) NOT NULL DEFAULT 'in_progress',");
    assert_contains(opp, "`probability` decimal(5,4),");
    assert_contains(opp, "`budget` decimal(19,4),");
    const char *user = create_table(f, plan, MY, "oro_user");
    assert_contains(user, "`enabled` tinyint(1) NOT NULL DEFAULT 1,");
    assert_contains(user, "`login_count` int NOT NULL DEFAULT 0,");
    assert_contains(user, "`last_login` datetime(6),");
    assert_int_equal(count_containing(plan, "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"), 14);

    assert_has_sql(f, plan,
                   "CREATE TABLE `oro_user_organization` (\n    `user_id` bigint NOT NULL,\n"
                   "    `organization_id` bigint NOT NULL,\n"
                   "    PRIMARY KEY (`user_id`, `organization_id`)\n) ENGINE=InnoDB DEFAULT "
                   "CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin");
    assert_has_sql(f, plan,
                   "ALTER TABLE `oro_user` ADD CONSTRAINT `uq_oro_user_email` UNIQUE (`email`)");
    assert_has_sql(f, plan,
                   "ALTER TABLE `oro_organization` ADD CONSTRAINT `uq_oro_organization_name` "
                   "UNIQUE (`name`)");
    assert_int_equal(count_containing(plan, "UNIQUE"), 6);
    assert_int_equal(count_containing(plan, "USING INDEX"), 0);
    assert_has_sql(f, plan,
                   "ALTER TABLE `orocrm_contact` ADD INDEX `idx_orocrm_contact_sort` (`last_name`, "
                   "`first_name`, `id`)");
    assert_has_sql(f, plan,
                   "ALTER TABLE `oro_catalog_category` ADD CONSTRAINT "
                   "`fk_oro_catalog_category_parent_id` FOREIGN KEY (`parent_id`) REFERENCES "
                   "`oro_catalog_category` (id) ON DELETE SET NULL");
}

/* Column types of every field type in both dialects. */
static void test_field_types(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = notes(
        f,
        "'s': {'type': 'string', 'length': 20}, 't': {'type': 'text'}, 'i': {'type': 'integer'},"
        "'b': {'type': 'bigint'}, 'd': {'type': 'decimal', 'precision': 8, 'scale': 3},"
        "'m': {'type': 'money'}, 'o': {'type': 'boolean'}, 'a': {'type': 'date'},"
        "'dt': {'type': 'datetime'}, 'e': {'type': 'enum', 'values': ['x']},"
        "'em': {'type': 'email'}, 'ph': {'type': 'phone'}, 'u': {'type': 'url'},"
        "'pw': {'type': 'password'}",
        NULL);
    const oro_entity_t *e = oro_meta_entity(meta, "notes");
    static const char *const names[] = {"s", "t",  "i", "b",  "d",  "m", "o",
                                        "a", "dt", "e", "em", "ph", "u", "pw"};
    static const char *const pg[] = {
        "varchar(20)",   "text",         "integer",
        "bigint",        "numeric(8,3)", "numeric(19,4)",
        "boolean",       "date",         "timestamp(6) without time zone",
        "varchar(32)",   "varchar(255)", "varchar(50)",
        "varchar(2048)", "varchar(255)"};
    static const char *const my[] = {
        "varchar(20)",   "mediumtext",  "int",           "bigint",      "decimal(8,3)",
        "decimal(19,4)", "tinyint(1)",  "date",          "datetime(6)", "varchar(32)",
        "varchar(255)",  "varchar(50)", "varchar(2048)", "varchar(255)"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const oro_field_t *fl = oro_meta_field(e, names[i]);
        assert_non_null(fl);
        assert_string_equal(oro_schema_field_type(f->pool, fl, PG), pg[i]);
        assert_string_equal(oro_schema_field_type(f->pool, fl, MY), my[i]);
    }
}

/* DEFAULT clauses: quoted strings and enums (quotes doubled), booleans, numbers, dates. */
static void test_default_clauses(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta =
        notes(f,
              "'label': {'type': 'string', 'default': 'it\\u0027s a \\\\ test'},"
              "'kind': {'type': 'enum', 'values': ['a', 'b'], 'default': 'b', 'required': true},"
              "'flag': {'type': 'boolean', 'default': false},"
              "'n': {'type': 'integer', 'default': -5},"
              "'price': {'type': 'money', 'default': '9.99'},"
              "'day': {'type': 'date', 'default': '2024-01-31'}",
              NULL);
    const char *pg = create_table(f, make_plan(f, meta, PG, NULL, 0), PG, "note");
    assert_contains(pg, "\"label\" varchar(255) DEFAULT 'it''s a \\ test',");
    assert_contains(pg, "\"kind\" varchar(32) NOT NULL DEFAULT 'b',");
    assert_contains(pg, "\"flag\" boolean DEFAULT false,");
    assert_contains(pg, "\"n\" integer DEFAULT -5,");
    assert_contains(pg, "\"price\" numeric(19,4) DEFAULT 9.99,");
    assert_contains(pg, "\"day\" date DEFAULT '2024-01-31',");
    const char *my = create_table(f, make_plan(f, meta, MY, NULL, 0), MY, "note");
    assert_contains(my, "`label` varchar(255) DEFAULT 'it''s a \\\\ test',");
    assert_contains(my, "`kind` varchar(32) NOT NULL DEFAULT 'b',");
    assert_contains(my, "`flag` tinyint(1) DEFAULT 0,");
    assert_contains(my, "`n` int DEFAULT -5,");
    assert_contains(my, "`day` date DEFAULT '2024-01-31',");
}

/* ---- existing database ------------------------------------------------------------------ */

static void test_existing_database_idempotent(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    for (int d = 0; d < 2; d++) {
        oro_dialect_t dialect = d ? MY : PG;
        oro_db_schema_t *current = simulate(f, meta, dialect);
        assert_int_equal(apr_hash_count(current->tables), 14);
        for (int force = 0; force < 2; force++) {
            const oro_schema_plan_t *plan = make_plan(f, meta, dialect, current, force);
            expect_no_refusal(f, plan);
            expect_statements(f, plan, NULL);
        }
        /* rows change nothing */
        for (apr_hash_index_t *hi = apr_hash_first(f->pool, current->tables); hi;
             hi = apr_hash_next(hi)) {
            ((oro_db_table_t *)apr_hash_this_val(hi))->has_rows = 1;
        }
        expect_statements(f, make_plan(f, meta, dialect, current, 0), NULL);
    }
}

/* A missing object is planned alone, online. */
static void test_existing_database_missing_objects(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    oro_db_schema_t *current = simulate(f, meta, PG);
    apr_hash_set(current->objects, "idx_orocrm_contact_account_id", APR_HASH_KEY_STRING, NULL);
    apr_hash_set(current->objects, "trg_oro_product_touch", APR_HASH_KEY_STRING, NULL);
    apr_hash_set(current->objects, "oro_touch_updated_at", APR_HASH_KEY_STRING, NULL);
    const oro_schema_plan_t *plan = make_plan(f, meta, PG, current, 0);
    expect_no_refusal(f, plan);
    expect_statements(
        f, plan, APR_ARRAY_IDX(make_plan(f, meta, PG, NULL, 0)->statements, 0, oro_ddl_t).sql,
        "CREATE INDEX CONCURRENTLY \"idx_orocrm_contact_account_id\" ON \"orocrm_contact\" "
        "(\"account_id\")",
        "CREATE TRIGGER \"trg_oro_product_touch\" BEFORE UPDATE ON \"oro_product\" FOR EACH ROW "
        "EXECUTE FUNCTION oro_touch_updated_at()",
        NULL);
    const oro_ddl_t *idx = &APR_ARRAY_IDX(plan->statements, 1, oro_ddl_t);
    assert_int_equal(idx->in_transaction_ok, 0);
    assert_string_equal(idx->undo_sql, "DROP INDEX IF EXISTS \"idx_orocrm_contact_account_id\"");
    assert_string_equal(idx->summary, "add index idx_orocrm_contact_account_id");

    /* a missing join table is created with its index, offline (it is new) */
    oro_db_schema_t *my = simulate(f, meta, MY);
    apr_hash_set(my->tables, "oro_product_category", APR_HASH_KEY_STRING, NULL);
    apr_hash_set(my->objects, "idx_oro_product_category_category_id", APR_HASH_KEY_STRING, NULL);
    apr_hash_set(my->objects, "fk_oro_product_category_product_id", APR_HASH_KEY_STRING, NULL);
    apr_hash_set(my->objects, "fk_oro_product_category_category_id", APR_HASH_KEY_STRING, NULL);
    plan = make_plan(f, meta, MY, my, 0);
    expect_no_refusal(f, plan);
    expect_statements(f, plan,
                      "CREATE TABLE `oro_product_category` (\n    `product_id` bigint NOT NULL,\n"
                      "    `category_id` bigint NOT NULL,\n"
                      "    PRIMARY KEY (`product_id`, `category_id`)\n) ENGINE=InnoDB DEFAULT "
                      "CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin",
                      "ALTER TABLE `oro_product_category` ADD INDEX "
                      "`idx_oro_product_category_category_id` (`category_id`)",
                      "ALTER TABLE `oro_product_category` ADD CONSTRAINT "
                      "`fk_oro_product_category_product_id` FOREIGN KEY (`product_id`) REFERENCES "
                      "`oro_product` (id) ON DELETE CASCADE",
                      "ALTER TABLE `oro_product_category` ADD CONSTRAINT "
                      "`fk_oro_product_category_category_id` FOREIGN KEY (`category_id`) "
                      "REFERENCES `oro_catalog_category` (id) ON DELETE CASCADE",
                      NULL);
}

/* ---- added fields ---------------------------------------------------------------------- */

static void test_add_field(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *v1 = notes(f, NOTE_FIELDS, NULL);
    const oro_meta_t *v2 = notes(f, NOTE_FIELDS ", 'nickname': {'type': 'string'}", NULL);
    for (int d = 0; d < 2; d++) {
        oro_dialect_t dialect = d ? MY : PG;
        oro_db_schema_t *current = simulate(f, v1, dialect);
        expect_statements(f, make_plan(f, v1, dialect, current, 0), NULL);
        const oro_schema_plan_t *plan = make_plan(f, v2, dialect, current, 0);
        expect_no_refusal(f, plan);
        expect_statements(f, plan,
                          d ? "ALTER TABLE `note` ADD COLUMN `nickname` varchar(255), LOCK=NONE"
                            : "ALTER TABLE \"note\" ADD COLUMN \"nickname\" varchar(255)",
                          NULL);
        const oro_ddl_t *st = &APR_ARRAY_IDX(plan->statements, 0, oro_ddl_t);
        assert_int_equal(st->in_transaction_ok, 1);
        assert_null(st->undo_sql);
        assert_string_equal(st->summary, "add column note.nickname");
    }

    /* required with a default: NOT NULL DEFAULT, even on a table with rows */
    const oro_meta_t *v3 = notes(
        f, NOTE_FIELDS ", 'level': {'type': 'integer', 'required': true, 'default': 3}", NULL);
    oro_db_schema_t *current = simulate(f, v1, PG);
    put_table(f->pool, current, "note")->has_rows = 1;
    const oro_schema_plan_t *plan = make_plan(f, v3, PG, current, 0);
    expect_no_refusal(f, plan);
    expect_statements(f, plan,
                      "ALTER TABLE \"note\" ADD COLUMN \"level\" integer NOT NULL DEFAULT 3", NULL);
    current = simulate(f, v1, MY);
    put_table(f->pool, current, "note")->has_rows = 1;
    expect_statements(f, make_plan(f, v3, MY, current, 0),
                      "ALTER TABLE `note` ADD COLUMN `level` int NOT NULL DEFAULT 3, LOCK=NONE",
                      NULL);

    /* required without a default: refused on a table with rows, even forced */
    const oro_meta_t *v4 =
        notes(f, NOTE_FIELDS ", 'code': {'type': 'string', 'required': true}", NULL);
    current = simulate(f, v1, PG);
    put_table(f->pool, current, "note")->has_rows = 1;
    for (int force = 0; force < 2; force++) {
        plan = make_plan(f, v4, PG, current, force);
        expect_statements(f, plan, NULL);
        expect_one_refusal(f, plan,
                           "notes.code is required but has no default, and note already holds "
                           "rows: give it a \"default\" in v.json, or make it optional first");
    }
    /* … and planned on an empty table */
    put_table(f->pool, current, "note")->has_rows = 0;
    plan = make_plan(f, v4, PG, current, 0);
    expect_no_refusal(f, plan);
    expect_statements(f, plan, "ALTER TABLE \"note\" ADD COLUMN \"code\" varchar(255) NOT NULL",
                      NULL);
}

static void test_add_unique_field(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *v1 = notes(f, NOTE_FIELDS, NULL);
    const oro_meta_t *v2 =
        notes(f, NOTE_FIELDS ", 'code': {'type': 'string', 'length': 40, 'unique': true}", NULL);

    const oro_schema_plan_t *plan = make_plan(f, v2, PG, simulate(f, v1, PG), 0);
    expect_no_refusal(f, plan);
    expect_statements(f, plan, "ALTER TABLE \"note\" ADD COLUMN \"code\" varchar(40)",
                      "CREATE UNIQUE INDEX CONCURRENTLY \"uq_note_code\" ON \"note\" (\"code\")",
                      "ALTER TABLE \"note\" ADD CONSTRAINT \"uq_note_code\" UNIQUE USING INDEX "
                      "\"uq_note_code\"",
                      NULL);
    const oro_ddl_t *idx = &APR_ARRAY_IDX(plan->statements, 1, oro_ddl_t);
    assert_int_equal(idx->in_transaction_ok, 0);
    assert_string_equal(idx->undo_sql, "DROP INDEX IF EXISTS \"uq_note_code\"");
    assert_string_equal(idx->summary, "add unique index uq_note_code");
    const oro_ddl_t *con = &APR_ARRAY_IDX(plan->statements, 2, oro_ddl_t);
    assert_int_equal(con->in_transaction_ok, 1);
    assert_null(con->undo_sql);

    plan = make_plan(f, v2, MY, simulate(f, v1, MY), 0);
    expect_no_refusal(f, plan);
    expect_statements(f, plan, "ALTER TABLE `note` ADD COLUMN `code` varchar(40), LOCK=NONE",
                      "ALTER TABLE `note` ADD CONSTRAINT `uq_note_code` UNIQUE (`code`), "
                      "LOCK=NONE",
                      NULL);
    assert_int_equal(APR_ARRAY_IDX(plan->statements, 1, oro_ddl_t).in_transaction_ok, 1);
}

/* An indexed field: an online index on (column, id), for equality filters with the id
 * order of a page. */
static void test_add_indexed_field(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *v1 = notes(f, NOTE_FIELDS, NULL);
    const oro_meta_t *v2 =
        notes(f, NOTE_FIELDS ", 'code': {'type': 'string', 'length': 40, 'indexed': true}", NULL);
    const oro_schema_plan_t *plan = make_plan(f, v2, PG, simulate(f, v1, PG), 0);
    expect_no_refusal(f, plan);
    expect_statements(f, plan, "ALTER TABLE \"note\" ADD COLUMN \"code\" varchar(40)",
                      "CREATE INDEX CONCURRENTLY \"idx_note_code\" ON \"note\" (\"code\", \"id\")",
                      NULL);
    plan = make_plan(f, v2, MY, simulate(f, v1, MY), 0);
    expect_statements(f, plan, "ALTER TABLE `note` ADD COLUMN `code` varchar(40), LOCK=NONE",
                      "ALTER TABLE `note` ADD INDEX `idx_note_code` (`code`, `id`), LOCK=NONE",
                      NULL);
    /* once it exists, nothing more */
    plan = make_plan(f, v2, PG, simulate(f, v2, PG), 0);
    expect_statements(f, plan, NULL);
}

/* A new many-to-one on an existing table: column, online index, foreign key. */
static void test_add_relation(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *v1 = notes(f, NOTE_FIELDS, NULL);
    const oro_meta_t *v2 =
        notes(f, NOTE_FIELDS,
              "'parent': {'type': 'many-to-one', 'target': 'notes', 'onDelete': 'cascade'}");
    const oro_schema_plan_t *plan = make_plan(f, v2, PG, simulate(f, v1, PG), 0);
    expect_no_refusal(f, plan);
    expect_statements(f, plan, "ALTER TABLE \"note\" ADD COLUMN \"parent_id\" bigint",
                      "CREATE INDEX CONCURRENTLY \"idx_note_parent_id\" ON \"note\" "
                      "(\"parent_id\")",
                      "ALTER TABLE \"note\" ADD CONSTRAINT \"fk_note_parent_id\" FOREIGN KEY "
                      "(\"parent_id\") REFERENCES \"note\" (id) ON DELETE CASCADE",
                      NULL);
    plan = make_plan(f, v2, MY, simulate(f, v1, MY), 0);
    expect_statements(f, plan, "ALTER TABLE `note` ADD COLUMN `parent_id` bigint, LOCK=NONE",
                      "ALTER TABLE `note` ADD INDEX `idx_note_parent_id` (`parent_id`), LOCK=NONE",
                      "ALTER TABLE `note` ADD CONSTRAINT `fk_note_parent_id` FOREIGN KEY "
                      "(`parent_id`) REFERENCES `note` (id) ON DELETE CASCADE",
                      NULL);
    /* required: refused on a table with rows */
    const oro_meta_t *v3 = notes(f, NOTE_FIELDS,
                                 "'parent': {'type': 'many-to-one', 'target': 'notes', "
                                 "'required': true}");
    oro_db_schema_t *current = simulate(f, v1, PG);
    put_table(f->pool, current, "note")->has_rows = 1;
    plan = make_plan(f, v3, PG, current, 0);
    assert_int_equal(find_prefix(plan, "ALTER TABLE \"note\" ADD COLUMN"), -1);
    expect_one_refusal(f, plan,
                       "notes.parent is a required relation, and note already holds rows: make "
                       "it optional, add it, fill it, then make it required");
}

/* ---- changed columns -------------------------------------------------------------------- */

/* Plans meta against its own simulated database with one column changed to have. */
static const oro_schema_plan_t *plan_with_column(unit_fixture_t *f, const oro_meta_t *meta,
                                                 oro_dialect_t dialect, oro_db_column_t *have,
                                                 int force)
{
    oro_db_schema_t *current = simulate(f, meta, dialect);
    current_column(current, "note", have->name); /* must exist */
    put_column(f->pool, put_table(f->pool, current, "note"), have);
    return make_plan(f, meta, dialect, current, force);
}

static void test_widening(void **state)
{
    unit_fixture_t *f = *state;
    apr_pool_t *p = f->pool;
    const oro_meta_t *meta = notes(f, NOTE_FIELDS, NULL);
    /* varchar 100 -> 255 */
    const oro_schema_plan_t *plan = plan_with_column(
        f, meta, PG, column(p, "title", ORO_SQL_VARCHAR, "character varying", 100, 0, 0, 1), 0);
    expect_no_refusal(f, plan);
    expect_statements(f, plan,
                      "ALTER TABLE \"note\" ALTER COLUMN \"title\" TYPE varchar(255) USING "
                      "\"title\"::varchar(255)",
                      NULL);
    assert_string_equal(APR_ARRAY_IDX(plan->statements, 0, oro_ddl_t).summary,
                        "change note.title to varchar(255)");
    plan = plan_with_column(f, meta, MY,
                            column(p, "title", ORO_SQL_VARCHAR, "varchar", 100, 0, 0, 1), 0);
    expect_no_refusal(f, plan);
    expect_statements(f, plan, "ALTER TABLE `note` MODIFY `title` varchar(255)", NULL);
    /* integer -> bigint */
    plan = plan_with_column(f, meta, PG, column(p, "big", ORO_SQL_INT, "integer", 0, 32, 0, 1), 0);
    expect_no_refusal(f, plan);
    expect_statements(f, plan,
                      "ALTER TABLE \"note\" ALTER COLUMN \"big\" TYPE bigint USING "
                      "\"big\"::bigint",
                      NULL);
    plan = plan_with_column(f, meta, MY, column(p, "big", ORO_SQL_INT, "int", 0, 10, 0, 1), 0);
    expect_statements(f, plan, "ALTER TABLE `note` MODIFY `big` bigint", NULL);
    /* varchar -> text */
    plan = plan_with_column(
        f, meta, PG, column(p, "body", ORO_SQL_VARCHAR, "character varying", 4000, 0, 0, 1), 0);
    expect_no_refusal(f, plan);
    expect_statements(f, plan,
                      "ALTER TABLE \"note\" ALTER COLUMN \"body\" TYPE text USING "
                      "\"body\"::text",
                      NULL);
    plan = plan_with_column(f, meta, MY,
                            column(p, "body", ORO_SQL_VARCHAR, "varchar", 4000, 0, 0, 1), 0);
    expect_statements(f, plan, "ALTER TABLE `note` MODIFY `body` mediumtext", NULL);
    /* decimal(10,2) -> (12,2) */
    plan = plan_with_column(f, meta, PG,
                            column(p, "total", ORO_SQL_DECIMAL, "numeric", 0, 10, 2, 1), 0);
    expect_no_refusal(f, plan);
    expect_statements(f, plan,
                      "ALTER TABLE \"note\" ALTER COLUMN \"total\" TYPE numeric(12,2) "
                      "USING \"total\"::numeric(12,2)",
                      NULL);
    plan = plan_with_column(f, meta, MY,
                            column(p, "total", ORO_SQL_DECIMAL, "decimal", 0, 10, 2, 1), 0);
    expect_statements(f, plan, "ALTER TABLE `note` MODIFY `total` decimal(12,2)", NULL);
    /* decimal(11,1) -> (12,2): one more place on both sides */
    plan = plan_with_column(f, meta, PG,
                            column(p, "total", ORO_SQL_DECIMAL, "numeric", 0, 11, 1, 1), 0);
    expect_no_refusal(f, plan);
    assert_int_equal(plan->statements->nelts, 1);
}

/* Narrowing: refused (message names the column and --force), planned with force. */
static void expect_narrowing(unit_fixture_t *f, const oro_meta_t *meta, oro_db_column_t *have_pg,
                             oro_db_column_t *have_my, const char *field, const char *pg_sql,
                             const char *my_sql)
{
    for (int d = 0; d < 2; d++) {
        oro_dialect_t dialect = d ? MY : PG;
        oro_db_column_t *have = d ? have_my : have_pg;
        const oro_schema_plan_t *plan = plan_with_column(f, meta, dialect, have, 0);
        expect_statements(f, plan, NULL);
        if (plan->refusals->nelts != 1) {
            fail_msg("expected one refusal\n%s", dump(f->pool, plan));
        }
        const char *why = APR_ARRAY_IDX(plan->refusals, 0, const char *);
        assert_starts_with(why, apr_psprintf(f->pool, "notes.%s: changing note.%s from %s", field,
                                             have->name, have->type_text));
        assert_contains(why, "may lose data");
        assert_contains(why, "--force");
        plan = plan_with_column(f, meta, dialect, have, 1);
        expect_no_refusal(f, plan);
        expect_statements(f, plan, d ? my_sql : pg_sql, NULL);
    }
}

static void test_narrowing(void **state)
{
    unit_fixture_t *f = *state;
    apr_pool_t *p = f->pool;
    const oro_meta_t *meta = notes(
        f,
        "'title': {'type': 'string', 'length': 100}, 'body': {'type': 'string', 'length': 500},"
        "'hits': {'type': 'integer'}, 'total': {'type': 'decimal', 'precision': 12, 'scale': 1}",
        NULL);
    /* varchar 255 -> 100 */
    expect_narrowing(f, meta,
                     column(p, "title", ORO_SQL_VARCHAR, "character varying", 255, 0, 0, 1),
                     column(p, "title", ORO_SQL_VARCHAR, "varchar", 255, 0, 0, 1), "title",
                     "ALTER TABLE \"note\" ALTER COLUMN \"title\" TYPE varchar(100) USING "
                     "\"title\"::varchar(100)",
                     "ALTER TABLE `note` MODIFY `title` varchar(100)");
    /* bigint -> integer */
    expect_narrowing(f, meta, column(p, "hits", ORO_SQL_BIGINT, "bigint", 0, 64, 0, 1),
                     column(p, "hits", ORO_SQL_BIGINT, "bigint", 0, 19, 0, 1), "hits",
                     "ALTER TABLE \"note\" ALTER COLUMN \"hits\" TYPE integer USING "
                     "\"hits\"::integer",
                     "ALTER TABLE `note` MODIFY `hits` int");
    /* decimal scale 2 -> 1 */
    expect_narrowing(f, meta, column(p, "total", ORO_SQL_DECIMAL, "numeric", 0, 12, 2, 1),
                     column(p, "total", ORO_SQL_DECIMAL, "decimal", 0, 12, 2, 1), "total",
                     "ALTER TABLE \"note\" ALTER COLUMN \"total\" TYPE numeric(12,1) USING "
                     "\"total\"::numeric(12,1)",
                     "ALTER TABLE `note` MODIFY `total` decimal(12,1)");
    /* decimal with fewer digits before the point: (14,2) -> (12,1) */
    expect_narrowing(f, meta, column(p, "total", ORO_SQL_DECIMAL, "numeric", 0, 14, 1, 1),
                     column(p, "total", ORO_SQL_DECIMAL, "decimal", 0, 14, 1, 1), "total",
                     "ALTER TABLE \"note\" ALTER COLUMN \"total\" TYPE numeric(12,1) USING "
                     "\"total\"::numeric(12,1)",
                     "ALTER TABLE `note` MODIFY `total` decimal(12,1)");
    /* text -> varchar */
    expect_narrowing(f, meta, column(p, "body", ORO_SQL_TEXT, "text", 0, 0, 0, 1),
                     column(p, "body", ORO_SQL_TEXT, "mediumtext", 0, 0, 0, 1), "body",
                     "ALTER TABLE \"note\" ALTER COLUMN \"body\" TYPE varchar(500) USING "
                     "\"body\"::varchar(500)",
                     "ALTER TABLE `note` MODIFY `body` varchar(500)");
    /* an unknown type is not assumed compatible */
    expect_narrowing(f, meta, column(p, "hits", ORO_SQL_OTHER, "smallint", 0, 16, 0, 1),
                     column(p, "hits", ORO_SQL_OTHER, "smallint", 0, 5, 0, 1), "hits",
                     "ALTER TABLE \"note\" ALTER COLUMN \"hits\" TYPE integer USING "
                     "\"hits\"::integer",
                     "ALTER TABLE `note` MODIFY `hits` int");
}

/* The refusal shows the column's current type as the database reports it. */
static void test_narrowing_message(void **state)
{
    unit_fixture_t *f = *state;
    apr_pool_t *p = f->pool;
    const oro_meta_t *meta =
        notes(f, "'hits': {'type': 'integer'}, 'body': {'type': 'string'}", NULL);
    const oro_schema_plan_t *plan =
        plan_with_column(f, meta, PG, column(p, "hits", ORO_SQL_BIGINT, "bigint", 0, 64, 0, 1), 0);
    expect_one_refusal(f, plan,
                       "notes.hits: changing note.hits from bigint to integer may lose data "
                       "(narrowing or incompatible); run with --force to change it anyway");
    plan = plan_with_column(f, meta, PG, column(p, "body", ORO_SQL_TEXT, "text", 0, 0, 0, 1), 0);
    expect_one_refusal(f, plan,
                       "notes.body: changing note.body from text to varchar(255) may lose data "
                       "(narrowing or incompatible); run with --force to change it anyway");
}

static void test_extra_column(void **state)
{
    unit_fixture_t *f = *state;
    apr_pool_t *p = f->pool;
    const oro_meta_t *meta = notes(f, NOTE_FIELDS, NULL);
    for (int d = 0; d < 2; d++) {
        oro_dialect_t dialect = d ? MY : PG;
        oro_db_schema_t *current = simulate(f, meta, dialect);
        put_column(p, put_table(p, current, "note"),
                   column(p, "legacy", ORO_SQL_VARCHAR, "varchar", 10, 0, 0, 1));
        const oro_schema_plan_t *plan = make_plan(f, meta, dialect, current, 0);
        expect_statements(f, plan, NULL);
        expect_one_refusal(f, plan,
                           "note.legacy is not in the definition of notes (v.json): dropping it "
                           "loses its data; run with --force to drop it");
        plan = make_plan(f, meta, dialect, current, 1);
        expect_no_refusal(f, plan);
        expect_statements(f, plan,
                          d ? "ALTER TABLE `note` DROP COLUMN `legacy`"
                            : "ALTER TABLE \"note\" DROP COLUMN \"legacy\"",
                          NULL);
        assert_string_equal(APR_ARRAY_IDX(plan->statements, 0, oro_ddl_t).summary,
                            "drop column note.legacy");
    }
}

static void test_nullability(void **state)
{
    unit_fixture_t *f = *state;
    apr_pool_t *p = f->pool;
    const oro_meta_t *required =
        notes(f, "'title': {'type': 'string', 'required': true, 'default': 'x'}",
              "'parent': {'type': 'many-to-one', 'target': 'notes', 'required': true}");
    const oro_meta_t *optional = notes(f, "'title': {'type': 'string'}",
                                       "'parent': {'type': 'many-to-one', 'target': 'notes'}");

    /* nullable -> required: refused without force */
    for (int d = 0; d < 2; d++) {
        oro_dialect_t dialect = d ? MY : PG;
        oro_db_schema_t *current = simulate(f, optional, dialect);
        const oro_schema_plan_t *plan = make_plan(f, required, dialect, current, 0);
        expect_statements(f, plan, NULL);
        if (plan->refusals->nelts != 2) {
            fail_msg("expected two refusals\n%s", dump(p, plan));
        }
        assert_string_equal(APR_ARRAY_IDX(plan->refusals, 0, const char *),
                            "notes.title became required: making note.title NOT NULL fails if a "
                            "row holds NULL; fill it, then run with --force");
        assert_string_equal(APR_ARRAY_IDX(plan->refusals, 1, const char *),
                            "notes.parent became required: making note.parent_id NOT NULL fails "
                            "if a row holds NULL; fill it, then run with --force");
        plan = make_plan(f, required, dialect, current, 1);
        expect_no_refusal(f, plan);
        if (d) {
            expect_statements(f, plan,
                              "ALTER TABLE `note` MODIFY `title` varchar(255) NOT NULL DEFAULT 'x'",
                              "ALTER TABLE `note` MODIFY `parent_id` bigint NOT NULL", NULL);
        }
        else {
            expect_statements(f, plan, "ALTER TABLE \"note\" ALTER COLUMN \"title\" SET NOT NULL",
                              "ALTER TABLE \"note\" ALTER COLUMN \"parent_id\" SET NOT NULL", NULL);
        }
        assert_string_equal(APR_ARRAY_IDX(plan->statements, 0, oro_ddl_t).summary,
                            "make note.title NOT NULL");
    }
    /* required -> optional: planned */
    for (int d = 0; d < 2; d++) {
        oro_dialect_t dialect = d ? MY : PG;
        const oro_schema_plan_t *plan =
            make_plan(f, optional, dialect, simulate(f, required, dialect), 0);
        expect_no_refusal(f, plan);
        if (d) {
            expect_statements(f, plan, "ALTER TABLE `note` MODIFY `title` varchar(255)",
                              "ALTER TABLE `note` MODIFY `parent_id` bigint", NULL);
        }
        else {
            expect_statements(f, plan, "ALTER TABLE \"note\" ALTER COLUMN \"title\" DROP NOT NULL",
                              "ALTER TABLE \"note\" ALTER COLUMN \"parent_id\" DROP NOT NULL",
                              NULL);
        }
        assert_string_equal(APR_ARRAY_IDX(plan->statements, 0, oro_ddl_t).summary,
                            "make note.title optional");
    }
}

static void test_gone_entity(void **state)
{
    unit_fixture_t *f = *state;
    apr_pool_t *p = f->pool;
    const oro_meta_t *meta = notes(f, NOTE_FIELDS, NULL);
    oro_db_schema_t *current = simulate(f, meta, PG);
    oro_db_table_t *old = put_table(p, current, "old_thing");
    put_column(p, old, column(p, "id", ORO_SQL_BIGINT, "bigint", 0, 64, 0, 0));
    apr_hash_set(current->objects, "trg_old_thing_touch", APR_HASH_KEY_STRING, "");
    /* a table that never was an entity's (no trigger): ignored */
    put_column(p, put_table(p, current, "someone_elses"),
               column(p, "x", ORO_SQL_INT, "integer", 0, 32, 0, 1));
    for (int force = 0; force < 2; force++) {
        const oro_schema_plan_t *plan = make_plan(f, meta, PG, current, force);
        expect_statements(f, plan, NULL);
        assert_int_equal(plan->refusals->nelts, 0);
        if (plan->notices->nelts != 1) {
            fail_msg("expected one notice\n%s", dump(p, plan));
        }
        assert_string_equal(APR_ARRAY_IDX(plan->notices, 0, const char *),
                            "table old_thing is no longer defined by any entity: left in place "
                            "(drop it by hand once its data is not needed)");
    }
}

/* ---- names ---------------------------------------------------------------------------- */

static void test_object_name(void **state)
{
    unit_fixture_t *f = *state;
    apr_pool_t *p = f->pool;
    assert_string_equal(oro_schema_object_name(p, "idx", "note", "title"), "idx_note_title");
    /* exactly 63: kept */
    const char *t57 = "t23456789012345678901234567890123456789012345678901234567"; /* 57 */
    assert_int_equal(strlen(t57), 57);
    const char *n63 = oro_schema_object_name(p, "fk", t57, "ab");
    assert_int_equal(strlen(n63), 63);
    assert_string_equal(n63, apr_pstrcat(p, "fk_", t57, "_ab", NULL));
    /* 64 and more: shortened to 63 with a hash, stable, distinct */
    const char *a = oro_schema_object_name(p, "fk", t57, "abc");
    const char *a2 = oro_schema_object_name(p, "fk", t57, "abc");
    const char *b = oro_schema_object_name(p, "fk", t57, "abd");
    const char *c = oro_schema_object_name(p, "fk", t57, "cba");
    const char *longer = oro_schema_object_name(
        p, "idx", "a_really_long_table_name_for_a_custom_entity_with_many_words",
        "a_really_long_column_name_too");
    assert_int_equal(strlen(a), 63);
    assert_int_equal(strlen(b), 63);
    assert_int_equal(strlen(longer), 63);
    assert_string_equal(a, a2);
    assert_string_not_equal(a, b);
    assert_string_not_equal(a, c);
    assert_string_not_equal(b, c);
    /* the first 54 characters of the full name, "_", 8 hex digits */
    assert_starts_with(
        a,
        apr_pstrcat(p, apr_pstrndup(p, apr_pstrcat(p, "fk_", t57, "_abc", NULL), 54), "_", NULL));
    assert_starts_with(longer, "idx_a_really_long_table_name_for_a_custom_entity_with_");
    assert_int_equal(longer[54], '_');
    for (const char *s = a + 55; *s; s++) {
        assert_true(strchr("0123456789abcdef", *s) != NULL);
    }
    /* long names in a plan stay within 63 and do not collide */
    const oro_schema_plan_t *plan = make_plan(
        f,
        load_one(f, "{'type': 'things', 'table': 'a_table_name_that_is_long_enough_to_need_it',"
                    " 'label': 'T', 'ownership': 'none', 'fields': {"
                    " 'aLongFieldNameNumberOne': {'type': 'string', 'unique': true},"
                    " 'aLongFieldNameNumberTwo': {'type': 'string', 'unique': true}}}"),
        PG, NULL, 0);
    apr_hash_t *seen = apr_hash_make(p);
    for (int i = 0; i < plan->statements->nelts; i++) {
        const oro_ddl_t *d = &APR_ARRAY_IDX(plan->statements, i, oro_ddl_t);
        const char *name = strrchr(d->summary, ' ') + 1;
        assert_true(strlen(name) <= 63);
        if (strncmp(d->summary, "add unique index ", 17) == 0) {
            assert_null(apr_hash_get(seen, name, APR_HASH_KEY_STRING));
            apr_hash_set(seen, name, APR_HASH_KEY_STRING, "");
        }
    }
    assert_int_equal(apr_hash_count(seen), 2);
}

static void test_quote(void **state)
{
    unit_fixture_t *f = *state;
    apr_pool_t *p = f->pool;
    assert_string_equal(oro_schema_quote(p, PG, "note"), "\"note\"");
    assert_string_equal(oro_schema_quote(p, MY, "note"), "`note`");
    assert_string_equal(oro_schema_quote(p, PG, "a\"b\"\""), "\"a\"\"b\"\"\"\"\"");
    assert_string_equal(oro_schema_quote(p, MY, "a`b``"), "`a``b`````");
    assert_string_equal(oro_schema_quote(p, PG, "a`b"), "\"a`b\"");
    assert_string_equal(oro_schema_quote(p, MY, "a\"b"), "`a\"b`");
    assert_string_equal(oro_schema_quote(p, PG, ""), "\"\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_empty_database_pgsql),
        UNIT_TEST(test_empty_database_mysql),
        UNIT_TEST(test_field_types),
        UNIT_TEST(test_default_clauses),
        UNIT_TEST(test_existing_database_idempotent),
        UNIT_TEST(test_existing_database_missing_objects),
        UNIT_TEST(test_add_field),
        UNIT_TEST(test_add_unique_field),
        UNIT_TEST(test_add_indexed_field),
        UNIT_TEST(test_add_relation),
        UNIT_TEST(test_widening),
        UNIT_TEST(test_narrowing),
        UNIT_TEST(test_narrowing_message),
        UNIT_TEST(test_extra_column),
        UNIT_TEST(test_nullability),
        UNIT_TEST(test_gone_entity),
        UNIT_TEST(test_object_name),
        UNIT_TEST(test_quote),
    };
    if (apr_initialize() != APR_SUCCESS) {
        return 1;
    }
    int rc = cmocka_run_group_tests_name("schema", tests, NULL, NULL);
    apr_terminate();
    return rc;
}
