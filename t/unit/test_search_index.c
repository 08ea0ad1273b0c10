/* t/unit/test_search_index.c — lib/search/search.h: documents written through the shim
 * and found again; ACL filtering inside the query at every level; the versioned
 * directory and its atomic switch; readers following commits. */
#include "unit.h"

#include "acl/acl.h"
#include "meta/meta.h"
#include "search/query.h"
#include "search/search.h"

typedef struct {
    const char *entity, *id, *name;
    long long org, owner, unit;
    double amount;
} rec_t;

static const rec_t records[] = {
    {"contacts", "1", "Alice Jones", 1, 10, 100, 5},
    {"contacts", "2", "Bob Jones", 1, 11, 100, 15},
    {"contacts", "3", "Carol Jones", 1, 12, 200, 25},
    {"contacts", "4", "Dave Jones", 2, 13, 300, 35},
    {"accounts", "1", "Jones Holdings", 1, 10, 100, 45},
    {"products", "1", "Jones Widget", 1, 0, 0, 55},
};

static void write_all(unit_fixture_t *f, const char *path)
{
    const char *error = NULL;
    oro_search_writer_t *w = oro_search_writer_open(f->pool, path, &error);
    assert_no_error(error);
    for (size_t i = 0; i < sizeof records / sizeof records[0]; i++) {
        const rec_t *r = &records[i];
        oro_search_field_t fields[2] = {
            {"name", ORO_SEARCH_TEXT, r->name, 0},
            {"amount", ORO_SEARCH_DECIMAL, apr_psprintf(f->pool, "%g", r->amount), r->amount},
        };
        oro_search_doc_t doc = {r->entity, r->id, r->name, r->org, r->owner, r->unit, fields, 2};
        int changed = -1;
        assert_int_equal(oro_search_writer_replace(w, f->pool, &doc, &changed, &error), 0);
        assert_int_equal(changed, 1);
    }
    assert_int_equal(oro_search_writer_commit(w, f->pool, &error), 0);
    assert_int_equal(oro_search_writer_count(w), 6);
    assert_int_equal(oro_search_writer_close(w, f->pool, &error), 0);
}

/* The ids ("contacts-1 accounts-1 …", in result order) found for text/query under acl. */
static const char *found(unit_fixture_t *f, oro_search_reader_t *r, const char *where,
                         const char *text, const oro_search_acl_t *acl)
{
    oro_search_parse_error_t perr;
    oro_search_query_t *q = where ? oro_search_query_parse(f->pool, where, strlen(where), &perr)
                                  : oro_search_query_new(f->pool);
    if (q == NULL) {
        fail_msg("query \"%s\": %s", where, perr.message);
    }
    oro_search_result_t *res;
    int bad = 0;
    const char *error = NULL;
    assert_int_equal(oro_search_run(r, f->pool, q, text, acl, 0, 20, &res, &bad, &error), 0);
    const char *out = "";
    for (int i = 0; i < res->hits->nelts; i++) {
        oro_search_hit_t *h = &APR_ARRAY_IDX(res->hits, i, oro_search_hit_t);
        out = apr_pstrcat(f->pool, out, i ? " " : "", h->entity, "-", h->id, NULL);
    }
    return out;
}

static oro_search_acl_t *acl_at(apr_pool_t *p, int contacts, int accounts, int products)
{
    static long long units[] = {100};
    static long long divisions[] = {100, 200};
    oro_search_acl_entity_t *e = apr_pcalloc(p, sizeof *e * 3);
    e[0] = (oro_search_acl_entity_t){"contacts", contacts, ORO_OWNERSHIP_USER};
    e[1] = (oro_search_acl_entity_t){"accounts", accounts, ORO_OWNERSHIP_USER};
    e[2] = (oro_search_acl_entity_t){"products", products, ORO_OWNERSHIP_ORGANIZATION};
    oro_search_acl_t *acl = apr_pcalloc(p, sizeof *acl);
    acl->user_id = 10;
    acl->organization_id = 1;
    acl->business_unit_ids = units;
    acl->n_business_units = 1;
    acl->division_ids = divisions;
    acl->n_divisions = 2;
    acl->entities = e;
    acl->nentities = 3;
    return acl;
}

