/* lib/search/indexer.c — records to search documents (indexer.h). One statement reads
 * a batch of records with everything their documents need: the indexed fields, the
 * title's fields, the ACL columns (organization, owner, the owning user's business
 * unit through a join) and the title fields of the records they point at (a contact's
 * account), so indexing costs one round trip per batch. */
#include <apr_strings.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/sqlbuf.h"
#include "search/indexer.h"
#include "search/query.h"

typedef enum {
    COL_ID = 0,
    COL_FIELD,      /* a field of the record */
    COL_ORG,        /* organization id */
    COL_OWNER,      /* owner id (user or business unit, by ownership) */
    COL_OWNER_UNIT, /* the owning user's business unit */
    COL_RELATED     /* a title field of a many-to-one target */
} col_kind_t;

typedef struct {
    col_kind_t kind;
    const oro_field_t *field;
    int related; /* COL_RELATED: index in plan->related */
} col_t;

typedef struct {
    const oro_entity_t *entity;
    apr_array_header_t *cols;    /* of col_t */
    apr_array_header_t *related; /* of const oro_relation_t *: many-to-ones with titles */
    oro_sqlbuf_t sql;            /* SELECT … FROM … joins */
} plan_t;

int oro_search_valid_id(const char *text)
{
    size_t n = text ? strlen(text) : 0;
    return n > 0 && n <= 18 && strspn(text, "0123456789") == n && text[0] != '0';
}

int oro_search_entity_indexed(const oro_entity_t *entity)
{
    for (int i = 0; i < entity->fields->nelts; i++) {
        const oro_field_t *f = APR_ARRAY_IDX(entity->fields, i, const oro_field_t *);
        if (f->flags & ORO_FLAG_SEARCHABLE) {
            return 1;
        }
    }
    return 0;
}

int oro_search_field_type(const oro_field_t *field)
{
    switch (field->type) {
    case ORO_FIELD_INTEGER:
    case ORO_FIELD_BIGINT:
    case ORO_FIELD_BOOLEAN:
        return ORO_SEARCH_INTEGER;
    case ORO_FIELD_DECIMAL:
    case ORO_FIELD_MONEY:
        return ORO_SEARCH_DECIMAL;
    case ORO_FIELD_DATE:
    case ORO_FIELD_DATETIME:
        return ORO_SEARCH_DATETIME;
    case ORO_FIELD_PASSWORD:
        return -1;
    default:
        return ORO_SEARCH_TEXT;
    }
}

/* Indexed: searchable fields, and id, createdAt, updatedAt for ordering and ranges. */
static int field_indexed(const oro_field_t *f)
{
    return oro_search_field_type(f) >= 0 &&
           ((f->flags & ORO_FLAG_SEARCHABLE) || strcmp(f->name, "id") == 0 ||
            strcmp(f->name, "createdAt") == 0 || strcmp(f->name, "updatedAt") == 0);
}

static int in_title(const oro_entity_t *e, const oro_field_t *f)
{
    for (int i = 1; i < e->title_parts->nelts; i += 2) {
        const char *name = APR_ARRAY_IDX(e->title_parts, i, const char *);
        if (name != NULL && strcmp(name, f->name) == 0) {
            return 1;
        }
    }
    return 0;
}

static void add_col(plan_t *plan, col_kind_t kind, const oro_field_t *f, int related,
                    const char *alias, const char *column)
{
    col_t *c = apr_array_push(plan->cols);
    c->kind = kind;
    c->field = f;
    c->related = related;
    oro_sqlbuf_add(&plan->sql, plan->cols->nelts > 1 ? ", " : "SELECT ");
    oro_sqlbuf_add(&plan->sql, alias);
    oro_sqlbuf_add(&plan->sql, ".");
    oro_sqlbuf_name(&plan->sql, column);
}

/* The owning user's business unit column on the users' table ("business_unit_owner_id"). */
static const oro_relation_t *owner_unit_relation(const oro_meta_t *meta, const oro_entity_t *e)
{
    const char *table = e->ownership == ORO_OWNERSHIP_USER ? oro_meta_owner_table(meta, e) : NULL;
    const oro_entity_t *users =
        table ? apr_hash_get(meta->by_table, table, APR_HASH_KEY_STRING) : NULL;
    const oro_relation_t *r = users ? oro_meta_relation(users, "owner") : NULL;
    return r != NULL && users->ownership == ORO_OWNERSHIP_BUSINESS_UNIT ? r : NULL;
}

