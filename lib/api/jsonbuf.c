/* lib/api/jsonbuf.c — see jsonbuf.h. */
#include "api/jsonbuf.h"

#include <stdio.h>
#include <string.h>

void oro_jbuf_init(oro_jbuf_t *b, apr_pool_t *p, apr_size_t cap)
{
    b->pool = p;
    b->cap = cap < 64 ? 64 : cap;
    b->data = apr_palloc(p, b->cap);
    b->len = 0;
    b->data[0] = '\0';
}

static void reserve(oro_jbuf_t *b, apr_size_t more)
{
    if (b->len + more + 1 <= b->cap) {
        return;
    }
    apr_size_t cap = b->cap * 2;
    while (cap < b->len + more + 1) {
        cap *= 2;
    }
    char *data = apr_palloc(b->pool, cap);
    memcpy(data, b->data, b->len + 1);
    b->data = data;
    b->cap = cap;
}

void oro_jbuf_raw(oro_jbuf_t *b, const char *s, apr_size_t n)
{
    reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void oro_jbuf_escaped(oro_jbuf_t *b, const char *s, apr_size_t n)
{
    reserve(b, n * 6); /* worst case: every byte as \u00XX */
    char *o = b->data + b->len;
    const unsigned char *c = (const unsigned char *)s, *end = c + n, *run = c;
    /* runs of plain bytes are copied whole: most values have nothing to escape */
    for (; c < end; c++) {
        unsigned char ch = *c;
        if (ch >= 0x20 && ch != '"' && ch != '\\') {
            continue;
        }
        memcpy(o, run, (size_t)(c - run));
        o += c - run;
        run = c + 1;
        *o++ = '\\';
        switch (ch) {
        case '"':
        case '\\':
            *o++ = (char)ch;
            break;
        case '\n':
            *o++ = 'n';
            break;
        case '\r':
            *o++ = 'r';
            break;
        case '\t':
            *o++ = 't';
            break;
        default:
            o += sprintf(o, "u%04x", ch);
        }
    }
    memcpy(o, run, (size_t)(end - run));
    o += end - run;
    b->len = (apr_size_t)(o - b->data);
    b->data[b->len] = '\0';
}

void oro_jbuf_str(oro_jbuf_t *b, const char *s)
{
    if (s == NULL) {
        oro_jbuf_lit(b, "null");
        return;
    }
    apr_size_t n = strlen(s);
    reserve(b, n * 6 + 2);
    b->data[b->len++] = '"';
    oro_jbuf_escaped(b, s, n);
    oro_jbuf_lit(b, "\"");
}

void oro_jbuf_key(oro_jbuf_t *b, const char *name)
{
    oro_jbuf_str(b, name);
    oro_jbuf_lit(b, ":");
}
