/* tools/cmd_schema.c — oroctl config:check, schema:status, schema:update. */
#include <apr_strings.h>
#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "db/migrate.h"
#include "db/schema.h"
#include "meta/meta.h"
#include "oroctl.h"

static const char *schema_dir(const oroctl_context_t *ctx)
{
    return ctx->settings.schema_dir ? ctx->settings.schema_dir : ORO_SOURCE_ROOT "/dbd_schema";
}

/* Opens the database and lists the migrations; returns an exit code on failure. */
static int prepare(oroctl_context_t *ctx, oro_db_t **db, apr_array_header_t **migrations)
{
    const char *error;
    *migrations =
        oro_migrate_list(ctx->pool, schema_dir(ctx),
                         (oro_dialect_t)oro_db_dialect_of(ctx->settings.db_driver), &error);
    if (*migrations == NULL) {
        return oroctl_fail(OROCTL_CONFIG, "%s", error);
    }
    *db = oro_db_open(ctx->pool, ctx->settings.db_driver, ctx->settings.db_params, &error);
    if (*db == NULL) {
        return oroctl_fail(OROCTL_UNAVAILABLE, "%s", error);
    }
    return OROCTL_OK;
}

static int no_arguments(const char *command, int argc, const char *const *argv)
{
    if (argc > 0) {
        return oroctl_fail(OROCTL_USAGE, "%s: unexpected argument \"%s\" (see oroctl help %s)",
                           command, argv[0], command);
    }
    return OROCTL_OK;
}

/* Migrations first (system tables), then the entity tables, both under the schema
 * lock. A destructive entity change refuses the whole entity step (nothing of it is
 * applied) unless --force. */
static int run_schema_update(oroctl_context_t *ctx, int argc, const char *const *argv)
{
    int dry_run = 0, force = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--dry-run") == 0) {
            dry_run = 1;
        }
        else if (strcmp(argv[i], "--force") == 0) {
            force = 1;
        }
        else {
            return oroctl_fail(OROCTL_USAGE,
                               "schema:update: unknown option \"%s\" (see oroctl help "
                               "schema:update)",
                               argv[i]);
        }
    }
    const oro_meta_t *meta = oroctl_meta(ctx);
    if (meta == NULL) {
        return OROCTL_CONFIG;
    }
    oro_db_t *db;
    apr_array_header_t *migrations;
    int rc = prepare(ctx, &db, &migrations);
    if (rc != OROCTL_OK) {
        return rc;
    }
    const char *error = NULL;
    int migrated = -1, changed = -1;
    oro_schema_plan_t *plan = NULL;
    if (oro_migrate_lock(db, ctx->pool, &error) != 0) {
        rc = oroctl_fail(OROCTL_FAILED, "schema:update: %s", error);
        goto cleanup;
    }
    migrated = oro_migrate_apply(db, ctx->pool, migrations, dry_run, stdout, &error);
    if (migrated < 0) {
        rc = oroctl_fail(OROCTL_FAILED, "schema:update: %s", error);
        goto unlock;
    }
    oro_db_schema_t *current = oro_schema_introspect(db, ctx->pool, &error);
    if (current == NULL) {
        rc = oroctl_fail(OROCTL_FAILED, "schema:update: %s", error);
        goto unlock;
    }
    plan = oro_schema_plan(ctx->pool, meta, db->dialect, current, force);
    for (int i = 0; i < plan->notices->nelts; i++) {
        fprintf(stderr, "oroctl: notice: %s\n", APR_ARRAY_IDX(plan->notices, i, const char *));
    }
    if (plan->refusals->nelts > 0) {
        for (int i = 0; i < plan->refusals->nelts; i++) {
            fprintf(stderr, "oroctl: refused: %s\n",
                    APR_ARRAY_IDX(plan->refusals, i, const char *));
        }
        rc = oroctl_fail(OROCTL_FAILED,
                         "schema:update: %d destructive change(s) refused; no entity table was "
                         "changed",
                         plan->refusals->nelts);
        goto unlock;
    }
    if (dry_run) {
        for (int i = 0; i < plan->statements->nelts; i++) {
            const oro_ddl_t *d = &APR_ARRAY_IDX(plan->statements, i, oro_ddl_t);
            printf("-- %s\n%s;\n", d->summary, d->sql);
        }
        printf("-- %d migration(s) and %d entity change(s) pending; nothing was changed "
               "(--dry-run)\n",
               migrated, plan->statements->nelts);
        goto unlock;
    }
    changed = oro_schema_apply(db, ctx->pool, plan, stdout, &error);
    if (changed < 0) {
        rc = oroctl_fail(OROCTL_FAILED, "schema:update: %s", error);
        goto unlock;
    }
    printf("schema is up to date (%d migration(s) applied now, %d in all; %d entity change(s))\n",
           migrated, migrations->nelts, changed);
