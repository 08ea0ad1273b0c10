/* t/unit/test_conf.c — lib/conf/conf.h: the httpd configuration reader. */
#include "unit.h"

#include "conf/conf.h"

static const oro_conf_directive_t *nth(const oro_conf_t *conf, int i)
{
    assert_true(i < conf->directives->nelts);
    return &APR_ARRAY_IDX(conf->directives, i, oro_conf_directive_t);
}

/* Reads the file, failing the test on error. */
static oro_conf_t *read_ok(unit_fixture_t *f, const char *path)
{
    const char *error = "not set";
    oro_conf_t *conf = oro_conf_read(f->pool, path, &error);
    assert_no_error(error);
    assert_non_null(conf);
    assert_string_equal(conf->path, path);
    return conf;
}

/* Reads the file, expecting an error; returns it. */
static const char *read_err(unit_fixture_t *f, const char *path)
{
    const char *error = NULL;
    oro_conf_t *conf = oro_conf_read(f->pool, path, &error);
    assert_null(conf);
    assert_non_null(error);
    return error;
}

/* Names of the directives, space-separated, with their arguments joined by ",". */
static const char *summary(unit_fixture_t *f, const oro_conf_t *conf)
{
    const char *out = "";
    for (int i = 0; i < conf->directives->nelts; i++) {
        const oro_conf_directive_t *d = nth(conf, i);
        out = apr_pstrcat(f->pool, out, i ? " " : "", d->name, NULL);
        for (int a = 0; a < d->argc; a++) {
            out = apr_pstrcat(f->pool, out, a ? "," : "=", d->argv[a], NULL);
        }
    }
    return out;
}

static void test_quoted_arguments(void **state)
{
    unit_fixture_t *f = *state;
    const char *path = unit_write(f, "main.conf",
                                  "# a comment\n"
                                  "\n"
                                  "   \t\n"
                                  "    # an indented comment \"with an odd quote\n"
                                  "Foo \"a b\" 'c d' \"say \\\"hi\\\"\" plain\n"
                                  "  Bar 'it\\'s' \"back\\\\slash\" \"\" x\\y\n");
    oro_conf_t *conf = read_ok(f, path);
    assert_int_equal(conf->directives->nelts, 2);

    const oro_conf_directive_t *d = nth(conf, 0);
    assert_string_equal(d->name, "Foo");
    assert_int_equal(d->argc, 4);
    assert_string_equal(d->argv[0], "a b");
    assert_string_equal(d->argv[1], "c d");
    assert_string_equal(d->argv[2], "say \"hi\"");
    assert_string_equal(d->argv[3], "plain");
    assert_string_equal(d->file, path);
    assert_int_equal(d->line, 5);
    assert_string_equal(d->section, "");

    d = nth(conf, 1);
    assert_string_equal(d->name, "Bar");
    assert_int_equal(d->argc, 4);
    assert_string_equal(d->argv[0], "it's");
    assert_string_equal(d->argv[1], "back\\slash");
    assert_string_equal(d->argv[2], "");
    assert_string_equal(d->argv[3], "x\\y"); /* unquoted: backslash is literal */
    assert_int_equal(d->line, 6);
}

static void test_line_continuation(void **state)
{
    unit_fixture_t *f = *state;
    const char *path = unit_write(f, "main.conf",
                                  "Bar one \\\n"
                                  "    two \\\n"
                                  "three\n"
                                  "Baz \"x \\\n"
                                  "y\"\r\n"
                                  "Qux last\\\n");
    oro_conf_t *conf = read_ok(f, path);
    assert_string_equal(summary(f, conf), "Bar=one,two,three Baz=x y Qux=last");
    assert_int_equal(nth(conf, 0)->line, 1);
    assert_int_equal(nth(conf, 1)->line, 4);
    assert_int_equal(nth(conf, 2)->line, 6);
}

static void test_define_and_env_expansion(void **state)
{
    unit_fixture_t *f = *state;
    setenv("ORO_UNIT_ENV", "from-env", 1);
    setenv("ORO_UNIT_BOTH", "env-loses", 1);
    unsetenv("NOPE");
    const char *path = unit_write(f, "main.conf",
                                  "Define ROOT /srv/oro\n"
                                  "Define ORO_UNIT_BOTH define-wins\n"
                                  "Define EMPTY\n"
                                  "Path ${ROOT}/index\n"
                                  "Env ${ORO_UNIT_ENV}x\n"
                                  "Both ${ORO_UNIT_BOTH}\n"
                                  "Empty a${EMPTY}b\n"
                                  "Nope ${NOPE}\n"
                                  "Mixed \"${ROOT} and ${NOPE} ${ROOT}\"\n"
                                  "Open ${ROOT\n"
                                  "UnDefine ROOT\n"
                                  "After ${ROOT}\n");
    oro_conf_t *conf = read_ok(f, path);
    unsetenv("ORO_UNIT_ENV");
    unsetenv("ORO_UNIT_BOTH");
    /* Define and UnDefine are consumed, not recorded. */
    assert_string_equal(summary(f, conf), "Path=/srv/oro/index Env=from-envx Both=define-wins "
                                          "Empty=ab Nope=${NOPE} "
                                          "Mixed=/srv/oro and ${NOPE} /srv/oro "
                                          "Open=${ROOT After=${ROOT}");
    assert_null(oro_conf_last(conf, "Define"));
}

