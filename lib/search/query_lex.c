/* lib/search/query_lex.c — the tokens of Oro's search query language (see query.h).
 * The lexer never reads past len and never allocates more than the token text. */
#include <apr_strings.h>
#include <string.h>

#include "search/query_internal.h"

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Bytes that end an unquoted word. */
static int ends_word(int c)
{
    return is_space(c) || c == '(' || c == ')' || c == ',' || c == '~' || c == '!' || c == '=' ||
           c == '<' || c == '>' || c == '"' || c == '\'' || c == '\0';
}

static int word_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

void oro_sq_lex_init(oro_sq_lexer_t *lx, apr_pool_t *p, const char *text, size_t len)
{
    lx->pool = p;
    lx->text = text;
    lx->len = len;
    lx->pos = 0;
}

static int peek_at(const oro_sq_lexer_t *lx, size_t at)
{
    return at < lx->len ? (unsigned char)lx->text[at] : '\0';
}

/* Reads a quoted string starting at the quote; backslash escapes the next byte. */
static int lex_string(oro_sq_lexer_t *lx, oro_sq_token_t *t)
{
    char quote = lx->text[lx->pos];
    size_t i = lx->pos + 1;
    char *out = apr_palloc(lx->pool, lx->len - lx->pos + 1);
    size_t n = 0;
    while (i < lx->len && lx->text[i] != quote) {
        if (lx->text[i] == '\\' && i + 1 < lx->len) {
            i++;
        }
        out[n++] = lx->text[i++];
    }
    if (i >= lx->len) {
        t->kind = ORO_SQ_TOK_ERROR;
        t->text = "an unterminated string";
        return -1;
    }
    out[n] = '\0';
    t->kind = ORO_SQ_TOK_STRING;
    t->text = out;
    t->len = n;
    lx->pos = i + 1;
    return 0;
}

int oro_sq_lex_next(oro_sq_lexer_t *lx, oro_sq_token_t *t)
{
    while (lx->pos < lx->len && is_space((unsigned char)lx->text[lx->pos])) {
        lx->pos++;
    }
    t->position = (int)lx->pos;
    t->len = 0;
    t->text = "";
    if (lx->pos >= lx->len) {
        t->kind = ORO_SQ_TOK_END;
        return 0;
    }
    int c = peek_at(lx, lx->pos), c2 = peek_at(lx, lx->pos + 1);
    if (c == '\0') {
        t->kind = ORO_SQ_TOK_ERROR;
        t->text = "a NUL byte";
        return -1;
    }
    switch (c) {
    case '(':
        t->kind = ORO_SQ_TOK_LPAREN;
        lx->pos++;
        return 0;
    case ')':
        t->kind = ORO_SQ_TOK_RPAREN;
        lx->pos++;
        return 0;
    case ',':
        t->kind = ORO_SQ_TOK_COMMA;
        lx->pos++;
        return 0;
    case '"':
    case '\'':
        return lex_string(lx, t);
    case '~':
        t->kind = ORO_SQ_TOK_OP;
        t->op = ORO_SQ_CONTAINS;
        lx->pos++;
        return 0;
    case '=':
        t->kind = ORO_SQ_TOK_OP;
        t->op = ORO_SQ_EQ;
        lx->pos++;
        return 0;
    case '<':
    case '>':
        t->kind = ORO_SQ_TOK_OP;
        if (c2 == '=') {
            t->op = c == '<' ? ORO_SQ_LTE : ORO_SQ_GTE;
            lx->pos += 2;
        }
        else {
            t->op = c == '<' ? ORO_SQ_LT : ORO_SQ_GT;
            lx->pos++;
        }
        return 0;
    case '!':
        t->kind = ORO_SQ_TOK_OP;
        if (c2 == '~') {
            t->op = ORO_SQ_NOT_CONTAINS;
            lx->pos += 2;
            return 0;
        }
        if (c2 == '=') {
            t->op = ORO_SQ_NEQ;
            lx->pos += 2;
            return 0;
        }
        if ((c2 == 'i' || c2 == 'I') &&
            (peek_at(lx, lx->pos + 2) == 'n' || peek_at(lx, lx->pos + 2) == 'N') &&
            !word_char(peek_at(lx, lx->pos + 3))) {
            t->op = ORO_SQ_NOT_IN;
            lx->pos += 3;
            return 0;
        }
        t->kind = ORO_SQ_TOK_ERROR;
        t->text = "\"!\" not followed by ~, = or in";
        return -1;
    default:
        break;
    }
    size_t start = lx->pos;
    while (lx->pos < lx->len && !ends_word((unsigned char)lx->text[lx->pos])) {
        lx->pos++;
    }
    t->kind = ORO_SQ_TOK_WORD;
    t->len = lx->pos - start;
    t->text = apr_pstrmemdup(lx->pool, lx->text + start, t->len);
    return 0;
}

int oro_sq_word_is(const oro_sq_token_t *t, const char *keyword)
{
    return t->kind == ORO_SQ_TOK_WORD && strcasecmp(t->text, keyword) == 0;
}

const char *oro_sq_token_describe(apr_pool_t *p, const oro_sq_token_t *t)
{
    switch (t->kind) {
    case ORO_SQ_TOK_END:
        return "the end of the query";
    case ORO_SQ_TOK_LPAREN:
        return "\"(\"";
    case ORO_SQ_TOK_RPAREN:
        return "\")\"";
    case ORO_SQ_TOK_COMMA:
        return "\",\"";
    case ORO_SQ_TOK_OP:
        return apr_psprintf(p, "\"%s\"", oro_search_op_name(t->op));
    case ORO_SQ_TOK_STRING:
        return apr_psprintf(p, "the string \"%s\"", oro_sq_printable(p, t->text, 40));
    case ORO_SQ_TOK_WORD:
        return apr_psprintf(p, "\"%s\"", oro_sq_printable(p, t->text, 40));
    case ORO_SQ_TOK_ERROR:
    default:
        return t->text;
    }
}

const char *oro_sq_printable(apr_pool_t *p, const char *text, size_t max)
{
    size_t n = strlen(text);
    int cut = n > max;
    if (cut) {
        n = max;
    }
    char *out = apr_palloc(p, n + 4);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        out[i] = (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') ? '?' : (char)c;
    }
    if (cut) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}
