/* t/unit/test_demo.c — lib/demo: the PRNG, the COPY and MariaDB encodings, and the
 * generated data set (determinism, unique emails, order totals, ownership) through a
 * sink that collects the rows in memory; no database needed. */
#include "unit.h"

#include <apr_file_io.h>

#include "demo/demo.h"
#include "demo/internal.h"

/* seed 1, 1,000 contacts (test_fixed_rows) */
#define DEMO_GOLDEN_CONTACT_EMAIL "frank.turner@auroralogistics.example"
#define DEMO_GOLDEN_CONTACT_CREATED "2023-01-02 16:29:13.897302"
#define DEMO_GOLDEN_ORDER_TOTAL "12742.71"
#define DEMO_GOLDEN_SKU "SKU-00001-NB"

/* ---- PRNG ---- */

static void test_rng_deterministic(void **state)
{
    (void)state;
    oro_demo_rng_t a, b, c;
    oro_demo_rng_seed(&a, 1, 7, 42);
    oro_demo_rng_seed(&b, 1, 7, 42);
    oro_demo_rng_seed(&c, 2, 7, 42);
    int differs = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = oro_demo_rng_next(&a);
        assert_true(x == oro_demo_rng_next(&b));
        differs |= x != oro_demo_rng_next(&c);
    }
    assert_true(differs);
    /* a fixed value: the sequence must not change between builds */
    oro_demo_rng_seed(&a, 1, 0, 0);
    oro_demo_rng_t again = a;
    assert_true(oro_demo_rng_next(&a) == oro_demo_rng_next(&again));
    for (int i = 0; i < 10000; i++) {
        assert_true(oro_demo_rng_below(&a, 7) < 7);
        int64_t r = oro_demo_rng_range(&a, -3, 3);
        assert_true(r >= -3 && r <= 3);
    }
}

/* ---- encodings ---- */

static void test_copy_escaping(void **state)
{
    (void)state;
    oro_demo_buf_t b;
    oro_demo_buf_init(&b, 4);
    oro_demo_value_t v = {"a\tb\nc\\d\re", ORO_DEMO_TEXT};
    oro_demo_copy_field(&b, &v);
    assert_string_equal(b.data, "a\\tb\\nc\\\\d\\re");
    b.len = 0;
    v = (oro_demo_value_t){NULL, ORO_DEMO_NULL};
    oro_demo_copy_field(&b, &v);
    assert_string_equal(b.data, "\\N");
    b.len = 0;
    v = (oro_demo_value_t){"\\N", ORO_DEMO_TEXT}; /* the text, not NULL */
    oro_demo_copy_field(&b, &v);
    assert_string_equal(b.data, "\\\\N");
    b.len = 0;
    v = (oro_demo_value_t){"", ORO_DEMO_TEXT};
    oro_demo_copy_field(&b, &v);
    assert_string_equal(b.data, "");
    oro_demo_buf_free(&b);
}

/* Stands in for apr_dbd_escape: backslash-escapes quotes and backslashes. */
static const char *fake_escape(void *baton, const char *s)
{
    static char out[256];
    char *o = out;
    (void)baton;
    for (; *s && o < out + sizeof out - 3; s++) {
        if (*s == '\'' || *s == '\\') {
            *o++ = '\\';
        }
        *o++ = *s;
    }
    *o = '\0';
    return out;
}

static void test_mysql_literals(void **state)
{
    (void)state;
    oro_demo_buf_t b;
    oro_demo_buf_init(&b, 16);
    const oro_demo_value_t values[] = {
        {NULL, ORO_DEMO_NULL},         {"42.50", ORO_DEMO_NUMBER},
        {"1", ORO_DEMO_BOOLEAN},       {"O'Brien \\ Co", ORO_DEMO_TEXT},
        {"2024-02-29", ORO_DEMO_DATE}, {"2024-02-29 10:00:00.000001", ORO_DEMO_DATETIME}};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        if (i > 0) {
            oro_demo_buf_append(&b, ",", 1);
        }
        oro_demo_sql_literal(&b, &values[i], fake_escape, NULL);
    }
    assert_string_equal(b.data, "NULL,42.50,1,'O\\'Brien \\\\ Co','2024-02-29',"
                                "'2024-02-29 10:00:00.000001'");
    oro_demo_buf_free(&b);
}

