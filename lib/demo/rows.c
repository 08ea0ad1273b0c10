/* lib/demo/rows.c — the rows of every demo entity table.
 *
 * Each entity has generator slots (a field or relation name and the kind of value it
 * produces); plan.c maps them onto the columns the metadata declares. A row's values
 * come from a PRNG seeded with (seed, table, id), so any row can be produced again on
 * its own: order line items repeat their product's SKU, name and price that way. The
 * only state carried from row to row are the counters that keep names unique. The
 * value helpers are in values.c, the walk over the tables in generate.c. */
#include <stdio.h>
#include <string.h>

#include "demo/plan.h"

#define COMMON_SLOTS                                                                               \
    {"id", ORO_DEMO_NUMBER, NULL}, {"createdAt", ORO_DEMO_DATETIME, NULL},                         \
    {                                                                                              \
        "updatedAt", ORO_DEMO_DATETIME, NULL                                                       \
    }
#define T ORO_DEMO_TEXT
#define N ORO_DEMO_NUMBER

enum { ORG_NAME = DEMO_SLOT_COMMON, ORG_DESCRIPTION, ORG_ENABLED, ORG_N };
static const demo_slot_t org_slots[] = {
    COMMON_SLOTS, {"name", T, NULL}, {"description", T, NULL}, {"enabled", ORO_DEMO_BOOLEAN, NULL}};

enum {
    BU_ORG = DEMO_SLOT_COMMON,
    BU_NAME,
    BU_PHONE,
    BU_EMAIL,
    BU_WEBSITE,
    BU_FAX,
    BU_PARENT,
    BU_N
};
static const demo_slot_t unit_slots[] = {
    COMMON_SLOTS,       {"organization", N, "organizations"},
    {"name", T, NULL},  {"phone", T, NULL},
    {"email", T, NULL}, {"website", T, NULL},
    {"fax", T, NULL},   {"parentBusinessUnit", N, "businessunits"}};

enum { ROLE_ROLE = DEMO_SLOT_COMMON, ROLE_LABEL, ROLE_DESCRIPTION, ROLE_N };
static const demo_slot_t role_slots[] = {
    COMMON_SLOTS, {"role", T, NULL}, {"label", T, NULL}, {"description", T, NULL}};

