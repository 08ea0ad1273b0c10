// lib/search/xapian_read.cc — the reader side of the Xapian shim: read-only handles
// that follow the indexer's commits and the rebuild's switch, and the translation of a
// parsed query (query.h) plus the caller's ACL into one Xapian query.
#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <apr_hash.h>
#include <apr_time.h>

#include "search/query.h"
#include "search/xapian_internal.h"

using namespace oro_search;

struct oro_search_reader {
    const char *dir;
    Xapian::Database *db; // nullptr while the index has no live version
    std::string *version; // the version directory db was opened on
    apr_time_t checked_at;
};

static apr_status_t reader_cleanup(void *data)
{
    oro_search_reader_t *r = (oro_search_reader_t *)data;
    try {
        delete r->db;
        delete r->version;
    } catch (...) {
    }
    r->db = nullptr;
    r->version = nullptr;
    return APR_SUCCESS;
}

extern "C" oro_search_reader_t *oro_search_reader_create(apr_pool_t *p, const char *dir)
{
    oro_search_reader_t *r = (oro_search_reader_t *)apr_pcalloc(p, sizeof *r);
    r->dir = apr_pstrdup(p, dir);
    apr_pool_cleanup_register(p, r, reader_cleanup, apr_pool_cleanup_null);
    return r;
}

extern "C" int oro_search_reader_refresh(oro_search_reader_t *r, apr_pool_t *p, int interval_ms,
                                         const char **error)
{
    apr_time_t now = apr_time_now();
    if (r->db != nullptr && interval_ms > 0 &&
        now - r->checked_at < apr_time_from_msec(interval_ms)) {
        return 0;
    }
    r->checked_at = now;
    const char *current = oro_search_dir_current(p, r->dir);
    if (current == NULL) {
        return 0; // no version yet: no matches
    }
    const char *what = apr_psprintf(p, "could not open search index \"%s\"", current);
    ORO_SEARCH_TRY(p, error, what, -1, {
        if (r->db != nullptr && *r->version == current) {
            r->db->reopen(); // cheap when nothing was committed
            return 0;
        }
        Xapian::Database *fresh = new Xapian::Database(current);
        delete r->db;
        r->db = fresh;
        if (r->version == nullptr) {
            r->version = new std::string(current);
        }
        else {
            *r->version = current;
        }
        return 0;
    })
}

namespace {

// Documents whose value in a slot contains (or begins with) a text: Oro's like and
// starts_with, case-insensitive through the lower-cased slot.
class MatchValueSource : public Xapian::ValuePostingSource {
    std::string needle;
    bool prefix;

    bool accept() const
    {
        std::string v = get_value();
        return prefix ? v.compare(0, needle.size(), needle) == 0
                      : v.find(needle) != std::string::npos;
    }
    void settle(double min_wt)
    {
        while (!at_end() && !accept()) {
            Xapian::ValuePostingSource::next(min_wt);
        }
    }

  public:
    MatchValueSource(Xapian::valueno slot_, const std::string &needle_, bool prefix_)
        : Xapian::ValuePostingSource(slot_), needle(needle_), prefix(prefix_)
    {
    }
    void init(const Xapian::Database &database) override
    {
        Xapian::ValuePostingSource::init(database);
        set_termfreq_min(0);
    }
    void next(double min_wt) override
    {
        Xapian::ValuePostingSource::next(min_wt);
        settle(min_wt);
    }
    void skip_to(Xapian::docid did, double min_wt) override
    {
        Xapian::ValuePostingSource::skip_to(did, min_wt);
        settle(min_wt);
    }
    bool check(Xapian::docid did, double min_wt) override
    {
        skip_to(did, min_wt);
        return true;
    }
    MatchValueSource *clone() const override
    {
        return new MatchValueSource(get_slot(), needle, prefix);
    }
    std::string name() const override
    {
        return std::string();
    }
};

// The aggregates of the query, over every matching document.
class AggregateSpy : public Xapian::MatchSpy {
  public:
    struct Item {
        const oro_search_aggregate_t *spec;
        Xapian::valueno slot;
        std::map<std::string, long long> counts;
        double sum = 0, min = 0, max = 0;
        long long n = 0;
    };
    std::vector<Item> items;