/* ---- a sink that keeps every row ---- */

typedef struct {
    int ncolumns;
    const char **columns;
    apr_array_header_t *rows; /* of const char ** (NULL for SQL NULL) */
} table_t;

typedef struct {
    apr_pool_t *pool;
    apr_hash_t *tables;
    table_t *current;
    const char *current_name;
} collect_t;

static int collect_begin(void *baton, const char *table, int ncolumns, const char *const *columns,
                         const char **error)
{
    collect_t *c = baton;
    (void)error;
    table_t *t = apr_pcalloc(c->pool, sizeof *t);
    t->ncolumns = ncolumns;
    t->columns = apr_palloc(c->pool, sizeof(const char *) * (size_t)ncolumns);
    for (int i = 0; i < ncolumns; i++) {
        t->columns[i] = apr_pstrdup(c->pool, columns[i]);
    }
    t->rows = apr_array_make(c->pool, 1024, sizeof(const char **));
    c->current = t;
    c->current_name = apr_pstrdup(c->pool, table);
    return 0;
}

static int collect_row(void *baton, const oro_demo_value_t *values, const char **error)
{
    collect_t *c = baton;
    (void)error;
    const char **row = apr_palloc(c->pool, sizeof(const char *) * (size_t)c->current->ncolumns);
    for (int i = 0; i < c->current->ncolumns; i++) {
        row[i] = values[i].kind == ORO_DEMO_NULL ? NULL : apr_pstrdup(c->pool, values[i].text);
    }
    APR_ARRAY_PUSH(c->current->rows, const char **) = row;
    return 0;
}

static int collect_end(void *baton, long rows, const char **error)
{
    collect_t *c = baton;
    (void)error;
    assert_int_equal(rows, c->current->rows->nelts);
    apr_hash_set(c->tables, c->current_name, APR_HASH_KEY_STRING, c->current);
    return 0;
}

static const oro_meta_t *builtin_meta(apr_pool_t *p)
{
    apr_array_header_t *errors;
    const oro_meta_t *meta = oro_meta_load(p, ORO_SOURCE_ROOT "/conf.d/entities", &errors);
    if (meta == NULL) {
        fail_msg("%s", oro_meta_errors_text(p, errors));
    }
    return meta;
}

static collect_t *generate(apr_pool_t *p, const oro_meta_t *meta, long contacts, uint64_t seed)
{
    oro_demo_options_t o;
    oro_demo_options_init(&o);
    o.contacts = contacts;
    o.seed = seed;
    const char *error;
    oro_demo_plan_t *plan = oro_demo_plan(p, meta, &o, &error);
    assert_no_error(error);
    collect_t *c = apr_pcalloc(p, sizeof *c);
    c->pool = p;
    c->tables = apr_hash_make(p);
    oro_demo_sink_t sink = {c, collect_begin, collect_row, collect_end};
    long total = oro_demo_generate(plan, &sink, &error);
    assert_no_error(error);
    assert_true(total > contacts);
    return c;
}

static table_t *table(collect_t *c, const char *name)
{
    table_t *t = apr_hash_get(c->tables, name, APR_HASH_KEY_STRING);
    if (t == NULL) {
        fail_msg("no rows for table %s", name);
    }
    return t;
}

static int column(const table_t *t, const char *name)
{
    for (int i = 0; i < t->ncolumns; i++) {
        if (strcmp(t->columns[i], name) == 0) {
            return i;
        }
    }
    fail_msg("no column %s", name);
    return -1;
}

/* Row i's value of column name ("" for NULL, for assertions). */
static const char *cell(const table_t *t, int i, const char *name)
{
    const char *v = APR_ARRAY_IDX(t->rows, i, const char **)[column(t, name)];
    return v ? v : "";
}

static long long cents(const char *money)
{
    long long whole = 0, frac = 0;
    sscanf(money, "%lld.%2lld", &whole, &frac);
    return whole * 100 + frac;
}

/* ---- the data set ---- */

