/* lib/util/log.c — see log.h. */
#include "util/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *log_ident = "oro";
static oro_log_level_t log_level = ORO_LOG_LEVEL_INFO;
static FILE *log_file; /* NULL means stderr */

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void oro_log_set_ident(const char *ident)
{
    log_ident = ident;
}

void oro_log_set_level(oro_log_level_t level)
{
    log_level = level;
}

int oro_log_level_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcmp(name, level_names[i]) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int oro_log_open_file(const char *path)
{
    FILE *f = fopen(path, "a");
    if (f == NULL) {
        return -1;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    if (log_file != NULL) {
        fclose(log_file);
    }
    log_file = f;
    return 0;
}

void oro_log_write(oro_log_level_t level, const char *func, const char *fmt, ...)
{
    if (level > log_level) {
        return;
    }
    int saved_errno = errno;
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);

    /* NB: one fprintf-free buffer and one write, so lines of forked workers sharing
     * the file do not interleave. */
    char line[2048];
    int n = snprintf(line, sizeof line, "%s %s[%ld] %s: ", stamp, log_ident, (long)getpid(),
                     level_names[level]);
    if (level == ORO_LOG_LEVEL_DEBUG && n > 0 && (size_t)n < sizeof line) {
        n += snprintf(line + n, sizeof line - (size_t)n, "%s: ", func);
    }
    if (n > 0 && (size_t)n < sizeof line) {
        va_list ap;
        va_start(ap, fmt);
        n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
        va_end(ap);
    }
    if (n < 0) {
        errno = saved_errno;
        return;
    }
    if ((size_t)n >= sizeof line - 1) {
        n = (int)sizeof line - 2;
    }
    line[n++] = '\n';
    FILE *out = log_file != NULL ? log_file : stderr;
    fflush(out);
    if (write(fileno(out), line, (size_t)n) < 0) {
        /* nowhere left to report it */
    }
    errno = saved_errno;
}
