/* lib/conf/conf.c — a reader for the subset of httpd's configuration syntax that the
 * daemons need; see conf.h for what is understood. */
#include "conf/conf.h"

#include <apr_file_io.h>
#include <apr_fnmatch.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INCLUDE_DEPTH 16
#define MAX_SECTION_DEPTH 64

typedef struct {
    apr_pool_t *pool;
    oro_conf_t *conf;
    apr_hash_t *defines;     /* Define NAME VALUE */
    const char *server_root; /* ServerRoot, for relative Include paths */
    const char *error;
} reader_t;

static int read_file(reader_t *rd, const char *path, int depth, const char *enclosing);

/* Expands ${NAME} from Define, then the environment; unknown names stay as written,
 * as httpd does. */
static char *expand_vars(reader_t *rd, const char *in)
{
    const char *p = in;
    char *out = apr_pstrdup(rd->pool, "");
    while (*p) {
        const char *start = strstr(p, "${");
        const char *end = start ? strchr(start + 2, '}') : NULL;
        if (start == NULL || end == NULL) {
            return apr_pstrcat(rd->pool, out, p, NULL);
        }
        char *name = apr_pstrmemdup(rd->pool, start + 2, (apr_size_t)(end - start - 2));
        const char *value = apr_hash_get(rd->defines, name, APR_HASH_KEY_STRING);
        if (value == NULL) {
            value = getenv(name);
        }
        out = apr_pstrcat(
            rd->pool, out, apr_pstrmemdup(rd->pool, p, (apr_size_t)(start - p)),
            value ? value : apr_pstrmemdup(rd->pool, start, (apr_size_t)(end - start + 1)), NULL);
        p = end + 1;
    }
    return out;
}

/* Splits a directive line into words: quotes group, backslash escapes a quote inside
 * quotes. Returns -1 on an unterminated quote. */
static int split_words(apr_pool_t *p, const char *line, apr_array_header_t *words)
{
    const char *s = line;
    for (;;) {
        while (*s && isspace((unsigned char)*s)) {
            s++;
        }
        if (*s == '\0') {
            return 0;
        }
        char *word = apr_palloc(p, strlen(s) + 1);
        size_t n = 0;
        if (*s == '"' || *s == '\'') {
            char quote = *s++;
            while (*s && *s != quote) {
                if (*s == '\\' && (s[1] == quote || s[1] == '\\')) {
                    s++;
                }
                word[n++] = *s++;
            }
            if (*s != quote) {
                return -1;
            }
            s++;
        }
        else {
            while (*s && !isspace((unsigned char)*s)) {
                word[n++] = *s++;
            }
        }
        word[n] = '\0';
        APR_ARRAY_PUSH(words, const char *) = word;
    }
}

