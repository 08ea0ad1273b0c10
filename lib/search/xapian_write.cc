// lib/search/xapian_write.cc — the writer side of the Xapian shim: one document per
// record (layout in search.h). Every extern "C" function catches every exception.
#include <cstring>
#include <string>
#include <vector>

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

struct oro_search_writer {
    Xapian::WritableDatabase *db;
    Xapian::TermGenerator *generator;
    const char *path;
};

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

static apr_status_t writer_cleanup(void *data)
{
    oro_search_writer_t *w = (oro_search_writer_t *)data;
    try {
        delete w->generator;
        delete w->db; // commits what is pending, as Xapian's close does
    } catch (...) {
        // nothing can be reported from a pool cleanup; the next writer sees the index
        // as of the last successful commit
    }
    w->generator = nullptr;
    w->db = nullptr;
    return APR_SUCCESS;
}

extern "C" oro_search_writer_t *oro_search_writer_open(apr_pool_t *p, const char *path,
                                                       const char **error)
{
    const char *what = apr_psprintf(p, "could not open search index \"%s\" for writing", path);
    ORO_SEARCH_TRY(p, error, what, (oro_search_writer_t *)nullptr, {
        oro_search_writer_t *w = (oro_search_writer_t *)apr_pcalloc(p, sizeof *w);
        w->db = new Xapian::WritableDatabase(path, Xapian::DB_CREATE_OR_OPEN);
        w->generator = new Xapian::TermGenerator();
        w->generator->set_stemmer(Xapian::Stem("english"));
        w->generator->set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
        w->path = apr_pstrdup(p, path);
        apr_pool_cleanup_register(p, w, writer_cleanup, apr_pool_cleanup_null);
        return w;
    })
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

extern "C" int oro_search_writer_replace(oro_search_writer_t *w, apr_pool_t *p,
                                         const oro_search_doc_t *d, int *title_changed,
                                         const char **error)
{
    const char *what = apr_psprintf(p, "could not index %s %s", d->entity, d->id);
    ORO_SEARCH_TRY(p, error, what, -1, {
        Xapian::Document doc;
        Xapian::TermGenerator &tg = *w->generator;
        tg.set_document(doc);
        std::string data;
        append_data(data, d->entity);
        append_data(data, d->id);
        append_data(data, d->title);
        for (int i = 0; i < d->nfields; i++) {
            const oro_search_field_t *f = &d->fields[i];
            if (f->text == NULL || f->text[0] == '\0') {
                continue;
            }
            std::string name(f->name);
            doc.add_boolean_term(presence_term(name));
            append_data(data, f->name);
            append_data(data, f->text);
            if (f->type == ORO_SEARCH_TEXT) {
                std::string text(f->text);
                // the field's words without positions: phrases are only matched in
                // all_text (a field condition matches a phrase's words in any order,
                // lib/search/xapian_read.cc), and positions were a sixth of the cost
                // of a document (docs/PERFORMANCE.md)
                // and unstemmed: a field condition matches the words as written (as
                // Oro's contains does); stems, which doubled the field's terms, are
                // for the free text in all_text
                tg.set_stemming_strategy(Xapian::TermGenerator::STEM_NONE);
                tg.index_text_without_positions(text, 1, field_prefix(name));
                tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
                tg.index_text(text); // all_text
                tg.increase_termpos();
                doc.add_boolean_term(exact_term(name, text));
                doc.add_value(oro_search_slot(f->type, f->name, 0), text);
                doc.add_value(oro_search_slot(f->type, f->name, 1), lower(text));
            }
            else {
                doc.add_value(oro_search_slot(f->type, f->name, 0),
                              Xapian::sortable_serialise(f->number));
            }
        }
        doc.set_data(data);
        std::string unique = id_term(d->entity, d->id);
        if (title_changed != NULL) {
            std::string before;
            *title_changed =
                !stored_title(*w->db, unique, before) || before != (d->title ? d->title : "");
        }
        doc.add_boolean_term(unique);
        doc.add_boolean_term(type_term(d->entity));
        if (d->organization_id > 0) {
            doc.add_boolean_term(organization_term(d->organization_id));
        }
        if (d->owner_id > 0) {
            doc.add_boolean_term(owner_term(d->owner_id));
        }
        if (d->business_unit_id > 0) {
            doc.add_boolean_term(unit_term(d->business_unit_id));
        }
        w->db->replace_document(unique, doc);
        return 0;
    })
}

extern "C" int oro_search_writer_stored(oro_search_writer_t *w, apr_pool_t *p, const char *entity,
                                        const char *id, const char *field, const char **value,
                                        const char **error)
{
    const char *what = apr_psprintf(p, "could not read the document of %s %s", entity, id);
    ORO_SEARCH_TRY(p, error, what, -1, {
        *value = NULL;
        std::string unique = id_term(entity, id);
        Xapian::PostingIterator it = w->db->postlist_begin(unique);
        if (it == w->db->postlist_end(unique)) {
            return 0;
        }
        // entity \0 id \0 title \0 then name \0 value \0 per field (append_data)
        std::string data = w->db->get_document(*it).get_data();
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
        w->db->delete_document(id_term(entity, id));
        return 0;
    })
}

extern "C" int oro_search_writer_commit(oro_search_writer_t *w, apr_pool_t *p, const char **error)
{
    const char *what = apr_psprintf(p, "could not commit the search index \"%s\"", w->path);
    ORO_SEARCH_TRY(p, error, what, -1, {
        w->db->commit();
        return 0;
    })
}

extern "C" long long oro_search_writer_count(oro_search_writer_t *w)
{
    try {
        return (long long)w->db->get_doccount();
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
        if (w->db != nullptr) {
            w->db->close();
        }
        writer_cleanup(w);
        return 0;
    })
}

extern "C" long long oro_search_writer_copy(oro_search_writer_t *w, apr_pool_t *p,
                                            const char *source, const char *const *skip_types,
                                            int nskip, const char **error)
{
    const char *what = apr_psprintf(p, "could not copy documents from \"%s\"", source);
    ORO_SEARCH_TRY(p, error, what, -1LL, {
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
                w->db->add_document(from.get_document(*d));
                copied++;
            }
        }
        return copied;
    })
}