static oro_search_reader_t *fresh_index(unit_fixture_t *f)
{
    const char *dir = unit_mkdir(f, "index");
    const char *error = NULL;
    assert_int_equal(oro_search_dir_ensure(f->pool, dir, 2, &error), 0);
    write_all(f, oro_search_dir_current(f->pool, dir));
    oro_search_reader_t *r = oro_search_reader_create(f->pool, dir);
    assert_int_equal(oro_search_reader_refresh(r, f->pool, 0, &error), 0);
    return r;
}

static void test_acl_levels(void **state)
{
    unit_fixture_t *f = *state;
    oro_search_reader_t *r = fresh_index(f);
    /* global on everything */
    assert_string_equal(found(f, r, "where name ~ jones order_by decimal amount", NULL,
                              acl_at(f->pool, ORO_ACL_GLOBAL, ORO_ACL_GLOBAL, ORO_ACL_GLOBAL)),
                        "contacts-1 contacts-2 contacts-3 contacts-4 accounts-1 products-1");
    /* no VIEW on accounts: never an account */
    assert_string_equal(found(f, r, "where name ~ jones order_by decimal amount", NULL,
                              acl_at(f->pool, ORO_ACL_GLOBAL, ORO_ACL_NONE, ORO_ACL_GLOBAL)),
                        "contacts-1 contacts-2 contacts-3 contacts-4 products-1");
    /* user level: own records only */
    assert_string_equal(found(f, r, "where name ~ jones order_by decimal amount", NULL,
                              acl_at(f->pool, ORO_ACL_USER, ORO_ACL_USER, ORO_ACL_NONE)),
                        "contacts-1 accounts-1");
    /* business unit: the user's units */
    assert_string_equal(found(f, r, "from contacts order_by decimal amount", NULL,
                              acl_at(f->pool, ORO_ACL_BUSINESS_UNIT, 0, 0)),
                        "contacts-1 contacts-2");
    /* division: the units and their children */
    assert_string_equal(found(f, r, "from contacts order_by decimal amount", NULL,
                              acl_at(f->pool, ORO_ACL_DIVISION, 0, 0)),
                        "contacts-1 contacts-2 contacts-3");
    /* organization: the caller's organization */
    assert_string_equal(found(f, r, "from contacts order_by decimal amount desc", NULL,
                              acl_at(f->pool, ORO_ACL_ORGANIZATION, 0, 0)),
                        "contacts-3 contacts-2 contacts-1");
    /* organization-owned entities at user level fall back to the organization */
    assert_string_equal(found(f, r, "from products", NULL, acl_at(f->pool, 0, 0, ORO_ACL_USER)),
                        "products-1");
    /* the simple search text goes through the same filter */
    assert_string_equal(found(f, r, NULL, "alice", acl_at(f->pool, ORO_ACL_USER, 0, 0)),
                        "contacts-1");
    assert_string_equal(found(f, r, NULL, "bob", acl_at(f->pool, ORO_ACL_USER, 0, 0)), "");
}

