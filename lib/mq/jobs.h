/* lib/mq/jobs.h — Oro's job runner (JobRunner / JobProcessor) over table oro_job.
 *
 * A root job groups child jobs; processors run the children. The usual shape, as in
 * Oro's processors:
 *
 *   message "reindex all" arrives (its message id is the owner):
 *     oro_job_run_root(…, owner = message id, name = "oro.search.reindex", unique = 1)
 *       → ORO_JOB_DUPLICATE: a run of that name is active: ack the message
 *       → ORO_JOB_STARTED: *job is the root's running "run" child (named as the root);
 *         for each range: oro_job_create_child(root) → id, sent in a message body
 *         (oro_mq_send, jobId); oro_job_add_dependent(root, "all done" message);
 *         oro_job_finish(run child, success)
 *   message "reindex range, jobId N" arrives:
 *     oro_job_start_child(N) → ORO_JOB_CANCELLED (root interrupted or ended: ack and
 *       skip), ORO_JOB_ENDED (already done: a redelivery, ack), ORO_JOB_STARTED;
 *     work, oro_job_set_progress(N, 0.5), oro_job_interrupted(N) to stop early,
 *     oro_job_finish(N, success | failed | failed_redelivered).
 *
 * The root ends when its last child ends; its status comes from its children's
 * (oro_job_root_status), its progress is their mean (an ended child counts 1), and its
 * dependent messages are sent with oro_mq_send in the transaction that ends it — so
 * exactly once, however many consumers finish children at the same moment: every
 * change of a child locks its root row first (SELECT … FOR UPDATE), then the child.
 *
 * Every function runs in the caller's transaction when one is open on db (oro_db_begin),
 * else in its own. Temporary data in p. Errors: -1 (ORO_JOB_ERROR) with *error. */
#ifndef ORO_MQ_JOBS_H
#define ORO_MQ_JOBS_H

#include <apr_pools.h>

#include "conf/settings.h"
#include "db/db.h"
#include "mq/mq.h"

typedef enum {
    ORO_JOB_STATUS_NEW = 0,
    ORO_JOB_STATUS_RUNNING,
    ORO_JOB_STATUS_SUCCESS,
    ORO_JOB_STATUS_FAILED,
    ORO_JOB_STATUS_FAILED_REDELIVERED, /* failed, the message is redelivered: will run again */
    ORO_JOB_STATUS_CANCELLED,
    ORO_JOB_STATUS_STALE
} oro_job_status_t;
#define ORO_JOB_STATUS_COUNT (ORO_JOB_STATUS_STALE + 1)

/* Outcomes of the functions below (besides 0 for plain success). */
enum {
    ORO_JOB_ERROR = -1,
    ORO_JOB_STARTED = 0,
    ORO_JOB_DUPLICATE = 1, /* a unique job of that name is active and not stale */
    ORO_JOB_CANCELLED = 2, /* the root was interrupted or has ended: the child is cancelled */
    ORO_JOB_ENDED = 3,     /* the job has already ended (a redelivered message) */
    ORO_JOB_NOT_FOUND = 4  /* no job with that id */
};

/* Longest job name (the column's width). */
#define ORO_JOB_NAME_MAX 255

typedef struct {
    apr_int64_t id;
    apr_int64_t root_id; /* 0 for a root job */
    const char *name;
    oro_job_status_t status;
    int interrupted;
    int unique;
    double progress;
    const char *created_at, *started_at, *stopped_at, *last_active_at; /* or NULL */
} oro_job_t;

/* "new", "running", …; NULL out of range. */
const char *oro_job_status_name(oro_job_status_t status);
/* The status of a name; -1 for an unknown name. */
int oro_job_status_parse(const char *name);
/* Whether status is an end state (success, failed, cancelled, stale). */
int oro_job_status_ended(oro_job_status_t status);
/* Whether a job may go from one status to the other (Oro's transitions):
 * new → running | cancelled | stale; running → success | failed | failed_redelivered |
 * cancelled | stale; failed_redelivered → running | failed | cancelled | stale; end
 * states never change. */
int oro_job_transition_allowed(oro_job_status_t from, oro_job_status_t to);
/* A root's status from how many of its children are in each status (counts indexed by
 * oro_job_status_t): running while any child has not ended; once all have ended,
 * cancelled if any was cancelled, else failed if any failed or went stale, else
 * success. No child at all: new. */
oro_job_status_t oro_job_root_status(const int counts[ORO_JOB_STATUS_COUNT]);

/* Starts a root job and its "run" child (Oro's runUnique / runUniqueByMessage): creates
 * the root named name and a child of the same name, started at once, returned in *job.
 * unique: a second run while one is active gets ORO_JOB_DUPLICATE, unless the active
 * one has been silent (last_active_at) longer than settings->job_stale_timeout: then it
 * is marked stale (its children too) and this run replaces it. owner_id (the message id,
 * or NULL): a redelivered message finds the root it created and restarts its run child
 * (ORO_JOB_ENDED if that child has ended). Returns ORO_JOB_STARTED, ORO_JOB_DUPLICATE,
 * ORO_JOB_ENDED or ORO_JOB_ERROR. */
