/* Writes, deletes and reads: murr_db_write, murr_db_delete, murr_db_delete_str,
 * murr_db_delete_i64, murr_db_read, murr_db_read_str, murr_db_read_i64; ownership (arrays
 * moved on every call, keys borrowed) and misuse. */
#include <string.h>

#include "common.h"

static const char *const COLS[] = {"score", "count", "name"};

/* Reads keys of "t" (columns score, count, name) and checks each against `versions`
 * (0 = absent). */
static void expect_i64(murr_db_t *db, const murr_snapshot_t *snap, const int64_t *keys, const int *versions,
                       size_t n) {
    struct ArrowArray out;
    struct ArrowSchema schema;
    uint8_t found[64];
    memset(found, 7, sizeof found);
    CHECK_OK(murr_db_read_i64(db, snap, "t", keys, n, COLS, 3, &out, &schema, found, &ERR));
    CHECK(out.length == (int64_t)n && out.n_children == 3);
    CHECK(strcmp(schema.format, "+s") == 0 && schema.n_children == 3);
    for (int j = 0; j < 3; j++) {
        CHECK(strcmp(schema.children[j]->name, COLS[j]) == 0);
        CHECK(schema.children[j]->flags & ARROW_FLAG_NULLABLE);
        CHECK(out.children[j]->length == (int64_t)n);
    }
    CHECK(strcmp(schema.children[0]->format, "f") == 0 && strcmp(schema.children[1]->format, "l") == 0);
    for (size_t i = 0; i < n; i++) {
        if (found[i] != (versions[i] != 0)) FAIL("key %lld: found %d", (long long)keys[i], found[i]);
        if (versions[i] != 0) {
            t_check_row(&out, &schema, (int64_t)i, keys[i], versions[i]);
        } else {
            for (int j = 0; j < 3; j++) CHECK(!au_is_valid(out.children[j], (int64_t)i));
        }
    }
    out.release(&out);
    schema.release(&schema);
}

static void write_and_read(murr_db_t *db) {
    struct ArrowArray batch;
    struct ArrowSchema schema;
    uint64_t seq = 0, seq2 = 0;
    t_batch(&batch, &schema, 0, 100, 1);
    CHECK_OK(murr_db_write(db, "t", &batch, &schema, &seq, &ERR));
    CHECK(batch.release == NULL); /* moved */
    CHECK(schema.release != NULL); /* borrowed */
    CHECK(seq > 0);
    t_batch(&batch, NULL, 50, 100, 2);
    CHECK_OK(murr_db_write(db, "t", &batch, &schema, &seq2, &ERR));
    CHECK(seq2 > seq);
    t_batch(&batch, NULL, 150, 1, 3);
    CHECK_OK(murr_db_write(db, "t", &batch, &schema, NULL, &ERR)); /* seq_out may be NULL */
    schema.release(&schema);

    const int64_t keys[] = {0, 49, 50, 149, 150, 151, -1, 3, 4};
    const int versions[] = {1, 1, 2, 2, 3, 0, 0, 1, 1};
    expect_i64(db, NULL, keys, versions, 9);

    /* The same through murr_db_read with an Arrow key array: the keys are borrowed. */
    struct ArrowArray karr, out;
    struct ArrowSchema kschema, oschema;
    au_array_i64(&karr, keys, NULL, 9);
    au_schema_field(&kschema, "id", "l", false);
    uint8_t found[9];
    CHECK_OK(murr_db_read(db, NULL, "t", &karr, &kschema, COLS, 3, &out, &oschema, found, &ERR));
    CHECK(karr.release != NULL && kschema.release != NULL);
    for (int i = 0; i < 9; i++) {
        CHECK(found[i] == (versions[i] != 0));
        if (versions[i]) t_check_row(&out, &oschema, i, keys[i], versions[i]);
    }
    out.release(&out);
    oschema.release(&oschema);

    /* The key column can be read; found may be NULL; no keys is fine. */
    const char *const id_col[] = {"id"};
    CHECK_OK(murr_db_read(db, NULL, "t", &karr, &kschema, id_col, 1, &out, &oschema, NULL, &ERR));
    /* The result references nothing of the borrowed keys: free them first (ASan checks). */
    karr.release(&karr);
    kschema.release(&kschema);
    CHECK(au_get_i64(out.children[0], 0) == 0 && au_get_i64(out.children[0], 4) == 150);
    CHECK(!au_is_valid(out.children[0], 6)); /* absent key: null */
    out.release(&out);
    oschema.release(&oschema);
    CHECK_OK(murr_db_read_i64(db, NULL, "t", NULL, 0, COLS, 3, &out, &oschema, NULL, &ERR));
    CHECK(out.length == 0);
    out.release(&out);
    oschema.release(&oschema);

    /* A partial upsert: key 10 gets a new count only. */
    static const char *const partial[] = {"count", "id"};
    static const char *const partial_formats[] = {"l", "l"};
    const int64_t pk[] = {10}, pc[] = {-5};
    struct ArrowArray children[2];
    au_array_i64(&children[0], pc, NULL, 1);
    au_array_i64(&children[1], pk, NULL, 1);
    au_array_struct(&batch, 1, children, 2);
    au_schema_struct(&schema, 2, partial, partial_formats);
    CHECK_OK(murr_db_write(db, "t", &batch, &schema, NULL, &ERR));
    schema.release(&schema);
    CHECK_OK(murr_db_read_i64(db, NULL, "t", pk, 1, COLS, 3, &out, &oschema, NULL, &ERR));
    /* score keeps what version 1 wrote: null for key 10 (10 % 7 == 3). A null slot's bytes
     * are unspecified in Arrow: check validity, not the value under it. */
    CHECK(!t_score_valid(10) && !au_is_valid(out.children[0], 0));
    CHECK(au_get_i64(out.children[1], 0) == -5);
    out.release(&out);
    oschema.release(&oschema);
}