static void test_operators_on_the_index(void **state)
{
    unit_fixture_t *f = *state;
    oro_search_reader_t *r = fresh_index(f);
    oro_search_acl_t *all = acl_at(f->pool, ORO_ACL_GLOBAL, ORO_ACL_GLOBAL, ORO_ACL_GLOBAL);
    assert_string_equal(found(f, r, "from contacts where name = 'bob jones'", NULL, all),
                        "contacts-2");
    assert_string_equal(found(f, r, "from contacts where name starts_with CA", NULL, all),
                        "contacts-3");
    assert_string_equal(found(f, r, "from contacts where name like 'VE J'", NULL, all),
                        "contacts-4");
    assert_string_equal(
        found(f, r, "from contacts where decimal amount > 15 and decimal amount <= 35", NULL, all),
        "contacts-3 contacts-4");
    assert_string_equal(
        found(f, r, "from contacts where decimal amount in (5, 35) order_by decimal amount desc",
              NULL, all),
        "contacts-4 contacts-1");
    assert_string_equal(
        found(f, r,
              "from contacts where name !~ alice and name notlike bob and decimal amount != 35",
              NULL, all),
        "contacts-3");
    assert_string_equal(found(f, r, "from (accounts, products) where name exists", NULL, all),
                        "accounts-1 products-1");
    assert_string_equal(found(f, r, "from contacts where name notexists", NULL, all), "");
    /* aggregates over every match */
    oro_search_parse_error_t perr;
    const char *text = "from contacts aggregate decimal amount sum total aggregate text name count";
    oro_search_query_t *q = oro_search_query_parse(f->pool, text, strlen(text), &perr);
    oro_search_result_t *res;
    int bad;
    const char *error = NULL;
    assert_int_equal(oro_search_run(r, f->pool, q, NULL, all, 0, 1, &res, &bad, &error), 0);
    assert_int_equal(res->hits->nelts, 1);
    assert_int_equal(res->more, 1);
    oro_search_aggregate_result_t *sum =
        &APR_ARRAY_IDX(res->aggregates, 0, oro_search_aggregate_result_t);
    assert_true(sum->has_number && sum->number == 80.0);
    oro_search_aggregate_result_t *count =
        &APR_ARRAY_IDX(res->aggregates, 1, oro_search_aggregate_result_t);
    assert_int_equal(count->values->nelts, 4);
    /* a bad simple search text is a bad request, not a failure */
    q = oro_search_query_new(f->pool);
    int rc = oro_search_run(r, f->pool, q, "\"unbalanced AND", all, 0, 5, &res, &bad, &error);
    assert_true(rc == 0 || bad == 1);
}

static void test_switch_and_refresh(void **state)
{
    unit_fixture_t *f = *state;
    const char *dir = unit_mkdir(f, "index");
    const char *error = NULL;
    oro_search_reader_t *r = oro_search_reader_create(f->pool, dir);
    oro_search_acl_t *all = acl_at(f->pool, ORO_ACL_GLOBAL, ORO_ACL_GLOBAL, ORO_ACL_GLOBAL);
    /* no version yet: no matches, no error */
    assert_int_equal(oro_search_reader_refresh(r, f->pool, 0, &error), 0);
    assert_string_equal(found(f, r, "from contacts", NULL, all), "");
    assert_int_equal(oro_search_dir_ensure(f->pool, dir, 2, &error), 0);
    const char *v1 = oro_search_dir_current(f->pool, dir);
    assert_non_null(v1);
    /* a new version, switched in: the reader follows */
    const char *v2 = oro_search_dir_new_version(f->pool, dir, &error);
    write_all(f, v2);
    assert_int_equal(oro_search_dir_switch(f->pool, dir, v2, &error), 0);
    assert_string_equal(oro_search_dir_current(f->pool, dir), v2);
    assert_int_equal(oro_search_reader_refresh(r, f->pool, 0, &error), 0);
    assert_string_equal(found(f, r, "from products", NULL, all), "products-1");
    /* a commit to the live version: the reader sees it after a refresh */
    oro_search_writer_t *w = oro_search_writer_open(f->pool, v2, &error);
    assert_int_equal(oro_search_writer_delete(w, f->pool, "products", "1", &error), 0);
    assert_int_equal(oro_search_writer_commit(w, f->pool, &error), 0);
    assert_int_equal(oro_search_reader_refresh(r, f->pool, 0, &error), 0);
    assert_string_equal(found(f, r, "from products", NULL, all), "");
    /* a third version removes the first, keeps the previous */
    const char *v3 = oro_search_dir_new_version(f->pool, dir, &error);
    assert_int_equal(oro_search_writer_close(w, f->pool, &error), 0);
    oro_search_writer_t *w3 = oro_search_writer_open(f->pool, v3, &error);
    const char *skip[] = {"contacts"};
    assert_int_equal(oro_search_writer_copy(w3, f->pool, v2, skip, 1, &error), 1);
    assert_int_equal(oro_search_writer_close(w3, f->pool, &error), 0);
    assert_int_equal(oro_search_dir_switch(f->pool, dir, v3, &error), 0);
    struct stat st;
    assert_int_not_equal(stat(v1, &st), 0);
    assert_int_equal(stat(v2, &st), 0);
    assert_int_equal(oro_search_reader_refresh(r, f->pool, 0, &error), 0);
    assert_string_equal(found(f, r, "from *", NULL, all), "accounts-1");
    /* the rebuild journal */
    apr_array_header_t *ids = apr_array_make(f->pool, 2, sizeof(const char *));
    APR_ARRAY_PUSH(ids, const char *) = "7";
    APR_ARRAY_PUSH(ids, const char *) = "8";
    assert_int_equal(oro_search_dir_set_building(f->pool, dir, v3, &error), 0);
    assert_string_equal(oro_search_dir_building(f->pool, dir), v3);
    assert_int_equal(oro_search_journal_append(f->pool, dir, "contacts", ids, &error), 0);
    apr_hash_t *journal = oro_search_journal_read(f->pool, dir);
    apr_array_header_t *back = apr_hash_get(journal, "contacts", APR_HASH_KEY_STRING);
    assert_non_null(back);
    assert_int_equal(back->nelts, 2);
    assert_int_equal(oro_search_dir_set_building(f->pool, dir, NULL, &error), 0);
    assert_null(oro_search_dir_building(f->pool, dir));
    /* errors come back as messages, not exceptions */
    assert_null(oro_search_writer_open(f->pool, "/proc/no/such/dir", &error));
    assert_contains(error, "could not open search index \"/proc/no/such/dir\" for writing");
}

