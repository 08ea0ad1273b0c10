/* consumer/worker_amqp.c — see worker_amqp.h. (being written) */
#include "worker_amqp.h"
oro_worker_amqp_t *oro_worker_amqp_create(apr_pool_t *p, const oro_settings_t *settings,
                                          const char *role, const char *queue, int slot)
{ return NULL; }
int oro_worker_amqp_step(oro_worker_amqp_t *a, oro_db_t *db, apr_pool_t *scratch,
                         apr_uint64_t *processed, apr_uint64_t *failed, int (*stop)(void),
                         const char **error) { return 0; }
apr_int64_t oro_worker_amqp_idle_ms(oro_worker_amqp_t *a) { return 1000; }
int oro_worker_amqp_fd(oro_worker_amqp_t *a) { return -1; }
void oro_worker_amqp_close(oro_worker_amqp_t *a) {}
