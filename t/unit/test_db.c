/* t/unit/test_db.c — lib/db/db.h (what needs no server), lib/mq/heartbeat.h and
 * lib/db/migrate.h's oro_migrate_list (oro_migrate_apply is covered by the
 * integration tests, which have a database). */
#include "unit.h"

#include "db/db.h"
#include "db/migrate.h"
#include "mq/heartbeat.h"

/* ---- db.h ---- */

static void test_dialect_of(void **state)
{
    (void)state;
    assert_int_equal(oro_db_dialect_of("pgsql"), ORO_DIALECT_PGSQL);
    assert_int_equal(oro_db_dialect_of("mysql"), ORO_DIALECT_MYSQL);
    assert_int_equal(oro_db_dialect_of("PGSQL"), ORO_DIALECT_PGSQL);
    assert_int_equal(oro_db_dialect_of("MySQL"), ORO_DIALECT_MYSQL);
    assert_int_equal(oro_db_dialect_of("sqlite3"), -1);
    assert_int_equal(oro_db_dialect_of("postgres"), -1);
    assert_int_equal(oro_db_dialect_of("pgsql "), -1);
    assert_int_equal(oro_db_dialect_of(""), -1);
    assert_int_equal(oro_db_dialect_of(NULL), -1);
}

static void test_open_unsupported(void **state)
{
    unit_fixture_t *f = *state;
    const char *error = NULL;
    assert_null(oro_db_open(f->pool, "sqlite3", "/tmp/x.db", &error));
    assert_string_equal(error, "database driver \"sqlite3\" is not supported (use pgsql or mysql)");
    error = NULL;
    assert_null(oro_db_open(f->pool, NULL, "x", &error));
    assert_string_equal(error, "database driver \"\" is not supported (use pgsql or mysql)");
}

static void test_open_pgsql_no_server(void **state)
{
    unit_fixture_t *f = *state;
    const char *error = NULL;
    oro_db_t *db = oro_db_open(f->pool, "pgsql", "host=/nonexistent-dir dbname=x", &error);
    assert_null(db);
    assert_starts_with(error, "could not connect to the pgsql database: ");
    assert_contains(error, "/nonexistent-dir");
    /* The pool stays usable (the connection's subpool was destroyed). */
    assert_non_null(apr_pstrdup(f->pool, "still alive"));
}

static void test_open_mysql_no_server(void **state)
{
    unit_fixture_t *f = *state;
    const char *error = NULL;
    oro_db_t *db = oro_db_open(
        f->pool, "mysql", apr_psprintf(f->pool, "sock=%s/no.sock dbname=x user=x", f->dir), &error);
    assert_null(db);
    assert_starts_with(error, "could not connect to the mysql database: ");
}

static void test_close_null(void **state)
{
    (void)state;
    oro_db_close(NULL); /* documented as harmless by the NULL check */
}

/* ---- heartbeat.h ---- */

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(s, needle); p != NULL; p = strstr(p + strlen(needle), needle)) {
        n++;
    }
    return n;
}

