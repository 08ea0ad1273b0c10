/* lib/search/query_parse.c — the recursive-descent parser of Oro's search query
 * language (grammar in query.h). Every error names the byte position and what was
 * expected; the first error stops the parse. Nesting is bounded so that a hostile
 * query cannot exhaust the stack. */
#include <apr_strings.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "search/query_internal.h"

typedef struct {
    apr_pool_t *pool;
    oro_sq_lexer_t lx;
    oro_sq_token_t tok; /* the current token */
    oro_search_parse_error_t *error;
    int depth;
} parser_t;

static const char *const op_names[] = {"~",           "!~",   "=",       "!=",     ">",
                                       ">=",          "<",    "<=",      "in",     "!in",
                                       "starts_with", "like", "notlike", "exists", "notexists"};

const char *oro_search_op_name(oro_search_op_t op)
{
    return (unsigned)op < sizeof op_names / sizeof op_names[0] ? op_names[op] : NULL;
}

const char *oro_search_type_name(oro_search_type_t type)
{
    static const char *const names[] = {"text", "integer", "decimal", "datetime"};
    return (unsigned)type < 4 ? names[type] : NULL;
}

/* Records the error at t (once) and returns -1. */
static int fail_at(parser_t *ps, int position, const char *message)
{
    if (ps->error->message == NULL) {
        ps->error->position = position;
        ps->error->message = apr_psprintf(ps->pool, "at position %d: %s", position, message);
    }
    return -1;
}

static int expected(parser_t *ps, const char *what)
{
    return fail_at(ps, ps->tok.position,
                   apr_psprintf(ps->pool, "expected %s but found %s", what,
                                oro_sq_token_describe(ps->pool, &ps->tok)));
}

static int advance(parser_t *ps)
{
    if (oro_sq_lex_next(&ps->lx, &ps->tok) != 0) {
        return fail_at(ps, ps->tok.position, apr_psprintf(ps->pool, "%s", ps->tok.text));
    }
    return 0;
}

/* The token after the current one, without consuming anything. */
static int peek(parser_t *ps, oro_sq_token_t *next)
{
    oro_sq_lexer_t copy = ps->lx;
    return oro_sq_lex_next(&copy, next);
}

static int parse_type(const oro_sq_token_t *t, oro_search_type_t *type)
{
    for (int i = 0; i < 4; i++) {
        if (oro_sq_word_is(t, oro_search_type_name((oro_search_type_t)i))) {
            *type = (oro_search_type_t)i;
            return 1;
        }
    }
    return 0;
}

/* A name: letters, digits, '_' and '.', not starting with a digit. */
static int is_name(const oro_sq_token_t *t)
{
    if (t->kind != ORO_SQ_TOK_WORD || t->len == 0 || t->len > 255 ||
        isdigit((unsigned char)t->text[0])) {
        return 0;
    }
    for (size_t i = 0; i < t->len; i++) {
        unsigned char c = (unsigned char)t->text[i];
        if (!isalnum(c) && c != '_' && c != '.') {
            return 0;
        }
    }
    return 1;
}

/* [type] name. A type keyword followed by something that is not a name is itself the
 * name (a field called "text"). */
static int parse_field(parser_t *ps, oro_search_field_ref_t *f, int *position)
{
    f->type = ORO_SEARCH_TEXT;
    oro_search_type_t type;
    if (parse_type(&ps->tok, &type)) {
        oro_sq_token_t next;
        if (peek(ps, &next) == 0 && is_name(&next)) {
            f->type = type;
            if (advance(ps) != 0) {
                return -1;
            }
        }
    }
    if (!is_name(&ps->tok)) {
        return expected(ps, "a field name");
    }
    f->name = ps->tok.text;
    *position = ps->tok.position;
    return advance(ps);
}

