/* lib/search/index_dir.c — the layout of OroSearchIndex (search.h): versions, the
 * "current" link switched by rename(2), the writers' lock, and the rebuild journal. */
#include <apr_hash.h>
#include <apr_strings.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "search/search.h"

/* nftw(3) passes no context: the owner to give, set by the caller (one thread: oroctl). */
static uid_t owner_uid;
static gid_t owner_gid;

static int give_owner(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    if (lchown(path, owner_uid, owner_gid) != 0) {
        return 0; /* best effort: the writer then reports what it cannot open */
    }
    return 0;
}

void oro_search_dir_match_owner(apr_pool_t *p, const char *dir, const char *path)
{
    struct stat st;
    (void)p;
    if (geteuid() != 0 || stat(dir, &st) != 0) {
        return;
    }
    /* a version holds shard directories: the whole tree */
    owner_uid = st.st_uid;
    owner_gid = st.st_gid;
    nftw(path, give_owner, 16, FTW_PHYS);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    if (flag == FTW_DP) {
        rmdir(path);
    }
    else {
        unlink(path);
    }
    return 0;
}

const char *oro_search_dir_current(apr_pool_t *p, const char *dir)
{
    char target[PATH_MAX];
    const char *link = apr_pstrcat(p, dir, "/current", NULL);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n <= 0) {
        return NULL;
    }
    target[n] = '\0';
    return target[0] == '/' ? apr_pstrdup(p, target) : apr_pstrcat(p, dir, "/", target, NULL);
}

/* The number N of a "vN" entry, or 0. */
static long version_number(const char *name)
{
    if (name[0] != 'v' || name[1] < '1' || name[1] > '9') {
        return 0;
    }
    char *end;
    long n = strtol(name + 1, &end, 10);
    return *end == '\0' ? n : 0;
}

static long highest_version(const char *dir)
{
    DIR *d = opendir(dir);
    long max = 0;
    if (d == NULL) {
        return 0;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        long n = version_number(e->d_name);
        max = n > max ? n : max;
    }
    closedir(d);
    return max;
}

const char *oro_search_dir_new_version(apr_pool_t *p, const char *dir, const char **error)
{
    for (long n = highest_version(dir) + 1;; n++) {
        const char *path = apr_psprintf(p, "%s/v%ld", dir, n);
        if (mkdir(path, 0755) == 0) {
            oro_search_dir_match_owner(p, dir, path);
            return path;
        }
        if (errno != EEXIST) {
            *error = apr_psprintf(p, "could not create search index version \"%s\": %s", path,
                                  strerror(errno));
            return NULL;
        }
    }
}

int oro_search_dir_switch(apr_pool_t *p, const char *dir, const char *version, const char **error)
{
    const char *previous = oro_search_dir_current(p, dir);
    const char *base = strrchr(version, '/') ? strrchr(version, '/') + 1 : version;
    const char *tmp = apr_psprintf(p, "%s/current.%ld", dir, (long)getpid());
    const char *link = apr_pstrcat(p, dir, "/current", NULL);
    unlink(tmp);
    oro_search_dir_match_owner(p, dir, version);
    if (symlink(base, tmp) != 0 || (oro_search_dir_match_owner(p, dir, tmp), 0) ||
        rename(tmp, link) != 0) {
        *error = apr_psprintf(p, "could not switch the search index \"%s\" to \"%s\": %s", dir,
                              base, strerror(errno));
        unlink(tmp);
        return -1;
    }
    /* Keep the previous version (readers may still be opening it); remove older ones.
     * Readers that hold files of a removed version keep reading them (POSIX). */
    long keep_new = version_number(base);
    long keep_old = previous ? version_number(strrchr(previous, '/') + 1) : 0;
    DIR *d = opendir(dir);
    if (d != NULL) {
        for (struct dirent *e; (e = readdir(d)) != NULL;) {
            long n = version_number(e->d_name);
            if (n > 0 && n != keep_new && n != keep_old && n < keep_new) {
                /* the version and its shard directories */
                nftw(apr_pstrcat(p, dir, "/", e->d_name, NULL), remove_entry, 16,
                     FTW_DEPTH | FTW_PHYS);
            }
        }
        closedir(d);
    }
    return 0;
}

int oro_search_dir_ensure(apr_pool_t *p, const char *dir, int shards, const char **error)
{
    if (oro_search_dir_current(p, dir) != NULL) {
        return 0;
    }
    const char *version = oro_search_dir_new_version(p, dir, error);
    if (version == NULL) {
        return -1;
    }
    oro_search_writer_t *w = oro_search_writer_create(p, version, shards, error);
    if (w == NULL || oro_search_writer_close(w, p, error) != 0) {
        return -1;
    }
    return oro_search_dir_switch(p, dir, version, error);
}