static plan_t *make_plan(apr_pool_t *p, const oro_meta_t *meta, const oro_entity_t *e,
                         oro_dialect_t dialect)
{
    plan_t *plan = apr_pcalloc(p, sizeof *plan);
    plan->entity = e;
    plan->cols = apr_array_make(p, 16, sizeof(col_t));
    plan->related = apr_array_make(p, 2, sizeof(const oro_relation_t *));
    oro_sqlbuf_init(&plan->sql, p, dialect);
    add_col(plan, COL_ID, NULL, 0, "t", oro_sql_id_column(e));
    for (int i = 0; i < e->fields->nelts; i++) {
        const oro_field_t *f = APR_ARRAY_IDX(e->fields, i, const oro_field_t *);
        if (strcmp(f->name, "id") != 0 && (field_indexed(f) || in_title(e, f))) {
            add_col(plan, COL_FIELD, f, 0, "t", f->column);
        }
    }
    const oro_relation_t *org = oro_meta_relation(e, "organization");
    const oro_relation_t *owner = oro_meta_relation(e, "owner");
    const oro_relation_t *unit = owner_unit_relation(meta, e);
    if (org != NULL && org->kind == ORO_RELATION_MANY_TO_ONE && (org->flags & ORO_FLAG_SYSTEM)) {
        add_col(plan, COL_ORG, NULL, 0, "t", org->column);
    }
    if (owner != NULL && owner->kind == ORO_RELATION_MANY_TO_ONE &&
        (owner->flags & ORO_FLAG_SYSTEM)) {
        add_col(plan, COL_OWNER, NULL, 0, "t", owner->column);
        if (unit != NULL) {
            add_col(plan, COL_OWNER_UNIT, NULL, 0, "u", unit->column);
        }
    }
    for (int i = 0; i < e->relations->nelts; i++) {
        const oro_relation_t *r = APR_ARRAY_IDX(e->relations, i, const oro_relation_t *);
        if (r->kind != ORO_RELATION_MANY_TO_ONE || (r->flags & ORO_FLAG_SYSTEM) ||
            r->target == NULL || r->target->title_parts->nelts == 0) {
            continue;
        }
        int index = plan->related->nelts;
        APR_ARRAY_PUSH(plan->related, const oro_relation_t *) = r;
        const char *alias = apr_psprintf(p, "r%d", index);
        for (int j = 1; j < r->target->title_parts->nelts; j += 2) {
            const char *name = APR_ARRAY_IDX(r->target->title_parts, j, const char *);
            const oro_field_t *f = name ? oro_meta_field(r->target, name) : NULL;
            if (f != NULL) {
                add_col(plan, COL_RELATED, f, index, alias, f->column);
            }
        }
    }
    oro_sqlbuf_add(&plan->sql, " FROM ");
    oro_sqlbuf_name(&plan->sql, e->table);
    oro_sqlbuf_add(&plan->sql, " t");
    if (owner != NULL && unit != NULL && (owner->flags & ORO_FLAG_SYSTEM)) {
        const oro_entity_t *users = unit->entity;
        oro_sqlbuf_add(&plan->sql, " LEFT JOIN ");
        oro_sqlbuf_name(&plan->sql, users->table);
        oro_sqlbuf_add(&plan->sql, " u ON u.");
        oro_sqlbuf_name(&plan->sql, oro_sql_id_column(users));
        oro_sqlbuf_add(&plan->sql, " = t.");
        oro_sqlbuf_name(&plan->sql, owner->column);
    }
    for (int i = 0; i < plan->related->nelts; i++) {
        const oro_relation_t *r = APR_ARRAY_IDX(plan->related, i, const oro_relation_t *);
        const char *alias = apr_psprintf(p, "r%d", i);
        oro_sqlbuf_add(&plan->sql, " LEFT JOIN ");
        oro_sqlbuf_name(&plan->sql, r->target->table);
        oro_sqlbuf_add(&plan->sql, apr_psprintf(p, " %s ON %s.", alias, alias));
        oro_sqlbuf_name(&plan->sql, oro_sql_id_column(r->target));
        oro_sqlbuf_add(&plan->sql, " = t.");
        oro_sqlbuf_name(&plan->sql, r->column);
    }
    return plan;
}

/* Runs sql and returns its rows (arrays of ncols const char *, NULL for SQL NULL),
 * reading them to the end (MariaDB's results are sequential). NULL with *error. */
