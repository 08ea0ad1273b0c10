/* lib/demo/rows.c — the values of every demo row, and oro_demo_generate, which walks
 * the plan's tables and hands their rows to a sink.
 *
 * Each entity has generator slots (a field or relation name and the kind of value it
 * produces); plan.c maps them onto the columns the metadata declares. A row's values
 * come from a PRNG seeded with (seed, table, id), so any row can be produced again on
 * its own: order line items repeat their product's SKU, name and price that way. The
 * only state carried from row to row are the counters that keep names unique. */
#include <apr_strings.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demo/plan.h"

#define YEAR (365 * 86400)

/* Slots shared by every entity come first. */
enum { S_ID, S_CREATED, S_UPDATED, S_COMMON };
#define COMMON_SLOTS                                                                               \
    {"id", ORO_DEMO_NUMBER, NULL}, {"createdAt", ORO_DEMO_DATETIME, NULL},                         \
    {                                                                                              \
        "updatedAt", ORO_DEMO_DATETIME, NULL                                                       \
    }
#define T ORO_DEMO_TEXT
#define N ORO_DEMO_NUMBER

enum { ORG_NAME = S_COMMON, ORG_DESCRIPTION, ORG_ENABLED, ORG_N };
static const demo_slot_t org_slots[] = {
    COMMON_SLOTS, {"name", T, NULL}, {"description", T, NULL}, {"enabled", ORO_DEMO_BOOLEAN, NULL}};

enum { BU_ORG = S_COMMON, BU_NAME, BU_PHONE, BU_EMAIL, BU_WEBSITE, BU_FAX, BU_PARENT, BU_N };
static const demo_slot_t unit_slots[] = {
    COMMON_SLOTS,       {"organization", N, "organizations"},
    {"name", T, NULL},  {"phone", T, NULL},
    {"email", T, NULL}, {"website", T, NULL},
    {"fax", T, NULL},   {"parentBusinessUnit", N, "businessunits"}};

enum { ROLE_ROLE = S_COMMON, ROLE_LABEL, ROLE_DESCRIPTION, ROLE_N };
static const demo_slot_t role_slots[] = {
    COMMON_SLOTS, {"role", T, NULL}, {"label", T, NULL}, {"description", T, NULL}};

enum {
    U_OWNER = S_COMMON,
    U_ORG,
    U_USERNAME,
    U_EMAIL,
    U_FIRST,
    U_LAST,
    U_TITLE,
    U_ENABLED,
    U_PASSWORD,
    U_LAST_LOGIN,
    U_LOGIN_COUNT,
    U_N
};
static const demo_slot_t user_slots[] = {COMMON_SLOTS,
                                         {"owner", N, "businessunits"},
                                         {"organization", N, "organizations"},
                                         {"username", T, NULL},
                                         {"email", T, NULL},
                                         {"firstName", T, NULL},
                                         {"lastName", T, NULL},
                                         {"title", T, NULL},
                                         {"enabled", ORO_DEMO_BOOLEAN, NULL},
                                         {"password", T, NULL},
                                         {"lastLogin", ORO_DEMO_DATETIME, NULL},
                                         {"loginCount", N, NULL}};

enum {
    A_OWNER = S_COMMON,
    A_ORG,
    A_NAME,
    A_DESCRIPTION,
    A_INDUSTRY,
    A_PHONE,
    A_EMAIL,
    A_WEBSITE,
    A_STREET,
    A_CITY,
    A_POSTAL,
    A_COUNTRY,
    A_N
};
static const demo_slot_t account_slots[] = {
    COMMON_SLOTS,        {"owner", N, "users"},    {"organization", N, "organizations"},
    {"name", T, NULL},   {"description", T, NULL}, {"industry", T, NULL},
    {"phone", T, NULL},  {"email", T, NULL},       {"website", T, NULL},
    {"street", T, NULL}, {"city", T, NULL},        {"postalCode", T, NULL},
    {"country", T, NULL}};

enum {
    C_OWNER = S_COMMON,
    C_ORG,
    C_PREFIX,
    C_FIRST,
    C_MIDDLE,
    C_LAST,
    C_SUFFIX,
    C_GENDER,
    C_BIRTHDAY,
    C_JOB,
    C_EMAIL,
    C_EMAIL2,
    C_PHONE,
    C_MOBILE,
    C_SOURCE,
    C_DESCRIPTION,
    C_ACCOUNT,
    C_N
};
static const demo_slot_t contact_slots[] = {COMMON_SLOTS,
                                            {"owner", N, "users"},
                                            {"organization", N, "organizations"},
                                            {"namePrefix", T, NULL},
                                            {"firstName", T, NULL},
                                            {"middleName", T, NULL},
                                            {"lastName", T, NULL},
                                            {"nameSuffix", T, NULL},
                                            {"gender", T, NULL},
                                            {"birthday", ORO_DEMO_DATE, NULL},
                                            {"jobTitle", T, NULL},
                                            {"primaryEmail", T, NULL},
                                            {"secondaryEmail", T, NULL},
                                            {"primaryPhone", T, NULL},
                                            {"mobilePhone", T, NULL},
                                            {"source", T, NULL},
                                            {"description", T, NULL},
                                            {"account", N, "accounts"}};

enum {
    O_OWNER = S_COMMON,
    O_ORG,
    O_NAME,
    O_STATUS,
    O_PROBABILITY,
    O_BUDGET,
    O_REVENUE,
    O_CLOSE_DATE,
    O_CLOSE_REASON,
    O_DESCRIPTION,
    O_ACCOUNT,
    O_CONTACT,
    O_N
};
static const demo_slot_t opportunity_slots[] = {COMMON_SLOTS,
                                                {"owner", N, "users"},
                                                {"organization", N, "organizations"},
                                                {"name", T, NULL},
                                                {"status", T, NULL},
                                                {"probability", N, NULL},
                                                {"budget", N, NULL},
                                                {"closeRevenue", N, NULL},
                                                {"closeDate", ORO_DEMO_DATE, NULL},
                                                {"closeReason", T, NULL},
                                                {"description", T, NULL},
                                                {"account", N, "accounts"},
                                                {"contact", N, "contacts"}};

