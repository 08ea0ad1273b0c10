/* lib/api/query_values.c — the text of one query component or value: percent-decoding
 * (oro_api_url_decode) and the per-type canonical form of a value
 * (oro_api_canonical_value), shared by the query parser and the write path. Pure. */
#include <apr_strings.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/query.h"

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* 1 if the len bytes of s are well-formed UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF). */
static int valid_utf8(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned min, cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1, min = 0x80, cp = c & 0x1F;
        }
        else if (c >= 0xE0 && c <= 0xEF) {
            n = 2, min = 0x800, cp = c & 0x0F;
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            n = 3, min = 0x10000, cp = c & 0x07;
        }
        else {
            return 0;
        }
        if (len - i <= n) {
            return 0;
        }
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return 0;
        }
        i += n + 1;
    }
    return 1;
}

char *oro_api_url_decode(apr_pool_t *p, const char *s, size_t len)
{
    char *out = apr_palloc(p, len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        }
        else if (c == '%') {
            int hi = i + 2 < len ? hex_digit(s[i + 1]) : -1;
            int lo = hi >= 0 ? hex_digit(s[i + 2]) : -1;
            if (lo < 0) {
                return NULL;
            }
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0') {
            return NULL;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    return valid_utf8((const unsigned char *)out, n) ? out : NULL;
}

/* Characters (code points) of UTF-8 text; a stray byte counts as one. */
static size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += ((unsigned char)*s & 0xC0) != 0x80;
    }
    return n;
}

/* Parses [+-]digits into *out. Returns 1, 0 (not a whole number) or -1 (overflow). */
static int parse_int64(const char *s, int64_t *out)
{
    int negative = *s == '-';
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;
    int overflow = 0;
    if (*s == '-' || *s == '+') {
        s++;
    }
    if (*s == '\0') {
        return 0;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9') {
            return 0;
        }
        unsigned d = (unsigned)(*s - '0');
        if (v > (limit - d) / 10) {
            overflow = 1;
        }
        else {
            v = v * 10 + d;
        }
    }
    if (overflow) {
        return -1;
    }
    *out = negative ? (int64_t)(0 - v) : (int64_t)v;
    return 1;
}

static const char *canonical_integer(apr_pool_t *p, const oro_field_t *field, const char *text,
                                     const char **why)
{
    int64_t v = 0;
    int rc = parse_int64(text, &v);
    if (rc == 0) {
        *why = "is not a whole number";
        return NULL;
    }
    if (rc < 0 || (field->type == ORO_FIELD_INTEGER && (v < INT32_MIN || v > INT32_MAX))) {
        *why = field->type == ORO_FIELD_INTEGER
                   ? "is out of range for an integer (-2147483648 to 2147483647)"
                   : "is out of range for a 64-bit integer";
        return NULL;
    }
    return apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)v);
}

/* [+-]digits[.digits], no exponent, at most scale fraction digits and precision - scale
 * significant integer digits. The canonical text is the input without a '+'. */
static const char *canonical_decimal(apr_pool_t *p, const oro_field_t *field, const char *text,
                                     const char **why)
{
    const char *c = text + (*text == '+' || *text == '-');
    const char *digits = c;
    int before = 0, after = 0;
    while (*c == '0') {
        c++;
    }
    for (; *c >= '0' && *c <= '9'; c++) {
        before++;
    }
    if (c == digits) {
        *why = "is not a decimal number";
        return NULL;
    }
    if (*c == '.') {
        const char *fraction = ++c;
        for (; *c >= '0' && *c <= '9'; c++) {
            after++;
        }
        if (c == fraction) {
            *why = "is not a decimal number";
            return NULL;
        }
    }
    if (*c != '\0') {
        *why = "is not a decimal number";
        return NULL;
    }
    if (after > field->scale) {
        *why = apr_psprintf(p, "has more than %d decimal places", field->scale);
        return NULL;
    }
    if (before > field->precision - field->scale) {
        *why = apr_psprintf(p, "has more than %d digits before the decimal point",
                            field->precision - field->scale);
        return NULL;
    }
    return apr_pstrdup(p, text + (*text == '+'));
}

static const char *canonical_boolean(const char *text, const char **why)
{
    static const char *const yes[] = {"true", "1", "yes"}, *const no[] = {"false", "0", "no"};
    for (int i = 0; i < 3; i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            return "1";
        }
        if (strcasecmp(text, no[i]) == 0) {
            return "0";
        }
    }
    *why = "is not a boolean (true, false, 1, 0, yes or no)";
    return NULL;
}

/* Reads exactly n digits at s into *out; 0 if one is not a digit. */
static int read_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    return days[m - 1] + (m == 2 && leap);
}

