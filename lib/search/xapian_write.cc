// lib/search/xapian_write.cc — the writer side of the Xapian shim: one document per
// record (layout in search.h). Every extern "C" function catches every exception.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <sys/stat.h>

#include "search/xapian_internal.h"

namespace oro_search {

std::string lower(const std::string &text)
{
    std::string out(text);
    for (auto &c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
    }
    return out;
}

std::string exact_term(const std::string &field, const std::string &value)
{
    std::string v = lower(value);
    if (v.size() > EXACT_TERM_MAX) {
        v.resize(EXACT_TERM_MAX);
    }
    return "XE" + field + ":" + v;
}

} // namespace oro_search

using namespace oro_search;

extern "C" unsigned oro_search_slot(oro_search_type_t type, const char *name, int lowercased)
{
    // FNV-1a over "type:name[:lc]"; slots below 16 stay free for fixed uses.
    unsigned h = 2166136261u;
    auto mix = [&h](const char *s) {
        for (; *s; s++) {
            h ^= (unsigned char)*s;
            h *= 16777619u;
        }
    };
    const char *type_name = oro_search_type_name(type);
    mix(type_name ? type_name : "text");
    mix(":");
    mix(name);
    if (lowercased) {
        mix(":lc");
    }
    return 16 + h % 0x7fffff00u;
}

// The stored data: entity \0 id \0 title \0 then name \0 value \0 per field.
static void append_data(std::string &data, const char *text)
{
    data.append(text ? text : "");
    data.push_back('\0');
}

// The stored title of the document with the unique term, or nullptr when there is none.
static bool stored_title(Xapian::WritableDatabase &db, const std::string &unique,
                         std::string &title)
{
    Xapian::PostingIterator it = db.postlist_begin(unique);
    if (it == db.postlist_end(unique)) {
        return false;
    }
    std::string data = db.get_document(*it).get_data();
    size_t a = data.find('\0');
    size_t b = a == std::string::npos ? a : data.find('\0', a + 1);
    size_t c = b == std::string::npos ? b : data.find('\0', b + 1);
    if (c == std::string::npos) {
        return false;
    }
    title.assign(data, b + 1, c - b - 1);
    return true;
}


// ---------------------------------------------------------------- shards
//
// A version directory written since session 4 holds OroSearchShards glass databases
// s0, s1, … and a stub file XAPIANDB naming them, which Xapian opens as one database
// (readers open the directory as before). A record's document lives in the shard its
// unique term hashes to. The writer queues replacements and deletions per shard and
// applies them with one thread per shard: building documents and merging postings is
// nearly all of the indexer's time, and it spreads over the cores. A directory with a
// single database (earlier versions) is one shard.

namespace {

// A queued change: the record's fields copied (the caller's pool may go first).
struct pending_t {
    bool remove = false;
    std::string unique, entity, id, title;
    long long organization_id = 0, owner_id = 0, business_unit_id = 0;
    struct field_t {
        std::string name, text;
        oro_search_type_t type;
        bool has_text;
        double number;
    };
    std::vector<field_t> fields;
};

struct shard_t {
    std::string path;
    Xapian::WritableDatabase *db = nullptr;
    Xapian::TermGenerator *generator = nullptr;
    std::vector<pending_t> pending;
    // titles of the queued documents (or "deleted"), for title_changed before a flush
    std::unordered_map<std::string, std::pair<bool, std::string>> queued;
    std::string error; // of the last flush
};

} // namespace

struct oro_search_writer {
    std::vector<shard_t> *shards;
    size_t npending;
    const char *path;
};

// Queued changes applied before this many accumulate (memory stays bounded, and each
// thread gets a sizeable share).
static const size_t FLUSH_AT = 4096;

static size_t shard_of(const oro_search_writer_t *w, const std::string &unique)
{
    uint32_t h = 2166136261u; // FNV-1a: the same on every host and in every version
    for (unsigned char c : unique) {
        h ^= c;
        h *= 16777619u;
    }
    return h % w->shards->size();
}