unlock:
    oro_migrate_unlock(db, ctx->pool);
cleanup:
    oro_db_close(db);
    return rc;
}

static int run_schema_status(oroctl_context_t *ctx, int argc, const char *const *argv)
{
    int rc = no_arguments("schema:status", argc, argv);
    if (rc != OROCTL_OK) {
        return rc;
    }
    oro_db_t *db;
    apr_array_header_t *migrations;
    if ((rc = prepare(ctx, &db, &migrations)) != OROCTL_OK) {
        return rc;
    }
    const char *error;
    if (oro_migrate_mark_applied(db, ctx->pool, migrations, &error) != 0) {
        oro_db_close(db);
        return oroctl_fail(OROCTL_FAILED, "schema:status: %s", error);
    }
    oro_db_close(db);
    int pending = 0;
    for (int i = 0; i < migrations->nelts; i++) {
        const oro_migration_t *m = &APR_ARRAY_IDX(migrations, i, oro_migration_t);
        printf("%-8s %s\n", m->applied ? "applied" : "pending", m->name);
        pending += !m->applied;
    }
    printf("%d pending\n", pending);
    return pending > 0 ? OROCTL_FAILED : OROCTL_OK;
}

static int run_config_check(oroctl_context_t *ctx, int argc, const char *const *argv)
{
    int rc = no_arguments("config:check", argc, argv);
    if (rc != OROCTL_OK) {
        return rc;
    }
    const oro_settings_t *s = &ctx->settings;
    const oro_meta_t *meta = oroctl_meta(ctx);
    if (meta == NULL) {
        return OROCTL_CONFIG;
    }
    printf("configuration %s is valid\n"
           "  entities:  %d (%s)\n"
           "  database:  %s\n"
           "  transport: %s\n"
           "  index:     %s\n"
           "  workers:   %d (heartbeat every %d s, dead after %d s)\n",
           ctx->config_path, meta->entities->nelts, s->entity_config, s->db_driver,
           oro_mq_transport_name(s->transport), s->search_index ? s->search_index : "(none)",
           s->consumer_workers, s->heartbeat_interval, s->consumer_timeout);
    return OROCTL_OK;
}

const oroctl_command_t oroctl_schema_update_command = {
    "schema:update", "apply the pending database migrations",
    "usage: oroctl [--config FILE] schema:update [--dry-run] [--force]\n"
    "\n"
    "Applies the numbered migrations of OroSchemaDir/pgsql or OroSchemaDir/mysql that\n"
    "are not yet recorded in the oro_migrations table, in order, each once (on\n"
    "PostgreSQL each in a transaction; MariaDB commits DDL as it goes). Then creates and\n"
    "migrates the entity tables of OroEntityConfig: new tables, columns, indexes, unique\n"
    "constraints, foreign keys and widened columns are added; indexes on existing tables\n"
    "are built without blocking writes. A destructive change (dropping or narrowing a\n"
    "column, making one NOT NULL) is refused with an explanation, and then no entity\n"
    "table is changed. Concurrent runs wait for each other. Safe to run again.\n"
    "\n"
    "  --dry-run   print the SQL that would run and change nothing\n"
    "  --force     apply destructive changes too (data in dropped columns is lost)\n"
    "\n"
    "exit codes: 0 done, 1 a change failed or was refused, 2 usage, 3 configuration\n"
    "(including entity definition errors), 4 database\n"
    "unreachable\n",
    run_schema_update};

const oroctl_command_t oroctl_schema_status_command = {
    "schema:status", "list applied and pending migrations",
    "usage: oroctl [--config FILE] schema:status\n"
    "\n"
    "Lists every migration as applied or pending.\n"
    "\n"
    "exit codes: 0 nothing pending, 1 migrations pending (or the check failed),\n"
    "2 usage, 3 configuration, 4 database unreachable\n",
    run_schema_status};

const oroctl_command_t oroctl_config_check_command = {
    "config:check", "validate the configuration file and summarise it",
    "usage: oroctl [--config FILE] config:check\n"
    "\n"
    "Reads the Apache configuration file as oro-consumer does and checks every Oro*\n"
    "directive, DBDriver and DBDParams (paths exist, values in range).\n"
    "\n"
    "exit codes: 0 valid, 2 usage, 3 invalid configuration\n",
    run_config_check};