/* Reads "YYYY-MM-DD" (a calendar date, year 1-9999) at s. */
static int read_date(const char *s, int *y, int *m, int *d)
{
    return read_digits(s, 4, y) && s[4] == '-' && read_digits(s + 5, 2, m) && s[7] == '-' &&
           read_digits(s + 8, 2, d) && *y >= 1 && *m >= 1 && *m <= 12 && *d >= 1 &&
           *d <= days_in_month(*y, *m);
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Reads "THH:MM:SS[.f{1,6}][Z|±HH:MM]" at s into seconds of the day (local), the
 * offset in seconds east of UTC and the fraction digits (NUL-terminated in frac). */
static int read_time(const char *s, int *seconds, int *offset, char frac[7])
{
    int hh, mi, ss;
    if ((*s != 'T' && *s != 't') || !read_digits(s + 1, 2, &hh) || s[3] != ':' ||
        !read_digits(s + 4, 2, &mi) || s[6] != ':' || !read_digits(s + 7, 2, &ss) || hh > 23 ||
        mi > 59 || ss > 59) {
        return 0;
    }
    *seconds = hh * 3600 + mi * 60 + ss;
    s += 9;
    frac[0] = '\0';
    if (*s == '.') {
        size_t n = strspn(++s, "0123456789");
        if (n < 1 || n > 6) {
            return 0;
        }
        snprintf(frac, 7, "%.*s%.*s", (int)n, s, (int)(6 - n), "000000");
        s += n;
    }
    *offset = 0;
    if (*s == 'Z' || *s == 'z') {
        return s[1] == '\0';
    }
    if (*s == '+' || *s == '-') {
        int oh, om;
        if (!read_digits(s + 1, 2, &oh) || s[3] != ':' || !read_digits(s + 4, 2, &om) || oh > 23 ||
            om > 59 || s[6] != '\0') {
            return 0;
        }
        *offset = (*s == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        return 1;
    }
    return *s == '\0';
}

/* "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM]" (no offset: UTC) to UTC
 * "YYYY-MM-DD HH:MM:SS[.ffffff]". */
static const char *canonical_datetime(apr_pool_t *p, const char *text, const char **why)
{
    int y, m, d, seconds = 0, offset = 0;
    char frac[7] = "";
    if (!read_date(text, &y, &m, &d) ||
        (text[10] != '\0' && !read_time(text + 10, &seconds, &offset, frac))) {
        *why = "is not a datetime (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS with an optional "
               "fraction and Z or ±HH:MM)";
        return NULL;
    }
    int64_t t = days_from_civil(y, m, d) * 86400 + seconds - offset;
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t rest = t - days * 86400, year;
    civil_from_days(days, &year, &m, &d);
    if (year < 1 || year > 9999) {
        *why = "is out of range for a datetime (years 1 to 9999 in UTC)";
        return NULL;
    }
    return apr_psprintf(p, "%04d-%02d-%02d %02d:%02d:%02d%s%s", (int)year, m, d, (int)(rest / 3600),
                        (int)(rest / 60 % 60), (int)(rest % 60), frac[0] ? "." : "", frac);
}

static const char *canonical_enum(apr_pool_t *p, const oro_field_t *field, const char *text,
                                  const char **why)
{
    const char *list = "";
    for (int i = 0; field->values && i < field->values->nelts; i++) {
        const char *v = APR_ARRAY_IDX(field->values, i, const char *);
        if (strcmp(v, text) == 0) {
            return v;
        }
        list = apr_pstrcat(p, list, i ? ", " : "", v, NULL);
    }
    *why = apr_psprintf(p, "is not one of the values of \"%s\" (%s)", field->name, list);
    return NULL;
}

const char *oro_api_canonical_value(apr_pool_t *p, const oro_field_t *field, const char *text,
                                    const char **why)
{
    int y, m, d;
    *why = NULL;
    switch (field->type) {
    case ORO_FIELD_STRING:
    case ORO_FIELD_TEXT:
    case ORO_FIELD_EMAIL:
    case ORO_FIELD_PHONE:
    case ORO_FIELD_URL:
    case ORO_FIELD_PASSWORD:
        if (field->length > 0 && utf8_length(text) > (size_t)field->length) {
            *why = apr_psprintf(p, "is longer than %d characters", field->length);
            return NULL;
        }
        return apr_pstrdup(p, text);
    default:
        break;
    }
    if (*text == '\0') {
        *why = "is empty";
        return NULL;
    }
    switch (field->type) {
    case ORO_FIELD_INTEGER:
    case ORO_FIELD_BIGINT:
        return canonical_integer(p, field, text, why);
    case ORO_FIELD_DECIMAL:
    case ORO_FIELD_MONEY:
        return canonical_decimal(p, field, text, why);
    case ORO_FIELD_BOOLEAN:
        return canonical_boolean(text, why);
    case ORO_FIELD_DATE:
        if (strlen(text) != 10 || !read_date(text, &y, &m, &d)) {
            *why = "is not a date (YYYY-MM-DD)";
            return NULL;
        }
        return apr_pstrdup(p, text);
    case ORO_FIELD_DATETIME:
        return canonical_datetime(p, text, why);
    case ORO_FIELD_ENUM:
        return canonical_enum(p, field, text, why);
    default:
        *why = "is not a value of a known type";
        return NULL;
    }
}
