/* t/unit/test_settings.c — lib/conf/settings.h: the Oro* directives. */
#include "unit.h"

#include "conf/settings.h"
#include "meta/meta.h"

static void assert_str_or_null_equal(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        assert_ptr_equal(a, b);
    }
    else {
        assert_string_equal(a, b);
    }
}

/* Field by field (memcmp would compare the padding too). */
static void assert_settings_equal(const oro_settings_t *a, const oro_settings_t *b)
{
    assert_str_or_null_equal(a->db_driver, b->db_driver);
    assert_str_or_null_equal(a->db_params, b->db_params);
    assert_str_or_null_equal(a->entity_config, b->entity_config);
    assert_str_or_null_equal(a->search_index, b->search_index);
    assert_int_equal(a->transport, b->transport);
    assert_str_or_null_equal(a->amqp_url, b->amqp_url);
    assert_str_or_null_equal(a->secret_file, b->secret_file);
    assert_str_or_null_equal(a->schema_dir, b->schema_dir);
    assert_int_equal(a->heartbeat_interval, b->heartbeat_interval);
    assert_int_equal(a->consumer_timeout, b->consumer_timeout);
    assert_int_equal(a->consumer_workers, b->consumer_workers);
    assert_str_or_null_equal(a->consumer_pidfile, b->consumer_pidfile);
    assert_str_or_null_equal(a->consumer_log, b->consumer_log);
}

/* Calls oro_settings_set with one argument; checks that the name is known. */
static const char *set1(unit_fixture_t *f, oro_settings_t *s, const char *name, const char *arg)
{
    const char *argv[] = {arg};
    int known = -1;
    const char *err = oro_settings_set(f->pool, s, name, 1, argv, &known);
    assert_int_equal(known, 1);
    return err;
}

static void test_set_strings_and_paths(void **state)
{
    unit_fixture_t *f = *state;
    oro_settings_t s;
    oro_settings_init(&s);
    assert_no_error(set1(f, &s, "DBDriver", "pgsql"));
    assert_no_error(set1(f, &s, "DBDParams", "host=/run/postgresql dbname=oro"));
    assert_no_error(set1(f, &s, "OroEntityConfig", "/e"));
    assert_no_error(set1(f, &s, "OroSchemaDir", "/schema"));
    assert_no_error(set1(f, &s, "OroSearchIndex", "/index"));
    assert_no_error(set1(f, &s, "OroSecretFile", "/secret"));
    assert_no_error(set1(f, &s, "OroConsumerPidFile", "/run/c.pid"));
    assert_no_error(set1(f, &s, "orocONSUMERlog", "/log/c.log")); /* case-insensitive */
    assert_string_equal(s.db_driver, "pgsql");
    assert_string_equal(s.db_params, "host=/run/postgresql dbname=oro");
    assert_string_equal(s.entity_config, "/e");
    assert_string_equal(s.schema_dir, "/schema");
    assert_string_equal(s.search_index, "/index");
    assert_string_equal(s.secret_file, "/secret");
    assert_string_equal(s.consumer_pidfile, "/run/c.pid");
    assert_string_equal(s.consumer_log, "/log/c.log");
    /* Nothing else was touched. */
    assert_int_equal(s.transport, ORO_UNSET_INT);
    assert_null(s.amqp_url);
    assert_int_equal(s.heartbeat_interval, ORO_UNSET_INT);
    assert_int_equal(s.consumer_timeout, ORO_UNSET_INT);
    assert_int_equal(s.consumer_workers, ORO_UNSET_INT);

    /* The value is copied. */
    char buf[] = "/copied";
    assert_no_error(set1(f, &s, "OroSearchIndex", buf));
    buf[1] = 'X';
    assert_string_equal(s.search_index, "/copied");

    /* An empty path is refused, an empty DBDParams is not. */
    assert_string_equal(set1(f, &s, "OroSearchIndex", ""), "OroSearchIndex: the path is empty");
    assert_string_equal(s.search_index, "/copied");
    assert_string_equal(set1(f, &s, "OroSecretFile", ""), "OroSecretFile: the path is empty");
    assert_no_error(set1(f, &s, "DBDParams", ""));
    assert_string_equal(s.db_params, "");
}