// The Xapian document of a queued record (layout in search.h).
static Xapian::Document build_document(Xapian::TermGenerator &tg, const pending_t &d)
{
    Xapian::Document doc;
    tg.set_document(doc);
    std::string data;
    append_data(data, d.entity.c_str());
    append_data(data, d.id.c_str());
    append_data(data, d.title.c_str());
    for (const auto &f : d.fields) {
        if (!f.has_text || f.text.empty()) {
            continue;
        }
        doc.add_boolean_term(presence_term(f.name));
        append_data(data, f.name.c_str());
        append_data(data, f.text.c_str());
        if (f.type == ORO_SEARCH_TEXT) {
            // the field's words without positions: phrases are only matched in all_text
            // (a field condition matches a phrase's words in any order,
            // lib/search/xapian_read.cc), and positions were a sixth of the cost of a
            // document (docs/PERFORMANCE.md); and unstemmed: a field condition matches
            // the words as written (as Oro's contains does); stems, which doubled the
            // field's terms, are for the free text in all_text
            tg.set_stemming_strategy(Xapian::TermGenerator::STEM_NONE);
            tg.index_text_without_positions(f.text, 1, field_prefix(f.name));
            tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
            tg.index_text(f.text); // all_text
            tg.increase_termpos();
            doc.add_boolean_term(exact_term(f.name, f.text));
            doc.add_value(oro_search_slot(f.type, f.name.c_str(), 0), f.text);
            doc.add_value(oro_search_slot(f.type, f.name.c_str(), 1), lower(f.text));
        }
        else {
            doc.add_value(oro_search_slot(f.type, f.name.c_str(), 0),
                          Xapian::sortable_serialise(f.number));
        }
    }
    doc.set_data(data);
    doc.add_boolean_term(d.unique);
    doc.add_boolean_term(type_term(d.entity));
    if (d.organization_id > 0) {
        doc.add_boolean_term(organization_term(d.organization_id));
    }
    if (d.owner_id > 0) {
        doc.add_boolean_term(owner_term(d.owner_id));
    }
    if (d.business_unit_id > 0) {
        doc.add_boolean_term(unit_term(d.business_unit_id));
    }
    return doc;
}

// Applies a shard's queue; an exception becomes s.error (threads must not throw).
static void apply(shard_t &s)
{
    try {
        for (const auto &op : s.pending) {
            if (op.remove) {
                s.db->delete_document(op.unique);
            }
            else {
                s.db->replace_document(op.unique, build_document(*s.generator, op));
            }
        }
    } catch (const Xapian::Error &e) {
        s.error = "shard " + s.path + ": " + e.get_description();
    } catch (const std::exception &e) {
        s.error = "shard " + s.path + ": " + e.what();
    }
}

// Runs fn on every shard that wants it, in parallel when several do; the first error
// is thrown (as std::runtime_error) once all have ended.
template <typename Want, typename Fn> static void on_shards(oro_search_writer_t *w, Want want, Fn fn)
{
    std::vector<shard_t *> busy;
    for (auto &s : *w->shards) {
        s.error.clear();
        if (want(s)) {
            busy.push_back(&s);
        }
    }
    if (busy.size() == 1) {
        fn(*busy[0]);
    }
    else if (busy.size() > 1) {
        std::vector<std::thread> threads;
        for (size_t i = 1; i < busy.size(); i++) {
            threads.emplace_back([&fn, s = busy[i]] { fn(*s); });
        }
        fn(*busy[0]);
        for (auto &t : threads) {
            t.join();
        }
    }
    for (auto *s : busy) {
        if (!s->error.empty()) {
            throw std::runtime_error(s->error);
        }
    }
}

static void flush(oro_search_writer_t *w)
{
    if (w->npending == 0) {
        return;
    }
    w->npending = 0;
    try {
        on_shards(w, [](shard_t &s) { return !s.pending.empty(); }, apply);
    } catch (...) {
        for (auto &s : *w->shards) {
            s.pending.clear();
            s.queued.clear();
        }
        throw;
    }
    for (auto &s : *w->shards) {
        s.pending.clear();
        s.queued.clear();
    }
}

static void close_shards(oro_search_writer_t *w)
{
    for (auto &s : *w->shards) {
        delete s.generator;
        s.generator = nullptr;
        delete s.db; // commits what is pending, as Xapian's close does
        s.db = nullptr;
    }
}

static apr_status_t writer_cleanup(void *data)
{
    oro_search_writer_t *w = (oro_search_writer_t *)data;
    try {
        if (w->shards != nullptr) {
            close_shards(w);
        }
    } catch (...) {
        // nothing can be reported from a pool cleanup; the next writer sees the index
        // as of the last successful commit
    }
    delete w->shards;
    w->shards = nullptr;
    return APR_SUCCESS;
}

