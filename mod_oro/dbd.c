/* mod_oro/dbd.c — the request's database connection from mod_dbd's pool, revived when
 * the server closed it while it sat idle.
 *
 * A pooled connection whose server restarted (or whose backend was terminated) looks
 * healthy to its client library until the next statement fails on it: libpq's status
 * changes only after an I/O error, and mod_dbd's check at acquire (apr_dbd_check_conn)
 * reads that status. Every idle connection of every httpd process would then fail
 * one request with a 503 after a restart. An idle connection has nothing to read,
 * though: a readable socket means the server's farewell (an error, then end of file),
 * so the connection is reset before the request uses it. One poll(2) with no timeout
 * per request. */
#include "mod_oro.h"

#include <poll.h>
#include <postgresql/libpq-fe.h>
#include <string.h>

APLOG_USE_MODULE(oro);

static int readable(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return fd >= 0 && poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLIN | POLLHUP | POLLERR));
}

/* 0 when dbd is usable (as it was, or reconnected), -1 when the database is down.
 * PostgreSQL only: apr_dbd_mysql has libmariadb reconnect by itself at mod_dbd's ping
 * (api.c then prepares its statements again). */
static int revive(request_rec *r, ap_dbd_t *dbd)
{
    const char *driver = apr_dbd_name(dbd->driver);
    void *native = apr_dbd_native_handle(dbd->driver, dbd->handle);
    int stale = 0;
    if (strcmp(driver, "pgsql") == 0) {
        PGconn *conn = native;
        /* NB: only between transactions: a reset inside one would lose its statements */
        stale = PQstatus(conn) != CONNECTION_OK ||
                (PQtransactionStatus(conn) == PQTRANS_IDLE && readable(PQsocket(conn)));
        if (stale) {
            PQreset(conn); /* a new session; api_pg.c notices by the backend pid */
        }
        if (stale && PQstatus(conn) != CONNECTION_OK) {
            ORO_RLOG(r, APLOG_ERR, 0, "the database closed a pooled connection and "
                     "reconnecting failed: %s", PQerrorMessage(conn));
            return -1;
        }
    }
    if (stale) {
        ORO_RLOG(r, APLOG_INFO, 0, "the database had closed a pooled connection (%s); "
                 "reconnected", driver);
    }
    return 0;
}

ap_dbd_t *oro_dbd_request(request_rec *r)
{
    /* a connection mod_dbd finds broken at acquire is dropped: try again */
    for (int attempt = 0; attempt < 3; attempt++) {
        ap_dbd_t *dbd = oro_dbd.acquire(r);
        if (dbd != NULL) {
            return revive(r, dbd) == 0 ? dbd : NULL;
        }
    }
    return NULL;
}
