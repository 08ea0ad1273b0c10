/* mod_oro/api_doc.c — the API's own documentation: GET /api/doc/openapi.json, the OpenAPI
 * 3.1 document generated from the entity metadata (lib/api/openapi.c), and GET /api/doc,
 * a page that browses it with swagger-ui. The page's scripts and styles are static files
 * that httpd serves from web/vendor/swagger-ui/ (installed from npm by build/web-deps). */
#include "mod_oro.h"

#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>

#include "api/openapi.h"

#define OPENAPI_MEDIA_TYPE "application/vnd.oai.openapi+json;version=3.1"

/* The page. The document's URL is relative (doc/openapi.json from /api/doc), so the page
 * works wherever the API is mounted; the assets are at the document root's /vendor/. */
static const char page[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>mod_oro API</title>\n"
    "<link rel=\"stylesheet\" href=\"/vendor/swagger-ui/swagger-ui.css\">\n"
    "</head>\n"
    "<body>\n"
    "<div id=\"swagger-ui\"></div>\n"
    "<noscript>This page needs JavaScript; the document itself is at "
    "<a href=\"doc/openapi.json\">doc/openapi.json</a>.</noscript>\n"
    "<script src=\"/vendor/swagger-ui/swagger-ui-bundle.js\"></script>\n"
    "<script src=\"/vendor/swagger-ui/swagger-ui-standalone-preset.js\"></script>\n"
    "<script>\n"
    "window.ui = SwaggerUIBundle({\n"
    "  url: new URL(\"doc/openapi.json\", window.location.href).href,\n"
    "  dom_id: \"#swagger-ui\",\n"
    "  deepLinking: true,\n"
    "  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],\n"
    "  plugins: [SwaggerUIBundle.plugins.DownloadUrl],\n"
    "  layout: \"StandaloneLayout\"\n"
    "});\n"
    "</script>\n"
    "</body>\n"
    "</html>\n";

static int refuse_method(request_rec *r, const char *what)
{
    apr_table_setn(r->headers_out, "Allow", "GET, HEAD");
    return oro_send_error(r, HTTP_METHOD_NOT_ALLOWED, "method not allowed",
                          apr_pstrcat(r->pool, what, " answers GET and HEAD only", NULL));
}

/* Generated per request: it takes a few milliseconds and depends on the request's host
 * (the server URL), so a cache would need a key per host for little gain. */
int oro_handle_openapi(request_rec *r)
{
    if (r->method_number != M_GET) {
        return refuse_method(r, "/api/doc/openapi.json");
    }
    const oro_meta_t *meta = oro_server_conf(r->server)->settings.meta;
    json_object *doc =
        oro_openapi_document(r->pool, meta, ap_construct_url(r->pool, "/api", r), ORO_VERSION);
    const char *body = apr_pstrdup(r->pool, oro_json_text(doc));
    json_object_put(doc);
    return oro_send_json(r, HTTP_OK, OPENAPI_MEDIA_TYPE, body);
}

int oro_handle_api_doc_page(request_rec *r)
{
    if (r->method_number != M_GET) {
        return refuse_method(r, "/api/doc");
    }
    ap_set_content_type(r, "text/html; charset=utf-8");
    apr_table_setn(r->headers_out, "Cache-Control", "no-cache");
    ap_set_content_length(r, (apr_off_t)(sizeof page - 1));
    if (!r->header_only) {
        ap_rwrite(page, (int)(sizeof page - 1), r);
    }
    return OK;
}
