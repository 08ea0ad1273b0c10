/* lib/demo/plan.c — options, and the plan of a demo data set: counts, the tables and
 * columns to write (from the metadata), and the structure every row hangs on
 * (organizations, business units, users, who owns which account, which contacts
 * belong to which account). See demo.h. */
#include <apr_strings.h>
#include <string.h>

#include "demo/plan.h"

static const char *const entity_types[DEMO_N_ENTITIES] = {
    "organizations", "businessunits", "roles",    "users",  "accounts",      "contacts",
    "opportunities", "categories",    "products", "orders", "orderlineitems"};

/* The owning many-to-many relations the generator fills, after the entity they follow. */
static const struct {
    demo_entity_t entity;
    const char *relation;
    const char *target;
    demo_entity_t after;
} joins[DEMO_N_JOINS] = {
    {DEMO_USERS, "roles", "roles", DEMO_USERS},
    {DEMO_USERS, "organizations", "organizations", DEMO_USERS},
    {DEMO_PRODUCTS, "categories", "categories", DEMO_PRODUCTS},
};

/* Child business units per organization (each also has a main unit). */
static const int child_units[ORO_DEMO_ORGS] = {3, 2, 3};

void oro_demo_options_init(oro_demo_options_t *options)
{
    memset(options, 0, sizeof *options);
    options->seed = 1;
    options->contacts = 1000;
    options->accounts = options->opportunities = options->products = options->orders = -1;
    options->reference_time = ORO_DEMO_REFERENCE_TIME;
}

int oro_demo_options_size(oro_demo_options_t *options, const char *size)
{
    static const struct {
        const char *name;
        long contacts;
    } sizes[] = {{"small", 1000}, {"medium", 100000}, {"large", 1000000}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        if (size != NULL && strcmp(size, sizes[i].name) == 0) {
            options->contacts = sizes[i].contacts;
            return 0;
        }
    }
    return -1;
}

static long at_least_one(long n, long contacts)
{
    return n == 0 && contacts > 0 ? 1 : n;
}

void oro_demo_options_scale(oro_demo_options_t *o)
{
    if (o->accounts < 0) {
        o->accounts = at_least_one(o->contacts / 5, o->contacts);
    }
    if (o->opportunities < 0) {
        o->opportunities = at_least_one(o->contacts / 4, o->contacts);
    }
    if (o->products < 0) {
        o->products =
            at_least_one(o->contacts / 10 > 100000 ? 100000 : o->contacts / 10, o->contacts);
    }
    if (o->orders < 0) {
        o->orders = at_least_one(o->contacts / 2, o->contacts);
    }
}

int oro_demo_pick_org(oro_demo_rng_t *rng)
{
    uint32_t r = oro_demo_rng_below(rng, 10);
    return r < 5 ? 1 : r < 8 ? 2 : 3;
}

static int kind_fits(oro_demo_kind_t kind, oro_field_type_t type)
{
    switch (type) {
    case ORO_FIELD_INTEGER:
    case ORO_FIELD_BIGINT:
    case ORO_FIELD_DECIMAL:
    case ORO_FIELD_MONEY:
        return kind == ORO_DEMO_NUMBER;
    case ORO_FIELD_BOOLEAN:
        return kind == ORO_DEMO_BOOLEAN;
    case ORO_FIELD_DATE:
        return kind == ORO_DEMO_DATE;
    case ORO_FIELD_DATETIME:
        return kind == ORO_DEMO_DATETIME;
    default:
        return kind == ORO_DEMO_TEXT;
    }
}

/* The value a required field without default and unknown to the generator gets. */
static void fallback_for(demo_column_t *c, const oro_field_t *f)
{
    switch (f->type) {
    case ORO_FIELD_INTEGER:
    case ORO_FIELD_BIGINT:
    case ORO_FIELD_DECIMAL:
    case ORO_FIELD_MONEY:
        c->fallback = (oro_demo_value_t){"0", ORO_DEMO_NUMBER};
        break;
    case ORO_FIELD_BOOLEAN:
        c->fallback = (oro_demo_value_t){"0", ORO_DEMO_BOOLEAN};
        break;
    case ORO_FIELD_DATE:
        c->fallback = (oro_demo_value_t){"2020-01-01", ORO_DEMO_DATE};
        break;
    case ORO_FIELD_DATETIME:
        c->fallback = (oro_demo_value_t){"2020-01-01 00:00:00", ORO_DEMO_DATETIME};
        break;
    case ORO_FIELD_ENUM:
        c->fallback = (oro_demo_value_t){APR_ARRAY_IDX(f->values, 0, const char *), ORO_DEMO_TEXT};
        break;
    default:
        c->fallback = (oro_demo_value_t){"demo", ORO_DEMO_TEXT};
        c->unique_fallback = (f->flags & ORO_FLAG_UNIQUE) != 0;
        break;
    }
}