static void deletes(murr_db_t *db) {
    uint64_t seq = 0;
    const int64_t k1[] = {0, 1, 12345};
    CHECK_OK(murr_db_delete_i64(db, "t", k1, 3, &seq, &ERR));
    CHECK(seq > 0);
    struct ArrowArray keys;
    struct ArrowSchema ks;
    const int64_t k2[] = {2};
    au_array_i64(&keys, k2, NULL, 1);
    au_schema_field(&ks, "id", "l", false);
    CHECK_OK(murr_db_delete(db, "t", &keys, &ks, NULL, &ERR));
    CHECK(keys.release == NULL && ks.release != NULL);
    const int64_t probe[] = {0, 1, 2, 3};
    const int versions[] = {0, 0, 0, 1};
    expect_i64(db, NULL, probe, versions, 4);

    /* Misuse; every array passed is released by libmurr. */
    CHECK_STATUS(murr_db_delete_i64(db, "nope", k1, 1, NULL, &ERR), MURR_UNKNOWN_TABLE);
    CHECK_STATUS(murr_db_delete_i64(db, "t", NULL, 1, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_delete_i64(NULL, "t", k1, 1, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_delete_i64(db, NULL, k1, 1, NULL, &ERR), MURR_INVALID_ARGUMENT);
    const char *const sk[] = {"a"};
    CHECK_STATUS(murr_db_delete_str(db, "t", sk, 1, NULL, &ERR), MURR_SCHEMA_MISMATCH);
    const uint64_t uk[] = {3};
    au_array_u64(&keys, uk, NULL, 1);
    ks.release(&ks);
    au_schema_field(&ks, "id", "L", false);
    CHECK_STATUS(murr_db_delete(db, "t", &keys, &ks, NULL, &ERR), MURR_SCHEMA_MISMATCH);
    CHECK(keys.release == NULL);
    /* A null key. */
    const uint8_t invalid[] = {0};
    au_array_i64(&keys, k2, invalid, 1);
    ks.release(&ks);
    au_schema_field(&ks, "id", "l", true);
    CHECK_STATUS(murr_db_delete(db, "t", &keys, &ks, NULL, &ERR), MURR_SCHEMA_MISMATCH);
    CHECK(keys.release == NULL);
    /* Released keys, NULL keys. */
    CHECK_STATUS(murr_db_delete(db, "t", &keys, &ks, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_delete(db, "t", NULL, &ks, NULL, &ERR), MURR_INVALID_ARGUMENT);
    au_array_i64(&keys, k2, NULL, 1);
    CHECK_STATUS(murr_db_delete(db, "t", &keys, NULL, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(keys.release == NULL); /* moved even then */
    ks.release(&ks);
    expect_i64(db, NULL, probe, versions, 4);
}

static void string_keys(murr_db_t *db) {
    static const char *const names[] = {"k", "v"};
    static const char *const formats[] = {"u", "g"};
    struct ArrowSchema s, os;
    struct ArrowArray children[2], batch, out;
    au_schema_struct(&s, 2, names, formats);
    CHECK_OK(murr_db_create_table(db, "s", &s, "k", &ERR));
    const char *const keys[] = {"alpha", "beta", "", "\xc3\xa9t\xc3\xa9"};
    const double values[] = {1.5, 2.5, 3.5, 4.5};
    au_array_utf8(&children[0], keys, 4);
    au_array_f64(&children[1], values, NULL, 4);
    au_array_struct(&batch, 4, children, 2);
    CHECK_OK(murr_db_write(db, "s", &batch, &s, NULL, &ERR));
    s.release(&s);

    const char *const probe[] = {"beta", "gamma", "\xc3\xa9t\xc3\xa9", "", "alpha"};
    const char *const cols[] = {"v", "k"};
    uint8_t found[5];
    CHECK_OK(murr_db_read_str(db, NULL, "s", probe, 5, cols, 2, &out, &os, found, &ERR));
    CHECK(found[0] == 1 && found[1] == 0 && found[2] == 1 && found[3] == 1 && found[4] == 1);
    CHECK(strcmp(os.children[0]->format, "g") == 0);
    CHECK(au_get_f64(out.children[0], 0) == 2.5 && au_get_f64(out.children[0], 2) == 4.5);
    CHECK(au_get_f64(out.children[0], 3) == 3.5 && au_get_f64(out.children[0], 4) == 1.5);
    CHECK(!au_is_valid(out.children[0], 1));
    CHECK(au_utf8_eq(out.children[1], os.children[1]->format, 0, "beta"));
    CHECK(au_utf8_eq(out.children[1], os.children[1]->format, 3, ""));
    out.release(&out);
    os.release(&os);

    /* utf8 keys as an Arrow array. */
    struct ArrowArray ka;
    struct ArrowSchema ks;
    au_array_utf8(&ka, probe, 5);
    au_schema_field(&ks, "k", "u", false);
    CHECK_OK(murr_db_read(db, NULL, "s", &ka, &ks, cols, 2, &out, &os, found, &ERR));
    CHECK(found[0] == 1 && found[1] == 0 && au_get_f64(out.children[0], 4) == 1.5);
    out.release(&out);
    os.release(&os);
    /* int64 keys on a utf8 table. */
    const int64_t ik[] = {1};
    CHECK_STATUS(murr_db_read_i64(db, NULL, "s", ik, 1, cols, 2, &out, &os, found, &ERR), MURR_SCHEMA_MISMATCH);
    CHECK_STATUS(murr_db_delete_i64(db, "s", ik, 1, NULL, &ERR), MURR_SCHEMA_MISMATCH);
    ka.release(&ka);
    ks.release(&ks);

    const char *const del[] = {"beta", "nothing"};
    CHECK_OK(murr_db_delete_str(db, "s", del, 2, NULL, &ERR));
    CHECK_OK(murr_db_read_str(db, NULL, "s", probe, 5, cols, 2, &out, &os, found, &ERR));
    CHECK(found[0] == 0 && found[4] == 1);
    out.release(&out);
    os.release(&os);
    /* Invalid UTF-8 and NULL among the keys. */
    const char *const bad[] = {"ok", "\xff\xfe"};
    CHECK_STATUS(murr_db_read_str(db, NULL, "s", bad, 2, cols, 2, &out, &os, found, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_delete_str(db, "s", bad, 2, NULL, &ERR), MURR_INVALID_ARGUMENT);
    const char *const with_null[] = {"ok", NULL};
    CHECK_STATUS(murr_db_read_str(db, NULL, "s", with_null, 2, cols, 2, &out, &os, found, &ERR),
                 MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_delete_str(db, "s", with_null, 2, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_delete_str(db, "s", NULL, 1, NULL, &ERR), MURR_INVALID_ARGUMENT);
}

static void bad_writes(murr_db_t *db) {
    struct ArrowArray batch;
    struct ArrowSchema schema;

    /* A batch whose schema does not match the table: score as float64. */
    static const char *const wrong_formats[] = {"l", "g", "l", "u"};
    const int64_t ids[] = {1000};
    const double d[] = {1.0};
    const int64_t c[] = {1};
    const char *const n[] = {"x"};
    struct ArrowArray children[4];
    au_array_i64(&children[0], ids, NULL, 1);
    au_array_f64(&children[1], d, NULL, 1);
    au_array_i64(&children[2], c, NULL, 1);
    au_array_utf8(&children[3], n, 1);
    au_array_struct(&batch, 1, children, 4);
    au_schema_struct(&schema, 4, T_NAMES, wrong_formats);
    CHECK_STATUS(murr_db_write(db, "t", &batch, &schema, NULL, &ERR), MURR_SCHEMA_MISMATCH);
    CHECK(batch.release == NULL); /* moved on failure too */
    schema.release(&schema);

    /* A column the table does not have. */
    static const char *const unknown[] = {"id", "nope"};
    static const char *const unknown_formats[] = {"l", "l"};
    au_array_i64(&children[0], ids, NULL, 1);
    au_array_i64(&children[1], c, NULL, 1);
    au_array_struct(&batch, 1, children, 2);
    au_schema_struct(&schema, 2, unknown, unknown_formats);
    CHECK_STATUS(murr_db_write(db, "t", &batch, &schema, NULL, &ERR), MURR_UNKNOWN_COLUMN);
    CHECK(batch.release == NULL);
    schema.release(&schema);

    /* No key column, and a null key. */
    static const char *const nokey[] = {"count"};
    static const char *const nokey_formats[] = {"l"};
    au_array_i64(&children[0], c, NULL, 1);
    au_array_struct(&batch, 1, children, 1);
    au_schema_struct(&schema, 1, nokey, nokey_formats);
    CHECK_STATUS(murr_db_write(db, "t", &batch, &schema, NULL, &ERR), MURR_SCHEMA_MISMATCH);
    schema.release(&schema);
    const uint8_t invalid[] = {0};
    au_array_i64(&children[0], ids, invalid, 1);
    au_array_struct(&batch, 1, children, 1);
    au_schema_struct(&schema, 1, T_NAMES, T_FORMATS);
    CHECK_STATUS(murr_db_write(db, "t", &batch, &schema, NULL, &ERR), MURR_SCHEMA_MISMATCH);
    schema.release(&schema);

    /* Unknown table, invalid UTF-8 name, NULLs, a released array. */
    t_batch(&batch, &schema, 1000, 2, 9);
    CHECK_STATUS(murr_db_write(db, "nope", &batch, &schema, NULL, &ERR), MURR_UNKNOWN_TABLE);
    CHECK(batch.release == NULL);
    CHECK_STATUS(murr_db_write(db, "t", &batch, &schema, NULL, &ERR), MURR_INVALID_ARGUMENT); /* released */
    t_batch(&batch, NULL, 1000, 2, 9);
    CHECK_STATUS(murr_db_write(db, "\xc0\xaf", &batch, &schema, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(batch.release == NULL);
    t_batch(&batch, NULL, 1000, 2, 9);
    CHECK_STATUS(murr_db_write(db, "t", &batch, NULL, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(batch.release == NULL);
    t_batch(&batch, NULL, 1000, 2, 9);
    CHECK_STATUS(murr_db_write(NULL, "t", &batch, &schema, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(batch.release == NULL);
    t_batch(&batch, NULL, 1000, 2, 9);
    CHECK_STATUS(murr_db_write(db, NULL, &batch, &schema, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(batch.release == NULL);
    CHECK_STATUS(murr_db_write(db, "t", NULL, &schema, NULL, &ERR), MURR_INVALID_ARGUMENT);
    /* A schema with fewer children than the array: invalid (nothing written). */
    t_batch(&batch, NULL, 1000, 2, 9);
    struct ArrowSchema short_schema;
    au_schema_struct(&short_schema, 2, T_NAMES, T_FORMATS);
    murr_status_t st = murr_db_write(db, "t", &batch, &short_schema, NULL, &ERR);
    CHECK(st == MURR_ARROW || st == MURR_INVALID_ARGUMENT);
    check_error_filled(&ERR, st, "a write with a short schema", __FILE__, __LINE__);
    CHECK(batch.release == NULL);
    short_schema.release(&short_schema);
    /* A child array with too few buffers (a float32 column with no values buffer). */
    t_batch(&batch, NULL, 1000, 2, 9);
    batch.children[1]->n_buffers = 1;
    st = murr_db_write(db, "t", &batch, &schema, NULL, &ERR);
    CHECK(st == MURR_ARROW || st == MURR_INVALID_ARGUMENT);
    check_error_filled(&ERR, st, "a write with a child missing a buffer", __FILE__, __LINE__);
    CHECK(batch.release == NULL);
    schema.release(&schema);
    CHECK(au_live_schemas() == 0);

    /* Nothing of these was written. */
    const int64_t probe[] = {1000, 1001};
    const int versions[] = {0, 0};
    expect_i64(db, NULL, probe, versions, 2);
}

static void bad_reads(murr_db_t *db) {
    struct ArrowArray out, keys;
    struct ArrowSchema os, ks;
    const int64_t k[] = {3};
    uint8_t found[1];
    /* Outputs are set on entry: garbage in them is overwritten, never released. */
    memset(&out, 0xab, sizeof out);
    memset(&os, 0xab, sizeof os);
    const char *const unknown_col[] = {"score", "nope"};
    CHECK_STATUS(murr_db_read_i64(db, NULL, "t", k, 1, unknown_col, 2, &out, &os, found, &ERR), MURR_UNKNOWN_COLUMN);
    CHECK(out.release == NULL && os.release == NULL); /* outputs set on entry, left empty */
    CHECK_STATUS(murr_db_read_i64(db, NULL, "nope", k, 1, COLS, 3, &out, &os, found, &ERR), MURR_UNKNOWN_TABLE);
    const char *const bad_col[] = {"\xed\xa0\x80"}; /* a UTF-16 surrogate: invalid UTF-8 */
    CHECK_STATUS(murr_db_read_i64(db, NULL, "t", k, 1, bad_col, 1, &out, &os, found, &ERR), MURR_INVALID_ARGUMENT);
    const char *const null_col[] = {NULL};
    CHECK_STATUS(murr_db_read_i64(db, NULL, "t", k, 1, null_col, 1, &out, &os, found, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_read_i64(db, NULL, "\xff", k, 1, COLS, 3, &out, &os, found, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_read_i64(NULL, NULL, "t", k, 1, COLS, 3, &out, &os, found, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_read_i64(db, NULL, NULL, k, 1, COLS, 3, &out, &os, found, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_read_i64(db, NULL, "t", NULL, 1, COLS, 3, &out, &os, found, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_read_i64(db, NULL, "t", k, 1, NULL, 3, &out, &os, found, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_read_i64(db, NULL, "t", k, 1, COLS, 3, NULL, &os, found, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_read_i64(db, NULL, "t", k, 1, COLS, 3, &out, NULL, found, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_read_str(db, NULL, "t", NULL, 1, COLS, 3, &out, &os, found, &ERR), MURR_INVALID_ARGUMENT);
    const char *const sk[] = {"3"};
    CHECK_STATUS(murr_db_read_str(db, NULL, "t", sk, 1, COLS, 3, &out, &os, found, &ERR), MURR_SCHEMA_MISMATCH);

    /* murr_db_read: uint64 keys on an int64 table, a released key array, NULLs, a
     * struct array as keys. */
    const uint64_t uk[] = {3};
    au_array_u64(&keys, uk, NULL, 1);
    au_schema_field(&ks, "id", "L", false);
    CHECK_STATUS(murr_db_read(db, NULL, "t", &keys, &ks, COLS, 3, &out, &os, found, &ERR), MURR_SCHEMA_MISMATCH);
    CHECK(keys.release != NULL); /* borrowed, even on failure */
    keys.release(&keys);
    ks.release(&ks);
    au_schema_field(&ks, "id", "l", false);
    CHECK_STATUS(murr_db_read(db, NULL, "t", &keys, &ks, COLS, 3, &out, &os, found, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_read(db, NULL, "t", NULL, &ks, COLS, 3, &out, &os, found, &ERR), MURR_INVALID_ARGUMENT);
    au_array_i64(&keys, k, NULL, 1);
    CHECK_STATUS(murr_db_read(db, NULL, "t", &keys, NULL, COLS, 3, &out, &os, found, &ERR), MURR_INVALID_ARGUMENT);
    ks.release(&ks);
    keys.release(&keys);
    struct ArrowArray batch;
    struct ArrowSchema bs;
    t_batch(&batch, &bs, 0, 1, 1);
    CHECK_STATUS(murr_db_read(db, NULL, "t", &batch, &bs, COLS, 3, &out, &os, found, &ERR), MURR_SCHEMA_MISMATCH);
    batch.release(&batch);
    bs.release(&bs);
    CHECK(out.release == NULL && os.release == NULL);
}

int main(void) {
    murr_db_t *db = open_db(temp_dir());
    create_test_table(db, "t");
    write_and_read(db);
    deletes(db);
    string_keys(db);
    bad_writes(db);
    bad_reads(db);
    murr_db_free(db);
    /* libmurr may keep the arrays it was given (zero-copy) while the db is open; freed,
     * it has released every one. */
    CHECK(au_live_arrays() == 0 && au_live_schemas() == 0);
    printf("test_write_read: ok\n");
    return 0;
}