struct oro_search_lock {
    int fd;
};

static apr_status_t lock_cleanup(void *data)
{
    oro_search_lock_t *lock = data;
    if (lock->fd >= 0) {
        close(lock->fd); /* releases the flock */
        lock->fd = -1;
    }
    return APR_SUCCESS;
}

oro_search_lock_t *oro_search_lock_acquire(apr_pool_t *p, const char *dir, int exclusive,
                                           const char **error)
{
    const char *path = apr_pstrcat(p, dir, "/write.lock", NULL);
    oro_search_lock_t *lock = apr_pcalloc(p, sizeof *lock);
    lock->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock->fd < 0) {
        *error = apr_psprintf(p, "could not open the search index lock \"%s\": %s", path,
                              strerror(errno));
        return NULL;
    }
    apr_pool_cleanup_register(p, lock, lock_cleanup, apr_pool_cleanup_null);
    oro_search_dir_match_owner(p, dir, path);
    while (flock(lock->fd, exclusive ? LOCK_EX : LOCK_SH) != 0) {
        if (errno != EINTR) {
            *error = apr_psprintf(p, "could not lock \"%s\": %s", path, strerror(errno));
            return NULL;
        }
    }
    return lock;
}

void oro_search_lock_release(oro_search_lock_t *lock)
{
    lock_cleanup(lock);
}

const char *oro_search_dir_building(apr_pool_t *p, const char *dir)
{
    char buf[PATH_MAX];
    FILE *f = fopen(apr_pstrcat(p, dir, "/building", NULL), "r");
    if (f == NULL) {
        return NULL;
    }
    const char *out = fgets(buf, sizeof buf, f) ? apr_pstrdup(p, buf) : NULL;
    fclose(f);
    if (out != NULL) {
        char *nl = strchr(out, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
    }
    return out;
}

int oro_search_dir_set_building(apr_pool_t *p, const char *dir, const char *version,
                                const char **error)
{
    const char *path = apr_pstrcat(p, dir, "/building", NULL);
    const char *journal = apr_pstrcat(p, dir, "/journal", NULL);
    unlink(journal);
    if (version == NULL) {
        unlink(path);
        return 0;
    }
    FILE *f = fopen(path, "w");
    if (f == NULL || fprintf(f, "%s\n", version) < 0 || fclose(f) != 0) {
        *error = apr_psprintf(p, "could not write \"%s\": %s", path, strerror(errno));
        return -1;
    }
    oro_search_dir_match_owner(p, dir, path);
    /* the indexer (another user when oroctl runs as root) appends to it */
    FILE *j = fopen(journal, "w");
    if (j != NULL) {
        fclose(j);
        oro_search_dir_match_owner(p, dir, journal);
    }
    return 0;
}

int oro_search_journal_append(apr_pool_t *p, const char *dir, const char *entity,
                              const apr_array_header_t *ids, const char **error)
{
    const char *path = apr_pstrcat(p, dir, "/journal", NULL);
    FILE *f = fopen(path, "a");
    if (f == NULL) {
        *error = apr_psprintf(p, "could not open \"%s\": %s", path, strerror(errno));
        return -1;
    }
    for (int i = 0; i < ids->nelts; i++) {
        fprintf(f, "%s %s\n", entity, APR_ARRAY_IDX(ids, i, const char *));
    }
    if (fclose(f) != 0) {
        *error = apr_psprintf(p, "could not write \"%s\": %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

apr_hash_t *oro_search_journal_read(apr_pool_t *p, const char *dir)
{
    apr_hash_t *out = apr_hash_make(p);
    FILE *f = fopen(apr_pstrcat(p, dir, "/journal", NULL), "r");
    if (f == NULL) {
        return out;
    }
    char line[512];
    while (fgets(line, sizeof line, f) != NULL) {
        char *space = strchr(line, ' ');
        char *nl = strchr(line, '\n');
        if (space == NULL || nl == NULL) {
            continue;
        }
        *space = '\0';
        *nl = '\0';
        apr_array_header_t *ids = apr_hash_get(out, line, APR_HASH_KEY_STRING);
        if (ids == NULL) {
            ids = apr_array_make(p, 16, sizeof(const char *));
            apr_hash_set(out, apr_pstrdup(p, line), APR_HASH_KEY_STRING, ids);
        }
        APR_ARRAY_PUSH(ids, const char *) = apr_pstrdup(p, space + 1);
    }
    fclose(f);
    return out;
}