    void operator()(const Xapian::Document &doc, double) override
    {
        for (auto &item : items) {
            std::string v = doc.get_value(item.slot);
            if (v.empty()) {
                continue;
            }
            if (strcmp(item.spec->function, "count") == 0) {
                item.counts[v]++;
                continue;
            }
            double x = Xapian::sortable_unserialise(v);
            item.min = item.n == 0 || x < item.min ? x : item.min;
            item.max = item.n == 0 || x > item.max ? x : item.max;
            item.sum += x;
            item.n++;
        }
    }
};

struct Builder {
    apr_pool_t *pool;
    Xapian::Database *db;
    Xapian::Stem stem{"english"};

    Xapian::Query words(const std::string &prefix, const std::string &text, unsigned flags)
    {
        Xapian::QueryParser qp;
        qp.set_database(*db);
        qp.set_stemmer(stem);
        // fields hold their words unstemmed, all_text also their stems (xapian_write.cc)
        qp.set_stemming_strategy(prefix.empty() ? Xapian::QueryParser::STEM_SOME
                                                : Xapian::QueryParser::STEM_NONE);
        qp.set_default_op(Xapian::Query::OP_AND);
        qp.set_max_expansion(100, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
        Xapian::Query q = qp.parse_query(text, flags, prefix);
        // a field's words are indexed without positions (xapian_write.cc): the phrases
        // the parser makes of "a b" or an address's words become conjunctions there
        return prefix.empty() ? q : unphrase(q);
    }

    // q with every OP_PHRASE and OP_NEAR replaced by OP_AND of the same subqueries.
    // Operators with parameters other than subqueries are kept as they are.
    static Xapian::Query unphrase(const Xapian::Query &q)
    {
        size_t n = q.get_num_subqueries();
        Xapian::Query::op op = q.get_type();
        if (n == 0) {
            return q;
        }
        switch (op) {
        case Xapian::Query::OP_PHRASE:
        case Xapian::Query::OP_NEAR:
            op = Xapian::Query::OP_AND;
            break;
        case Xapian::Query::OP_AND:
        case Xapian::Query::OP_OR:
        case Xapian::Query::OP_AND_NOT:
        case Xapian::Query::OP_XOR:
        case Xapian::Query::OP_AND_MAYBE:
        case Xapian::Query::OP_FILTER:
        case Xapian::Query::OP_SYNONYM:
        case Xapian::Query::OP_MAX:
            break;
        default:
            return q;
        }
        std::vector<Xapian::Query> subs;
        for (size_t i = 0; i < n; i++) {
            subs.push_back(unphrase(q.get_subquery(i)));
        }
        return Xapian::Query(op, subs.begin(), subs.end());
    }

    static Xapian::Query not_(const Xapian::Query &q)
    {
        return Xapian::Query(Xapian::Query::OP_AND_NOT, Xapian::Query::MatchAll, q);
    }

    Xapian::Query text_condition(const oro_search_expr_t *e, const char *value)
    {
        std::string field(e->field);
        std::string v(value);
        Xapian::valueno lc = oro_search_slot(ORO_SEARCH_TEXT, e->field, 1);
        switch (e->op) {
        case ORO_SQ_CONTAINS:
        case ORO_SQ_NOT_CONTAINS: {
            std::string prefix = field == "all_text" ? std::string() : field_prefix(field);
            Xapian::Query q = words(prefix, v, Xapian::QueryParser::FLAG_PARTIAL);
            return e->op == ORO_SQ_CONTAINS ? q : not_(q);
        }
        case ORO_SQ_STARTS_WITH:
            return Xapian::Query((new MatchValueSource(lc, lower(v), true))->release());
        case ORO_SQ_LIKE:
            return Xapian::Query((new MatchValueSource(lc, lower(v), false))->release());
        case ORO_SQ_NOT_LIKE:
            return not_(Xapian::Query((new MatchValueSource(lc, lower(v), false))->release()));
        case ORO_SQ_NEQ:
            return not_(Xapian::Query(exact_term(field, v)));
        default: // = and each value of in
            return Xapian::Query(exact_term(field, v));
        }
    }

    Xapian::Query number_condition(const oro_search_expr_t *e, double x)
    {
        Xapian::valueno slot = oro_search_slot(e->type, e->field, 0);
        switch (e->op) {
        case ORO_SQ_GT:
            return Xapian::Query(Xapian::Query::OP_VALUE_GE, slot,
                                 Xapian::sortable_serialise(std::nextafter(x, INFINITY)));
        case ORO_SQ_GTE:
            return Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, Xapian::sortable_serialise(x));
        case ORO_SQ_LT:
            return Xapian::Query(Xapian::Query::OP_VALUE_LE, slot,
                                 Xapian::sortable_serialise(std::nextafter(x, -INFINITY)));
        case ORO_SQ_LTE:
            return Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, Xapian::sortable_serialise(x));
        case ORO_SQ_NEQ:
            return not_(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot,
                                      Xapian::sortable_serialise(x),
                                      Xapian::sortable_serialise(x)));
        default:
            return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, Xapian::sortable_serialise(x),
                                 Xapian::sortable_serialise(x));
        }
    }

    Xapian::Query condition(const oro_search_expr_t *e)
    {
        if (e->op == ORO_SQ_EXISTS) {
            return Xapian::Query(presence_term(e->field));
        }
        if (e->op == ORO_SQ_NOT_EXISTS) {
            return not_(Xapian::Query(presence_term(e->field)));
        }
        int n = e->values->nelts;
        std::vector<Xapian::Query> each;
        for (int i = 0; i < n; i++) {
            const char *value = APR_ARRAY_IDX(e->values, i, const char *);
            oro_search_expr_t one = *e;
            if (e->op == ORO_SQ_IN || e->op == ORO_SQ_NOT_IN) {
                one.op = ORO_SQ_EQ;
            }
            each.push_back(e->type == ORO_SEARCH_TEXT
                               ? text_condition(&one, value)
                               : number_condition(&one, APR_ARRAY_IDX(e->numbers, i, double)));
        }
        if (e->op == ORO_SQ_IN || e->op == ORO_SQ_NOT_IN) {
            Xapian::Query any(Xapian::Query::OP_OR, each.begin(), each.end());
            return e->op == ORO_SQ_IN ? any : not_(any);
        }
        return each.empty() ? Xapian::Query() : each[0];
    }

    Xapian::Query expr(const oro_search_expr_t *e)
    {
        switch (e->kind) {
        case ORO_SQ_AND:
            return Xapian::Query(Xapian::Query::OP_AND, expr(e->left), expr(e->right));
        case ORO_SQ_OR:
            return Xapian::Query(Xapian::Query::OP_OR, expr(e->left), expr(e->right));
        default:
            return condition(e);
        }
    }

    static Xapian::Query any_term(std::string (*term)(long long), const long long *ids, int n)
    {
        std::vector<Xapian::Query> terms;
        for (int i = 0; i < n; i++) {
            terms.emplace_back(term(ids[i]));
        }
        return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
    }

    // The documents of one entity the caller may see at its level (oro_acl_level_t:
    // 1 user, 2 business unit, 3 division, 4 organization, 5 global).
    static Xapian::Query visible(const oro_search_acl_t *acl, const oro_search_acl_entity_t *ae)
    {
        Xapian::Query type(type_term(ae->entity));
        int ownership = ae->ownership; // 0 none, 1 user, 2 business unit, 3 organization
        if (ae->level >= 5 || ownership == 0) {
            return type;
        }
        Xapian::Query cond;
        if (ae->level == 4 || ownership == 3) {
            cond = Xapian::Query(organization_term(acl->organization_id));
        }
        else if (ae->level == 1 && ownership == 1) {
            cond = Xapian::Query(owner_term(acl->user_id));
        }
        else if (ae->level == 3) {
            cond = any_term(unit_term, acl->division_ids, acl->n_divisions);
        }
        else {
            cond = any_term(unit_term, acl->business_unit_ids, acl->n_business_units);
        }
        return Xapian::Query(Xapian::Query::OP_FILTER, type, cond);
    }
};

} // namespace

