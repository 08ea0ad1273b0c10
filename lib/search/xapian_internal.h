/* lib/search/xapian_internal.h — what the C++ shim's files share: the term prefixes
 * and value slots of the document layout (search.h), and turning exceptions into
 * messages. C++ only. */
#ifndef ORO_SEARCH_XAPIAN_INTERNAL_H
#define ORO_SEARCH_XAPIAN_INTERNAL_H

#include <string>

#include <apr_strings.h>
#include <xapian.h>

#include "search/search.h"

namespace oro_search {

/* The longest exact-value term (Xapian refuses terms over 245 bytes). */
const size_t EXACT_TERM_MAX = 200;

inline std::string id_term(const std::string &entity, const std::string &id)
{
    return "Q" + entity + ":" + id;
}
inline std::string type_term(const std::string &entity)
{
    return "T" + entity;
}
inline std::string organization_term(long long id)
{
    return "XO" + std::to_string(id);
}
inline std::string owner_term(long long id)
{
    return "XU" + std::to_string(id);
}
inline std::string unit_term(long long id)
{
    return "XB" + std::to_string(id);
}
inline std::string field_prefix(const std::string &field)
{
    return "XF" + field + ":";
}
inline std::string presence_term(const std::string &field)
{
    return "XP" + field;
}

/* ASCII lower case: the index's case-folding for exact and LIKE matching (Xapian's own
 * TermGenerator folds full Unicode for words). */
std::string lower(const std::string &text);
std::string exact_term(const std::string &field, const std::string &value);

} // namespace oro_search

/* Runs body; any exception becomes *error = "what: message" in pool p and the value
 * fail_value is returned. */
#define ORO_SEARCH_TRY(p, error, what, fail_value, body)                                           \
    try {                                                                                          \
        body                                                                                       \
    } catch (const Xapian::Error &e) {                                                             \
        *(error) = apr_psprintf((p), "%s: %s", (what), e.get_description().c_str());               \
        return (fail_value);                                                                       \
    } catch (const std::exception &e) {                                                            \
        *(error) = apr_psprintf((p), "%s: %s", (what), e.what());                                  \
        return (fail_value);                                                                       \
    } catch (...) {                                                                                \
        *(error) = apr_psprintf((p), "%s: unknown error", (what));                                 \
        return (fail_value);                                                                       \
    }

#endif