int oro_job_run_root(oro_db_t *db, const oro_settings_t *settings, apr_pool_t *p,
                     const char *owner_id, const char *name, int unique, oro_job_t **job,
                     const char **error);

/* Creates a child job (status new) of root_id to be run later by another message
 * (Oro's createDelayed); *child_id is the id to put in that message's body. Refused
 * (ORO_JOB_CANCELLED) when the root has ended or was interrupted. */
int oro_job_create_child(oro_db_t *db, apr_pool_t *p, apr_int64_t root_id, const char *name,
                         apr_int64_t *child_id, const char **error);

/* Stores m (queue, topic, body, priority) with root_id: sent with oro_mq_send when the
 * root and all its children have ended (Oro's dependent jobs). Returns 0, or
 * ORO_JOB_ENDED when the root has already ended (nothing stored), or ORO_JOB_ERROR. */
int oro_job_add_dependent(oro_db_t *db, apr_pool_t *p, apr_int64_t root_id,
                          const oro_mq_message_t *m, const char **error);

/* Starts child job_id (Oro's runDelayed): ORO_JOB_STARTED (now running, *job filled if
 * job is not NULL), ORO_JOB_CANCELLED (the root was interrupted or has ended: the child
 * is now cancelled, and the root may end), ORO_JOB_ENDED (the child has ended already),
 * ORO_JOB_NOT_FOUND, or ORO_JOB_ERROR. */
int oro_job_start_child(oro_db_t *db, const oro_settings_t *settings, apr_pool_t *p,
                        apr_int64_t job_id, oro_job_t **job, const char **error);

/* Ends child job_id with status (success, failed, failed_redelivered or cancelled) and
 * recomputes its root; the transaction that ends the root sends the root's dependent
 * messages. failed_redelivered leaves the root running: the redelivered message starts
 * the child again. Returns 0, ORO_JOB_ENDED (it had ended already: nothing changed),
 * ORO_JOB_NOT_FOUND, or ORO_JOB_ERROR (also for a status that is no end). */
int oro_job_finish(oro_db_t *db, const oro_settings_t *settings, apr_pool_t *p, apr_int64_t job_id,
                   oro_job_status_t status, const char **error);

/* Sets a running child's progress (0–1, clamped) and its root's (the mean of its
 * children's) and marks both active (the stale clock restarts). Returns 0,
 * ORO_JOB_ENDED, ORO_JOB_NOT_FOUND or ORO_JOB_ERROR. */
int oro_job_set_progress(oro_db_t *db, apr_pool_t *p, apr_int64_t job_id, double progress,
                         const char **error);

/* *interrupted = 1 when job_id's root (or job_id itself, a root) was interrupted or has
 * ended as stale or cancelled: a processor polls it to stop early. 0 or -1. */
int oro_job_interrupted(oro_db_t *db, apr_pool_t *p, apr_int64_t job_id, int *interrupted,
                        const char **error);

/* Interrupts root job root_id (a child id cancels its root): children not started are
 * cancelled now, running ones are asked to stop (oro_job_interrupted) and their end
 * ends the root; with no running child the root ends now (cancelled). Returns 0,
 * ORO_JOB_ENDED (the job had ended), ORO_JOB_NOT_FOUND or ORO_JOB_ERROR. */
int oro_job_cancel(oro_db_t *db, const oro_settings_t *settings, apr_pool_t *p, apr_int64_t job_id,
                   const char **error);

/* Marks stale every root job not ended and silent longer than
 * settings->job_stale_timeout, with its children not ended; frees their unique names
 * and sends their dependent messages. *count gets how many roots. 0 or -1. */
int oro_job_mark_stale(oro_db_t *db, const oro_settings_t *settings, apr_pool_t *p, int *count,
                       const char **error);

/* Reads job id into *job; ORO_JOB_NOT_FOUND, 0 or ORO_JOB_ERROR. */
int oro_job_get(oro_db_t *db, apr_pool_t *p, apr_int64_t id, oro_job_t **job, const char **error);

/* The jobs matching status (-1: any), root_only, name (NULL: any), newest first, at most
 * limit: an array of oro_job_t *. NULL with *error. */
apr_array_header_t *oro_job_list(oro_db_t *db, apr_pool_t *p, int status, int root_only,
                                 const char *name, int limit, const char **error);

/* "SELECT <the ORO_JOB_COLUMNS columns> FROM oro_job" for a WHERE to follow, and the
 * job of one row of it (times in ISO 8601 UTC). Shared with mod_oro's /api/jobs. */
#define ORO_JOB_COLUMNS 11
const char *oro_job_columns_sql(apr_pool_t *p, oro_dialect_t dialect);
oro_job_t *oro_job_from_row(apr_pool_t *p, const char *const *values);

/* Parses a job id ("1" … 18 digits); 0 for anything else. */
apr_int64_t oro_job_id_parse(const char *text);

#endif
