/* lib/db/sqlsplit.c — see sqlsplit.h. */
#include "db/sqlsplit.h"

#include <apr_strings.h>
#include <ctype.h>
#include <string.h>

static int line_of(const char *script, const char *at)
{
    int line = 1;
    for (const char *s = script; s < at; s++) {
        line += *s == '\n';
    }
    return line;
}

/* Adds script[start, end) unless it holds only blanks and comments. */
static void push_statement(apr_pool_t *p, apr_array_header_t *out, const char *start,
                           const char *end, int has_code)
{
    while (start < end && isspace((unsigned char)*start)) {
        start++;
    }
    while (end > start && isspace((unsigned char)end[-1])) {
        end--;
    }
    if (has_code && end > start) {
        APR_ARRAY_PUSH(out, const char *) = apr_pstrmemdup(p, start, (apr_size_t)(end - start));
    }
}

apr_array_header_t *oro_sql_split(apr_pool_t *p, const char *script, const char **error)
{
    apr_array_header_t *out = apr_array_make(p, 8, sizeof(const char *));
    const char *s = script, *start = script;
    int has_code = 0;
    *error = NULL;
    while (*s) {
        if (s[0] == '-' && s[1] == '-') {
            while (*s && *s != '\n') {
                s++;
            }
            continue;
        }
        if (s[0] == '/' && s[1] == '*') {
            const char *end = strstr(s + 2, "*/");
            if (end == NULL) {
                *error = apr_psprintf(p, "line %d: unterminated /* comment", line_of(script, s));
                return NULL;
            }
            s = end + 2;
            continue;
        }
        if (*s == '\'' || *s == '"' || *s == '`') {
            char quote = *s;
            const char *open = s++;
            for (;;) {
                if (*s == '\0') {
                    *error = apr_psprintf(p, "line %d: unterminated %c quote",
                                          line_of(script, open), quote);
                    return NULL;
                }
                if (*s == '\\' && quote != '"' && s[1] != '\0') {
                    s += 2; /* mysql escapes; harmless for standard strings */
                    continue;
                }
                if (*s == quote) {
                    if (s[1] == quote) {
                        s += 2; /* doubled quote */
                        continue;
                    }
                    break;
                }
                s++;
            }
            s++;
            has_code = 1;
            continue;
        }
        if (*s == '$') {
            /* $tag$ where tag is empty or an identifier */
            const char *t = s + 1;
            while (isalnum((unsigned char)*t) || *t == '_') {
                t++;
            }
            if (*t == '$' && !(s > script && (isalnum((unsigned char)s[-1]) || s[-1] == '_'))) {
                size_t tag_len = (size_t)(t - s + 1);
                char *tag = apr_pstrmemdup(p, s, tag_len);
                const char *end = strstr(t + 1, tag);
                if (end == NULL) {
                    *error =
                        apr_psprintf(p, "line %d: unterminated %s quote", line_of(script, s), tag);
                    return NULL;
                }
                s = end + tag_len;
                has_code = 1;
                continue;
            }
        }
        if (*s == ';') {
            push_statement(p, out, start, s, has_code);
            start = ++s;
            has_code = 0;
            continue;
        }
        if (!isspace((unsigned char)*s)) {
            has_code = 1;
        }
        s++;
    }
    push_statement(p, out, start, s, has_code);
    return out;
}