static void test_title_changes(void **state)
{
    unit_fixture_t *f = *state;
    const char *error = NULL;
    oro_search_writer_t *w = oro_search_writer_open(f->pool, unit_path(f, "db"), &error);
    assert_no_error(error);
    oro_search_field_t field = {"name", ORO_SEARCH_TEXT, "Acme", 0};
    oro_search_doc_t doc = {"accounts", "5", "Acme", 1, 2, 3, &field, 1};
    int changed = -1;
    assert_int_equal(oro_search_writer_replace(w, f->pool, &doc, &changed, &error), 0);
    assert_int_equal(changed, 1); /* new */
    assert_int_equal(oro_search_writer_replace(w, f->pool, &doc, &changed, &error), 0);
    assert_int_equal(changed, 0); /* same title */
    doc.title = "Acme Corp";
    assert_int_equal(oro_search_writer_replace(w, f->pool, &doc, &changed, &error), 0);
    assert_int_equal(changed, 1); /* renamed */
    assert_int_equal(oro_search_writer_count(w), 1);
}

/* The stored value the indexer compares a dependent's relation with. */
static void test_stored_values(void **state)
{
    unit_fixture_t *f = *state;
    const char *error = NULL, *value = "x";
    oro_search_writer_t *w = oro_search_writer_open(f->pool, unit_path(f, "db"), &error);
    assert_no_error(error);
    oro_search_field_t fields[2] = {{"name", ORO_SEARCH_TEXT, "Big deal", 0},
                                    {"account", ORO_SEARCH_TEXT, "Acme Corp", 0}};
    oro_search_doc_t doc = {"opportunities", "7", "Big deal", 1, 2, 3, fields, 2};
    assert_int_equal(oro_search_writer_replace(w, f->pool, &doc, NULL, &error), 0);
    assert_int_equal(
        oro_search_writer_stored(w, f->pool, "opportunities", "7", "account", &value, &error), 1);
    assert_string_equal(value, "Acme Corp");
    assert_int_equal(
        oro_search_writer_stored(w, f->pool, "opportunities", "7", "contact", &value, &error), 1);
    assert_null(value); /* no such field */
    assert_int_equal(
        oro_search_writer_stored(w, f->pool, "opportunities", "8", "account", &value, &error), 0);
}

/* A field's words have no positions: the phrase the parser makes of an address or a
 * quoted value matches them as a conjunction in the field, and as a phrase in all_text. */
