#include "common.h"

#include <errno.h>
#include <ftw.h>
#include <string.h>
#include <unistd.h>

murr_error_t ERR = MURR_ERROR_INIT;

void check_error_filled(const murr_error_t *e, murr_status_t status, const char *what, const char *file,
                        int line) {
    if (e->status != status || e->message == NULL || e->message[0] == 0 || e->release == NULL) {
        fprintf(stderr, "%s:%d: FAILED: after %s, the error struct holds status %d, message %s, release %s\n",
                file, line, what, (int)e->status, e->message ? e->message : "NULL",
                e->release ? "set" : "NULL");
        exit(1);
    }
}

static char dirs[16][256];
static int n_dirs;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void cleanup_dirs(void) {
    for (int i = 0; i < n_dirs; i++) nftw(dirs[i], remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    /* The error struct outlives every test: release it so LeakSanitizer sees no leak. */
    murr_error_release(&ERR);
}

const char *temp_dir(void) {
    const char *base = getenv("TMPDIR");
    if (n_dirs == 16) FAIL("too many temporary directories");
    snprintf(dirs[n_dirs], sizeof dirs[n_dirs], "%s/murr-c-XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(dirs[n_dirs]) == NULL) FAIL("mkdtemp: %s", strerror(errno));
    if (n_dirs == 0) atexit(cleanup_dirs);
    return dirs[n_dirs++];
}

murr_options_t test_options(void) {
    murr_options_t o;
    murr_options_default(&o);
    o.sync = MURR_SYNC_NEVER;
    o.background_threads = 0;
    o.idle_compaction_millis = -1;
    return o;
}

murr_db_t *open_db(const char *dir) {
    murr_options_t o = test_options();
    murr_db_t *db = NULL;
    CHECK_OK(murr_db_open(dir, &o, &db, &ERR));
    CHECK(db != NULL);
    return db;
}

const char *const T_NAMES[4] = {"id", "score", "count", "name"};
const char *const T_FORMATS[4] = {"l", "f", "l", "u"};

void create_test_table(murr_db_t *db, const char *table) {
    struct ArrowSchema schema;
    au_schema_struct(&schema, 4, T_NAMES, T_FORMATS);
    CHECK_OK(murr_db_create_table(db, table, &schema, "id", &ERR));
    schema.release(&schema);
}

float t_score(int64_t k, int v) { return (float)k * 0.5f + (float)v; }
int64_t t_count(int64_t k, int v) { return k * 1000 + v; }
void t_name(int64_t k, int v, char *buf, size_t size) { snprintf(buf, size, "key-%lld-v%d", (long long)k, v); }
bool t_score_valid(int64_t k) { return k % 7 != 3; }
bool t_name_valid(int64_t k) { return k % 5 != 4; }

void t_batch(struct ArrowArray *array, struct ArrowSchema *schema, int64_t first, int64_t n, int v) {
    int64_t *ids = calloc((size_t)n + 1, sizeof *ids);
    float *scores = calloc((size_t)n + 1, sizeof *scores);
    int64_t *counts = calloc((size_t)n + 1, sizeof *counts);
    uint8_t *score_valid = calloc((size_t)n + 1, 1);
    char **names = calloc((size_t)n + 1, sizeof *names);
    CHECK(ids && scores && counts && score_valid && names);
    for (int64_t i = 0; i < n; i++) {
        int64_t k = first + i;
        ids[i] = k;
        scores[i] = t_score(k, v);
        score_valid[i] = t_score_valid(k);
        counts[i] = t_count(k, v);
        if (t_name_valid(k)) {
            names[i] = malloc(32);
            CHECK(names[i] != NULL);
            t_name(k, v, names[i], 32);
        }
    }
    struct ArrowArray children[4];
    au_array_i64(&children[0], ids, NULL, n);
    au_array_f32(&children[1], scores, score_valid, n);
    au_array_i64(&children[2], counts, NULL, n);
    au_array_utf8(&children[3], (const char *const *)names, n);
    au_array_struct(array, n, children, 4);
    if (schema != NULL) au_schema_struct(schema, 4, T_NAMES, T_FORMATS);
    for (int64_t i = 0; i < n; i++) free(names[i]);
    free(names);
    free(ids);
    free(scores);
    free(counts);
    free(score_valid);
}

void t_check_row(const struct ArrowArray *out, const struct ArrowSchema *schema, int64_t row, int64_t k,
                 int v) {
    char name[32];
    const struct ArrowArray *score = out->children[0], *count = out->children[1], *nm = out->children[2];
    if (au_is_valid(score, row) != t_score_valid(k)) FAIL("row %lld key %lld: score validity", (long long)row, (long long)k);
    if (t_score_valid(k) && au_get_f32(score, row) != t_score(k, v))
        FAIL("row %lld key %lld: score %g, expected %g", (long long)row, (long long)k,
             (double)au_get_f32(score, row), (double)t_score(k, v));
    if (!au_is_valid(count, row) || au_get_i64(count, row) != t_count(k, v))
        FAIL("row %lld key %lld: count %lld, expected %lld", (long long)row, (long long)k,
             (long long)au_get_i64(count, row), (long long)t_count(k, v));
    if (au_is_valid(nm, row) != t_name_valid(k)) FAIL("row %lld key %lld: name validity", (long long)row, (long long)k);
    t_name(k, v, name, sizeof name);
    if (t_name_valid(k) && !au_utf8_eq(nm, schema->children[2]->format, row, name))
        FAIL("row %lld key %lld: name is not %s", (long long)row, (long long)k, name);
}