enum { CAT_ORG = S_COMMON, CAT_TITLE, CAT_DESCRIPTION, CAT_PARENT, CAT_N };
static const demo_slot_t category_slots[] = {COMMON_SLOTS,
                                             {"organization", N, "organizations"},
                                             {"title", T, NULL},
                                             {"description", T, NULL},
                                             {"parentCategory", N, "categories"}};

enum { P_ORG = S_COMMON, P_SKU, P_NAME, P_DESCRIPTION, P_PRICE, P_STATUS, P_INVENTORY, P_N };
static const demo_slot_t product_slots[] = {COMMON_SLOTS,
                                            {"organization", N, "organizations"},
                                            {"sku", T, NULL},
                                            {"name", T, NULL},
                                            {"description", T, NULL},
                                            {"price", N, NULL},
                                            {"status", T, NULL},
                                            {"inventory", N, NULL}};

enum {
    SO_OWNER = S_COMMON,
    SO_ORG,
    SO_IDENTIFIER,
    SO_PO,
    SO_STATUS,
    SO_CURRENCY,
    SO_SUBTOTAL,
    SO_TOTAL,
    SO_SHIP_UNTIL,
    SO_NOTES,
    SO_ACCOUNT,
    SO_CONTACT,
    SO_N
};
static const demo_slot_t order_slots[] = {COMMON_SLOTS,
                                          {"owner", N, "users"},
                                          {"organization", N, "organizations"},
                                          {"identifier", T, NULL},
                                          {"poNumber", T, NULL},
                                          {"status", T, NULL},
                                          {"currency", T, NULL},
                                          {"subtotal", N, NULL},
                                          {"total", N, NULL},
                                          {"shipUntil", ORO_DEMO_DATE, NULL},
                                          {"customerNotes", T, NULL},
                                          {"account", N, "accounts"},
                                          {"contact", N, "contacts"}};

enum { L_SKU = S_COMMON, L_NAME, L_QUANTITY, L_PRICE, L_COMMENT, L_ORDER, L_PRODUCT, L_N };
static const demo_slot_t line_slots[] = {
    COMMON_SLOTS,           {"productSku", T, NULL},   {"productName", T, NULL},
    {"quantity", N, NULL},  {"price", N, NULL},        {"comment", T, NULL},
    {"order", N, "orders"}, {"product", N, "products"}};

#undef T
#undef N

const demo_slot_t *oro_demo_entity_slots(demo_entity_t which, int *count)
{
#define SLOTS(a)                                                                                   \
    *count = (int)(sizeof a / sizeof a[0]);                                                        \
    return a
    switch (which) {
    case DEMO_ORGANIZATIONS:
        SLOTS(org_slots);
    case DEMO_BUSINESS_UNITS:
        SLOTS(unit_slots);
    case DEMO_ROLES:
        SLOTS(role_slots);
    case DEMO_USERS:
        SLOTS(user_slots);
    case DEMO_ACCOUNTS:
        SLOTS(account_slots);
    case DEMO_CONTACTS:
        SLOTS(contact_slots);
    case DEMO_OPPORTUNITIES:
        SLOTS(opportunity_slots);
    case DEMO_CATEGORIES:
        SLOTS(category_slots);
    case DEMO_PRODUCTS:
        SLOTS(product_slots);
    case DEMO_ORDERS:
        SLOTS(order_slots);
    default:
        SLOTS(line_slots);
    }
#undef SLOTS
}

/* ---- fixed parts of the data set ---- */

static const char *const org_names[ORO_DEMO_ORGS] = {"Acme Inc.", "Globex Corporation", "Initech"};
static const char *const org_short[ORO_DEMO_ORGS] = {"Acme", "Globex", "Initech"};
static const char *const org_domains[ORO_DEMO_ORGS] = {"acme.example", "globex.example",
                                                       "initech.example"};
static const char *const org_currencies[ORO_DEMO_ORGS] = {"USD", "EUR", "GBP"};
static const char *const unit_regions[] = {"North America", "Europe", "Asia Pacific"};
static const struct {
    const char *role, *label, *description;
} roles[3] = {{"ROLE_ADMINISTRATOR", "Administrator", "Full access to every organization"},
              {"ROLE_MANAGER", "Manager", "Manages the records of a business unit"},
              {"ROLE_USER", "User", "Works with their own records"}};
static const char *const category_tree[4][4] = {{"Electronics", "Computers", "Audio", "Phones"},
                                                {"Office", "Furniture", "Supplies", "Printing"},
                                                {"Home & Garden", "Kitchen", "Garden", "Tools"},
                                                {"Outdoor", "Camping", "Cycling", "Apparel"}};
static const char *const free_mail[] = {"mail.example", "inbox.example", "post.example"};

/* ---- the generator's state and value helpers ---- */

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
} gen_t;

static char *put(gen_t *g, int slot, oro_demo_kind_t kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Formats into the row's scratch space and stores the result in slot (slot < 0: only
 * returns it). NB: the scratch is large enough for every value a row makes; a value
 * that would overflow is cut short rather than written out of bounds. */
static char *put(gen_t *g, int slot, oro_demo_kind_t kind, const char *fmt, ...)
{
    char *out = g->scratch + g->used;
    size_t room = sizeof g->scratch - g->used;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, room, fmt, ap);
    va_end(ap);
    g->used += (n < 0 ? 0 : (size_t)n >= room ? room - 1 : (size_t)n) + 1;
    if (g->used >= sizeof g->scratch) {
        g->used = sizeof g->scratch - 1;
    }
    if (slot >= 0) {
        g->slots[slot] = (oro_demo_value_t){out, kind};
    }
    return out;
}