static apr_array_header_t *fetch_rows(oro_db_t *db, apr_pool_t *p, const oro_sql_t *q, int ncols,
                                      const char **error)
{
    apr_dbd_prepared_t *stmt = NULL;
    apr_dbd_results_t *res = NULL;
    int nargs = q->params->nelts;
    const char **args = (const char **)q->params->elts;
    int rc = apr_dbd_prepare(db->driver, p, db->handle, q->sql, NULL, &stmt);
    if (rc == 0) {
        rc = apr_dbd_pselect(db->driver, p, db->handle, &res, stmt, ORO_DB_RANDOM(db), nargs, args);
    }
    if (rc != 0) {
        *error = apr_psprintf(p, "could not read records to index: %s",
                              oro_db_one_line(p, apr_dbd_error(db->driver, db->handle, rc)));
        return NULL;
    }
    apr_array_header_t *rows = apr_array_make(p, 64, sizeof(const char **));
    apr_dbd_row_t *row = NULL;
    while (apr_dbd_get_row(db->driver, p, res, &row, -1) == 0) {
        const char **values = apr_palloc(p, sizeof(const char *) * (size_t)ncols);
        for (int i = 0; i < ncols; i++) {
            const char *v = apr_dbd_get_entry(db->driver, row, i);
            values[i] = v ? apr_pstrdup(p, v) : NULL;
        }
        APR_ARRAY_PUSH(rows, const char **) = values;
    }
    return rows;
}

static long long to_id(const char *text)
{
    return text ? strtoll(text, NULL, 10) : 0;
}

/* A datetime or date as the database returns it ("2026-01-02 03:04:05.123+00",
 * "2026-01-02") in seconds; -1 when it cannot be read. */
static int db_datetime(const char *text, double *seconds)
{
    char buf[20];
    size_t n = strlen(text);
    if (n >= 19) {
        memcpy(buf, text, 19);
        buf[19] = '\0';
        return oro_search_parse_datetime(buf, seconds);
    }
    return oro_search_parse_datetime(text, seconds);
}

/* The title from the template's parts and the values of the row by field name. */
static const char *make_title(apr_pool_t *p, const oro_entity_t *e, apr_hash_t *by_name)
{
    const char *title = "";
    for (int i = 0; i + 1 < e->title_parts->nelts; i += 2) {
        const char *literal = APR_ARRAY_IDX(e->title_parts, i, const char *);
        const char *name = APR_ARRAY_IDX(e->title_parts, i + 1, const char *);
        const char *value = name ? apr_hash_get(by_name, name, APR_HASH_KEY_STRING) : NULL;
        title = apr_pstrcat(p, title, literal ? literal : "", value ? value : "", NULL);
    }
    return title;
}

static void build_doc(apr_pool_t *p, const plan_t *plan, const char **row, oro_search_doc_t *doc)
{
    const oro_entity_t *e = plan->entity;
    int ncols = plan->cols->nelts;
    oro_search_field_t *fields = apr_pcalloc(p, sizeof *fields * (size_t)(ncols + 1));
    int nfields = 0;
    apr_hash_t *own = apr_hash_make(p);
    apr_hash_t **related =
        apr_pcalloc(p, sizeof(apr_hash_t *) * (size_t)(plan->related->nelts + 1));
    memset(doc, 0, sizeof *doc);
    doc->entity = e->type;
    for (int i = 0; i < ncols; i++) {
        const col_t *c = &APR_ARRAY_IDX(plan->cols, i, col_t);
        const char *v = row[i];
        switch (c->kind) {
        case COL_ID:
            doc->id = v;
            apr_hash_set(own, "id", APR_HASH_KEY_STRING, v);
            break;
        case COL_ORG:
            doc->organization_id = to_id(v);
            break;
        case COL_OWNER:
            if (e->ownership == ORO_OWNERSHIP_BUSINESS_UNIT) {
                doc->business_unit_id = to_id(v);
            }
            else {
                doc->owner_id = to_id(v);
            }
            break;
        case COL_OWNER_UNIT:
            doc->business_unit_id = to_id(v);
            break;
        case COL_RELATED:
            if (related[c->related] == NULL) {
                related[c->related] = apr_hash_make(p);
            }
            if (v != NULL) {
                apr_hash_set(related[c->related], c->field->name, APR_HASH_KEY_STRING, v);
            }
            break;
        case COL_FIELD:
            if (v == NULL) {
                break;
            }
            apr_hash_set(own, c->field->name, APR_HASH_KEY_STRING, v);
            if (!field_indexed(c->field)) {
                break;
            }
            oro_search_field_t *f = &fields[nfields];
            f->name = c->field->name;
            f->type = (oro_search_type_t)oro_search_field_type(c->field);
            f->text = v;
            if (c->field->type == ORO_FIELD_BOOLEAN) {
                f->number = (v[0] == 't' || v[0] == '1') ? 1 : 0;
                f->text = f->number ? "1" : "0";
            }
            else if (f->type == ORO_SEARCH_DATETIME) {
                if (db_datetime(v, &f->number) != 0) {
                    break;
                }
            }
            else if (f->type != ORO_SEARCH_TEXT) {
                f->number = strtod(v, NULL);
            }
            nfields++;
            break;
        }
    }
    /* "id" as an integer field, for order_by and ranges */
    if (doc->id != NULL) {
        oro_search_field_t *f = &fields[nfields++];
        f->name = "id";
        f->type = ORO_SEARCH_INTEGER;
        f->text = doc->id;
        f->number = (double)to_id(doc->id);
    }
    for (int i = 0; i < plan->related->nelts; i++) {
        const oro_relation_t *r = APR_ARRAY_IDX(plan->related, i, const oro_relation_t *);
        if (related[i] == NULL || apr_hash_count(related[i]) == 0) {
            continue;
        }
        oro_search_field_t *f = &fields[nfields++];
        f->name = r->name;
        f->type = ORO_SEARCH_TEXT;
        f->text = make_title(p, r->target, related[i]);
    }
    doc->title = make_title(p, e, own);
    doc->fields = fields;
    doc->nfields = nfields;
}

