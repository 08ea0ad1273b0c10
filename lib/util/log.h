/* lib/util/log.h — the one logging macro family of the programs outside httpd
 * (oro-consumer, oroctl, oro-wsd). Inside httpd, mod_oro logs through ORO_RLOG /
 * ORO_SLOG (mod_oro/mod_oro.h), which wrap ap_log_*error the same way. */
#ifndef ORO_UTIL_LOG_H
#define ORO_UTIL_LOG_H

#include <stdio.h>

typedef enum {
    ORO_LOG_LEVEL_ERROR = 0,
    ORO_LOG_LEVEL_WARN,
    ORO_LOG_LEVEL_INFO,
    ORO_LOG_LEVEL_DEBUG
} oro_log_level_t;

/* Program name shown in each line ("oro-consumer"); not copied, pass a literal. */
void oro_log_set_ident(const char *ident);
/* Messages above this level are dropped; default ORO_LOG_LEVEL_INFO. */
void oro_log_set_level(oro_log_level_t level);
/* Parses "error", "warn", "info" or "debug"; returns -1 for anything else. */
int oro_log_level_parse(const char *name);
/* Sends log lines to the file at path (appending, line-buffered) instead of stderr.
 * Returns 0, or -1 with errno set; the previous destination stays in use on failure. */
int oro_log_open_file(const char *path);

/* Writes one line: "2026-11-27T02:00:00Z oro-consumer[1234] error: message".
 * At debug level the calling function's name precedes the message. Safe after fork. */
void oro_log_write(oro_log_level_t level, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define ORO_ERROR(...) oro_log_write(ORO_LOG_LEVEL_ERROR, __func__, __VA_ARGS__)
#define ORO_WARN(...) oro_log_write(ORO_LOG_LEVEL_WARN, __func__, __VA_ARGS__)
#define ORO_INFO(...) oro_log_write(ORO_LOG_LEVEL_INFO, __func__, __VA_ARGS__)
#define ORO_DEBUG(...) oro_log_write(ORO_LOG_LEVEL_DEBUG, __func__, __VA_ARGS__)

#endif
