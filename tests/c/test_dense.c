/* The dense tensor read: murr_db_read_f32_i64 and murr_db_read_f32_str — values cast to
 * float, row-major, `fill` for nulls and absent keys, the found mask, and misuse. */
#include <math.h>
#include <string.h>

#include "common.h"

static void numeric_table(murr_db_t *db) {
    static const char *const names[] = {"id", "a", "b", "c", "d", "s"};
    static const char *const formats[] = {"l", "f", "l", "g", "b", "u"};
    struct ArrowSchema schema;
    struct ArrowArray children[6], batch;
    au_schema_struct(&schema, 6, names, formats);
    CHECK_OK(murr_db_create_table(db, "n", &schema, "id", &ERR));
    const int64_t ids[] = {1, 2, 3, 4};
    const float a[] = {0.5f, -1.25f, 3.0f, 4.0f};
    const uint8_t a_valid[] = {1, 1, 0, 1};
    const int64_t b[] = {10, -20, 30, 1 << 20};
    const double c[] = {0.125, 1e10, -2.5, 7.0};
    const uint8_t c_valid[] = {1, 1, 1, 0};
    const bool d[] = {true, false, true, false};
    const char *const s[] = {"x", "y", NULL, "z"};
    au_array_i64(&children[0], ids, NULL, 4);
    au_array_f32(&children[1], a, a_valid, 4);
    au_array_i64(&children[2], b, NULL, 4);
    au_array_f64(&children[3], c, c_valid, 4);
    au_array_bool(&children[4], d, NULL, 4);
    au_array_utf8(&children[5], s, 4);
    au_array_struct(&batch, 4, children, 6);
    CHECK_OK(murr_db_write(db, "n", &batch, &schema, NULL, &ERR));
    schema.release(&schema);
}

static void dense_i64(murr_db_t *db) {
    const int64_t keys[] = {3, 99, 1, 4, 2};
    const char *const cols[] = {"a", "b", "c", "d"};
    float out[5 * 4];
    uint8_t found[5];
    const float F = -7.0f;
    memset(out, 0xff, sizeof out);
    CHECK_OK(murr_db_read_f32_i64(db, NULL, "n", keys, 5, cols, 4, F, out, found, &ERR));
    const float expected[5 * 4] = {
        F,      30.0f,  -2.5f, 1.0f, /* key 3: a null */
        F,      F,      F,     F,    /* key 99: absent */
        0.5f,   10.0f,  0.125f, 1.0f, /* key 1 */
        4.0f,   (float)(1 << 20), F, 0.0f, /* key 4: c null */
        -1.25f, -20.0f, 1e10f, 0.0f, /* key 2 */
    };
    const uint8_t expected_found[] = {1, 0, 1, 1, 1};
    for (int i = 0; i < 5; i++) {
        if (found[i] != expected_found[i]) FAIL("key %lld: found %d", (long long)keys[i], found[i]);
        for (int j = 0; j < 4; j++) {
            if (out[i * 4 + j] != expected[i * 4 + j])
                FAIL("key %lld column %s: %g, expected %g", (long long)keys[i], cols[j], (double)out[i * 4 + j],
                     (double)expected[i * 4 + j]);
        }
    }
    /* NaN fill, found NULL, one column, repeated keys. */
    const int64_t again[] = {99, 1, 1};
    float one[3];
    CHECK_OK(murr_db_read_f32_i64(db, NULL, "n", again, 3, cols, 1, NAN, one, NULL, &ERR));
    CHECK(isnan(one[0]) && one[1] == 0.5f && one[2] == 0.5f);
    /* No keys: nothing written to out (which may be NULL then). */
    CHECK_OK(murr_db_read_f32_i64(db, NULL, "n", NULL, 0, cols, 4, 0.0f, NULL, NULL, &ERR));
    /* The key column is numeric too. */
    const char *const id_col[] = {"id"};
    CHECK_OK(murr_db_read_f32_i64(db, NULL, "n", keys, 5, id_col, 1, -1.0f, one, NULL, &ERR));
    CHECK(one[0] == 3.0f && one[1] == -1.0f && one[2] == 1.0f);
}