static void test_same_seed_same_rows(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = builtin_meta(f->pool);
    collect_t *a = generate(f->pool, meta, 500, 7), *b = generate(f->pool, meta, 500, 7);
    collect_t *other = generate(f->pool, meta, 500, 8);
    int differs = 0;
    for (apr_hash_index_t *hi = apr_hash_first(f->pool, a->tables); hi; hi = apr_hash_next(hi)) {
        const char *name = apr_hash_this_key(hi);
        table_t *ta = apr_hash_this_val(hi), *tb = table(b, name), *to = table(other, name);
        assert_int_equal(ta->rows->nelts, tb->rows->nelts);
        for (int i = 0; i < ta->rows->nelts; i++) {
            for (int j = 0; j < ta->ncolumns; j++) {
                const char *x = APR_ARRAY_IDX(ta->rows, i, const char **)[j];
                const char *y = APR_ARRAY_IDX(tb->rows, i, const char **)[j];
                assert_true((x == NULL) == (y == NULL));
                if (x != NULL) {
                    assert_string_equal(x, y);
                }
                if (i < to->rows->nelts && x != NULL) {
                    const char *z = APR_ARRAY_IDX(to->rows, i, const char **)[j];
                    differs |= z == NULL || strcmp(x, z) != 0;
                }
            }
        }
    }
    assert_true(differs);
}

/* A few rows of seed 1 exactly: a change here changes every demo database. */
static void test_fixed_rows(void **state)
{
    unit_fixture_t *f = *state;
    collect_t *c = generate(f->pool, builtin_meta(f->pool), 1000, 1);
    table_t *orgs = table(c, "oro_organization"), *users = table(c, "oro_user");
    assert_string_equal(cell(orgs, 0, "name"), "Acme Inc.");
    assert_string_equal(cell(orgs, 2, "name"), "Initech");
    assert_string_equal(cell(users, 0, "username"), "admin");
    assert_string_equal(cell(users, 0, "email"), "admin@example.com");
    assert_string_equal(cell(users, 0, "password"), ""); /* no --password-file */
    table_t *roles = table(c, "oro_access_role");
    assert_string_equal(cell(roles, 0, "role"), "ROLE_ADMINISTRATOR");
    assert_string_equal(cell(roles, 2, "label"), "User");
    table_t *contacts = table(c, "orocrm_contact");
    assert_int_equal(contacts->rows->nelts, 1000);
    assert_string_equal(cell(contacts, 0, "primary_email"), DEMO_GOLDEN_CONTACT_EMAIL);
    assert_string_equal(cell(contacts, 0, "created_at"), DEMO_GOLDEN_CONTACT_CREATED);
    table_t *orders = table(c, "oro_order");
    assert_int_equal(orders->rows->nelts, 500);
    assert_string_equal(cell(orders, 0, "identifier"), "SO-000001");
    assert_string_equal(cell(orders, 0, "total"), DEMO_GOLDEN_ORDER_TOTAL);
    table_t *products = table(c, "oro_product");
    assert_int_equal(products->rows->nelts, 100);
    assert_string_equal(cell(products, 0, "sku"), DEMO_GOLDEN_SKU);
    assert_int_equal(table(c, "orocrm_account")->rows->nelts, 200);
    assert_int_equal(table(c, "orocrm_sales_opportunity")->rows->nelts, 250);
    assert_int_equal(table(c, "oro_catalog_category")->rows->nelts, 48);
}

static void test_unique_values(void **state)
{
    unit_fixture_t *f = *state;
    collect_t *c = generate(f->pool, builtin_meta(f->pool), 10000, 3);
    struct {
        const char *table, *column;
    } checks[] = {{"orocrm_contact", "primary_email"},
                  {"oro_user", "email"},
                  {"oro_user", "username"},
                  {"oro_order", "identifier"},
                  {"oro_product", "sku"}};
    for (size_t k = 0; k < sizeof checks / sizeof checks[0]; k++) {
        table_t *t = table(c, checks[k].table);
        apr_hash_t *seen = apr_hash_make(f->pool);
        for (int i = 0; i < t->rows->nelts; i++) {
            const char *v = cell(t, i, checks[k].column);
            assert_true(*v != '\0');
            if (apr_hash_get(seen, v, APR_HASH_KEY_STRING)) {
                fail_msg("%s.%s: \"%s\" appears twice", checks[k].table, checks[k].column, v);
            }
            apr_hash_set(seen, v, APR_HASH_KEY_STRING, v);
        }
    }
    assert_int_equal(table(c, "orocrm_contact")->rows->nelts, 10000);
}