int oro_search_parse_datetime(const char *text, double *seconds)
{
    int y, mo, d, h = 0, mi = 0, s = 0, n = 0;
    if (sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) {
        return -1;
    }
    const char *rest = text + n;
    if (*rest == ' ' || *rest == 'T') {
        int m = 0;
        if (sscanf(rest + 1, "%2d:%2d:%2d%n", &h, &mi, &s, &m) != 3 || m != 8) {
            return -1;
        }
        rest += 1 + m;
        if (*rest == '.') {
            rest++;
            while (isdigit((unsigned char)*rest)) {
                rest++;
            }
        }
        if (*rest == 'Z') {
            rest++;
        }
        else if (strcmp(rest, "+00:00") == 0) {
            rest += 6;
        }
    }
    if (*rest != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
        return -1;
    }
    /* days from civil (Howard Hinnant's algorithm): no timegm, no locale, no TZ */
    int yy = mo <= 2 ? y - 1 : y;
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    double days = (double)era * 146097 + doe - 719468;
    *seconds = days * 86400 + h * 3600 + mi * 60 + s;
    return 0;
}

/* Converts a value for a field of type into a number; -1 after an error at position. */
static int value_number(parser_t *ps, oro_search_type_t type, const char *text, int position,
                        double *number)
{
    if (type == ORO_SEARCH_DATETIME) {
        if (oro_search_parse_datetime(text, number) == 0) {
            return 0;
        }
        return fail_at(ps, position,
                       apr_psprintf(ps->pool,
                                    "expected a date (\"YYYY-MM-DD\" or \"YYYY-MM-DD HH:MM:SS\") "
                                    "but found \"%s\"",
                                    oro_sq_printable(ps->pool, text, 40)));
    }
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    int ok = *text != '\0' && *end == '\0' && errno == 0 && isfinite(v) &&
             !isspace((unsigned char)*text);
    if (ok && type == ORO_SEARCH_INTEGER) {
        ok = strspn(text, "-+0123456789") == strlen(text) && fabs(v) < 9.007199254740992e15;
    }
    if (!ok) {
        return fail_at(ps, position,
                       apr_psprintf(ps->pool, "expected %s number but found \"%s\"",
                                    type == ORO_SEARCH_INTEGER ? "an integer" : "a decimal",
                                    oro_sq_printable(ps->pool, text, 40)));
    }
    *number = v;
    return 0;
}

/* One value: a string, or a word. */
static int parse_value(parser_t *ps, oro_search_expr_t *e)
{
    if (ps->tok.kind != ORO_SQ_TOK_STRING && ps->tok.kind != ORO_SQ_TOK_WORD) {
        return expected(ps, "a value");
    }
    if (e->type != ORO_SEARCH_TEXT) {
        double number;
        if (value_number(ps, e->type, ps->tok.text, ps->tok.position, &number) != 0) {
            return -1;
        }
        APR_ARRAY_PUSH(e->numbers, double) = number;
    }
    APR_ARRAY_PUSH(e->values, const char *) = ps->tok.text;
    return advance(ps);
}

static int op_allowed(oro_search_type_t type, oro_search_op_t op)
{
    switch (op) {
    case ORO_SQ_CONTAINS:
    case ORO_SQ_NOT_CONTAINS:
    case ORO_SQ_STARTS_WITH:
    case ORO_SQ_LIKE:
    case ORO_SQ_NOT_LIKE:
        return type == ORO_SEARCH_TEXT;
    case ORO_SQ_GT:
    case ORO_SQ_GTE:
    case ORO_SQ_LT:
    case ORO_SQ_LTE:
        return type != ORO_SEARCH_TEXT;
    default:
        return 1;
    }
}

static int parse_or(parser_t *ps, oro_search_expr_t **out);

