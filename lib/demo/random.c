/* lib/demo/random.c — the demo data's PRNG (splitmix64, see internal.h). */
#include "demo/internal.h"

#define GOLDEN UINT64_C(0x9E3779B97F4A7C15)

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

void oro_demo_rng_seed(oro_demo_rng_t *rng, uint64_t seed, uint64_t stream, uint64_t index)
{
    /* NB: mixing each part before combining keeps (seed, stream, index) triples that
     * differ in one part from landing on neighbouring states. */
    rng->state =
        mix(mix(seed + GOLDEN) ^ mix(stream * GOLDEN + 1) ^ (index * UINT64_C(0xD1B54A32D192ED03)));
}

uint64_t oro_demo_rng_next(oro_demo_rng_t *rng)
{
    rng->state += GOLDEN;
    return mix(rng->state);
}

uint32_t oro_demo_rng_below(oro_demo_rng_t *rng, uint32_t n)
{
    /* Lemire's multiply-shift: no division, bias at most n / 2^32. */
    return (uint32_t)(((oro_demo_rng_next(rng) >> 32) * (uint64_t)n) >> 32);
}

int64_t oro_demo_rng_range(oro_demo_rng_t *rng, int64_t low, int64_t high)
{
    uint64_t span = (uint64_t)(high - low) + 1;
    if (span == 0) { /* the whole 64-bit range */
        return (int64_t)oro_demo_rng_next(rng);
    }
    return low + (int64_t)(oro_demo_rng_next(rng) % span);
}

int oro_demo_rng_chance(oro_demo_rng_t *rng, unsigned percent)
{
    return oro_demo_rng_below(rng, 100) < percent;
}
