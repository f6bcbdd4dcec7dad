/* Four reader threads and one writer on one handle. The writer rewrites keys 0..N-1 in
 * rounds (every column of a row derived from (key, round), written in one batch), flushing
 * and compacting now and then; readers read random keys (Arrow and dense reads, sometimes
 * through a snapshot read twice) and check every row is consistent — all its columns from
 * the same round — and that rounds never go backwards for a key a reader has seen. */
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "common.h"

enum { N = 512, ROUNDS = 60, READERS = 4, BATCH = 64 };

static murr_db_t *db;
static int done;
static const char *const COLS[] = {"score", "count", "name"};

static float score_of(int64_t k, int r) { return (float)(r * 10000 + k); }
static int64_t count_of(int64_t k, int r) { return (int64_t)r * 10000 + k; }

static void write_round(int r) {
    static const char *const names[] = {"id", "score", "count", "name"};
    static const char *const formats[] = {"l", "f", "l", "u"};
    int64_t ids[N], counts[N];
    float scores[N];
    char bufs[N][32];
    const char *strs[N];
    for (int64_t k = 0; k < N; k++) {
        ids[k] = k;
        scores[k] = score_of(k, r);
        counts[k] = count_of(k, r);
        snprintf(bufs[k], sizeof bufs[k], "%d-%lld", r, (long long)k);
        strs[k] = bufs[k];
    }
    struct ArrowArray children[4], batch;
    struct ArrowSchema schema;
    au_array_i64(&children[0], ids, NULL, N);
    au_array_f32(&children[1], scores, NULL, N);
    au_array_i64(&children[2], counts, NULL, N);
    au_array_utf8(&children[3], strs, N);
    au_array_struct(&batch, N, children, 4);
    au_schema_struct(&schema, 4, names, formats);
    murr_error_t e = MURR_ERROR_INIT;
    if (murr_db_write(db, "t", &batch, &schema, NULL, &e) != MURR_OK) FAIL("write round %d: %s", r, e.message);
    schema.release(&schema);
}