// The shard paths of the version at path: those its XAPIANDB names, path itself for a
// single database, or `shards` new ones (written to XAPIANDB) for an empty or absent
// directory.
static std::vector<std::string> shard_paths(const std::string &path, int shards)
{
    std::vector<std::string> paths;
    std::ifstream stub(path + "/XAPIANDB");
    if (stub) {
        std::string backend, name;
        while (stub >> backend >> name) {
            if (backend != "glass" || name.empty() || name.find('/') != std::string::npos) {
                throw std::runtime_error("unexpected line in " + path + "/XAPIANDB: \"" +
                                         backend + " " + name + "\"");
            }
            paths.push_back(path + "/" + name);
        }
        if (paths.empty()) {
            throw std::runtime_error(path + "/XAPIANDB names no database");
        }
        return paths;
    }
    struct stat st;
    if (stat((path + "/iamglass").c_str(), &st) == 0) {
        paths.push_back(path);
        return paths;
    }
    if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
        throw std::runtime_error("could not create " + path + ": " + std::strerror(errno));
    }
    std::string text;
    for (int i = 0; i < shards; i++) {
        std::string name = "s" + std::to_string(i);
        Xapian::WritableDatabase(path + "/" + name, Xapian::DB_CREATE_OR_OPEN).close();
        paths.push_back(path + "/" + name);
        text += "glass " + name + "\n";
    }
    // the stub last, by rename: a reader never sees one naming a missing shard
    std::string tmp = path + "/XAPIANDB.tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << text;
        if (!out.flush()) {
            throw std::runtime_error("could not write " + tmp);
        }
    }
    if (rename(tmp.c_str(), (path + "/XAPIANDB").c_str()) != 0) {
        throw std::runtime_error("could not rename " + tmp + ": " + std::strerror(errno));
    }
    return paths;
}

extern "C" oro_search_writer_t *oro_search_writer_open(apr_pool_t *p, const char *path,
                                                       const char **error)
{
    return oro_search_writer_create(p, path, ORO_SEARCH_DEFAULT_SHARDS, error);
}

extern "C" oro_search_writer_t *oro_search_writer_create(apr_pool_t *p, const char *path,
                                                         int shards, const char **error)
{
    const char *what = apr_psprintf(p, "could not open search index \"%s\" for writing", path);
    if (shards < 1 || shards > ORO_SEARCH_MAX_SHARDS) {
        *error = apr_psprintf(p, "%s: %d shards (1 to %d)", what, shards, ORO_SEARCH_MAX_SHARDS);
        return nullptr;
    }
    oro_search_writer_t *w = (oro_search_writer_t *)apr_pcalloc(p, sizeof *w);
    w->path = apr_pstrdup(p, path);
    apr_pool_cleanup_register(p, w, writer_cleanup, apr_pool_cleanup_null);
    ORO_SEARCH_TRY(p, error, what, (apr_pool_cleanup_run(p, w, writer_cleanup), nullptr), {
        w->shards = new std::vector<shard_t>();
        for (const auto &shard_path : shard_paths(path, shards)) {
            shard_t s;
            s.path = shard_path;
            w->shards->push_back(std::move(s));
            shard_t &added = w->shards->back();
            added.db = new Xapian::WritableDatabase(shard_path, Xapian::DB_CREATE_OR_OPEN);
            added.generator = new Xapian::TermGenerator();
            added.generator->set_stemmer(Xapian::Stem("english"));
            added.generator->set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
        }
        return w;
    })
}

extern "C" int oro_search_writer_replace(oro_search_writer_t *w, apr_pool_t *p,
                                         const oro_search_doc_t *d, int *title_changed,
                                         const char **error)
{
    const char *what = apr_psprintf(p, "could not index %s %s", d->entity, d->id);
    ORO_SEARCH_TRY(p, error, what, -1, {
        pending_t op;
        op.unique = id_term(d->entity, d->id);
        op.entity = d->entity;
        op.id = d->id;
        op.title = d->title ? d->title : "";
        op.organization_id = d->organization_id;
        op.owner_id = d->owner_id;
        op.business_unit_id = d->business_unit_id;
        op.fields.reserve((size_t)d->nfields);
        for (int i = 0; i < d->nfields; i++) {
            const oro_search_field_t *f = &d->fields[i];
            op.fields.emplace_back();
            pending_t::field_t &copy = op.fields.back();
            copy.name = f->name;
            copy.text = f->text ? f->text : "";
            copy.type = f->type;
            copy.has_text = f->text != NULL;
            copy.number = f->number;
        }
        shard_t &s = (*w->shards)[shard_of(w, op.unique)];
        if (title_changed != NULL) {
            auto q = s.queued.find(op.unique);
            std::string before;
            bool had = q != s.queued.end() ? (before = q->second.second, q->second.first)
                                           : stored_title(*s.db, op.unique, before);
            *title_changed = !had || before != op.title;
        }
        s.queued[op.unique] = std::make_pair(true, op.title);
        s.pending.push_back(std::move(op));
        if (++w->npending >= FLUSH_AT) {
            flush(w);
        }
        return 0;
    })
}

