/* lib/search/query_internal.h — the lexer shared by the query parser's files. */
#ifndef ORO_SEARCH_QUERY_INTERNAL_H
#define ORO_SEARCH_QUERY_INTERNAL_H

#include "search/query.h"

typedef enum {
    ORO_SQ_TOK_END = 0,
    ORO_SQ_TOK_WORD,   /* an unquoted word: keyword, name, number, value */
    ORO_SQ_TOK_STRING, /* '…' or "…", unescaped */
    ORO_SQ_TOK_OP,     /* ~ !~ = != > >= < <= !in */
    ORO_SQ_TOK_LPAREN,
    ORO_SQ_TOK_RPAREN,
    ORO_SQ_TOK_COMMA,
    ORO_SQ_TOK_ERROR /* text says what is wrong */
} oro_sq_token_kind_t;

typedef struct {
    oro_sq_token_kind_t kind;
    const char *text; /* NUL-terminated copy (WORD, STRING), or the error */
    size_t len;
    oro_search_op_t op; /* OP */
    int position;       /* byte offset of the token's start */
} oro_sq_token_t;

typedef struct {
    apr_pool_t *pool;
    const char *text;
    size_t len;
    size_t pos;
} oro_sq_lexer_t;

void oro_sq_lex_init(oro_sq_lexer_t *lx, apr_pool_t *p, const char *text, size_t len);
/* The next token; -1 (and an ERROR token) on a lexical error. */
int oro_sq_lex_next(oro_sq_lexer_t *lx, oro_sq_token_t *t);
/* Whether t is the unquoted word keyword, ignoring case. */
int oro_sq_word_is(const oro_sq_token_t *t, const char *keyword);
/* "\"foo\"", "the end of the query", … for messages. */
const char *oro_sq_token_describe(apr_pool_t *p, const oro_sq_token_t *t);
/* text cut to max bytes, quotes, backslashes and non-printable bytes as '?'. */
const char *oro_sq_printable(apr_pool_t *p, const char *text, size_t max);

#endif