static void dense_misuse(murr_db_t *db) {
    const int64_t keys[] = {1, 2};
    const char *const cols[] = {"a", "s"}; /* s: utf8, not numeric */
    float out[4];
    uint8_t found[2];
    CHECK_STATUS(murr_db_read_f32_i64(db, NULL, "n", keys, 2, cols, 2, 0.0f, out, found, &ERR), MURR_SCHEMA_MISMATCH);
    const char *const unknown[] = {"a", "zzz"};
    CHECK_STATUS(murr_db_read_f32_i64(db, NULL, "n", keys, 2, unknown, 2, 0.0f, out, found, &ERR), MURR_UNKNOWN_COLUMN);
    CHECK_STATUS(murr_db_read_f32_i64(db, NULL, "nope", keys, 2, cols, 1, 0.0f, out, found, &ERR), MURR_UNKNOWN_TABLE);
    CHECK_STATUS(murr_db_read_f32_i64(db, NULL, "n", keys, 2, cols, 1, 0.0f, NULL, found, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_read_f32_i64(db, NULL, "n", NULL, 2, cols, 1, 0.0f, out, found, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_read_f32_i64(db, NULL, "n", keys, 2, NULL, 1, 0.0f, out, found, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_read_f32_i64(NULL, NULL, "n", keys, 2, cols, 1, 0.0f, out, found, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_read_f32_i64(db, NULL, NULL, keys, 2, cols, 1, 0.0f, out, found, &ERR), MURR_INVALID_ARGUMENT);
    const char *const bad[] = {"\xf8\x88\x80\x80\x80"};
    CHECK_STATUS(murr_db_read_f32_i64(db, NULL, "n", keys, 2, bad, 1, 0.0f, out, found, &ERR), MURR_INVALID_ARGUMENT);
    const char *const sk[] = {"1"};
    CHECK_STATUS(murr_db_read_f32_str(db, NULL, "n", sk, 1, cols, 1, 0.0f, out, found, &ERR), MURR_SCHEMA_MISMATCH);
}

static void dense_str(murr_db_t *db) {
    static const char *const names[] = {"k", "x", "y"};
    static const char *const formats[] = {"u", "f", "i"};
    struct ArrowSchema schema;
    struct ArrowArray children[3], batch;
    au_schema_struct(&schema, 3, names, formats);
    CHECK_OK(murr_db_create_table(db, "sn", &schema, "k", &ERR));
    schema.release(&schema);
    /* y (int32) is never written: it reads as fill. */
    static const char *const wformats[] = {"u", "f"};
    au_schema_struct(&schema, 2, names, wformats);
    const char *const keys[] = {"a", "b"};
    const float x[] = {1.5f, 2.5f};
    au_array_utf8(&children[0], keys, 2);
    au_array_f32(&children[1], x, NULL, 2);
    au_array_struct(&batch, 2, children, 2);
    CHECK_OK(murr_db_write(db, "sn", &batch, &schema, NULL, &ERR));
    schema.release(&schema);

    const char *const probe[] = {"b", "c", "a"};
    const char *const cols[] = {"x", "y"};
    float out[6];
    uint8_t found[3];
    CHECK_OK(murr_db_read_f32_str(db, NULL, "sn", probe, 3, cols, 2, 9.0f, out, found, &ERR));
    const float expected[] = {2.5f, 9.0f, 9.0f, 9.0f, 1.5f, 9.0f}; /* y never written: fill */
    for (int i = 0; i < 6; i++) {
        if (out[i] != expected[i]) FAIL("out[%d] = %g, expected %g", i, (double)out[i], (double)expected[i]);
    }
    CHECK(found[0] == 1 && found[1] == 0 && found[2] == 1);
    const char *const bad[] = {"a", "\xc1\xbf"};
    CHECK_STATUS(murr_db_read_f32_str(db, NULL, "sn", bad, 2, cols, 1, 0.0f, out, found, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_read_f32_str(db, NULL, "sn", NULL, 2, cols, 1, 0.0f, out, found, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_read_f32_str(NULL, NULL, "sn", probe, 2, cols, 1, 0.0f, out, found, &ERR), MURR_INVALID_ARGUMENT);
    const int64_t ik[] = {1};
    CHECK_STATUS(murr_db_read_f32_i64(db, NULL, "sn", ik, 1, cols, 1, 0.0f, out, found, &ERR), MURR_SCHEMA_MISMATCH);
}

int main(void) {
    murr_db_t *db = open_db(temp_dir());
    numeric_table(db);
    dense_i64(db);
    dense_misuse(db);
    CHECK_OK(murr_db_flush(db, &ERR)); /* the same answers from a segment */
    dense_i64(db);
    dense_str(db);
    murr_db_free(db);
    CHECK(au_live_arrays() == 0 && au_live_schemas() == 0);
    printf("test_dense: ok\n");
    return 0;
}