static const char *resolve_path(reader_t *rd, const char *path, const char *including_file)
{
    if (path[0] == '/') {
        return path;
    }
    const char *base = rd->server_root;
    if (base == NULL) {
        const char *slash = strrchr(including_file, '/');
        base = slash
                   ? apr_pstrmemdup(rd->pool, including_file, (apr_size_t)(slash - including_file))
                   : ".";
    }
    return apr_pstrcat(rd->pool, base, "/", path, NULL);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Include / IncludeOptional: a file, a directory (every file in it) or a glob. */
static int do_include(reader_t *rd, const char *pattern, int optional, const char *file, int line,
                      int depth, const char *enclosing)
{
    apr_finfo_t finfo;
    if (apr_stat(&finfo, pattern, APR_FINFO_TYPE, rd->pool) == APR_SUCCESS) {
        if (finfo.filetype != APR_DIR) {
            return read_file(rd, pattern, depth + 1, enclosing);
        }
        pattern = apr_pstrcat(rd->pool, pattern, "/*", NULL);
    }
    else if (!apr_fnmatch_test(pattern)) {
        if (optional) {
            return 0;
        }
        rd->error = apr_psprintf(rd->pool, "%s:%d: Include: cannot open \"%s\": no such file", file,
                                 line, pattern);
        return -1;
    }
    apr_array_header_t *matches = NULL;
    const char *dir = apr_pstrdup(rd->pool, pattern);
    char *slash = strrchr((char *)dir, '/');
    if (slash != NULL) {
        *slash = '\0';
    }
    if (apr_match_glob(pattern, &matches, rd->pool) != APR_SUCCESS || matches->nelts == 0) {
        if (optional) {
            return 0;
        }
        rd->error = apr_psprintf(rd->pool,
                                 "%s:%d: Include: no file matches \"%s\" (use IncludeOptional "
                                 "if that is fine)",
                                 file, line, pattern);
        return -1;
    }
    qsort(matches->elts, (size_t)matches->nelts, sizeof(char *), compare_strings);
    for (int i = 0; i < matches->nelts; i++) {
        const char *name = APR_ARRAY_IDX(matches, i, const char *);
        if (name[0] == '.') {
            continue; /* as httpd, wildcards skip hidden files */
        }
        const char *full = apr_pstrcat(rd->pool, dir, "/", name, NULL);
        if (apr_stat(&finfo, full, APR_FINFO_TYPE, rd->pool) == APR_SUCCESS &&
            finfo.filetype == APR_DIR) {
            continue;
        }
        if (read_file(rd, full, depth + 1, enclosing) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Reads one file's lines, joining "\" continuations. */
static int read_lines(reader_t *rd, const char *path, apr_array_header_t **lines,
                      apr_array_header_t **line_numbers)
{
    apr_file_t *f;
    apr_status_t rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, rd->pool);
    if (rv != APR_SUCCESS) {
        char buf[256];
        rd->error = apr_psprintf(rd->pool, "could not open configuration file \"%s\": %s", path,
                                 apr_strerror(rv, buf, sizeof buf));
        return -1;
    }
    *lines = apr_array_make(rd->pool, 64, sizeof(char *));
    *line_numbers = apr_array_make(rd->pool, 64, sizeof(int));
    char buf[8192];
    char *pending = NULL;
    int number = 0, pending_start = 0;
    while (apr_file_gets(buf, sizeof buf, f) == APR_SUCCESS) {
        number++;
        size_t len = strlen(buf);
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) {
            buf[--len] = '\0';
        }
        int continued = len > 0 && buf[len - 1] == '\\';
        if (continued) {
            buf[--len] = '\0';
        }
        if (pending == NULL) {
            pending = apr_pstrdup(rd->pool, buf);
            pending_start = number;
        }
        else {
            pending = apr_pstrcat(rd->pool, pending, buf, NULL);
        }
        if (!continued) {
            APR_ARRAY_PUSH(*lines, char *) = pending;
            APR_ARRAY_PUSH(*line_numbers, int) = pending_start;
            pending = NULL;
        }
    }
    if (pending != NULL) {
        APR_ARRAY_PUSH(*lines, char *) = pending;
        APR_ARRAY_PUSH(*line_numbers, int) = pending_start;
    }
    apr_file_close(f);
    return 0;
}

/* Reads path; enclosing is the section the Include that named it was in ("" at top
 * level), so that directives of included files keep their section. */
static int read_file(reader_t *rd, const char *path, int depth, const char *enclosing)
{
    if (depth > MAX_INCLUDE_DEPTH) {
        rd->error = apr_psprintf(rd->pool, "%s: Include nested more than %d deep (a loop?)", path,
                                 MAX_INCLUDE_DEPTH);
        return -1;
    }
    apr_array_header_t *lines, *numbers;
    if (read_lines(rd, path, &lines, &numbers) != 0) {
        return -1;
    }
    const char *sections[MAX_SECTION_DEPTH];
    int section_depth = 0;
    int skip_depth = 0; /* > 0 while inside a false <IfDefine> */

    for (int i = 0; i < lines->nelts; i++) {
        const char *raw = APR_ARRAY_IDX(lines, i, const char *);
        int line = APR_ARRAY_IDX(numbers, i, int);
        while (isspace((unsigned char)*raw)) {
            raw++;
        }
        if (*raw == '\0' || *raw == '#') {
            continue;
        }
        if (raw[0] == '<' && raw[1] == '/') {
            if (skip_depth > 0) {
                skip_depth--;
                continue;
            }
            if (section_depth == 0) {
                rd->error = apr_psprintf(rd->pool, "%s:%d: %s without a matching section start",
                                         path, line, raw);
                return -1;
            }
            section_depth--;
            continue;
        }
        if (skip_depth > 0) {
            if (raw[0] == '<') {
                skip_depth++;
            }
            continue;
        }
        char *text = expand_vars(rd, raw);
        int is_section = text[0] == '<';
        if (is_section) {
            size_t len = strlen(text);
            if (text[len - 1] != '>') {
                rd->error = apr_psprintf(rd->pool, "%s:%d: section \"%s\" lacks a closing '>'",
                                         path, line, text);
                return -1;
            }
            text[len - 1] = '\0';
            text++;
        }
        apr_array_header_t *words = apr_array_make(rd->pool, 4, sizeof(char *));
        if (split_words(rd->pool, text, words) != 0) {
            rd->error = apr_psprintf(rd->pool, "%s:%d: unterminated quote", path, line);
            return -1;
        }
        if (words->nelts == 0) {
            continue;
        }
        const char *name = APR_ARRAY_IDX(words, 0, const char *);
        int argc = words->nelts - 1;
        const char **argv = (const char **)words->elts + 1;

        if (is_section) {
            if (strcasecmp(name, "IfDefine") == 0 && argc == 1) {
                const char *def = argv[0];
                int negate = def[0] == '!';
                int defined = apr_hash_get(rd->defines, def + negate, APR_HASH_KEY_STRING) != NULL;
                if (defined == negate) {
                    skip_depth = 1;
                }
                else if (section_depth < MAX_SECTION_DEPTH) {
                    sections[section_depth++] = "";
                }
                continue;
            }
            if (section_depth >= MAX_SECTION_DEPTH) {
                rd->error = apr_psprintf(rd->pool, "%s:%d: sections nested too deep", path, line);
                return -1;
            }
            sections[section_depth++] = apr_psprintf(rd->pool, "<%s>", text);
            continue;
        }

        const char *section = enclosing;
        for (int d = 0; d < section_depth; d++) {
            if (sections[d][0] != '\0') {
                section = sections[d];
            }
        }
        if (strcasecmp(name, "Define") == 0 && argc >= 1) {
            apr_hash_set(rd->defines, argv[0], APR_HASH_KEY_STRING, argc > 1 ? argv[1] : "");
            continue;
        }
        if (strcasecmp(name, "UnDefine") == 0 && argc == 1) {
            apr_hash_set(rd->defines, argv[0], APR_HASH_KEY_STRING, NULL);
            continue;
        }
        if (strcasecmp(name, "ServerRoot") == 0 && argc == 1) {
            rd->server_root = argv[0];
        }
        if ((strcasecmp(name, "Include") == 0 || strcasecmp(name, "IncludeOptional") == 0) &&
            argc == 1) {
            if (do_include(rd, resolve_path(rd, argv[0], path),
                           strcasecmp(name, "IncludeOptional") == 0, path, line, depth,
                           section) != 0) {
                return -1;
            }
            continue;
        }
        oro_conf_directive_t *d = apr_array_push(rd->conf->directives);
        d->name = name;
        d->argc = argc;
        d->argv = argv;
        d->file = path;
        d->line = line;
        d->section = section;
    }
    if (section_depth > 0 || skip_depth > 0) {
        rd->error =
            apr_psprintf(rd->pool, "%s: a section is not closed at the end of the file", path);
        return -1;
    }
    return 0;
}

oro_conf_t *oro_conf_read(apr_pool_t *p, const char *path, const char **error)
{
    reader_t rd = {0};
    rd.pool = p;
    rd.conf = apr_pcalloc(p, sizeof(oro_conf_t));
    rd.conf->path = apr_pstrdup(p, path);
    rd.conf->directives = apr_array_make(p, 64, sizeof(oro_conf_directive_t));
    rd.defines = apr_hash_make(p);
    if (read_file(&rd, rd.conf->path, 0, "") != 0) {
        *error = rd.error;
        return NULL;
    }
    *error = NULL;
    return rd.conf;
}

const oro_conf_directive_t *oro_conf_last(const oro_conf_t *conf, const char *name)
{
    for (int i = conf->directives->nelts - 1; i >= 0; i--) {
        const oro_conf_directive_t *d = &APR_ARRAY_IDX(conf->directives, i, oro_conf_directive_t);
        if (d->section[0] == '\0' && strcasecmp(d->name, name) == 0) {
            return d;
        }
    }
    return NULL;
}
