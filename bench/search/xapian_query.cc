// bench/search/xapian_query.cc — the baseline of `bench/run search`: a bare Xapian 1.4
// program answering the same queries as /api/search on the same index, top 20, with the
// same query parser settings (English stemming, AND, partial last word) and no HTTP.
//   xapian_query INDEX_DIR QUERIES_FILE ROUNDS
// Prints "p50_ms p95_ms queries" over every query of every round (after one uncounted
// warm-up round).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <xapian.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        std::fprintf(stderr, "usage: xapian_query INDEX_DIR QUERIES_FILE ROUNDS\n");
        return 2;
    }
    try {
        Xapian::Database db(argv[1]);
        std::ifstream in(argv[2]);
        std::vector<std::string> queries;
        for (std::string line; std::getline(in, line);) {
            if (!line.empty()) {
                queries.push_back(line);
            }
        }
        int rounds = std::atoi(argv[3]);
        std::vector<double> ms;
        Xapian::QueryParser qp;
        qp.set_database(db);
        qp.set_stemmer(Xapian::Stem("english"));
        qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        qp.set_default_op(Xapian::Query::OP_AND);
        qp.set_max_expansion(100, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
        // round 0 warms the page cache and Xapian's own state and is not counted, as
        // bench/run also warms /api/search and PostgreSQL before measuring them
        for (int r = 0; r <= rounds; r++) {
            for (const auto &q : queries) {
                auto t0 = std::chrono::steady_clock::now();
                Xapian::Enquire enquire(db);
                enquire.set_query(qp.parse_query(q, Xapian::QueryParser::FLAG_DEFAULT |
                                                        Xapian::QueryParser::FLAG_PARTIAL));
                Xapian::MSet mset = enquire.get_mset(0, 21);
                size_t n = 0;
                for (auto it = mset.begin(); it != mset.end(); ++it) {
                    n += it.get_document().get_data().size(); // read what the API reads
                }
                auto t1 = std::chrono::steady_clock::now();
                if (r > 0) {
                    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count() +
                                 (n == (size_t)-1 ? 1 : 0));
                }
            }
        }
        std::sort(ms.begin(), ms.end());
        auto pct = [&ms](double p) { return ms[(size_t)(p * (double)(ms.size() - 1))]; };
        std::printf("%.3f %.3f %zu\n", pct(0.50), pct(0.95), ms.size());
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "xapian_query: %s\n", e.get_description().c_str());
        return 1;
    }
    return 0;
}