static void test_order_totals(void **state)
{
    unit_fixture_t *f = *state;
    collect_t *c = generate(f->pool, builtin_meta(f->pool), 2000, 5);
    table_t *orders = table(c, "oro_order"), *lines = table(c, "oro_order_line_item");
    long n = orders->rows->nelts;
    long long *sum = apr_pcalloc(f->pool, sizeof(long long) * (size_t)(n + 1));
    int *count = apr_pcalloc(f->pool, sizeof(int) * (size_t)(n + 1));
    for (int i = 0; i < lines->rows->nelts; i++) {
        long order = atol(cell(lines, i, "order_id"));
        assert_true(order >= 1 && order <= n);
        sum[order] += cents(cell(lines, i, "price")) * atol(cell(lines, i, "quantity"));
        count[order]++;
    }
    for (int i = 0; i < n; i++) {
        long id = atol(cell(orders, i, "id"));
        assert_int_equal(id, i + 1);
        assert_true(count[id] >= 1 && count[id] <= 5);
        assert_int_equal(cents(cell(orders, i, "total")), sum[id]);
        assert_int_equal(cents(cell(orders, i, "subtotal")), sum[id]);
    }
}

/* Owner and organization agree, and an account's records stay in its organization. */
static void test_ownership(void **state)
{
    unit_fixture_t *f = *state;
    collect_t *c = generate(f->pool, builtin_meta(f->pool), 3000, 11);
    table_t *users = table(c, "oro_user"), *units = table(c, "oro_business_unit");
    table_t *accounts = table(c, "orocrm_account"), *contacts = table(c, "orocrm_contact");
    long unit_org[64] = {0};
    for (int i = 0; i < units->rows->nelts; i++) {
        unit_org[atol(cell(units, i, "id"))] = atol(cell(units, i, "organization_id"));
    }
    long *user_org = apr_pcalloc(f->pool, sizeof(long) * (size_t)(users->rows->nelts + 1));
    for (int i = 0; i < users->rows->nelts; i++) {
        long org = atol(cell(users, i, "organization_id"));
        assert_int_equal(unit_org[atol(cell(users, i, "business_unit_owner_id"))], org);
        user_org[atol(cell(users, i, "id"))] = org;
    }
    long *account_org = apr_pcalloc(f->pool, sizeof(long) * (size_t)(accounts->rows->nelts + 1));
    long *contact_org = apr_pcalloc(f->pool, sizeof(long) * (size_t)(contacts->rows->nelts + 1));
    const char *const owned[] = {"orocrm_account", "orocrm_contact", "orocrm_sales_opportunity",
                                 "oro_order"};
    for (size_t k = 0; k < sizeof owned / sizeof owned[0]; k++) {
        table_t *t = table(c, owned[k]);
        int has_account = k > 0, has_contact = k > 1;
        for (int i = 0; i < t->rows->nelts; i++) {
            long org = atol(cell(t, i, "organization_id"));
            long owner = atol(cell(t, i, "owner_id"));
            assert_true(org >= 1 && org <= 3);
            if (user_org[owner] != org) {
                fail_msg("%s row %d: owner %ld is in organization %ld, the row in %ld", owned[k],
                         i + 1, owner, user_org[owner], org);
            }
            if (k == 0) {
                account_org[i + 1] = org;
            }
            if (k == 1) {
                contact_org[i + 1] = org;
            }
            const char *account = has_account ? cell(t, i, "account_id") : "";
            if (has_account && *account) {
                assert_int_equal(account_org[atol(account)], org);
            }
            const char *contact = has_contact ? cell(t, i, "contact_id") : "";
            if (*contact) {
                assert_int_equal(contact_org[atol(contact)], org);
            }
        }
    }
    /* products and their categories share the organization */
    table_t *products = table(c, "oro_product"), *links = table(c, "oro_product_category");
    table_t *categories = table(c, "oro_catalog_category");
    for (int i = 0; i < links->rows->nelts; i++) {
        long p = atol(cell(links, i, "product_id")), k = atol(cell(links, i, "category_id"));
        assert_string_equal(cell(products, (int)p - 1, "organization_id"),
                            cell(categories, (int)k - 1, "organization_id"));
    }
}

