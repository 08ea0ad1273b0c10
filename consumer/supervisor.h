/* consumer/supervisor.h — the oro-consumer supervisor: forks the workers, restarts
 * those that die, reloads on SIGHUP and stops them all on SIGTERM or SIGINT. */
#ifndef ORO_CONSUMER_SUPERVISOR_H
#define ORO_CONSUMER_SUPERVISOR_H

#include <apr_pools.h>
#include "args.h"
#include "conf/settings.h"

/* Runs until SIGTERM or SIGINT, keeping settings->consumer_workers workers running,
 * and returns the process exit status once every worker has exited (0).
 * settings lives in settings_pool, which the supervisor takes over: a reload reads
 * args->config_path (which must be absolute, as the daemon runs in "/") into a new
 * pool, applies args over it, and destroys the old one. */
int oro_consumer_supervisor_run(apr_pool_t *p, const oro_consumer_args_t *args,
                                apr_pool_t *settings_pool, const oro_settings_t *settings);

#endif