extern "C" int oro_search_writer_stored(oro_search_writer_t *w, apr_pool_t *p, const char *entity,
                                        const char *id, const char *field, const char **value,
                                        const char **error)
{
    const char *what = apr_psprintf(p, "could not read the document of %s %s", entity, id);
    ORO_SEARCH_TRY(p, error, what, -1, {
        flush(w);
        *value = NULL;
        std::string unique = id_term(entity, id);
        Xapian::WritableDatabase &db = *(*w->shards)[shard_of(w, unique)].db;
        Xapian::PostingIterator it = db.postlist_begin(unique);
        if (it == db.postlist_end(unique)) {
            return 0;
        }
        // entity \0 id \0 title \0 then name \0 value \0 per field (append_data)
        std::string data = db.get_document(*it).get_data();
        std::vector<std::string> parts;
        size_t start = 0;
        while (start < data.size()) {
            size_t end = data.find('\0', start);
            if (end == std::string::npos) {
                end = data.size();
            }
            parts.emplace_back(data, start, end - start);
            start = end + 1;
        }
        for (size_t i = 3; i + 1 < parts.size(); i += 2) {
            if (parts[i] == field) {
                *value = apr_pstrmemdup(p, parts[i + 1].data(), parts[i + 1].size());
                break;
            }
        }
        return 1;
    })
}

extern "C" int oro_search_writer_delete(oro_search_writer_t *w, apr_pool_t *p, const char *entity,
                                        const char *id, const char **error)
{
    const char *what = apr_psprintf(p, "could not remove %s %s from the search index", entity, id);
    ORO_SEARCH_TRY(p, error, what, -1, {
        pending_t op;
        op.remove = true;
        op.unique = id_term(entity, id);
        shard_t &s = (*w->shards)[shard_of(w, op.unique)];
        s.queued[op.unique] = std::make_pair(false, std::string());
        s.pending.push_back(std::move(op));
        if (++w->npending >= FLUSH_AT) {
            flush(w);
        }
        return 0;
    })
}

extern "C" int oro_search_writer_commit(oro_search_writer_t *w, apr_pool_t *p, const char **error)
{
    const char *what = apr_psprintf(p, "could not commit the search index \"%s\"", w->path);
    ORO_SEARCH_TRY(p, error, what, -1, {
        flush(w);
        // the shards' commits in parallel too: each writes and syncs its own files
        on_shards(w, [](shard_t &) { return true; }, [](shard_t &s) {
            try {
                s.db->commit();
            } catch (const Xapian::Error &e) {
                s.error = "shard " + s.path + ": " + e.get_description();
            }
        });
        return 0;
    })
}

extern "C" long long oro_search_writer_count(oro_search_writer_t *w)
{
    try {
        flush(w);
        long long n = 0;
        for (auto &s : *w->shards) {
            n += (long long)s.db->get_doccount();
        }
        return n;
    } catch (...) {
        return -1;
    }
}

extern "C" const char *oro_search_writer_path(const oro_search_writer_t *w)
{
    return w->path;
}

extern "C" int oro_search_writer_close(oro_search_writer_t *w, apr_pool_t *p, const char **error)
{
    const char *what = apr_psprintf(p, "could not close the search index \"%s\"", w->path);
    ORO_SEARCH_TRY(p, error, what, -1, {
        if (w->shards != nullptr) {
            flush(w);
            for (auto &s : *w->shards) {
                s.db->close();
            }
        }
        apr_pool_cleanup_run(p, w, writer_cleanup);
        return 0;
    })
}

extern "C" long long oro_search_writer_copy(oro_search_writer_t *w, apr_pool_t *p,
                                            const char *source, const char *const *skip_types,
                                            int nskip, const char **error)
{
    const char *what = apr_psprintf(p, "could not copy documents from \"%s\"", source);
    ORO_SEARCH_TRY(p, error, what, -1LL, {
        flush(w);
        long long copied = 0;
        Xapian::Database from(source);
        for (Xapian::TermIterator t = from.allterms_begin("T"); t != from.allterms_end("T"); ++t) {
            std::string type = (*t).substr(1);
            bool skip = false;
            for (int i = 0; i < nskip; i++) {
                skip = skip || type == skip_types[i];
            }
            if (skip) {
                continue;
            }
            for (Xapian::PostingIterator d = from.postlist_begin(*t); d != from.postlist_end(*t);
                 ++d) {
                Xapian::Document doc = from.get_document(*d);
                // the document's unique term names its shard here (the source may have
                // another number of shards)
                Xapian::TermIterator q = doc.termlist_begin();
                q.skip_to("Q" + type + ":");
                if (q == doc.termlist_end() || (*q).compare(0, type.size() + 2, "Q" + type + ":")) {
                    throw std::runtime_error("document " + std::to_string(*d) + " of type " + type +
                                             " has no unique term");
                }
                (*w->shards)[shard_of(w, *q)].db->add_document(doc);
                copied++;
            }
        }
        return copied;
    })
}