// Whether entity is among from (empty: every entity).
static bool wanted(const oro_search_query_t *q, const char *entity)
{
    if (q->from->nelts == 0) {
        return true;
    }
    for (int i = 0; i < q->from->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(q->from, i, const char *), entity) == 0) {
            return true;
        }
    }
    return false;
}

static void read_hit(apr_pool_t *p, const Xapian::MSetIterator &it, oro_search_hit_t *hit)
{
    std::string data = it.get_document().get_data();
    std::vector<const char *> parts;
    size_t start = 0;
    while (start < data.size()) {
        size_t end = data.find('\0', start);
        if (end == std::string::npos) {
            end = data.size();
        }
        parts.push_back(apr_pstrmemdup(p, data.data() + start, end - start));
        start = end + 1;
    }
    hit->entity = parts.size() > 0 ? parts[0] : "";
    hit->id = parts.size() > 1 ? parts[1] : "";
    hit->title = parts.size() > 2 ? parts[2] : "";
    hit->score = it.get_weight();
    hit->percent = it.get_percent();
    hit->values = apr_hash_make(p);
    for (size_t i = 3; i + 1 < parts.size(); i += 2) {
        apr_hash_set(hit->values, parts[i], APR_HASH_KEY_STRING, parts[i + 1]);
    }
}