enum {
    U_OWNER = DEMO_SLOT_COMMON,
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
    A_OWNER = DEMO_SLOT_COMMON,
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
    C_OWNER = DEMO_SLOT_COMMON,
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
    O_OWNER = DEMO_SLOT_COMMON,
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

enum { CAT_ORG = DEMO_SLOT_COMMON, CAT_TITLE, CAT_DESCRIPTION, CAT_PARENT, CAT_N };
static const demo_slot_t category_slots[] = {COMMON_SLOTS,
                                             {"organization", N, "organizations"},
                                             {"title", T, NULL},
                                             {"description", T, NULL},
                                             {"parentCategory", N, "categories"}};

enum {
    P_ORG = DEMO_SLOT_COMMON,
    P_SKU,
    P_NAME,
    P_DESCRIPTION,
    P_PRICE,
    P_STATUS,
    P_INVENTORY,
    P_N
};
static const demo_slot_t product_slots[] = {COMMON_SLOTS,
                                            {"organization", N, "organizations"},
                                            {"sku", T, NULL},
                                            {"name", T, NULL},
                                            {"description", T, NULL},
                                            {"price", N, NULL},
                                            {"status", T, NULL},
                                            {"inventory", N, NULL}};

enum {
    SO_OWNER = DEMO_SLOT_COMMON,
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

enum { L_SKU = DEMO_SLOT_COMMON, L_NAME, L_QUANTITY, L_PRICE, L_COMMENT, L_ORDER, L_PRODUCT, L_N };
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

/* ---- the entities ---- */

typedef int (*table_fn)(demo_gen_t *g, const char **error);

static int organizations(demo_gen_t *g, const char **error)
{
    static const char *const descriptions[ORO_DEMO_ORGS] = {
        "Manufacturer of everything, sold worldwide.",
        "Diversified industrial and consumer products.", "Software and services for businesses."};
    for (long id = 1; id <= g->plan->count[DEMO_ORGANIZATIONS]; id++) {
        oro_demo_begin_row(g, id);
        oro_demo_set_text(g, ORG_NAME, org_names[id - 1]);
        oro_demo_set_text(g, ORG_DESCRIPTION, descriptions[id - 1]);
        oro_demo_set_bool(g, ORG_ENABLED, 1);
        if (oro_demo_emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

static int business_units(demo_gen_t *g, const char **error)
{
    const oro_demo_plan_t *plan = g->plan;
    for (long id = 1; id <= plan->count[DEMO_BUSINESS_UNITS]; id++) {
        oro_demo_begin_row(g, id);
        int org = plan->unit_org[id];
        long k = id - plan->org_first_unit[org];
        oro_demo_set_id(g, BU_ORG, org);
        oro_demo_set_id(g, BU_PARENT, plan->unit_parent[id]);
        if (k == 0) {
            oro_demo_set_text(g, BU_NAME, org_names[org - 1]);
        }
        else {
            oro_demo_put(g, BU_NAME, ORO_DEMO_TEXT, "%s %s", org_short[org - 1],
                         unit_regions[k - 1]);
        }
        oro_demo_set_phone(g, BU_PHONE);
        oro_demo_set_phone(g, BU_FAX);
        oro_demo_put(g, BU_EMAIL, ORO_DEMO_TEXT, "office%ld@%s", k + 1, org_domains[org - 1]);
        oro_demo_put(g, BU_WEBSITE, ORO_DEMO_TEXT, "https://www.%s/", org_domains[org - 1]);
        if (oro_demo_emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

static int role_rows(demo_gen_t *g, const char **error)
{
    for (long id = 1; id <= g->plan->count[DEMO_ROLES]; id++) {
        oro_demo_begin_row(g, id);
        oro_demo_set_text(g, ROLE_ROLE, roles[id - 1].role);
        oro_demo_set_text(g, ROLE_LABEL, roles[id - 1].label);
        oro_demo_set_text(g, ROLE_DESCRIPTION, roles[id - 1].description);
        if (oro_demo_emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

static int users(demo_gen_t *g, const char **error)
{
    oro_demo_plan_t *plan = g->plan;
    int64_t ref = plan->options.reference_time;
    for (long id = 1; id <= plan->count[DEMO_USERS]; id++) {
        oro_demo_begin_row(g, id);
        int org = plan->user_org[id];
        oro_demo_set_id(g, U_OWNER, plan->user_unit[id]);
        oro_demo_set_id(g, U_ORG, org);
        const char *first, *last;
        size_t pair;
        oro_demo_pick_name(&g->rng, (int)oro_demo_rng_below(&g->rng, 2), &first, &last, &pair);
        if (id == 1) {
            oro_demo_set_text(g, U_USERNAME, "admin");
            oro_demo_set_text(g, U_EMAIL, "admin@example.com");
            first = "John", last = "Doe";
        }
        else {
            const char *name =
                oro_demo_unique_local_part(g, plan->user_name_count, pair, first, last);
            oro_demo_set_text(g, U_USERNAME, name);
            oro_demo_put(g, U_EMAIL, ORO_DEMO_TEXT, "%s@%s", name, org_domains[org - 1]);
        }
        oro_demo_set_text(g, U_FIRST, first);
        oro_demo_set_text(g, U_LAST, last);
        oro_demo_set_text(g, U_TITLE,
                          id == 1 ? "Administrator" : oro_demo_pick(&g->rng, &oro_demo_job_titles));
        oro_demo_set_bool(g, U_ENABLED, id == 1 || oro_demo_rng_chance(&g->rng, 95));
        oro_demo_set_text(g, U_PASSWORD, plan->options.password_hash);
        if (oro_demo_rng_chance(&g->rng, 70)) {
            oro_demo_set_time(g, U_LAST_LOGIN, ref - oro_demo_rng_range(&g->rng, 0, 30 * 86400), 1);
            oro_demo_put(g, U_LOGIN_COUNT, ORO_DEMO_NUMBER, "%u",
                         1 + oro_demo_rng_below(&g->rng, 500));
        }
        else {
            oro_demo_set_text(g, U_LOGIN_COUNT, "0");
            g->slots[U_LOGIN_COUNT].kind = ORO_DEMO_NUMBER;
        }
        if (oro_demo_emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

static int accounts(demo_gen_t *g, const char **error)
{
    oro_demo_plan_t *plan = g->plan;
    for (long id = 1; id <= plan->count[DEMO_ACCOUNTS]; id++) {
        oro_demo_begin_row(g, id);
        oro_demo_set_id(g, A_OWNER, plan->account_owner[id]);
        oro_demo_set_id(g, A_ORG, plan->account_org[id]);
        const char *domain, *industry;
        oro_demo_set_text(g, A_NAME, oro_demo_company_name(plan, id, &domain, &industry, g));
        if (oro_demo_rng_chance(&g->rng, 30)) {
            oro_demo_set_text(g, A_DESCRIPTION, oro_demo_pick(&g->rng, &oro_demo_sentences));
        }
        oro_demo_set_enum(g, A_INDUSTRY, oro_demo_rng_chance(&g->rng, 85) ? industry : "other");
        oro_demo_set_phone(g, A_PHONE);
        oro_demo_put(g, A_EMAIL, ORO_DEMO_TEXT, "info@%s", domain);
        oro_demo_put(g, A_WEBSITE, ORO_DEMO_TEXT, "https://www.%s/", domain);
        oro_demo_put(g, A_STREET, ORO_DEMO_TEXT, "%u %s %s", 1 + oro_demo_rng_below(&g->rng, 9999),
                     oro_demo_pick(&g->rng, &oro_demo_streets),
                     oro_demo_pick(&g->rng, &oro_demo_street_kinds));
        const oro_demo_city_t *city =
            &oro_demo_cities[oro_demo_rng_below(&g->rng, (uint32_t)oro_demo_city_count)];
        oro_demo_set_text(g, A_CITY, city->city);
        oro_demo_set_text(g, A_POSTAL, city->postal_code);
        oro_demo_set_text(g, A_COUNTRY, city->country);
        if (oro_demo_emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

static int contacts(demo_gen_t *g, const char **error)
{
    static const char *const prefixes[2][3] = {{"Mr.", "Dr.", "Prof."}, {"Ms.", "Mrs.", "Dr."}};
    static const char *const suffixes[] = {"Jr.", "Sr.", "II", "III", "PhD"};
    static const char *const sources[] = {"website",  "website", "call", "email",
                                          "referral", "partner", "other"};
    oro_demo_plan_t *plan = g->plan;
    int64_t ref = plan->options.reference_time;
    for (long id = 1; id <= plan->count[DEMO_CONTACTS]; id++) {
        oro_demo_begin_row(g, id);
        int32_t account = plan->contact_account[id];
        int org = account ? plan->account_org[account] : oro_demo_pick_org(&g->rng);
        int32_t owner = account && oro_demo_rng_chance(&g->rng, 70)
                            ? plan->account_owner[account]
                            : pick_id(&g->rng, &plan->org_users[org]);
        oro_demo_set_id(g, C_ACCOUNT, account);
        oro_demo_set_id(g, C_ORG, org);
        oro_demo_set_id(g, C_OWNER, owner);
        uint32_t r = oro_demo_rng_below(&g->rng, 100);
        int gender = r < 48 ? 0 : r < 96 ? 1 : 2;
        const char *first, *last;
        size_t pair;
        oro_demo_pick_name(&g->rng, gender, &first, &last, &pair);
        oro_demo_set_text(g, C_FIRST, first);
        oro_demo_set_text(g, C_LAST, last);
        oro_demo_set_enum(g, C_GENDER, gender == 0 ? "male" : gender == 1 ? "female" : "other");
        if (gender < 2 && oro_demo_rng_chance(&g->rng, 20)) {
            oro_demo_set_text(g, C_PREFIX, prefixes[gender][oro_demo_rng_below(&g->rng, 3)]);
        }
        if (oro_demo_rng_chance(&g->rng, 15)) {
            const char *middle, *unused;
            size_t unused_pair;
            oro_demo_pick_name(&g->rng, gender, &middle, &unused, &unused_pair);
            oro_demo_set_text(g, C_MIDDLE, middle);
        }
        if (oro_demo_rng_chance(&g->rng, 3)) {
            oro_demo_set_text(g, C_SUFFIX, suffixes[oro_demo_rng_below(&g->rng, 5)]);
        }
        if (oro_demo_rng_chance(&g->rng, 85)) {
            /* 1950-01-01 .. 2004-12-31 */
            oro_demo_set_time(g, C_BIRTHDAY, oro_demo_rng_range(&g->rng, -631152000, 1104451200),
                              0);
        }
        if (oro_demo_rng_chance(&g->rng, 80)) {
            oro_demo_set_text(g, C_JOB, oro_demo_pick(&g->rng, &oro_demo_job_titles));
        }
        const char *domain = NULL;
        if (account) {
            oro_demo_company_name(plan, account, &domain, NULL, g);
        }
        else {
            domain = free_mail[oro_demo_rng_below(&g->rng, 3)];
        }
        const char *local =
            oro_demo_unique_local_part(g, plan->contact_email_count, pair, first, last);
        oro_demo_put(g, C_EMAIL, ORO_DEMO_TEXT, "%s@%s", local, domain);
        if (oro_demo_rng_chance(&g->rng, 20)) {
            oro_demo_put(g, C_EMAIL2, ORO_DEMO_TEXT, "%s@%s", local,
                         free_mail[oro_demo_rng_below(&g->rng, 3)]);
        }
        if (oro_demo_rng_chance(&g->rng, 80)) {
            oro_demo_set_phone(g, C_PHONE);
        }
        if (oro_demo_rng_chance(&g->rng, 50)) {
            oro_demo_set_phone(g, C_MOBILE);
        }
        oro_demo_set_enum(g, C_SOURCE, sources[oro_demo_rng_below(&g->rng, 7)]);
        if (oro_demo_rng_chance(&g->rng, 10)) {
            oro_demo_set_text(g, C_DESCRIPTION, oro_demo_pick(&g->rng, &oro_demo_sentences));
        }
        (void)ref;
        if (oro_demo_emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

static int opportunities(demo_gen_t *g, const char **error)
{
    oro_demo_plan_t *plan = g->plan;
    int64_t ref = plan->options.reference_time;
    long na = plan->count[DEMO_ACCOUNTS];
    for (long id = 1; id <= plan->count[DEMO_OPPORTUNITIES]; id++) {
        oro_demo_begin_row(g, id);
        int32_t account = 1 + (int32_t)oro_demo_rng_below(&g->rng, (uint32_t)na);
        int org = plan->account_org[account];
        oro_demo_set_id(g, O_ACCOUNT, account);
        oro_demo_set_id(g, O_ORG, org);
        oro_demo_set_id(g, O_OWNER,
                        oro_demo_rng_chance(&g->rng, 60) ? plan->account_owner[account]
                                                         : pick_id(&g->rng, &plan->org_users[org]));
        if (oro_demo_rng_chance(&g->rng, 80)) {
            oro_demo_set_id(g, O_CONTACT, pick_contact(plan, &g->rng, account));
        }
        oro_demo_put(g, O_NAME, ORO_DEMO_TEXT, "%u %s %ss for %s",
                     5 * (1 + oro_demo_rng_below(&g->rng, 40)),
                     oro_demo_pick(&g->rng, &oro_demo_product_adjectives),
                     oro_demo_pick(&g->rng, &oro_demo_product_nouns),
                     oro_demo_company_name(plan, account, NULL, NULL, g));
        int64_t close = ref + oro_demo_rng_range(&g->rng, -ORO_DEMO_YEAR, ORO_DEMO_YEAR);
        oro_demo_set_time(g, O_CLOSE_DATE, close, 0);
        long long budget = 100 * (long long)(1000 + 250 * oro_demo_rng_below(&g->rng, 1000));
        oro_demo_set_money(g, O_BUDGET, budget);
        if (close < ref) {
            int won = oro_demo_rng_chance(&g->rng, 45);
            oro_demo_set_enum(g, O_STATUS, won ? "won" : "lost");
            oro_demo_set_text(g, O_PROBABILITY, won ? "1" : "0");
            g->slots[O_PROBABILITY].kind = ORO_DEMO_NUMBER;
            if (won) {
                oro_demo_set_money(g, O_REVENUE,
                                   budget / 100 * (80 + oro_demo_rng_below(&g->rng, 31)));
                oro_demo_set_enum(g, O_CLOSE_REASON, "won");
            }
            else {
                oro_demo_set_enum(g, O_CLOSE_REASON,
                                  oro_demo_rng_chance(&g->rng, 60) ? "outsold" : "cancelled");
            }
        }
        else {
            oro_demo_set_enum(g, O_STATUS, "in_progress");
            oro_demo_put(g, O_PROBABILITY, ORO_DEMO_NUMBER, "0.%02u",
                         5 * (2 + oro_demo_rng_below(&g->rng, 17)));
        }
        if (oro_demo_rng_chance(&g->rng, 20)) {
            oro_demo_set_text(g, O_DESCRIPTION, oro_demo_pick(&g->rng, &oro_demo_sentences));
        }
        if (oro_demo_emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

static int categories(demo_gen_t *g, const char **error)
{
    for (long id = 1; id <= g->plan->count[DEMO_CATEGORIES]; id++) {
        oro_demo_begin_row(g, id);
        long k = (id - 1) % ORO_DEMO_CATEGORIES_PER_ORG;
        long base = id - 1 - k; /* the organization's first category - 1 */
        oro_demo_set_id(g, CAT_ORG, 1 + (id - 1) / ORO_DEMO_CATEGORIES_PER_ORG);
        if (k < 4) {
            oro_demo_set_text(g, CAT_TITLE, category_tree[k][0]);
        }
        else {
            long root = (k - 4) / 3;
            oro_demo_set_text(g, CAT_TITLE, category_tree[root][1 + (k - 4) % 3]);
            oro_demo_set_id(g, CAT_PARENT, base + 1 + root);
        }
        oro_demo_put(g, CAT_DESCRIPTION, ORO_DEMO_TEXT, "Everything in %s.",
                     g->slots[CAT_TITLE].text);
        if (oro_demo_emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

static int products(demo_gen_t *g, const char **error)
{
    oro_demo_plan_t *plan = g->plan;
    for (long id = 1; id <= plan->count[DEMO_PRODUCTS]; id++) {
        oro_demo_begin_row(g, id);
        demo_product_info_t info;
        oro_demo_product_info(plan, id, &info);
        oro_demo_set_id(g, P_ORG, plan->product_org[id]);
        oro_demo_put(g, P_SKU, ORO_DEMO_TEXT, "%s", info.sku);
        oro_demo_put(g, P_NAME, ORO_DEMO_TEXT, "%s %s %s", info.adjective, info.material,
                     info.noun);
        if (oro_demo_rng_chance(&g->rng, 50)) {
            oro_demo_put(g, P_DESCRIPTION, ORO_DEMO_TEXT, "A %s %s made of %s.",
                         oro_demo_squash(g, info.adjective), oro_demo_squash(g, info.noun),
                         oro_demo_squash(g, info.material));
        }
        oro_demo_set_money(g, P_PRICE, info.price);
        oro_demo_set_enum(g, P_STATUS, oro_demo_rng_chance(&g->rng, 92) ? "enabled" : "disabled");
        oro_demo_put(g, P_INVENTORY, ORO_DEMO_NUMBER, "%u", oro_demo_rng_below(&g->rng, 500));
        if (oro_demo_emit(g, id, error) != 0) {
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

static long long line_price(const oro_demo_plan_t *plan, int32_t product, demo_product_info_t *info)
{
    if (product == 0) { /* the organization has no products: a service line */
        snprintf(info->sku, sizeof info->sku, "SERVICE");
        info->adjective = "Consulting", info->material = "", info->noun = "hour";
        return info->price = 9500;
    }
    oro_demo_product_info(plan, product, info);
    return info->price;
}

static int orders(demo_gen_t *g, const char **error)
{
    static const char *const late[] = {"closed", "closed", "shipped", "cancelled"};
    static const char *const recent[] = {"open", "processing", "shipped", "open"};
    oro_demo_plan_t *plan = g->plan;
    int64_t ref = plan->options.reference_time;
    for (long id = 1; id <= plan->count[DEMO_ORDERS]; id++) {
        int64_t created = oro_demo_begin_row(g, id);
        order_plan_t o;
        order_plan(plan, id, &o);
        oro_demo_set_id(g, SO_ACCOUNT, o.account);
        oro_demo_set_id(g, SO_CONTACT, o.contact);
        oro_demo_set_id(g, SO_OWNER, o.owner);
        oro_demo_set_id(g, SO_ORG, o.org);
        oro_demo_put(g, SO_IDENTIFIER, ORO_DEMO_TEXT, "SO-%06ld", id);
        if (oro_demo_rng_chance(&g->rng, 40)) {
            oro_demo_put(g, SO_PO, ORO_DEMO_TEXT, "PO-%05u", oro_demo_rng_below(&g->rng, 100000));
        }
        int is_recent = created > ref - 45 * 86400;
        oro_demo_set_enum(g, SO_STATUS,
                          (is_recent ? recent : late)[oro_demo_rng_below(&g->rng, 4)]);
        oro_demo_set_text(g, SO_CURRENCY, org_currencies[o.org - 1]);
        long long total = 0;
        for (int i = 0; i < o.nlines; i++) {
            demo_product_info_t info;
            total += line_price(plan, o.lines[i].product, &info) * o.lines[i].quantity;
        }
        oro_demo_set_money(g, SO_SUBTOTAL, total);
        oro_demo_set_money(g, SO_TOTAL, total);
        oro_demo_set_time(g, SO_SHIP_UNTIL, created + oro_demo_rng_range(&g->rng, 3, 30) * 86400,
                          0);
        if (oro_demo_rng_chance(&g->rng, 15)) {
            oro_demo_set_text(g, SO_NOTES, oro_demo_pick(&g->rng, &oro_demo_sentences));
        }
        if (oro_demo_emit(g, id, error) != 0) {
            return -1;
        }
    }
    return 0;
}

static int line_items(demo_gen_t *g, const char **error)
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
            oro_demo_set_id(g, DEMO_SLOT_ID, id);
            oro_demo_set_timestamps(g, DEMO_ORDERS, order, plan->count[DEMO_ORDERS]);
            demo_product_info_t info;
            long long price = line_price(plan, o.lines[i].product, &info);
            oro_demo_set_id(g, L_ORDER, order);
            oro_demo_set_id(g, L_PRODUCT, o.lines[i].product);
            oro_demo_put(g, L_SKU, ORO_DEMO_TEXT, "%s", info.sku);
            oro_demo_put(g, L_NAME, ORO_DEMO_TEXT, "%s%s%s %s", info.adjective,
                         *info.material ? " " : "", info.material, info.noun);
            oro_demo_put(g, L_QUANTITY, ORO_DEMO_NUMBER, "%u", o.lines[i].quantity);
            oro_demo_set_money(g, L_PRICE, price);
            if (oro_demo_rng_chance(&g->rng, 5)) {
                oro_demo_set_text(g, L_COMMENT, "Gift wrap, please.");
            }
            if (oro_demo_emit(g, id, error) != 0) {
                return -1;
            }
        }
    }
    plan->count[DEMO_ORDER_LINE_ITEMS] = id;
    return 0;
}

static const table_fn entity_fns[DEMO_N_ENTITIES] = {
    organizations, business_units, role_rows, users,  accounts,  contacts,
    opportunities, categories,     products,  orders, line_items};

int oro_demo_entity_rows(demo_gen_t *g, demo_entity_t which, const char **error)
{
    return entity_fns[which](g, error);
}