static void set_text(gen_t *g, int slot, const char *text)
{
    g->slots[slot] = (oro_demo_value_t){text, text ? ORO_DEMO_TEXT : ORO_DEMO_NULL};
}

static void set_id(gen_t *g, int slot, long id)
{
    if (id > 0) {
        put(g, slot, ORO_DEMO_NUMBER, "%ld", id);
    }
}

static void set_money(gen_t *g, int slot, long long cents)
{
    put(g, slot, ORO_DEMO_NUMBER, "%lld.%02lld", cents / 100, cents % 100);
}

static void set_bool(gen_t *g, int slot, int value)
{
    g->slots[slot] = (oro_demo_value_t){value ? "1" : "0", ORO_DEMO_BOOLEAN};
}

static void set_time_rng(gen_t *g, oro_demo_rng_t *rng, int slot, int64_t t, int with_time)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    if (with_time) {
        put(g, slot, ORO_DEMO_DATETIME, "%04d-%02d-%02d %02d:%02d:%02d.%06u", tm.tm_year + 1900,
            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
            oro_demo_rng_below(rng, 1000000));
    }
    else {
        put(g, slot, ORO_DEMO_DATE, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    }
}

/* t as a date or a timestamp (microseconds drawn from the row's PRNG). */
static void set_time(gen_t *g, int slot, int64_t t, int with_time)
{
    set_time_rng(g, &g->rng, slot, t, with_time);
}

/* preferred if the field declares it, else one of the declared values at random. */
static void set_enum(gen_t *g, int slot, const char *preferred)
{
    const oro_field_t *f = g->step->slot_field[slot];
    if (f != NULL && f->values != NULL) {
        int i;
        for (i = 0; i < f->values->nelts; i++) {
            if (strcmp(APR_ARRAY_IDX(f->values, i, const char *), preferred) == 0) {
                break;
            }
        }
        if (i == f->values->nelts) {
            preferred = APR_ARRAY_IDX(
                f->values, oro_demo_rng_below(&g->rng, (uint32_t)f->values->nelts), const char *);
        }
    }
    set_text(g, slot, preferred);
}

/* text lower-cased with everything but letters and digits dropped: "O'Neil & Co" ->
 * "oneilco". */
static char *squash(gen_t *g, const char *text)
{
    char *out = g->scratch + g->used, *o = out;
    size_t room = sizeof g->scratch - g->used - 1;
    for (const char *c = text; *c && (size_t)(o - out) < room; c++) {
        if (isalnum((unsigned char)*c)) {
            *o++ = (char)tolower((unsigned char)*c);
        }
    }
    *o = '\0';
    g->used += (size_t)(o - out) + 1;
    return out;
}

static void set_phone(gen_t *g, int slot)
{
    put(g, slot, ORO_DEMO_TEXT, "+1-555-01%02u-%03u", oro_demo_rng_below(&g->rng, 100),
        oro_demo_rng_below(&g->rng, 1000));
}

/* created_at spreads the table's rows over the 3 years before the reference time,
 * ascending with the id (organizations, units, roles, users and categories: over the
 * 30 days before that, as a set-up would); updated_at follows within 60 days, never
 * after the reference. Depends on (seed, which, id) only. Returns created_at. */
static int64_t set_timestamps(gen_t *g, demo_entity_t which, long id, long count)
{
    oro_demo_rng_t rng;
    oro_demo_rng_seed(&rng, g->plan->options.seed, DEMO_STREAM_CREATED + which, (uint64_t)id);
    int64_t ref = g->plan->options.reference_time, span = 3 * (int64_t)YEAR, start = ref - span;
    if (which <= DEMO_USERS || which == DEMO_CATEGORIES) {
        span = 30 * 86400;
        start -= span;
    }
    int64_t n = count > 0 ? count : 1, step = span / n;
    int64_t created =
        start + (int64_t)(id - 1) * span / n + oro_demo_rng_range(&rng, 0, step > 1 ? step - 1 : 0);
    int64_t updated = created + oro_demo_rng_range(&rng, 0, 60 * 86400);
    set_time_rng(g, &rng, S_CREATED, created, 1);
    set_time_rng(g, &rng, S_UPDATED, updated > ref ? ref : updated, 1);
    return created;
}

/* Starts row id of the current table: its PRNG, id and timestamps. */
static int64_t begin_row(gen_t *g, long id)
{
    demo_entity_t which = (demo_entity_t)g->step->which;
    g->used = 0;
    memset(g->slots, 0, sizeof g->slots);
    oro_demo_rng_seed(&g->rng, g->plan->options.seed, DEMO_STREAM_ROW + which, (uint64_t)id);
    set_id(g, S_ID, id);
    return set_timestamps(g, which, id, g->plan->count[which]);
}

/* Hands the row to the sink: slots to columns, strings cut to the column's length,
 * enum values checked against the metadata. */
static int emit(gen_t *g, long id, const char **error)
{
    const demo_step_t *s = g->step;
    for (int i = 0; i < s->ncolumns; i++) {
        const demo_column_t *c = &s->columns[i];
        oro_demo_value_t v = c->slot >= 0 ? g->slots[c->slot] : c->fallback;
        if (c->slot < 0 && c->unique_fallback) {
            v.text = put(g, -1, ORO_DEMO_TEXT, "%s-%ld", c->fallback.text, id);
        }
        const oro_field_t *f = c->field;
        if (v.kind == ORO_DEMO_TEXT && f != NULL) {
            if (f->type == ORO_FIELD_ENUM) {
                int ok = 0;
                for (int j = 0; j < f->values->nelts && !ok; j++) {
                    ok = strcmp(APR_ARRAY_IDX(f->values, j, const char *), v.text) == 0;
                }
                if (!ok) {
                    v.text = f->default_value ? f->default_value
                                              : APR_ARRAY_IDX(f->values, 0, const char *);
                }
            }
            else if (f->length > 0 && strlen(v.text) > (size_t)f->length) {
                v.text = put(g, -1, ORO_DEMO_TEXT, "%.*s", f->length, v.text);
            }
        }
        g->row[i] = v;
    }
    g->rows++;
    return g->sink->row(g->sink->baton, g->row, error);
}