static void test_ifdefine(void **state)
{
    unit_fixture_t *f = *state;
    const char *path = unit_write(f, "main.conf",
                                  "Define ON\n"
                                  "<IfDefine ON>\n"
                                  "  A 1\n"
                                  "</IfDefine>\n"
                                  "<IfDefine !ON>\n"
                                  "  B 1\n"
                                  "</IfDefine>\n"
                                  "<IfDefine OFF>\n"
                                  "  C 1\n"
                                  "  <Location /skipped>\n"
                                  "    D 1\n"
                                  "  </Location>\n"
                                  "  <IfDefine ON>\n"
                                  "    E 1\n"
                                  "  </IfDefine>\n"
                                  "  Define OFF_WAS_READ\n"
                                  "</IfDefine>\n"
                                  "<IfDefine !OFF>\n"
                                  "  F 1\n"
                                  "  <IfDefine ON>\n"
                                  "    G 1\n"
                                  "    <IfDefine !ON>\n"
                                  "      H 1\n"
                                  "    </IfDefine>\n"
                                  "  </IfDefine>\n"
                                  "</IfDefine>\n"
                                  "<IfDefine OFF_WAS_READ>\n"
                                  "  I 1\n"
                                  "</IfDefine>\n"
                                  "J 1\n");
    oro_conf_t *conf = read_ok(f, path);
    assert_string_equal(summary(f, conf), "A=1 F=1 G=1 J=1");
    for (int i = 0; i < conf->directives->nelts; i++) {
        assert_string_equal(nth(conf, i)->section, ""); /* true IfDefine is top level */
    }
    assert_non_null(oro_conf_last(conf, "G"));
    assert_int_equal(oro_conf_last(conf, "G")->line, 21);
}

static void test_sections(void **state)
{
    unit_fixture_t *f = *state;
    const char *path = unit_write(f, "main.conf",
                                  "Oro 1\n"
                                  "<Location /api>\n"
                                  "  Oro 2\n"
                                  "  Inner x\n"
                                  "</Location>\n"
                                  "<VirtualHost *:80>\n"
                                  "  <Location /v>\n"
                                  "    Deep y\n"
                                  "  </Location>\n"
                                  "  After z\n"
                                  "</VirtualHost>\n"
                                  "<IfModule mod_x.c>\n"
                                  "  Define MOD\n"
                                  "  <IfDefine MOD>\n"
                                  "    InMod m\n"
                                  "  </IfDefine>\n"
                                  "</IfModule>\n"
                                  "Top t\n");
    oro_conf_t *conf = read_ok(f, path);
    assert_string_equal(summary(f, conf), "Oro=1 Oro=2 Inner=x Deep=y After=z InMod=m Top=t");
    assert_string_equal(nth(conf, 0)->section, "");
    assert_string_equal(nth(conf, 1)->section, "<Location /api>");
    assert_string_equal(nth(conf, 2)->section, "<Location /api>");
    assert_string_equal(nth(conf, 3)->section, "<Location /v>");
    assert_string_equal(nth(conf, 4)->section, "<VirtualHost *:80>");
    assert_string_equal(nth(conf, 5)->section, "<IfModule mod_x.c>");
    assert_string_equal(nth(conf, 6)->section, "");

    const oro_conf_directive_t *d = oro_conf_last(conf, "oro");
    assert_non_null(d);
    assert_string_equal(d->argv[0], "1");
    assert_int_equal(d->line, 1);
    assert_null(oro_conf_last(conf, "Inner"));
    assert_null(oro_conf_last(conf, "Deep"));
    assert_null(oro_conf_last(conf, "After"));
    assert_non_null(oro_conf_last(conf, "TOP"));
}