static void test_heartbeat_sql(void **state)
{
    unit_fixture_t *f = *state;
    const oro_dialect_t dialects[] = {ORO_DIALECT_PGSQL, ORO_DIALECT_MYSQL};
    for (size_t i = 0; i < 2; i++) {
        const char *up = oro_heartbeat_upsert_sql(dialects[i]);
        const char *del = oro_heartbeat_delete_sql(dialects[i]);
        assert_int_equal(count(up, "%s"), 5);
        assert_int_equal(count(up, "%"), 5); /* no other apr_dbd parameter marker */
        assert_int_equal(count(del, "%s"), 2);
        assert_int_equal(count(del, "%"), 2);
        assert_contains(up, "oro_consumer_heartbeat");
        assert_contains(del, "DELETE FROM oro_consumer_heartbeat WHERE host = %s AND pid = ");
        /* host, pid, role, then processed, failed */
        assert_contains(up, "(host, pid, role, started_at, last_seen_at, processed, failed)");

        const char *alive = oro_heartbeat_alive_count_sql(f->pool, dialects[i], 30);
        assert_contains(alive, "SELECT COUNT(*) FROM oro_consumer_heartbeat WHERE last_seen_at > ");
        assert_int_equal(count(alive, "%"), 0);
    }
    assert_contains(oro_heartbeat_upsert_sql(ORO_DIALECT_PGSQL), "ON CONFLICT (host, pid)");
    assert_contains(oro_heartbeat_upsert_sql(ORO_DIALECT_MYSQL), "ON DUPLICATE KEY UPDATE");

    assert_string_equal(oro_heartbeat_alive_count_sql(f->pool, ORO_DIALECT_PGSQL, 30),
                        "SELECT COUNT(*) FROM oro_consumer_heartbeat WHERE last_seen_at > "
                        "now() - interval '30 seconds'");
    assert_string_equal(oro_heartbeat_alive_count_sql(f->pool, ORO_DIALECT_MYSQL, 30),
                        "SELECT COUNT(*) FROM oro_consumer_heartbeat WHERE last_seen_at > "
                        "UTC_TIMESTAMP(6) - INTERVAL 30 SECOND");
    assert_contains(oro_heartbeat_alive_count_sql(f->pool, ORO_DIALECT_PGSQL, 86400),
                    "interval '86400 seconds'");
    assert_contains(oro_heartbeat_alive_count_sql(f->pool, ORO_DIALECT_MYSQL, 7),
                    "INTERVAL 7 SECOND");
}

/* ---- migrate.h: oro_migrate_list ---- */

static const oro_migration_t *mig(apr_array_header_t *list, int i)
{
    assert_true(i < list->nelts);
    return &APR_ARRAY_IDX(list, i, oro_migration_t);
}

static void test_migrate_list_sorted(void **state)
{
    unit_fixture_t *f = *state;
    unit_write(f, "schema/pgsql/0002_b.sql", "SELECT 2;\n");
    unit_write(f, "schema/pgsql/0010_j.sql", "SELECT 10;\n");
    unit_write(f, "schema/pgsql/0001_a.sql", "SELECT 1;\n");
    unit_write(f, "schema/pgsql/.hidden", "ignored\n");
    unit_mkdir(f, "schema/pgsql/subdir");
    unit_write(f, "schema/mysql/0003_only_mysql.sql", "SELECT 3;\n");
    const char *schema = unit_path(f, "schema");
    const char *error = "not set";
    apr_array_header_t *list = oro_migrate_list(f->pool, schema, ORO_DIALECT_PGSQL, &error);
    assert_no_error(error);
    assert_non_null(list);
    assert_int_equal(list->nelts, 3);
    assert_int_equal(mig(list, 0)->version, 1);
    assert_string_equal(mig(list, 0)->name, "0001_a.sql");
    assert_string_equal(mig(list, 0)->path, unit_path(f, "schema/pgsql/0001_a.sql"));
    assert_int_equal(mig(list, 0)->applied, 0);
    assert_int_equal(mig(list, 1)->version, 2);
    assert_string_equal(mig(list, 1)->name, "0002_b.sql");
    assert_int_equal(mig(list, 2)->version, 10);
    assert_string_equal(mig(list, 2)->name, "0010_j.sql");
    assert_int_equal(mig(list, 2)->applied, 0);

    list = oro_migrate_list(f->pool, schema, ORO_DIALECT_MYSQL, &error);
    assert_no_error(error);
    assert_int_equal(list->nelts, 1);
    assert_int_equal(mig(list, 0)->version, 3);
    assert_string_equal(mig(list, 0)->path, unit_path(f, "schema/mysql/0003_only_mysql.sql"));

    unit_mkdir(f, "empty/pgsql");
    list = oro_migrate_list(f->pool, unit_path(f, "empty"), ORO_DIALECT_PGSQL, &error);
    assert_no_error(error);
    assert_non_null(list);
    assert_int_equal(list->nelts, 0);
}

