/* lib/meta/meta.h — entity metadata: the business entities declared in
 * conf.d/entities/ (one .json file each) (format: docs/entities.md), loaded, validated and indexed.
 * The API, ACL, schema, search and demo data are generic over these structures.
 * Everything lives in the pool given to oro_meta_load and is read-only afterwards,
 * so it is shared freely between threads. */
#ifndef ORO_META_META_H
#define ORO_META_META_H

#include <apr_hash.h>
#include <apr_pools.h>
#include <apr_tables.h>

typedef enum {
    ORO_FIELD_STRING = 0, /* varchar(length) */
    ORO_FIELD_TEXT,
    ORO_FIELD_INTEGER,
    ORO_FIELD_BIGINT,
    ORO_FIELD_DECIMAL, /* precision, scale */
    ORO_FIELD_MONEY,   /* decimal(19,4) */
    ORO_FIELD_BOOLEAN,
    ORO_FIELD_DATE,
    ORO_FIELD_DATETIME, /* stored UTC, ISO 8601 in the API */
    ORO_FIELD_ENUM,     /* one of values */
    ORO_FIELD_EMAIL,
    ORO_FIELD_PHONE,
    ORO_FIELD_URL,
    ORO_FIELD_PASSWORD /* a hash, write-only, never exposed */
} oro_field_type_t;

enum {
    ORO_FLAG_REQUIRED = 1 << 0,
    ORO_FLAG_UNIQUE = 1 << 1,
    ORO_FLAG_FILTERABLE = 1 << 2,
    ORO_FLAG_SORTABLE = 1 << 3,
    ORO_FLAG_SEARCHABLE = 1 << 4,
    ORO_FLAG_AUDITABLE = 1 << 5,
    ORO_FLAG_READONLY = 1 << 6,
    ORO_FLAG_SYSTEM = 1 << 7, /* id, createdAt, updatedAt: maintained by the platform */
    ORO_FLAG_INDEXED = 1 << 8 /* an index on (column, id) for filters on it */
};

typedef enum {
    ORO_OWNERSHIP_NONE = 0,
    ORO_OWNERSHIP_USER,
    ORO_OWNERSHIP_BUSINESS_UNIT,
    ORO_OWNERSHIP_ORGANIZATION
} oro_ownership_t;

typedef enum {
    ORO_RELATION_MANY_TO_ONE = 0,
    ORO_RELATION_ONE_TO_MANY,
    ORO_RELATION_MANY_TO_MANY
} oro_relation_kind_t;

typedef enum {
    ORO_ON_DELETE_RESTRICT = 0,
    ORO_ON_DELETE_SET_NULL,
    ORO_ON_DELETE_CASCADE
} oro_on_delete_t;

typedef struct oro_entity oro_entity_t;

typedef struct {
    const char *name;   /* API name, lower camel case: "firstName" */
    const char *column; /* "first_name" */
    const char *label;
    oro_field_type_t type;
    int length;    /* string-like types: maximum characters */
    int precision; /* decimal, money */
    int scale;
    unsigned flags;             /* ORO_FLAG_* */
    apr_array_header_t *values; /* enum: const char * */
    const char *default_value;  /* canonical text of the default, or NULL */
    const oro_entity_t *entity;
} oro_field_t;

typedef struct oro_relation {
    const char *name; /* "account" */
    oro_relation_kind_t kind;
    const char *target_type; /* "accounts" */
    const oro_entity_t *target;
    const char *label;
    int required; /* many-to-one: NOT NULL */
    oro_on_delete_t on_delete;
    unsigned flags; /* ORO_FLAG_FILTERABLE | SORTABLE | READONLY … */
    /* many-to-one: the foreign key column on this entity's table ("account_id") */
    const char *column;
    /* one-to-many: the many-to-one relation on the target that points back */
    const char *mapped_by;
    /* many-to-many: join table and its two columns (this side, target side) */
    const char *join_table;
    const char *join_column;
    const char *inverse_join_column;
    const oro_entity_t *entity;
} oro_relation_t;

typedef struct {
    const char *field; /* a field or many-to-one relation name */
    int descending;
} oro_sort_key_t;

struct oro_entity {
    const char *type; /* JSON:API type, plural lower camel case: "contacts" */
    const char *table;
    const char *label;
    const char *plural_label;
    const char *file; /* the definition's path, for messages */
    oro_ownership_t ownership;
    /* "aclParent": an unowned type whose records are reached through a required
     * many-to-one (order line items through their order): VIEW on one is VIEW on its
     * parent, CREATE/EDIT/DELETE are EDIT on it (docs/security.md). NULL otherwise. */
    const char *acl_parent_name;
    const struct oro_relation *acl_parent; /* resolved in pass 2 */
    const char *title_template;       /* "{firstName} {lastName}" */
    apr_array_header_t *title_parts;  /* of const char *: literal, field, literal, … */
    apr_array_header_t *default_sort; /* of oro_sort_key_t */
    int allow_client_ids;
    int unlimited_pages;           /* page[size]=-1 lists every record (short lists only) */
    apr_array_header_t *fields;    /* of oro_field_t *, in declaration order, system first */
    apr_array_header_t *relations; /* of oro_relation_t * */
    apr_hash_t *field_by_name;
    apr_hash_t *relation_by_name;
};

struct oro_meta {
    apr_array_header_t *entities; /* of oro_entity_t *, sorted by type */
    apr_hash_t *by_type;
    apr_hash_t *by_table;
};
typedef struct oro_meta oro_meta_t;

/* Loads every *.json of dir, validates each definition and the references between
 * them. On success returns the metadata and sets *errors to NULL. On failure returns
 * NULL and *errors to every error found (const char *), each "file: json.path: reason",
 * e.g. "conf.d/entities/contact.json: fields.email.type: unknown type \"emial\"". */
oro_meta_t *oro_meta_load(apr_pool_t *p, const char *dir, apr_array_header_t **errors);

/* Same from in-memory documents (name -> JSON text), for tests and tools. */
oro_meta_t *oro_meta_load_texts(apr_pool_t *p, apr_hash_t *texts, apr_array_header_t **errors);

/* Joins errors with "\n" (for logs and stderr). */
const char *oro_meta_errors_text(apr_pool_t *p, const apr_array_header_t *errors);

/* O(1) lookups; NULL when absent. */
const oro_entity_t *oro_meta_entity(const oro_meta_t *meta, const char *type);
const oro_field_t *oro_meta_field(const oro_entity_t *entity, const char *name);
const oro_relation_t *oro_meta_relation(const oro_entity_t *entity, const char *name);

const char *oro_field_type_name(oro_field_type_t type);
const char *oro_ownership_name(oro_ownership_t ownership);
const char *oro_relation_kind_name(oro_relation_kind_t kind);

/* The table an owned entity's owner_id references ("oro_user", "oro_business_unit"),
 * or NULL for organization-owned and unowned entities. */
const char *oro_meta_owner_table(const oro_meta_t *meta, const oro_entity_t *entity);

#endif