static void test_phrases_in_fields(void **state)
{
    unit_fixture_t *f = *state;
    const char *dir = unit_mkdir(f, "index");
    const char *error = NULL;
    assert_int_equal(oro_search_dir_ensure(f->pool, dir, 2, &error), 0);
    oro_search_writer_t *w =
        oro_search_writer_open(f->pool, oro_search_dir_current(f->pool, dir), &error);
    assert_no_error(error);
    oro_search_field_t fields[2] = {{"email", ORO_SEARCH_TEXT, "ann.lee@mail.example", 0},
                                    {"job", ORO_SEARCH_TEXT, "Senior Software Developer", 0}};
    oro_search_doc_t doc = {"contacts", "1", "Ann Lee", 1, 2, 3, fields, 2};
    assert_int_equal(oro_search_writer_replace(w, f->pool, &doc, NULL, &error), 0);
    assert_int_equal(oro_search_writer_close(w, f->pool, &error), 0);
    oro_search_reader_t *r = oro_search_reader_create(f->pool, dir);
    assert_int_equal(oro_search_reader_refresh(r, f->pool, 0, &error), 0);
    oro_search_acl_t *all = acl_at(f->pool, ORO_ACL_GLOBAL, ORO_ACL_GLOBAL, ORO_ACL_GLOBAL);
    assert_string_equal(found(f, r, "where email ~ \"ann.lee@mail.example\"", NULL, all),
                        "contacts-1");
    assert_string_equal(found(f, r, "where job ~ \"software senior\"", NULL, all), "contacts-1");
    assert_string_equal(found(f, r, "where job ~ \"software manager\"", NULL, all), "");
    assert_string_equal(found(f, r, "where all_text ~ \"senior software\"", NULL, all),
                        "contacts-1");
    assert_string_equal(found(f, r, NULL, "\"senior software\"", all), "contacts-1");
    assert_string_equal(found(f, r, NULL, "\"software senior\"", all), "");
    /* a field holds its words as written, the free text also their stems */
    assert_string_equal(found(f, r, "where job ~ developer", NULL, all), "contacts-1");
    assert_string_equal(found(f, r, "where job ~ develop", NULL, all), "contacts-1"); /* partial */
    assert_string_equal(found(f, r, "where job ~ developers", NULL, all), "");
    assert_string_equal(found(f, r, NULL, "developers", all), "contacts-1");
    assert_string_equal(found(f, r, "where all_text ~ developers", NULL, all), "contacts-1");
}

/* A new version is 2 databases named by a stub (XAPIANDB): documents
 * spread over them by their unique term, and readers see them as one index. Queued
 * changes answer title_changed in order; an earlier single database stays usable; a
 * malformed stub is an error naming it. */
