/* t/unit/test_consumer_args.c — oro-consumer's command line (consumer/args.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <apr_general.h>

/* The consumer is a program, not a library: its args.c is compiled into this test
 * directly, which also keeps the build rule for unit tests unchanged. */
#include "../../consumer/args.h"
#include "util/log.h"

typedef struct {
    apr_pool_t *pool;
    oro_consumer_args_t args;
    const char *error;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    apr_pool_create(&f->pool, NULL);
    unsetenv("ORO_CONFIG");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    apr_pool_destroy(f->pool);
    free(f);
    return 0;
}

/* Parses the NULL-terminated arguments after the program name. */
static oro_consumer_args_result_t parse(fixture_t *f, ...)
{
    const char *argv[16] = {"oro-consumer"};
    int argc = 1;
    va_list ap;
    va_start(ap, f);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && argc < 15) {
        argv[argc++] = a;
    }
    va_end(ap);
    argv[argc] = NULL;
    return oro_consumer_args_parse(f->pool, argc, argv, &f->args, &f->error);
}

static void test_defaults(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(parse(f, NULL), ORO_CONSUMER_ARGS_RUN);
    assert_string_equal(f->args.config_path, "/etc/apache2/apache2.conf");
    assert_int_equal(f->args.foreground, 0);
    assert_int_equal(f->args.workers, 0);
    assert_null(f->args.pidfile);
    assert_null(f->args.log_path);
    assert_int_equal(f->args.log_level, -1);
    assert_null(f->error);
}

static void test_config_from_environment(void **state)
{
    fixture_t *f = *state;
    setenv("ORO_CONFIG", "/srv/oro/httpd.conf", 1);
    assert_int_equal(parse(f, NULL), ORO_CONSUMER_ARGS_RUN);
    assert_string_equal(f->args.config_path, "/srv/oro/httpd.conf");
    /* --config wins over the environment */
    assert_int_equal(parse(f, "--config", "/tmp/other.conf", NULL), ORO_CONSUMER_ARGS_RUN);
    assert_string_equal(f->args.config_path, "/tmp/other.conf");
    /* an empty variable counts as unset */
    setenv("ORO_CONFIG", "", 1);
    assert_int_equal(parse(f, NULL), ORO_CONSUMER_ARGS_RUN);
    assert_string_equal(f->args.config_path, "/etc/apache2/apache2.conf");
}

static void test_all_options(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(parse(f, "--foreground", "--workers", "7", "--pidfile", "/run/c.pid", "--log",
                           "/var/log/c.log", "--log-level", "debug", "-c", "/a.conf", NULL),
                     ORO_CONSUMER_ARGS_RUN);
    assert_int_equal(f->args.foreground, 1);
    assert_int_equal(f->args.workers, 7);
    assert_string_equal(f->args.pidfile, "/run/c.pid");
    assert_string_equal(f->args.log_path, "/var/log/c.log");
    assert_int_equal(f->args.log_level, ORO_LOG_LEVEL_DEBUG);
    assert_string_equal(f->args.config_path, "/a.conf");

    assert_int_equal(parse(f, "-f", "-w", "256", "--workers=3", NULL), ORO_CONSUMER_ARGS_RUN);
    assert_int_equal(f->args.workers, 3);
}

static void test_help_and_version(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(parse(f, "--help", NULL), ORO_CONSUMER_ARGS_HELP);
    assert_int_equal(parse(f, "-h", NULL), ORO_CONSUMER_ARGS_HELP);
    assert_int_equal(parse(f, "--version", NULL), ORO_CONSUMER_ARGS_VERSION);
    assert_int_equal(parse(f, "-V", NULL), ORO_CONSUMER_ARGS_VERSION);
}

static void assert_invalid(fixture_t *f, const char *expected_error)
{
    assert_non_null(f->error);
    assert_non_null(strstr(f->error, expected_error));
}

static void test_bad_workers(void **state)
{
    fixture_t *f = *state;
    const char *bad[] = {"0", "abc", "257", "-1", "3x", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse(f, "--workers", bad[i], NULL), ORO_CONSUMER_ARGS_INVALID);
        assert_invalid(f, "--workers");
        char quoted[16];
        snprintf(quoted, sizeof quoted, "\"%s\"", bad[i]);
        assert_invalid(f, quoted);
    }
}

static void test_bad_options(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(parse(f, "--bogus", NULL), ORO_CONSUMER_ARGS_INVALID);
    assert_invalid(f, "--bogus");
    assert_int_equal(parse(f, "-x", NULL), ORO_CONSUMER_ARGS_INVALID);
    assert_invalid(f, "x");
    assert_int_equal(parse(f, "--workers", NULL), ORO_CONSUMER_ARGS_INVALID);
    assert_invalid(f, "--workers");
    assert_int_equal(parse(f, "--log-level", "loud", NULL), ORO_CONSUMER_ARGS_INVALID);
    assert_invalid(f, "\"loud\"");
    assert_int_equal(parse(f, "--config", "", NULL), ORO_CONSUMER_ARGS_INVALID);
    assert_invalid(f, "--config");
    assert_int_equal(parse(f, "--pidfile", "", NULL), ORO_CONSUMER_ARGS_INVALID);
    assert_invalid(f, "--pidfile");
    assert_int_equal(parse(f, "stray", NULL), ORO_CONSUMER_ARGS_INVALID);
    assert_invalid(f, "\"stray\"");
}

static void test_apply_overrides_config(void **state)
{
    fixture_t *f = *state;
    oro_settings_t s;
    oro_settings_init(&s);
    s.consumer_workers = 2;
    s.consumer_pidfile = "/from/config.pid";
    s.consumer_log = "/from/config.log";

    assert_int_equal(parse(f, NULL), ORO_CONSUMER_ARGS_RUN);
    oro_consumer_args_apply(&f->args, &s);
    assert_int_equal(s.consumer_workers, 2);
    assert_string_equal(s.consumer_pidfile, "/from/config.pid");
    assert_string_equal(s.consumer_log, "/from/config.log");

    assert_int_equal(parse(f, "-w", "9", "-p", "/cli.pid", "-l", "/cli.log", NULL),
                     ORO_CONSUMER_ARGS_RUN);
    oro_consumer_args_apply(&f->args, &s);
    assert_int_equal(s.consumer_workers, 9);
    assert_string_equal(s.consumer_pidfile, "/cli.pid");
    assert_string_equal(s.consumer_log, "/cli.log");
}

int main(void)
{
    apr_initialize();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_from_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_and_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_workers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apply_overrides_config, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    apr_terminate();
    return failed;
}
