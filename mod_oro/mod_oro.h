/* mod_oro/mod_oro.h — what the module's files share: the per-server configuration,
 * the mod_dbd functions, and the logging macros. */
#ifndef MOD_ORO_H
#define MOD_ORO_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <apr_dbd.h>
#include <mod_dbd.h>
#include <json.h>

#include "conf/settings.h"

extern module AP_MODULE_DECLARE_DATA oro_module;

typedef struct {
    oro_settings_t settings;
} oro_server_conf_t;

/* mod_dbd's functions, fetched as optional functions at post_config. */
typedef struct {
    ap_dbd_t *(*acquire)(request_rec *);
    ap_dbd_t *(*open)(apr_pool_t *, server_rec *);
    void (*close)(server_rec *, ap_dbd_t *);
} oro_dbd_fns_t;

extern oro_dbd_fns_t oro_dbd;

/* The request's pooled connection (mod_dbd's ap_dbd_acquire: one per request, released
 * with it), reconnected first when the server closed it while idle (dbd.c); NULL when
 * the database cannot be reached. */
ap_dbd_t *oro_dbd_request(request_rec *r);

/* The one logging family of the module: the calling function prefixes the message. */
#define ORO_RLOG(r, level, status, fmt, ...)                                                       \
    ap_log_rerror(APLOG_MARK, level, status, r, "%s: " fmt, __func__, ##__VA_ARGS__)
#define ORO_SLOG(s, level, status, fmt, ...)                                                       \
    ap_log_error(APLOG_MARK, level, status, s, "%s: " fmt, __func__, ##__VA_ARGS__)

static inline const oro_server_conf_t *oro_server_conf(const server_rec *s)
{
    return ap_get_module_config(s->module_config, &oro_module);
}

/* Writes a JSON:API error document ({"errors":[{status,title,detail}]}) with the
 * given HTTP status; returns OK so a handler can `return oro_send_error(...)`. */
int oro_send_error(request_rec *r, int status, const char *title, const char *detail);

/* Sends body (a complete JSON text) with status and content type. Returns OK. */
int oro_send_json(request_rec *r, int status, const char *content_type, const char *body);

/* Serialises doc compactly (no escaped slashes); the text lives as long as doc. */
const char *oro_json_text(json_object *doc);

/* text cut to max bytes ("..." appended when cut), every byte outside printable
 * ASCII replaced by '?', so client input can be echoed in JSON and logs safely. */
const char *oro_printable(apr_pool_t *p, const char *text, size_t max);

/* Handlers, routed by oro_handler in mod_oro.c. */
int oro_handle_system_status(request_rec *r);
int oro_handle_metadata(request_rec *r);
/* /api/doc/openapi.json and /api/doc (api_doc.c). */
int oro_handle_openapi(request_rec *r);
int oro_handle_api_doc_page(request_rec *r);
/* The ACL's hooks (child_init: the per-process cache; mod_oro/api_acl.c). */
void oro_api_acl_register_hooks(apr_pool_t *p);
/* GET /api/jobs: the job runner's jobs (api_jobs.c). */
int oro_handle_jobs(request_rec *r);
/* /api/search, /api/search/advanced, /api/searchentities (api_search.c). */
int oro_handle_search(request_rec *r);
int oro_handle_search_advanced(request_rec *r);
int oro_handle_search_entities(request_rec *r);
/* /api/{type}[/{id}]: path is the part after "/api". */
int oro_api_dispatch(request_rec *r, const char *path);

#endif
