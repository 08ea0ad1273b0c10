/* lib/demo/plan.h — the inside of oro_demo_plan_t, shared by plan.c (layout and
 * structure) and rows.c (values). Not part of liboro's API. */
#ifndef ORO_DEMO_PLAN_H
#define ORO_DEMO_PLAN_H

#include "demo/demo.h"
#include "demo/internal.h"

#define ORO_DEMO_ORGS 3
#define ORO_DEMO_CATEGORIES_PER_ORG 16 /* 4 roots with 3 children each */
#define ORO_DEMO_MAX_UNITS 16
#define ORO_DEMO_MAX_SLOTS 32

/* The built-in entities the generator knows, in load order. */
typedef enum {
    DEMO_ORGANIZATIONS = 0,
    DEMO_BUSINESS_UNITS,
    DEMO_ROLES,
    DEMO_USERS,
    DEMO_ACCOUNTS,
    DEMO_CONTACTS,
    DEMO_OPPORTUNITIES,
    DEMO_CATEGORIES,
    DEMO_PRODUCTS,
    DEMO_ORDERS,
    DEMO_ORDER_LINE_ITEMS,
    DEMO_N_ENTITIES
} demo_entity_t;

/* Join tables of owning many-to-many relations the generator fills. */
typedef enum {
    DEMO_USER_ROLES = 0,
    DEMO_USER_ORGANIZATIONS,
    DEMO_PRODUCT_CATEGORIES,
    DEMO_N_JOINS
} demo_join_t;

/* What a generator slot holds: a field (target NULL) or a many-to-one relation. */
typedef struct {
    const char *name;
    oro_demo_kind_t kind;
    const char *target; /* relation slots: the target entity type */
} demo_slot_t;

typedef struct {
    const char *name;         /* the column */
    int slot;                 /* the generator slot, or -1: fallback below */
    const oro_field_t *field; /* NULL for relation columns */
    oro_demo_value_t fallback;
    int unique_fallback;    /* fallback text gets "-<id>" appended */
    const char *references; /* foreign keys: the table whose id the column holds */
} demo_column_t;

/* One table oro_demo_generate writes. */
typedef struct {
    int is_join;
    int which; /* demo_entity_t or demo_join_t */
    const char *table;
    const oro_entity_t *entity; /* entity tables */
    int ncolumns;
    demo_column_t *columns;
    const char **column_names;
    const oro_field_t *slot_field[ORO_DEMO_MAX_SLOTS]; /* the field behind each used slot */
} demo_step_t;

typedef struct {
    int32_t *ids;
    long count;
} demo_ids_t;

struct oro_demo_plan {
    apr_pool_t *pool;
    const oro_meta_t *meta;
    oro_demo_options_t options;
    long count[DEMO_N_ENTITIES];
    apr_array_header_t *steps;     /* of demo_step_t */
    apr_array_header_t *tables;    /* of const char * */
    apr_array_header_t *id_tables; /* of const char * */

    /* business units: per organization a main unit and its children */
    int unit_org[ORO_DEMO_MAX_UNITS + 1];    /* by unit id; organizations are 1..3 */
    int unit_parent[ORO_DEMO_MAX_UNITS + 1]; /* 0: none */
    int org_first_unit[ORO_DEMO_ORGS + 1], org_unit_count[ORO_DEMO_ORGS + 1];

    /* users (id 1 is admin, in every organization) */
    uint8_t *user_org; /* by user id */
    int32_t *user_unit;
    demo_ids_t org_users[ORO_DEMO_ORGS + 1]; /* owners: the organization's users but admin */

    uint8_t *account_org; /* by account id */
    int32_t *account_owner;
    int32_t *contact_account;       /* by contact id; 0: none */
    int32_t *account_contact_start; /* contacts of account a: [start[a], start[a+1]) */
    int32_t *account_contacts;
    uint8_t *product_org; /* by product id */
    demo_ids_t org_products[ORO_DEMO_ORGS + 1];

    /* "first.last" counters that keep user names and contact emails unique */
    uint32_t *user_name_count, *contact_email_count;
    size_t name_pairs; /* their length: (male + female first names) x last names */
};

/* The generator slots of an entity (rows.c): *count receives their number. */
const demo_slot_t *oro_demo_entity_slots(demo_entity_t which, int *count);

/* Draws an organization with the skew of real data: 50 %, 30 %, 20 %. */
int oro_demo_pick_org(oro_demo_rng_t *rng);

/* Stream numbers for oro_demo_rng_seed: one per table and purpose. */
enum {
    DEMO_STREAM_ROW = 100,       /* + demo_entity_t: a row's values */
    DEMO_STREAM_STRUCTURE = 200, /* + demo_entity_t: organization, owner, account */
    DEMO_STREAM_CREATED = 300,   /* + demo_entity_t: timestamps */
    DEMO_STREAM_JOIN = 400,      /* + demo_join_t */
    DEMO_STREAM_LINES = 500,     /* an order's line items */
    DEMO_STREAM_NAME = 600       /* + demo_entity_t: names other tables repeat */
};

#endif