/* Indexes rows (adding id → new title of the ids whose title changed to retitled,
 * allocated in pool rp, when it is not NULL); 0 or -1. */
static int index_rows(apr_pool_t *p, const plan_t *plan, apr_array_header_t *rows,
                      oro_search_writer_t *w, oro_search_stats_t *stats, apr_hash_t *retitled,
                      apr_pool_t *rp, const char **error)
{
    for (int i = 0; i < rows->nelts; i++) {
        oro_search_doc_t doc;
        int changed = 0;
        build_doc(p, plan, APR_ARRAY_IDX(rows, i, const char **), &doc);
        if (oro_search_writer_replace(w, p, &doc, retitled ? &changed : NULL, error) != 0) {
            return -1;
        }
        if (changed) {
            apr_hash_set(retitled, apr_pstrdup(rp, doc.id), APR_HASH_KEY_STRING,
                         apr_pstrdup(rp, doc.title ? doc.title : ""));
        }
        stats->indexed++;
    }
    return 0;
}

int oro_search_index_ids(oro_db_t *db, apr_pool_t *p, const oro_meta_t *meta,
                         const oro_entity_t *entity, const apr_array_header_t *ids,
                         oro_search_writer_t *w, oro_search_stats_t *stats, const char **error)
{
    return oro_search_index_ids_retitled(db, p, meta, entity, ids, w, stats, NULL, error);
}

int oro_search_index_ids_retitled(oro_db_t *db, apr_pool_t *p, const oro_meta_t *meta,
                                  const oro_entity_t *entity, const apr_array_header_t *ids,
                                  oro_search_writer_t *w, oro_search_stats_t *stats,
                                  apr_hash_t *retitled, const char **error)
{
    for (int start = 0; start < ids->nelts; start += ORO_SEARCH_READ_BATCH) {
        apr_pool_t *sub;
        apr_pool_create(&sub, p);
        int n =
            ids->nelts - start < ORO_SEARCH_READ_BATCH ? ids->nelts - start : ORO_SEARCH_READ_BATCH;
        apr_array_header_t *chunk = apr_array_make(sub, n, sizeof(const char *));
        for (int i = 0; i < n; i++) {
            APR_ARRAY_PUSH(chunk, const char *) = APR_ARRAY_IDX(ids, start + i, const char *);
        }
        plan_t *plan = make_plan(sub, meta, entity, db->dialect);
        oro_sqlbuf_add(&plan->sql, " WHERE t.");
        oro_sqlbuf_name(&plan->sql, oro_sql_id_column(entity));
        oro_sqlbuf_add(&plan->sql, " IN ");
        oro_sqlbuf_param_list(&plan->sql, chunk);
        apr_array_header_t *rows =
            fetch_rows(db, sub, oro_sqlbuf_finish(&plan->sql), plan->cols->nelts, error);
        if (rows == NULL || index_rows(sub, plan, rows, w, stats, retitled, p, error) != 0) {
            *error = apr_pstrdup(p, *error);
            apr_pool_destroy(sub);
            return -1;
        }
        apr_hash_t *found = apr_hash_make(sub);
        for (int i = 0; i < rows->nelts; i++) {
            const char *id = APR_ARRAY_IDX(rows, i, const char **)[0];
            apr_hash_set(found, id, APR_HASH_KEY_STRING, id);
        }
        for (int i = 0; i < n; i++) {
            const char *id = APR_ARRAY_IDX(chunk, i, const char *);
            if (apr_hash_get(found, id, APR_HASH_KEY_STRING) == NULL) {
                if (oro_search_writer_delete(w, sub, entity->type, id, error) != 0) {
                    *error = apr_pstrdup(p, *error);
                    apr_pool_destroy(sub);
                    return -1;
                }
                stats->deleted++;
            }
        }
        apr_pool_destroy(sub);
    }
    return 0;
}