static int32_t pick_id(oro_demo_rng_t *rng, const demo_ids_t *list)
{
    return list->count ? list->ids[oro_demo_rng_below(rng, (uint32_t)list->count)] : 0;
}

/* A contact of account (0 when it has none). */
static int32_t pick_contact(const oro_demo_plan_t *plan, oro_demo_rng_t *rng, int32_t account)
{
    int32_t start = plan->account_contact_start[account];
    int32_t n = plan->account_contact_start[account + 1] - start;
    return n > 0 ? plan->account_contacts[start + (int32_t)oro_demo_rng_below(rng, (uint32_t)n)]
                 : 0;
}

/* Picks a first and last name; *pair indexes the uniqueness counters. */
static void pick_name(oro_demo_rng_t *rng, int gender, const char **first, const char **last,
                      size_t *pair)
{
    size_t nm = oro_demo_male_names.count, nf = oro_demo_female_names.count;
    size_t fi = gender == 0   ? oro_demo_rng_below(rng, (uint32_t)nm)
                : gender == 1 ? nm + oro_demo_rng_below(rng, (uint32_t)nf)
                              : oro_demo_rng_below(rng, (uint32_t)(nm + nf));
    size_t li = oro_demo_rng_below(rng, (uint32_t)oro_demo_last_names.count);
    *first = fi < nm ? oro_demo_male_names.words[fi] : oro_demo_female_names.words[fi - nm];
    *last = oro_demo_last_names.words[li];
    *pair = fi * oro_demo_last_names.count + li;
}

/* "first.last", then "first.last2", "first.last3", … for the same pair: unique as long
 * as names contain no digits and no dots. */
static const char *unique_local_part(gen_t *g, uint32_t *counters, size_t pair, const char *first,
                                     const char *last)
{
    uint32_t n = ++counters[pair];
    const char *f = squash(g, first), *l = squash(g, last);
    return n == 1 ? put(g, -1, ORO_DEMO_TEXT, "%s.%s", f, l)
                  : put(g, -1, ORO_DEMO_TEXT, "%s.%s%u", f, l, n);
}

static const char *company_name(oro_demo_plan_t *plan, long account, const char **domain,
                                const char **industry, gen_t *g)
{
    oro_demo_rng_t rng;
    oro_demo_rng_seed(&rng, plan->options.seed, DEMO_STREAM_NAME + DEMO_ACCOUNTS,
                      (uint64_t)account);
    const char *word = oro_demo_pick(&rng, &oro_demo_company_words);
    const char *kind = oro_demo_pick(&rng, &oro_demo_company_kinds);
    const char *suffix = oro_demo_pick(&rng, &oro_demo_company_suffixes);
    if (domain != NULL) {
        *domain = put(g, -1, ORO_DEMO_TEXT, "%s%s.example", squash(g, word), squash(g, kind));
    }
    if (industry != NULL) {
        static const struct {
            const char *kind, *industry;
        } map[] = {
            {"Software", "technology"}, {"Analytics", "technology"},   {"Robotics", "technology"},
            {"Networks", "technology"}, {"Electronics", "technology"}, {"Systems", "technology"},
            {"Health", "healthcare"},   {"Pharma", "healthcare"},      {"Labs", "healthcare"},
            {"Capital", "finance"},     {"Retail", "retail"},          {"Outfitters", "retail"},
            {"Consulting", "services"}, {"Logistics", "services"},     {"Freight", "services"},
            {"Partners", "services"},   {"Media", "services"},         {"Design", "services"}};
        *industry = "manufacturing";
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
            if (strcmp(map[i].kind, kind) == 0) {
                *industry = map[i].industry;
            }
        }
    }
    return put(g, -1, ORO_DEMO_TEXT, "%s %s %s", word, kind, suffix);
}

typedef struct {
    const char *adjective, *material, *noun;
    char sku[32];
    long long price; /* cents */
} product_info_t;

static void product_info(const oro_demo_plan_t *plan, long id, product_info_t *info)
{
    oro_demo_rng_t rng;
    oro_demo_rng_seed(&rng, plan->options.seed, DEMO_STREAM_NAME + DEMO_PRODUCTS, (uint64_t)id);
    char a = (char)('A' + oro_demo_rng_below(&rng, 26)),
         b = (char)('A' + oro_demo_rng_below(&rng, 26));
    snprintf(info->sku, sizeof info->sku, "SKU-%05ld-%c%c", id, a, b);
    info->adjective = oro_demo_pick(&rng, &oro_demo_product_adjectives);
    info->material = oro_demo_pick(&rng, &oro_demo_product_materials);
    info->noun = oro_demo_pick(&rng, &oro_demo_product_nouns);
    /* prices from 4.99 to about 2,000, most of them small */
    long long dollars =
        5 + (long long)(oro_demo_rng_below(&rng, 45) * oro_demo_rng_below(&rng, 45));
    info->price = dollars * 100 - (oro_demo_rng_chance(&rng, 70) ? 1 : 0);
}

/* ---- the entities ---- */

typedef int (*table_fn)(gen_t *g, const char **error);