static void test_last_wins(void **state)
{
    unit_fixture_t *f = *state;
    const char *path = unit_write(f, "main.conf",
                                  "X a\n"
                                  "Y 1\n"
                                  "X b\n"
                                  "x c\n"
                                  "<Location />\n"
                                  "X d\n"
                                  "</Location>\n");
    oro_conf_t *conf = read_ok(f, path);
    const oro_conf_directive_t *d = oro_conf_last(conf, "X");
    assert_non_null(d);
    assert_string_equal(d->name, "x");
    assert_string_equal(d->argv[0], "c");
    assert_int_equal(d->line, 4);
    assert_null(oro_conf_last(conf, "Z"));
}

static void test_include_file(void **state)
{
    unit_fixture_t *f = *state;
    const char *sub = unit_write(f, "sub/one.conf", "\nInOne 1\n");
    /* Relative to the including file's directory, and absolute (quoted). */
    const char *path = unit_write(f, "main.conf",
                                  apr_psprintf(f->pool,
                                               "Before 0\n"
                                               "Include sub/one.conf\n"
                                               "Include \"%s\"\n"
                                               "After 2\n",
                                               sub));
    oro_conf_t *conf = read_ok(f, path);
    assert_string_equal(summary(f, conf), "Before=0 InOne=1 InOne=1 After=2");
    assert_string_equal(nth(conf, 1)->file, sub);
    assert_int_equal(nth(conf, 1)->line, 2);
    assert_string_equal(nth(conf, 3)->file, path);
    assert_int_equal(nth(conf, 3)->line, 4);
    assert_null(oro_conf_last(conf, "Include"));
}

static void test_include_relative_to_serverroot(void **state)
{
    unit_fixture_t *f = *state;
    unit_write(f, "root/extra.conf", "Extra e\n");
    const char *path = unit_write(f, "etc/main.conf",
                                  apr_psprintf(f->pool,
                                               "ServerRoot %s/root\n"
                                               "Include extra.conf\n",
                                               f->dir));
    oro_conf_t *conf = read_ok(f, path);
    assert_string_equal(summary(f, conf),
                        apr_psprintf(f->pool, "ServerRoot=%s/root Extra=e", f->dir));
}

static void test_include_glob_sorted(void **state)
{
    unit_fixture_t *f = *state;
    unit_write(f, "conf.d/20-b.conf", "B 2\n");
    unit_write(f, "conf.d/10-a.conf", "A 1\n");
    unit_write(f, "conf.d/30-c.conf", "C 3\n");
    unit_write(f, "conf.d/15-skip.txt", "Skip 0\n");
    unit_mkdir(f, "conf.d/25-dir.conf");
    const char *path = unit_write(f, "main.conf", "Include conf.d/*.conf\nEnd 9\n");
    oro_conf_t *conf = read_ok(f, path);
    assert_string_equal(summary(f, conf), "A=1 B=2 C=3 End=9");
    assert_string_equal(nth(conf, 0)->file, unit_path(f, "conf.d/10-a.conf"));
}

static void test_include_directory(void **state)
{
    unit_fixture_t *f = *state;
    unit_write(f, "inc/b", "B 2\n");
    unit_write(f, "inc/a.conf", "A 1\n");
    unit_write(f, "inc/sub/nested.conf", "Nested 0\n"); /* subdirectories are not read */
    const char *path = unit_write(f, "main.conf", "Include inc\nInclude inc/\n");
    oro_conf_t *conf = read_ok(f, path);
    assert_string_equal(summary(f, conf), "A=1 B=2 A=1 B=2");
}

static void test_include_optional_missing(void **state)
{
    unit_fixture_t *f = *state;
    unit_mkdir(f, "empty");
    const char *path = unit_write(f, "main.conf",
                                  "IncludeOptional missing.conf\n"
                                  "IncludeOptional nodir/*.conf\n"
                                  "IncludeOptional empty/*.conf\n"
                                  "IncludeOptional empty\n"
                                  "Kept 1\n");
    oro_conf_t *conf = read_ok(f, path);
    assert_string_equal(summary(f, conf), "Kept=1");
}

static void test_include_missing_is_error(void **state)
{
    unit_fixture_t *f = *state;
    const char *path = unit_write(f, "main.conf", "A 1\n\nInclude missing.conf\n");
    const char *error = read_err(f, path);
    assert_string_equal(error,
                        apr_psprintf(f->pool, "%s:3: Include: cannot open \"%s\": no such file",
                                     path, unit_path(f, "missing.conf")));

    /* From an included file, the error names that file and its line. */
    const char *inner = unit_write(f, "inner.conf", "\n\n\nInclude gone.conf\n");
    path = unit_write(f, "main2.conf", "Include inner.conf\n");
    error = read_err(f, path);
    assert_starts_with(error, apr_psprintf(f->pool, "%s:4: Include: cannot open", inner));
    assert_contains(error, "gone.conf");
}

