/* lib/demo/generate.c — oro_demo_generate, which walks the plan's tables in order and
 * hands their rows to a sink (entity tables through rows.c), and the rows of the join
 * tables: pairs of ids, a function of the seed and the plan alone. */
#include <apr_tables.h>
#include <stdlib.h>
#include <string.h>

#include "demo/plan.h"

/* ---- join tables ---- */

static int pair(demo_gen_t *g, long left, long right, const char **error)
{
    g->used = 0;
    oro_demo_put(g, -1, ORO_DEMO_NUMBER, "%ld", left);
    g->row[0] = (oro_demo_value_t){g->scratch, ORO_DEMO_NUMBER};
    g->row[1] =
        (oro_demo_value_t){oro_demo_put(g, -1, ORO_DEMO_NUMBER, "%ld", right), ORO_DEMO_NUMBER};
    g->rows++;
    return g->sink->row(g->sink->baton, g->row, error);
}

static int join_rows(demo_gen_t *g, demo_join_t which, const char **error)
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

long oro_demo_generate(oro_demo_plan_t *plan, const oro_demo_sink_t *sink, const char **error)
{
    demo_gen_t *g = calloc(1, sizeof *g);
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
                               : oro_demo_entity_rows(g, (demo_entity_t)step->which, error);
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