/* The columns of an entity table: every field and many-to-one relation the generator
 * has a slot for, and every required one without a default (a fallback value). Others
 * are left to their column default. */
static const char *layout_entity(apr_pool_t *p, demo_step_t *step, demo_entity_t which)
{
    const oro_entity_t *e = step->entity;
    int nslots;
    const demo_slot_t *slots = oro_demo_entity_slots(which, &nslots);
    apr_array_header_t *cols = apr_array_make(p, 24, sizeof(demo_column_t));
    for (int i = 0; i < e->fields->nelts; i++) {
        const oro_field_t *f = APR_ARRAY_IDX(e->fields, i, const oro_field_t *);
        int slot = -1;
        for (int s = 0; s < nslots; s++) {
            if (slots[s].target == NULL && strcmp(slots[s].name, f->name) == 0 &&
                kind_fits(slots[s].kind, f->type)) {
                slot = s;
            }
        }
        if (slot < 0 && (!(f->flags & ORO_FLAG_REQUIRED) || f->default_value != NULL)) {
            continue; /* NULL or the column default */
        }
        demo_column_t *c = apr_array_push(cols);
        memset(c, 0, sizeof *c);
        c->name = f->column;
        c->slot = slot;
        c->field = f;
        if (slot < 0) {
            fallback_for(c, f);
        }
        else if (slot < ORO_DEMO_MAX_SLOTS) {
            step->slot_field[slot] = f;
        }
    }
    for (int i = 0; i < e->relations->nelts; i++) {
        const oro_relation_t *r = APR_ARRAY_IDX(e->relations, i, const oro_relation_t *);
        if (r->kind != ORO_RELATION_MANY_TO_ONE || r->column == NULL) {
            continue;
        }
        int slot = -1;
        for (int s = 0; s < nslots; s++) {
            if (slots[s].target != NULL && strcmp(slots[s].name, r->name) == 0 &&
                strcmp(slots[s].target, r->target_type) == 0) {
                slot = s;
            }
        }
        if (slot < 0) {
            if (r->required) {
                return apr_psprintf(p,
                                    "cannot fill %s.%s: demo:load does not know the required "
                                    "relation \"%s\" of %s",
                                    step->table, r->column, r->name, e->type);
            }
            continue;
        }
        demo_column_t *c = apr_array_push(cols);
        memset(c, 0, sizeof *c);
        c->name = r->column;
        c->slot = slot;
        c->references = r->target->table;
    }
    step->ncolumns = cols->nelts;
    step->columns = (demo_column_t *)cols->elts;
    step->column_names = apr_palloc(p, sizeof(const char *) * (size_t)(cols->nelts + 1));
    for (int i = 0; i < cols->nelts; i++) {
        step->column_names[i] = step->columns[i].name;
    }
    step->column_names[cols->nelts] = NULL;
    return NULL;
}

static void add_join_step(oro_demo_plan_t *plan, demo_join_t which)
{
    const oro_entity_t *e = oro_meta_entity(plan->meta, entity_types[joins[which].entity]);
    const oro_relation_t *r = e ? oro_meta_relation(e, joins[which].relation) : NULL;
    if (r == NULL || r->kind != ORO_RELATION_MANY_TO_MANY || r->join_table == NULL ||
        r->mapped_by != NULL || strcmp(r->target_type, joins[which].target) != 0 ||
        oro_meta_entity(plan->meta, r->target_type) == NULL) {
        return; /* not declared (or not owned) here: no join rows */
    }
    demo_step_t *step = apr_array_push(plan->steps);
    memset(step, 0, sizeof *step);
    step->is_join = 1;
    step->which = which;
    step->table = r->join_table;
    step->ncolumns = 2;
    step->columns = apr_pcalloc(plan->pool, 2 * sizeof(demo_column_t));
    step->columns[0].name = r->join_column;
    step->columns[0].references = e->table;
    step->columns[1].name = r->inverse_join_column;
    step->columns[1].references = r->target->table;
    step->column_names = apr_palloc(plan->pool, 3 * sizeof(const char *));
    step->column_names[0] = r->join_column;
    step->column_names[1] = r->inverse_join_column;
    step->column_names[2] = NULL;
    APR_ARRAY_PUSH(plan->tables, const char *) = step->table;
}

static void build_units(oro_demo_plan_t *plan)
{
    int id = 1;
    for (int org = 1; org <= ORO_DEMO_ORGS; org++) {
        int main_unit = id;
        plan->org_first_unit[org] = id;
        plan->org_unit_count[org] = 1 + child_units[org - 1];
        for (int k = 0; k <= child_units[org - 1]; k++, id++) {
            plan->unit_org[id] = org;
            plan->unit_parent[id] = k == 0 ? 0 : main_unit;
        }
    }
    plan->count[DEMO_BUSINESS_UNITS] = id - 1;
}