/* A field a site adds: required without default gets a value, optional is left out. */
static void test_custom_fields(void **state)
{
    unit_fixture_t *f = *state;
    apr_hash_t *texts = apr_hash_make(f->pool);
    apr_dir_t *dir;
    apr_finfo_t fi;
    const char *root = ORO_SOURCE_ROOT "/conf.d/entities";
    assert_int_equal(apr_dir_open(&dir, root, f->pool), APR_SUCCESS);
    while (apr_dir_read(&fi, APR_FINFO_NAME, dir) == APR_SUCCESS) {
        if (strstr(fi.name, ".json") == NULL) {
            continue;
        }
        apr_file_t *file;
        char buf[16384];
        apr_size_t n = sizeof buf - 1;
        const char *path = apr_pstrcat(f->pool, root, "/", fi.name, NULL);
        assert_int_equal(apr_file_open(&file, path, APR_FOPEN_READ, 0, f->pool), APR_SUCCESS);
        apr_file_read(file, buf, &n);
        apr_file_close(file);
        buf[n] = '\0';
        char *text = apr_pstrdup(f->pool, buf);
        if (strcmp(fi.name, "contact.json") == 0) {
            char *at = strstr(text, "\"fields\": {");
            assert_non_null(at);
            at += strlen("\"fields\": {");
            text = apr_pstrcat(
                f->pool, apr_pstrmemdup(f->pool, text, (apr_size_t)(at - text)),
                "\"nickname\": {\"type\": \"string\", \"length\": 8, \"required\": true, "
                "\"unique\": true}, \"loyalty\": {\"type\": \"integer\"},",
                at, NULL);
        }
        apr_hash_set(texts, apr_pstrdup(f->pool, fi.name), APR_HASH_KEY_STRING, text);
    }
    apr_dir_close(dir);
    apr_array_header_t *errors;
    const oro_meta_t *meta = oro_meta_load_texts(f->pool, texts, &errors);
    if (meta == NULL) {
        fail_msg("%s", oro_meta_errors_text(f->pool, errors));
    }
    collect_t *c = generate(f->pool, meta, 100, 1);
    table_t *contacts = table(c, "orocrm_contact");
    assert_string_equal(cell(contacts, 0, "nickname"), "demo-1");
    assert_string_equal(cell(contacts, 99, "nickname"), "demo-100");
    for (int i = 0; i < contacts->ncolumns; i++) {
        assert_string_not_equal(contacts->columns[i], "loyalty");
    }
}

static void test_options(void **state)
{
    (void)state;
    oro_demo_options_t o;
    oro_demo_options_init(&o);
    assert_int_equal(oro_demo_options_size(&o, "medium"), 0);
    assert_int_equal(o.contacts, 100000);
    assert_int_equal(oro_demo_options_size(&o, "huge"), -1);
    assert_int_equal(o.contacts, 100000);
    assert_int_equal(oro_demo_options_size(&o, "large"), 0);
    o.orders = 7;
    oro_demo_options_scale(&o);
    assert_int_equal(o.accounts, 200000);
    assert_int_equal(o.opportunities, 250000);
    assert_int_equal(o.products, 100000); /* capped */
    assert_int_equal(o.orders, 7);        /* given */
}

int main(void)
{
    apr_initialize();
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_rng_deterministic), UNIT_TEST(test_copy_escaping),
        UNIT_TEST(test_mysql_literals),    UNIT_TEST(test_same_seed_same_rows),
        UNIT_TEST(test_fixed_rows),        UNIT_TEST(test_unique_values),
        UNIT_TEST(test_order_totals),      UNIT_TEST(test_ownership),
        UNIT_TEST(test_custom_fields),     UNIT_TEST(test_options),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    apr_terminate();
    return rc;
}
