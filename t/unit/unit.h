/* t/unit/unit.h — shared helpers of the cmocka unit tests: a per-test fixture with an
 * APR pool and a scratch directory under /tmp (removed in teardown), file writers and
 * string assertions that print both sides on failure. */
#ifndef ORO_T_UNIT_UNIT_H
#define ORO_T_UNIT_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    apr_pool_t *pool;
    char dir[64]; /* the scratch directory, no trailing slash */
} unit_fixture_t;

static inline int unit_setup(void **state)
{
    unit_fixture_t *f = calloc(1, sizeof *f);
    if (f == NULL) {
        return -1;
    }
    if (apr_pool_create(&f->pool, NULL) != APR_SUCCESS) {
        free(f);
        return -1;
    }
    strcpy(f->dir, "/tmp/oro-unit-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        apr_pool_destroy(f->pool);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static inline int unit_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

static inline int unit_teardown(void **state)
{
    unit_fixture_t *f = *state;
    int rc = 0;
    if (f == NULL) {
        return 0;
    }
    chmod(f->dir, 0700);
    if (nftw(f->dir, unit_rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0) {
        fprintf(stderr, "teardown: could not remove %s\n", f->dir);
        rc = -1;
    }
    apr_pool_destroy(f->pool);
    free(f);
    *state = NULL;
    return rc;
}

/* dir/rel, allocated in the fixture's pool. */
static inline const char *unit_path(unit_fixture_t *f, const char *rel)
{
    return apr_pstrcat(f->pool, f->dir, "/", rel, NULL);
}

/* Creates every missing directory of dir/rel (rel itself included). */
static inline const char *unit_mkdir(unit_fixture_t *f, const char *rel)
{
    char *path = apr_pstrdup(f->pool, unit_path(f, rel));
    for (char *s = path + strlen(f->dir) + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            mkdir(path, 0700);
            *s = '/';
        }
    }
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        fail_msg("mkdir %s: %s", path, strerror(errno));
    }
    return path;
}

/* Writes content to dir/rel (creating parent directories) and returns the path. */
static inline const char *unit_write(unit_fixture_t *f, const char *rel, const char *content)
{
    const char *path = unit_path(f, rel);
    const char *slash = strrchr(rel, '/');
    if (slash != NULL) {
        unit_mkdir(f, apr_pstrmemdup(f->pool, rel, (apr_size_t)(slash - rel)));
    }
    FILE *fp = fopen(path, "w");
    if (fp == NULL) {
        fail_msg("fopen %s: %s", path, strerror(errno));
    }
    fputs(content, fp);
    fclose(fp);
    return path;
}

/* Fails unless haystack (not NULL) contains needle. */
#define assert_contains(haystack, needle)                                                          \
    do {                                                                                           \
        const char *h_ = (haystack);                                                               \
        const char *n_ = (needle);                                                                 \
        if (h_ == NULL) {                                                                          \
            fail_msg("expected a string containing \"%s\", got NULL", n_);                         \
        }                                                                                          \
        else if (strstr(h_, n_) == NULL) {                                                         \
            fail_msg("\"%s\" does not contain \"%s\"", h_, n_);                                    \
        }                                                                                          \
    } while (0)

/* Fails unless s (not NULL) starts with prefix. */
#define assert_starts_with(s, prefix)                                                              \
    do {                                                                                           \
        const char *s_ = (s);                                                                      \
        const char *p_ = (prefix);                                                                 \
        if (s_ == NULL) {                                                                          \
            fail_msg("expected a string starting with \"%s\", got NULL", p_);                      \
        }                                                                                          \
        else if (strncmp(s_, p_, strlen(p_)) != 0) {                                               \
            fail_msg("\"%s\" does not start with \"%s\"", s_, p_);                                 \
        }                                                                                          \
    } while (0)

/* Fails if s is not NULL, printing it (for "no error expected"). */
#define assert_no_error(s)                                                                         \
    do {                                                                                           \
        const char *e_ = (s);                                                                      \
        if (e_ != NULL) {                                                                          \
            fail_msg("unexpected error: %s", e_);                                                  \
        }                                                                                          \
    } while (0)

#define UNIT_TEST(fn) cmocka_unit_test_setup_teardown(fn, unit_setup, unit_teardown)

#endif