/* [type] name op value | [type] name exists|notexists */
static int parse_condition(parser_t *ps, oro_search_expr_t **out)
{
    oro_search_expr_t *e = apr_pcalloc(ps->pool, sizeof *e);
    e->kind = ORO_SQ_COND;
    e->values = apr_array_make(ps->pool, 1, sizeof(const char *));
    e->numbers = apr_array_make(ps->pool, 1, sizeof(double));
    oro_search_field_ref_t f;
    if (parse_field(ps, &f, &e->position) != 0) {
        return -1;
    }
    e->type = f.type;
    e->field = f.name;
    int op_position = ps->tok.position;
    if (ps->tok.kind == ORO_SQ_TOK_OP) {
        e->op = ps->tok.op;
    }
    else if (oro_sq_word_is(&ps->tok, "in")) {
        e->op = ORO_SQ_IN;
    }
    else if (oro_sq_word_is(&ps->tok, "starts_with")) {
        e->op = ORO_SQ_STARTS_WITH;
    }
    else if (oro_sq_word_is(&ps->tok, "like")) {
        e->op = ORO_SQ_LIKE;
    }
    else if (oro_sq_word_is(&ps->tok, "notlike")) {
        e->op = ORO_SQ_NOT_LIKE;
    }
    else if (oro_sq_word_is(&ps->tok, "exists")) {
        e->op = ORO_SQ_EXISTS;
    }
    else if (oro_sq_word_is(&ps->tok, "notexists")) {
        e->op = ORO_SQ_NOT_EXISTS;
    }
    else {
        return expected(ps, "an operator (~ !~ = != > >= < <= in !in starts_with like notlike "
                            "exists notexists)");
    }
    if (!op_allowed(e->type, e->op)) {
        return fail_at(ps, op_position,
                       apr_psprintf(ps->pool, "the operator \"%s\" does not apply to %s fields",
                                    oro_search_op_name(e->op), oro_search_type_name(e->type)));
    }
    if (advance(ps) != 0) {
        return -1;
    }
    if (e->op == ORO_SQ_EXISTS || e->op == ORO_SQ_NOT_EXISTS) {
        *out = e;
        return 0;
    }
    if (e->op == ORO_SQ_IN || e->op == ORO_SQ_NOT_IN) {
        if (ps->tok.kind != ORO_SQ_TOK_LPAREN) {
            return expected(ps, "\"(\" and a list of values");
        }
        if (advance(ps) != 0) {
            return -1;
        }
        for (;;) {
            if (e->values->nelts >= 1000) {
                return fail_at(ps, ps->tok.position, "more than 1000 values in a list");
            }
            if (parse_value(ps, e) != 0) {
                return -1;
            }
            if (ps->tok.kind == ORO_SQ_TOK_RPAREN) {
                break;
            }
            if (ps->tok.kind != ORO_SQ_TOK_COMMA) {
                return expected(ps, "\",\" or \")\"");
            }
            if (advance(ps) != 0) {
                return -1;
            }
        }
        if (advance(ps) != 0) {
            return -1;
        }
        *out = e;
        return 0;
    }
    if (parse_value(ps, e) != 0) {
        return -1;
    }
    *out = e;
    return 0;
}

static int parse_primary(parser_t *ps, oro_search_expr_t **out)
{
    if (ps->tok.kind != ORO_SQ_TOK_LPAREN) {
        return parse_condition(ps, out);
    }
    if (++ps->depth > ORO_SEARCH_QUERY_MAX_DEPTH) {
        return fail_at(ps, ps->tok.position,
                       apr_psprintf(ps->pool, "parentheses nested deeper than %d",
                                    ORO_SEARCH_QUERY_MAX_DEPTH));
    }
    if (advance(ps) != 0 || parse_or(ps, out) != 0) {
        return -1;
    }
    if (ps->tok.kind != ORO_SQ_TOK_RPAREN) {
        return expected(ps, "\")\", \"and\" or \"or\"");
    }
    ps->depth--;
    return advance(ps);
}

static oro_search_expr_t *combine(parser_t *ps, oro_search_expr_kind_t kind,
                                  oro_search_expr_t *left, oro_search_expr_t *right)
{
    oro_search_expr_t *e = apr_pcalloc(ps->pool, sizeof *e);
    e->kind = kind;
    e->left = left;
    e->right = right;
    return e;
}