int oro_search_index_range(oro_db_t *db, apr_pool_t *p, const oro_meta_t *meta,
                           const oro_entity_t *entity, long long from, long long to, int batch,
                           oro_search_writer_t *w, oro_search_stats_t *stats,
                           void (*progress)(void *arg, long long done), void *arg,
                           const char **error)
{
    long long after = from - 1, done = 0;
    const char *idcol = oro_sql_id_column(entity);
    for (;;) {
        apr_pool_t *sub;
        apr_pool_create(&sub, p);
        plan_t *plan = make_plan(sub, meta, entity, db->dialect);
        oro_sqlbuf_add(&plan->sql, " WHERE t.");
        oro_sqlbuf_name(&plan->sql, idcol);
        oro_sqlbuf_add(&plan->sql, " > ");
        oro_sqlbuf_param(&plan->sql, apr_psprintf(sub, "%" APR_INT64_T_FMT, (apr_int64_t)after));
        if (to >= 0) {
            oro_sqlbuf_add(&plan->sql, " AND t.");
            oro_sqlbuf_name(&plan->sql, idcol);
            oro_sqlbuf_add(&plan->sql, " <= ");
            oro_sqlbuf_param(&plan->sql, apr_psprintf(sub, "%" APR_INT64_T_FMT, (apr_int64_t)to));
        }
        oro_sqlbuf_add(&plan->sql, " ORDER BY t.");
        oro_sqlbuf_name(&plan->sql, idcol);
        oro_sqlbuf_add(&plan->sql, apr_psprintf(sub, " LIMIT %d", batch));
        apr_array_header_t *rows =
            fetch_rows(db, sub, oro_sqlbuf_finish(&plan->sql), plan->cols->nelts, error);
        if (rows == NULL || index_rows(sub, plan, rows, w, stats, NULL, NULL, error) != 0) {
            *error = apr_pstrdup(p, *error);
            apr_pool_destroy(sub);
            return -1;
        }
        int n = rows->nelts;
        long long last = n > 0 ? to_id(APR_ARRAY_IDX(rows, n - 1, const char **)[0]) : after;
        apr_pool_destroy(sub);
        done += n;
        if (progress != NULL) {
            progress(arg, done);
        }
        if (n < batch) {
            return 0;
        }
        after = last;
    }
}

/* Whether the document of dependent d shows another text for relation name than the
 * target's title (a document without the field shows ""). 1 stale, 0 current or not
 * indexed (its own message indexes it), -1 with *error. */
static int dependent_stale(oro_search_writer_t *w, apr_pool_t *p, const char *type, const char *id,
                           const char *relation, const char *title, const char **error)
{
    const char *shown = NULL;
    int rc = oro_search_writer_stored(w, p, type, id, relation, &shown, error);
    if (rc <= 0) {
        return rc;
    }
    return strcmp(shown ? shown : "", title ? title : "") != 0;
}

