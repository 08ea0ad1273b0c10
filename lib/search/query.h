/* lib/search/query.h — Oro's search query language, parsed by a hand-written
 * recursive-descent parser (lib/search/query_lex.c, query_parse.c) into a tree that the
 * Xapian shim turns into a Xapian query. Pure C, no Xapian: unit- and fuzz-tested.
 *
 *   query     := [select] [from] [where] [order_by] [offset] [max_results] [aggregate…]
 *                (clauses in any order, each at most once except aggregate)
 *   select    := "select" (field | "(" field {"," field} ")")      field := [type] name
 *   from      := "from" ("*" | entity | "(" entity {"," entity} ")")
 *   where     := "where" or
 *   or        := and {"or" and}
 *   and       := primary {"and" primary}
 *   primary   := "(" or ")" | [type] name op value | [type] name ("exists"|"notexists")
 *   op        := ~ !~ = != > >= < <= in !in starts_with like notlike
 *   value     := string | number | word | "(" value {"," value} ")"   (in, !in)
 *   order_by  := "order_by" [type] name ["asc"|"desc"]
 *   aggregate := "aggregate" [type] name function [["as"] alias]
 *   type      := "text" | "integer" | "decimal" | "datetime"      (default text)
 *
 * Keywords are case-insensitive; strings are '…' or "…" with \ escaping the next byte. */
#ifndef ORO_SEARCH_QUERY_H
#define ORO_SEARCH_QUERY_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "search/search.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    ORO_SQ_CONTAINS = 0, /* ~ : every word of the value (text), = for numbers */
    ORO_SQ_NOT_CONTAINS, /* !~ */
    ORO_SQ_EQ,           /* = : the whole value (text, case-insensitive) */
    ORO_SQ_NEQ,          /* != */
    ORO_SQ_GT,           /* > */
    ORO_SQ_GTE,          /* >= */
    ORO_SQ_LT,           /* < */
    ORO_SQ_LTE,          /* <= */
    ORO_SQ_IN,           /* in (a, b) */
    ORO_SQ_NOT_IN,       /* !in (a, b) */
    ORO_SQ_STARTS_WITH,  /* the value begins with (case-insensitive) */
    ORO_SQ_LIKE,         /* the value contains the text (case-insensitive) */
    ORO_SQ_NOT_LIKE,
    ORO_SQ_EXISTS, /* the field has a value */
    ORO_SQ_NOT_EXISTS
} oro_search_op_t;

/* The operator as written ("starts_with"). */
const char *oro_search_op_name(oro_search_op_t op);

typedef enum { ORO_SQ_COND = 0, ORO_SQ_AND, ORO_SQ_OR } oro_search_expr_kind_t;

typedef struct oro_search_expr {
    oro_search_expr_kind_t kind;
    struct oro_search_expr *left, *right; /* AND, OR */
    /* COND */
    oro_search_type_t type;
    const char *field;
    oro_search_op_t op;
    apr_array_header_t *values;  /* of const char *: one, several for in/!in, none for exists */
    apr_array_header_t *numbers; /* of double, parallel to values for non-text types */
    int position;                /* of the field name, for messages */
} oro_search_expr_t;

typedef struct {
    oro_search_type_t type;
    const char *name;
} oro_search_field_ref_t;

typedef struct {
    oro_search_type_t type;
    const char *field;
    const char *function; /* count sum max min avg */
    const char *alias;
} oro_search_aggregate_t;

typedef struct oro_search_query {
    apr_array_header_t *select; /* of oro_search_field_ref_t; empty: none */
    apr_array_header_t *from;   /* of const char *; empty: every entity ("*") */
    oro_search_expr_t *where;   /* NULL: every document */
    int has_order;
    oro_search_field_ref_t order_by;
    int order_descending;
    long offset;                    /* -1 unset */
    long max_results;               /* -1 unset */
    apr_array_header_t *aggregates; /* of oro_search_aggregate_t */
} oro_search_query_t;

/* A syntax error: the byte offset in the text (0-based) and a message naming the
 * position and what was expected ("at position 14: expected an operator (~, =, in, …)
 * but found \"foo\""). */
typedef struct {
    int position;
    const char *message;
} oro_search_parse_error_t;

/* Parses text (at most ORO_SEARCH_QUERY_MAX bytes, nesting at most
 * ORO_SEARCH_QUERY_MAX_DEPTH). Returns the query in p, or NULL with *error filled. */
#define ORO_SEARCH_QUERY_MAX 4096
#define ORO_SEARCH_QUERY_MAX_DEPTH 32
oro_search_query_t *oro_search_query_parse(apr_pool_t *p, const char *text, size_t len,
                                           oro_search_parse_error_t *error);

/* An empty query (every entity, every document), for the simple search. */
oro_search_query_t *oro_search_query_new(apr_pool_t *p);

/* Parses "YYYY-MM-DD[ HH:MM:SS]" or "YYYY-MM-DDTHH:MM:SS[.f][Z]" as UTC seconds since
 * the epoch; -1 on anything else (0 success). */
int oro_search_parse_datetime(const char *text, double *seconds);

#ifdef __cplusplus
}
#endif

#endif
