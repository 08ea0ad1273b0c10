/* lib/demo/values.c — the values of a demo row: the scratch space every value is
 * formatted into, the typed setters (text, ids, money, dates, enums, phone numbers),
 * timestamps, and the names, emails, companies and products that several tables repeat.
 * Also oro_demo_begin_row and oro_demo_emit, which start a row and hand it to the sink.
 *
 * A row's values come from a PRNG seeded with (seed, table, id), so any row can be
 * produced again on its own; company and product names have their own streams so that
 * contacts and order line items can repeat them. Contracts are in plan.h. */
#include <apr_tables.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "demo/plan.h"

char *oro_demo_put(demo_gen_t *g, int slot, oro_demo_kind_t kind, const char *fmt, ...)
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

void oro_demo_set_text(demo_gen_t *g, int slot, const char *text)
{
    g->slots[slot] = (oro_demo_value_t){text, text ? ORO_DEMO_TEXT : ORO_DEMO_NULL};
}

void oro_demo_set_id(demo_gen_t *g, int slot, long id)
{
    if (id > 0) {
        oro_demo_put(g, slot, ORO_DEMO_NUMBER, "%ld", id);
    }
}

void oro_demo_set_money(demo_gen_t *g, int slot, long long cents)
{
    oro_demo_put(g, slot, ORO_DEMO_NUMBER, "%lld.%02lld", cents / 100, cents % 100);
}

void oro_demo_set_bool(demo_gen_t *g, int slot, int value)
{
    g->slots[slot] = (oro_demo_value_t){value ? "1" : "0", ORO_DEMO_BOOLEAN};
}

static void set_time_rng(demo_gen_t *g, oro_demo_rng_t *rng, int slot, int64_t t, int with_time)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    if (with_time) {
        oro_demo_put(g, slot, ORO_DEMO_DATETIME, "%04d-%02d-%02d %02d:%02d:%02d.%06u",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     oro_demo_rng_below(rng, 1000000));
    }
    else {
        oro_demo_put(g, slot, ORO_DEMO_DATE, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday);
    }
}

void oro_demo_set_time(demo_gen_t *g, int slot, int64_t t, int with_time)
{
    set_time_rng(g, &g->rng, slot, t, with_time);
}

void oro_demo_set_enum(demo_gen_t *g, int slot, const char *preferred)
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
    oro_demo_set_text(g, slot, preferred);
}

char *oro_demo_squash(demo_gen_t *g, const char *text)
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

void oro_demo_set_phone(demo_gen_t *g, int slot)
{
    oro_demo_put(g, slot, ORO_DEMO_TEXT, "+1-555-01%02u-%03u", oro_demo_rng_below(&g->rng, 100),
                 oro_demo_rng_below(&g->rng, 1000));
}

int64_t oro_demo_set_timestamps(demo_gen_t *g, demo_entity_t which, long id, long count)
{
    oro_demo_rng_t rng;
    oro_demo_rng_seed(&rng, g->plan->options.seed, DEMO_STREAM_CREATED + which, (uint64_t)id);
    int64_t ref = g->plan->options.reference_time, span = 3 * (int64_t)ORO_DEMO_YEAR,
            start = ref - span;
    if (which <= DEMO_USERS || which == DEMO_CATEGORIES) {
        span = 30 * 86400;
        start -= span;
    }
    int64_t n = count > 0 ? count : 1, step = span / n;
    int64_t created =
        start + (int64_t)(id - 1) * span / n + oro_demo_rng_range(&rng, 0, step > 1 ? step - 1 : 0);
    int64_t updated = created + oro_demo_rng_range(&rng, 0, 60 * 86400);
    set_time_rng(g, &rng, DEMO_SLOT_CREATED, created, 1);
    set_time_rng(g, &rng, DEMO_SLOT_UPDATED, updated > ref ? ref : updated, 1);
    return created;
}

int64_t oro_demo_begin_row(demo_gen_t *g, long id)
{
    demo_entity_t which = (demo_entity_t)g->step->which;
    g->used = 0;
    memset(g->slots, 0, sizeof g->slots);
    oro_demo_rng_seed(&g->rng, g->plan->options.seed, DEMO_STREAM_ROW + which, (uint64_t)id);
    oro_demo_set_id(g, DEMO_SLOT_ID, id);
    return oro_demo_set_timestamps(g, which, id, g->plan->count[which]);
}

int oro_demo_emit(demo_gen_t *g, long id, const char **error)
{
    const demo_step_t *s = g->step;
    for (int i = 0; i < s->ncolumns; i++) {
        const demo_column_t *c = &s->columns[i];
        oro_demo_value_t v = c->slot >= 0 ? g->slots[c->slot] : c->fallback;
        if (c->slot < 0 && c->unique_fallback) {
            v.text = oro_demo_put(g, -1, ORO_DEMO_TEXT, "%s-%ld", c->fallback.text, id);
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
                v.text = oro_demo_put(g, -1, ORO_DEMO_TEXT, "%.*s", f->length, v.text);
            }
        }
        g->row[i] = v;
    }
    g->rows++;
    return g->sink->row(g->sink->baton, g->row, error);
}

void oro_demo_pick_name(oro_demo_rng_t *rng, int gender, const char **first, const char **last,
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

const char *oro_demo_unique_local_part(demo_gen_t *g, uint32_t *counters, size_t pair,
                                       const char *first, const char *last)
{
    uint32_t n = ++counters[pair];
    const char *f = oro_demo_squash(g, first), *l = oro_demo_squash(g, last);
    return n == 1 ? oro_demo_put(g, -1, ORO_DEMO_TEXT, "%s.%s", f, l)
                  : oro_demo_put(g, -1, ORO_DEMO_TEXT, "%s.%s%u", f, l, n);
}

const char *oro_demo_company_name(oro_demo_plan_t *plan, long account, const char **domain,
                                  const char **industry, demo_gen_t *g)
{
    oro_demo_rng_t rng;
    oro_demo_rng_seed(&rng, plan->options.seed, DEMO_STREAM_NAME + DEMO_ACCOUNTS,
                      (uint64_t)account);
    const char *word = oro_demo_pick(&rng, &oro_demo_company_words);
    const char *kind = oro_demo_pick(&rng, &oro_demo_company_kinds);
    const char *suffix = oro_demo_pick(&rng, &oro_demo_company_suffixes);
    if (domain != NULL) {
        *domain = oro_demo_put(g, -1, ORO_DEMO_TEXT, "%s%s.example", oro_demo_squash(g, word),
                               oro_demo_squash(g, kind));
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
    return oro_demo_put(g, -1, ORO_DEMO_TEXT, "%s %s %s", word, kind, suffix);
}

void oro_demo_product_info(const oro_demo_plan_t *plan, long id, demo_product_info_t *info)
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
