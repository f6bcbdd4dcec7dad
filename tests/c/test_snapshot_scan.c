/* Snapshots, scans and streams: murr_db_snapshot, murr_snapshot_seq, murr_snapshot_free,
 * murr_db_scan (struct ArrowArrayStream: get_schema / get_next / release),
 * murr_db_write_stream with a hand-made stream, murr_db_flush, murr_db_compact. */
#include <string.h>

#include "common.h"

static const char *const COLS[] = {"score", "count", "name"};

/* Reads keys 0..n-1 and checks they hold version v (key `gone` absent when >= 0). */
static void expect_version(murr_db_t *db, const murr_snapshot_t *snap, int64_t n, int v, int64_t gone) {
    int64_t keys[64];
    uint8_t found[64];
    struct ArrowArray out;
    struct ArrowSchema schema;
    CHECK(n <= 64);
    for (int64_t i = 0; i < n; i++) keys[i] = i;
    CHECK_OK(murr_db_read_i64(db, snap, "t", keys, (size_t)n, COLS, 3, &out, &schema, found, &ERR));
    for (int64_t i = 0; i < n; i++) {
        if (i == gone) {
            CHECK(found[i] == 0);
        } else {
            if (found[i] != 1) FAIL("key %lld not found", (long long)i);
            t_check_row(&out, &schema, i, i, v);
        }
    }
    out.release(&out);
    schema.release(&schema);
    /* The dense read agrees. */
    float dense[64];
    const char *const count[] = {"count"};
    CHECK_OK(murr_db_read_f32_i64(db, snap, "t", keys, (size_t)n, count, 1, -1.0f, dense, found, &ERR));
    for (int64_t i = 0; i < n; i++) {
        CHECK(dense[i] == (i == gone ? -1.0f : (float)t_count(i, v)));
    }
}

/* Scans "t" (all columns), checks keys ascend and rows hold version v; returns the count. */
static int64_t scan_count(murr_db_t *db, const murr_snapshot_t *snap, int v, int64_t gone) {
    struct ArrowArrayStream stream;
    struct ArrowSchema schema;
    struct ArrowArray batch;
    memset(&stream, 0, sizeof stream);
    CHECK_OK(murr_db_scan(db, snap, "t", NULL, 0, &stream, &ERR));
    CHECK(stream.release != NULL);
    CHECK(stream.get_schema(&stream, &schema) == 0);
    CHECK(strcmp(schema.format, "+s") == 0 && schema.n_children == 4);
    for (int i = 0; i < 4; i++) CHECK(strcmp(schema.children[i]->name, T_NAMES[i]) == 0); /* key first */
    int64_t rows = 0, last = -1;
    for (;;) {
        if (stream.get_next(&stream, &batch) != 0) {
            const char *e = stream.get_last_error(&stream);
            FAIL("get_next: %s", e ? e : "(no message)");
        }
        if (batch.release == NULL) break; /* the end */
        CHECK(batch.n_children == 4);
        for (int64_t r = 0; r < batch.length; r++) {
            int64_t k = au_get_i64(batch.children[0], r);
            if (k <= last) FAIL("scan keys not ascending: %lld after %lld", (long long)k, (long long)last);
            last = k;
            CHECK(k != gone);
            CHECK(au_get_i64(batch.children[2], r) == t_count(k, v));
            CHECK(au_is_valid(batch.children[1], r) == t_score_valid(k));
            char name[32];
            t_name(k, v, name, sizeof name);
            CHECK(!t_name_valid(k) || au_utf8_eq(batch.children[3], schema.children[3]->format, r, name));
        }
        rows += batch.length;
        batch.release(&batch);
    }
    schema.release(&schema);
    stream.release(&stream);
    CHECK(stream.release == NULL);
    return rows;
}