static void test_set_ints(void **state)
{
    unit_fixture_t *f = *state;
    oro_settings_t s;
    oro_settings_init(&s);
    assert_no_error(set1(f, &s, "OroHeartbeatInterval", "1"));
    assert_int_equal(s.heartbeat_interval, 1);
    assert_no_error(set1(f, &s, "OroHeartbeatInterval", "3600"));
    assert_int_equal(s.heartbeat_interval, 3600);
    assert_no_error(set1(f, &s, "OroConsumerTimeout", "2"));
    assert_int_equal(s.consumer_timeout, 2);
    assert_no_error(set1(f, &s, "OroConsumerTimeout", "86400"));
    assert_int_equal(s.consumer_timeout, 86400);
    assert_no_error(set1(f, &s, "OroConsumerWorkers", "1"));
    assert_int_equal(s.consumer_workers, 1);
    assert_no_error(set1(f, &s, "OroConsumerWorkers", "256"));
    assert_int_equal(s.consumer_workers, 256);
    assert_no_error(set1(f, &s, "OroApiMaxPageSize", "500"));
    assert_int_equal(s.api_max_page_size, 500);
    assert_no_error(set1(f, &s, "OroApiBulkDeleteLimit", "1000"));
    assert_int_equal(s.api_bulk_delete_limit, 1000);

    static const struct {
        const char *name, *value, *message;
    } bad[] = {
        {"OroHeartbeatInterval", "0",
         "OroHeartbeatInterval: \"0\" is not a whole number from 1 to 3600"},
        {"OroHeartbeatInterval", "3601",
         "OroHeartbeatInterval: \"3601\" is not a whole number from 1 to 3600"},
        {"OroHeartbeatInterval", "-5",
         "OroHeartbeatInterval: \"-5\" is not a whole number from 1 to 3600"},
        {"OroHeartbeatInterval", "abc",
         "OroHeartbeatInterval: \"abc\" is not a whole number from 1 to 3600"},
        {"OroHeartbeatInterval", "5s",
         "OroHeartbeatInterval: \"5s\" is not a whole number from 1 to 3600"},
        {"OroHeartbeatInterval", "",
         "OroHeartbeatInterval: \"\" is not a whole number from 1 to 3600"},
        {"OroHeartbeatInterval", "2.5",
         "OroHeartbeatInterval: \"2.5\" is not a whole number from 1 to 3600"},
        {"OroConsumerTimeout", "1",
         "OroConsumerTimeout: \"1\" is not a whole number from 2 to 86400"},
        {"OroConsumerTimeout", "86401",
         "OroConsumerTimeout: \"86401\" is not a whole number from 2 to 86400"},
        {"OroConsumerTimeout", "99999999999999999999",
         "OroConsumerTimeout: \"99999999999999999999\" is not a whole number from 2 to 86400"},
        {"OroConsumerWorkers", "0",
         "OroConsumerWorkers: \"0\" is not a whole number from 1 to 256"},
        {"OroConsumerWorkers", "257",
         "OroConsumerWorkers: \"257\" is not a whole number from 1 to 256"},
        {"OroConsumerWorkers", "4294967298",
         "OroConsumerWorkers: \"4294967298\" is not a whole number from 1 to 256"},
        {"OroConsumerWorkers", "two",
         "OroConsumerWorkers: \"two\" is not a whole number from 1 to 256"},
        {"OroApiMaxPageSize", "0",
         "OroApiMaxPageSize: \"0\" is not a whole number from 1 to 10000"},
        {"OroApiMaxPageSize", "10001",
         "OroApiMaxPageSize: \"10001\" is not a whole number from 1 to 10000"},
        {"OroApiBulkDeleteLimit", "-1",
         "OroApiBulkDeleteLimit: \"-1\" is not a whole number from 1 to 100000"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_string_equal(set1(f, &s, bad[i].name, bad[i].value), bad[i].message);
    }
    /* Failed sets leave the previous values. */
    assert_int_equal(s.heartbeat_interval, 3600);
    assert_int_equal(s.consumer_timeout, 86400);
    assert_int_equal(s.consumer_workers, 256);
}

static void test_set_transport(void **state)
{
    unit_fixture_t *f = *state;
    oro_settings_t s;
    oro_settings_init(&s);
    assert_no_error(set1(f, &s, "OroQueueTransport", "amqp"));
    assert_int_equal(s.transport, ORO_MQ_AMQP);
    assert_no_error(set1(f, &s, "OroQueueTransport", "DBAL"));
    assert_int_equal(s.transport, ORO_MQ_DBAL);
    assert_no_error(set1(f, &s, "OroQueueTransport", "AmQp"));
    assert_int_equal(s.transport, ORO_MQ_AMQP);
    const char *err = set1(f, &s, "OroQueueTransport", "kafka");
    assert_string_equal(err, "OroQueueTransport: unknown transport \"kafka\" (use dbal or amqp)");
    assert_contains(err, "dbal");
    assert_contains(err, "amqp");
    assert_int_equal(s.transport, ORO_MQ_AMQP);
    assert_string_equal(oro_mq_transport_name(ORO_MQ_AMQP), "amqp");
    assert_string_equal(oro_mq_transport_name(ORO_MQ_DBAL), "dbal");
}

static void test_set_amqp_url(void **state)
{
    unit_fixture_t *f = *state;
    oro_settings_t s;
    oro_settings_init(&s);
    static const char *const good[] = {
        "amqp://u:p@h:5672/%2f", "amqp://h",       "amqps://guest@rabbit.example:5671",
        "amqp://h:1/",           "amqp://h:65535", "amqp://u:p@127.0.0.1/vhost",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_no_error(set1(f, &s, "OroAmqpUrl", good[i]));
        assert_string_equal(s.amqp_url, good[i]);
    }
    static const struct {
        const char *url, *message;
    } bad[] = {
        {"h:5672", "OroAmqpUrl: \"h:5672\" must start with amqp:// or amqps://"},
        {"http://h:5672/", "OroAmqpUrl: \"http://h:5672/\" must start with amqp:// or amqps://"},
        {"amqp://", "OroAmqpUrl: \"amqp://\" has no host"},
        {"amqp://:5672/", "OroAmqpUrl: \"amqp://:5672/\" has no host"},
        {"amqp://u:p@/vhost", "OroAmqpUrl: \"amqp://u:p@/vhost\" has no host"},
        {"amqp://u:p@:5672", "OroAmqpUrl: \"amqp://u:p@:5672\" has no host"},
        {"amqp://h:0", "OroAmqpUrl: \"amqp://h:0\" has an invalid port"},
        {"amqp://u:p@h:70000/%2f", "OroAmqpUrl: \"amqp://u:p@h:70000/%2f\" has an invalid port"},
        {"amqp://h:", "OroAmqpUrl: \"amqp://h:\" has an invalid port"},
        {"amqp://h:/v", "OroAmqpUrl: \"amqp://h:/v\" has an invalid port"},
        {"amqp://h:56x72", "OroAmqpUrl: \"amqp://h:56x72\" has an invalid port"},
        {"amqp://h:-1", "OroAmqpUrl: \"amqp://h:-1\" has an invalid port"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_string_equal(set1(f, &s, "OroAmqpUrl", bad[i].url), bad[i].message);
    }
    assert_string_equal(s.amqp_url, good[sizeof good / sizeof good[0] - 1]);
}

static void test_set_wrong_argc(void **state)
{
    unit_fixture_t *f = *state;
    oro_settings_t s, before;
    oro_settings_init(&s);
    const char *two[] = {"a", "b"};
    int known = -1;
    assert_string_equal(oro_settings_set(f->pool, &s, "OroSearchIndex", 2, two, &known),
                        "OroSearchIndex takes one argument, not 2");
    assert_int_equal(known, 1);
    assert_string_equal(oro_settings_set(f->pool, &s, "oroconsumerworkers", 0, two, NULL),
                        "OroConsumerWorkers takes one argument, not 0");
    assert_string_equal(oro_settings_set(f->pool, &s, "DBDParams", 2, two, NULL),
                        "DBDParams takes one argument, not 2");
    oro_settings_init(&before);
    assert_settings_equal(&s, &before);
}

static void test_set_unknown_directive(void **state)
{
    unit_fixture_t *f = *state;
    oro_settings_t s, before;
    oro_settings_init(&s);
    assert_no_error(set1(f, &s, "OroSearchIndex", "/idx"));
    before = s;
    const char *argv[] = {"www.example.com"};
    static const char *const names[] = {"ServerName", "Oro", "OroSearchIndexX", "DBDMax", ""};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        int known = -1;
        assert_null(oro_settings_set(f->pool, &s, names[i], 1, argv, &known));
        assert_int_equal(known, 0);
        /* Any argc is fine for a directive that is not ours. */
        known = -1;
        assert_null(oro_settings_set(f->pool, &s, names[i], 0, argv, &known));
        assert_int_equal(known, 0);
    }
    assert_null(oro_settings_set(f->pool, &s, "ServerName", 1, argv, NULL));
    assert_settings_equal(&s, &before);
}

static void test_merge(void **state)
{
    (void)state;
    oro_settings_t parent, child, out;
    oro_settings_init(&parent);
    oro_settings_init(&child);
    parent.db_driver = "pgsql";
    parent.db_params = "parent-params";
    parent.entity_config = "/p/entities";
    parent.search_index = "/p/index";
    parent.transport = ORO_MQ_AMQP;
    parent.amqp_url = "amqp://parent";
    parent.heartbeat_interval = 7;
    parent.consumer_timeout = 70;
    parent.consumer_log = "/p/log";

    child.db_params = "child-params";
    child.search_index = "/c/index";
    child.transport = ORO_MQ_DBAL; /* 0 is a set value, not "unset" */
    child.consumer_timeout = 90;
    child.consumer_workers = 4;
    child.secret_file = "/c/secret";
    child.schema_dir = "/c/schema";
    child.consumer_pidfile = "/c/pid";

    memset(&out, 0x5a, sizeof out);
    oro_settings_merge(&out, &parent, &child);
    assert_string_equal(out.db_driver, "pgsql");
    assert_string_equal(out.db_params, "child-params");
    assert_string_equal(out.entity_config, "/p/entities");
    assert_string_equal(out.search_index, "/c/index");
    assert_int_equal(out.transport, ORO_MQ_DBAL);
    assert_string_equal(out.amqp_url, "amqp://parent");
    assert_string_equal(out.secret_file, "/c/secret");
    assert_string_equal(out.schema_dir, "/c/schema");
    assert_int_equal(out.heartbeat_interval, 7);
    assert_int_equal(out.consumer_timeout, 90);
    assert_int_equal(out.consumer_workers, 4);
    assert_string_equal(out.consumer_pidfile, "/c/pid");
    assert_string_equal(out.consumer_log, "/p/log");

    /* Both unset stays unset. */
    oro_settings_t a, b;
    oro_settings_init(&a);
    oro_settings_init(&b);
    memset(&out, 0x5a, sizeof out);
    oro_settings_merge(&out, &a, &b);
    assert_settings_equal(&out, &a);
}

static void test_init_and_defaults(void **state)
{
    (void)state;
    oro_settings_t s;
    memset(&s, 0x5a, sizeof s);
    oro_settings_init(&s);
    assert_null(s.db_driver);
    assert_null(s.db_params);
    assert_null(s.entity_config);
    assert_null(s.search_index);
    assert_null(s.amqp_url);
    assert_null(s.secret_file);
    assert_null(s.schema_dir);
    assert_null(s.consumer_pidfile);
    assert_null(s.consumer_log);
    assert_int_equal(s.transport, ORO_UNSET_INT);
    assert_int_equal(s.heartbeat_interval, ORO_UNSET_INT);
    assert_int_equal(s.consumer_timeout, ORO_UNSET_INT);
    assert_int_equal(s.consumer_workers, ORO_UNSET_INT);

    oro_settings_apply_defaults(&s);
    assert_int_equal(s.transport, ORO_MQ_DBAL);
    assert_int_equal(s.heartbeat_interval, 5);
    assert_int_equal(s.consumer_timeout, 30);
    assert_int_equal(s.consumer_workers, 2);
    assert_null(s.consumer_pidfile);
    assert_null(s.db_driver);

    oro_settings_init(&s);
    s.transport = ORO_MQ_AMQP;
    s.heartbeat_interval = 9;
    s.consumer_timeout = 99;
    s.consumer_workers = 12;
    oro_settings_apply_defaults(&s);
    assert_int_equal(s.transport, ORO_MQ_AMQP);
    assert_int_equal(s.heartbeat_interval, 9);
    assert_int_equal(s.consumer_timeout, 99);
    assert_int_equal(s.consumer_workers, 12);
}

static void test_check(void **state)
{
    unit_fixture_t *f = *state;
    oro_settings_t s;
    oro_settings_init(&s);
    assert_no_error(oro_settings_check(f->pool, &s)); /* nothing set, nothing to check */

    const char *dir = unit_mkdir(f, "index");
    const char *file = unit_write(f, "plain", "x");
    const char *missing = unit_path(f, "nope");
    s.search_index = dir;
    s.entity_config = dir;
    s.schema_dir = dir;
    assert_no_error(oro_settings_check(f->pool, &s));

    s.search_index = missing;
    assert_string_equal(oro_settings_check(f->pool, &s),
                        apr_psprintf(f->pool,
                                     "OroSearchIndex: cannot use directory \"%s\": "
                                     "No such file or directory",
                                     missing));
    s.search_index = file;
    assert_string_equal(oro_settings_check(f->pool, &s),
                        apr_psprintf(f->pool, "OroSearchIndex: \"%s\" is not a directory", file));
    s.search_index = dir;
    s.entity_config = file;
    assert_string_equal(oro_settings_check(f->pool, &s),
                        apr_psprintf(f->pool, "OroEntityConfig: \"%s\" is not a directory", file));
    s.entity_config = dir;
    s.schema_dir = missing;
    assert_starts_with(oro_settings_check(f->pool, &s),
                       apr_psprintf(f->pool, "OroSchemaDir: cannot use directory \"%s\"", missing));
    s.schema_dir = dir;

    /* The secret: at least 32 bytes, readable. */
    s.secret_file = unit_write(f, "secret31", "0123456789012345678901234567890");
    assert_string_equal(
        oro_settings_check(f->pool, &s),
        apr_psprintf(f->pool, "OroSecretFile: \"%s\" holds fewer than 32 bytes", s.secret_file));
    s.secret_file = unit_write(f, "secret0", "");
    assert_string_equal(
        oro_settings_check(f->pool, &s),
        apr_psprintf(f->pool, "OroSecretFile: \"%s\" holds fewer than 32 bytes", s.secret_file));
    s.secret_file = unit_write(f, "secret32", "01234567890123456789012345678901");
    assert_no_error(oro_settings_check(f->pool, &s));
    s.secret_file = missing;
    assert_string_equal(oro_settings_check(f->pool, &s),
                        apr_psprintf(f->pool,
                                     "OroSecretFile: cannot read \"%s\": No such file or directory",
                                     missing));
    s.secret_file = unit_path(f, "secret32");

    /* The queue. */
    s.transport = ORO_MQ_AMQP;
    assert_string_equal(oro_settings_check(f->pool, &s), "OroQueueTransport amqp needs OroAmqpUrl "
                                                         "(amqp://user:password@host:port/vhost)");
    s.amqp_url = "amqp://h";
    assert_no_error(oro_settings_check(f->pool, &s));
    s.transport = ORO_MQ_DBAL;
    s.amqp_url = NULL;
    assert_no_error(oro_settings_check(f->pool, &s));

    /* Timeout against interval, only when both are set. */
    s.heartbeat_interval = 5;
    s.consumer_timeout = 5;
    assert_string_equal(oro_settings_check(f->pool, &s),
                        "OroConsumerTimeout (5 s) must be longer than OroHeartbeatInterval (5 s), "
                        "or live consumers look dead");
    s.consumer_timeout = 3;
    assert_string_equal(oro_settings_check(f->pool, &s),
                        "OroConsumerTimeout (3 s) must be longer than OroHeartbeatInterval (5 s), "
                        "or live consumers look dead");
    s.consumer_timeout = 6;
    assert_no_error(oro_settings_check(f->pool, &s));
    s.consumer_timeout = 2;
    s.heartbeat_interval = ORO_UNSET_INT;
    assert_no_error(oro_settings_check(f->pool, &s));
}

static void test_check_unreadable(void **state)
{
    unit_fixture_t *f = *state;
    if (geteuid() == 0) {
        skip(); /* root reads everything */
    }
    oro_settings_t s;
    oro_settings_init(&s);
    s.secret_file = unit_write(f, "secret", "01234567890123456789012345678901");
    chmod(s.secret_file, 0);
    assert_string_equal(oro_settings_check(f->pool, &s),
                        apr_psprintf(f->pool,
                                     "OroSecretFile: cannot read \"%s\": Permission denied",
                                     s.secret_file));
    s.secret_file = NULL;
    s.search_index = unit_mkdir(f, "locked");
    chmod(s.search_index, 0);
    const char *err = oro_settings_check(f->pool, &s);
    chmod(s.search_index, 0700);
    assert_string_equal(err, apr_psprintf(f->pool,
                                          "OroSearchIndex: cannot read directory \"%s\": "
                                          "Permission denied",
                                          s.search_index));
}

/* OroSecretFile must be a readable file of at least 32 bytes (settings.h: "paths exist
 * and are readable"); a directory opens with open(2) and has a size (4096 on ext4), so
 * oro_settings_check accepts it today and the failure comes only when the secret is
 * read. */
static void test_check_secret_is_directory(void **state)
{
    unit_fixture_t *f = *state;
    oro_settings_t s;
    oro_settings_init(&s);
    unit_mkdir(f, "secretdir");
    for (int i = 0; i < 64; i++) { /* make the directory's size >= 32 on any file system */
        unit_write(f, apr_psprintf(f->pool, "secretdir/entry-with-a-long-name-%02d", i), "");
    }
    s.secret_file = unit_path(f, "secretdir");
    const char *err = oro_settings_check(f->pool, &s);
    assert_contains(err, "OroSecretFile");
    assert_contains(err, s.secret_file);
}

/* A complete, valid configuration; %s is the scratch directory. */
static const char *full_conf = "# the site\n"
                               "ServerName www.example.com\n"
                               "DBDriver pgsql\n"
                               "DBDParams \"host=/run/postgresql dbname=oro user=oro\"\n"
                               "Define VAR %s\n"
                               "OroEntityConfig ${VAR}/entities\n"
                               "OroSchemaDir ${VAR}/schema\n"
                               "OroSearchIndex ${VAR}/index\n"
                               "OroSecretFile ${VAR}/secret\n"
                               "OroQueueTransport amqp\n"
                               "OroAmqpUrl amqp://u:p@h:5672/%%2f\n"
                               "OroHeartbeatInterval 10\n"
                               "OroConsumerTimeout 60\n"
                               "OroConsumerWorkers 3\n"
                               "OroConsumerWorkers 4\n"
                               "OroConsumerPidFile ${VAR}/c.pid\n"
                               "<VirtualHost *:80>\n"
                               "  OroConsumerWorkers 999\n"
                               "  OroSearchIndex /vhost/ignored\n"
                               "</VirtualHost>\n"
                               "<Location /api>\n"
                               "  SetHandler oro\n"
                               "</Location>\n";

static void make_tree(unit_fixture_t *f)
{
    unit_mkdir(f, "entities");
    unit_write(f, "entities/note.json",
               "{\"type\": \"notes\", \"table\": \"oro_note\", \"label\": \"Note\", "
               "\"ownership\": \"none\", \"fields\": {\"text\": {\"type\": \"text\"}}}");
    unit_mkdir(f, "schema");
    unit_mkdir(f, "index");
    unit_write(f, "secret", "0123456789abcdef0123456789abcdef\n");
}

static void test_load_full(void **state)
{
    unit_fixture_t *f = *state;
    make_tree(f);
    const char *path = unit_write(f, "httpd.conf", apr_psprintf(f->pool, full_conf, f->dir));
    oro_settings_t s;
    memset(&s, 0x5a, sizeof s);
    assert_no_error(oro_settings_load(f->pool, path, &s));
    assert_string_equal(s.db_driver, "pgsql");
    assert_string_equal(s.db_params, "host=/run/postgresql dbname=oro user=oro");
    assert_string_equal(s.entity_config, unit_path(f, "entities"));
    assert_non_null(s.meta);
    assert_int_equal(s.meta->entities->nelts, 1);
    assert_string_equal(s.schema_dir, unit_path(f, "schema"));
    assert_string_equal(s.search_index, unit_path(f, "index"));
    assert_string_equal(s.secret_file, unit_path(f, "secret"));
    assert_int_equal(s.transport, ORO_MQ_AMQP);
    assert_string_equal(s.amqp_url, "amqp://u:p@h:5672/%2f");
    assert_int_equal(s.heartbeat_interval, 10);
    assert_int_equal(s.consumer_timeout, 60);
    assert_int_equal(s.consumer_workers, 4);
    assert_string_equal(s.consumer_pidfile, unit_path(f, "c.pid"));
    assert_null(s.consumer_log);
}

static void test_load_defaults(void **state)
{
    unit_fixture_t *f = *state;
    const char *path = unit_write(f, "httpd.conf", "DBDriver MySQL\nDBDParams \"dbname=oro\"\n");
    oro_settings_t s;
    assert_no_error(oro_settings_load(f->pool, path, &s));
    assert_string_equal(s.db_driver, "MySQL");
    assert_int_equal(s.transport, ORO_MQ_DBAL);
    assert_int_equal(s.heartbeat_interval, ORO_DEFAULT_HEARTBEAT_INTERVAL);
    assert_int_equal(s.consumer_timeout, ORO_DEFAULT_CONSUMER_TIMEOUT);
    assert_int_equal(s.consumer_workers, ORO_DEFAULT_CONSUMER_WORKERS);
    assert_null(s.search_index);
}

static void test_load_errors(void **state)
{
    unit_fixture_t *f = *state;
    oro_settings_t s;
    const char *path;

    path = unit_write(f, "nodriver.conf", "DBDParams x\n");
    assert_string_equal(
        oro_settings_load(f->pool, path, &s),
        apr_psprintf(f->pool, "%s: no DBDriver directive (mod_dbd's database driver)", path));

    /* DBDriver inside a section does not count. */
    path = unit_write(f, "vhdriver.conf",
                      "DBDParams x\n<VirtualHost *:80>\nDBDriver pgsql\n</VirtualHost>\n");
    assert_string_equal(
        oro_settings_load(f->pool, path, &s),
        apr_psprintf(f->pool, "%s: no DBDriver directive (mod_dbd's database driver)", path));

    path = unit_write(f, "sqlite.conf", "DBDriver sqlite3\nDBDParams /tmp/x.db\n");
    const char *err = oro_settings_load(f->pool, path, &s);
    assert_string_equal(err, apr_psprintf(f->pool,
                                          "%s: DBDriver \"sqlite3\" is not supported (use pgsql or "
                                          "mysql)",
                                          path));
    assert_contains(err, "not supported");

    path = unit_write(f, "noparams.conf", "DBDriver pgsql\n");
    assert_string_equal(oro_settings_load(f->pool, path, &s),
                        apr_psprintf(f->pool,
                                     "%s: no DBDParams directive (mod_dbd's connection parameters)",
                                     path));

    path = unit_write(f, "badint.conf", "DBDriver pgsql\nDBDParams x\n\nOroConsumerWorkers 0\n");
    assert_string_equal(oro_settings_load(f->pool, path, &s),
                        apr_psprintf(f->pool,
                                     "%s:4: OroConsumerWorkers: \"0\" is not a whole number from 1 "
                                     "to 256",
                                     path));

    path = unit_write(f, "kafka.conf", "OroQueueTransport kafka\nDBDriver pgsql\n");
    assert_string_equal(oro_settings_load(f->pool, path, &s),
                        apr_psprintf(f->pool,
                                     "%s:1: OroQueueTransport: unknown transport \"kafka\" (use "
                                     "dbal or amqp)",
                                     path));

    path = unit_write(f, "argc.conf", "DBDriver pgsql extra\n");
    assert_string_equal(oro_settings_load(f->pool, path, &s),
                        apr_psprintf(f->pool, "%s:1: DBDriver takes one argument, not 2", path));

    /* In an included file, the included file and its line. */
    const char *inc = unit_write(f, "inc/oro.conf", "# oro\nOroAmqpUrl http://h/\n");
    path = unit_write(f, "main.conf", "DBDriver pgsql\nInclude inc/oro.conf\n");
    assert_string_equal(oro_settings_load(f->pool, path, &s),
                        apr_psprintf(f->pool,
                                     "%s:2: OroAmqpUrl: \"http://h/\" must start with amqp:// or "
                                     "amqps://",
                                     inc));

    /* A reader error passes through. */
    path = unit_write(f, "quote.conf", "DBDriver pgsql\nDBDParams \"x\n");
    assert_string_equal(oro_settings_load(f->pool, path, &s),
                        apr_psprintf(f->pool, "%s:2: unterminated quote", path));
    assert_starts_with(oro_settings_load(f->pool, unit_path(f, "missing.conf"), &s),
                       "could not open configuration file");

    /* oro_settings_check's errors, prefixed with the file. */
    const char *missing = unit_path(f, "noindex");
    path = unit_write(
        f, "check.conf",
        apr_psprintf(f->pool, "DBDriver pgsql\nDBDParams x\nOroSearchIndex %s\n", missing));
    err = oro_settings_load(f->pool, path, &s);
    assert_starts_with(err, apr_psprintf(f->pool, "%s: OroSearchIndex: cannot use directory \"%s\"",
                                         path, missing));

    /* The timeout is checked against the default interval. */
    path = unit_write(f, "timeout.conf", "DBDriver pgsql\nDBDParams x\nOroConsumerTimeout 3\n");
    assert_string_equal(oro_settings_load(f->pool, path, &s),
                        apr_psprintf(f->pool,
                                     "%s: OroConsumerTimeout (3 s) must be longer than "
                                     "OroHeartbeatInterval (5 s), or live consumers look dead",
                                     path));

    path = unit_write(f, "amqp.conf", "DBDriver pgsql\nDBDParams x\nOroQueueTransport amqp\n");
    assert_string_equal(oro_settings_load(f->pool, path, &s),
                        apr_psprintf(f->pool,
                                     "%s: OroQueueTransport amqp needs OroAmqpUrl "
                                     "(amqp://user:password@host:port/vhost)",
                                     path));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_set_strings_and_paths),
        UNIT_TEST(test_set_ints),
        UNIT_TEST(test_set_transport),
        UNIT_TEST(test_set_amqp_url),
        UNIT_TEST(test_set_wrong_argc),
        UNIT_TEST(test_set_unknown_directive),
        UNIT_TEST(test_merge),
        UNIT_TEST(test_init_and_defaults),
        UNIT_TEST(test_check),
        UNIT_TEST(test_check_unreadable),
        UNIT_TEST(test_check_secret_is_directory),
        UNIT_TEST(test_load_full),
        UNIT_TEST(test_load_defaults),
        UNIT_TEST(test_load_errors),
    };
    if (apr_initialize() != APR_SUCCESS) {
        return 1;
    }
    int rc = cmocka_run_group_tests_name("settings", tests, NULL, NULL);
    apr_terminate();
    return rc;
}