/* Users: id 1 is admin; the others go round the organizations and, within one, round
 * its units, so every unit has users and the first user of a unit is its manager. */
static void build_users(oro_demo_plan_t *plan)
{
    apr_pool_t *p = plan->pool;
    long n = plan->options.contacts / 50;
    n = n < 20 ? 20 : n > 1000 ? 1000 : n;
    plan->count[DEMO_USERS] = n;
    plan->user_org = apr_pcalloc(p, (size_t)n + 1);
    plan->user_unit = apr_pcalloc(p, sizeof(int32_t) * ((size_t)n + 1));
    for (int org = 1; org <= ORO_DEMO_ORGS; org++) {
        plan->org_users[org].ids = apr_palloc(p, sizeof(int32_t) * ((size_t)n / 3 + 1));
    }
    plan->user_org[1] = 1;
    plan->user_unit[1] = plan->org_first_unit[1];
    for (long u = 2; u <= n; u++) {
        int org = (int)((u - 2) % ORO_DEMO_ORGS) + 1;
        long k = (u - 2) / ORO_DEMO_ORGS;
        plan->user_org[u] = (uint8_t)org;
        plan->user_unit[u] = plan->org_first_unit[org] + (int32_t)(k % plan->org_unit_count[org]);
        demo_ids_t *list = &plan->org_users[org];
        list->ids[list->count++] = (int32_t)u;
    }
}

static int32_t pick_id(oro_demo_rng_t *rng, const demo_ids_t *list)
{
    return list->count ? list->ids[oro_demo_rng_below(rng, (uint32_t)list->count)] : 0;
}

/* Accounts get an organization and an owner; contacts an account (85 %), and the
 * account -> contacts index opportunities and orders draw from. */
static void build_accounts_contacts(oro_demo_plan_t *plan)
{
    apr_pool_t *p = plan->pool;
    uint64_t seed = plan->options.seed;
    long na = plan->count[DEMO_ACCOUNTS], nc = plan->count[DEMO_CONTACTS];
    plan->account_org = apr_palloc(p, (size_t)na + 1);
    plan->account_owner = apr_palloc(p, sizeof(int32_t) * ((size_t)na + 1));
    for (long a = 1; a <= na; a++) {
        oro_demo_rng_t rng;
        oro_demo_rng_seed(&rng, seed, DEMO_STREAM_STRUCTURE + DEMO_ACCOUNTS, (uint64_t)a);
        int org = oro_demo_pick_org(&rng);
        plan->account_org[a] = (uint8_t)org;
        plan->account_owner[a] = pick_id(&rng, &plan->org_users[org]);
    }
    plan->contact_account = apr_palloc(p, sizeof(int32_t) * ((size_t)nc + 1));
    plan->account_contact_start = apr_pcalloc(p, sizeof(int32_t) * ((size_t)na + 2));
    plan->account_contacts = apr_palloc(p, sizeof(int32_t) * ((size_t)nc + 1));
    for (long c = 1; c <= nc; c++) {
        oro_demo_rng_t rng;
        oro_demo_rng_seed(&rng, seed, DEMO_STREAM_STRUCTURE + DEMO_CONTACTS, (uint64_t)c);
        int32_t a = 0;
        if (na > 0 && oro_demo_rng_chance(&rng, 85)) {
            a = 1 + (int32_t)oro_demo_rng_below(&rng, (uint32_t)na);
        }
        plan->contact_account[c] = a;
        plan->account_contact_start[a + 1]++;
    }
    /* counting sort: start[a] is the first slot of account a */
    plan->account_contact_start[0] = 0;
    for (long a = 1; a <= na + 1; a++) {
        plan->account_contact_start[a] += plan->account_contact_start[a - 1];
    }
    int32_t *fill = apr_palloc(p, sizeof(int32_t) * ((size_t)na + 1));
    memcpy(fill, plan->account_contact_start, sizeof(int32_t) * ((size_t)na + 1));
    for (long c = 1; c <= nc; c++) {
        int32_t a = plan->contact_account[c];
        if (a > 0) {
            plan->account_contacts[fill[a]++] = (int32_t)c;
        }
    }
}

