/* lib/api/sqlbuf.c — see sqlbuf.h. */
#include "api/sqlbuf.h"

#include <apr_strings.h>
#include <string.h>

#include "db/schema.h"

void oro_sqlbuf_init(oro_sqlbuf_t *b, apr_pool_t *p, oro_dialect_t dialect)
{
    b->pool = p;
    b->dialect = dialect;
    b->cap = 512;
    b->text = apr_palloc(p, b->cap);
    b->text[0] = '\0';
    b->len = 0;
    b->params = apr_array_make(p, 8, sizeof(const char *));
}

void oro_sqlbuf_add(oro_sqlbuf_t *b, const char *s)
{
    apr_size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        apr_size_t cap = b->cap * 2;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        char *text = apr_palloc(b->pool, cap);
        memcpy(text, b->text, b->len + 1);
        b->text = text;
        b->cap = cap;
    }
    memcpy(b->text + b->len, s, n + 1);
    b->len += n;
}

void oro_sqlbuf_name(oro_sqlbuf_t *b, const char *name)
{
    oro_sqlbuf_add(b, oro_schema_quote(b->pool, b->dialect, name));
}

void oro_sqlbuf_param(oro_sqlbuf_t *b, const char *value)
{
    if (value == NULL) {
        oro_sqlbuf_add(b, "NULL");
        return;
    }
    oro_sqlbuf_add(b, "%s");
    APR_ARRAY_PUSH(b->params, const char *) = value;
}

void oro_sqlbuf_param_list(oro_sqlbuf_t *b, const apr_array_header_t *values)
{
    oro_sqlbuf_add(b, "(");
    for (int i = 0; i < values->nelts; i++) {
        if (i > 0) {
            oro_sqlbuf_add(b, ", ");
        }
        oro_sqlbuf_param(b, APR_ARRAY_IDX(values, i, const char *));
    }
    oro_sqlbuf_add(b, ")");
}

oro_sql_t *oro_sqlbuf_finish(oro_sqlbuf_t *b)
{
    oro_sql_t *sql = apr_palloc(b->pool, sizeof *sql);
    sql->sql = b->text;
    sql->params = b->params;
    return sql;
}

const char *oro_sql_id_column(const oro_entity_t *entity)
{
    const oro_field_t *id = oro_meta_field(entity, "id");
    return id != NULL ? id->column : "id";
}