static void aggregate_results(apr_pool_t *p, const AggregateSpy &spy, oro_search_result_t *res)
{
    res->aggregates =
        apr_array_make(p, (int)spy.items.size() + 1, sizeof(oro_search_aggregate_result_t));
    for (const auto &item : spy.items) {
        oro_search_aggregate_result_t *a =
            (oro_search_aggregate_result_t *)apr_array_push(res->aggregates);
        memset(a, 0, sizeof *a);
        a->field = item.spec->field;
        a->type = item.spec->type;
        a->function = item.spec->function;
        a->alias = item.spec->alias;
        a->values = apr_array_make(p, (int)item.counts.size() + 1, sizeof(const char *));
        a->counts = apr_array_make(p, (int)item.counts.size() + 1, sizeof(apr_int64_t));
        for (const auto &kv : item.counts) {
            const char *text;
            if (item.spec->type == ORO_SEARCH_TEXT) {
                text = apr_pstrmemdup(p, kv.first.data(), kv.first.size());
            }
            else {
                text = apr_psprintf(p, "%.15g", Xapian::sortable_unserialise(kv.first));
            }
            APR_ARRAY_PUSH(a->values, const char *) = text;
            APR_ARRAY_PUSH(a->counts, apr_int64_t) = kv.second;
        }
        if (strcmp(item.spec->function, "count") != 0 && item.n > 0) {
            a->has_number = 1;
            a->number = strcmp(item.spec->function, "sum") == 0   ? item.sum
                        : strcmp(item.spec->function, "max") == 0 ? item.max
                        : strcmp(item.spec->function, "min") == 0 ? item.min
                                                                  : item.sum / (double)item.n;
        }
    }
}

