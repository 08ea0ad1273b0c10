// bench/search/acl_filter.cc — what the ACL filter costs a top-20 query, without HTTP.
//
//   g++ -std=c++17 -O2 -o acl_filter bench/search/acl_filter.cc -lxapian
//   acl_filter INDEX_VERSION_DIR QUERIES.txt      (one query a line)
//
// Runs every query 5 times in three modes and prints p50/p95 in microseconds (two passes
// each, to show the noise): 0 the bare query (get_mset(0, 21)), 1 the query under the
// filter /api/search built for a global-level user before 2026-11-27 (OP_FILTER with an
// OR of every type term), 2 the bare query with check_at_least 21 as /api/search asks.
// The parser settings are those of lib/search/xapian_read.cc.
#include <xapian.h>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <vector>
#include <string>
#include <algorithm>
int main(int argc, char **argv)
{
    Xapian::Database db(argv[1]);
    std::vector<std::string> qs;
    std::ifstream in(argv[2]);
    std::string l;
    while (std::getline(in, l))
        qs.push_back(l);
    std::vector<std::string> types;
    for (auto t = db.allterms_begin("T"); t != db.allterms_end("T"); ++t) {
        types.push_back(*t);
        printf("%s %u\n", (*t).c_str(), t.get_termfreq());
    }
    printf("doccount %u\n", db.get_doccount());
    for (int mode = 0; mode < 3; mode++)
        for (int rep = 0; rep < 2; rep++) {
            std::vector<double> lat;
            for (int round = 0; round < 5; round++)
                for (auto &q : qs) {
                    auto s = std::chrono::steady_clock::now();
                    Xapian::QueryParser qp;
                    qp.set_database(db);
                    qp.set_stemmer(Xapian::Stem("english"));
                    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
                    qp.set_default_op(Xapian::Query::OP_AND);
                    qp.set_max_expansion(100, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
                    Xapian::Query m = qp.parse_query(q, Xapian::QueryParser::FLAG_DEFAULT |
                                                            Xapian::QueryParser::FLAG_PARTIAL);
                    Xapian::Enquire e(db);
                    if (mode == 1) {
                        std::vector<Xapian::Query> a;
                        for (auto &t : types)
                            a.emplace_back(t);
                        e.set_query(
                            Xapian::Query(Xapian::Query::OP_FILTER, m,
                                          Xapian::Query(Xapian::Query::OP_OR, a.begin(), a.end())));
                    }
                    else
                        e.set_query(m);
                    Xapian::MSet ms = e.get_mset(0, 21, mode == 0 ? 0 : 21);
                    for (auto it = ms.begin(); it != ms.end(); ++it)
                        it.get_document().get_data();
                    lat.push_back(std::chrono::duration<double, std::micro>(
                                      std::chrono::steady_clock::now() - s)
                                      .count());
                }
            std::sort(lat.begin(), lat.end());
            printf("mode %d p50 %.0f p95 %.0f us\n", mode, lat[lat.size() / 2],
                   lat[lat.size() * 95 / 100]);
        }
}