static void test_include_loop(void **state)
{
    unit_fixture_t *f = *state;
    const char *path = unit_write(f, "main.conf", "A 1\nInclude main.conf\n");
    const char *error = read_err(f, path);
    assert_contains(error, "nested");
    assert_contains(error, "Include nested more than 16 deep (a loop?)");
    assert_starts_with(error, path);

    unit_write(f, "x.conf", "Include y.conf\n");
    unit_write(f, "y.conf", "Include x.conf\n");
    error = read_err(f, unit_path(f, "x.conf"));
    assert_contains(error, "nested");
}

static void test_unterminated_quote(void **state)
{
    unit_fixture_t *f = *state;
    const char *path = unit_write(f, "main.conf", "# c\nA 1\nFoo \"abc\nB 2\n");
    assert_string_equal(read_err(f, path), apr_psprintf(f->pool, "%s:3: unterminated quote", path));

    /* The escaped quote does not close it. */
    path = unit_write(f, "esc.conf", "Foo 'abc\\'\n");
    assert_string_equal(read_err(f, path), apr_psprintf(f->pool, "%s:1: unterminated quote", path));
}

static void test_unclosed_section(void **state)
{
    unit_fixture_t *f = *state;
    const char *path = unit_write(f, "main.conf", "<Location /x>\nA 1\n");
    assert_string_equal(
        read_err(f, path),
        apr_psprintf(f->pool, "%s: a section is not closed at the end of the file", path));

    path = unit_write(f, "skip.conf", "<IfDefine NOT_DEFINED>\nA 1\n");
    assert_string_equal(
        read_err(f, path),
        apr_psprintf(f->pool, "%s: a section is not closed at the end of the file", path));

    path = unit_write(f, "gt.conf", "A 1\n<Location /x\n</Location>\n");
    assert_string_equal(
        read_err(f, path),
        apr_psprintf(f->pool, "%s:2: section \"<Location /x\" lacks a closing '>'", path));
}

static void test_stray_section_end(void **state)
{
    unit_fixture_t *f = *state;
    const char *path = unit_write(f, "main.conf", "A 1\n  </Location>\n");
    assert_string_equal(
        read_err(f, path),
        apr_psprintf(f->pool, "%s:2: </Location> without a matching section start", path));
}

static void test_missing_main_file(void **state)
{
    unit_fixture_t *f = *state;
    const char *path = unit_path(f, "missing.conf");
    const char *error = read_err(f, path);
    assert_starts_with(error,
                       apr_psprintf(f->pool, "could not open configuration file \"%s\": ", path));
}

/* httpd puts the directives of an Include inside a section into that section
 * (Include in <VirtualHost> configures the virtual host); conf.h promises to keep
 * "their section path so that callers can ignore what they do not need". */
static void test_include_inside_section_keeps_section(void **state)
{
    unit_fixture_t *f = *state;
    unit_write(f, "vhost-extra.conf", "OroSearchIndex /vhost/only\n");
    const char *path = unit_write(f, "main.conf",
                                  "OroSearchIndex /server/wide\n"
                                  "<VirtualHost *:80>\n"
                                  "  Include vhost-extra.conf\n"
                                  "</VirtualHost>\n");
    oro_conf_t *conf = read_ok(f, path);
    assert_int_equal(conf->directives->nelts, 2);
    assert_string_equal(nth(conf, 1)->section, "<VirtualHost *:80>");
    const oro_conf_directive_t *d = oro_conf_last(conf, "OroSearchIndex");
    assert_non_null(d);
    assert_string_equal(d->argv[0], "/server/wide");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_quoted_arguments),
        UNIT_TEST(test_line_continuation),
        UNIT_TEST(test_define_and_env_expansion),
        UNIT_TEST(test_ifdefine),
        UNIT_TEST(test_sections),
        UNIT_TEST(test_last_wins),
        UNIT_TEST(test_include_file),
        UNIT_TEST(test_include_relative_to_serverroot),
        UNIT_TEST(test_include_glob_sorted),
        UNIT_TEST(test_include_directory),
        UNIT_TEST(test_include_optional_missing),
        UNIT_TEST(test_include_missing_is_error),
        UNIT_TEST(test_include_loop),
        UNIT_TEST(test_unterminated_quote),
        UNIT_TEST(test_unclosed_section),
        UNIT_TEST(test_stray_section_end),
        UNIT_TEST(test_missing_main_file),
        UNIT_TEST(test_include_inside_section_keeps_section),
    };
    if (apr_initialize() != APR_SUCCESS) {
        return 1;
    }
    int rc = cmocka_run_group_tests_name("conf", tests, NULL, NULL);
    apr_terminate();
    return rc;
}
