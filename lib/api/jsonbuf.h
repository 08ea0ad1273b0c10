/* lib/api/jsonbuf.h — a JSON text writer into a growing buffer in a pool: the API's
 * responses are written straight as text (a json-c tree per resource cost more than the
 * database query of a list page; docs/PERFORMANCE.md). */
#ifndef ORO_API_JSONBUF_H
#define ORO_API_JSONBUF_H

#include <apr_pools.h>

typedef struct {
    apr_pool_t *pool;
    char *data; /* NUL-terminated */
    apr_size_t len, cap;
} oro_jbuf_t;

void oro_jbuf_init(oro_jbuf_t *b, apr_pool_t *p, apr_size_t cap);
/* Appends n bytes as they are (JSON syntax, numbers already valid). */
void oro_jbuf_raw(oro_jbuf_t *b, const char *s, apr_size_t n);
#define oro_jbuf_lit(b, literal) oro_jbuf_raw((b), (literal), sizeof(literal) - 1)
/* Appends s as a JSON string: quoted, with ", \ and control characters escaped
 * (bytes >= 0x80 pass through: the database's text is UTF-8). NULL writes null. */
void oro_jbuf_str(oro_jbuf_t *b, const char *s);
/* Appends the n bytes of s escaped as inside a JSON string, without quotes (for a
 * string written in pieces between oro_jbuf_lit(b, "\"") calls). */
void oro_jbuf_escaped(oro_jbuf_t *b, const char *s, apr_size_t n);
/* "name": */
void oro_jbuf_key(oro_jbuf_t *b, const char *name);

#endif
