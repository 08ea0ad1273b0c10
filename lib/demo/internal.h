/* lib/demo/internal.h — what the demo data files share: the PRNG and the word lists.
 * Not part of liboro's API (the unit tests use it to check determinism). */
#ifndef ORO_DEMO_INTERNAL_H
#define ORO_DEMO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* splitmix64: one 64-bit word of state, good statistical quality, and seeding a
 * stream per (table, row) costs two multiplications, so every row's values depend on
 * the seed and the row's id only. */
typedef struct {
    uint64_t state;
} oro_demo_rng_t;

/* A generator for row index of stream (a table or purpose) under seed. */
void oro_demo_rng_seed(oro_demo_rng_t *rng, uint64_t seed, uint64_t stream, uint64_t index);
uint64_t oro_demo_rng_next(oro_demo_rng_t *rng);
/* Uniform in [0, n) (n > 0; bias below 2^-32). */
uint32_t oro_demo_rng_below(oro_demo_rng_t *rng, uint32_t n);
/* Uniform in [low, high]. */
int64_t oro_demo_rng_range(oro_demo_rng_t *rng, int64_t low, int64_t high);
/* 1 with probability percent/100. */
int oro_demo_rng_chance(oro_demo_rng_t *rng, unsigned percent);

/* A list of words: ASCII only, so lengths in bytes are lengths in characters. */
typedef struct {
    const char *const *words;
    size_t count;
} oro_demo_words_t;

extern const oro_demo_words_t oro_demo_male_names, oro_demo_female_names, oro_demo_last_names,
    oro_demo_company_words, oro_demo_company_kinds, oro_demo_company_suffixes, oro_demo_streets,
    oro_demo_street_kinds, oro_demo_job_titles, oro_demo_product_adjectives,
    oro_demo_product_materials, oro_demo_product_nouns, oro_demo_sentences;

typedef struct {
    const char *city, *postal_code, *country;
} oro_demo_city_t;

extern const oro_demo_city_t oro_demo_cities[];
extern const size_t oro_demo_city_count;

static inline const char *oro_demo_pick(oro_demo_rng_t *rng, const oro_demo_words_t *list)
{
    return list->words[oro_demo_rng_below(rng, (uint32_t)list->count)];
}

#endif
