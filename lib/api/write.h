/* lib/api/write.h — the write side of the API: a JSON:API document (POST or PATCH)
 * validated against the metadata into column values, and the SQL that stores it.
 * Pure: no httpd; the checks that need the database (unique values, existing relation
 * targets) are returned as SQL for the caller to run in the write's transaction. */
#ifndef ORO_API_WRITE_H
#define ORO_API_WRITE_H

#include "api/query.h"
#include "api/select.h"

typedef struct {
    const oro_field_t *field;       /* a field, or */
    const oro_relation_t *relation; /* a many-to-one relation (value: the target id) */
    const char *value;              /* canonical text (see oro_filter_t), NULL for SQL NULL */
    const char *pointer;            /* "/data/attributes/email", for errors found later */
} oro_write_value_t;

typedef struct {
    const oro_relation_t *relation; /* one-to-many or many-to-many */
    apr_array_header_t *ids;        /* of const char *: the complete new set */
    const char *pointer;
} oro_write_to_many_t;

typedef struct {
    const oro_entity_t *entity;
    const char *id;              /* client-generated (create, when allowed) or the URL id */
    apr_array_header_t *values;  /* of oro_write_value_t: the columns to set */
    apr_array_header_t *to_many; /* of oro_write_to_many_t */
} oro_write_doc_t;

#define ORO_WRITE_MAX_BODY (4 * 1024 * 1024)
#define ORO_WRITE_MAX_DEPTH 32

/* Parses and validates body (len bytes, not NUL-terminated) as the document of a create
 * (url_id NULL) or an update of url_id. Every problem is reported, each an error object
 * with source.pointer: not JSON or too deep (400), not an object with "data" (400),
 * "type" missing (400) or not the URL's type (409), an "id" on create when the type does
 * not allow client ids (403) or not matching url_id (409), an unknown attribute or
 * relationship (400), a read-only one (400), a value of the wrong JSON type, too long
 * (characters, not bytes), not among the enum values, not an email / URL / date /
 * datetime / number that fits (400), a required field or relation missing or null on
 * create, or set to null on update (400), a relationship whose data is not
 * {"type": target type, "id": "digits"} (or an array of them for to-many) (400).
 * Password fields are stored as an apr_bcrypt hash. Datetimes are converted to UTC.
 * Returns the document with *errors NULL, or NULL with *errors (of oro_api_error_t). */
oro_write_doc_t *oro_write_parse(apr_pool_t *p, const oro_meta_t *meta, const oro_entity_t *entity,
                                 const char *body, size_t len, const char *url_id,
                                 apr_array_header_t **errors);

/* INSERT of doc (id column only when doc->id is set). PostgreSQL: "… RETURNING" the
 * record's columns as oro_select_columns lists them (the id first), so the answer needs
 * no second read; MariaDB: the caller reads LAST_INSERT_ID() after it. createdAt/updatedAt
 * are left to the database. */
oro_sql_t *oro_write_insert(apr_pool_t *p, oro_dialect_t dialect, const oro_write_doc_t *doc);

/* UPDATE of the values of doc for id (NULL if doc has no value: nothing to update). */
oro_sql_t *oro_write_update(apr_pool_t *p, oro_dialect_t dialect, const oro_write_doc_t *doc,
                            const char *id);

/* DELETE of one record. */
oro_sql_t *oro_write_delete(apr_pool_t *p, oro_dialect_t dialect, const oro_entity_t *entity,
                            const char *id);

/* The statements that replace the members of a to-many relation of record id:
 * many-to-many: DELETE from the join table, then one INSERT per id; one-to-many: set the
 * inverse column to NULL where it is id (refused by the caller if that column is NOT
 * NULL), then set it to id for the new members. Array of oro_sql_t *. */
apr_array_header_t *oro_write_replace_to_many(apr_pool_t *p, oro_dialect_t dialect,
                                              const oro_write_to_many_t *set, const char *id);

/* A check that needs the database: sql returns one row, one column, a count; the check
 * fails when the count is not 0 (unique) or not expected (targets). */
typedef struct {
    oro_sql_t *sql;
    long expected;         /* the count that passes */
    oro_api_error_t error; /* reported when it fails (status 409 unique, 400 target) */
} oro_write_check_t;

/* The checks of doc: every unique field's value is not used by another record (409,
 * "unique constraint"), every relation target id exists (400, "relation constraint").
 * self_id is the record's id on update (excluded from the unique check), else NULL. */
apr_array_header_t *oro_write_checks(apr_pool_t *p, oro_dialect_t dialect,
                                     const oro_write_doc_t *doc, const char *self_id);

#endif