static int run_once(oro_search_reader_t *r, apr_pool_t *p, const oro_search_query_t *query,
                    const char *text, const oro_search_acl_t *acl, long offset, long limit,
                    oro_search_result_t *res)
{
    Builder b{p, r->db};
    res->more = 0; // NB: a retry after DatabaseModifiedError starts over
    std::vector<Xapian::Query> allowed;
    // documents of the entities visible without condition (global level or no ownership);
    // every document carries exactly one type term, so when these cover the whole index
    // the filter admits everything and only costs time (about a third of a two-word
    // query on 110,000 documents, see docs/PERFORMANCE.md): it is then left out
    Xapian::doccount unconditional = 0;
    bool all_unconditional = true;
    for (int i = 0; i < acl->nentities; i++) {
        const oro_search_acl_entity_t *ae = &acl->entities[i];
        if (ae->level > 0 && wanted(query, ae->entity)) {
            allowed.push_back(Builder::visible(acl, ae));
            if (ae->level >= 5 || ae->ownership == 0) {
                unconditional += r->db->get_termfreq(type_term(ae->entity));
            }
            else {
                all_unconditional = false;
            }
        }
    }
    bool filtered = allowed.empty() || !all_unconditional || unconditional != r->db->get_doccount();
    Xapian::Query filter(Xapian::Query::OP_OR, allowed.begin(), allowed.end());
    Xapian::Query match = Xapian::Query::MatchAll;
    bool weighted = false;
    if (text != NULL && text[0] != '\0') {
        match = b.words(std::string(), text,
                        Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_PARTIAL);
        weighted = true;
    }
    if (query->where != NULL) {
        Xapian::Query where = b.expr(query->where);
        match = weighted ? Xapian::Query(Xapian::Query::OP_AND, match, where) : where;
    }
    Xapian::Enquire enquire(*r->db);
    enquire.set_query(filtered ? Xapian::Query(Xapian::Query::OP_FILTER, match, filter) : match);
    if (!weighted) {
        enquire.set_weighting_scheme(Xapian::BoolWeight());
    }
    if (query->has_order) {
        Xapian::valueno slot = oro_search_slot(query->order_by.type, query->order_by.name,
                                               query->order_by.type == ORO_SEARCH_TEXT);
        enquire.set_sort_by_value_then_relevance(slot, query->order_descending != 0);
    }
    AggregateSpy spy;
    for (int i = 0; i < query->aggregates->nelts; i++) {
        AggregateSpy::Item item;
        item.spec = &APR_ARRAY_IDX(query->aggregates, i, oro_search_aggregate_t);
        item.slot = oro_search_slot(item.spec->type, item.spec->field, 0);
        spy.items.push_back(item);
    }
    Xapian::doccount check_at_least = (Xapian::doccount)(offset + limit + 1);
    if (!spy.items.empty()) {
        enquire.add_matchspy(&spy);
        check_at_least = r->db->get_doccount();
    }
    Xapian::MSet mset =
        enquire.get_mset((Xapian::doccount)offset, (Xapian::doccount)limit + 1, check_at_least);
    res->hits = apr_array_make(p, (int)limit + 1, sizeof(oro_search_hit_t));
    long n = 0;
    for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it, ++n) {
        if (n == limit) {
            res->more = 1;
            break;
        }
        read_hit(p, it, (oro_search_hit_t *)apr_array_push(res->hits));
    }
    res->total = (long long)mset.get_matches_estimated();
    aggregate_results(p, spy, res);
    return 0;
}

extern "C" int oro_search_run(oro_search_reader_t *r, apr_pool_t *p,
                              const oro_search_query_t *query, const char *text,
                              const oro_search_acl_t *acl, long offset, long limit,
                              oro_search_result_t **result, int *bad_request, const char **error)
{
    *bad_request = 0;
    oro_search_result_t *res = (oro_search_result_t *)apr_pcalloc(p, sizeof *res);
    res->hits = apr_array_make(p, 1, sizeof(oro_search_hit_t));
    res->aggregates = apr_array_make(p, 1, sizeof(oro_search_aggregate_result_t));
    *result = res;
    if (r->db == nullptr) {
        return 0; // no index yet: nothing matches
    }
    try {
        try {
            return run_once(r, p, query, text, acl, offset, limit, res);
        } catch (const Xapian::DatabaseModifiedError &) {
            // the indexer committed twice while we read: reopen and try once more
            r->db->reopen();
            return run_once(r, p, query, text, acl, offset, limit, res);
        }
    } catch (const Xapian::QueryParserError &e) {
        *bad_request = 1;
        *error = apr_psprintf(p, "the search text cannot be parsed: %s", e.get_msg().c_str());
    } catch (const Xapian::Error &e) {
        *error = apr_psprintf(p, "could not search the index: %s", e.get_description().c_str());
    } catch (const std::exception &e) {
        *error = apr_psprintf(p, "could not search the index: %s", e.what());
    } catch (...) {
        *error = "could not search the index: unknown error";
    }
    return -1;
}
