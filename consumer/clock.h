/* consumer/clock.h — a monotonic clock for timeouts and backoff, which must not jump
 * when the wall clock is set. */
#ifndef ORO_CONSUMER_CLOCK_H
#define ORO_CONSUMER_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Milliseconds since an arbitrary fixed point. */
static inline int64_t oro_consumer_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