static int parse_and(parser_t *ps, oro_search_expr_t **out)
{
    if (parse_primary(ps, out) != 0) {
        return -1;
    }
    while (oro_sq_word_is(&ps->tok, "and")) {
        oro_search_expr_t *right;
        if (advance(ps) != 0 || parse_primary(ps, &right) != 0) {
            return -1;
        }
        *out = combine(ps, ORO_SQ_AND, *out, right);
    }
    return 0;
}

static int parse_or(parser_t *ps, oro_search_expr_t **out)
{
    if (parse_and(ps, out) != 0) {
        return -1;
    }
    while (oro_sq_word_is(&ps->tok, "or")) {
        oro_search_expr_t *right;
        if (advance(ps) != 0 || parse_and(ps, &right) != 0) {
            return -1;
        }
        *out = combine(ps, ORO_SQ_OR, *out, right);
    }
    return 0;
}

/* A list of items: one, or "(" item {"," item} ")"; item parsed by each(). */
static int parse_list(parser_t *ps, int (*each)(parser_t *, void *), void *arg)
{
    if (ps->tok.kind != ORO_SQ_TOK_LPAREN) {
        return each(ps, arg);
    }
    if (advance(ps) != 0) {
        return -1;
    }
    for (;;) {
        if (each(ps, arg) != 0) {
            return -1;
        }
        if (ps->tok.kind == ORO_SQ_TOK_RPAREN) {
            return advance(ps);
        }
        if (ps->tok.kind != ORO_SQ_TOK_COMMA) {
            return expected(ps, "\",\" or \")\"");
        }
        if (advance(ps) != 0) {
            return -1;
        }
    }
}

static int each_select(parser_t *ps, void *arg)
{
    oro_search_query_t *q = arg;
    oro_search_field_ref_t *f = apr_array_push(q->select);
    int position;
    return parse_field(ps, f, &position);
}

static int each_from(parser_t *ps, void *arg)
{
    oro_search_query_t *q = arg;
    if (ps->tok.kind == ORO_SQ_TOK_WORD && strcmp(ps->tok.text, "*") == 0) {
        return advance(ps); /* every entity: from stays empty */
    }
    if (!is_name(&ps->tok)) {
        return expected(ps, "an entity type (contacts, accounts, …) or *");
    }
    APR_ARRAY_PUSH(q->from, const char *) = ps->tok.text;
    return advance(ps);
}

/* A non-negative integer of at most 9 digits. */
static int parse_count(parser_t *ps, long *out)
{
    const oro_sq_token_t *t = &ps->tok;
    if (t->kind != ORO_SQ_TOK_WORD || t->len == 0 || t->len > 9 ||
        strspn(t->text, "0123456789") != t->len) {
        return expected(ps, "a number");
    }
    *out = strtol(t->text, NULL, 10);
    return advance(ps);
}

static int parse_aggregate(parser_t *ps, oro_search_query_t *q)
{
    oro_search_aggregate_t *a = apr_array_push(q->aggregates);
    oro_search_field_ref_t f;
    int position;
    if (parse_field(ps, &f, &position) != 0) {
        return -1;
    }
    a->type = f.type;
    a->field = f.name;
    static const char *const functions[] = {"count", "sum", "max", "min", "avg"};
    a->function = NULL;
    for (int i = 0; i < 5; i++) {
        if (oro_sq_word_is(&ps->tok, functions[i])) {
            a->function = functions[i];
        }
    }
    if (a->function == NULL) {
        return expected(ps, "an aggregate function (count, sum, max, min, avg)");
    }
    if (strcmp(a->function, "count") != 0 && a->type == ORO_SEARCH_TEXT) {
        return fail_at(ps, ps->tok.position,
                       apr_psprintf(ps->pool,
                                    "the function \"%s\" needs a number field "
                                    "(integer, decimal or datetime)",
                                    a->function));
    }
    if (advance(ps) != 0) {
        return -1;
    }
    a->alias = apr_pstrcat(ps->pool, a->field, apr_pstrdup(ps->pool, a->function), NULL);
    if (oro_sq_word_is(&ps->tok, "as")) {
        if (advance(ps) != 0) {
            return -1;
        }
        if (!is_name(&ps->tok)) {
            return expected(ps, "an alias");
        }
    }
    if (is_name(&ps->tok) && !oro_sq_word_is(&ps->tok, "select") &&
        !oro_sq_word_is(&ps->tok, "from") && !oro_sq_word_is(&ps->tok, "where") &&
        !oro_sq_word_is(&ps->tok, "order_by") && !oro_sq_word_is(&ps->tok, "offset") &&
        !oro_sq_word_is(&ps->tok, "max_results") && !oro_sq_word_is(&ps->tok, "aggregate")) {
        a->alias = ps->tok.text;
        return advance(ps);
    }
    return 0;
}

