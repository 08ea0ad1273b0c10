/* lib/demo/plan.h — the inside of oro_demo_plan_t, shared by plan.c (layout and
 * structure), and the generator's state and value helpers, shared by values.c (the
 * values), rows.c (the rows of each entity) and generate.c (the walk over the tables).
 * Not part of liboro's API. */
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

/* ---- the generator (values.c, rows.c, generate.c) ---- */

#define ORO_DEMO_YEAR (365 * 86400)

/* Slots shared by every entity come first (rows.c's COMMON_SLOTS). */
enum { DEMO_SLOT_ID, DEMO_SLOT_CREATED, DEMO_SLOT_UPDATED, DEMO_SLOT_COMMON };

/* The state of oro_demo_generate: the table being written and the row being built.
 * Values live in scratch until the next row begins. */
typedef struct {
    oro_demo_plan_t *plan;
    const demo_step_t *step;
    const oro_demo_sink_t *sink;
    oro_demo_rng_t rng;
    oro_demo_value_t slots[ORO_DEMO_MAX_SLOTS];
    oro_demo_value_t *row;
    long rows;
    size_t used;
    char scratch[16384];
} demo_gen_t;

/* Formats into the row's scratch space and stores the result in slot (slot < 0: only
 * returns it). NB: the scratch is large enough for every value a row makes; a value
 * that would overflow is cut short rather than written out of bounds. */
char *oro_demo_put(demo_gen_t *g, int slot, oro_demo_kind_t kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* text (not copied) as a text value; NULL stores SQL NULL. */
void oro_demo_set_text(demo_gen_t *g, int slot, const char *text);

/* id as a number; an id <= 0 (none) leaves the slot NULL. */
void oro_demo_set_id(demo_gen_t *g, int slot, long id);

/* cents (not negative) as a decimal with two places: 1234 -> "12.34". */
void oro_demo_set_money(demo_gen_t *g, int slot, long long cents);

/* "1" or "0". */
void oro_demo_set_bool(demo_gen_t *g, int slot, int value);

/* t as a date or a timestamp (microseconds drawn from the row's PRNG). */
void oro_demo_set_time(demo_gen_t *g, int slot, int64_t t, int with_time);

/* preferred if the field declares it, else one of the declared values at random. */
void oro_demo_set_enum(demo_gen_t *g, int slot, const char *preferred);

/* text lower-cased with everything but letters and digits dropped: "O'Neil & Co" ->
 * "oneilco". */
char *oro_demo_squash(demo_gen_t *g, const char *text);

/* A "+1-555-01NN-NNN" number drawn from the row's PRNG. */
void oro_demo_set_phone(demo_gen_t *g, int slot);

/* created_at spreads the table's rows over the 3 years before the reference time,
 * ascending with the id (organizations, units, roles, users and categories: over the
 * 30 days before that, as a set-up would); updated_at follows within 60 days, never
 * after the reference. Depends on (seed, which, id) only. Returns created_at. */
int64_t oro_demo_set_timestamps(demo_gen_t *g, demo_entity_t which, long id, long count);

/* Starts row id of the current table: its PRNG, id and timestamps. */
int64_t oro_demo_begin_row(demo_gen_t *g, long id);

/* Hands the row to the sink: slots to columns, strings cut to the column's length,
 * enum values checked against the metadata. */
int oro_demo_emit(demo_gen_t *g, long id, const char **error);

/* Picks a first and last name; *pair indexes the uniqueness counters. */
void oro_demo_pick_name(oro_demo_rng_t *rng, int gender, const char **first, const char **last,
                        size_t *pair);

/* "first.last", then "first.last2", "first.last3", … for the same pair: unique as long
 * as names contain no digits and no dots. */
const char *oro_demo_unique_local_part(demo_gen_t *g, uint32_t *counters, size_t pair,
                                       const char *first, const char *last);

/* The name of account ("Word Kind Suffix"): a function of the seed and the account
 * alone, so that contacts repeat their account's domain. *domain (may be NULL)
 * receives its mail domain, *industry (may be NULL) the industry its kind suggests.
 * Strings in g's scratch space. */
const char *oro_demo_company_name(oro_demo_plan_t *plan, long account, const char **domain,
                                  const char **industry, demo_gen_t *g);

typedef struct {
    const char *adjective, *material, *noun;
    char sku[32];
    long long price; /* cents */
} demo_product_info_t;

/* A product's SKU, name words and price: a function of the seed and the id alone, so
 * that order line items repeat them. */
void oro_demo_product_info(const oro_demo_plan_t *plan, long id, demo_product_info_t *info);

/* Writes the rows of one entity table (rows.c): 0, or -1 with *error from the sink. */
int oro_demo_entity_rows(demo_gen_t *g, demo_entity_t which, const char **error);

#endif