static void build_products(oro_demo_plan_t *plan)
{
    apr_pool_t *p = plan->pool;
    long n = plan->count[DEMO_PRODUCTS];
    plan->product_org = apr_palloc(p, (size_t)n + 1);
    for (int org = 1; org <= ORO_DEMO_ORGS; org++) {
        plan->org_products[org].ids = apr_palloc(p, sizeof(int32_t) * ((size_t)n + 1));
    }
    for (long id = 1; id <= n; id++) {
        oro_demo_rng_t rng;
        oro_demo_rng_seed(&rng, plan->options.seed, DEMO_STREAM_STRUCTURE + DEMO_PRODUCTS,
                          (uint64_t)id);
        int org = oro_demo_pick_org(&rng);
        plan->product_org[id] = (uint8_t)org;
        demo_ids_t *list = &plan->org_products[org];
        list->ids[list->count++] = (int32_t)id;
    }
}

oro_demo_plan_t *oro_demo_plan(apr_pool_t *p, const oro_meta_t *meta,
                               const oro_demo_options_t *options, const char **error)
{
    oro_demo_plan_t *plan = apr_pcalloc(p, sizeof *plan);
    plan->pool = p;
    plan->meta = meta;
    plan->options = *options;
    oro_demo_options_scale(&plan->options);
    const oro_demo_options_t *o = &plan->options;
    if (o->contacts < 0 || o->contacts > INT32_MAX / 2 || o->accounts > INT32_MAX / 2 ||
        o->opportunities > INT32_MAX / 2 || o->products > INT32_MAX / 2 ||
        o->orders > INT32_MAX / 8) {
        *error = "the requested counts are out of range";
        return NULL;
    }
    static const char *const required[] = {"organizations", "businessunits", "users", NULL};
    for (const char *const *t = required; *t; t++) {
        if (oro_meta_entity(meta, *t) == NULL) {
            *error = apr_psprintf(p, "demo:load needs the entity \"%s\"", *t);
            return NULL;
        }
    }
    plan->count[DEMO_ORGANIZATIONS] = ORO_DEMO_ORGS;
    plan->count[DEMO_ROLES] = 3;
    plan->count[DEMO_ACCOUNTS] = o->accounts;
    plan->count[DEMO_CONTACTS] = o->contacts;
    plan->count[DEMO_OPPORTUNITIES] = o->opportunities;
    plan->count[DEMO_CATEGORIES] = ORO_DEMO_ORGS * ORO_DEMO_CATEGORIES_PER_ORG;
    plan->count[DEMO_PRODUCTS] = o->products;
    plan->count[DEMO_ORDERS] = o->orders;
    plan->count[DEMO_ORDER_LINE_ITEMS] = 0; /* 1-5 per order, known as they are made */
    build_units(plan);
    build_users(plan);
    /* an entity missing from the metadata gets no rows, nor do the ones needing it */
    for (int k = 0; k < DEMO_N_ENTITIES; k++) {
        if (oro_meta_entity(meta, entity_types[k]) == NULL) {
            plan->count[k] = 0;
        }
    }
    if (plan->count[DEMO_ACCOUNTS] == 0) {
        plan->count[DEMO_OPPORTUNITIES] = plan->count[DEMO_ORDERS] = 0;
    }
    build_accounts_contacts(plan);
    build_products(plan);
    size_t pairs =
        (oro_demo_male_names.count + oro_demo_female_names.count) * oro_demo_last_names.count;
    plan->name_pairs = pairs;
    plan->user_name_count = apr_pcalloc(p, sizeof(uint32_t) * pairs);
    plan->contact_email_count = apr_pcalloc(p, sizeof(uint32_t) * pairs);

    plan->steps = apr_array_make(p, 16, sizeof(demo_step_t));
    plan->tables = apr_array_make(p, 16, sizeof(const char *));
    plan->id_tables = apr_array_make(p, 16, sizeof(const char *));
    for (int k = 0; k < DEMO_N_ENTITIES; k++) {
        const oro_entity_t *e = oro_meta_entity(meta, entity_types[k]);
        if (e == NULL) {
            continue;
        }
        demo_step_t *step = apr_array_push(plan->steps);
        memset(step, 0, sizeof *step);
        step->which = k;
        step->entity = e;
        step->table = e->table;
        if ((*error = layout_entity(p, step, (demo_entity_t)k)) != NULL) {
            return NULL;
        }
        APR_ARRAY_PUSH(plan->tables, const char *) = e->table;
        APR_ARRAY_PUSH(plan->id_tables, const char *) = e->table;
        for (int j = 0; j < DEMO_N_JOINS; j++) {
            if (joins[j].after == (demo_entity_t)k) {
                add_join_step(plan, (demo_join_t)j);
            }
        }
    }
    *error = NULL;
    return plan;
}

const apr_array_header_t *oro_demo_plan_tables(const oro_demo_plan_t *plan)
{
    return plan->tables;
}

const apr_array_header_t *oro_demo_plan_id_tables(const oro_demo_plan_t *plan)
{
    return plan->id_tables;
}