static void test_shards(void **state)
{
    unit_fixture_t *f = *state;
    const char *dir = unit_mkdir(f, "index");
    const char *error = NULL;
    assert_int_equal(oro_search_dir_ensure(f->pool, dir, 2, &error), 0);
    const char *v = oro_search_dir_current(f->pool, dir);
    struct stat st;
    assert_int_equal(stat(apr_pstrcat(f->pool, v, "/XAPIANDB", NULL), &st), 0);
    oro_search_writer_t *w = oro_search_writer_open(f->pool, v, &error);
    assert_no_error(error);
    /* more than the writer queues before it applies (4096): both paths run */
    for (int i = 1; i <= 5000; i++) {
        const char *id = apr_itoa(f->pool, i);
        oro_search_field_t field = {"name", ORO_SEARCH_TEXT,
                                    apr_psprintf(f->pool, "Person%d Shardtest", i), 0};
        oro_search_doc_t doc = {"contacts", id, field.text, 1, 10, 100, &field, 1};
        assert_int_equal(oro_search_writer_replace(w, f->pool, &doc, NULL, &error), 0);
    }
    /* a record replaced, renamed and deleted before anything is applied */
    oro_search_field_t field = {"name", ORO_SEARCH_TEXT, "Queued", 0};
    oro_search_doc_t doc = {"accounts", "9", "Queued", 1, 10, 100, &field, 1};
    int changed = -1;
    assert_int_equal(oro_search_writer_replace(w, f->pool, &doc, &changed, &error), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(oro_search_writer_replace(w, f->pool, &doc, &changed, &error), 0);
    assert_int_equal(changed, 0);
    doc.title = "Queued Renamed";
    assert_int_equal(oro_search_writer_replace(w, f->pool, &doc, &changed, &error), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(oro_search_writer_delete(w, f->pool, "accounts", "9", &error), 0);
    assert_int_equal(oro_search_writer_replace(w, f->pool, &doc, &changed, &error), 0);
    assert_int_equal(changed, 1); /* deleted in between: a new document */
    assert_int_equal(oro_search_writer_delete(w, f->pool, "contacts", "5000", &error), 0);
    assert_int_equal(oro_search_writer_commit(w, f->pool, &error), 0);
    assert_int_equal(oro_search_writer_count(w), 5000);
    assert_int_equal(oro_search_writer_close(w, f->pool, &error), 0);
    /* each shard holds a share (a shard opened alone is a single database) */
    long long sum = 0;
    for (int s = 0; s < 2; s++) {
        oro_search_writer_t *one =
            oro_search_writer_open(f->pool, apr_psprintf(f->pool, "%s/s%d", v, s), &error);
        assert_no_error(error);
        long long n = oro_search_writer_count(one);
        assert_true(n > 5000 / 2 / 2);
        sum += n;
        assert_int_equal(oro_search_writer_close(one, f->pool, &error), 0);
    }
    assert_int_equal(sum, 5000);
    /* one index to a reader */
    oro_search_reader_t *r = oro_search_reader_create(f->pool, dir);
    assert_int_equal(oro_search_reader_refresh(r, f->pool, 0, &error), 0);
    oro_search_acl_t *all = acl_at(f->pool, ORO_ACL_GLOBAL, ORO_ACL_GLOBAL, ORO_ACL_GLOBAL);
    assert_string_equal(found(f, r, "from accounts", NULL, all), "accounts-9");
    assert_string_equal(found(f, r, NULL, "person4999", all), "contacts-4999");
    assert_string_equal(found(f, r, NULL, "person5000", all), "");
    oro_search_parse_error_t perr;
    oro_search_query_t *q = oro_search_query_parse(f->pool, "from contacts", 13, &perr);
    oro_search_result_t *res;
    int bad = 0;
    assert_int_equal(oro_search_run(r, f->pool, q, "shardtest", all, 0, 20, &res, &bad, &error), 0);
    assert_int_equal(res->total, 4999);
    /* OroSearchShards: the number of a new version's shards, 1 to 16 */
    const char *three = unit_mkdir(f, "three");
    assert_int_equal(oro_search_dir_ensure(f->pool, three, 3, &error), 0);
    const char *v3 = oro_search_dir_current(f->pool, three);
    assert_int_equal(stat(apr_pstrcat(f->pool, v3, "/s2/iamglass", NULL), &st), 0);
    assert_int_not_equal(stat(apr_pstrcat(f->pool, v3, "/s3", NULL), &st), 0);
    /* an existing version keeps its own: opened with another count, still three */
    oro_search_writer_t *w3 = oro_search_writer_create(f->pool, v3, 1, &error);
    assert_no_error(error);
    for (int i = 1; i <= 30; i++) {
        oro_search_field_t fl = {"name", ORO_SEARCH_TEXT, "Three", 0};
        oro_search_doc_t d3 = {"contacts", apr_itoa(f->pool, i), "Three", 1, 10, 100, &fl, 1};
        assert_int_equal(oro_search_writer_replace(w3, f->pool, &d3, NULL, &error), 0);
    }
    assert_int_equal(oro_search_writer_close(w3, f->pool, &error), 0);
    oro_search_writer_t *s2 =
        oro_search_writer_open(f->pool, apr_pstrcat(f->pool, v3, "/s2", NULL), &error);
    assert_true(oro_search_writer_count(s2) > 0);
    assert_null(oro_search_writer_create(f->pool, unit_path(f, "zero"), 0, &error));
    assert_contains(error, "0 shards (1 to 16)");
    assert_null(oro_search_writer_create(f->pool, unit_path(f, "many"), 17, &error));
    assert_contains(error, "17 shards");
    /* a stub naming something else than shards in the version is refused */
    unit_write(f, "odd/XAPIANDB", "remote 127.0.0.1:1\n");
    assert_null(oro_search_writer_open(f->pool, unit_path(f, "odd"), &error));
    assert_contains(error, "XAPIANDB");
}

int main(void)
{
    apr_initialize();
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_acl_levels),         UNIT_TEST(test_operators_on_the_index),
        UNIT_TEST(test_switch_and_refresh), UNIT_TEST(test_title_changes),
        UNIT_TEST(test_stored_values),      UNIT_TEST(test_phrases_in_fields),
        UNIT_TEST(test_shards),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    apr_terminate();
    return rc;
}