static void test_migrate_list_bad_name(void **state)
{
    unit_fixture_t *f = *state;
    static const char *const bad[] = {"notes.txt", "0001-a.sql",     "abc_0001.sql",
                                      "_x.sql",    "0001_a.sql.bak", "1234567_long.sql",
                                      "0001_a.SQL"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *schema = unit_path(f, apr_psprintf(f->pool, "s%d", (int)i));
        unit_write(f, apr_psprintf(f->pool, "s%d/pgsql/0001_a.sql", (int)i), "SELECT 1;\n");
        unit_write(f, apr_psprintf(f->pool, "s%d/pgsql/%s", (int)i, bad[i]), "x\n");
        const char *error = NULL;
        assert_null(oro_migrate_list(f->pool, schema, ORO_DIALECT_PGSQL, &error));
        assert_string_equal(error, apr_psprintf(f->pool,
                                                "migration file \"%s/pgsql/%s\" is not named "
                                                "NNNN_description.sql",
                                                schema, bad[i]));
    }
    /* Six digits and one digit are fine. */
    unit_write(f, "ok/pgsql/123456_big.sql", "SELECT 1;\n");
    unit_write(f, "ok/pgsql/7_small.sql", "SELECT 1;\n");
    const char *error = "not set";
    apr_array_header_t *list =
        oro_migrate_list(f->pool, unit_path(f, "ok"), ORO_DIALECT_PGSQL, &error);
    assert_no_error(error);
    assert_int_equal(list->nelts, 2);
    assert_int_equal(mig(list, 0)->version, 7);
    assert_int_equal(mig(list, 1)->version, 123456);
}

static void test_migrate_list_duplicate_version(void **state)
{
    unit_fixture_t *f = *state;
    unit_write(f, "schema/mysql/0001_a.sql", "SELECT 1;\n");
    unit_write(f, "schema/mysql/0002_b.sql", "SELECT 2;\n");
    unit_write(f, "schema/mysql/002_c.sql", "SELECT 2;\n");
    const char *error = NULL;
    assert_null(oro_migrate_list(f->pool, unit_path(f, "schema"), ORO_DIALECT_MYSQL, &error));
    assert_non_null(error);
    /* The order of the two names depends on the directory order. */
    const char *one = apr_psprintf(f->pool,
                                   "migrations \"0002_b.sql\" and \"002_c.sql\" in \"%s\" share "
                                   "version 2",
                                   unit_path(f, "schema/mysql"));
    const char *other = apr_psprintf(f->pool,
                                     "migrations \"002_c.sql\" and \"0002_b.sql\" in \"%s\" share "
                                     "version 2",
                                     unit_path(f, "schema/mysql"));
    if (strcmp(error, one) != 0 && strcmp(error, other) != 0) {
        fail_msg("unexpected error: %s", error);
    }
}

static void test_migrate_list_missing_dir(void **state)
{
    unit_fixture_t *f = *state;
    unit_mkdir(f, "schema/mysql");
    const char *error = NULL;
    assert_null(oro_migrate_list(f->pool, unit_path(f, "schema"), ORO_DIALECT_PGSQL, &error));
    assert_starts_with(error,
                       apr_psprintf(f->pool, "could not open the migrations directory \"%s\": ",
                                    unit_path(f, "schema/pgsql")));
    assert_contains(error, "No such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_dialect_of),
        UNIT_TEST(test_open_unsupported),
        UNIT_TEST(test_open_pgsql_no_server),
        UNIT_TEST(test_open_mysql_no_server),
        UNIT_TEST(test_close_null),
        UNIT_TEST(test_heartbeat_sql),
        UNIT_TEST(test_migrate_list_sorted),
        UNIT_TEST(test_migrate_list_bad_name),
        UNIT_TEST(test_migrate_list_duplicate_version),
        UNIT_TEST(test_migrate_list_missing_dir),
    };
    if (apr_initialize() != APR_SUCCESS) {
        return 1;
    }
    int rc = cmocka_run_group_tests_name("db", tests, NULL, NULL);
    apr_terminate();
    return rc;
}
