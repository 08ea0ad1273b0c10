/* mod_oro/response.c — writing JSON responses. */
#include "mod_oro.h"

#include <apr_strings.h>
#include <http_protocol.h>
#include <json.h>

int oro_send_json(request_rec *r, int status, const char *content_type, const char *body)
{
    r->status = status;
    ap_set_content_type(r, content_type);
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    apr_size_t len = strlen(body);
    ap_set_content_length(r, (apr_off_t)len + 1);
    if (!r->header_only) {
        ap_rwrite(body, (int)len, r);
        ap_rputc('\n', r);
    }
    return OK;
}

int oro_send_error(request_rec *r, int status, const char *title, const char *detail)
{
    json_object *error = json_object_new_object();
    char code[8];
    snprintf(code, sizeof code, "%d", status);
    json_object_object_add(error, "status", json_object_new_string(code));
    json_object_object_add(error, "title", json_object_new_string(title));
    if (detail != NULL) {
        json_object_object_add(error, "detail", json_object_new_string(detail));
    }
    json_object *errors = json_object_new_array();
    json_object_array_add(errors, error);
    json_object *doc = json_object_new_object();
    json_object_object_add(doc, "errors", errors);
    const char *body = apr_pstrdup(r->pool, oro_json_text(doc));
    json_object_put(doc);
    return oro_send_json(r, status, "application/vnd.api+json", body);
}

const char *oro_json_text(json_object *doc)
{
    return json_object_to_json_string_ext(doc,
                                          JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

const char *oro_printable(apr_pool_t *p, const char *text, size_t max)
{
    size_t len = strlen(text);
    int truncated = len > max;
    if (truncated) {
        len = max;
    }
    char *out = apr_palloc(p, len + 4);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        out[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    strcpy(out + len, truncated ? "..." : "");
    return out;
}