static void *writer(void *arg) {
    (void)arg;
    murr_error_t e = MURR_ERROR_INIT;
    for (int r = 1; r <= ROUNDS; r++) {
        write_round(r);
        if (r % 10 == 0 && murr_db_flush(db, &e) != MURR_OK) FAIL("flush: %s", e.message);
        if (r % 25 == 0 && murr_db_compact(db, &e) != MURR_OK) FAIL("compact: %s", e.message);
    }
    __atomic_store_n(&done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

struct reader {
    unsigned seed;
    int seen[N];
    long reads;
};

static unsigned next_rand(unsigned *s) {
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xffffff;
}

/* Reads a batch of keys; returns the rounds seen in rounds[] after checking consistency. */
static void arrow_read(struct reader *rd, const murr_snapshot_t *snap, const int64_t *keys, int *rounds) {
    murr_error_t e = MURR_ERROR_INIT;
    struct ArrowArray out;
    struct ArrowSchema schema;
    uint8_t found[BATCH];
    if (murr_db_read_i64(db, snap, "t", keys, BATCH, COLS, 3, &out, &schema, found, &e) != MURR_OK)
        FAIL("read: %s", e.message);
    for (int i = 0; i < BATCH; i++) {
        int64_t k = keys[i];
        if (!found[i]) FAIL("key %lld not found", (long long)k);
        int64_t c = au_get_i64(out.children[1], i);
        int r = (int)(c / 10000);
        char name[32];
        snprintf(name, sizeof name, "%d-%lld", r, (long long)k);
        if (c % 10000 != k || au_get_f32(out.children[0], i) != score_of(k, r) ||
            !au_utf8_eq(out.children[2], schema.children[2]->format, i, name))
            FAIL("key %lld: inconsistent row (count %lld, score %g)", (long long)k, (long long)c,
                 (double)au_get_f32(out.children[0], i));
        rounds[i] = r;
    }
    out.release(&out);
    schema.release(&schema);
    rd->reads++;
}

static void *reader(void *arg) {
    struct reader *rd = arg;
    int64_t keys[BATCH];
    int rounds[BATCH], again[BATCH];
    float dense[BATCH * 2];
    uint8_t found[BATCH];
    murr_error_t e = MURR_ERROR_INIT;
    while (!__atomic_load_n(&done, __ATOMIC_SEQ_CST) || rd->reads < 20) {
        for (int i = 0; i < BATCH; i++) keys[i] = next_rand(&rd->seed) % N;
        unsigned mode = next_rand(&rd->seed) % 3;
        if (mode == 0) {
            arrow_read(rd, NULL, keys, rounds);
        } else if (mode == 1) {
            /* Dense: score and count of one round each. */
            if (murr_db_read_f32_i64(db, NULL, "t", keys, BATCH, COLS, 2, -1.0f, dense, found, &e) != MURR_OK)
                FAIL("dense read: %s", e.message);
            for (int i = 0; i < BATCH; i++) {
                int64_t c = (int64_t)dense[i * 2 + 1];
                int r = (int)(c / 10000);
                if (!found[i] || c % 10000 != keys[i] || dense[i * 2] != score_of(keys[i], r))
                    FAIL("dense key %lld: inconsistent (%g, %g)", (long long)keys[i], (double)dense[i * 2],
                         (double)dense[i * 2 + 1]);
                rounds[i] = r;
            }
            rd->reads++;
        } else {
            /* A snapshot read twice gives the same rounds. */
            murr_snapshot_t *snap = NULL;
            if (murr_db_snapshot(db, &snap, &e) != MURR_OK) FAIL("snapshot: %s", e.message);
            arrow_read(rd, snap, keys, rounds);
            arrow_read(rd, snap, keys, again);
            if (memcmp(rounds, again, sizeof rounds) != 0) FAIL("a snapshot read twice differs");
            murr_snapshot_free(snap);
        }
        for (int i = 0; i < BATCH; i++) {
            if (rounds[i] < rd->seen[keys[i]])
                FAIL("key %lld went back from round %d to %d", (long long)keys[i], rd->seen[keys[i]], rounds[i]);
            rd->seen[keys[i]] = rounds[i];
        }
    }
    murr_error_release(&e);
    return NULL;
}

static int closed;
static long racing_reads;

/* Reads until the db is closed and one more read saw MURR_CLOSED. */
static void *racing_reader(void *arg) {
    struct reader *rd = arg;
    int64_t keys[BATCH];
    float dense[BATCH];
    murr_error_t e = MURR_ERROR_INIT;
    for (;;) {
        int was_closed = __atomic_load_n(&closed, __ATOMIC_SEQ_CST);
        for (int i = 0; i < BATCH; i++) keys[i] = next_rand(&rd->seed) % N;
        murr_status_t st = murr_db_read_f32_i64(db, NULL, "t", keys, BATCH, COLS, 1, -1.0f, dense, NULL, &e);
        if (st != MURR_OK && st != MURR_CLOSED) FAIL("a read racing close: %s (%s)", murr_status_name(st), e.message);
        if (st == MURR_OK) {
            for (int i = 0; i < BATCH; i++) {
                if (dense[i] != score_of(keys[i], ROUNDS)) FAIL("a read racing close: key %lld wrong", (long long)keys[i]);
            }
        }
        __atomic_fetch_add(&racing_reads, 1, __ATOMIC_SEQ_CST);
        if (was_closed) {
            if (st != MURR_CLOSED) FAIL("a read after close returned %s", murr_status_name(st));
            break;
        }
    }
    murr_error_release(&e);
    return NULL;
}

int main(void) {
    murr_options_t o = test_options();
    o.background_threads = 1; /* background flushes and compactions race the reads too */
    o.memtable_bytes = 64 << 10;
    CHECK_OK(murr_db_open(temp_dir(), &o, &db, &ERR));
    create_test_table(db, "t");
    write_round(0);

    pthread_t w, r[READERS];
    static struct reader readers[READERS];
    for (int i = 0; i < READERS; i++) {
        readers[i].seed = 17u + (unsigned)i;
        CHECK(pthread_create(&r[i], NULL, reader, &readers[i]) == 0);
    }
    CHECK(pthread_create(&w, NULL, writer, NULL) == 0);
    CHECK(pthread_join(w, NULL) == 0);
    long total = 0;
    for (int i = 0; i < READERS; i++) {
        CHECK(pthread_join(r[i], NULL) == 0);
        total += readers[i].reads;
    }

    /* At the end every key holds the last round. */
    int64_t keys[BATCH];
    int rounds[BATCH];
    struct reader last;
    memset(&last, 0, sizeof last);
    for (int i = 0; i < BATCH; i++) keys[i] = i * 7;
    arrow_read(&last, NULL, keys, rounds);
    for (int i = 0; i < BATCH; i++) CHECK(rounds[i] == ROUNDS);

    /* murr_db_close racing reads: every call returns OK or MURR_CLOSED. */
    for (int i = 0; i < READERS; i++) CHECK(pthread_create(&r[i], NULL, racing_reader, &readers[i]) == 0);
    while (__atomic_load_n(&racing_reads, __ATOMIC_SEQ_CST) < 40) sched_yield();
    CHECK_OK(murr_db_close(db, &ERR));
    __atomic_store_n(&closed, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < READERS; i++) CHECK(pthread_join(r[i], NULL) == 0);
    murr_db_free(db);
    CHECK(au_live_arrays() == 0 && au_live_schemas() == 0);
    printf("test_concurrent: ok (%ld reads)\n", total);
    return 0;
}