int oro_search_dependents(oro_db_t *db, apr_pool_t *p, const oro_meta_t *meta,
                          const oro_entity_t *entity, apr_hash_t *retitled, oro_search_writer_t *w,
                          apr_hash_t *out, const char **error)
{
    if (entity->title_parts->nelts == 0 || apr_hash_count(retitled) == 0) {
        return 0;
    }
    apr_array_header_t *ids =
        apr_array_make(p, (int)apr_hash_count(retitled), sizeof(const char *));
    for (apr_hash_index_t *hi = apr_hash_first(p, retitled); hi; hi = apr_hash_next(hi)) {
        APR_ARRAY_PUSH(ids, const char *) = apr_hash_this_key(hi);
    }
    for (int i = 0; i < meta->entities->nelts; i++) {
        const oro_entity_t *d = APR_ARRAY_IDX(meta->entities, i, const oro_entity_t *);
        if (!oro_search_entity_indexed(d)) {
            continue;
        }
        for (int j = 0; j < d->relations->nelts; j++) {
            const oro_relation_t *r = APR_ARRAY_IDX(d->relations, j, const oro_relation_t *);
            if (r->kind != ORO_RELATION_MANY_TO_ONE || (r->flags & ORO_FLAG_SYSTEM) ||
                r->target != entity) {
                continue;
            }
            for (int start = 0; start < ids->nelts; start += ORO_SEARCH_READ_BATCH) {
                int n = ids->nelts - start < ORO_SEARCH_READ_BATCH ? ids->nelts - start
                                                                   : ORO_SEARCH_READ_BATCH;
                apr_array_header_t *chunk = apr_array_make(p, n, sizeof(const char *));
                for (int k = 0; k < n; k++) {
                    APR_ARRAY_PUSH(chunk, const char *) =
                        APR_ARRAY_IDX(ids, start + k, const char *);
                }
                oro_sqlbuf_t b;
                oro_sqlbuf_init(&b, p, db->dialect);
                oro_sqlbuf_add(&b, "SELECT ");
                oro_sqlbuf_name(&b, oro_sql_id_column(d));
                oro_sqlbuf_add(&b, ", ");
                oro_sqlbuf_name(&b, r->column);
                oro_sqlbuf_add(&b, " FROM ");
                oro_sqlbuf_name(&b, d->table);
                oro_sqlbuf_add(&b, " WHERE ");
                oro_sqlbuf_name(&b, r->column);
                oro_sqlbuf_add(&b, " IN ");
                oro_sqlbuf_param_list(&b, chunk);
                apr_array_header_t *rows = fetch_rows(db, p, oro_sqlbuf_finish(&b), 2, error);
                if (rows == NULL) {
                    return -1;
                }
                apr_array_header_t *list = apr_hash_get(out, d->type, APR_HASH_KEY_STRING);
                for (int k = 0; k < rows->nelts; k++) {
                    const char **row = APR_ARRAY_IDX(rows, k, const char **);
                    const char *title =
                        row[1] ? apr_hash_get(retitled, row[1], APR_HASH_KEY_STRING) : NULL;
                    /* only documents that show another title need indexing again: a
                     * dependent without a document is indexed by its own message */
                    int stale = dependent_stale(w, p, d->type, row[0], r->name, title, error);
                    if (stale < 0) {
                        return -1;
                    }
                    if (stale == 0) {
                        continue;
                    }
                    if (list == NULL) {
                        list = apr_array_make(p, 16, sizeof(const char *));
                        apr_hash_set(out, d->type, APR_HASH_KEY_STRING, list);
                    }
                    APR_ARRAY_PUSH(list, const char *) = row[0];
                }
            }
        }
    }
    return 0;
}

int oro_search_entity_extent(oro_db_t *db, apr_pool_t *p, const oro_entity_t *entity,
                             long long *count, long long *min_id, long long *max_id,
                             const char **error)
{
    oro_sqlbuf_t b;
    oro_sqlbuf_init(&b, p, db->dialect);
    const char *idcol = oro_sql_id_column(entity);
    oro_sqlbuf_add(&b, "SELECT COUNT(*), MIN(");
    oro_sqlbuf_name(&b, idcol);
    oro_sqlbuf_add(&b, "), MAX(");
    oro_sqlbuf_name(&b, idcol);
    oro_sqlbuf_add(&b, ") FROM ");
    oro_sqlbuf_name(&b, entity->table);
    apr_array_header_t *rows = fetch_rows(db, p, oro_sqlbuf_finish(&b), 3, error);
    if (rows == NULL) {
        return -1;
    }
    const char **row = rows->nelts > 0 ? APR_ARRAY_IDX(rows, 0, const char **) : NULL;
    *count = row ? to_id(row[0]) : 0;
    *min_id = row ? to_id(row[1]) : 0;
    *max_id = row ? to_id(row[2]) : 0;
    return 0;
}
