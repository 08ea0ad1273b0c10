/* t/helpers/amqptool.c — publishes raw AMQP messages for the amqp tests
 * (t/integration/103-mq-amqp-batch.t): what an older relay would send, and hostile
 * batch envelopes no relay of ours sends.
 *
 *   amqptool URL QUEUE FILE [--batch] [--type TOPIC] [--id ID] [--attempts N]
 *
 * Publishes the bytes of FILE as one persistent message on QUEUE (default exchange)
 * with publisher confirms: content type application/json, or the batch envelope's
 * with --batch; AMQP type TOPIC, message id ID, header x-oro-attempts N. Exit 0 once
 * the broker confirmed it, 1 on a failure, 2 on bad arguments. */
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "mq/batch.h"

static int fail(const char *what, const char *why)
{
    fprintf(stderr, "amqptool: %s: %s\n", what, why);
    return 1;
}

static int rpc_ok(amqp_connection_state_t conn, const char *what)
{
    amqp_rpc_reply_t r = amqp_get_rpc_reply(conn);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        fail(what, r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION
                       ? amqp_error_string2(r.library_error)
                       : "refused by the broker");
        return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: amqptool URL QUEUE FILE [--batch] [--type TOPIC] [--id ID] "
                        "[--attempts N]\n");
        return 2;
    }
    const char *type = "oro.test", *id = "", *content_type = "application/json";
    int attempts = 0;
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "--batch") == 0) {
            content_type = ORO_MQ_BATCH_CONTENT_TYPE;
        }
        else if (strcmp(argv[i], "--type") == 0 && i + 1 < argc) {
            type = argv[++i];
        }
        else if (strcmp(argv[i], "--id") == 0 && i + 1 < argc) {
            id = argv[++i];
        }
        else if (strcmp(argv[i], "--attempts") == 0 && i + 1 < argc) {
            attempts = atoi(argv[++i]);
        }
        else {
            fprintf(stderr, "amqptool: unknown or incomplete option \"%s\"\n", argv[i]);
            return 2;
        }
    }
    FILE *f = fopen(argv[3], "rb");
    if (f == NULL) {
        return fail(argv[3], "cannot open");
    }
    static char body[4 * 1024 * 1024];
    size_t len = fread(body, 1, sizeof body, f);
    fclose(f);

    struct amqp_connection_info info;
    char *url = strdup(argv[1]);
    amqp_default_connection_info(&info);
    if (amqp_parse_url(url, &info) != AMQP_STATUS_OK) {
        return fail(argv[1], "not an AMQP URL");
    }
    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t *socket = amqp_tcp_socket_new(conn);
    struct timeval timeout = {5, 0};
    int status = amqp_socket_open_noblock(socket, info.host, info.port, &timeout);
    if (status != AMQP_STATUS_OK) {
        return fail("could not connect", amqp_error_string2(status));
    }
    amqp_rpc_reply_t r = amqp_login(conn, info.vhost, 0, 131072, 0, AMQP_SASL_METHOD_PLAIN,
                                    info.user, info.password);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        return fail("could not log in", "refused");
    }
    amqp_channel_open(conn, 1);
    if (!rpc_ok(conn, "could not open a channel")) {
        return 1;
    }
    amqp_confirm_select(conn, 1);
    if (!rpc_ok(conn, "could not enable confirms")) {
        return 1;
    }
    amqp_table_entry_t h[1];
    h[0].key = amqp_cstring_bytes("x-oro-attempts");
    h[0].value.kind = AMQP_FIELD_KIND_I32;
    h[0].value.value.i32 = attempts;
    amqp_basic_properties_t props;
    memset(&props, 0, sizeof props);
    props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG |
                   AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_TYPE_FLAG | AMQP_BASIC_HEADERS_FLAG;
    props.content_type = amqp_cstring_bytes(content_type);
    props.delivery_mode = 2;
    props.message_id = amqp_cstring_bytes(id);
    props.type = amqp_cstring_bytes(type);
    props.headers.num_entries = 1;
    props.headers.entries = h;
    amqp_bytes_t content = {len, body};
    status = amqp_basic_publish(conn, 1, amqp_empty_bytes, amqp_cstring_bytes(argv[2]), 0, 0,
                                &props, content);
    if (status != AMQP_STATUS_OK) {
        return fail("could not publish", amqp_error_string2(status));
    }
    for (;;) {
        amqp_frame_t frame;
        struct timeval wait = {10, 0};
        status = amqp_simple_wait_frame_noblock(conn, &frame, &wait);
        if (status != AMQP_STATUS_OK) {
            return fail("no publisher confirm", amqp_error_string2(status));
        }
        if (frame.frame_type == AMQP_FRAME_METHOD &&
            frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
            break;
        }
        if (frame.frame_type == AMQP_FRAME_METHOD &&
            frame.payload.method.id == AMQP_BASIC_NACK_METHOD) {
            return fail("could not publish", "the broker refused the message");
        }
    }
    amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
    free(url);
    return 0;
}