static void snapshots(murr_db_t *db) {
    struct ArrowArray batch;
    struct ArrowSchema schema;
    uint64_t seq1 = 0, seq2 = 0;
    t_batch(&batch, &schema, 0, 20, 1);
    CHECK_OK(murr_db_write(db, "t", &batch, &schema, &seq1, &ERR));

    murr_snapshot_t *snap = NULL;
    CHECK_OK(murr_db_snapshot(db, &snap, &ERR));
    CHECK(snap != NULL);
    CHECK(murr_snapshot_seq(snap) == seq1);
    CHECK(murr_snapshot_seq(NULL) == 0);

    /* Later writes, a delete, new keys, a flush and a compaction: the snapshot sees none. */
    t_batch(&batch, NULL, 0, 20, 2);
    CHECK_OK(murr_db_write(db, "t", &batch, &schema, NULL, &ERR));
    t_batch(&batch, NULL, 20, 10, 2);
    CHECK_OK(murr_db_write(db, "t", &batch, &schema, NULL, &ERR));
    const int64_t gone[] = {5};
    CHECK_OK(murr_db_delete_i64(db, "t", gone, 1, &seq2, &ERR));
    CHECK(seq2 > seq1);
    expect_version(db, snap, 20, 1, -1);
    expect_version(db, NULL, 30, 2, 5);
    CHECK(scan_count(db, snap, 1, -1) == 20);
    CHECK(scan_count(db, NULL, 2, 5) == 29);

    CHECK_OK(murr_db_flush(db, &ERR));
    expect_version(db, snap, 20, 1, -1);
    expect_version(db, NULL, 30, 2, 5);
    t_batch(&batch, NULL, 0, 5, 2); /* a second segment */
    CHECK_OK(murr_db_write(db, "t", &batch, &schema, NULL, &ERR));
    CHECK_OK(murr_db_flush(db, &ERR));
    CHECK_OK(murr_db_compact(db, &ERR));
    expect_version(db, snap, 20, 1, -1);
    expect_version(db, NULL, 30, 2, 5);
    CHECK(scan_count(db, snap, 1, -1) == 20);
    CHECK(scan_count(db, NULL, 2, 5) == 29);

    /* A second snapshot sees the current state; the snapshot's seq is the last write's. */
    murr_snapshot_t *snap2 = NULL;
    CHECK_OK(murr_db_snapshot(db, &snap2, &ERR));
    CHECK(murr_snapshot_seq(snap2) > seq2);
    expect_version(db, snap2, 30, 2, 5);

    /* A stream outlives its snapshot handle. */
    struct ArrowArrayStream stream;
    const char *const score[] = {"score"};
    CHECK_OK(murr_db_scan(db, snap, "t", score, 1, &stream, &ERR));
    murr_snapshot_free(snap);
    struct ArrowSchema ss;
    CHECK(stream.get_schema(&stream, &ss) == 0);
    CHECK(ss.n_children == 1 && strcmp(ss.children[0]->name, "score") == 0 && strcmp(ss.children[0]->format, "f") == 0);
    ss.release(&ss);
    int64_t rows = 0;
    for (;;) {
        struct ArrowArray b;
        CHECK(stream.get_next(&stream, &b) == 0);
        if (b.release == NULL) break;
        CHECK(b.n_children == 1);
        for (int64_t r = 0; r < b.length; r++) {
            if (au_is_valid(b.children[0], r)) CHECK(au_get_f32(b.children[0], r) == t_score(rows + r, 1));
        }
        rows += b.length;
        b.release(&b);
    }
    CHECK(rows == 20);
    stream.release(&stream);
    /* A stream released before it is read to the end. */
    CHECK_OK(murr_db_scan(db, snap2, "t", NULL, 0, &stream, &ERR));
    stream.release(&stream);
    murr_snapshot_free(snap2);
    murr_snapshot_free(NULL);
    schema.release(&schema);

    /* Misuse. */
    memset(&stream, 0, sizeof stream);
    CHECK_STATUS(murr_db_snapshot(NULL, &snap, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(snap == NULL);
    CHECK_STATUS(murr_db_snapshot(db, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_scan(db, NULL, "nope", NULL, 0, &stream, &ERR), MURR_UNKNOWN_TABLE);
    CHECK(stream.release == NULL);
    const char *const unknown[] = {"zzz"};
    CHECK_STATUS(murr_db_scan(db, NULL, "t", unknown, 1, &stream, &ERR), MURR_UNKNOWN_COLUMN);
    const char *const bad[] = {"\xfe"};
    CHECK_STATUS(murr_db_scan(db, NULL, "t", bad, 1, &stream, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_scan(db, NULL, "t", NULL, 1, &stream, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_scan(db, NULL, "t", NULL, 0, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_scan(NULL, NULL, "t", NULL, 0, &stream, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_scan(db, NULL, NULL, NULL, 0, &stream, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_scan(db, NULL, "\xff", NULL, 0, &stream, &ERR), MURR_INVALID_ARGUMENT);
}

static void write_streams(murr_db_t *db) {
    create_test_table(db, "w");
    struct ArrowArray batches[3];
    struct ArrowSchema schema;
    struct ArrowArrayStream stream;
    uint64_t seq = 0;
    t_batch(&batches[0], &schema, 0, 10, 1);
    t_batch(&batches[1], NULL, 10, 10, 1);
    t_batch(&batches[2], NULL, 20, 5, 1);
    au_stream_make(&stream, &schema, batches, 3, -1);
    CHECK_OK(murr_db_write_stream(db, "w", &stream, &seq, &ERR));
    CHECK(stream.release == NULL); /* moved */
    CHECK(seq > 0);
    CHECK(au_live_streams() == 0 && au_live_schemas() == 0);

    /* Count through a scan. */
    struct ArrowArrayStream scan;
    CHECK_OK(murr_db_scan(db, NULL, "w", T_NAMES, 1, &scan, &ERR));
    int64_t rows = 0;
    for (;;) {
        struct ArrowArray b;
        CHECK(scan.get_next(&scan, &b) == 0);
        if (b.release == NULL) break;
        rows += b.length;
        b.release(&b);
    }
    scan.release(&scan);
    CHECK(rows == 25);

    /* An empty stream. */
    au_schema_struct(&schema, 4, T_NAMES, T_FORMATS);
    au_stream_make(&stream, &schema, NULL, 0, -1);
    seq = 12345;
    CHECK_OK(murr_db_write_stream(db, "w", &stream, &seq, &ERR));
    CHECK(stream.release == NULL);
    CHECK(seq == 0); /* the contract: 0 for an empty stream */

    /* A stream failing at its second batch: the first stays written, the stream is
     * released, and the message says why. */
    t_batch(&batches[0], &schema, 100, 2, 1);
    t_batch(&batches[1], NULL, 200, 2, 1);
    au_stream_make(&stream, &schema, batches, 2, 1);
    murr_status_t st = murr_db_write_stream(db, "w", &stream, NULL, &ERR);
    CHECK(st != MURR_OK);
    check_error_filled(&ERR, st, "a failing stream", __FILE__, __LINE__);
    CHECK(stream.release == NULL);
    const int64_t keys[] = {100, 200};
    uint8_t found[2];
    float out[2];
    CHECK_OK(murr_db_read_f32_i64(db, NULL, "w", keys, 2, COLS + 1, 1, 0.0f, out, found, &ERR));
    CHECK(found[0] == 1 && found[1] == 0);

    /* A stream whose batches do not match the table, an unknown table, NULLs, released. */
    static const char *const wrong[] = {"l", "g", "l", "u"};
    au_schema_struct(&schema, 4, T_NAMES, wrong);
    t_batch(&batches[0], NULL, 300, 2, 1);
    au_stream_make(&stream, &schema, batches, 1, -1);
    CHECK(murr_db_write_stream(db, "w", &stream, NULL, &ERR) != MURR_OK);
    CHECK(stream.release == NULL);
    t_batch(&batches[0], &schema, 300, 2, 1);
    au_stream_make(&stream, &schema, batches, 1, -1);
    CHECK_STATUS(murr_db_write_stream(db, "nope", &stream, NULL, &ERR), MURR_UNKNOWN_TABLE);
    CHECK(stream.release == NULL);
    CHECK_STATUS(murr_db_write_stream(db, "w", &stream, NULL, &ERR), MURR_INVALID_ARGUMENT); /* released */
    CHECK_STATUS(murr_db_write_stream(db, "w", NULL, NULL, &ERR), MURR_INVALID_ARGUMENT);
    au_schema_struct(&schema, 4, T_NAMES, T_FORMATS);
    au_stream_make(&stream, &schema, NULL, 0, -1);
    CHECK_STATUS(murr_db_write_stream(NULL, "w", &stream, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(stream.release == NULL);
    au_schema_struct(&schema, 4, T_NAMES, T_FORMATS);
    au_stream_make(&stream, &schema, NULL, 0, -1);
    CHECK_STATUS(murr_db_write_stream(db, "\xff", &stream, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(stream.release == NULL);
    CHECK(au_live_streams() == 0 && au_live_schemas() == 0);
}

/* A snapshot keeps reading a table dropped after it was taken. */
static void dropped_table(murr_db_t *db) {
    struct ArrowArray batch, out;
    struct ArrowSchema schema, os;
    create_test_table(db, "d");
    t_batch(&batch, &schema, 0, 8, 4);
    CHECK_OK(murr_db_write(db, "d", &batch, &schema, NULL, &ERR));
    schema.release(&schema);
    CHECK_OK(murr_db_flush(db, &ERR));
    murr_snapshot_t *snap = NULL;
    CHECK_OK(murr_db_snapshot(db, &snap, &ERR));
    CHECK_OK(murr_db_drop_table(db, "d", &ERR));

    const int64_t keys[] = {0, 7, 8};
    uint8_t found[3];
    CHECK_STATUS(murr_db_read_i64(db, NULL, "d", keys, 3, COLS, 3, &out, &os, found, &ERR), MURR_UNKNOWN_TABLE);
    CHECK_OK(murr_db_read_i64(db, snap, "d", keys, 3, COLS, 3, &out, &os, found, &ERR));
    CHECK(found[0] == 1 && found[1] == 1 && found[2] == 0);
    t_check_row(&out, &os, 0, 0, 4);
    t_check_row(&out, &os, 1, 7, 4);
    out.release(&out);
    os.release(&os);
    struct ArrowArrayStream stream;
    CHECK_OK(murr_db_scan(db, snap, "d", COLS, 1, &stream, &ERR));
    int64_t rows = 0;
    for (;;) {
        struct ArrowArray b;
        CHECK(stream.get_next(&stream, &b) == 0);
        if (b.release == NULL) break;
        rows += b.length;
        b.release(&b);
    }
    stream.release(&stream);
    CHECK(rows == 8);
    murr_snapshot_free(snap);
}

int main(void) {
    murr_db_t *db = open_db(temp_dir());
    create_test_table(db, "t");
    snapshots(db);
    write_streams(db);
    dropped_table(db);
    murr_db_free(db);
    CHECK(au_live_arrays() == 0 && au_live_schemas() == 0 && au_live_streams() == 0);
    printf("test_snapshot_scan: ok\n");
    return 0;
}