oro_search_query_t *oro_search_query_new(apr_pool_t *p)
{
    oro_search_query_t *q = apr_pcalloc(p, sizeof *q);
    q->select = apr_array_make(p, 2, sizeof(oro_search_field_ref_t));
    q->from = apr_array_make(p, 2, sizeof(const char *));
    q->aggregates = apr_array_make(p, 1, sizeof(oro_search_aggregate_t));
    q->offset = -1;
    q->max_results = -1;
    return q;
}

/* Each clause keyword once (aggregate any number of times). */
static int parse_clause(parser_t *ps, oro_search_query_t *q, unsigned *seen)
{
    static const char *const clauses[] = {"select", "from",        "where",    "order_by",
                                          "offset", "max_results", "aggregate"};
    int which = -1;
    for (int i = 0; i < 7; i++) {
        if (oro_sq_word_is(&ps->tok, clauses[i])) {
            which = i;
        }
    }
    if (which < 0) {
        return expected(ps, "a clause (select, from, where, order_by, offset, max_results, "
                            "aggregate)");
    }
    if (which != 6 && (*seen & (1u << which))) {
        return fail_at(ps, ps->tok.position,
                       apr_psprintf(ps->pool, "\"%s\" appears twice", clauses[which]));
    }
    *seen |= 1u << which;
    if (advance(ps) != 0) {
        return -1;
    }
    switch (which) {
    case 0:
        return parse_list(ps, each_select, q);
    case 1:
        return parse_list(ps, each_from, q);
    case 2:
        return parse_or(ps, &q->where);
    case 3: {
        int position;
        if (parse_field(ps, &q->order_by, &position) != 0) {
            return -1;
        }
        q->has_order = 1;
        if (oro_sq_word_is(&ps->tok, "asc") || oro_sq_word_is(&ps->tok, "desc")) {
            q->order_descending = oro_sq_word_is(&ps->tok, "desc");
            return advance(ps);
        }
        return 0;
    }
    case 4:
        return parse_count(ps, &q->offset);
    case 5:
        return parse_count(ps, &q->max_results);
    default:
        return parse_aggregate(ps, q);
    }
}

oro_search_query_t *oro_search_query_parse(apr_pool_t *p, const char *text, size_t len,
                                           oro_search_parse_error_t *error)
{
    error->position = 0;
    error->message = NULL;
    parser_t ps = {.pool = p, .error = error};
    if (len > ORO_SEARCH_QUERY_MAX) {
        fail_at(&ps, ORO_SEARCH_QUERY_MAX,
                apr_psprintf(p, "the query is longer than %d bytes", ORO_SEARCH_QUERY_MAX));
        return NULL;
    }
    oro_sq_lex_init(&ps.lx, p, text, len);
    oro_search_query_t *q = oro_search_query_new(p);
    if (advance(&ps) != 0) {
        return NULL;
    }
    if (ps.tok.kind == ORO_SQ_TOK_END) {
        expected(&ps, "a clause (select, from, where, …)");
        return NULL;
    }
    unsigned seen = 0;
    while (ps.tok.kind != ORO_SQ_TOK_END) {
        if (parse_clause(&ps, q, &seen) != 0) {
            return NULL;
        }
    }
    return q;
}