static int organizations(gen_t *g, const char **error)
{
    static const char *const descriptions[ORO_DEMO_ORGS] = {
        "Manufacturer of everything, sold worldwide.",
        "Diversified industrial and consumer products.", "Software and services for businesses."};
    for (long id = 1; id <= g->plan->count[DEMO_ORGANIZATIONS]; id++) {
        begin_row(g, id);
        set_text(g, ORG_NAME, org_names[id - 1]);
        set_text(g, ORG_DESCRIPTION, descriptions[id - 1]);
        set_bool(g, ORG_ENABLED, 1);
        if (emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

static int business_units(gen_t *g, const char **error)
{
    const oro_demo_plan_t *plan = g->plan;
    for (long id = 1; id <= plan->count[DEMO_BUSINESS_UNITS]; id++) {
        begin_row(g, id);
        int org = plan->unit_org[id];
        long k = id - plan->org_first_unit[org];
        set_id(g, BU_ORG, org);
        set_id(g, BU_PARENT, plan->unit_parent[id]);
        if (k == 0) {
            set_text(g, BU_NAME, org_names[org - 1]);
        }
        else {
            put(g, BU_NAME, ORO_DEMO_TEXT, "%s %s", org_short[org - 1], unit_regions[k - 1]);
        }
        set_phone(g, BU_PHONE);
        set_phone(g, BU_FAX);
        put(g, BU_EMAIL, ORO_DEMO_TEXT, "office%ld@%s", k + 1, org_domains[org - 1]);
        put(g, BU_WEBSITE, ORO_DEMO_TEXT, "https://www.%s/", org_domains[org - 1]);
        if (emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

static int role_rows(gen_t *g, const char **error)
{
    for (long id = 1; id <= g->plan->count[DEMO_ROLES]; id++) {
        begin_row(g, id);
        set_text(g, ROLE_ROLE, roles[id - 1].role);
        set_text(g, ROLE_LABEL, roles[id - 1].label);
        set_text(g, ROLE_DESCRIPTION, roles[id - 1].description);
        if (emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

static int users(gen_t *g, const char **error)
{
    oro_demo_plan_t *plan = g->plan;
    int64_t ref = plan->options.reference_time;
    for (long id = 1; id <= plan->count[DEMO_USERS]; id++) {
        begin_row(g, id);
        int org = plan->user_org[id];
        set_id(g, U_OWNER, plan->user_unit[id]);
        set_id(g, U_ORG, org);
        const char *first, *last;
        size_t pair;
        pick_name(&g->rng, (int)oro_demo_rng_below(&g->rng, 2), &first, &last, &pair);
        if (id == 1) {
            set_text(g, U_USERNAME, "admin");
            set_text(g, U_EMAIL, "admin@example.com");
            first = "John", last = "Doe";
        }
        else {
            const char *name = unique_local_part(g, plan->user_name_count, pair, first, last);
            set_text(g, U_USERNAME, name);
            put(g, U_EMAIL, ORO_DEMO_TEXT, "%s@%s", name, org_domains[org - 1]);
        }
        set_text(g, U_FIRST, first);
        set_text(g, U_LAST, last);
        set_text(g, U_TITLE,
                 id == 1 ? "Administrator" : oro_demo_pick(&g->rng, &oro_demo_job_titles));
        set_bool(g, U_ENABLED, id == 1 || oro_demo_rng_chance(&g->rng, 95));
        set_text(g, U_PASSWORD, plan->options.password_hash);
        if (oro_demo_rng_chance(&g->rng, 70)) {
            set_time(g, U_LAST_LOGIN, ref - oro_demo_rng_range(&g->rng, 0, 30 * 86400), 1);
            put(g, U_LOGIN_COUNT, ORO_DEMO_NUMBER, "%u", 1 + oro_demo_rng_below(&g->rng, 500));
        }
        else {
            set_text(g, U_LOGIN_COUNT, "0");
            g->slots[U_LOGIN_COUNT].kind = ORO_DEMO_NUMBER;
        }
        if (emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

static int accounts(gen_t *g, const char **error)
{
    oro_demo_plan_t *plan = g->plan;
    for (long id = 1; id <= plan->count[DEMO_ACCOUNTS]; id++) {
        begin_row(g, id);
        set_id(g, A_OWNER, plan->account_owner[id]);
        set_id(g, A_ORG, plan->account_org[id]);
        const char *domain, *industry;
        set_text(g, A_NAME, company_name(plan, id, &domain, &industry, g));
        if (oro_demo_rng_chance(&g->rng, 30)) {
            set_text(g, A_DESCRIPTION, oro_demo_pick(&g->rng, &oro_demo_sentences));
        }
        set_enum(g, A_INDUSTRY, oro_demo_rng_chance(&g->rng, 85) ? industry : "other");
        set_phone(g, A_PHONE);
        put(g, A_EMAIL, ORO_DEMO_TEXT, "info@%s", domain);
        put(g, A_WEBSITE, ORO_DEMO_TEXT, "https://www.%s/", domain);
        put(g, A_STREET, ORO_DEMO_TEXT, "%u %s %s", 1 + oro_demo_rng_below(&g->rng, 9999),
            oro_demo_pick(&g->rng, &oro_demo_streets),
            oro_demo_pick(&g->rng, &oro_demo_street_kinds));
        const oro_demo_city_t *city =
            &oro_demo_cities[oro_demo_rng_below(&g->rng, (uint32_t)oro_demo_city_count)];
        set_text(g, A_CITY, city->city);
        set_text(g, A_POSTAL, city->postal_code);
        set_text(g, A_COUNTRY, city->country);
        if (emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

static int contacts(gen_t *g, const char **error)
{
    static const char *const prefixes[2][3] = {{"Mr.", "Dr.", "Prof."}, {"Ms.", "Mrs.", "Dr."}};
    static const char *const suffixes[] = {"Jr.", "Sr.", "II", "III", "PhD"};
    static const char *const sources[] = {"website",  "website", "call", "email",
                                          "referral", "partner", "other"};
    oro_demo_plan_t *plan = g->plan;
    int64_t ref = plan->options.reference_time;
    for (long id = 1; id <= plan->count[DEMO_CONTACTS]; id++) {
        begin_row(g, id);
        int32_t account = plan->contact_account[id];
        int org = account ? plan->account_org[account] : oro_demo_pick_org(&g->rng);
        int32_t owner = account && oro_demo_rng_chance(&g->rng, 70)
                            ? plan->account_owner[account]
                            : pick_id(&g->rng, &plan->org_users[org]);
        set_id(g, C_ACCOUNT, account);
        set_id(g, C_ORG, org);
        set_id(g, C_OWNER, owner);
        uint32_t r = oro_demo_rng_below(&g->rng, 100);
        int gender = r < 48 ? 0 : r < 96 ? 1 : 2;
        const char *first, *last;
        size_t pair;
        pick_name(&g->rng, gender, &first, &last, &pair);
        set_text(g, C_FIRST, first);
        set_text(g, C_LAST, last);
        set_enum(g, C_GENDER, gender == 0 ? "male" : gender == 1 ? "female" : "other");
        if (gender < 2 && oro_demo_rng_chance(&g->rng, 20)) {
            set_text(g, C_PREFIX, prefixes[gender][oro_demo_rng_below(&g->rng, 3)]);
        }
        if (oro_demo_rng_chance(&g->rng, 15)) {
            const char *middle, *unused;
            size_t unused_pair;
            pick_name(&g->rng, gender, &middle, &unused, &unused_pair);
            set_text(g, C_MIDDLE, middle);
        }
        if (oro_demo_rng_chance(&g->rng, 3)) {
            set_text(g, C_SUFFIX, suffixes[oro_demo_rng_below(&g->rng, 5)]);
        }
        if (oro_demo_rng_chance(&g->rng, 85)) {
            /* 1950-01-01 .. 2004-12-31 */
            set_time(g, C_BIRTHDAY, oro_demo_rng_range(&g->rng, -631152000, 1104451200), 0);
        }
        if (oro_demo_rng_chance(&g->rng, 80)) {
            set_text(g, C_JOB, oro_demo_pick(&g->rng, &oro_demo_job_titles));
        }
        const char *domain = NULL;
        if (account) {
            company_name(plan, account, &domain, NULL, g);
        }
        else {
            domain = free_mail[oro_demo_rng_below(&g->rng, 3)];
        }
        const char *local = unique_local_part(g, plan->contact_email_count, pair, first, last);
        put(g, C_EMAIL, ORO_DEMO_TEXT, "%s@%s", local, domain);
        if (oro_demo_rng_chance(&g->rng, 20)) {
            put(g, C_EMAIL2, ORO_DEMO_TEXT, "%s@%s", local,
                free_mail[oro_demo_rng_below(&g->rng, 3)]);
        }
        if (oro_demo_rng_chance(&g->rng, 80)) {
            set_phone(g, C_PHONE);
        }
        if (oro_demo_rng_chance(&g->rng, 50)) {
            set_phone(g, C_MOBILE);
        }
        set_enum(g, C_SOURCE, sources[oro_demo_rng_below(&g->rng, 7)]);
        if (oro_demo_rng_chance(&g->rng, 10)) {
            set_text(g, C_DESCRIPTION, oro_demo_pick(&g->rng, &oro_demo_sentences));
        }
        (void)ref;
        if (emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

static int opportunities(gen_t *g, const char **error)
{
    oro_demo_plan_t *plan = g->plan;
    int64_t ref = plan->options.reference_time;
    long na = plan->count[DEMO_ACCOUNTS];
    for (long id = 1; id <= plan->count[DEMO_OPPORTUNITIES]; id++) {
        begin_row(g, id);
        int32_t account = 1 + (int32_t)oro_demo_rng_below(&g->rng, (uint32_t)na);
        int org = plan->account_org[account];
        set_id(g, O_ACCOUNT, account);
        set_id(g, O_ORG, org);
        set_id(g, O_OWNER,
               oro_demo_rng_chance(&g->rng, 60) ? plan->account_owner[account]
                                                : pick_id(&g->rng, &plan->org_users[org]));
        if (oro_demo_rng_chance(&g->rng, 80)) {
            set_id(g, O_CONTACT, pick_contact(plan, &g->rng, account));
        }
        put(g, O_NAME, ORO_DEMO_TEXT, "%u %s %ss for %s", 5 * (1 + oro_demo_rng_below(&g->rng, 40)),
            oro_demo_pick(&g->rng, &oro_demo_product_adjectives),
            oro_demo_pick(&g->rng, &oro_demo_product_nouns),
            company_name(plan, account, NULL, NULL, g));
        int64_t close = ref + oro_demo_rng_range(&g->rng, -YEAR, YEAR);
        set_time(g, O_CLOSE_DATE, close, 0);
        long long budget = 100 * (long long)(1000 + 250 * oro_demo_rng_below(&g->rng, 1000));
        set_money(g, O_BUDGET, budget);
        if (close < ref) {
            int won = oro_demo_rng_chance(&g->rng, 45);
            set_enum(g, O_STATUS, won ? "won" : "lost");
            set_text(g, O_PROBABILITY, won ? "1" : "0");
            g->slots[O_PROBABILITY].kind = ORO_DEMO_NUMBER;
            if (won) {
                set_money(g, O_REVENUE, budget / 100 * (80 + oro_demo_rng_below(&g->rng, 31)));
                set_enum(g, O_CLOSE_REASON, "won");
            }
            else {
                set_enum(g, O_CLOSE_REASON,
                         oro_demo_rng_chance(&g->rng, 60) ? "outsold" : "cancelled");
            }
        }
        else {
            set_enum(g, O_STATUS, "in_progress");
            put(g, O_PROBABILITY, ORO_DEMO_NUMBER, "0.%02u",
                5 * (2 + oro_demo_rng_below(&g->rng, 17)));
        }
        if (oro_demo_rng_chance(&g->rng, 20)) {
            set_text(g, O_DESCRIPTION, oro_demo_pick(&g->rng, &oro_demo_sentences));
        }
        if (emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

static int categories(gen_t *g, const char **error)
{
    for (long id = 1; id <= g->plan->count[DEMO_CATEGORIES]; id++) {
        begin_row(g, id);
        long k = (id - 1) % ORO_DEMO_CATEGORIES_PER_ORG;
        long base = id - 1 - k; /* the organization's first category - 1 */
        set_id(g, CAT_ORG, 1 + (id - 1) / ORO_DEMO_CATEGORIES_PER_ORG);
        if (k < 4) {
            set_text(g, CAT_TITLE, category_tree[k][0]);
        }
        else {
            long root = (k - 4) / 3;
            set_text(g, CAT_TITLE, category_tree[root][1 + (k - 4) % 3]);
            set_id(g, CAT_PARENT, base + 1 + root);
        }
        put(g, CAT_DESCRIPTION, ORO_DEMO_TEXT, "Everything in %s.", g->slots[CAT_TITLE].text);
        if (emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

static int products(gen_t *g, const char **error)
{
    oro_demo_plan_t *plan = g->plan;
    for (long id = 1; id <= plan->count[DEMO_PRODUCTS]; id++) {
        begin_row(g, id);
        product_info_t info;
        product_info(plan, id, &info);
        set_id(g, P_ORG, plan->product_org[id]);
        put(g, P_SKU, ORO_DEMO_TEXT, "%s", info.sku);
        put(g, P_NAME, ORO_DEMO_TEXT, "%s %s %s", info.adjective, info.material, info.noun);
        if (oro_demo_rng_chance(&g->rng, 50)) {
            put(g, P_DESCRIPTION, ORO_DEMO_TEXT, "A %s %s made of %s.", squash(g, info.adjective),
                squash(g, info.noun), squash(g, info.material));
        }
        set_money(g, P_PRICE, info.price);
        set_enum(g, P_STATUS, oro_demo_rng_chance(&g->rng, 92) ? "enabled" : "disabled");
        put(g, P_INVENTORY, ORO_DEMO_NUMBER, "%u", oro_demo_rng_below(&g->rng, 500));
        if (emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

typedef struct {
    int32_t account, contact, owner;
    int org;
    int nlines;
    struct {
        int32_t product;
        unsigned quantity;
    } lines[5];
} order_plan_t;

/* An order's account, contact, owner and lines: a function of the seed and the id
 * alone, so that orders and their line items (written later) agree. */
static void order_plan(const oro_demo_plan_t *plan, long id, order_plan_t *o)
{
    oro_demo_rng_t rng;
    oro_demo_rng_seed(&rng, plan->options.seed, DEMO_STREAM_STRUCTURE + DEMO_ORDERS, (uint64_t)id);
    o->account = 1 + (int32_t)oro_demo_rng_below(&rng, (uint32_t)plan->count[DEMO_ACCOUNTS]);
    o->org = plan->account_org[o->account];
    o->contact = oro_demo_rng_chance(&rng, 70) ? pick_contact(plan, &rng, o->account) : 0;
    o->owner = oro_demo_rng_chance(&rng, 60) ? plan->account_owner[o->account]
                                             : pick_id(&rng, &plan->org_users[o->org]);
    o->nlines = 1 + (int)oro_demo_rng_below(&rng, 5);
    for (int i = 0; i < o->nlines; i++) {
        o->lines[i].product = pick_id(&rng, &plan->org_products[o->org]);
        uint32_t r = oro_demo_rng_below(&rng, 10);
        o->lines[i].quantity = r < 5 ? 1 + r : 5 * (r - 3);
    }
}

static long long line_price(const oro_demo_plan_t *plan, int32_t product, product_info_t *info)
{
    if (product == 0) { /* the organization has no products: a service line */
        snprintf(info->sku, sizeof info->sku, "SERVICE");
        info->adjective = "Consulting", info->material = "", info->noun = "hour";
        return info->price = 9500;
    }
    product_info(plan, product, info);
    return info->price;
}

static int orders(gen_t *g, const char **error)
{
    static const char *const late[] = {"closed", "closed", "shipped", "cancelled"};
    static const char *const recent[] = {"open", "processing", "shipped", "open"};
    oro_demo_plan_t *plan = g->plan;
    int64_t ref = plan->options.reference_time;
    for (long id = 1; id <= plan->count[DEMO_ORDERS]; id++) {
        int64_t created = begin_row(g, id);
        order_plan_t o;
        order_plan(plan, id, &o);
        set_id(g, SO_ACCOUNT, o.account);
        set_id(g, SO_CONTACT, o.contact);
        set_id(g, SO_OWNER, o.owner);
        set_id(g, SO_ORG, o.org);
        put(g, SO_IDENTIFIER, ORO_DEMO_TEXT, "SO-%06ld", id);
        if (oro_demo_rng_chance(&g->rng, 40)) {
            put(g, SO_PO, ORO_DEMO_TEXT, "PO-%05u", oro_demo_rng_below(&g->rng, 100000));
        }
        int is_recent = created > ref - 45 * 86400;
        set_enum(g, SO_STATUS, (is_recent ? recent : late)[oro_demo_rng_below(&g->rng, 4)]);
        set_text(g, SO_CURRENCY, org_currencies[o.org - 1]);
        long long total = 0;
        for (int i = 0; i < o.nlines; i++) {
            product_info_t info;
            total += line_price(plan, o.lines[i].product, &info) * o.lines[i].quantity;
        }
        set_money(g, SO_SUBTOTAL, total);
        set_money(g, SO_TOTAL, total);
        set_time(g, SO_SHIP_UNTIL, created + oro_demo_rng_range(&g->rng, 3, 30) * 86400, 0);
        if (oro_demo_rng_chance(&g->rng, 15)) {
            set_text(g, SO_NOTES, oro_demo_pick(&g->rng, &oro_demo_sentences));
        }
        if (emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

static int line_items(gen_t *g, const char **error)
{
    oro_demo_plan_t *plan = g->plan;
    long id = 0;
    /* NB: the count is only known at the end; timestamps follow the order's instead */
    for (long order = 1; order <= plan->count[DEMO_ORDERS]; order++) {
        order_plan_t o;
        order_plan(plan, order, &o);
        for (int i = 0; i < o.nlines; i++) {
            id++;
            g->used = 0;
            memset(g->slots, 0, sizeof g->slots);
            oro_demo_rng_seed(&g->rng, plan->options.seed, DEMO_STREAM_LINES, (uint64_t)id);
            set_id(g, S_ID, id);
            set_timestamps(g, DEMO_ORDERS, order, plan->count[DEMO_ORDERS]);
            product_info_t info;
            long long price = line_price(plan, o.lines[i].product, &info);
            set_id(g, L_ORDER, order);
            set_id(g, L_PRODUCT, o.lines[i].product);
            put(g, L_SKU, ORO_DEMO_TEXT, "%s", info.sku);
            put(g, L_NAME, ORO_DEMO_TEXT, "%s%s%s %s", info.adjective, *info.material ? " " : "",
                info.material, info.noun);
            put(g, L_QUANTITY, ORO_DEMO_NUMBER, "%u", o.lines[i].quantity);
            set_money(g, L_PRICE, price);
            if (oro_demo_rng_chance(&g->rng, 5)) {
                set_text(g, L_COMMENT, "Gift wrap, please.");
            }
            if (emit(g, id, error) != 0) {
                return -1;
            }
        }
    }
    plan->count[DEMO_ORDER_LINE_ITEMS] = id;
    return 0;
}

/* ---- join tables ---- */

static int pair(gen_t *g, long left, long right, const char **error)
{
    g->used = 0;
    put(g, -1, ORO_DEMO_NUMBER, "%ld", left);
    g->row[0] = (oro_demo_value_t){g->scratch, ORO_DEMO_NUMBER};
    g->row[1] = (oro_demo_value_t){put(g, -1, ORO_DEMO_NUMBER, "%ld", right), ORO_DEMO_NUMBER};
    g->rows++;
    return g->sink->row(g->sink->baton, g->row, error);
}

static int join_rows(gen_t *g, demo_join_t which, const char **error)
{
    const oro_demo_plan_t *plan = g->plan;
    if (which == DEMO_USER_ROLES) {
        for (long u = 1; u <= plan->count[DEMO_USERS]; u++) {
            int org = plan->user_org[u];
            long role = u == 1 ? 1 : (u - 2) / ORO_DEMO_ORGS < plan->org_unit_count[org] ? 2 : 3;
            if (plan->count[DEMO_ROLES] >= role && pair(g, u, role, error) != 0) {
                return -1;
            }
        }
    }
    else if (which == DEMO_USER_ORGANIZATIONS) {
        for (long u = 1; u <= plan->count[DEMO_USERS]; u++) {
            for (int org = 1; org <= ORO_DEMO_ORGS; org++) {
                if ((u == 1 || plan->user_org[u] == org) && pair(g, u, org, error) != 0) {
                    return -1;
                }
            }
        }
    }
    else if (plan->count[DEMO_CATEGORIES] > 0) {
        for (long p = 1; p <= plan->count[DEMO_PRODUCTS]; p++) {
            oro_demo_rng_t rng;
            oro_demo_rng_seed(&rng, plan->options.seed, DEMO_STREAM_JOIN + which, (uint64_t)p);
            /* 1-3 distinct leaf categories (the 12 after the 4 roots) of its organization */
            long base = (long)(plan->product_org[p] - 1) * ORO_DEMO_CATEGORIES_PER_ORG + 5;
            uint32_t first = oro_demo_rng_below(&rng, 12), n = 1 + oro_demo_rng_below(&rng, 3);
            uint32_t stride = 1 + oro_demo_rng_below(&rng, 5);
            for (uint32_t i = 0; i < n; i++) {
                if (pair(g, p, base + (first + i * stride) % 12, error) != 0) {
                    return -1;
                }
            }
        }
    }
    return 0;
}

static const table_fn entity_fns[DEMO_N_ENTITIES] = {
    organizations, business_units, role_rows, users,  accounts,  contacts,
    opportunities, categories,     products,  orders, line_items};

long oro_demo_generate(oro_demo_plan_t *plan, const oro_demo_sink_t *sink, const char **error)
{
    gen_t *g = calloc(1, sizeof *g);
    if (g == NULL) {
        *error = "out of memory";
        return -1;
    }
    g->plan = plan;
    g->sink = sink;
    memset(plan->user_name_count, 0, sizeof(uint32_t) * plan->name_pairs);
    memset(plan->contact_email_count, 0, sizeof(uint32_t) * plan->name_pairs);
    long total = 0;
    int rc = 0;
    *error = NULL;
    for (int i = 0; i < plan->steps->nelts && rc == 0; i++) {
        const demo_step_t *step = &APR_ARRAY_IDX(plan->steps, i, demo_step_t);
        g->step = step;
        g->rows = 0;
        g->row = calloc((size_t)step->ncolumns + 1, sizeof(oro_demo_value_t));
        if (g->row == NULL) {
            *error = "out of memory";
            rc = -1;
            break;
        }
        rc = sink->begin(sink->baton, step->table, step->ncolumns, step->column_names, error);
        if (rc == 0) {
            rc = step->is_join ? join_rows(g, (demo_join_t)step->which, error)
                               : entity_fns[step->which](g, error);
        }
        if (rc == 0) {
            rc = sink->end(sink->baton, g->rows, error);
        }
        total += g->rows;
        free(g->row);
    }
    free(g);
    return rc == 0 ? total : -1;
}
