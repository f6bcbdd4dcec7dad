/* The dense write (murr_db_write_f32: float32 rows, row-major, keyed by a key descriptor;
 * a partial upsert; misuse) and table statistics (murr_db_table_stats and its size-carrying
 * struct). */
#include <math.h>
#include <string.h>

#include "common.h"

static void features_table(murr_db_t *db) {
    static const char *const names[] = {"id", "a", "b", "n", "s"};
    static const char *const formats[] = {"l", "f", "f", "l", "u"};
    struct ArrowSchema schema;
    au_schema_struct(&schema, 5, names, formats);
    CHECK_OK(murr_db_create_table(db, "f", &schema, "id", &ERR));
    schema.release(&schema);
}

static void dense_write_round_trip(murr_db_t *db) {
    const int64_t ids[] = {1, 2, 3};
    murr_keys_t keys = murr_keys_i64(ids, 3);
    const char *const cols[] = {"b", "a"};
    const float values[] = {10.0f, 1.0f, 20.0f, 2.0f, 30.0f, NAN}; /* rows of (b, a) */
    uint64_t seq = 0;
    CHECK_OK(murr_db_write_f32(db, "f", &keys, cols, 2, values, &seq, &ERR));
    CHECK(seq > 0);
    const char *const read_cols[] = {"a", "b", "n"};
    float out[3 * 3];
    uint8_t found[3];
    CHECK_OK(murr_db_read_f32(db, NULL, "f", &keys, read_cols, 3, -1.0f, out, found, &ERR));
    CHECK(found[0] == 1 && found[1] == 1 && found[2] == 1);
    CHECK(out[0] == 1.0f && out[1] == 10.0f && out[2] == -1.0f);
    CHECK(out[3] == 2.0f && out[4] == 20.0f && out[5] == -1.0f);
    CHECK(isnan(out[6]) && out[7] == 30.0f);
    /* A partial upsert: only a of key 2; b keeps its value. */
    const int64_t two[] = {2};
    murr_keys_t k2 = murr_keys_i64(two, 1);
    const char *const only_a[] = {"a"};
    const float v2[] = {-5.0f};
    uint64_t seq2 = 0;
    CHECK_OK(murr_db_write_f32(db, "f", &k2, only_a, 1, v2, &seq2, &ERR));
    CHECK(seq2 > seq);
    CHECK_OK(murr_db_read_f32(db, NULL, "f", &k2, read_cols, 2, 0.0f, out, NULL, &ERR));
    CHECK(out[0] == -5.0f && out[1] == 20.0f);
    /* No keys: fine, values may be NULL. */
    murr_keys_t none = murr_keys_i64(NULL, 0);
    CHECK_OK(murr_db_write_f32(db, "f", &none, cols, 2, NULL, NULL, &ERR));
}

static void dense_write_misuse(murr_db_t *db) {
    const int64_t ids[] = {7};
    murr_keys_t keys = murr_keys_i64(ids, 1);
    const float v[] = {1.0f, 2.0f};
    const char *const not_f32[] = {"n"};
    CHECK_STATUS(murr_db_write_f32(db, "f", &keys, not_f32, 1, v, NULL, &ERR), MURR_SCHEMA_MISMATCH);
    CHECK(strstr(ERR.message, "float32") != NULL);
    const char *const unknown[] = {"zzz"};
    CHECK_STATUS(murr_db_write_f32(db, "f", &keys, unknown, 1, v, NULL, &ERR), MURR_UNKNOWN_COLUMN);
    const char *const key_col[] = {"id"};
    CHECK_STATUS(murr_db_write_f32(db, "f", &keys, key_col, 1, v, NULL, &ERR), MURR_SCHEMA_MISMATCH);
    const char *const twice[] = {"a", "a"};
    CHECK_STATUS(murr_db_write_f32(db, "f", &keys, twice, 2, v, NULL, &ERR), MURR_INVALID_ARGUMENT);
    const char *const a[] = {"a"};
    CHECK_STATUS(murr_db_write_f32(db, "nope", &keys, a, 1, v, NULL, &ERR), MURR_UNKNOWN_TABLE);
    CHECK_STATUS(murr_db_write_f32(db, "f", &keys, a, 1, NULL, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_write_f32(db, "f", NULL, a, 1, v, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_write_f32(NULL, "f", &keys, a, 1, v, NULL, &ERR), MURR_INVALID_ARGUMENT);
    const char *const names[] = {"7"};
    murr_keys_t strs = murr_keys_cstr(names, 1);
    CHECK_STATUS(murr_db_write_f32(db, "f", &strs, a, 1, v, NULL, &ERR), MURR_SCHEMA_MISMATCH);
    /* Nothing of these was written. */
    uint8_t found[1];
    float out[1];
    CHECK_OK(murr_db_read_f32(db, NULL, "f", &keys, a, 1, 0.0f, out, found, &ERR));
    CHECK(found[0] == 0);
}

static void stats(murr_db_t *db) {
    murr_table_stats_t s = MURR_TABLE_STATS_INIT;
    CHECK_OK(murr_db_table_stats(db, "f", &s, &ERR));
    CHECK(s.size == sizeof s);
    CHECK(s.segments == 0 && s.memtable_bytes > 0);
    CHECK_OK(murr_db_flush(db, &ERR));
    murr_table_stats_t t = MURR_TABLE_STATS_INIT;
    CHECK_OK(murr_db_table_stats(db, "f", &t, &ERR));
    CHECK(t.segments == 1 && t.level0_segments == 1 && t.segment_rows == 3);
    CHECK(t.segment_bytes > 0 && t.memtable_bytes == 0 && t.deleted_rows == 0);
    murr_table_stats_t bad = MURR_TABLE_STATS_INIT;
    bad.size = 0;
    CHECK_STATUS(murr_db_table_stats(db, "f", &bad, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_table_stats(db, "nope", &t, &ERR), MURR_UNKNOWN_TABLE);
    CHECK_STATUS(murr_db_table_stats(db, "f", NULL, &ERR), MURR_INVALID_ARGUMENT);
}

int main(void) {
    murr_db_t *db = open_db(temp_dir());
    features_table(db);
    dense_write_round_trip(db);
    dense_write_misuse(db);
    stats(db);
    murr_db_free(db);
    murr_error_release(&ERR);
    CHECK(au_live_arrays() == 0 && au_live_schemas() == 0);
    printf("test_write_f32_stats: ok\n");
    return 0;
}
