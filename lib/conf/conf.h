/* lib/conf/conf.h — reads the Apache configuration file that httpd uses, so that
 * oro-consumer, oro-wsd and oroctl are configured by the same file (DESIGN.md §1).
 *
 * Understood: one directive per line, "\" line continuation, "#" comments,
 * quoted arguments, Include / IncludeOptional (globs, relative to ServerRoot or the
 * including file's directory), Define / UnDefine, ${NAME} from Define or the
 * environment, <IfDefine [!]NAME> sections. Every other section (<IfModule>,
 * <Location>, <VirtualHost>, …) is read through: its directives are kept with
 * their section path so that callers can ignore what they do not need. */
#ifndef ORO_CONF_CONF_H
#define ORO_CONF_CONF_H

#include <apr_pools.h>
#include <apr_tables.h>

typedef struct {
    const char *name; /* as written, compare with strcasecmp */
    int argc;
    const char **argv; /* argc arguments, unquoted, variables expanded */
    const char *file;  /* where it was read */
    int line;
    const char *section; /* "" at top level, else e.g. "<Location /api>" */
} oro_conf_directive_t;

typedef struct {
    const char *path;               /* the main file */
    apr_array_header_t *directives; /* of oro_conf_directive_t, in file order */
} oro_conf_t;

/* Reads path and everything it includes. On failure returns NULL and sets *error
 * to a message naming the file and line ("/etc/x.conf:12: unterminated quote").
 * Everything is allocated in p. */
oro_conf_t *oro_conf_read(apr_pool_t *p, const char *path, const char **error);

/* The last top-level occurrence of directive name (case-insensitive), or NULL.
 * Last wins, as for httpd's server-wide single-value directives. */
const oro_conf_directive_t *oro_conf_last(const oro_conf_t *conf, const char *name);

#endif
